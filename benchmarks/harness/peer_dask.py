"""Dask distributed peer of Shatter's bench workload: a LocalCluster of single-threaded worker processes.

    python3 peer_dask.py --tasks N --grain-us G [--workers 2] [--chunks 1,16,64,256,1024]

Timed like the others: from the first submit to the last result, with the workers already up.
"""
import functools
import logging
import time

from peer_common import parse_args, report, spin


def run_batch(indices, grain_ns):
    return [spin(i, grain_ns) for i in indices]


def main():
    started = time.perf_counter()
    args = parse_args(__doc__)
    from dask.distributed import Client, LocalCluster

    grain_ns = int(args.grain_us * 1000)
    task = functools.partial(spin, grain_ns=grain_ns)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.wait_for_workers(args.workers)
        client.gather(client.map(task, range(2 * args.workers), pure=False))  # warm-up, not timed
        startup = time.perf_counter() - started
        for chunk in args.chunks:
            t0 = time.perf_counter()
            if chunk == 1:
                # One future per task, submitted in one call (client.map is Dask's fast path).
                results = client.gather(client.map(task, range(args.tasks), pure=False))
            else:
                # Batched: one Dask task runs `chunk` tasks (what a user does for small tasks).
                batches = [range(i, min(i + chunk, args.tasks)) for i in range(0, args.tasks, chunk)]
                results = [r for b in client.gather(client.map(run_batch, batches, grain_ns=grain_ns, pure=False)) for r in b]
            in_pool = time.perf_counter() - t0
            report("dask", args.tasks, args.grain_us, args.workers, in_pool, results, startup, chunk)


if __name__ == "__main__":
    main()
