"""Dask distributed peer of Shatter's bench workload: a LocalCluster of single-threaded worker processes.

    python3 peer_dask.py --tasks N --grain-us G [--workers 2]

Timed like the others: from the first submit to the last result, with the workers already up.
"""
import functools
import logging
import time

from peer_common import parse_args, report, spin


def main():
    started = time.perf_counter()
    args = parse_args(__doc__)
    from dask.distributed import Client, LocalCluster

    task = functools.partial(spin, grain_ns=int(args.grain_us * 1000))
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.wait_for_workers(args.workers)
        client.gather(client.map(task, range(2 * args.workers), pure=False))  # warm-up, not timed
        startup = time.perf_counter() - started
        t0 = time.perf_counter()
        # One future per task, submitted in one batch (client.map is Dask's fast path).
        results = client.gather(client.map(task, range(args.tasks), pure=False))
        in_pool = time.perf_counter() - t0
    report("dask", args.tasks, args.grain_us, args.workers, in_pool, results, startup)


if __name__ == "__main__":
    main()
