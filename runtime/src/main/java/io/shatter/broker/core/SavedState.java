package io.shatter.broker.core;

/** A resumable shard's state at the safepoint after {@code step} steps. */
public record SavedState(long step, byte[] state) {
}
