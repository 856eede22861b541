package io.shatter.mpi;

import io.shatter.transport.Transport;

import java.lang.management.ManagementFactory;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Measures a progress strategy under {@code mpirun -np 2}: round-trip latency of small frames
 * between rank 0 and rank 1, and the CPU an idle rank burns while it waits for a message.
 *
 * <pre>
 * mpirun --oversubscribe -np 2 java -cp $SHATTER_MPI_JAR:CP -Dshatter.mpi.progress=backoff io.shatter.mpi.ProgressBenchmarkMain
 * mpirun --oversubscribe -np 2 java -cp $SHATTER_MPI_JAR:CP io.shatter.mpi.ProgressBenchmarkMain blocking
 * </pre>
 * The {@code blocking} variant does not use the transport: a thread waits in Open MPI's blocking
 * {@code probe}, the alternative to polling.
 */
public final class ProgressBenchmarkMain {
    private static final int ROUND_TRIPS = 2_000;
    private static final long IDLE_MILLIS = 3_000;

    private ProgressBenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("blocking")) {
            blocking();
            return;
        }
        MpiTransport t = MpiTransports.openMpi();
        SynchronousQueue<byte[]> in = new SynchronousQueue<>();
        t.start(new Transport.Receiver() {
            @Override
            public void onFrame(int source, byte[] frame) {
                try {
                    in.put(frame);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        int peer = 1 - t.rank();
        byte[] ping = new byte[16];
        // Warm-up, then timed round trips.
        for (int round = 0; round < 2; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < ROUND_TRIPS; i++) {
                if (t.rank() == 0) {
                    t.send(peer, ping);
                    in.poll(10, TimeUnit.SECONDS);
                } else {
                    in.poll(10, TimeUnit.SECONDS);
                    t.send(peer, ping);
                }
            }
            if (round == 1 && t.rank() == 0) {
                System.out.printf("%s round trip: %.1f us%n", System.getProperty("shatter.mpi.progress", "backoff"),
                        (System.nanoTime() - start) / 1e3 / ROUND_TRIPS);
            }
        }
        // Rank 1 waits idle for a frame rank 0 sends after IDLE_MILLIS; its CPU meanwhile is the cost of waiting.
        if (t.rank() == 1) {
            long cpu0 = processCpuNanos();
            long wall0 = System.nanoTime();
            in.poll(60, TimeUnit.SECONDS);
            double cpu = (processCpuNanos() - cpu0) / (double) (System.nanoTime() - wall0);
            System.out.printf("%s idle rank CPU: %.1f %% of a core%n", System.getProperty("shatter.mpi.progress", "backoff"), cpu * 100);
        } else {
            Thread.sleep(IDLE_MILLIS); // the measured idle period, not a wait for an event
            t.send(peer, ping);
        }
        t.close();
    }

    private static void blocking() throws Exception {
        OpenMpiBinding mpi = OpenMpiBinding.init(new String[0]);
        int peer = 1 - mpi.rank();
        byte[] ping = new byte[16];
        for (int round = 0; round < 2; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < ROUND_TRIPS; i++) {
                if (mpi.rank() == 0) {
                    sendAndWait(mpi, ping, peer);
                    int[] p = mpi.probeBlocking(MpiTransport.TAG);
                    mpi.receive(p[0], p[1], MpiTransport.TAG);
                } else {
                    int[] p = mpi.probeBlocking(MpiTransport.TAG);
                    mpi.receive(p[0], p[1], MpiTransport.TAG);
                    sendAndWait(mpi, ping, peer);
                }
            }
            if (round == 1 && mpi.rank() == 0) {
                System.out.printf("blocking round trip: %.1f us%n", (System.nanoTime() - start) / 1e3 / ROUND_TRIPS);
            }
        }
        if (mpi.rank() == 1) {
            long cpu0 = processCpuNanos();
            long wall0 = System.nanoTime();
            int[] p = mpi.probeBlocking(MpiTransport.TAG);
            mpi.receive(p[0], p[1], MpiTransport.TAG);
            double cpu = (processCpuNanos() - cpu0) / (double) (System.nanoTime() - wall0);
            System.out.printf("blocking idle rank CPU: %.1f %% of a core%n", cpu * 100);
        } else {
            Thread.sleep(IDLE_MILLIS);
            sendAndWait(mpi, ping, peer);
        }
        mpi.finish();
    }

    private static void sendAndWait(OpenMpiBinding mpi, byte[] data, int peer) throws Exception {
        Object r = mpi.startSend(data, data.length, peer, MpiTransport.TAG);
        while (!mpi.isDone(r)) {
            Thread.onSpinWait();
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
