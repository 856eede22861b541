package io.shatter.cli;

import io.shatter.CapacityClass;
import io.shatter.RankLayout;
import io.shatter.RunConfig;
import io.shatter.ShardGraph;
import io.shatter.ShatterException;
import io.shatter.slurm.ExcessWorkers;
import io.shatter.slurm.SbatchScript;
import io.shatter.slurm.SlurmAllocation;
import io.shatter.slurm.SlurmException;
import io.shatter.slurm.TerminationSignal;
import io.shatter.slurm.join.JoinClient;
import io.shatter.slurm.join.JoinSettings;
import io.shatter.slurm.join.JoinTls;
import io.shatter.slurm.join.JoinToken;
import io.shatter.worker.Worker;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Excess workers, both ends. On the main job: {@code --excess-workers N} opens the join channel
 * (token and address in the run directory), lays out N join slots after the run's ranks, and submits
 * worker jobs to the excess partition while it has idle cores. In a worker job: the same command with
 * {@code --join HOST:PORT} builds the same graph and joins the broker instead of starting ranks.
 */
public final class ExcessOptions {
    @Option(names = "--excess-workers", paramLabel = "N", converter = Numbers.NonNegative.class,
            description = "At most N excess workers: Slurm jobs on the excess partition that join this run while it has idle cores,"
                    + " and leave (checkpointing) when Slurm preempts them (default: 0, none).")
    int excessWorkers;

    @Option(names = "--worker-cores", paramLabel = "N", converter = Numbers.Cores.class, description = "Cores each excess worker job asks for (default: --cores-per-rank).")
    Integer workerCores;

    @Option(names = "--excess-partition", paramLabel = "NAME", description = "Partition of the excess worker jobs (default: ${DEFAULT-VALUE}).")
    String excessPartition = "excess";

    @Option(names = "--worker-time", paramLabel = "TIME", description = "--time of the worker jobs (Slurm's formats; default: the site's).")
    String workerTime;

    @Option(names = "--worker-mem", paramLabel = "SIZE", description = "--mem of the worker jobs (default: the site's).")
    String workerMem;

    @Option(names = "--worker-account", paramLabel = "NAME", description = "--account of the worker jobs (default: the site's).")
    String workerAccount;

    @Option(names = "--worker-qos", paramLabel = "NAME", description = "--qos of the worker jobs (default: the site's).")
    String workerQos;

    @Option(names = "--capacity-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often the broker asks Slurm for the excess partition's idle cores and its worker jobs' states"
                    + " (one sinfo and two squeue, all restricted to that partition; default: 10s); longer while slurmctld answers slowly.")
    Duration capacityInterval = Duration.ofSeconds(10);

    @Option(names = "--join-bind", paramLabel = "HOST[:PORT]",
            description = "Where the broker listens for excess workers (default: this node's address on the cluster network, what"
                    + " its Slurm node name resolves to, any free port; 0.0.0.0 for every interface); the address workers use is"
                    + " written to RUN-DIR/join.addr. The channel is TLS 1.3 with a certificate made for the run, its fingerprint"
                    + " in RUN-DIR/join.fingerprint beside the token.")
    String joinBind = ":0";

    @Option(names = "--no-worker-jobs", description = "Listen for excess workers but submit no Slurm jobs (start workers by hand with --join).")
    boolean noWorkerJobs;

    @Option(names = "--worker-command", paramLabel = "CMD",
            description = "Command a worker job runs to start shatter, split at spaces (default: this JVM with this classpath).")
    String workerCommand;

    @Option(names = "--join", paramLabel = "HOST:PORT",
            description = "Be an excess worker of the broker at HOST:PORT (RUN-DIR/join.addr of the main job) instead of running the graph.")
    String join;

    @Option(names = "--token-file", paramLabel = "FILE", description = "With --join: the run's token file (default: RUN-DIR/join.token);"
            + " the broker's certificate fingerprint is read from join.fingerprint beside it.")
    Path tokenFile;

    @Option(names = "--cores", paramLabel = "N", converter = Numbers.Cores.class, description = "With --join: cores this worker offers (default: SLURM_CPUS_PER_TASK, else --cores-per-rank).")
    Integer cores;

    /** Whether this process is an excess worker. */
    boolean joining() {
        return join != null;
    }

    /**
     * Adds the join slots and the join channel to {@code config} when {@code --excess-workers} asks
     * for them; returns the channel (closed by the run) or null.
     *
     * @param runArguments {@code run WORKLOAD options...} as this process got them: the worker jobs run the same
     */
    ExcessWorkers configure(RunConfig.Builder config, RunOptions options, List<String> runArguments) {
        if (excessWorkers < 0) {
            throw new UserException("--excess-workers must not be negative, got " + excessWorkers);
        }
        if (excessWorkers == 0) {
            return null;
        }
        int coresEach = workerCores != null ? workerCores : options.coresPerRank;
        if (coresEach < 1) {
            throw new UserException("--worker-cores must be at least 1, got " + coresEach);
        }
        RankLayout layout = options.layout();
        String host = joinBind;
        int port = 0;
        int colon = joinBind.lastIndexOf(':');
        if (colon >= 0) {
            host = joinBind.substring(0, colon);
            try {
                port = Integer.parseInt(joinBind.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new UserException("--join-bind " + joinBind + ": the port must be a number from 0 to 65535 (0: any free port)");
            }
        }
        if (capacityInterval.toMillis() < 100) {
            throw new UserException("--capacity-interval must be at least 100ms, got " + capacityInterval.toMillis() + "ms");
        }
        Path runDir = options.runDir().toAbsolutePath().normalize();
        ExcessWorkers channel;
        try {
            SbatchScript.Site site = new SbatchScript.Site(workerTime, workerMem, workerAccount, workerQos, null);
            // By default only the address workers are told, not every interface of the node.
            channel = ExcessWorkers.open(new ExcessWorkers.Options(runDir, host.isEmpty() ? ExcessWorkers.clusterAddress() : host, port,
                    layout.workers() + 1, excessWorkers, coresEach, !noWorkerJobs, excessPartition, site, capacityInterval,
                    workerCommand(), runArguments));
        } catch (SlurmException | IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        config.layout(layout.withJoinSlots(excessWorkers, coresEach)).joinChannel(channel).excessWorkers(channel);
        return channel;
    }

    private List<String> workerCommand() {
        if (workerCommand != null && !workerCommand.isBlank()) {
            return List.of(workerCommand.strip().split("\\s+"));
        }
        // The very code of this broker, so the workers build the same graph: its distribution's launcher,
        // else (tests, a source checkout) this JVM with this classpath.
        Path launcher = Distribution.launcher();
        if (launcher != null) {
            return List.of(launcher.toString());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName());
    }

    /**
     * Runs this process as an excess worker until the run ends (exit 0), Slurm's SIGTERM makes it
     * save and leave (exit 0), or the broker vanishes ({@link ShatterException}: exit 1).
     */
    int runWorker(ShardGraph graph, RunOptions options, PrintWriter out) {
        int colon = join.lastIndexOf(':');
        int port = -1;
        if (colon > 0) {
            try {
                port = Integer.parseInt(join.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (port < 1 || port > 65535) {
            throw new UserException("--join " + join + " is not HOST:PORT; pass the address in the main job's RUN-DIR/join.addr");
        }
        String host = join.substring(0, colon);
        int offered = cores != null ? cores
                : SlurmAllocation.current().map(SlurmAllocation::cpusPerTask).orElse(options.coresPerRank);
        if (offered < 1) {
            throw new UserException("--cores must be at least 1, got " + offered);
        }
        Path token = tokenFile != null ? tokenFile : options.runDir().resolve(JoinToken.FILE_NAME);
        JoinClient client;
        try {
            client = JoinClient.connect(host, port, JoinToken.read(token),
                    JoinTls.readFingerprint(token.resolveSibling(JoinTls.FINGERPRINT_FILE)), JoinSettings.DEFAULTS, Duration.ofSeconds(30));
        } catch (SlurmException e) {
            throw new ShatterException("cannot join: " + e.getMessage());
        }
        Worker worker = new Worker(graph, client, offered, List.of(), CapacityClass.EXCESS);
        // Slurm's preemption warning: save the running shards, tell the broker, exit 0 before the SIGKILL.
        TerminationSignal.install(worker::leave);
        out.println("joined " + join + " as rank " + client.rank() + " with " + offered + " core(s)");
        out.flush();
        try {
            worker.run();
        } finally {
            client.close(); // flushes the last frames (the yields and 'left' after SIGTERM)
        }
        if (worker.brokerLost() != null) {
            throw new ShatterException("the broker at " + join + " is gone (" + worker.brokerLost() + "); this worker stops."
                    + " Its shards resume from their last checkpoints when the run goes on");
        }
        out.println("worker rank " + client.rank() + " done");
        out.flush();
        return 0;
    }
}
