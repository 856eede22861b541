package io.shatter.observe;

import java.util.List;

/**
 * A run's timeline. On every track (a rank's lane, or one of its "unreported" tracks) slices do not
 * overlap: {@link TimelineRecorder} maps worker clocks so that they cannot, and moves the start of
 * a slice that would to the end of the one before it, counting it in {@code adjustedSlices}.
 *
 * @param slices         attempts, by start
 * @param marks          instants, by time
 * @param checkpoints    durable checkpoints, by time
 * @param counters       capacity samples, by time
 * @param makespanNanos  from the run's start to the last event recorded
 * @param adjustedSlices slices whose start had to be moved (0 when the clocks were mapped well)
 */
public record RunTimeline(List<Slice> slices, List<Mark> marks, List<CheckpointMark> checkpoints, List<CounterSample> counters,
                          long makespanNanos, int adjustedSlices) {

    /** A timeline with nothing in it (recording was off). */
    public static final RunTimeline EMPTY = new RunTimeline(List.of(), List.of(), List.of(), List.of(), 0, 0);
}
