package io.shatter.benchmarks;

import io.shatter.predictor.BadLinePolicy;
import io.shatter.predictor.CapacityModel;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.FeatureSet;
import io.shatter.predictor.ModelForecaster;
import io.shatter.predictor.Trainer;
import io.shatter.predictor.Traces;
import io.shatter.spi.CapacitySample;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of the model-backed forecaster on the broker's path: one observation (which runs the
 * network) plus a query, and a query alone. The model is {@code -p model=FILE}, or, when empty, a
 * capacity model trained for one epoch on {@code -p trace=FILE} (inference cost depends on the
 * architecture, not on how well it is trained).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ForecastBenchmark {
    @Param("")
    public String model;

    @Param("/work/shared/traces/KTH-SP2-1996-2.1-cln.swf")
    public String trace;

    private CapacitySample[] samples;
    private ModelForecaster forecaster;
    private int next;
    private CapacityModel capacityModel;
    private ZoneId zone;

    @Setup
    public void setUp() {
        CapacitySeries series = Traces.load(Path.of(trace), Traces.Format.AUTO, null, 300, ZoneId.of("UTC"), BadLinePolicy.STOP);
        CapacityModel loaded = model.isEmpty()
                ? Trainer.train(series, Trainer.Config.defaults().withFeatureSet(FeatureSet.CAPACITY).withEpochs(1),
                        Trainer.Progress.NONE).model()
                : CapacityModel.load(Path.of(model));
        capacityModel = loaded;
        zone = series.zone();
        forecaster = new ModelForecaster(loaded, zone);
        samples = new CapacitySample[series.length()];
        for (int k = 0; k < samples.length; k++) {
            samples[k] = series.sampleAt(k);
        }
        for (next = 0; next < 300; next++) {
            forecaster.observe(samples[next]);
        }
        if (!forecaster.isWarm()) {
            throw new IllegalStateException("forecaster not warm after a day of samples");
        }
    }

    /** What the broker does per capacity sample: observe it (one network evaluation) and ask for 30 minutes ahead. */
    @Benchmark
    public double observeAndForecast() {
        if (next == samples.length) {
            next = 300; // time must not go back, so wrap far enough to be warm again
            forecaster = new ModelForecaster(capacityModel, zone);
            for (int k = 0; k < 300; k++) {
                forecaster.observe(samples[k]);
            }
        }
        forecaster.observe(samples[next++]);
        return forecaster.expectedIdleCores(Duration.ofMinutes(30));
    }

    /** A query alone (placement decisions between samples). */
    @Benchmark
    public double survivalQuery() {
        return forecaster.survivalProbability(Duration.ofMinutes(45)) + forecaster.expectedIdleCores(Duration.ofMinutes(90));
    }
}
