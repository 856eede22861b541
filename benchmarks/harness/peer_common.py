"""What both Python peers share: options, the busy task, and the 'bench: {json}' line run.sh parses."""
import argparse
import json
import time


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--tasks", type=int, required=True, help="independent tasks")
    p.add_argument("--grain-us", type=float, required=True, help="busy work per task in microseconds (0 = no-op)")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--chunks", default="1", help="comma-separated tasks per message (mpi4py: map's chunksize; Dask: tasks "
                                                    "per submitted batch): each is run and reported in turn (default: 1)")
    args = p.parse_args()
    try:
        args.chunks = [int(c) for c in args.chunks.split(",")]
    except ValueError:
        p.error(f"--chunks {args.chunks!r} is not a comma-separated list of whole numbers")
    if any(c < 1 for c in args.chunks):
        p.error("every --chunks value must be at least 1")
    if args.tasks < 1 or args.grain_us < 0 or args.workers < 1:
        p.error("--tasks and --workers must be at least 1 and --grain-us must not be negative")
    return args


def spin(index, grain_ns):
    """Busy for grain_ns (spinning, not sleeping, like Shatter's bench shards); returns its index."""
    if grain_ns > 0:
        end = time.perf_counter_ns() + grain_ns
        while time.perf_counter_ns() < end:
            pass
    return index


def report(system, tasks, grain_us, workers, in_pool_s, results, startup_s, chunk=1):
    """Checks every task ran once (each returns its index) and prints the figures."""
    expected = tasks * (tasks - 1) // 2
    if sorted(results) != list(range(tasks)):
        raise SystemExit(f"{system}: results are not the indices 0..{tasks - 1} exactly once (sum {sum(results)}, expected {expected})")
    grain_s = grain_us / 1e6
    figures = {
        "system": system,
        "tasks": tasks,
        "grain_s": grain_s,
        "workers": workers,
        "in_pool_s": in_pool_s,
        "tasks_per_s": tasks / in_pool_s,
        "efficiency": tasks * grain_s / (in_pool_s * workers),
        "startup_s": startup_s,
        "chunk": chunk,
    }
    print("bench: " + json.dumps(figures), flush=True)
