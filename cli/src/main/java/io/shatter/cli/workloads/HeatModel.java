package io.shatter.cli.workloads;

/**
 * The arithmetic of the heat workload, shared by its shards and by the sequential reference so that
 * both do the same floating-point operations in the same order: a square plate whose top edge is
 * held at 1.0 and other edges at 0.0, with a warm square in the middle at the start, relaxed by
 * in-place Gauss-Seidel sweeps tile by tile, with tile halos exchanged between outer steps
 * (block Gauss-Seidel with halo exchange, a real stencil DAG).
 */
final class HeatModel {
    final int grid;
    final int tiles;
    final int tileSize;

    HeatModel(int grid, int tiles) {
        this.grid = grid;
        this.tiles = tiles;
        this.tileSize = grid / tiles;
    }

    /** The tile's interior at the start. */
    double[] initialTile(int tx, int ty) {
        double[] t = new double[tileSize * tileSize];
        for (int i = 0; i < tileSize; i++) {
            for (int j = 0; j < tileSize; j++) {
                int gi = ty * tileSize + i;
                int gj = tx * tileSize + j;
                boolean warm = Math.abs(gi - grid / 2) < grid / 8 && Math.abs(gj - grid / 2) < grid / 8;
                t[i * tileSize + j] = warm ? 0.5 : 0.0;
            }
        }
        return t;
    }

    /**
     * The tile with a one-cell halo, (tileSize+2)^2 cells: its interior plus the facing edges of its
     * neighbours (null for the plate's edges, which hold their fixed temperature).
     */
    double[] withHalo(double[] self, double[] north, double[] south, double[] west, double[] east) {
        int n = tileSize;
        int w = n + 2;
        double[] h = new double[w * w];
        for (int i = 0; i < n; i++) {
            System.arraycopy(self, i * n, h, (i + 1) * w + 1, n);
        }
        for (int j = 0; j < n; j++) {
            h[j + 1] = north == null ? 1.0 : north[(n - 1) * n + j];
            h[(n + 1) * w + j + 1] = south == null ? 0.0 : south[j];
        }
        for (int i = 0; i < n; i++) {
            h[(i + 1) * w] = west == null ? 0.0 : west[i * n + n - 1];
            h[(i + 1) * w + n + 1] = east == null ? 0.0 : east[i * n];
        }
        return h;
    }

    /** One in-place Gauss-Seidel sweep over the interior; the halo stays fixed. */
    void sweep(double[] h) {
        int n = tileSize;
        int w = n + 2;
        for (int i = 1; i <= n; i++) {
            int row = i * w;
            for (int j = 1; j <= n; j++) {
                int c = row + j;
                h[c] = 0.25 * (h[c - w] + h[c + w] + h[c - 1] + h[c + 1]);
            }
        }
    }

    /** The interior of a tile with halo. */
    double[] interior(double[] h) {
        int n = tileSize;
        int w = n + 2;
        double[] t = new double[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(h, (i + 1) * w + 1, t, i * n, n);
        }
        return t;
    }

    /** Copies tiles into the full plate, row-major. */
    double[] assemble(double[][] tilesByIndex) {
        double[] plate = new double[grid * grid];
        for (int ty = 0; ty < tiles; ty++) {
            for (int tx = 0; tx < tiles; tx++) {
                double[] t = tilesByIndex[ty * tiles + tx];
                for (int i = 0; i < tileSize; i++) {
                    System.arraycopy(t, i * tileSize, plate, (ty * tileSize + i) * grid + tx * tileSize, tileSize);
                }
            }
        }
        return plate;
    }

    /** The sum of a tile's cells, left to right (the energy diagnostic). */
    static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    /** The whole computation on one thread, with no runtime: the reference a run is verified against. */
    double[] sequential(int steps, int sweeps) {
        double[][] current = new double[tiles * tiles][];
        for (int ty = 0; ty < tiles; ty++) {
            for (int tx = 0; tx < tiles; tx++) {
                current[ty * tiles + tx] = initialTile(tx, ty);
            }
        }
        for (int s = 0; s < steps; s++) {
            double[][] next = new double[tiles * tiles][];
            for (int ty = 0; ty < tiles; ty++) {
                for (int tx = 0; tx < tiles; tx++) {
                    double[] h = withHalo(current[ty * tiles + tx],
                            ty > 0 ? current[(ty - 1) * tiles + tx] : null,
                            ty < tiles - 1 ? current[(ty + 1) * tiles + tx] : null,
                            tx > 0 ? current[ty * tiles + tx - 1] : null,
                            tx < tiles - 1 ? current[ty * tiles + tx + 1] : null);
                    for (int k = 0; k < sweeps; k++) {
                        sweep(h);
                    }
                    next[ty * tiles + tx] = interior(h);
                }
            }
            current = next;
        }
        return assemble(current);
    }
}
