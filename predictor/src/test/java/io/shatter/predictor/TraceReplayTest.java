package io.shatter.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shatter.spi.CapacitySample;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TraceReplayTest {
    private final CapacitySeries series = SwfCapacity.series(SwfReader.read(Excerpts.kth(), BadLinePolicy.STOP), 300);

    @Test
    void aliveRanksFollowTheTraceOnAScaledClock() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        // One wall second is one trace hour; start ten days in; 4 ranks of 5 cores.
        TraceReplay replay = new TraceReplay(series, Duration.ofDays(10), 3600, 4, 5, clock::get);
        for (int second = 0; second < 100; second++) {
            clock.set(1_000_000_000L + second * 1_000_000_000L);
            int step = (10 * 86400 + second * 3600) / 300;
            assertEquals(Math.min(4, series.idle()[step] / 5), replay.aliveExcessRanks());
            assertEquals(series.idle()[step], replay.sampleAt(replay.elapsed()).idleCores());
        }
    }

    @Test
    void pollReturnsEachPassedStepOnceAndChangesListTransitions() {
        AtomicLong clock = new AtomicLong();
        TraceReplay replay = new TraceReplay(series, Duration.ZERO, 300, 4, 5, clock::get); // one step per wall second
        assertEquals(1, replay.poll().size());
        clock.set(10_000_000_000L);
        List<CapacitySample> samples = replay.poll();
        assertEquals(10, samples.size());
        assertEquals(series.epochSecondsAt(10), samples.get(9).epochSeconds());
        assertTrue(replay.poll().isEmpty());

        List<long[]> changes = replay.aliveChanges(Duration.ofSeconds(500));
        assertEquals(0, changes.get(0)[0]);
        for (int i = 0; i < changes.size(); i++) {
            int step = (int) (changes.get(i)[0] / 1_000_000_000L);
            assertEquals(Math.min(4, series.idle()[step] / 5), changes.get(i)[1]);
            if (i > 0) {
                assertTrue(changes.get(i)[1] != changes.get(i - 1)[1]);
                assertTrue(Math.min(4, series.idle()[step - 1] / 5) == changes.get(i - 1)[1]);
            }
        }
    }

    @Test
    void defaultCoresPerRankKeepsAllRanksAliveAtMedianIdle() {
        int[] sorted = series.idle().clone();
        java.util.Arrays.sort(sorted);
        int perRank = TraceReplay.defaultCoresPerRank(series, 4);
        assertEquals(Math.max(1, sorted[sorted.length / 2] / 4), perRank);
    }
}
