package io.shatter.predictor;

import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;
import io.shatter.predictor.survival.Calibration;
import io.shatter.predictor.survival.StackedRecalibration;
import io.shatter.spi.EmpiricalSurvivalForecaster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CapacityForecaster} backed by a trained {@link CapacityModel} (of the
 * {@link FeatureSet#CAPACITY} kind: it sees only what capacity samples carry).
 *
 * <p>Found by {@link java.util.ServiceLoader}: the no-argument constructor loads the model named by
 * the system property {@value #MODEL_PROPERTY} (or the environment variable {@value #MODEL_ENV});
 * with neither set it forecasts like {@link EmpiricalSurvivalForecaster} (the runtime's default)
 * and says so once in the log.
 * Samples are bucketed onto the model's step (the latest sample in a step wins, missing steps
 * carry the previous one over); until a day of history has been seen the forecaster answers like
 * the empirical baseline. Each observation runs the network once (plain Java) and asks its own survival
 * questions; the queries only interpolate between horizons and apply a five-input logistic map, so
 * they are far under a millisecond. Once a day of samples an observation also hands the
 * {@link StackedRecalibration}'s refit (10 to 40 ms of CPU per run length with 30 days of answers)
 * to a background thread, after copying the answers it fits on, and the next observation installs
 * it: the broker's event loop pays the copy, not the fit.
 */
public final class ModelForecaster implements CapacityForecaster {
    /** System property naming the model file for the ServiceLoader constructor. */
    public static final String MODEL_PROPERTY = "shatter.predictor.model";
    /** Environment variable naming the model file when the property is not set. */
    public static final String MODEL_ENV = "SHATTER_PREDICTOR_MODEL";
    /** System property naming the site's time zone (default: this machine's). */
    public static final String ZONE_PROPERTY = "shatter.predictor.zone";

    private static final Logger LOG = LoggerFactory.getLogger(ModelForecaster.class);
    /** Weight of the newest error in the recent-error averages: about six hours of 5-minute steps. */
    static final double RECENT_ERROR_WEIGHT = 1.0 / 72;

    private final CapacityModel model;
    private final EmpiricalSurvivalForecaster fallback;
    private final ZoneId zone;
    private final int step;
    private final int capacity;
    private final double[] idleFraction;
    private final double[] pendingFraction;
    private final int[] horizonMinutes;
    private final float[] scratch;
    private final float[] changes;
    private final double[] forecastFraction;
    /** Model steps to each horizon, for scoring past forecasts. */
    private final int[] horizonSteps;
    /** The forecasts made at each recent step ([horizon][ring slot]) and the step each slot holds. */
    private final double[][] pastForecast;
    private final long[] pastForecastBucket;
    /** Per horizon: mean absolute error of this forecaster's own recent forecasts, as a fraction. */
    private final double[] recentError;
    private long lastBucket = Long.MIN_VALUE;
    private long lastEpochSeconds;
    private long filled;
    private int totalCores;
    private double currentFraction;
    private boolean warm;
    /** Whether the model forecasts the least idle cores up to each horizon (else the idle cores at it). */
    private final boolean pathMinimum;
    /** The calibration of the survival odds, refitted daily from the answers to its own questions whose runs are over. */
    private final StackedRecalibration recalibration;
    /** Least idle cores seen in the current step (the run's outcomes are decided by dips, not by the latest sample). */
    private int leastIdleInStep;
    /** Idle cores of the latest sample. */
    private int idleCores;

    /** The ServiceLoader constructor: model from {@value #MODEL_PROPERTY} or {@value #MODEL_ENV}, if any. */
    public ModelForecaster() {
        this(configuredModel(), configuredZone());
    }

    /** A forecaster over the model in {@code modelFile}, for a site in {@code zone}. */
    public ModelForecaster(Path modelFile, ZoneId zone) {
        this(CapacityModel.load(modelFile), zone);
    }

    /** A forecaster over {@code model} (null: the empirical baseline), for a site in {@code zone}. */
    public ModelForecaster(CapacityModel model, ZoneId zone) {
        if (model != null && model.metadata().featureSet() != FeatureSet.CAPACITY) {
            throw new PredictorException("Model trained on " + model.metadata().trainedOn() + " uses queue details that "
                    + "capacity samples do not carry, so the broker cannot use it. Train one with --features capacity.");
        }
        this.model = model;
        this.zone = zone;
        this.pathMinimum = model != null && model.metadata().target() == ForecastTarget.PATH_MINIMUM;
        this.step = model == null ? EmpiricalSurvivalForecaster.DEFAULT_STEP_SECONDS : model.metadata().stepSeconds();
        this.recalibration = new StackedRecalibration(step, model == null ? new Calibration.Identity() : model.metadata().calibration());
        this.fallback = new EmpiricalSurvivalForecaster(step, EmpiricalSurvivalForecaster.DEFAULT_HISTORY_STEPS);
        this.capacity = model == null ? 1 : model.features().historySteps() + 1;
        this.idleFraction = new double[capacity];
        this.pendingFraction = new double[capacity];
        this.horizonMinutes = model == null ? new int[0] : model.horizonMinutes();
        this.scratch = new float[model == null ? 0 : model.inputCount()];
        this.changes = new float[horizonMinutes.length];
        this.forecastFraction = new double[horizonMinutes.length];
        this.horizonSteps = new int[horizonMinutes.length];
        int longest = 0;
        for (int j = 0; j < horizonMinutes.length; j++) {
            horizonSteps[j] = Math.max(1, horizonMinutes[j] * 60 / step);
            longest = Math.max(longest, horizonSteps[j]);
        }
        this.pastForecast = new double[horizonMinutes.length][longest + 1];
        this.pastForecastBucket = new long[longest + 1];
        Arrays.fill(pastForecastBucket, Long.MIN_VALUE);
        this.recentError = new double[horizonMinutes.length];
        for (int j = 0; j < horizonMinutes.length; j++) {
            recentError[j] = model.metadata().validationMae()[j]; // the prior until its own errors are seen
        }
    }

    private static CapacityModel configuredModel() {
        String path = System.getProperty(MODEL_PROPERTY);
        if (path == null || path.isBlank()) {
            path = System.getenv(MODEL_ENV);
        }
        if (path == null || path.isBlank()) {
            LOG.info("No capacity model configured (-D{}=FILE or {}): forecasting by the empirical survival baseline.", MODEL_PROPERTY, MODEL_ENV);
            return null;
        }
        return CapacityModel.load(Path.of(path));
    }

    private static ZoneId configuredZone() {
        String zone = System.getProperty(ZONE_PROPERTY);
        return zone == null || zone.isBlank() ? ZoneId.systemDefault() : ZoneId.of(zone);
    }

    /** Whether a model is loaded (otherwise this is the empirical baseline). */
    public boolean hasModel() {
        return model != null;
    }

    /** Whether enough history has been seen for the model to forecast. */
    public boolean isWarm() {
        return warm;
    }

    @Override
    public void observe(CapacitySample sample) {
        if (model == null || sample.totalCores() <= 0) {
            fallback.observe(sample);
            return;
        }
        long bucket = Math.floorDiv(sample.epochSeconds(), step);
        if (bucket < lastBucket) {
            return; // out of order: the broker's samples are ordered, a late one adds nothing
        }
        if (warm && bucket > lastBucket) {
            askOwnQuestions(); // as the step ends: the forecasts made with its last sample, before E sees the next
        }
        fallback.observe(sample);
        double idle = Math.min(1.0, (double) sample.idleCores() / sample.totalCores());
        double pending = (double) sample.pendingCores() / sample.totalCores();
        if (lastBucket != Long.MIN_VALUE && bucket > lastBucket) {
            scoreForecastsOf(lastBucket, idleFraction[slot(lastBucket)]);
            recalibration.stepCompleted(lastBucket, idleCores, leastIdleInStep);
            leastIdleInStep = sample.idleCores();
            long gap = Math.min(bucket - lastBucket - 1, capacity);
            double carriedIdle = idleFraction[slot(lastBucket)];
            double carriedPending = pendingFraction[slot(lastBucket)];
            for (long k = bucket - gap; k < bucket; k++) {
                idleFraction[slot(k)] = carriedIdle;
                pendingFraction[slot(k)] = carriedPending;
            }
            filled += bucket - lastBucket;
        } else if (lastBucket == Long.MIN_VALUE) {
            filled = 1;
            leastIdleInStep = sample.idleCores();
        } else {
            leastIdleInStep = Math.min(leastIdleInStep, sample.idleCores());
        }
        lastBucket = bucket;
        lastEpochSeconds = sample.epochSeconds();
        idleFraction[slot(bucket)] = idle;
        pendingFraction[slot(bucket)] = pending;
        totalCores = sample.totalCores();
        idleCores = sample.idleCores();
        currentFraction = idle;
        warm = filled >= capacity;
        if (warm) {
            model.forecastChanges(history, (int) (bucket - base()), scratch, changes);
            int ring = (int) Math.floorMod(bucket, pastForecastBucket.length);
            for (int j = 0; j < changes.length; j++) {
                forecastFraction[j] = Math.max(0, Math.min(1, idle + changes[j]));
                pastForecast[j][ring] = forecastFraction[j];
            }
            pastForecastBucket[ring] = bucket;
        }
    }

    /**
     * The questions a broker with {@link StackedRecalibration#SLOTS} excess slots would ask at the
     * step now ending, recorded with the model's and E's answers so that the calibration learns
     * whatever the broker happens to ask (and from a replayed history, before any run).
     */
    private void askOwnQuestions() {
        int slotCores = recalibration.slotCores();
        for (int c = 0; c < StackedRecalibration.RUN_MINUTES.length; c++) {
            Duration run = Duration.ofSeconds((long) recalibration.runSteps(c) * step);
            for (int slot = 1; slot <= StackedRecalibration.SLOTS; slot++) {
                int cores = slot * slotCores;
                if (cores > idleCores) {
                    break; // only live slots are asked about
                }
                recalibration.record(lastBucket, c, cores, probabilityIdleAtLeast(run, cores),
                        fallback.survivalProbability(run, cores), idleCores, totalCores);
            }
        }
    }

    /**
     * Scores the forecasts that were made for step {@code bucket} (now complete, idle fraction
     * {@code actual}) into the recent errors. Steps filled over a gap in the samples are not scored.
     */
    private void scoreForecastsOf(long bucket, double actual) {
        for (int j = 0; j < horizonSteps.length; j++) {
            long madeAt = bucket - horizonSteps[j];
            int ring = (int) Math.floorMod(madeAt, pastForecastBucket.length);
            if (pastForecastBucket[ring] == madeAt) {
                if (pathMinimum) {
                    actual = leastIdleAfter(madeAt, bucket);
                }
                recentError[j] += RECENT_ERROR_WEIGHT * (Math.abs(pastForecast[j][ring] - actual) - recentError[j]);
            }
        }
    }

    /** The least idle fraction over steps {@code (from, to]} (all within the last day, which the ring holds). */
    private double leastIdleAfter(long from, long to) {
        double least = Double.POSITIVE_INFINITY;
        for (long k = from + 1; k <= to; k++) {
            least = Math.min(least, idleFraction[slot(k)]);
        }
        return least;
    }

    private int slot(long k) {
        return (int) Math.floorMod(k, capacity);
    }

    /** History view over the ring buffer; step numbers are buckets shifted by {@link #base()}. */
    private final History history = new History() {
        @Override
        public double idleFraction(int k) {
            return ModelForecaster.this.idleFraction[slot(k + base())];
        }

        @Override
        public double pendingFraction(int k) {
            return ModelForecaster.this.pendingFraction[slot(k + base())];
        }

        @Override
        public double queue(QueueChannel channel, int k) {
            throw new IllegalStateException("capacity models have no queue inputs");
        }

        @Override
        public long epochSecondsAt(int k) {
            // Steps are the latest sample's time minus whole steps, as in the series the model was trained on.
            return lastEpochSeconds - (lastBucket - (k + base())) * step;
        }

        @Override
        public ZoneId zone() {
            return zone;
        }
    };

    /** Offset that keeps the int step numbers the features use small whatever the epoch. */
    private long base() {
        return lastBucket - Integer.MAX_VALUE / 2 < 0 ? 0 : lastBucket - Integer.MAX_VALUE / 2;
    }

    @Override
    public double expectedIdleCores(Duration horizon) {
        if (!warm) {
            return fallback.expectedIdleCores(horizon);
        }
        return Math.max(0, Math.min(totalCores, fractionAt(horizon) * totalCores));
    }

    /** Forecast idle fraction at {@code horizon}, linear between the model's horizons (0: now). */
    private double fractionAt(Duration horizon) {
        double minutes = Math.max(0, horizon.toMillis() / 60000.0);
        double previousMinutes = 0;
        double previousValue = currentFraction;
        for (int j = 0; j < horizonMinutes.length; j++) {
            if (minutes <= horizonMinutes[j]) {
                double w = (minutes - previousMinutes) / (horizonMinutes[j] - previousMinutes);
                return previousValue + w * (forecastFraction[j] - previousValue);
            }
            previousMinutes = horizonMinutes[j];
            previousValue = forecastFraction[j];
        }
        return previousValue; // beyond the furthest horizon: its forecast
    }

    /**
     * The model's typical error at {@code horizon} lately, as a fraction, interpolated: the mean
     * absolute error of its own forecasts over about the last six hours (exponentially weighted,
     * starting from the validation MAE). Errors come in spells (quiet nights, busy mornings), so
     * the recent error says better than the all-time one how far to trust today's forecast.
     */
    private double errorAt(Duration horizon) {
        double minutes = Math.max(0, horizon.toMillis() / 60000.0);
        double[] mae = recentError;
        double previousMinutes = 0;
        double previousValue = 0;
        for (int j = 0; j < horizonMinutes.length; j++) {
            if (minutes <= horizonMinutes[j]) {
                double w = (minutes - previousMinutes) / (horizonMinutes[j] - previousMinutes);
                return previousValue + w * (mae[j] - previousValue);
            }
            previousMinutes = horizonMinutes[j];
            previousValue = mae[j];
        }
        return previousValue;
    }

    /**
     * The placement policy's per-slot question: {@link #probabilityIdleAtLeast} stacked with E's
     * answer and the slot's margin through a logistic regression refitted daily on the recent
     * answers to the forecaster's own questions ({@link StackedRecalibration}); until that has
     * enough resolved answers, through the calibration chosen on the validation period.
     */
    @Override
    public double survivalProbability(Duration runLength, double excessCores) {
        double raw = probabilityIdleAtLeast(runLength, excessCores);
        if (!warm) {
            return raw;
        }
        double runSteps = Math.max(1, runLength.toMillis() / (step * 1000.0));
        recalibration.brokerAsked(excessCores);
        return recalibration.apply(recalibration.classOf(runSteps), raw, fallback.survivalProbability(runLength, excessCores),
                excessCores, idleCores, totalCores);
    }

    /** The calibration of the survival odds, as learnt so far in this run. */
    public StackedRecalibration recalibration() {
        return recalibration;
    }

    /**
     * Probability that the partition keeps at least {@code cores} idle cores throughout the next
     * {@code runLength}, taking the forecast error as Laplace-distributed (the L1 loss's own noise
     * model) with the model's recent mean absolute error (an exponentially weighted average over
     * about six hours of its own forecasts, starting from the validation MAE). A
     * {@link ForecastTarget#PATH_MINIMUM} model forecasts the least idle cores over the run itself
     * (interpolated between its horizons), and the answer is the chance that this least value is at
     * least {@code cores}. An {@link ForecastTarget#END} model only forecasts points, so the answer
     * is the least of those chances at each of its horizons within the run and at its end, which
     * overstates survival: a dip between two horizons is missed. A slot that stands for {@code c} of the partition's idle cores
     * asks with {@code cores = c}, or more when other slots would be revoked before it.
     * Without a model, or before a day of samples, it answers like {@link EmpiricalSurvivalForecaster}.
     */
    public double probabilityIdleAtLeast(Duration runLength, double cores) {
        if (!warm) {
            return fallback.survivalProbability(runLength, cores);
        }
        double least = probabilityAt(runLength, cores);
        if (pathMinimum) {
            return least; // the forecast is already of the least idle cores over the run
        }
        long runMinutes = runLength.toMinutes();
        for (int minutes : horizonMinutes) {
            if (minutes < runMinutes) {
                least = Math.min(least, probabilityAt(Duration.ofMinutes(minutes), cores));
            }
        }
        return least;
    }

    private double probabilityAt(Duration horizon, double cores) {
        double forecast = fractionAt(horizon) * totalCores;
        double scale = Math.max(0.5, errorAt(horizon) * totalCores);
        double margin = forecast - cores;
        return margin >= 0 ? 1 - 0.5 * Math.exp(-margin / scale) : 0.5 * Math.exp(margin / scale);
    }
}
