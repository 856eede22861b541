package io.shatter.mpi;

import java.util.Map;

/**
 * Picks and opens the MPI transport for this process. Open MPI is detected from the variables
 * {@code mpirun} sets for each rank; MPJ Express ranks are started by its starter, whose {@code main}
 * arguments are needed to initialise it, so they open through {@link #mpj(String[])}.
 */
public final class MpiTransports {
    private static MpiTransport openMpi;

    private MpiTransports() {
    }

    /** Whether this process is a rank started by Open MPI's {@code mpirun} (or {@code srun --mpi=pmix} with Open MPI). */
    public static boolean launchedByOpenMpi(Map<String, String> env) {
        return env.containsKey("OMPI_COMM_WORLD_SIZE") && env.containsKey("OMPI_COMM_WORLD_RANK");
    }

    /** This rank's number as Open MPI's launcher announced it, or -1 outside {@code mpirun}. */
    public static int openMpiRank(Map<String, String> env) {
        String r = env.get("OMPI_COMM_WORLD_RANK");
        try {
            return r == null ? -1 : Integer.parseInt(r.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Initialises Open MPI in this process and returns its transport (rank and size of
     * {@code MPI_COMM_WORLD}), with the progress strategy from {@code -Dshatter.mpi.progress}.
     *
     * @throws MpiUnavailableException when the bindings or the native library cannot be loaded
     */
    public static synchronized MpiTransport openMpi() {
        // MPI initialises once per process: every caller (the cli, RunConfig's provider) shares it.
        if (openMpi == null) {
            openMpi = new MpiTransport(OpenMpiBinding.init(new String[0]), ProgressStrategy.fromSystemProperty());
        }
        return openMpi;
    }

    /**
     * Initialises MPJ Express for the rank whose {@code main} received {@code mainArgs} from MPJ's
     * starter ({@code [rank, np, device, program args...]}).
     */
    public static MpjRank mpj(String[] mainArgs) {
        MpjBinding binding = MpjBinding.init(mainArgs);
        return new MpjRank(new MpiTransport(binding, ProgressStrategy.fromSystemProperty()), binding.userArgs());
    }

    /** An MPJ Express rank: its transport and the program's own arguments. */
    public record MpjRank(MpiTransport transport, String[] programArgs) {
    }
}
