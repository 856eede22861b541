package io.shatter;

import java.util.Map;

/**
 * What a run did, for the summary JSON and for people: counts, times and how busy each capacity
 * class was. Filled in even when the run failed, so completed work is always reported.
 *
 * @param graph               the graph's name
 * @param makespanSeconds     wall time from the broker's start to the last commit
 * @param shardsTotal         shards in the graph
 * @param shardsCompleted     shards committed
 * @param attemptsStarted     attempts handed to workers
 * @param preemptions         attempts that gave their slot back at a safepoint (preempted or revoked)
 * @param revocations         excess ranks revoked
 * @param lostAttempts        attempts whose rank vanished before they could save their state
 * @param lostWorkSeconds     shard-seconds recomputed: work done after the last checkpoint of preempted, lost or failed attempts
 * @param retries             failed attempts that were retried
 * @param staleResultsDropped results from attempts the broker no longer expected (fenced)
 * @param checkpointsSaved    checkpoints stored
 * @param checkpointBytes     bytes of checkpoint state stored
 * @param checkpointRestores  attempts that started from a saved state instead of from scratch
 * @param resumedFromJournal  shards, and chunks of range shards, restored from the run directory's journal instead of run
 * @param busyFraction        per capacity class: busy core-time divided by available core-time
 * @param shardsByRank        committed attempts per worker rank
 * @param brokerNanosPerShard broker thread CPU time divided by attempts handled
 * @param failedShard         the shard that failed the run, or null
 * @param shadowAttempts      second attempts started for CRITICAL shards on spare or excess capacity
 * @param shadowWins          shards whose shadow finished first (the primary was cancelled)
 * @param preemptionLatencyMaxSeconds longest time from a preemption request to the slot being free
 *                            with the shard's checkpoint durable
 * @param capacitySamples     capacity samples the broker's forecaster learnt from (Slurm monitor, trace replay, capacity feed)
 * @param placementsHeldByForecast placements that waited although an excess rank had room, because the forecast
 *                            gave that slot too low odds of outliving the shard
 * @param journalRecordsDropped records of the run directory's journal dropped when it was opened: a torn last record,
 *                            or a damaged one and every record after it (their shards ran again)
 */
public record RunSummary(
        String graph,
        double makespanSeconds,
        int shardsTotal,
        int shardsCompleted,
        long attemptsStarted,
        long preemptions,
        long revocations,
        long lostAttempts,
        double lostWorkSeconds,
        long retries,
        long staleResultsDropped,
        long checkpointsSaved,
        long checkpointBytes,
        long checkpointRestores,
        long resumedFromJournal,
        Map<CapacityClass, Double> busyFraction,
        Map<Integer, Long> shardsByRank,
        double brokerNanosPerShard,
        String failedShard,
        long shadowAttempts,
        long shadowWins,
        double preemptionLatencyMaxSeconds,
        long capacitySamples,
        long placementsHeldByForecast,
        long journalRecordsDropped) {

    /** A summary with no journal record dropped (what the broker core counts; the journal's loss is added after). */
    public RunSummary(String graph, double makespanSeconds, int shardsTotal, int shardsCompleted, long attemptsStarted,
                      long preemptions, long revocations, long lostAttempts, double lostWorkSeconds, long retries,
                      long staleResultsDropped, long checkpointsSaved, long checkpointBytes, long checkpointRestores,
                      long resumedFromJournal, Map<CapacityClass, Double> busyFraction, Map<Integer, Long> shardsByRank,
                      double brokerNanosPerShard, String failedShard, long shadowAttempts, long shadowWins,
                      double preemptionLatencyMaxSeconds, long capacitySamples, long placementsHeldByForecast) {
        this(graph, makespanSeconds, shardsTotal, shardsCompleted, attemptsStarted, preemptions, revocations, lostAttempts,
                lostWorkSeconds, retries, staleResultsDropped, checkpointsSaved, checkpointBytes, checkpointRestores,
                resumedFromJournal, busyFraction, shardsByRank, brokerNanosPerShard, failedShard, shadowAttempts, shadowWins,
                preemptionLatencyMaxSeconds, capacitySamples, placementsHeldByForecast, 0);
    }

    /** This summary with {@code dropped} journal records reported dropped. */
    public RunSummary withJournalRecordsDropped(long dropped) {
        return new RunSummary(graph, makespanSeconds, shardsTotal, shardsCompleted, attemptsStarted, preemptions, revocations,
                lostAttempts, lostWorkSeconds, retries, staleResultsDropped, checkpointsSaved, checkpointBytes, checkpointRestores,
                resumedFromJournal, busyFraction, shardsByRank, brokerNanosPerShard, failedShard, shadowAttempts, shadowWins,
                preemptionLatencyMaxSeconds, capacitySamples, placementsHeldByForecast, dropped);
    }
}
