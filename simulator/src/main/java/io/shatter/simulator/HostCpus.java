package io.shatter.simulator;

/**
 * The host's CPUs, shared by every lane running on it, as local ranks share one machine: with more
 * lanes running than CPUs, each progresses at {@code cpus / running} of its own speed (processor
 * sharing). Progress is counted on a virtual clock that runs at that rate: an attempt reaches a
 * step when the virtual clock has advanced by the step's work since it started. Without a host
 * (every rank on cores of its own, the default), the virtual clock is the simulated clock.
 */
final class HostCpus {
    private final double cpus;
    private int running;
    private long wallAtMark;
    private long virtualAtMark;

    /**
     * {@code cpus} of 0: no host shared, every lane at full speed. A fraction is the CPUs left to the
     * lanes when the runtime's own threads (broker, JIT compiler, collector) take the rest.
     */
    HostCpus(double cpus) {
        this.cpus = cpus;
    }

    boolean shared() {
        return cpus > 0;
    }

    /** The virtual clock at simulated time {@code wall} (not before the last change). */
    long virtualAt(long wall) {
        return cpus == 0 ? wall : virtualAtMark + (long) ((wall - wallAtMark) * rate());
    }

    /** The simulated time at which the virtual clock reaches {@code virtual}, if nothing changes meanwhile. */
    long wallAt(long virtual) {
        if (cpus == 0) {
            return virtual;
        }
        return wallAtMark + (long) Math.ceil(Math.max(0, virtual - virtualAtMark) / rate());
    }

    /** {@code lanes} more (or fewer) lanes run from {@code now}: the rate changes, the clock so far stays. */
    void running(long now, int lanes) {
        if (cpus == 0 || lanes == 0) {
            return;
        }
        virtualAtMark = virtualAt(now);
        wallAtMark = now;
        running += lanes;
    }

    private double rate() {
        return running <= cpus ? 1.0 : cpus / running;
    }
}
