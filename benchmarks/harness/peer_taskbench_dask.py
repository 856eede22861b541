"""Task Bench on Dask distributed: the graph as dask.delayed tasks (one per point and step, edges
from the pattern), computed on a LocalCluster of single-threaded worker processes.

    python3 peer_taskbench_dask.py --type stencil_1d --width 2 --steps 1000 --iterations 1000 [--workers 2]
    python3 peer_taskbench_dask.py --calibrate      # the Python kernel's rate on one core
"""
import json
import logging
import time

from taskbench_common import calibrate, parse_args, report, run_task


def task(step, point, expected, iterations, output_bytes, *inputs):
    return run_task(step, point, expected, list(inputs), iterations, output_bytes)


def main():
    a = parse_args(__doc__)
    if a.calibrate:
        print("calibrate: " + json.dumps({"system": "python", "iterations_per_s": calibrate()}), flush=True)
        return
    import dask
    from dask.distributed import Client, LocalCluster

    pat = a.pattern
    with LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.wait_for_workers(a.workers)
        client.gather(client.map(lambda i: i, range(2 * a.workers), pure=False))  # warm-up, not timed
        out = {}
        sinks = []
        for t in range(pat.steps):
            for p in pat.points(t):
                ds = pat.dependencies(t, p)
                out[(t, p)] = dask.delayed(task, pure=False)(t, p, ds, a.iterations, a.output_bytes,
                                                            *[out[(t - 1, d)] for d in ds])
        readers = {(t - 1, d) for t in range(1, pat.steps) for p in pat.points(t) for d in pat.dependencies(t, p)}
        sinks = [v for k, v in out.items() if k not in readers]
        t0 = time.perf_counter()
        results = dask.compute(*sinks)
        in_pool = time.perf_counter() - t0
        if len(results) != len(sinks):
            raise SystemExit("dask: a sink's output is missing")
    report("dask", a, a.workers, in_pool)


if __name__ == "__main__":
    main()
