#!/usr/bin/env python3
"""The simulator beside real local runs of the same small configurations (issue: fidelity).

Calibrates once on a real one-rank run (a worker thread and the broker, so neither waits for a
CPU): the mean run time of each shard kind plus the gap the runtime leaves between one shard and
the next on a rank (the simulator pipelines assignments as the broker does, so the gap is per-shard
work, not latency), and the start-up before the first shard (added to the simulated makespan); and
per row the real run's mean checkpoint size (its summary) as the simulated state size; and the share of the
host's CPUs the runtime's own threads take (broker, JIT compiler, collector: the one-rank run's process CPU time
less the shards' run time, over its wall time). Then, per row, runs the real command and simulates it with those
figures and --host-cpus set to this machine's CPUs less that share (--runtime-cpus 0 to leave it out), and prints
a Markdown table.

    simulator/fidelity.py [--sweeps 200] [--rows ROWS] [--out DIR]

Run from the repository root after building (bin/shatter). Each real run writes its own trace.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROWS = [
    "--ranks 1 --reserved 1",
    "--ranks 2 --reserved 2",
    "--ranks 4 --reserved 4",
    "--ranks 2 --reserved 1 --excess 1 --revoke-every 50ms",
    "--ranks 4 --reserved 2 --excess 2 --revoke-every 50ms",
]
KINDS = ("tile-", "energy-", "plate")


def shatter(*args):
    done = subprocess.run(["bin/shatter", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("bin/shatter %s failed (%d):\n%s" % (" ".join(args), done.returncode, done.stderr))
    return done.stdout


def real(options, seed, out, name):
    """The run's summary and trace, and the CPU seconds and wall seconds the whole command took."""
    trace, summary = os.path.join(out, name + ".trace.json"), os.path.join(out, name + ".json")
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    shatter("run", "heat", *options.split(), "--seed", str(seed), "--no-progress", "--run-dir", os.path.join(out, name + ".run"),
            "--trace", trace, "--summary-json", summary)
    wall, after = time.monotonic() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(summary) as f, open(trace) as t:
        return json.load(f), json.load(t), cpu, wall


def completed_slices(trace):
    return [e for e in trace["traceEvents"] if e["ph"] == "X" and e.get("args", {}).get("outcome") == "completed"]


def calibrate(summary, trace):
    """Mean duration per kind, the gap per shard, the start-up (all in seconds) from a one-rank run."""
    slices = completed_slices(trace)
    means = {}
    for kind in KINDS:
        durations = [e["dur"] / 1e6 for e in slices if e["name"].startswith(kind)]
        if durations:
            means[kind] = statistics.mean(durations)
    startup = min(e["ts"] for e in slices) / 1e6
    busy = sum(e["dur"] for e in slices) / 1e6
    gap = max(0.0, (summary["makespan_s"] - startup - busy) / len(slices))
    return means, gap, startup


def simulate(options, seed, means, gap, startup, state_bytes, sweeps, cpus, out, name):
    summary = os.path.join(out, name + ".sim.json")
    durations = []
    for kind, mean in means.items():
        durations += ["--duration-of", "%s=%dus" % (kind, round((mean + gap) * 1e6))]
    shatter("simulate", "heat", *options.split(), "--sweeps", str(sweeps), "--seed", str(seed), "--no-progress",
            "--host-cpus", "%.3f" % cpus, "--state-bytes", str(state_bytes), *durations, "--summary-json", summary)
    with open(summary) as f:
        s = json.load(f)
    s["makespan_s"] += startup
    return s


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sweeps", type=int, default=200, help="sweeps per tile and step (200: tiles of about 10 ms)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--rows", nargs="*", default=ROWS, help="'shatter run heat' options, one row each")
    p.add_argument("--out", default=None, help="where runs, traces and summaries go (default: a temporary directory)")
    p.add_argument("--runtime-cpus", type=float, default=None,
                   help="CPUs the runtime's own threads take (default: measured on the one-rank run; 0 leaves them out)")
    a = p.parse_args()
    out = a.out or tempfile.mkdtemp(prefix="shatter-fidelity-")
    os.makedirs(out, exist_ok=True)
    cpus = os.cpu_count()
    sweeps = "--sweeps %d" % a.sweeps
    base, base_trace, base_cpu, base_wall = real("--ranks 1 --reserved 1 " + sweeps, a.seed, out, "calibration")
    means, gap, startup = calibrate(base, base_trace)
    busy = sum(e["dur"] for e in completed_slices(base_trace)) / 1e6
    runtime_cpus = a.runtime_cpus if a.runtime_cpus is not None else max(0.0, (base_cpu - busy) / base_wall)
    lanes_cpus = max(1.0, cpus - runtime_cpus)
    print("calibration (one rank, --sweeps %d): %s; gap %.2f ms per shard; start-up %.3f s; host CPUs %d, the runtime's "
          "threads %.2f (%.2f s CPU, %.2f s of it shards, in %.2f s): --host-cpus %.2f"
          % (a.sweeps, ", ".join("%s %.2f ms" % (k, v * 1e3) for k, v in means.items()), gap * 1e3, startup, cpus,
             runtime_cpus, base_cpu, busy, base_wall, lanes_cpus))
    print()
    print("| `OPTIONS` | shards real / sim | attempts real / sim | revocations real / sim | preemptions real / sim "
          "| lost work real / sim (s) | makespan real / sim (s) | sim / real |")
    print("|---|---|---|---|---|---|---|---|")
    worst = 0.0
    for i, row in enumerate(a.rows):
        r, _, _, _ = real(row + " " + sweeps, a.seed, out, "row%d" % i)
        state_bytes = r["checkpoint_bytes"] // r["checkpoints_saved"] if r["checkpoints_saved"] else 0
        s = simulate(row, a.seed, means, gap, startup, state_bytes, a.sweeps, lanes_cpus, out, "row%d" % i)
        ratio = s["makespan_s"] / r["makespan_s"]
        worst = max(worst, abs(ratio - 1))
        print("| `%s` | %d / %d | %d / %d | %d / %d | %d / %d | %.3f / %.3f | %.2f / %.2f | %.2f |" % (
            row + " " + sweeps, r["shards_completed"], s["shards_completed"], r["attempts"], s["attempts"], r["revocations"],
            s["revocations"], r["preemptions"], s["preemptions"], r["lost_work_s"], s["lost_work_s"], r["makespan_s"],
            s["makespan_s"], ratio))
    print()
    print("largest makespan difference: %.0f%%; runs in %s" % (worst * 100, out))


if __name__ == "__main__":
    main()
