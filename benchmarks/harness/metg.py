"""METG(50%) sweep: Task Bench's figure of merit for Shatter and its peers, one run, same graph.

Started by run.sh metg (which builds the distribution first); stdlib only. For each system and
pattern, the kernel's iterations are swept down from a long task; each point's efficiency is the
achieved kernel rate over the kernel's rate in one long task on one core (measured first, per
language) times the workers, and its task granularity is in-pool time x workers / tasks (Task
Bench's definition). METG(50%) is the smallest granularity that still reached 0.5, interpolated
towards the next point of the sweep (log granularity, linear in efficiency).
"""
import argparse
import csv
import json
import math
import os
import shlex
import signal
import subprocess
import sys
import time

from harness import Harness, busy_cpu_seconds, children_cpu_seconds

SYSTEMS = ["shatter-local", "shatter-openmpi", "shatter-mpj", "java-threads", "mpi4py-p2p", "dask"]
JAVA = {"shatter-local", "shatter-openmpi", "shatter-mpj", "java-threads"}
PATTERNS = ["trivial", "no_comm", "stencil_1d", "stencil_1d_periodic", "dom", "tree", "fft", "all_to_all", "nearest:3", "nearest:5"]
WORKERS = 2
# The bars for stencil_1d, width 2 x 1000 steps, 2 workers.
BAR_METG_US = {"shatter-local": 20.0, "shatter-openmpi": 40.0}
BAR_VS_DASK = 50.0
DASK_LONGER = 10


def parse_options():
    p = argparse.ArgumentParser(prog="run.sh metg", description="METG(50%) per Task Bench pattern: Shatter vs plain Java threads, mpi4py, Dask.")
    p.add_argument("--root", required=True, help=argparse.SUPPRESS)
    p.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of %(default)s")
    p.add_argument("--patterns", default=",".join(PATTERNS), help="comma-separated; nearest:R is nearest with --radix R (default: %(default)s)")
    p.add_argument("--width", type=int, default=2, help="points per step (default: %(default)s)")
    p.add_argument("--steps", type=int, default=1000, help="time steps, fewer for long tasks (see --busy) (default: %(default)s)")
    p.add_argument("--max-task-us", type=float, default=10000, help="the first, longest task of each sweep (default: %(default)s)")
    p.add_argument("--factor", type=float, default=math.sqrt(10), help="iterations shrink by this per point (default: sqrt 10)")
    p.add_argument("--busy", type=float, default=1.0,
                   help="seconds of kernel work per worker a point may take at most: long tasks run fewer steps (default: %(default)s)")
    p.add_argument("--min-steps", type=int, default=50, help="never fewer steps than this (default: %(default)s)")
    p.add_argument("--stop-below", type=float, default=0.2, help="a sweep ends after two points in a row below this efficiency (default: %(default)s)")
    p.add_argument("--shatter-warmup", type=int, default=0, metavar="STEPS",
                   help="shatter-local first runs the same pattern over STEPS steps, untimed, in the same JVM (as java-threads "
                        "does one untimed run): the JIT has compiled the broker and worker paths (default: 0, a cold JVM)")
    p.add_argument("--timeout", type=float, default=300, help="seconds one run may take (default: %(default)s)")
    p.add_argument("--csv", help="CSV of every point (default: benchmarks/harness/metg.csv)")
    p.add_argument("--out", help="logs (default: benchmarks/target/metg)")
    o = p.parse_args()
    o.systems = [s.strip() for s in o.systems.split(",") if s.strip()]
    bad = [s for s in o.systems if s not in SYSTEMS]
    if bad:
        p.error(f"unknown system(s) {bad}: choose from {','.join(SYSTEMS)}")
    o.patterns = [x.strip() for x in o.patterns.split(",") if x.strip()]
    for pat in o.patterns:
        kind, _, radix = pat.partition(":")
        if kind not in [q.partition(":")[0] for q in PATTERNS] or (radix and not radix.isdigit()):
            p.error(f"unknown pattern {pat!r}: choose from {','.join(PATTERNS)} (nearest:R for any radix R)")
    if o.shatter_warmup < 0:
        p.error("--shatter-warmup must not be negative")
    if o.width < 1 or o.steps < 1 or o.factor <= 1 or o.busy <= 0 or o.max_task_us <= 0:
        p.error("--width and --steps must be at least 1, --factor above 1, --busy and --max-task-us positive")
    o.csv = o.csv or os.path.join(o.root, "benchmarks", "harness", "metg.csv")
    o.out = o.out or os.path.join(o.root, "benchmarks", "target", "metg")
    return o


class Sweep:
    def __init__(self, o):
        self.o = o
        self.here = os.path.join(o.root, "benchmarks", "harness")
        self.python = os.environ.get("SHATTER_PYTHON", "/usr/bin/python3")
        self.shatter = os.path.join(o.root, "bin", "shatter")
        self.jar = os.path.join(o.root, "cli", "target", "shatter.jar")
        # Availability and the MPI environment come from the task-farm harness, so both agree.
        self.h = Harness(argparse.Namespace(root=o.root, out=o.out, timeout=o.timeout, shatter_warmup=0, repeat=1))
        self.rates = {}

    def unavailable(self, system):
        if system == "java-threads":
            return None if os.path.exists(self.jar) else f"{self.jar} missing: build with mvn package -pl cli -am"
        if system == "mpi4py-p2p":
            return self.h.unavailable("mpi4py")
        return self.h.unavailable("dask" if system == "dask" else system)

    def command(self, system, kind, radix, steps, iterations, tag):
        args = ["--type", kind, "--width", str(self.o.width), "--steps", str(steps), "--iterations", str(iterations)]
        if kind == "nearest":
            args += ["--radix", str(radix)]
        if system.startswith("shatter"):
            sa = ["run", "taskbench"] + args + ["--ranks", str(WORKERS), "--verify", "--no-progress",
                                                 "--run-dir", os.path.join(self.o.out, "run-" + tag)]
            if system == "shatter-local":
                # Open MPI and MPJ stay cold: a second run in one MPI world waits for ranks that already left.
                return [self.shatter] + sa + (["--warmup", str(self.o.shatter_warmup)] if self.o.shatter_warmup else [])
            if system == "shatter-openmpi":
                return ["mpirun"] + self.h.mpirun_flags() + ["-np", str(WORKERS + 1), self.shatter] + sa
            return [self.shatter] + sa[:2] + ["--mpj"] + sa[2:]
        if system == "java-threads":
            return ["java", "-cp", self.jar, "io.shatter.cli.workloads.TaskBenchThreads"] + args + ["--workers", str(WORKERS), "--verify"]
        if system == "mpi4py-p2p":
            return (["mpiexec"] + self.h.mpirun_flags() + ["-n", str(WORKERS), self.python,
                                                          os.path.join(self.here, "peer_taskbench_mpi4py.py")] + args)
        return [self.python, os.path.join(self.here, "peer_taskbench_dask.py"), "--workers", str(WORKERS)] + args

    def run(self, cmd, tag):
        """Runs one command in its own process group; (lines, exit code or None if killed, wall s, others' load)."""
        log_path = os.path.join(self.o.out, tag + ".log")
        busy0, ours0 = busy_cpu_seconds(), children_cpu_seconds()
        t0 = time.perf_counter()
        with open(log_path, "w") as log:
            log.write("$ " + shlex.join(cmd) + "\n")
            log.flush()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.h.env,
                                    cwd=self.o.out, start_new_session=True)
            try:
                out, _ = proc.communicate(timeout=self.o.timeout)
                code = proc.returncode
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, _ = proc.communicate()
                code = None
            log.write(out)
        wall = time.perf_counter() - t0
        others = (busy_cpu_seconds() - busy0) - (children_cpu_seconds() - ours0)
        return out.splitlines(), code, wall, max(0.0, others / wall), log_path

    def rate(self, language):
        """The kernel's iterations/s in one long task on one core, per language: the best of three
        measurements (on a shared machine the fastest is the one least disturbed by others)."""
        if language not in self.rates:
            best = None
            for i in range(3):
                if language == "java":
                    n = 400_000_000
                    cmd = ["java", "-cp", self.jar, "io.shatter.cli.workloads.TaskBenchThreads", "--type", "trivial", "--width", "1",
                           "--steps", "1", "--iterations", str(n), "--workers", "1", "--warmup", "1"]
                    lines, code, *_ = self.run(cmd, f"calibrate-java-{i + 1}")
                    fig = parse(lines, "taskbench: ")
                    rate = n / fig["in_pool_s"] if code == 0 and fig else None
                else:
                    lines, code, *_ = self.run([self.python, os.path.join(self.here, "peer_taskbench_dask.py"), "--calibrate"],
                                               f"calibrate-python-{i + 1}")
                    fig = parse(lines, "calibrate: ")
                    rate = fig["iterations_per_s"] if code == 0 and fig else None
                if rate and (best is None or rate > best):
                    best = rate
            self.rates[language] = best
            print(f"[metg] kernel rate ({language}, one core, one long task, best of 3): {best or 0:,.0f} iterations/s",
                  file=sys.stderr, flush=True)
        return self.rates[language]

    def sweep(self, system, pattern):
        """Every point of one (system, pattern) sweep, longest task first."""
        kind, _, radix = pattern.partition(":")
        radix = int(radix or 3)
        rate = self.rate("java" if system in JAVA else "python")
        if not rate:
            return [{"status": "failed: the kernel's rate could not be measured (see calibrate-*.log)"}]
        points = []
        # Dask's overhead is milliseconds: its sweep starts at longer tasks, so that it crosses 50% too.
        longest_us = self.o.max_task_us * (DASK_LONGER if system == "dask" else 1)
        iterations = max(1, round(longest_us * 1e-6 * rate))
        per_step = tasks_per_step(kind, self.o.width, self.o.steps, radix)
        while iterations >= 1:
            task_s = iterations / rate
            steps = min(self.o.steps, max(self.o.min_steps, math.ceil(self.o.busy * WORKERS / (per_step * task_s))))
            tag = f"{system}-{pattern.replace(':', '')}-{iterations}"
            cmd = self.command(system, kind, radix, steps, iterations, tag)
            lines, code, wall, others, log = self.run(cmd, tag)
            fig = parse(lines, "taskbench: ")
            point = {"system": system, "pattern": pattern, "iterations": iterations, "steps": steps, "wall_s": wall,
                     "other_load": others, "command": shlex.join(cmd)}
            verified = not system.startswith("shatter") or any(l.startswith("verified:") for l in lines)
            if code != 0 or not fig or not verified:
                last = next((l for l in reversed(lines) if l.strip()), "no output")
                point["status"] = f"failed: exit {code}, last line: {last[:160]} (see {log})"
                points.append(point)
                break
            tasks, in_pool = fig["tasks"], fig["in_pool_s"]
            point.update(status="ok", tasks=tasks, in_pool_s=in_pool,
                         efficiency=tasks * iterations / in_pool / (WORKERS * rate),
                         granularity_us=in_pool * WORKERS / tasks * 1e6)
            points.append(point)
            print(f"[metg]   {system:16s} {pattern:20s} {iterations:>10d} it x {tasks:>5d} tasks: efficiency {point['efficiency']:.3f}, "
                  f"granularity {point['granularity_us']:,.1f} us, others {others:.2f}", file=sys.stderr, flush=True)
            # Two points in a row below the floor end the sweep (one may be a moment of contention).
            if point["efficiency"] < self.o.stop_below and len(points) > 1 and points[-2].get("efficiency", 1) < self.o.stop_below:
                break
            nxt = int(iterations / self.o.factor)
            iterations = nxt if nxt < iterations else iterations - 1
        return points


def tasks_per_step(kind, width, steps, radix):
    """Mean points per step (dom and tree steps are narrower), for sizing a point's steps."""
    if kind == "dom":
        return max(1.0, sum(min(width, t + 1, steps - t) for t in range(steps)) / steps)
    if kind == "tree":
        return max(1.0, sum(min(width, 1 << min(t, 62)) for t in range(steps)) / steps)
    return float(width)


def parse(lines, prefix):
    found = [json.loads(l[len(prefix):]) for l in lines if l.startswith(prefix + "{")]
    return found[-1] if found else None


def metg(points):
    """(METG in us, how): the smallest granularity that still reached 50% (the last point at or above
    0.5, sweeping down), interpolated towards the next point; a bound when no point or every point did."""
    ok = [p for p in points if p.get("status") == "ok"]
    if not ok:
        return None, "no point"
    above = [i for i, p in enumerate(ok) if p["efficiency"] >= 0.5]
    if not above:
        return max(p["granularity_us"] for p in ok), "above (never reached 50%)"
    i = above[-1]
    if i == len(ok) - 1:
        return ok[i]["granularity_us"], "below (never under 50%)"
    a, b = ok[i], ok[i + 1]
    la, lb = math.log(a["granularity_us"]), math.log(b["granularity_us"])
    x = (0.5 - a["efficiency"]) / (b["efficiency"] - a["efficiency"])
    return math.exp(la + x * (lb - la)), "interpolated"


def main():
    o = parse_options()
    os.makedirs(o.out, exist_ok=True)
    s = Sweep(o)
    rows, all_points = {}, []
    for pattern in o.patterns:
        for system in o.systems:
            why = s.unavailable(system)
            if why:
                rows[(system, pattern)] = (None, "unavailable: " + why)
                continue
            print(f"[metg] {system} {pattern} ...", file=sys.stderr, flush=True)
            points = s.sweep(system, pattern)
            all_points += points
            failed = [p for p in points if p.get("status", "").startswith("failed")]
            value, how = metg(points)
            rows[(system, pattern)] = (value, how if not failed or value is not None else failed[0]["status"])
    cols = ["system", "pattern", "iterations", "steps", "tasks", "in_pool_s", "efficiency", "granularity_us", "wall_s", "other_load", "status", "command"]
    with open(o.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(all_points)
    print(f"METG(50%) in microseconds; width {o.width}, {o.steps} steps (fewer for long tasks, at least {o.min_steps}), {WORKERS} workers")
    header = f"{'pattern':20s}" + "".join(f"{x:>17s}" for x in o.systems)
    print(header)
    print("-" * len(header))
    for pattern in o.patterns:
        cells = []
        for system in o.systems:
            value, how = rows[(system, pattern)]
            mark = "" if how == "interpolated" else "<" if how.startswith("below") else ">" if how.startswith("above") else ""
            cells.append(f"{mark}{value:,.1f}" if value is not None else how.split(":")[0])
        print(f"{pattern:20s}" + "".join(f"{c:>17s}" for c in cells))
    for system in [x for x in o.systems if x.startswith("shatter")]:
        value, how = rows.get((system, "stencil_1d"), (None, ""))
        dask, dask_how = rows.get(("dask", "stencil_1d"), (None, ""))
        if value is None:
            continue
        verdict = f"stencil_1d METG {value:.1f} us ({how})"
        if system in BAR_METG_US:
            verdict += f" ({'meets' if value <= BAR_METG_US[system] else 'misses'} <= {BAR_METG_US[system]:g} us)"
        if dask:
            r = dask / value
            # Dask's '>X' (never at 50%) or Shatter's '<X' make the ratio a lower bound only.
            bound = dask_how.startswith("above") or how.startswith("below")
            verdict += (f"; {'at least ' if bound else ''}{r:.0f}x smaller than Dask's "
                        f"({'meets' if r >= BAR_VS_DASK else 'misses' if not bound else 'undecided'} >= {BAR_VS_DASK:g}x)")
        print(f"bars ({system}): {verdict}")
    for system in o.systems:
        shown = [p for p in all_points if p["system"] == system and p.get("status") == "ok"]
        if shown:
            load = sum(p["other_load"] for p in shown) / len(shown)
            print(f"others ({system}): {load:.2f} cores busy with other processes on average during its runs")
    print(f"CSV: {o.csv}; logs: {o.out}")


if __name__ == "__main__":
    main()
