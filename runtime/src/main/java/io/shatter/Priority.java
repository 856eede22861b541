package io.shatter;

/**
 * How urgent a shard is. Ready shards are started in priority order, then in the order they
 * became ready; a CRITICAL shard may preempt a lower-priority attempt on reserved capacity.
 */
public enum Priority {
    CRITICAL, HIGH, MEDIUM, LOW;

    /** Parses a priority name, case-insensitively, with a message listing the valid names. */
    public static Priority parse(String text) {
        for (Priority p : values()) {
            if (p.name().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown priority '" + text + "' (use critical, high, medium or low)");
    }
}
