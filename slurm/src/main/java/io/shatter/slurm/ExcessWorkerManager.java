package io.shatter.slurm;

import io.shatter.spi.CapacitySample;
import io.shatter.spi.ExcessWorkerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Carries out the broker's decisions about excess workers on Slurm; decides nothing itself. At each
 * poll it samples capacity ({@link CapacityMonitor}, which also records the history) and hands the
 * excess partition's samples to the broker, whose forecaster learns from them and decides how many
 * workers to request; {@link #request} then submits that many worker jobs ({@code sbatch}, the script
 * from {@link SbatchScript#workerJob}), none while one is still pending, and remembers their job ids.
 * {@link #close()} cancels every one of them ({@code scancel}), so no job of the run is left behind,
 * whether the run finished, failed or was itself terminated.
 *
 * <p>Runs on its own daemon thread, not the broker's loop: Slurm commands take tens of milliseconds
 * to seconds. When Slurm cannot be used (no {@code sbatch}, slurmctld down) it logs one warning and
 * submits nothing more: the run goes on with the ranks it has.
 */
public final class ExcessWorkerManager implements ExcessWorkerPool {
    private static final Logger LOG = LoggerFactory.getLogger(ExcessWorkerManager.class);

    /**
     * @param partition    the excess partition
     * @param maxWorkers   at most this many worker jobs at once (the run's join slots)
     * @param coresEach    cores each worker job asks for
     * @param pollInterval how often to look at the capacity and the jobs
     */
    public record Settings(String partition, int maxWorkers, int coresEach, Duration pollInterval) {
        public Settings {
            if (maxWorkers < 1 || coresEach < 1) {
                throw new IllegalArgumentException("need at least one worker of at least one core, got " + maxWorkers + " x " + coresEach);
            }
        }
    }

    private final Settings settings;
    private final CapacityMonitor monitor;
    private Consumer<CapacitySample> samples = sample -> { };
    /** Whether a worker job was still waiting for cores at the last look (then asking for more would not help). */
    private boolean anyPending;
    private final SlurmCommands commands;
    private final Path workerScript;
    private final String user = System.getProperty("user.name");
    /** Job ids of every worker job submitted and not known to be over; guarded by this. */
    private final Set<String> jobs = new LinkedHashSet<>();
    private final List<String> submittedEver = new ArrayList<>();
    private ScheduledExecutorService timer;
    private volatile String disabledBecause;
    private boolean warnedNoSamples;
    private boolean closed;

    /** A manager that submits {@code workerScript} (already written) for each worker. */
    public ExcessWorkerManager(Settings settings, CapacityMonitor monitor, SlurmCommands commands, Path workerScript) {
        this.settings = settings;
        this.monitor = monitor;
        this.commands = commands;
        this.workerScript = workerScript;
    }

    @Override
    public int maxWorkers() {
        return settings.maxWorkers();
    }

    @Override
    public int coresEach() {
        return settings.coresEach();
    }

    /**
     * Polls every {@link Settings#pollInterval()}, the first time at once; the excess partition's samples go to
     * {@code samples}. After a slow or failed poll it waits longer ({@link #nextDelay}), so that a struggling
     * slurmctld is not asked more often than it answers.
     */
    @Override
    public synchronized void start(Consumer<CapacitySample> samples) {
        if (timer != null || closed) {
            return;
        }
        this.samples = samples;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "shatter-excess-workers");
            t.setDaemon(true);
            return t;
        });
        timer.schedule(() -> pollAndReschedule(settings.pollInterval()), 0, TimeUnit.MILLISECONDS);
    }

    /** A poll whose Slurm commands took longer than this means slurmctld is struggling (they take ~10-50 ms). */
    static final Duration SLOW_POLL = Duration.ofSeconds(1);
    /** The longest wait between polls while backing off, in poll intervals. */
    static final int MAX_BACKOFF = 8;

    private void pollAndReschedule(Duration previousDelay) {
        long started = System.nanoTime();
        pollSafely();
        boolean slow = Duration.ofNanos(System.nanoTime() - started).compareTo(SLOW_POLL) > 0 || monitor.problem() != null;
        Duration next = nextDelay(settings.pollInterval(), previousDelay, slow);
        if (slow) {
            LOG.debug("Excess workers: Slurm answered slowly or not at all; next poll in {} ms", next.toMillis());
        }
        synchronized (this) {
            if (!closed) {
                timer.schedule(() -> pollAndReschedule(next), next.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** After a slow poll twice the previous wait, at most {@value #MAX_BACKOFF} intervals; after a fast one the interval. */
    static Duration nextDelay(Duration interval, Duration previous, boolean slow) {
        if (!slow) {
            return interval;
        }
        Duration doubled = previous.multipliedBy(2);
        Duration max = interval.multipliedBy(MAX_BACKOFF);
        return doubled.compareTo(max) > 0 ? max : doubled.compareTo(interval) < 0 ? interval : doubled;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warn("Excess workers: a poll failed ({}); trying again at the next one", e.toString());
        }
    }

    /**
     * One round: sample (the excess partition's samples go to the broker) and forget worker jobs
     * that are over. Returns the samples of the excess partition.
     */
    public List<CapacitySample> poll() {
        if (disabledBecause != null || isClosed()) {
            return List.of();
        }
        List<CapacitySample> all = monitor.sampleNow();
        if (all.isEmpty()) {
            if (monitor.problem() != null && !warnedNoSamples) {
                warnedNoSamples = true;
                LOG.warn("Excess workers: Slurm cannot be asked for capacity ({}); none are submitted until it can,"
                        + " and the run goes on with its reserved ranks", monitor.problem());
            }
            return List.of(); // the next poll tries again
        }
        List<CapacitySample> excess = all.stream().filter(s -> s.partition().equals(settings.partition())).toList();
        if (excess.isEmpty()) {
            disable("Slurm has no partition '" + settings.partition() + "' (sinfo shows "
                    + all.stream().map(CapacitySample::partition).distinct().toList()
                    + "); give the excess partition with --excess-partition");
            return List.of();
        }
        try {
            Map<String, String> states = jobStates();
            synchronized (this) {
                jobs.retainAll(states.keySet()); // the others finished or were cancelled
                anyPending = jobs.stream().anyMatch(id -> !"RUNNING".equals(states.get(id)));
            }
        } catch (SlurmException e) {
            LOG.warn("Excess workers: cannot list the worker jobs ({}); trying again at the next poll", e.getMessage());
            synchronized (this) {
                anyPending = true; // unknown: do not pile up jobs
            }
        }
        excess.forEach(samples);
        return excess;
    }

    /** The broker asks for {@code workers} more: carried out on the manager's thread, never on the caller's. */
    @Override
    public synchronized void request(int workers) {
        if (timer != null && !closed) {
            timer.execute(() -> submit(workers));
        }
    }

    /**
     * Submits up to {@code workers} worker jobs, never more than the run's slots at once and none
     * while one is still pending (or requeued after a preemption). Returns how many were submitted.
     */
    public int submit(int workers) {
        if (disabledBecause != null || isClosed()) {
            return 0;
        }
        int wanted;
        synchronized (this) {
            if (anyPending) {
                return 0;
            }
            wanted = Math.max(0, Math.min(settings.maxWorkers() - jobs.size(), workers));
            anyPending = wanted > 0; // until the next poll says otherwise
        }
        int submitted = 0;
        for (int i = 0; i < wanted; i++) {
            String id;
            try {
                id = SbatchScript.submit(commands, workerScript);
            } catch (SlurmException e) {
                disable(e.getMessage());
                break;
            }
            synchronized (this) {
                if (closed) {
                    cancel(List.of(id)); // the run ended while sbatch ran
                    break;
                }
                jobs.add(id);
                submittedEver.add(id);
            }
            submitted++;
        }
        if (submitted > 0) {
            LOG.info("Excess workers: submitted {} worker job(s) to partition {} (now {}: {})", submitted, settings.partition(),
                    activeJobs().size(), activeJobs());
        }
        return submitted;
    }

    private void disable(String reason) {
        disabledBecause = reason;
        LOG.warn("Excess workers are off for this run, which goes on with its reserved ranks alone: {}", reason);
    }

    /** State of this user's jobs in the excess partition by id, from squeue (jobs that are over are absent). */
    private Map<String, String> jobStates() {
        // -u lets slurmctld send this user's jobs only; -p keeps the answer to the worker jobs' partition.
        SlurmCommands.Output out = commands.run(List.of("squeue", "-h", "-u", user, "-p", settings.partition(), "-o", "%i %T"));
        if (out.exitCode() != 0) {
            throw new SlurmException("squeue failed: " + out.firstErrorLine());
        }
        Map<String, String> states = new HashMap<>();
        for (String line : out.stdout().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 2) {
                states.put(f[0], f[1]);
            }
        }
        return states;
    }

    /** Worker jobs submitted and not known to be over. */
    public synchronized List<String> activeJobs() {
        return List.copyOf(jobs);
    }

    /** Every worker job this manager submitted. */
    public synchronized List<String> submittedJobs() {
        return List.copyOf(submittedEver);
    }

    /** Why no more workers are submitted, or null. */
    public String disabledBecause() {
        return disabledBecause;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Stops polling and cancels every worker job of the run. Safe to call more than once, from any thread. */
    @Override
    public void close() {
        ScheduledExecutorService t;
        List<String> toCancel;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = timer;
            toCancel = List.copyOf(submittedEver); // requeued ones too, whatever squeue last said
            jobs.clear();
        }
        if (t != null) {
            t.shutdown(); // not interrupted: a poll under way finds the manager closed and cancels what it submitted
        }
        cancel(toCancel);
    }

    private void cancel(List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("scancel"));
        command.addAll(ids);
        try {
            SlurmCommands.Output out = commands.run(command);
            if (out.exitCode() != 0 && !out.firstErrorLine().contains("already completed")
                    && !out.firstErrorLine().contains("Invalid job id")) {
                LOG.warn("scancel of the worker jobs {} said: {}; check with squeue that none is left", ids, out.firstErrorLine());
            } else {
                LOG.info("Cancelled the excess worker jobs {}", ids);
            }
        } catch (SlurmException e) {
            LOG.warn("Could not cancel the worker jobs {} ({}); cancel them by hand: scancel {}", ids, e.getMessage(),
                    String.join(" ", ids));
        }
    }
}
