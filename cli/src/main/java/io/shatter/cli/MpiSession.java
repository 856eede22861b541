package io.shatter.cli;

import io.shatter.mpi.MpiTransport;
import io.shatter.mpi.MpiTransports;

/**
 * The MPI transport of this rank, when the command runs as one rank of an MPI job: opened at start
 * under Open MPI's {@code mpirun}, or handed over by {@link MpjMain} under MPJ Express. Static
 * because it spans the whole command; under MPJ's multicore device every rank has its own class
 * loader, so each rank has its own session.
 */
final class MpiSession {
    private static MpiTransport transport;
    private static volatile boolean runStarted;
    private static volatile boolean runEnded;

    private MpiSession() {
    }

    /** Whether this process was started by Open MPI's mpirun. */
    static boolean launchedByOpenMpi() {
        return MpiTransports.launchedByOpenMpi(System.getenv());
    }

    /** This rank under mpirun from its environment (known before MPI is initialised), else -1. */
    static int openMpiRankFromEnvironment() {
        return MpiTransports.openMpiRank(System.getenv());
    }

    /** Initialises Open MPI for this rank; on rank 0, says so clearly if mpirun ends the job before the run did. */
    static void openOpenMpi() {
        transport = MpiTransports.openMpi();
        if (transport.rank() == 0) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (runStarted && !runEnded) {
                    // mpirun sends SIGTERM to the surviving ranks when one of them dies (Open MPI 4 has
                    // no fault tolerance in MPI_COMM_WORLD); this is the only chance to say what happened.
                    System.err.println("shatter: the run was stopped before it finished: Open MPI ends every rank when one of"
                            + " them dies, and mpirun names that rank and its signal below. Start the same command again (same"
                            + " --run-dir) to resume: committed shards come back from the journal, running ones from their checkpoints.");
                    System.err.flush();
                }
            }, "shatter-mpi-stopped"));
        }
    }

    /** Adopts the transport of an MPJ Express rank. */
    static void adopt(MpiTransport mpjTransport) {
        transport = mpjTransport;
    }

    /** This rank's transport, or null when the ranks are local threads. */
    static MpiTransport transport() {
        return transport;
    }

    /** Whether this process is a worker rank of an MPI job (it prints nothing of the run's results). */
    static boolean isWorkerRank() {
        return transport != null ? transport.rank() != 0 : openMpiRankFromEnvironment() > 0;
    }

    /** This rank in the MPI job, or -1. */
    static int rank() {
        return transport != null ? transport.rank() : openMpiRankFromEnvironment();
    }

    static void runStarted() {
        runStarted = true;
    }

    static void runEnded() {
        runEnded = true;
    }

    /**
     * Ends this rank's MPI: finalizes when the broker ended the run (every rank was told to stop);
     * otherwise tells the peers this rank is lost, since finalizing would wait for them forever.
     */
    static void close(int exitCode) {
        if (transport == null) {
            return;
        }
        if (exitCode == 0 || runEnded) {
            transport.close();
        } else {
            transport.abort("rank " + transport.rank() + " stopped with exit code " + exitCode + " before the run ended", 2_000);
        }
        transport = null;
    }
}
