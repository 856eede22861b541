package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.RunSummary;
import io.shatter.ShardFailedException;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The counts and times the run summary reports, as the core updates them. */
final class RunCounters {
    long attemptsStarted;
    long attemptsEnded;
    long preemptions;
    long revocations;
    long lostAttempts;
    long lostWorkNanos;
    long retries;
    long staleResults;
    long checkpointsSaved;
    long checkpointBytes;
    long checkpointRestores;
    long preemptionLatencyMaxNanos;
    long shadowAttempts;
    long shadowWins;
    long capacitySamples;
    long placementsHeldByForecast;
    private long finishedAt;
    private boolean finished;
    /** Per capacity class (by ordinal): core-time busy, and core-time of ranks that left. */
    private final long[] busyCoreNanos = new long[CapacityClass.values().length];
    private final long[] availableCoreNanos = new long[CapacityClass.values().length];

    void attemptEnded(CapacityClass capacityClass, long busyCoreNanosOfAttempt) {
        attemptsEnded++;
        busyCoreNanos[capacityClass.ordinal()] += busyCoreNanosOfAttempt;
    }

    void coreTimeAvailable(CapacityClass capacityClass, long coreNanos) {
        availableCoreNanos[capacityClass.ordinal()] += coreNanos;
    }

    void finishedAt(long now) {
        finished = true;
        finishedAt = now;
    }

    RunSummary summary(BrokerCore core, long brokerCpuNanos, long now) {
        long end = finished ? finishedAt : now;
        long[] available = availableCoreNanos.clone();
        Set<CapacityClass> present = new HashSet<>();
        Map<Integer, Long> byRank = new TreeMap<>();
        for (RankSlot s : core.workerSlots) {
            present.add(s.capacityClass);
            byRank.put(s.rank, s.committed());
            if (s.status() == RankSlot.Status.ACTIVE || s.status() == RankSlot.Status.REVOKING) {
                available[s.capacityClass.ordinal()] += (end - s.activeSince) * s.cores();
            }
        }
        Map<CapacityClass, Double> busy = new EnumMap<>(CapacityClass.class);
        for (CapacityClass c : CapacityClass.values()) {
            if (present.contains(c)) {
                long avail = available[c.ordinal()];
                busy.put(c, avail <= 0 ? 0.0 : Math.min(1.0, (double) busyCoreNanos[c.ordinal()] / avail));
            }
        }
        String failedShard = core.failure instanceof ShardFailedException f ? f.shardId() : null;
        return new RunSummary(core.graph.name(), (end - core.startedAt) / 1e9, core.specs.size(), core.shardsCompleted(),
                attemptsStarted, preemptions, revocations, lostAttempts, lostWorkNanos / 1e9, retries, staleResults,
                checkpointsSaved, checkpointBytes, checkpointRestores, core.commits.resumedFromJournal(), busy, byRank,
                attemptsEnded == 0 ? 0 : (double) brokerCpuNanos / attemptsEnded, failedShard, shadowAttempts, shadowWins,
                preemptionLatencyMaxNanos / 1e9, capacitySamples, placementsHeldByForecast);
    }
}
