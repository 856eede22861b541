package io.shatter.slurm;

import io.shatter.files.PrivateFiles;
import io.shatter.slurm.join.JoinServer;
import io.shatter.slurm.join.JoinSettings;
import io.shatter.slurm.join.JoinTls;
import io.shatter.slurm.join.JoinToken;
import io.shatter.spi.CapacitySample;
import io.shatter.spi.ExcessWorkerPool;
import io.shatter.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The broker's side of excess workers, as the join channel the runtime schedules them through
 * ({@code RunConfig.Builder.joinChannel}): a {@link JoinServer} for the run's join slots with a fresh
 * token in {@code RUN_DIR/join.token} and a fresh TLS certificate whose fingerprint is in
 * {@code RUN_DIR/join.fingerprint} (both 0600), the address workers connect to in {@code RUN_DIR/join.addr},
 * and, when asked to, an {@link ExcessWorkerManager} that submits worker jobs to the excess partition
 * once the server listens and cancels them all when the run closes the channel. As the run's
 * {@link ExcessWorkerPool} it hands the manager's capacity samples to the broker and carries out
 * the broker's requests for workers.
 */
public final class ExcessWorkers implements Transport, ExcessWorkerPool {
    private static final Logger LOG = LoggerFactory.getLogger(ExcessWorkers.class);
    /** The file that holds {@code HOST:PORT} of the join server once it listens. */
    public static final String ADDRESS_FILE = "join.addr";
    /** The worker job script written into the run directory. */
    public static final String WORKER_SCRIPT = "shatter-worker.sbatch";

    /**
     * What to open.
     *
     * @param runDir       the run directory (absolute)
     * @param bindHost     address to listen on (the CLI's default: {@link #clusterAddress()}; {@code 0.0.0.0}: every interface)
     * @param bindPort     port (0: any free one)
     * @param firstRank    first join rank (the run's fixed ranks come before it)
     * @param slots        join slots: at most this many workers at once
     * @param coresEach    cores a worker job asks for
     * @param submitJobs   whether to submit worker jobs to Slurm (false: only listen, workers are started by hand)
     * @param partition    the excess partition
     * @param site         time, memory, account and QOS the worker jobs carry
     * @param pollInterval how often the manager looks at capacity and jobs (it backs off when Slurm is slow)
     * @param shatter      command that starts shatter in a worker job
     * @param runArguments {@code run WORKLOAD options...} as the main job has them (the join options are added)
     */
    public record Options(Path runDir, String bindHost, int bindPort, int firstRank, int slots, int coresEach,
                          boolean submitJobs, String partition, SbatchScript.Site site, Duration pollInterval, List<String> shatter,
                          List<String> runArguments) {
    }

    private final Options options;
    private final JoinServer server;
    private final Path tokenFile;
    private ExcessWorkerManager manager;
    private Thread cancelOnExit;
    private Consumer<CapacitySample> samples = sample -> { };

    private ExcessWorkers(Options options, JoinServer server, Path tokenFile) {
        this.options = options;
        this.server = server;
        this.tokenFile = tokenFile;
    }

    /** Writes a fresh token; the server listens once the run starts the transport. */
    public static ExcessWorkers open(Options options) {
        Path tokenFile = options.runDir().resolve(JoinToken.FILE_NAME);
        JoinToken token = JoinToken.create(tokenFile);
        // A year: the certificate lives as long as this broker process, whatever the job's time limit.
        JoinTls.ServerIdentity tls = JoinTls.createServer(options.runDir().resolve(JoinTls.FINGERPRINT_FILE), Duration.ofDays(366));
        JoinServer server = new JoinServer(options.bindHost(), options.bindPort(), token, tls.context(), options.firstRank(),
                options.slots(), JoinSettings.DEFAULTS);
        return new ExcessWorkers(options, server, tokenFile);
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return server.size();
    }

    @Override
    public synchronized void start(Receiver receiver) {
        server.start(receiver);
        String address = advertised(server.address());
        writeAtomically(options.runDir().resolve(ADDRESS_FILE), address + "\n");
        LOG.info("Excess workers join at {} (token {}, {} slot(s))", address, tokenFile, options.slots());
        if (!options.submitJobs()) {
            return;
        }
        Path script = SbatchScript.write(options.runDir().resolve(WORKER_SCRIPT), SbatchScript.workerJob(new SbatchScript.WorkerJob(
                options.partition(), options.coresEach(), options.site(), options.runDir(), tokenFile,
                10, options.shatter(), options.runArguments())));
        CapacityMonitor monitor;
        try {
            // Only the excess partition: on a large site every extra partition is load on slurmctld.
            monitor = new CapacityMonitor(options.runDir().resolve(CapacityMonitor.FILE_NAME), Set.of(options.partition()), new SlurmCommands(),
                    CapacityMonitor.Mode.AUTO, Clock.systemUTC());
        } catch (SlurmException e) {
            LOG.warn("Excess workers are off for this run, which goes on with its reserved ranks alone: {}", e.getMessage());
            return;
        }
        manager = new ExcessWorkerManager(new ExcessWorkerManager.Settings(options.partition(), options.slots(), options.coresEach(),
                options.pollInterval()), monitor, new SlurmCommands(), script);
        // A main job that is itself cancelled or preempted (SIGTERM) must not leave its workers queued.
        cancelOnExit = new Thread(manager::close, "shatter-cancel-excess-workers");
        Runtime.getRuntime().addShutdownHook(cancelOnExit);
        manager.start(samples);
    }

    @Override
    public int maxWorkers() {
        return options.slots();
    }

    @Override
    public int coresEach() {
        return options.coresEach();
    }

    /** Where the manager's samples go; called by the broker before the transport starts. */
    @Override
    public synchronized void start(Consumer<CapacitySample> samples) {
        this.samples = samples;
    }

    @Override
    public synchronized void request(int workers) {
        if (manager != null) {
            manager.request(workers);
        }
    }

    /** The manager, once started with job submission on; else null. */
    public synchronized ExcessWorkerManager manager() {
        return manager;
    }

    /** The address workers connect to ({@code HOST:PORT}), once started. */
    public String address() {
        return advertised(server.address());
    }

    @Override
    public void send(int destination, byte[] frame) {
        server.send(destination, frame);
    }

    /** Closes that worker's connection (a worker of another graph sent away). */
    @Override
    public boolean disconnect(int rank, String reason) {
        return server.disconnect(rank, reason);
    }

    /** Closes that worker's connection {@code link} only (the one that sent a malformed frame). */
    @Override
    public boolean disconnect(int rank, long link, String reason) {
        return server.disconnect(rank, link, reason);
    }

    /** Cancels every worker job of the run, then closes the server. */
    @Override
    public synchronized void close() {
        try {
            if (manager != null) {
                manager.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(cancelOnExit);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down: the hook runs (and finds the manager closed)
                }
            }
        } finally {
            server.close();
        }
    }

    /**
     * A wildcard bind address is not something to connect to: workers get this node's address on the
     * cluster network, the address its Slurm node name ({@code SLURMD_NODENAME}, else the host name)
     * resolves to; when that is a loopback address (Debian maps the host name to 127.0.1.1), the first
     * non-loopback IPv4 address of an interface that is up. An explicit {@code --join-bind HOST} is
     * advertised as given.
     */
    private String advertised(InetSocketAddress bound) {
        String host = bound.getAddress().isAnyLocalAddress() ? clusterAddress() : bound.getHostString();
        return host + ":" + bound.getPort();
    }

    public static String clusterAddress() {
        String node = System.getenv("SLURMD_NODENAME"); // the name Slurm knows this node by
        try {
            InetAddress byName = node != null && !node.isBlank() ? InetAddress.getByName(node) : InetAddress.getLocalHost();
            if (!byName.isLoopbackAddress()) {
                return byName.getHostAddress();
            }
        } catch (IOException e) {
            // not resolvable: look at the interfaces
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp() && !nic.isLoopback()) {
                    for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                        if (a instanceof Inet4Address) {
                            return a.getHostAddress();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return node != null && !node.isBlank() ? node : InetAddress.getLoopbackAddress().getHostAddress();
    }

    private static void writeAtomically(Path file, String text) {
        try {
            PrivateFiles.writeAtomically(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SlurmException("cannot write " + file + ": " + e.getMessage() + "; the run directory must be writable", e);
        }
    }
}
