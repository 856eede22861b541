package io.shatter.cli.workloads;

import io.shatter.Codecs;
import io.shatter.decompose.Data;
import io.shatter.decompose.Recorder;

/**
 * The heat workload as a sequential program over the annotated kernel: two plates of tiles (with
 * halos), each step relaxing every tile of one into the other. Writing into the plate read two steps
 * earlier is a write after read; renaming gives each step new versions, so no step waits for
 * anything but the tiles it reads.
 */
final class HeatProgram {
    private HeatProgram() {
    }

    /** Records {@code steps} steps; returns the tiles (with halo) of the last one, row-major. */
    static Data<double[]>[] record(Recorder recorder, HeatModel model, int steps, int sweeps) {
        int t = model.tiles;
        Data<double[]> edge = recorder.data("edge", Codecs.DOUBLES, new double[0]);
        @SuppressWarnings({"unchecked", "rawtypes"}) // Java has no generic arrays
        Data<double[]>[][] plates = new Data[2][t * t];
        for (int ty = 0; ty < t; ty++) {
            for (int tx = 0; tx < t; tx++) {
                double[] initial = model.withHalo(model.initialTile(tx, ty), null, null, null, null);
                plates[0][ty * t + tx] = recorder.data("plate0[" + tx + "," + ty + "]", Codecs.DOUBLES, initial);
                plates[1][ty * t + tx] = recorder.data("plate1[" + tx + "," + ty + "]", Codecs.DOUBLES, initial.clone());
            }
        }
        HeatKernelsFacade kernels = new HeatKernelsFacade(recorder);
        for (int s = 0; s < steps; s++) {
            Data<double[]>[] from = plates[s % 2];
            Data<double[]>[] to = plates[(s + 1) % 2];
            for (int ty = 0; ty < t; ty++) {
                for (int tx = 0; tx < t; tx++) {
                    kernels.relax(sweeps, from[ty * t + tx],
                            ty > 0 ? from[(ty - 1) * t + tx] : edge, ty < t - 1 ? from[(ty + 1) * t + tx] : edge,
                            tx > 0 ? from[ty * t + tx - 1] : edge, tx < t - 1 ? from[ty * t + tx + 1] : edge,
                            to[ty * t + tx]);
                }
            }
        }
        return plates[steps % 2];
    }
}
