package io.shatter.predictor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shatter.predictor.survival.StackedRecalibration;
import io.shatter.spi.CapacitySample;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiny models trained on the KTH excerpt: reproducibility, file format, evaluation, the broker's forecaster. */
class ModelTest {
    private static CapacitySeries series;
    private static Trainer.Config config;
    private static Trainer.Result capacityModel;

    @TempDir
    Path dir;

    @BeforeAll
    static void train() {
        series = SwfCapacity.series(SwfReader.read(Excerpts.kth(), BadLinePolicy.STOP), 300);
        config = Trainer.Config.defaults().withFeatureSet(FeatureSet.CAPACITY).withEpochs(2).withHiddenSizes(new int[] {16});
        capacityModel = Trainer.train(series, config, Trainer.Progress.NONE);
    }

    @Test
    void trainingIsReproducible() {
        Trainer.Result again = Trainer.train(series, config, Trainer.Progress.NONE);
        TimeSplit split = split();
        double[][] first = capacityModel.model().forecastIdle(series, split.testFrom(), split.testFrom() + 50);
        double[][] second = again.model().forecastIdle(series, split.testFrom(), split.testFrom() + 50);
        for (int j = 0; j < first.length; j++) {
            assertArrayEquals(first[j], second[j], 1e-9);
        }
    }

    @Test
    void theCalibrationTargetAndTrainingTraceSurviveSaveAndLoad() throws IOException {
        Path trace = Files.writeString(dir.resolve("t.swf"), "; a stand-in for the trained-on file\n");
        io.shatter.predictor.survival.Calibration isotonic = new io.shatter.predictor.survival.Calibration.Isotonic(
                new double[] {0.2, 0.6, 0.95}, new double[] {0.1, 0.5, 0.8});
        CapacityModel model = capacityModel.model();
        CapacityModel marked = model.withMetadata(model.metadata().withCalibration(isotonic).withTrainingTrace(TraceIdentity.of(trace)));
        Path file = dir.resolve("marked.model");
        marked.save(file);
        ModelMetadata loaded = CapacityModel.load(file).metadata();
        assertEquals(ForecastTarget.PATH_MINIMUM, loaded.target());
        for (double p : new double[] {0, 0.4, 0.9, 1}) {
            assertEquals(isotonic.apply(p), loaded.calibration().apply(p), 1e-12);
        }
        TraceIdentity identity = loaded.trainingTrace().orElseThrow();
        assertEquals("t.swf", identity.name());
        assertEquals(Files.size(trace), identity.bytes());
        assertTrue(identity.sameContent(TraceIdentity.of(trace)));
        Files.writeString(trace, "; changed\n");
        assertTrue(!identity.sameContent(TraceIdentity.of(trace)));
    }

    @Test
    void saveAndLoadGiveTheSameForecastsAndPlainJavaMatchesDl4j() {
        Path file = dir.resolve("m.model");
        capacityModel.model().save(file);
        CapacityModel loaded = CapacityModel.load(file);
        assertArrayEquals(new int[] {5, 30, 120}, loaded.horizonMinutes());
        TimeSplit split = split();
        int from = split.testFrom();
        double[][] before = capacityModel.model().forecastIdle(series, from, from + 200);
        double[][] after = loaded.forecastIdle(series, from, from + 200); // DL4J network rebuilt from the file
        float[] scratch = new float[loaded.inputCount()];
        float[] changes = new float[3];
        History history = History.of(series);
        for (int j = 0; j < 3; j++) {
            assertArrayEquals(before[j], after[j], 1e-6);
        }
        for (int i = 0; i < 200; i++) {
            loaded.forecastChanges(history, from + i, scratch, changes);
            for (int j = 0; j < 3; j++) {
                double plainJava = Math.max(0, Math.min(series.totalCores(), series.idle()[from + i] + changes[j] * series.totalCores()));
                assertEquals(after[j][i], plainJava, 0.02, "step " + (from + i) + " horizon " + j);
            }
        }
    }

    @Test
    void badModelFilesGiveClearErrors() throws IOException {
        Path file = dir.resolve("m.model");
        capacityModel.model().save(file);
        byte[] good = Files.readAllBytes(file);

        byte[] otherVersion = good.clone();
        ByteBuffer.wrap(otherVersion).putInt(8, ModelFile.FORMAT_VERSION + 1);
        Path version = Files.write(dir.resolve("v.model"), otherVersion);
        assertMessage(version, "format version " + (ModelFile.FORMAT_VERSION + 1));

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x40;
        assertMessage(Files.write(dir.resolve("c.model"), flipped), "is corrupt");
        assertMessage(Files.write(dir.resolve("t.model"), java.util.Arrays.copyOf(good, good.length - 100)), "is corrupt");
        assertMessage(Files.writeString(dir.resolve("x.model"), "PK\u0003\u0004 a zip, not a model"), "not a Shatter predictor model");
        assertMessage(dir.resolve("missing.model"), "does not exist");

        CapacityModel loaded = CapacityModel.load(file);
        PredictorException horizons = assertThrows(PredictorException.class,
                () -> loaded.requireHorizons(new int[] {5, 60}, "m.model"));
        assertTrue(horizons.getMessage().contains("[5 min, 30 min, 120 min]"), horizons.getMessage());
    }

    private static void assertMessage(Path file, String expected) {
        PredictorException e = assertThrows(PredictorException.class, () -> CapacityModel.load(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void evaluationScoresBaselinesOnTheLastFifthIndependently() {
        Evaluator.Report report = Evaluator.evaluate(capacityModel.model(), series, "m");
        int n = series.length();
        assertEquals((int) Math.floor(n * 0.8), report.testFrom());
        assertEquals(n - 24, report.testTo());
        int[] idle = series.idle();
        for (int j = 0; j < 3; j++) {
            int h = new int[] {1, 6, 24}[j];
            double persistence = 0;
            double yesterday = 0;
            double model = 0;
            for (int t = report.testFrom(); t < report.testTo(); t++) {
                int least = Integer.MAX_VALUE; // the default target: the least idle cores up to the horizon
                for (int s = t + 1; s <= t + h; s++) {
                    least = Math.min(least, idle[s]);
                }
                persistence += Math.abs(idle[t] - least);
                yesterday += Math.abs(idle[t + h - 288] - least);
                model += Math.abs(report.forecasts()[j][t - report.testFrom()] - least);
            }
            int count = report.testTo() - report.testFrom();
            Evaluator.HorizonScore score = report.scores().get(j);
            assertEquals(persistence / count, score.persistence(), 1e-9);
            assertEquals(yesterday / count, score.sameTimeYesterday(), 1e-9);
            assertEquals(model / count, score.model(), 1e-9);
        }
    }

    @Test
    void forecasterFollowsTheModelOnceWarm() {
        CapacityModel model = capacityModel.model();
        ModelForecaster forecaster = new ModelForecaster(model, series.zone());
        int from = split().testFrom();
        int start = from - 289;
        for (int k = start; k < start + 288; k++) {
            forecaster.observe(series.sampleAt(k));
            assertEquals(series.idle()[k], forecaster.expectedIdleCores(Duration.ofMinutes(30)), 1e-9, "persistence while cold");
        }
        double[][] batch = model.forecastIdle(series, from, from + 100);
        for (int k = start + 288; k < from + 100; k++) {
            forecaster.observe(series.sampleAt(k));
            if (k >= from) {
                // Float sums in BLAS and in plain Java differ in order: allow 0.02 cores of 100.
                double tolerance = 0.02;
                assertEquals(batch[1][k - from], forecaster.expectedIdleCores(Duration.ofMinutes(30)), tolerance, "step " + k);
                assertEquals(batch[2][k - from], forecaster.expectedIdleCores(Duration.ofHours(5)), tolerance);
                double halfway = (batch[0][k - from] + batch[1][k - from]) / 2;
                assertEquals(halfway, forecaster.expectedIdleCores(Duration.ofMinutes(17).plusSeconds(30)), tolerance);
                double survival = forecaster.survivalProbability(Duration.ofMinutes(30));
                assertTrue(survival >= 0 && survival <= 1);
            }
        }
        assertTrue(forecaster.isWarm());
    }

    @Test
    void forecasterCarriesSamplesOverGapsAndKeepsTheLatestInAStep() {
        ModelForecaster forecaster = new ModelForecaster(capacityModel.model(), series.zone());
        ModelForecaster reference = new ModelForecaster(capacityModel.model(), series.zone());
        int from = split().testFrom() - 300;
        for (int k = from; k < from + 300; k++) {
            CapacitySample s = series.sampleAt(k);
            reference.observe(s);
            // An extra, earlier sample within the same step is overridden by the step's own.
            forecaster.observe(new CapacitySample(s.epochSeconds() - 1, s.partition(), s.totalCores(), 0, 0));
            forecaster.observe(s);
        }
        assertEquals(reference.expectedIdleCores(Duration.ofMinutes(30)), forecaster.expectedIdleCores(Duration.ofMinutes(30)), 1e-9);
    }

    @Test
    void survivalOddsUseTheForecastersOwnRecentErrors() {
        CapacityModel model = capacityModel.model();
        ModelForecaster forecaster = new ModelForecaster(model, series.zone());
        int from = split().testFrom();
        int start = from - 289; // warm, and forecasting, from step from - 1 on
        int to = from + 300;
        double[][] batch = model.forecastIdle(series, from - 1, to); // forecasts made at steps from - 1 .. to - 1
        double total = series.totalCores();
        // Independently: the 5-minute horizon's error average, from the validation MAE, over each
        // forecast made at step k - 2 for step k - 1, scored when step k arrives.
        double error = model.metadata().validationMae()[0];
        for (int k = start; k < to; k++) {
            forecaster.observe(series.sampleAt(k));
            if (k == from + 100) {
                // Until its own questions have taught the stacked recalibration, the broker gets the validation calibration's answer.
                double raw = forecaster.probabilityIdleAtLeast(Duration.ofMinutes(5), 2);
                assertFalse(forecaster.recalibration().fitted(0));
                assertEquals(model.metadata().calibration().apply(raw), forecaster.survivalProbability(Duration.ofMinutes(5), 2), 1e-12);
            }
            if (k >= from + 1) {
                double forecast = batch[0][k - 2 - (from - 1)] / total;
                double actual = (double) series.idle()[k - 1] / total;
                error += ModelForecaster.RECENT_ERROR_WEIGHT * (Math.abs(forecast - actual) - error);
            }
        }
        assertTrue(Math.abs(error - model.metadata().validationMae()[0]) > 1e-3, "the test needs errors unlike validation's");
        double forecast = batch[0][to - 1 - (from - 1)];
        double cores = Math.max(0, forecast - 3);
        double scale = Math.max(0.5, error * total);
        double expected = 1 - 0.5 * Math.exp(-(forecast - cores) / scale);
        // Float sums in BLAS and in plain Java differ in order: forecasts agree to 0.02 cores.
        assertEquals(expected, forecaster.probabilityIdleAtLeast(Duration.ofMinutes(5), cores), 0.01);
        assertTrue(forecaster.recalibration().fitted(0), "a day of its own questions, resolved: the 10-minute class is fitted");
        assertTrue(forecaster.survivalProbability(Duration.ofMinutes(5), cores) <= StackedRecalibration.MAX_ODDS);
    }

    @Test
    void pathMinimumOddsComeFromTheForecastLeastIdleCoresAndErrorsScoredAgainstIt() {
        CapacityModel model = capacityModel.model();
        assertEquals(ForecastTarget.PATH_MINIMUM, model.metadata().target());
        ModelForecaster forecaster = new ModelForecaster(model, series.zone());
        int from = split().testFrom();
        int start = from - 289;
        int to = from + 300;
        double[][] batch = model.forecastIdle(series, from - 1, to); // [horizon][made at from - 1 + i]
        double total = series.totalCores();
        int[] idle = series.idle();
        // Independently: the 30-minute (6-step) horizon's error average, scored against the least idle
        // cores over the 6 steps after each forecast, once the last of them is complete.
        double error = model.metadata().validationMae()[1];
        for (int k = start; k < to; k++) {
            forecaster.observe(series.sampleAt(k));
            int madeAt = k - 1 - 6;
            if (madeAt >= from - 1) {
                int least = Integer.MAX_VALUE;
                for (int s = madeAt + 1; s <= k - 1; s++) {
                    least = Math.min(least, idle[s]);
                }
                error += ModelForecaster.RECENT_ERROR_WEIGHT * (Math.abs(batch[1][madeAt - (from - 1)] / total - least / total) - error);
            }
        }
        double forecast = batch[1][to - 1 - (from - 1)];
        double cores = Math.max(0, forecast - 2);
        double scale = Math.max(0.5, error * total);
        double expected = 1 - 0.5 * Math.exp(-(forecast - cores) / scale);
        // One Laplace term at the run's own length, not the least over the horizons within it.
        assertEquals(expected, forecaster.probabilityIdleAtLeast(Duration.ofMinutes(30), cores), 0.01);
    }

    @Test
    void queueModelsAreRefusedByTheBrokerForecaster() {
        Trainer.Result queue = Trainer.train(series, config.withFeatureSet(FeatureSet.QUEUE).withEpochs(1), Trainer.Progress.NONE);
        PredictorException e = assertThrows(PredictorException.class, () -> new ModelForecaster(queue.model(), series.zone()));
        assertTrue(e.getMessage().contains("--features capacity"), e.getMessage());
    }

    @Test
    void serviceLoaderFindsTheForecasterAndItFallsBackToTheEmpiricalBaselineWithoutAModel() {
        java.util.List<io.shatter.spi.CapacityForecaster> found = java.util.ServiceLoader.load(io.shatter.spi.CapacityForecaster.class)
                .stream().map(java.util.ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        ModelForecaster forecaster = (ModelForecaster) found.get(0);
        assertTrue(!forecaster.hasModel() || System.getProperty(ModelForecaster.MODEL_PROPERTY) != null);
        forecaster.observe(series.sampleAt(1000));
        if (!forecaster.hasModel()) {
            assertEquals(series.idle()[1000], forecaster.expectedIdleCores(Duration.ofMinutes(30)), 1e-9);
        }
    }

    private static TimeSplit split() {
        return TimeSplit.of(series, 288, 24);
    }
}
