package io.shatter.predictor;

import java.time.ZoneId;

/** Read access to a capacity series up to some step, for feature extraction (offline or online). */
interface History {
    /** Idle cores at step k as a fraction of the partition's cores. */
    double idleFraction(int k);

    /** Pending cores at step k as a fraction of the partition's cores. */
    double pendingFraction(int k);

    /** Queue channel at step k (only for {@link FeatureSet#QUEUE}). */
    double queue(QueueChannel channel, int k);

    /** Unix time of step k. */
    long epochSecondsAt(int k);

    /** The site's time zone. */
    ZoneId zone();

    /** A history over a whole series. */
    static History of(CapacitySeries s) {
        double total = s.totalCores();
        return new History() {
            @Override
            public double idleFraction(int k) {
                return s.idle()[k] / total;
            }

            @Override
            public double pendingFraction(int k) {
                return s.pending()[k] / total;
            }

            @Override
            public double queue(QueueChannel channel, int k) {
                return s.queue()[channel.ordinal()][k];
            }

            @Override
            public long epochSecondsAt(int k) {
                return s.epochSecondsAt(k);
            }

            @Override
            public ZoneId zone() {
                return s.zone();
            }
        };
    }
}
