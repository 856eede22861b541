package io.shatter.cli;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code shatter run WORKLOAD --mpj --ranks N}: starts the same command as N + 1 MPJ Express ranks
 * (multicore device: threads of one child JVM) through MPJ's own starter, and returns rank 0's exit
 * code, which MPJ's starter does not (it always exits 0).
 */
final class MpjLauncher {
    private MpjLauncher() {
    }

    /** Runs {@code commandArgs} (the original command line without {@code --mpj}) on {@code processes} MPJ ranks. */
    static int launch(List<String> commandArgs, int processes) throws IOException, InterruptedException {
        Path mpjHome = mpjHome();
        Path exitFile = Files.createTempFile("shatter-mpj-exit", ".txt");
        Files.delete(exitFile); // rank 0 creates it; its absence means rank 0 never finished
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-jar", mpjHome.resolve("lib/starter.jar").toString(), "-np", String.valueOf(processes),
                "-cp", classpath(), "-D" + MpjMain.EXIT_FILE_PROPERTY + "=" + exitFile));
        String heap = System.getenv("SHATTER_MPJ_HEAP");
        cmd.add("-Xmx" + (heap != null && !heap.isBlank() ? heap.trim() : "2g")); // one JVM holds every rank
        cmd.add(MpjMain.class.getName());
        cmd.addAll(commandArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("MPJ_HOME", mpjHome.toString());
        Process starter = pb.start();
        // Ctrl-C on the launcher must not leave MPJ's child JVM running.
        Thread killer = new Thread(() -> {
            starter.descendants().forEach(ProcessHandle::destroy);
            starter.destroy();
        });
        Runtime.getRuntime().addShutdownHook(killer);
        int starterExit = starter.waitFor();
        Runtime.getRuntime().removeShutdownHook(killer);
        try {
            if (!Files.exists(exitFile)) {
                System.err.println("shatter: the MPJ Express run ended without a result from rank 0 (starter exit status "
                        + starterExit + "); its messages are above");
                return Main.RUN_FAILED;
            }
            return Integer.parseInt(Files.readString(exitFile, StandardCharsets.UTF_8).trim());
        } finally {
            Files.deleteIfExists(exitFile);
        }
    }

    private static Path mpjHome() {
        String env = System.getenv("MPJ_HOME");
        Path home = Path.of(env != null && !env.isBlank() ? env : "/opt/shatter/mpj");
        if (!Files.isRegularFile(home.resolve("lib/starter.jar")) || !Files.isRegularFile(home.resolve("lib/mpj.jar"))) {
            throw new UserException("--mpj needs MPJ Express, but " + home + "/lib has no starter.jar and mpj.jar"
                    + (env == null ? " (MPJ_HOME is not set)" : " (from MPJ_HOME)")
                    + ". Install it with scripts/install-mpi.sh, then . /opt/shatter/env.sh");
        }
        return home;
    }

    /**
     * The classpath of this distribution for MPJ's rank class loaders: the shatter jar and every jar
     * of its lib/ (or this JVM's classpath when running from classes). Never Open MPI's mpi.jar:
     * both define the package {@code mpi}.
     */
    static String classpath() throws IOException {
        List<String> entries = new ArrayList<>();
        Path self;
        try {
            self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the shatter classes: " + e.getMessage(), e);
        }
        if (Files.isRegularFile(self)) {
            entries.add(self.toString());
            // cli/target/shatter.jar has its jars in lib/ beside it; in the distribution it is itself one of lib/*.jar.
            Path lib = Files.isDirectory(self.resolveSibling("lib")) ? self.resolveSibling("lib") : self.getParent();
            if (Files.isDirectory(lib)) {
                try (Stream<Path> jars = Files.list(lib)) {
                    jars.filter(p -> p.toString().endsWith(".jar") && !p.equals(self)).sorted().forEach(p -> entries.add(p.toString()));
                }
            }
        } else {
            entries.addAll(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        }
        entries.removeIf(e -> Path.of(e).getFileName() != null && Path.of(e).getFileName().toString().equals("mpi.jar"));
        return String.join(File.pathSeparator, entries);
    }
}
