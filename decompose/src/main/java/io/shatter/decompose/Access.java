package io.shatter.decompose;

/** How a kernel uses one of its parameters; decides the dependencies a call gets. */
public enum Access {
    /** A constant captured when the call is recorded (unannotated primitive or {@code String}). */
    VALUE,
    /** {@link Read}: depends on the last writer. */
    READ,
    /** {@link Write}: makes a new version from a blank value. */
    WRITE,
    /** {@link ReadWrite}: depends on the last writer and makes a new version. */
    READ_WRITE;

    /** Whether the kernel sees the data's current value. */
    public boolean reads() {
        return this == READ || this == READ_WRITE;
    }

    /** Whether the call makes a new version of the data. */
    public boolean writes() {
        return this == WRITE || this == READ_WRITE;
    }
}
