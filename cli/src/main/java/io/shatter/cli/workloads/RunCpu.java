package io.shatter.cli.workloads;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time this JVM spent while a benchmark ran, split into the JIT compiler threads, the garbage
 * collector's threads and the whole process: on a 2-core machine whose 2 worker lanes keep both
 * cores busy, every other thread's CPU time comes out of the lanes, so these figures say what an
 * efficiency below 1 went to, and they hold under load, where wall-clock figures do not. The
 * per-thread split reads Linux's {@code /proc/self/task}; elsewhere it is absent.
 *
 * @param processNanos process CPU time (every thread, those that ended included), or -1 if unknown
 * @param jitNanos     CPU time of the JIT compiler threads, or -1 if unknown
 * @param gcNanos      CPU time of the garbage collector's threads, or -1 if unknown
 */
record RunCpu(long processNanos, long jitNanos, long gcNanos) {
    private static final Path TASKS = Path.of("/proc/self/task");
    /** Linux's clock ticks per second ({@code USER_HZ}), which {@code /proc} times are counted in: 100 on every common build. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /** This JVM's CPU times so far. */
    static RunCpu now() {
        long process = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            process = os.getProcessCpuTime();
        }
        long jit = 0;
        long gc = 0;
        if (!Files.isDirectory(TASKS)) {
            return new RunCpu(process, -1, -1);
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String name;
                String stat;
                try {
                    name = Files.readString(task.resolve("comm")).trim();
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue; // the thread ended while we looked
                }
                boolean compiler = name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler");
                boolean collector = name.startsWith("GC Thread") || name.startsWith("G1 ");
                if (compiler || collector) {
                    long nanos = ticks(stat) * NANOS_PER_TICK;
                    if (compiler) {
                        jit += nanos;
                    } else {
                        gc += nanos;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return new RunCpu(process, -1, -1);
        }
        return new RunCpu(process, jit, gc);
    }

    /** utime + stime of one {@code stat} line (fields 14 and 15; the name in parentheses may hold spaces). */
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** What was spent from {@code start} to this snapshot, in seconds each (null where unknown). */
    Double[] secondsSince(RunCpu start) {
        return new Double[] {since(processNanos, start.processNanos), since(jitNanos, start.jitNanos), since(gcNanos, start.gcNanos)};
    }

    private static Double since(long end, long start) {
        return end < 0 || start < 0 ? null : (end - start) / 1e9;
    }
}
