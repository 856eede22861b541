#!/usr/bin/env python3
"""The simulator beside real local runs of the same small configurations (issue: fidelity).

Calibrates once on a real one-rank run (a worker thread and the broker, so neither waits for a
CPU): the mean run time of each shard kind plus the gap the runtime leaves between one shard and
the next on a rank (the simulator pipelines assignments as the broker does, so the gap is per-shard
work, not latency), and the start-up before the first shard (added to the simulated makespan); and
per row the real run's mean checkpoint size (its summary) as the simulated state size. Then, per row, runs the real command and simulates
it with those figures and --host-cpus set to this machine's CPUs, and prints a Markdown table.

    simulator/fidelity.py [--sweeps 200] [--rows ROWS] [--out DIR]

Run from the repository root after building (bin/shatter). Each real run writes its own trace.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

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
    trace, summary = os.path.join(out, name + ".trace.json"), os.path.join(out, name + ".json")
    shatter("run", "heat", *options.split(), "--seed", str(seed), "--no-progress", "--run-dir", os.path.join(out, name + ".run"),
            "--trace", trace, "--summary-json", summary)
    with open(summary) as f, open(trace) as t:
        return json.load(f), json.load(t)


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
            "--host-cpus", str(cpus), "--state-bytes", str(state_bytes), *durations, "--summary-json", summary)
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
    a = p.parse_args()
    out = a.out or tempfile.mkdtemp(prefix="shatter-fidelity-")
    os.makedirs(out, exist_ok=True)
    cpus = os.cpu_count()
    sweeps = "--sweeps %d" % a.sweeps
    base, base_trace = real("--ranks 1 --reserved 1 " + sweeps, a.seed, out, "calibration")
    means, gap, startup = calibrate(base, base_trace)
    print("calibration (one rank, --sweeps %d): %s; gap %.2f ms per shard; start-up %.3f s; host CPUs %d"
          % (a.sweeps, ", ".join("%s %.2f ms" % (k, v * 1e3) for k, v in means.items()), gap * 1e3, startup, cpus))
    print()
    print("| `OPTIONS` | shards real / sim | attempts real / sim | revocations real / sim | preemptions real / sim "
          "| lost work real / sim (s) | makespan real / sim (s) | sim / real |")
    print("|---|---|---|---|---|---|---|---|")
    worst = 0.0
    for i, row in enumerate(a.rows):
        r, _ = real(row + " " + sweeps, a.seed, out, "row%d" % i)
        state_bytes = r["checkpoint_bytes"] // r["checkpoints_saved"] if r["checkpoints_saved"] else 0
        s = simulate(row, a.seed, means, gap, startup, state_bytes, a.sweeps, cpus, out, "row%d" % i)
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
