package io.shatter.cli.workloads;

import io.shatter.RunResult;
import io.shatter.ShardGraph;
import io.shatter.cli.UserException;
import io.shatter.cli.WorkloadCommand;
import io.shatter.decompose.Data;
import io.shatter.decompose.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * The heat workload written as a sequential program over an annotated kernel ({@link HeatKernels},
 * {@link HeatProgram}), its graph inferred; the same plate as {@code heat}, bit for bit.
 */
@Command(name = "heat-annotated", mixinStandardHelpOptions = true,
        description = "The heat stencil as an annotated sequential program: one resumable shard per tile and step, dependencies inferred.")
public final class AnnotatedHeatCommand extends WorkloadCommand {
    @Option(names = "--grid", paramLabel = "N", description = "Plate size in cells per side (default: ${DEFAULT-VALUE}).")
    int grid = 512;

    @Option(names = "--tiles", paramLabel = "T", description = "Tiles per side (default: ${DEFAULT-VALUE}).")
    int tiles = 4;

    @Option(names = "--steps", paramLabel = "S", description = "Outer steps (halo exchanges) (default: ${DEFAULT-VALUE}).")
    int steps = 20;

    @Option(names = "--sweeps", paramLabel = "K", description = "Sweeps per tile per step, each a safepoint (default: ${DEFAULT-VALUE}).")
    int sweeps = 20;

    private HeatModel model;
    private Recorder recorder;
    private Data<double[]>[] last;

    @Override
    protected ShardGraph buildGraph() {
        if (grid < 2 || tiles < 1 || steps < 1 || sweeps < 1) {
            throw new UserException("--grid must be at least 2 and --tiles, --steps, --sweeps at least 1");
        }
        if (grid % tiles != 0) {
            throw new UserException("--grid " + grid + " is not divisible by --tiles " + tiles + "; pick sizes that divide");
        }
        model = new HeatModel(grid, tiles);
        recorder = Recorder.create("heat-annotated");
        last = HeatProgram.record(recorder, model, steps, sweeps);
        return recorder.graph();
    }

    /** The last step's tiles are read by nobody, but are all the result; the earlier ones are dropped once read. */
    private double[] plate(RunResult result) {
        double[][] interiors = new double[last.length][];
        for (int i = 0; i < last.length; i++) {
            interiors[i] = model.interior(recorder.valueIn(result, last[i]));
        }
        return model.assemble(interiors);
    }

    @Override
    protected String describe(RunResult result) {
        double[] p = plate(result);
        return String.format(Locale.ROOT, "heat-annotated: %dx%d plate, %d tiles, %d steps x %d sweeps; mean temperature %.10f",
                grid, grid, tiles * tiles, steps, sweeps, HeatModel.sum(p) / p.length);
    }

    @Override
    protected String verify(RunResult result) {
        double[] expected = model.sequential(steps, sweeps);
        double[] actual = plate(result);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                return "cell " + i + " is " + actual[i] + " but the sequential computation gives " + expected[i];
            }
        }
        return null;
    }

    @Override
    protected String verifiedClaim() {
        return "plate equals the sequential computation bit for bit (" + grid + "x" + grid + ", " + steps + " steps)";
    }
}
