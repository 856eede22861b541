package io.shatter.simulator;

import io.shatter.Codecs;
import io.shatter.Priority;
import io.shatter.Resumable;
import io.shatter.Shard;
import io.shatter.ShardContext;
import io.shatter.ShardGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Graph shapes to simulate at scale. The bodies never run in a simulation (the work model stands
 * for them), but they are real shards of a real graph: plain, or resumable when they have state.
 */
public final class SyntheticGraphs {
    /** The shapes. */
    public enum Shape {
        /** Independent shards: a wide task farm. */
        FARM,
        /** Layers of equal width, each shard reading {@code fanIn} shards of the layer before, drawn with the seed. */
        LAYERED,
        /** A square grid of tiles over steps, each tile reading itself and its four neighbours at the step before. */
        STENCIL
    }

    /** Where a synthetic shard saves its state: a step counter (the work model gives the state's size). */
    private static final Resumable<Long, Long> STEPS = new Resumable<>() {
        @Override
        public Long start(ShardContext ctx) {
            return 0L;
        }

        @Override
        public Long step(Long state, ShardContext ctx) {
            return state + 1;
        }

        @Override
        public boolean isDone(Long state) {
            return true;
        }

        @Override
        public Long finish(Long state, ShardContext ctx) {
            return state;
        }
    };

    private SyntheticGraphs() {
    }

    /**
     * A graph of {@code shards} shards of {@code shape}; resumable shards when {@code resumable}.
     *
     * @param layers for LAYERED, the number of layers; for STENCIL, ignored (steps follow from the tiles)
     * @param fanIn  for LAYERED, inputs per shard
     * @param tiles  for STENCIL, tiles per side
     */
    public static ShardGraph build(Shape shape, int shards, int layers, int fanIn, int tiles, boolean resumable, long seed) {
        if (shards < 1) {
            throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
        }
        ShardGraph.Builder g = ShardGraph.builder(shape.name().toLowerCase(java.util.Locale.ROOT));
        switch (shape) {
            case FARM -> {
                for (int i = 0; i < shards; i++) {
                    add(g, "s" + i, i % 4 == 0 ? Priority.HIGH : Priority.MEDIUM, List.of(), resumable);
                }
            }
            case LAYERED -> layered(g, shards, layers, fanIn, resumable, seed);
            case STENCIL -> stencil(g, shards, tiles, resumable);
        }
        return g.build();
    }

    private static void layered(ShardGraph.Builder g, int shards, int layers, int fanIn, boolean resumable, long seed) {
        if (layers < 1 || layers > shards || fanIn < 0) {
            throw new IllegalArgumentException("--layers must be between 1 and --shards (" + shards + ") and --fan-in not negative");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Shard<Long>> previous = List.of();
        int made = 0;
        for (int layer = 0; layer < layers; layer++) {
            int width = (int) ((long) shards * (layer + 1) / layers - made);
            List<Shard<Long>> current = new ArrayList<>(width);
            for (int i = 0; i < width; i++) {
                List<Shard<Long>> inputs = new ArrayList<>(fanIn);
                for (int k = 0; k < fanIn && !previous.isEmpty(); k++) {
                    Shard<Long> in = previous.get(random.nextInt(previous.size()));
                    if (!inputs.contains(in)) {
                        inputs.add(in);
                    }
                }
                current.add(add(g, "l" + layer + "-" + i, layer == 0 ? Priority.HIGH : Priority.MEDIUM, inputs, resumable));
            }
            made += width;
            previous = current;
        }
    }

    private static void stencil(ShardGraph.Builder g, int shards, int tiles, boolean resumable) {
        if (tiles < 1 || (long) tiles * tiles > shards) {
            throw new IllegalArgumentException("--tiles " + tiles + " per side make more tiles than --shards " + shards);
        }
        int steps = shards / (tiles * tiles);
        List<Shard<Long>> previous = null;
        for (int s = 0; s < steps; s++) {
            List<Shard<Long>> current = new ArrayList<>(tiles * tiles);
            for (int y = 0; y < tiles; y++) {
                for (int x = 0; x < tiles; x++) {
                    List<Shard<Long>> inputs = new ArrayList<>(5);
                    if (previous != null) {
                        inputs.add(previous.get(y * tiles + x));
                        if (y > 0) {
                            inputs.add(previous.get((y - 1) * tiles + x));
                        }
                        if (y < tiles - 1) {
                            inputs.add(previous.get((y + 1) * tiles + x));
                        }
                        if (x > 0) {
                            inputs.add(previous.get(y * tiles + x - 1));
                        }
                        if (x < tiles - 1) {
                            inputs.add(previous.get(y * tiles + x + 1));
                        }
                    }
                    current.add(add(g, "t" + s + "-" + x + "-" + y, y == 0 ? Priority.HIGH : Priority.MEDIUM, inputs, resumable));
                }
            }
            previous = current;
        }
    }

    private static Shard<Long> add(ShardGraph.Builder g, String id, Priority priority, List<Shard<Long>> inputs, boolean resumable) {
        ShardGraph.ShardBuilder b = g.shard(id).priority(priority).inputs(inputs.toArray(new Shard<?>[0]));
        return resumable ? b.resumable(Codecs.LONG, Codecs.LONG, STEPS) : b.compute(Codecs.LONG, ctx -> 0L);
    }
}
