package io.shatter.observe;

import io.shatter.CapacityClass;
import io.shatter.Priority;
import io.shatter.broker.policy.ClusterView;
import io.shatter.broker.policy.RankView;
import io.shatter.protocol.Messages;
import io.shatter.time.Clock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * Records the timeline on the broker's loop thread (not thread-safe; everything comes from that
 * one thread) and builds the {@link RunTimeline} at the end.
 *
 * <p><b>Clocks.</b> A worker stamps each attempt's start on its own monotonic clock and its lane;
 * the broker's view (receipt minus run time) would make slices on one track overlap whenever
 * results wait in a batch. Worker time maps to broker time by an offset per worker session (from
 * one hello to the next): every message gives an upper bound, {@code receipt - sent}, since nothing
 * arrives before it is sent; the smallest bound seen (first from the hello, then refined by every
 * result) is the offset, as in NTP's minimum-delay filter. One offset per session keeps the order
 * and gaps of a lane exactly as the worker measured them, so its slices cannot overlap; clock drift
 * between nodes over one session (a few ppm) is not corrected.
 */
public final class TimelineRecorder implements Messages.StampListener, ScheduleObserver {
    /** Counter samples are taken at most this often (plenty for a chart; bounded for a long run). */
    private static final long SAMPLE_EVERY_NANOS = 5_000_000;

    private final Clock clock;
    private final boolean enabled;
    private long zero;
    private long lastSample = Long.MIN_VALUE / 2; // the first loop samples (no overflow in now - lastSample)
    /** Per rank (its index), the worker's current session; read for every result, so no boxed key or hash. */
    private Session[] sessions = new Session[16];
    private Pending pending;
    private final List<Raw> raw = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();
    private final List<CheckpointMark> checkpoints = new ArrayList<>();
    private final List<CounterSample> counters = new ArrayList<>();

    /** A worker session's clock offset bound: broker nanos minus worker nanos, at most. */
    private static final class Session {
        long offset = Long.MAX_VALUE;
        /** The earliest start of an attempt of this session, on the worker's clock. */
        long earliestStart = Long.MAX_VALUE;

        void observe(long bound) {
            offset = Math.min(offset, bound);
        }
    }

    private record Pending(int rank, int taskId, int attempt, Messages.Stamp stamp, Session session) {
    }

    private record Raw(int rank, CapacityClass capacityClass, String shard, Priority priority, int attempt, Outcome outcome,
                       long brokerEnd, long runNanos, Messages.Stamp stamp, Session session) {
    }

    /** A recorder that records only if {@code enabled}. */
    public TimelineRecorder(Clock clock, boolean enabled) {
        this.clock = clock;
        this.enabled = enabled;
        this.zero = clock.nanoTime();
    }

    /** The run starts now: times are measured from here. */
    public void start() {
        zero = clock.nanoTime();
    }

    private long now() {
        return clock.nanoTime() - zero;
    }

    @Override
    public void onHello(int rank, long workerNanos) {
        // Sessions are kept even when not recording (one per rank, no allocation per attempt): they give the first start.
        Session s = new Session();
        s.observe(clock.nanoTime() - workerNanos);
        grow(rank);
        sessions[rank] = s;
        if (enabled) {
            marks.add(new Mark(Mark.Kind.JOINED, rank, now(), ""));
        }
    }

    @Override
    public void onAttempt(int rank, int taskId, int attempt, Messages.Stamp stamp, long runNanos) {
        grow(rank);
        Session s = sessions[rank];
        if (s == null) {
            s = sessions[rank] = new Session();
        }
        if (stamp.lane() >= 0) {
            s.observe(clock.nanoTime() - (stamp.startNanos() + runNanos));
            s.earliestStart = Math.min(s.earliestStart, stamp.startNanos());
        }
        if (enabled) {
            pending = new Pending(rank, taskId, attempt, stamp, s);
        }
    }

    private void grow(int rank) {
        if (rank >= sessions.length) {
            sessions = Arrays.copyOf(sessions, Math.max(rank + 1, sessions.length * 2));
        }
    }

    /**
     * When the first attempt that a worker reported started, in nanoseconds from the run's start
     * on the broker's timebase (empty if none did). Known whether or not the timeline is recorded:
     * benchmarks measure from it without paying for a timeline.
     */
    public OptionalLong firstAttemptStartNanos() {
        long first = Long.MAX_VALUE;
        for (Session s : sessions) {
            if (s != null && s.earliestStart != Long.MAX_VALUE) {
                first = Math.min(first, Math.max(0, s.earliestStart + s.offset - zero));
            }
        }
        return first == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(first);
    }

    @Override
    public boolean recordsAttempts() {
        return enabled;
    }

    /**
     * The broker ended an attempt ({@code outcome}: completed, failed, preempted, returned, lost or
     * cancelled). If the end came with a worker message, that message's stamp places it.
     */
    @Override
    public void attemptEnded(int rank, CapacityClass capacityClass, int taskId, String shard, Priority priority, int attempt,
                             long runNanos, String outcome) {
        if (!enabled) {
            return;
        }
        Pending p = pending;
        boolean fromWorker = p != null && p.rank == rank && p.taskId == taskId && p.attempt == attempt;
        if (fromWorker) {
            pending = null;
        }
        if (fromWorker && p.stamp.lane() < 0 || "returned".equals(outcome)) {
            return; // never started on the worker: nothing ran, nothing to draw
        }
        Outcome o = switch (outcome) {
            case "completed" -> Outcome.COMPLETED;
            case "failed" -> Outcome.FAILED;
            case "preempted" -> Outcome.PREEMPTED;
            case "lost" -> Outcome.LOST;
            default -> Outcome.CANCELLED;
        };
        raw.add(new Raw(rank, capacityClass, shard, priority, attempt, o, now(), runNanos,
                fromWorker ? p.stamp : null, fromWorker ? p.session : null));
    }

    /** Something happened to {@code rank} now. */
    @Override
    public void mark(Mark.Kind kind, int rank, String detail) {
        if (enabled) {
            marks.add(new Mark(kind, rank, now(), detail));
        }
    }

    /** A checkpoint of {@code shard} at {@code step}, {@code bytes} long, is durable now. */
    @Override
    public void checkpointSaved(String shard, long step, long bytes) {
        if (enabled) {
            checkpoints.add(new CheckpointMark(now(), shard, step, bytes));
        }
    }

    /** Samples capacity, busy cores and ready shards (at most every few milliseconds; cheap otherwise). */
    public void sample(ClusterView cluster, int readyShards) {
        if (!enabled) {
            return;
        }
        long t = now();
        if (t - lastSample < SAMPLE_EVERY_NANOS) {
            return;
        }
        lastSample = t;
        int[] cores = new int[CapacityClass.values().length];
        int[] busy = new int[cores.length];
        for (RankView r : cluster.ranks()) {
            if (r.isActive()) {
                cores[r.capacityClass().ordinal()] += r.cores();
                busy[r.capacityClass().ordinal()] += Math.max(0, r.cores() - r.freeCores());
            }
        }
        counters.add(new CounterSample(t, readyShards, cores, busy));
    }

    /** The timeline: worker stamps mapped to the broker's timebase, one track per lane, overlaps resolved. */
    public RunTimeline finish() {
        if (!enabled) {
            return RunTimeline.EMPTY;
        }
        long end = now();
        List<Slice> slices = new ArrayList<>(raw.size());
        for (Raw r : raw) {
            if (r.stamp != null) {
                long start = r.stamp.startNanos() + r.session.offset - zero;
                slices.add(new Slice(r.rank, r.capacityClass, r.stamp.lane(), r.shard, r.priority, r.attempt,
                        start, start + r.runNanos, r.outcome, true));
            } else {
                long start = Math.max(0, r.brokerEnd - r.runNanos);
                slices.add(new Slice(r.rank, r.capacityClass, -1, r.shard, r.priority, r.attempt, start, r.brokerEnd, r.outcome, false));
            }
        }
        slices.sort(Comparator.comparingLong(Slice::startNanos).thenComparingLong(Slice::endNanos));
        int adjusted = Tracks.separate(slices);
        slices.sort(Comparator.comparingLong(Slice::startNanos).thenComparingLong(Slice::endNanos)); // a moved start may change the order
        return new RunTimeline(List.copyOf(slices), List.copyOf(marks), List.copyOf(checkpoints), List.copyOf(counters),
                end, adjusted);
    }
}
