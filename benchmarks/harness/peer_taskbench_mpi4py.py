"""Task Bench over mpi4py point-to-point messages, the way Task Bench's own MPI version runs: every
rank owns a block of points; per step it receives the inputs its points read from other ranks,
runs its tasks and sends each output to the ranks whose points read it (non-blocking). No manager.

    mpiexec -n 2 python3 peer_taskbench_mpi4py.py --type stencil_1d --width 2 --steps 1000 --iterations 100
"""
import time

from taskbench_common import parse_args, report, run_task


def main():
    from mpi4py import MPI
    a = parse_args(__doc__)
    comm = MPI.COMM_WORLD
    me, n = comm.Get_rank(), comm.Get_size()
    pat = a.pattern

    def owner(p):  # block distribution, as Task Bench's MPI version
        return p * n // pat.width

    # Edges computed before timing (the others build their graphs untimed too).
    deps = [{p: pat.dependencies(t, p) for p in pat.points(t) if owner(p) == me} for t in range(pat.steps)]
    readers = []  # per step t: point -> ranks (other than me) owning a point of t+1 that reads it
    for t in range(pat.steps):
        r = {}
        if t + 1 < pat.steps:
            for q in pat.points(t + 1):
                for p in pat.dependencies(t + 1, q):
                    if owner(p) == me and owner(q) != me:
                        r.setdefault(p, set()).add(owner(q))
        readers.append({p: sorted(v) for p, v in r.items()})

    def run(steps):
        previous = {}
        sends = []
        for t in range(steps):
            needed = sorted({d for ds in deps[t].values() for d in ds if owner(d) != me})
            recvs = [(d, comm.irecv(source=owner(d), tag=d)) for d in needed]
            got = {d: req.wait() for d, req in recvs}
            current = {}
            for p, ds in deps[t].items():
                inputs = [previous[d] if owner(d) == me else got[d] for d in ds]
                current[p] = run_task(t, p, ds, inputs, a.iterations, a.output_bytes)
            MPI.Request.Waitall(sends)
            sends = [comm.isend(current[p], dest=dest, tag=p) for p, dests in readers[t].items() for dest in dests]
            previous = current
        MPI.Request.Waitall(sends)
        return previous

    comm.Barrier()
    t0 = time.perf_counter()
    run(pat.steps)
    comm.Barrier()
    in_pool = time.perf_counter() - t0
    if me == 0:
        report("mpi4py-p2p", a, n, in_pool)


if __name__ == "__main__":
    main()
