"""mpi4py.futures peer of Shatter's bench workload: one manager and the other ranks as workers.

    mpiexec -n 3 python3 -m mpi4py.futures peer_mpi4py.py --tasks N --grain-us G [--chunks 1,16,64,256,1024]

Timed like the others: from the first submit to the last result, in a pool already booted.
"""
import functools
import time

from peer_common import parse_args, report, spin


def main():
    started = time.perf_counter()
    from mpi4py import MPI
    from mpi4py.futures import MPIPoolExecutor

    args = parse_args(__doc__)
    workers = MPI.COMM_WORLD.Get_size() - 1
    task = functools.partial(spin, grain_ns=int(args.grain_us * 1000))
    with MPIPoolExecutor() as pool:
        pool.bootup(wait=True)
        # Warm the workers up (imports, first pickles) outside the timed part, as for Dask.
        list(pool.map(task, range(2 * workers)))
        startup = time.perf_counter() - started
        # chunksize 1 is one message per task, like one shard per task in Shatter; larger chunks are
        # what a user tunes (the harness reports chunksize 1 and the best of the --chunks sweep).
        for chunk in args.chunks:
            t0 = time.perf_counter()
            results = list(pool.map(task, range(args.tasks), chunksize=chunk))
            in_pool = time.perf_counter() - t0
            report("mpi4py.futures", args.tasks, args.grain_us, workers, in_pool, results, startup, chunk)


if __name__ == "__main__":
    main()
