package io.shatter.time;

/** A clock that moves only when told to: deterministic tests and trace replays. */
public final class ManualClock implements Clock {
    private long now;

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves time forward by {@code nanos}. */
    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time does not go back: " + nanos);
        }
        now += nanos;
    }
}
