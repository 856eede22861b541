package io.shatter.cli.workloads;

import io.shatter.decompose.Read;
import io.shatter.decompose.Shard;
import io.shatter.decompose.Write;

/**
 * The heat stencil's one kernel in the annotated style: a tile with a one-cell halo, built from its
 * own cells and its neighbours' (the plate's edges, where there is no neighbour, come as empty
 * arrays), then relaxed sweep by sweep. Resumable: each sweep is a step, and between steps the new
 * tile (its state) may be checkpointed, preempted or moved. The arithmetic is {@link HeatModel}'s,
 * so the result is the hand-built heat workload's, bit for bit.
 */
public final class HeatKernels {
    private HeatKernels() {
    }

    /** Step 0 builds {@code next} (the tile with its halo) from the tiles of the previous step; steps 1..sweeps relax it. */
    @Shard(resumable = true)
    public static boolean relax(long step, int sweeps, @Read double[] own, @Read double[] north, @Read double[] south,
                                @Read double[] west, @Read double[] east, @Write double[] next) {
        HeatModel model = new HeatModel(edgeOf(next), 1);
        if (step == 0) {
            double[] built = model.withHalo(model.interior(own), interiorOrEdge(model, north), interiorOrEdge(model, south),
                    interiorOrEdge(model, west), interiorOrEdge(model, east));
            System.arraycopy(built, 0, next, 0, built.length);
        } else {
            model.sweep(next);
        }
        return step < sweeps;
    }

    /** A neighbour's cells, or null at the plate's edge (an empty array), where the edge temperature holds. */
    private static double[] interiorOrEdge(HeatModel model, double[] neighbour) {
        return neighbour.length == 0 ? null : model.interior(neighbour);
    }

    /** The interior edge length of a tile with halo. */
    static int edgeOf(double[] withHalo) {
        int w = (int) Math.round(Math.sqrt(withHalo.length));
        if (w * w != withHalo.length || w < 3) {
            throw new IllegalArgumentException("a tile with halo of " + withHalo.length + " cells is not square");
        }
        return w - 2;
    }
}
