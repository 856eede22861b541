package io.shatter.predictor.survival;

import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.predictor.CapacityModel;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.ModelForecaster;
import io.shatter.predictor.TimeSplit;
import io.shatter.predictor.TraceReplay;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.EmpiricalSurvivalForecaster;
import io.shatter.spi.PersistenceForecaster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Scores survival probabilities the way the broker uses them. At every step of a period each
 * forecaster, having seen the samples up to that step (as the broker's would), is asked the
 * placement policy's question for every live excess slot: will at least {@code k} idle cores stay
 * throughout the next {@code d}, for {@code k} = 1, 2, ... slots' worth of cores up to the idle
 * cores now, and each run length {@code d}. The answer is scored against the least idle count over
 * the steps of {@code (t, t + d]}.
 *
 * <p>Arms: persistence (1 for every live slot), E ({@link EmpiricalSurvivalForecaster}), the model
 * as it answers before calibration ({@link ModelForecaster#probabilityIdleAtLeast}), the model
 * through a {@link Calibration} chosen on the validation period by log loss (never on the test
 * period), and the model as the broker runs it ({@link ModelForecaster#survivalProbability}): its
 * odds stacked with E's by a logistic regression refitted daily on the recent answers to its own
 * questions whose runs are over ({@link StackedRecalibration}), starting from that calibration.
 */
public final class SurvivalScoring {
    /** Name of the persistence arm. */
    public static final String PERSISTENCE = "persistence";
    /** Name of the empirical baseline's arm. */
    public static final String EMPIRICAL = "E";
    /** Name of the model's arm, as it answers. */
    public static final String MODEL = "model";
    /** Name of the model's arm through the validation-chosen calibration. */
    public static final String CALIBRATED = "model+cal";
    /** Name of the model's arm as the broker runs it: stacked with E, refitted daily on its own recent resolved answers. */
    public static final String ONLINE = "model+online";
    /** Steps of history replayed into a forecaster before a period is scored: E's whole history. */
    static final int WARM_UP_STEPS = EmpiricalSurvivalForecaster.DEFAULT_HISTORY_STEPS;

    /**
     * What is asked.
     *
     * @param coresPerSlot idle cores one excess slot stands for ({@code k} goes in multiples of it)
     * @param slots        most slots asked about per step
     * @param runMinutes   run lengths
     * @param bar          the placement bar whose chosen slots' realised survival is reported
     */
    public record Setup(int coresPerSlot, int slots, int[] runMinutes, double bar) {
        /** Validates. */
        public Setup {
            if (coresPerSlot < 1 || slots < 1 || runMinutes.length == 0 || Arrays.stream(runMinutes).anyMatch(m -> m <= 0)
                    || !(bar > 0 && bar <= 1)) {
                throw new IllegalArgumentException("cores per slot and slots must be at least 1, run lengths positive, bar in (0, 1]");
            }
            runMinutes = runMinutes.clone();
        }

        /** The trace-driven run's setting: 6 excess slots of the trace's default cores per rank, 10, 40 and 120 minutes, the broker's bar. */
        public static Setup defaults(CapacitySeries series) {
            return new Setup(TraceReplay.defaultCoresPerRank(series, 6), 6, new int[] {10, 40, 120},
                    DefaultPlacementPolicy.DEFAULT_MINIMUM_SURVIVAL);
        }
    }

    /**
     * One arm's scores.
     *
     * @param perRun per run length, in {@link Setup#runMinutes()} order
     * @param pooled all run lengths together
     */
    public record ArmScores(List<SurvivalMetrics.Score> perRun, SurvivalMetrics.Score pooled) {
    }

    /**
     * The scores of every arm on the test period.
     *
     * @param source      the trace
     * @param setup       what was asked
     * @param testFrom    first test step
     * @param testTo      end (exclusive) of the test steps
     * @param arms        arm name to its scores, in the order persistence, E, then the model's arms if any
     * @param calibration the model's calibration chosen on validation, and the held-out log losses it was chosen by (null without a model)
     */
    public record Report(String source, Setup setup, int testFrom, int testTo, Map<String, ArmScores> arms,
                         Calibration.Choice calibration) {
        /** Pooled Brier skill of arm {@code name} against E. */
        public double skillAgainstEmpirical(String name) {
            return arms.get(name).pooled().brierSkillAgainst(arms.get(EMPIRICAL).pooled());
        }
    }

    private SurvivalScoring() {
    }

    /** Scores persistence, E and (when {@code model} is not null) the model raw and calibrated on the test period of {@code series}. */
    public static Report evaluate(CapacitySeries series, CapacityModel model, Setup setup) {
        int maxRunSteps = Arrays.stream(setup.runMinutes()).map(m -> stepsOf(m, series)).max().orElseThrow();
        TimeSplit split = TimeSplit.of(series, 0, maxRunSteps);
        int from = split.testFrom();
        int to = split.testTo();
        Map<String, ArmScores> arms = new LinkedHashMap<>();
        arms.put(PERSISTENCE, scores(collect(series, from, to, PersistenceForecaster::new, setup), setup));
        arms.put(EMPIRICAL, scores(collect(series, from, to,
                () -> new EmpiricalSurvivalForecaster(series.stepSeconds(), EmpiricalSurvivalForecaster.DEFAULT_HISTORY_STEPS), setup), setup));
        Calibration.Choice choice = null;
        if (model != null) {
            choice = validationCalibration(series, model, setup);
            Cases test = collect(series, from, to, rawModel(series, model), setup);
            arms.put(MODEL, scores(test, setup));
            arms.put(CALIBRATED, scores(test.mapped(choice.calibration()), setup));
            CapacityModel calibrated = model.withMetadata(model.metadata().withCalibration(choice.calibration()));
            arms.put(ONLINE, scores(collect(series, from, to, () -> {
                ModelForecaster forecaster = new ModelForecaster(calibrated, series.zone());
                forecaster.recalibration().slotCores(setup.coresPerSlot()); // as the broker's would learn from its first question
                return forecaster;
            }, setup), setup));
        }
        return new Report(series.source(), setup, from, to, arms, choice);
    }

    /**
     * The calibration of {@code model}'s survival odds chosen on the validation period of
     * {@code series} (the 10% after its training period): no change, isotonic or Platt, whichever
     * scores the lower log loss on the later half of the validation cases when fitted on the
     * earlier half, then refitted on all of them.
     */
    public static Calibration.Choice validationCalibration(CapacitySeries series, CapacityModel model, Setup setup) {
        int maxRunSteps = Arrays.stream(setup.runMinutes()).map(m -> stepsOf(m, series)).max().orElseThrow();
        TimeSplit split = TimeSplit.of(series, 0, maxRunSteps);
        Cases validation = collect(series, split.validationFrom(), split.validationTo(), rawModel(series, model), setup);
        Cases early = validation.half(true);
        Cases late = validation.half(false);
        return Calibration.choose(early.pooledForecasts(), early.pooledOutcomes(), late.pooledForecasts(),
                late.pooledOutcomes(), validation.pooledForecasts(), validation.pooledOutcomes());
    }

    /** The model's own odds, before any calibration. */
    private static Supplier<CapacityForecaster> rawModel(CapacitySeries series, CapacityModel model) {
        return () -> {
            ModelForecaster forecaster = new ModelForecaster(model, series.zone());
            return new CapacityForecaster() {
                @Override
                public void observe(io.shatter.spi.CapacitySample sample) {
                    forecaster.observe(sample);
                }

                @Override
                public double expectedIdleCores(Duration horizon) {
                    return forecaster.expectedIdleCores(horizon);
                }

                @Override
                public double survivalProbability(Duration runLength, double cores) {
                    return forecaster.probabilityIdleAtLeast(runLength, cores);
                }
            };
        };
    }

    static int stepsOf(int minutes, CapacitySeries series) {
        return Math.max(1, (int) Math.ceil(minutes * 60.0 / series.stepSeconds()));
    }

    private static ArmScores scores(Cases cases, Setup setup) {
        List<SurvivalMetrics.Score> perRun = new ArrayList<>();
        for (int r = 0; r < setup.runMinutes().length; r++) {
            perRun.add(SurvivalMetrics.score(cases.forecasts[r], cases.outcomes[r], cases.count[r], setup.bar()));
        }
        return new ArmScores(List.copyOf(perRun),
                SurvivalMetrics.score(cases.pooledForecasts(), cases.pooledOutcomes(), cases.pooledCount(), setup.bar()));
    }

    /**
     * Replays the series into a fresh forecaster from {@link #WARM_UP_STEPS} before {@code from}
     * and collects its answers and the outcomes at steps {@code [from, to)}.
     */
    static Cases collect(CapacitySeries series, int from, int to, Supplier<CapacityForecaster> factory, Setup setup) {
        CapacityForecaster forecaster = factory.get();
        int[] idle = series.idle();
        int runs = setup.runMinutes().length;
        int[] runSteps = new int[runs];
        Duration[] runLength = new Duration[runs];
        for (int r = 0; r < runs; r++) {
            runSteps[r] = stepsOf(setup.runMinutes()[r], series);
            runLength[r] = Duration.ofMinutes(setup.runMinutes()[r]);
        }
        Cases cases = new Cases(runs, (to - from) * setup.slots());
        for (int t = Math.max(0, from - WARM_UP_STEPS); t < to; t++) {
            forecaster.observe(series.sampleAt(t));
            if (t < from) {
                continue;
            }
            for (int r = 0; r < runs; r++) {
                if (t + runSteps[r] >= idle.length) {
                    continue;
                }
                int least = Integer.MAX_VALUE;
                for (int s = t + 1; s <= t + runSteps[r]; s++) {
                    least = Math.min(least, idle[s]);
                }
                for (int slot = 1; slot <= setup.slots(); slot++) {
                    int cores = slot * setup.coresPerSlot();
                    if (cores > idle[t]) {
                        break; // only slots live at forecast time are asked about
                    }
                    cases.add(r, forecaster.survivalProbability(runLength[r], cores), least >= cores);
                }
            }
        }
        return cases;
    }

    /** Answers and outcomes per run length, in time order. */
    static final class Cases {
        final double[][] forecasts;
        final boolean[][] outcomes;
        final int[] count;

        Cases(int runs, int expected) {
            forecasts = new double[runs][Math.max(16, expected)];
            outcomes = new boolean[runs][Math.max(16, expected)];
            count = new int[runs];
        }

        void add(int run, double p, boolean survived) {
            if (count[run] == forecasts[run].length) {
                forecasts[run] = Arrays.copyOf(forecasts[run], count[run] * 2);
                outcomes[run] = Arrays.copyOf(outcomes[run], count[run] * 2);
            }
            forecasts[run][count[run]] = p;
            outcomes[run][count[run]] = survived;
            count[run]++;
        }

        Cases mapped(Calibration calibration) {
            Cases out = new Cases(count.length, 16);
            for (int r = 0; r < count.length; r++) {
                for (int i = 0; i < count[r]; i++) {
                    out.add(r, calibration.apply(forecasts[r][i]), outcomes[r][i]);
                }
            }
            return out;
        }

        /** The first or the second half in time of each run length's cases. */
        Cases half(boolean first) {
            Cases out = new Cases(count.length, 16);
            for (int r = 0; r < count.length; r++) {
                int middle = count[r] / 2;
                for (int i = first ? 0 : middle; i < (first ? middle : count[r]); i++) {
                    out.add(r, forecasts[r][i], outcomes[r][i]);
                }
            }
            return out;
        }

        int pooledCount() {
            return Arrays.stream(count).sum();
        }

        double[] pooledForecasts() {
            double[] all = new double[pooledCount()];
            int at = 0;
            for (int r = 0; r < count.length; r++) {
                System.arraycopy(forecasts[r], 0, all, at, count[r]);
                at += count[r];
            }
            return all;
        }

        boolean[] pooledOutcomes() {
            boolean[] all = new boolean[pooledCount()];
            int at = 0;
            for (int r = 0; r < count.length; r++) {
                System.arraycopy(outcomes[r], 0, all, at, count[r]);
                at += count[r];
            }
            return all;
        }
    }
}
