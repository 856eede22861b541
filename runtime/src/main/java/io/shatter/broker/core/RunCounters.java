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
    private final Map<CapacityClass, Long> busyCoreNanos = new EnumMap<>(CapacityClass.class);
    private final Map<CapacityClass, Long> availableCoreNanos = new EnumMap<>(CapacityClass.class);

    RunCounters() {
        for (CapacityClass c : CapacityClass.values()) {
            busyCoreNanos.put(c, 0L);
            availableCoreNanos.put(c, 0L);
        }
    }

    void attemptEnded(CapacityClass capacityClass, long busyCoreNanosOfAttempt) {
        attemptsEnded++;
        busyCoreNanos.merge(capacityClass, busyCoreNanosOfAttempt, Long::sum);
    }

    void coreTimeAvailable(CapacityClass capacityClass, long coreNanos) {
        availableCoreNanos.merge(capacityClass, coreNanos, Long::sum);
    }

    void finishedAt(long now) {
        finished = true;
        finishedAt = now;
    }

    RunSummary summary(BrokerCore core, long brokerCpuNanos, long now) {
        long end = finished ? finishedAt : now;
        Map<CapacityClass, Long> available = new EnumMap<>(availableCoreNanos);
        Set<CapacityClass> present = new HashSet<>();
        Map<Integer, Long> byRank = new TreeMap<>();
        for (RankSlot s : core.workerSlots) {
            present.add(s.capacityClass);
            byRank.put(s.rank, s.committed);
            if (s.status() == RankSlot.Status.ACTIVE || s.status() == RankSlot.Status.REVOKING) {
                available.merge(s.capacityClass, (end - s.activeSince) * s.cores(), Long::sum);
            }
        }
        Map<CapacityClass, Double> busy = new EnumMap<>(CapacityClass.class);
        for (CapacityClass c : CapacityClass.values()) {
            if (present.contains(c)) {
                long avail = available.get(c);
                busy.put(c, avail <= 0 ? 0.0 : Math.min(1.0, (double) busyCoreNanos.get(c) / avail));
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
