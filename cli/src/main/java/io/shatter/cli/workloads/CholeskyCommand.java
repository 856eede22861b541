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
 * Tiled Cholesky of a symmetric positive definite matrix, written as the textbook triple loop over
 * annotated kernels ({@link CholeskyKernels}); the shard graph and its dependencies are inferred
 * from the tiles each call reads and writes.
 */
@Command(name = "cholesky", mixinStandardHelpOptions = true,
        description = "Tiled Cholesky (POTRF, TRSM, SYRK, GEMM): a sequential annotated loop whose shard graph is inferred.")
public final class CholeskyCommand extends WorkloadCommand {
    @Option(names = "--tiles", paramLabel = "T", description = "Tiles per side of the matrix (default: ${DEFAULT-VALUE}).")
    int tiles = 8;

    @Option(names = "--tile-size", paramLabel = "B", description = "Rows and columns per tile (default: ${DEFAULT-VALUE}).")
    int tileSize = 128;

    private CholeskyProgram program;
    private Recorder recorder;
    private Data<double[]>[][] a;

    @Override
    protected ShardGraph buildGraph() {
        if (tiles < 1 || tiles > 64) {
            throw new UserException("--tiles must be between 1 and 64, got " + tiles);
        }
        if (tileSize < 1 || (long) tileSize * tileSize > 1 << 24) {
            throw new UserException("--tile-size must be between 1 and 4096, got " + tileSize);
        }
        program = new CholeskyProgram(tiles, tileSize, options.seed());
        recorder = Recorder.create("cholesky");
        a = program.inputs(recorder);
        CholeskyProgram.factor(new CholeskyKernelsFacade(recorder), a);
        return recorder.graph();
    }

    /** A tile's final version may come from a shard that others read (POTRF's tile feeds TRSM), so every output is kept. */
    @Override
    protected boolean dropIntermediateOutputs() {
        return false;
    }

    @Override
    protected String describe(RunResult result) {
        double logDet = 0;
        for (int k = 0; k < tiles; k++) {
            double[] l = recorder.valueIn(result, a[k][k]);
            for (int d = 0; d < tileSize; d++) {
                logDet += 2 * Math.log(l[d * tileSize + d]);
            }
        }
        return String.format(Locale.ROOT, "cholesky: %dx%d matrix in %dx%d tiles of %d, %d shards inferred; log det A = %.12f",
                tiles * tileSize, tiles * tileSize, tiles, tiles, tileSize, CholeskyProgram.shardCount(tiles), logDet);
    }

    @Override
    protected String verify(RunResult result) {
        double[][][] expected = program.sequential();
        for (int i = 0; i < tiles; i++) {
            for (int j = 0; j <= i; j++) {
                double[] actual = recorder.valueIn(result, a[i][j]);
                for (int c = 0; c < actual.length; c++) {
                    if (Double.doubleToLongBits(actual[c]) != Double.doubleToLongBits(expected[i][j][c])) {
                        return "tile (" + i + ", " + j + ") cell " + c + " is " + actual[c] + " but the sequential loop gives " + expected[i][j][c];
                    }
                }
            }
        }
        return null;
    }

    @Override
    protected String verifiedClaim() {
        return "L equals the sequential loop's bit for bit (" + tiles + "x" + tiles + " tiles of " + tileSize + ")";
    }
}
