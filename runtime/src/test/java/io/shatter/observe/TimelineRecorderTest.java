package io.shatter.observe;

import io.shatter.CapacityClass;
import io.shatter.Priority;
import io.shatter.protocol.Messages;
import io.shatter.time.ManualClock;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How worker stamps become slices on the broker's timebase, with a clock the test moves. */
class TimelineRecorderTest {
    private static final long MS = 1_000_000;

    @Test
    void workerTimeMapsByTheSmallestDelaySeenAndLanesKeepTheWorkersGaps() {
        ManualClock clock = new ManualClock();
        TimelineRecorder r = new TimelineRecorder(clock, true);
        clock.advance(100 * MS);
        r.start(); // the run's zero: broker time 100 ms
        // The worker's clock reads 1000 ms when the broker's reads 100 ms (offset -900 ms); messages take 5 ms, then 1 ms.
        clock.advance(5 * MS);
        r.onHello(1, 1000 * MS); // sent at worker 1000 ms, seen at broker 105 ms: offset at most -895 ms
        clock.advance(20 * MS); // broker 125 ms
        // Lane 0 ran 1010..1018 ms and lane 1 1012..1019 ms (worker clock); both results in one frame seen at broker 125 ms.
        r.onAttempt(1, 7, 1, new Messages.Stamp(0, 1010 * MS), 8 * MS);
        r.attemptEnded(1, CapacityClass.RESERVED, 7, "a", Priority.HIGH, 1, 8 * MS, "completed");
        r.onAttempt(1, 8, 1, new Messages.Stamp(1, 1012 * MS), 7 * MS);
        r.attemptEnded(1, CapacityClass.RESERVED, 8, "b", Priority.HIGH, 1, 7 * MS, "completed");
        clock.advance(1 * MS); // broker 126 ms: lane 0's next attempt 1018..1025 ms, sent at once, seen 1 ms later
        r.onAttempt(1, 9, 1, new Messages.Stamp(0, 1018 * MS), 7 * MS);
        r.attemptEnded(1, CapacityClass.RESERVED, 9, "c", Priority.HIGH, 1, 7 * MS, "completed");
        RunTimeline t = r.finish();
        // Offset: min(105 - 1000, 125 - 1018, 125 - 1019, 126 - 1025) = -899 ms; run zero at broker 100 ms.
        assertEquals(List.of("a", "b", "c"), t.slices().stream().map(Slice::shard).toList());
        Slice a = t.slices().get(0);
        Slice b = t.slices().get(1);
        Slice c = t.slices().get(2);
        assertEquals(11 * MS, a.startNanos());
        assertEquals(19 * MS, a.endNanos());
        assertEquals(13 * MS, b.startNanos());
        assertEquals(1, b.lane());
        assertEquals(a.endNanos(), c.startNanos(), "lane 0 keeps the worker's back-to-back attempts back to back");
        assertTrue(c.endNanos() <= 26 * MS, "no slice ends after the broker saw it end");
        assertEquals(0, t.adjustedSlices());
        assertTrue(t.slices().stream().allMatch(Slice::stamped));
    }

    /** The same stamps as above, with recording off: no timeline, but the first start, mapped the same way. */
    @Test
    void theFirstStartIsKnownWithoutRecordingATimeline() {
        for (boolean enabled : new boolean[] {true, false}) {
            ManualClock clock = new ManualClock();
            TimelineRecorder r = new TimelineRecorder(clock, enabled);
            clock.advance(100 * MS);
            r.start();
            assertTrue(r.firstAttemptStartNanos().isEmpty(), "nothing started yet");
            clock.advance(5 * MS);
            r.onHello(1, 1000 * MS);
            clock.advance(20 * MS);
            r.onAttempt(1, 8, 1, new Messages.Stamp(1, 1012 * MS), 7 * MS);
            r.onAttempt(1, 7, 1, new Messages.Stamp(0, 1010 * MS), 8 * MS);
            r.onAttempt(1, 6, 1, Messages.Stamp.NONE, 0); // given back unstarted: no start
            clock.advance(1 * MS);
            r.onAttempt(1, 9, 1, new Messages.Stamp(0, 1018 * MS), 7 * MS);
            // Offset -899 ms as above: the earliest start, worker 1010 ms, is broker 111 ms, 11 ms into the run.
            assertEquals(11 * MS, r.firstAttemptStartNanos().getAsLong(), "recording " + enabled);
            if (!enabled) {
                assertEquals(RunTimeline.EMPTY, r.finish(), "no timeline without recording");
            }
        }
    }

    @Test
    void unreportedAttemptsGetTracksOfTheirOwnAndUnstartedOnesNone() {
        ManualClock clock = new ManualClock();
        TimelineRecorder r = new TimelineRecorder(clock, true);
        r.start();
        clock.advance(50 * MS);
        // Two attempts lost at the same moment, having run 30 and 20 ms: they overlap, so two tracks.
        r.attemptEnded(2, CapacityClass.EXCESS, 1, "x", Priority.LOW, 1, 30 * MS, "lost");
        r.attemptEnded(2, CapacityClass.EXCESS, 2, "y", Priority.LOW, 1, 20 * MS, "lost");
        // Given back from the queue before it started: nothing ran.
        r.onAttempt(2, 3, 1, Messages.Stamp.NONE, 0);
        r.attemptEnded(2, CapacityClass.EXCESS, 3, "z", Priority.LOW, 1, 0, "returned");
        clock.advance(10 * MS);
        r.attemptEnded(2, CapacityClass.EXCESS, 4, "w", Priority.LOW, 2, 5 * MS, "cancelled");
        r.mark(Mark.Kind.REVOKED, 2, "");
        RunTimeline t = r.finish();
        assertEquals(List.of("x", "y", "w"), t.slices().stream().map(Slice::shard).toList());
        assertEquals(-1, t.slices().get(0).lane());
        assertEquals(-2, t.slices().get(1).lane());
        assertEquals(-1, t.slices().get(2).lane(), "the first unreported track is free again");
        assertEquals(Outcome.CANCELLED, t.slices().get(2).outcome());
        assertEquals(List.of(new Mark(Mark.Kind.REVOKED, 2, 60 * MS, "")), t.marks());
    }

    @Test
    void recordsNothingWhenOff() {
        TimelineRecorder r = new TimelineRecorder(new ManualClock(), false);
        r.start();
        r.attemptEnded(1, CapacityClass.RESERVED, 1, "a", Priority.HIGH, 1, 5, "completed");
        assertEquals(RunTimeline.EMPTY, r.finish());
    }
}
