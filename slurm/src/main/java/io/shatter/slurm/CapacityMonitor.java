package io.shatter.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shatter.files.PrivateFiles;
import io.shatter.spi.CapacitySample;
import io.shatter.spi.CapacitySource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the capacity of Slurm partitions with {@code sinfo} and {@code squeue}: total and idle
 * cores from the nodes of each partition, pending demand from the cores asked for by its pending
 * jobs. Every sample is appended to the run's capacity-history file (the CSV that
 * {@code predictor/README.md} documents and the predictor trains on) and handed to the broker
 * through {@link #poll()}.
 *
 * <p>Uses {@code --json} where the installed Slurm has it (21.08 and later), format strings
 * otherwise. When Slurm cannot be asked (commands missing, controller down) the monitor logs
 * one clear warning, records nothing, and the caller carries on without capacity samples.
 */
public final class CapacityMonitor implements CapacitySource {
    /** The capacity-history header the predictor requires. */
    public static final String HEADER = "epoch_seconds,partition,total_cores,idle_cores,pending_cores";
    /** The file name inside the run directory. */
    public static final String FILE_NAME = "capacity-history.csv";

    private static final Logger LOG = LoggerFactory.getLogger(CapacityMonitor.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Node states whose idle CPUs nobody can use, as sinfo's %C counts them under "other". */
    private static final Set<String> UNUSABLE = Set.of("down", "drain", "drained", "draining", "fail", "failing",
            "future", "unknown", "maint", "reserved", "not_responding", "inval", "power_down", "powered_down");

    /** How to ask Slurm. */
    public enum Mode { AUTO, JSON, FORMAT }

    private final Path historyFile;
    private final Set<String> partitions;
    private final SlurmCommands commands;
    private final Clock clock;
    private Mode mode;
    private final ConcurrentLinkedQueue<CapacitySample> unpolled = new ConcurrentLinkedQueue<>();
    private final Map<String, Long> lastEpoch = new HashMap<>();
    private volatile String problem;
    private ScheduledExecutorService timer;

    /**
     * A monitor of {@code partitions} (empty: every partition) that appends to {@code historyFile}.
     *
     * @throws SlurmException when {@code historyFile} exists but is not a capacity history (it is left untouched)
     */
    public CapacityMonitor(Path historyFile, Set<String> partitions, SlurmCommands commands, Mode mode, Clock clock) {
        this.historyFile = historyFile;
        this.partitions = Set.copyOf(partitions);
        this.commands = commands;
        this.mode = mode;
        this.clock = clock;
        checkExistingHistory();
    }

    /** A monitor of every partition, writing {@value #FILE_NAME} in {@code runDir}. */
    public static CapacityMonitor inRunDirectory(Path runDir) {
        return new CapacityMonitor(runDir.resolve(FILE_NAME), Set.of(), new SlurmCommands(), Mode.AUTO, Clock.systemUTC());
    }

    /** Samples every {@code interval} on a daemon thread until {@link #close()}; the first sample is taken at once. */
    public synchronized void start(Duration interval) {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "shatter-capacity-monitor");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sampleNow, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Takes one sample of every monitored partition now, appends it to the history file and queues it
     * for {@link #poll()}. Returns the samples, or an empty list when Slurm could not be asked
     * ({@link #problem()} says why).
     */
    public synchronized List<CapacitySample> sampleNow() {
        List<CapacitySample> samples;
        try {
            samples = query();
        } catch (SlurmException e) {
            if (!e.getMessage().equals(problem)) {
                LOG.warn("No capacity samples: {}", e.getMessage());
            }
            problem = e.getMessage();
            return List.of();
        }
        if (problem != null) {
            LOG.info("Capacity samples are back: Slurm answers again");
            problem = null;
        }
        try {
            append(samples);
        } catch (IOException e) {
            problem = "cannot append to " + historyFile + ": " + e.getMessage();
            LOG.warn("Capacity samples are not recorded: {}", problem);
        }
        unpolled.addAll(samples);
        return samples;
    }

    @Override
    public List<CapacitySample> poll() {
        List<CapacitySample> out = new ArrayList<>();
        CapacitySample s;
        while ((s = unpolled.poll()) != null) {
            out.add(s);
        }
        return out;
    }

    /** Why the last attempt gave no samples, or null when it worked. */
    public String problem() {
        return problem;
    }

    /** The capacity-history file. */
    public Path historyFile() {
        return historyFile;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private List<CapacitySample> query() {
        if (!partitions.isEmpty() && mode == Mode.AUTO) {
            // 'sinfo --json -p P' and 'squeue --json -p P' ignore -p on Slurm 22.05 (they list every node and
            // job of the cluster); the format strings honour it, so a monitor of a few partitions uses them.
            mode = Mode.FORMAT;
        }
        if (mode == Mode.AUTO) {
            SlurmCommands.Output probe = commands.run(List.of("sinfo", "--json"));
            if (probe.exitCode() != 0 && probe.stderr().contains("unrecognized option")) {
                mode = Mode.FORMAT; // Slurm before 21.08
                LOG.info("This Slurm has no 'sinfo --json'; using format strings");
            } else {
                mode = Mode.JSON;
                return fromJson(probe);
            }
        }
        return mode == Mode.JSON ? fromJson(commands.run(List.of("sinfo", "--json"))) : fromFormatStrings();
    }

    private List<CapacitySample> fromJson(SlurmCommands.Output sinfo) {
        JsonNode nodes = parseJson(sinfo, "sinfo --json").path("nodes");
        Map<String, int[]> counts = new TreeMap<>(); // partition -> {total, idle, pending}
        for (JsonNode node : nodes) {
            int cpus = node.path("cpus").asInt(0);
            int idle = usable(node.path("state").asText("")) ? node.path("idle_cpus").asInt(0) : 0;
            for (JsonNode p : node.path("partitions")) {
                if (wanted(p.asText())) {
                    int[] c = counts.computeIfAbsent(p.asText(), k -> new int[3]);
                    c[0] += cpus;
                    c[1] += Math.min(cpus, idle);
                }
            }
        }
        JsonNode jobs = parseJson(commands.run(List.of("squeue", "--json", "--states=PENDING")), "squeue --json").path("jobs");
        for (JsonNode job : jobs) {
            // squeue --json also lists recently finished jobs, whatever --states says: filter here.
            if ("PENDING".equals(job.path("job_state").asText())) {
                addPending(counts, job.path("partition").asText(""), job.path("cpus").asInt(0));
            }
        }
        return samples(counts);
    }

    private List<CapacitySample> fromFormatStrings() {
        // %R: partition name (no '*' for the default); %C: allocated/idle/other/total CPUs.
        SlurmCommands.Output sinfo = checked(commands.run(restricted("sinfo", "-h", "-o", "%R %C")), "sinfo");
        Map<String, int[]> counts = new TreeMap<>();
        for (String line : sinfo.stdout().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length != 2 || !wanted(f[0])) {
                continue;
            }
            String[] cpus = f[1].split("/");
            if (cpus.length != 4) {
                throw new SlurmException("unexpected 'sinfo -o \"%R %C\"' line \"" + line.strip() + "\"");
            }
            int[] c = counts.computeIfAbsent(f[0], k -> new int[3]);
            c[0] += parse(cpus[3], line);
            c[1] += parse(cpus[1], line);
        }
        SlurmCommands.Output squeue = checked(commands.run(restricted("squeue", "-h", "-t", "PENDING", "-o", "%P %C")), "squeue");
        for (String line : squeue.stdout().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 2) {
                addPending(counts, f[0], parse(f[1], line));
            }
        }
        return samples(counts);
    }

    /** The command, with {@code -p} naming the monitored partitions when they are not all. */
    private List<String> restricted(String... command) {
        List<String> argv = new ArrayList<>(List.of(command));
        if (!partitions.isEmpty()) {
            argv.addAll(1, List.of("-p", String.join(",", new java.util.TreeSet<>(partitions))));
        }
        return argv;
    }

    private void addPending(Map<String, int[]> counts, String jobPartitions, int cpus) {
        // A job submitted to several partitions ("reserved,excess") is demand on each of them.
        for (String p : jobPartitions.split(",")) {
            int[] c = counts.get(p.strip());
            if (c != null) {
                c[2] += cpus;
            }
        }
    }

    private List<CapacitySample> samples(Map<String, int[]> counts) {
        if (counts.isEmpty()) {
            throw new SlurmException(partitions.isEmpty() ? "Slurm reports no partition with nodes"
                    : "Slurm reports none of the partitions " + partitions + "; check the names with 'sinfo'");
        }
        long now = clock.millis() / 1000;
        List<CapacitySample> out = new ArrayList<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            // The history must be in time order per partition even if the wall clock steps back.
            long epoch = Math.max(now, lastEpoch.getOrDefault(e.getKey(), Long.MIN_VALUE));
            lastEpoch.put(e.getKey(), epoch);
            int[] c = e.getValue();
            out.add(new CapacitySample(epoch, e.getKey(), c[0], c[1], c[2]));
        }
        return out;
    }

    private boolean wanted(String partition) {
        return partitions.isEmpty() || partitions.contains(partition);
    }

    private static boolean usable(String state) {
        for (String part : state.toLowerCase(java.util.Locale.ROOT).split("[+\\s]")) {
            if (UNUSABLE.contains(part)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode parseJson(SlurmCommands.Output out, String what) {
        JsonNode root;
        try {
            root = JSON.readTree(out.stdout());
        } catch (IOException e) {
            throw new SlurmException("'" + what + "' printed no JSON (exit " + out.exitCode() + ": " + out.firstErrorLine() + ")");
        }
        // Against a dead controller 'sinfo --json' exits 0 with an "errors" entry and no nodes.
        JsonNode errors = root == null ? null : root.path("errors");
        if (root == null || out.exitCode() != 0 || (errors.isArray() && !errors.isEmpty())) {
            String detail = out.stderr().isBlank() && errors != null && errors.isArray() && !errors.isEmpty()
                    ? errors.get(0).path("error").asText("error") : out.firstErrorLine();
            throw new SlurmException("'" + what + "' failed (" + detail + "): slurmctld is probably not running or not"
                    + " reachable. Check it with 'scontrol ping' (on this machine: scripts/local-slurm.sh status).");
        }
        return root;
    }

    private static SlurmCommands.Output checked(SlurmCommands.Output out, String what) {
        if (out.exitCode() != 0) {
            throw new SlurmException("'" + what + "' failed (" + out.firstErrorLine() + "): slurmctld is probably not running"
                    + " or not reachable. Check it with 'scontrol ping' (on this machine: scripts/local-slurm.sh status).");
        }
        return out;
    }

    private static int parse(String number, String line) {
        try {
            return Integer.parseInt(number.strip());
        } catch (NumberFormatException e) {
            throw new SlurmException("unexpected number \"" + number + "\" in Slurm's output line \"" + line.strip() + "\"");
        }
    }

    private void checkExistingHistory() {
        if (!Files.exists(historyFile)) {
            return;
        }
        try (BufferedReader reader = Files.newBufferedReader(historyFile, StandardCharsets.UTF_8)) {
            String first = reader.readLine();
            if (first != null && !first.strip().equals(HEADER)) {
                throw new SlurmException(historyFile + " exists but is not a capacity history (its first line is not \"" + HEADER
                        + "\"); it is left as it is. Move it away or choose another run directory.");
            }
        } catch (IOException e) {
            throw new SlurmException("cannot read " + historyFile + ": " + e.getMessage(), e);
        }
    }

    private void append(List<CapacitySample> samples) throws IOException {
        Path parent = historyFile.toAbsolutePath().getParent();
        if (parent != null) {
            PrivateFiles.createDirectories(parent);
        }
        boolean fresh = !Files.exists(historyFile) || Files.size(historyFile) == 0;
        StringBuilder text = new StringBuilder();
        if (fresh) {
            text.append(HEADER).append('\n');
        }
        for (CapacitySample s : samples) {
            text.append(s.epochSeconds()).append(',').append(s.partition()).append(',').append(s.totalCores()).append(',')
                    .append(s.idleCores()).append(',').append(s.pendingCores()).append('\n');
        }
        // One write per sample batch, appended: a crash leaves whole earlier lines in place.
        try (Writer w = java.nio.channels.Channels.newWriter(PrivateFiles.open(historyFile, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND), StandardCharsets.UTF_8)) {
            w.write(text.toString());
        }
    }
}
