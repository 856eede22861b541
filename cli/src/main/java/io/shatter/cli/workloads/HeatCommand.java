package io.shatter.cli.workloads;

import io.shatter.Codec;
import io.shatter.Codecs;
import io.shatter.Priority;
import io.shatter.Resumable;
import io.shatter.RunResult;
import io.shatter.Shard;
import io.shatter.ShardContext;
import io.shatter.ShardGraph;
import io.shatter.cli.UserException;
import io.shatter.cli.WorkloadCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * 2-D heat diffusion over a tiled plate: one resumable shard per tile and outer step, reading its
 * own tile and its four neighbours' from the previous step (the halo), relaxing it with many
 * sweeps (each sweep a safepoint); a LOW-priority energy diagnostic per step; and a final shard that
 * assembles the plate.
 */
@Command(name = "heat", mixinStandardHelpOptions = true,
        description = "2-D heat diffusion: a tiled stencil with halo dependencies, resumable tiles.")
public final class HeatCommand extends WorkloadCommand {
    @Option(names = "--grid", paramLabel = "N", converter = io.shatter.cli.Numbers.Positive.class, description = "Plate size in cells per side (default: ${DEFAULT-VALUE}).")
    int grid = 512;

    @Option(names = "--tiles", paramLabel = "T", converter = io.shatter.cli.Numbers.Positive.class, description = "Tiles per side (default: ${DEFAULT-VALUE}).")
    int tiles = 4;

    @Option(names = "--steps", paramLabel = "S", converter = io.shatter.cli.Numbers.Positive.class, description = "Outer steps (halo exchanges) (default: ${DEFAULT-VALUE}).")
    int steps = 20;

    @Option(names = "--sweeps", paramLabel = "K", converter = io.shatter.cli.Numbers.Positive.class, description = "Sweeps per tile per step, each a safepoint (default: ${DEFAULT-VALUE}).")
    int sweeps = 20;

    private HeatModel model;
    private Shard<double[]> plate;

    /** A tile's resumable state: its cells with halo, and how many sweeps are done. */
    private record TileState(int sweepsDone, double[] cells) {
    }

    private static final Codec<TileState> STATE = Codecs.map(Codecs.pair(Codecs.INT, Codecs.DOUBLES),
            s -> Map.entry(s.sweepsDone(), s.cells()), e -> new TileState(e.getKey(), e.getValue()));

    @Override
    protected ShardGraph buildGraph() {
        if (grid < 2) {
            throw new UserException("--grid must be at least 2, got " + grid);
        }
        // Two plates of doubles (the step read and the step written) must fit in the heap.
        long bytes = 2L * grid * grid * Double.BYTES;
        if (bytes > Runtime.getRuntime().maxMemory() / 2) {
            throw new UserException("--grid " + grid + " needs about " + (bytes >> 20) + " MiB for two plates, more than half of this JVM's "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB heap; use a smaller --grid or give Java more memory (SHATTER_JAVA_OPTS=-Xmx...)");
        }
        if (grid % tiles != 0) {
            throw new UserException("--grid " + grid + " is not divisible by --tiles " + tiles + "; pick sizes that divide");
        }
        model = new HeatModel(grid, tiles);
        ShardGraph.Builder g = ShardGraph.builder("heat");
        List<Shard<double[]>> previous = new ArrayList<>();
        for (int ty = 0; ty < tiles; ty++) {
            for (int tx = 0; tx < tiles; tx++) {
                previous.add(null);
            }
        }
        for (int s = 0; s < steps; s++) {
            List<Shard<double[]>> current = new ArrayList<>();
            for (int ty = 0; ty < tiles; ty++) {
                for (int tx = 0; tx < tiles; tx++) {
                    current.add(tileShard(g, s, tx, ty, previous));
                }
            }
            List<Shard<double[]>> ofStep = List.copyOf(current);
            g.shard("energy-" + s).priority(Priority.LOW).inputs(ofStep.toArray(new Shard<?>[0])).compute(Codecs.DOUBLE, ctx -> {
                double e = 0;
                for (Shard<double[]> t : ofStep) {
                    e += HeatModel.sum(ctx.input(t));
                }
                return e;
            });
            previous = current;
        }
        List<Shard<double[]>> last = List.copyOf(previous);
        plate = g.shard("plate").priority(Priority.HIGH).inputs(last.toArray(new Shard<?>[0])).compute(Codecs.DOUBLES, ctx -> {
            double[][] byIndex = new double[last.size()][];
            for (int i = 0; i < last.size(); i++) {
                byIndex[i] = ctx.input(last.get(i));
            }
            return model.assemble(byIndex);
        });
        return g.build();
    }

    private Shard<double[]> tileShard(ShardGraph.Builder g, int step, int tx, int ty, List<Shard<double[]>> previous) {
        Shard<double[]> self = previous.get(ty * tiles + tx);
        Shard<double[]> north = step > 0 && ty > 0 ? previous.get((ty - 1) * tiles + tx) : null;
        Shard<double[]> south = step > 0 && ty < tiles - 1 ? previous.get((ty + 1) * tiles + tx) : null;
        Shard<double[]> west = step > 0 && tx > 0 ? previous.get(ty * tiles + tx - 1) : null;
        Shard<double[]> east = step > 0 && tx < tiles - 1 ? previous.get(ty * tiles + tx + 1) : null;
        List<Shard<?>> inputs = new ArrayList<>(Arrays.asList(self, north, south, west, east));
        inputs.removeIf(java.util.Objects::isNull);
        return g.shard("tile-" + step + "-" + tx + "-" + ty)
                .priority(ty == 0 ? Priority.HIGH : Priority.MEDIUM) // the hot edge drives the solution
                .inputs(inputs.toArray(new Shard<?>[0]))
                .resumable(STATE, Codecs.DOUBLES, new Resumable<TileState, double[]>() {
                    @Override
                    public TileState start(ShardContext ctx) {
                        double[] own = self == null ? model.initialTile(tx, ty) : ctx.input(self);
                        double[] northCells = north == null ? (step == 0 && ty > 0 ? model.initialTile(tx, ty - 1) : null) : ctx.input(north);
                        double[] southCells = south == null ? (step == 0 && ty < tiles - 1 ? model.initialTile(tx, ty + 1) : null) : ctx.input(south);
                        double[] westCells = west == null ? (step == 0 && tx > 0 ? model.initialTile(tx - 1, ty) : null) : ctx.input(west);
                        double[] eastCells = east == null ? (step == 0 && tx < tiles - 1 ? model.initialTile(tx + 1, ty) : null) : ctx.input(east);
                        return new TileState(0, model.withHalo(own, northCells, southCells, westCells, eastCells));
                    }

                    @Override
                    public TileState step(TileState state, ShardContext ctx) {
                        model.sweep(state.cells());
                        return new TileState(state.sweepsDone() + 1, state.cells());
                    }

                    @Override
                    public boolean isDone(TileState state) {
                        return state.sweepsDone() >= sweeps;
                    }

                    @Override
                    public double[] finish(TileState state, ShardContext ctx) {
                        return model.interior(state.cells());
                    }
                });
    }

    @Override
    protected String describe(RunResult result) {
        double[] p = result.get(plate);
        return String.format(Locale.ROOT, "heat: %dx%d plate, %d tiles, %d steps x %d sweeps; mean temperature %.10f",
                grid, grid, tiles * tiles, steps, sweeps, HeatModel.sum(p) / p.length);
    }

    @Override
    protected String verify(RunResult result) {
        double[] expected = model.sequential(steps, sweeps);
        double[] actual = result.get(plate);
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
