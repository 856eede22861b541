package io.shatter;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CRITICAL shard arriving while every reserved slot runs LOW resumable shards preempts one of
 * them at its next safepoint, and the preempted shard resumes from its saved state elsewhere.
 */
class PreemptionTest {
    private static final int STEPS = 400;

    @Test
    void criticalShardPreemptsLowShardWhichResumesFromItsState() throws Exception {
        Map<String, Long> firstStepOfAttempt = new ConcurrentHashMap<>();
        AtomicLong criticalReadyAtStep = new AtomicLong(-1);
        Map<String, AtomicLong> firstAttemptStepsAfterCriticalReady = new ConcurrentHashMap<>();
        Map<String, Shard<Long>> lows = new ConcurrentHashMap<>();
        CountDownLatch lowsRunning = new CountDownLatch(2);
        Codec<long[]> state = Codecs.LONGS; // {steps done, running checksum}

        ShardGraph.Builder g = ShardGraph.builder("preemption");
        for (String id : List.of("low-a", "low-b")) {
            lows.put(id, g.shard(id).priority(Priority.LOW).resumable(state, Codecs.LONG, new Resumable<long[], Long>() {
                @Override
                public long[] start(ShardContext ctx) {
                    lowsRunning.countDown();
                    return new long[] {0, 17};
                }

                @Override
                public long[] step(long[] s, ShardContext ctx) throws InterruptedException {
                    firstStepOfAttempt.putIfAbsent(id + "#" + ctx.attempt(), s[0]);
                    if (criticalReadyAtStep.get() >= 0 && ctx.attempt() == 1) {
                        firstAttemptStepsAfterCriticalReady.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
                    }
                    busy(200_000); // 0.2 ms of work per step: the safepoint interval
                    return new long[] {s[0] + 1, s[1] * 31 + s[0]};
                }

                @Override
                public boolean isDone(long[] s) {
                    return s[0] >= STEPS;
                }

                @Override
                public Long finish(long[] s, ShardContext ctx) {
                    return s[1];
                }
            }));
        }
        // The gate runs only on the excess rank (its capability), once both LOW shards hold the reserved ranks.
        Shard<Integer> gate = g.shard("gate").requires("gate").compute(Codecs.INT, ctx -> {
            if (!lowsRunning.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the LOW shards never started");
            }
            criticalReadyAtStep.set(0);
            return 1;
        });
        Shard<Integer> critical = g.shard("critical").priority(Priority.CRITICAL).inputs(gate)
                .compute(Codecs.INT, ctx -> ctx.capacityClass() == CapacityClass.RESERVED ? 1 : 0);
        ShardGraph graph = g.build();

        // Shadows off: a shadow of the CRITICAL shard on the excess rank could finish first.
        RankLayout layout = RankLayout.of(2, 1, 0, 1).withCapabilities(3, java.util.Set.of("gate"));
        RunResult result = Shatter.run(graph, RunConfig.builder().layout(layout).recordTrace(true)
                .shadows(false).build());

        long expected = sequentialChecksum();
        assertEquals(expected, result.get(lows.get("low-a")));
        assertEquals(expected, result.get(lows.get("low-b")));
        assertEquals(1, result.get(critical), "the CRITICAL shard must run on reserved capacity");
        assertEquals(1, result.summary().preemptions(), "exactly one LOW shard is preempted");
        assertTrue(result.summary().checkpointRestores() >= 1, "the preempted shard resumes from its saved state");
        // The preempted shard's second attempt starts where the first stopped, not at step 0.
        String preempted = firstStepOfAttempt.keySet().stream().filter(k -> k.endsWith("#2")).findFirst()
                .map(k -> k.substring(0, k.indexOf('#'))).orElseThrow(() -> new AssertionError("no second attempt: " + firstStepOfAttempt));
        long resumedAt = firstStepOfAttempt.get(preempted + "#2");
        assertTrue(resumedAt > 0, "second attempt started at step " + resumedAt + ", not where the first stopped");
        // Within one safepoint interval: after the gate finished, the preempted attempt ran only the steps
        // under way while the broker heard of it and sent the preemption (one step = one safepoint interval,
        // 0.2 ms; the round trip is far shorter than the 100 steps allowed here, and far from all 400).
        long extraSteps = firstAttemptStepsAfterCriticalReady.getOrDefault(preempted, new AtomicLong()).get();
        assertTrue(extraSteps < 100, "the preempted shard ran " + extraSteps + " more steps after the CRITICAL shard was ready");
    }

    private static long sequentialChecksum() {
        long[] s = {0, 17};
        while (s[0] < STEPS) {
            s = new long[] {s[0] + 1, s[1] * 31 + s[0]};
        }
        return s[1];
    }

    static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
