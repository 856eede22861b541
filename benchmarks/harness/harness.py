"""Runs every (system, grain) cell of the side-by-side benchmark, prints the table and writes the CSV.

Started by run.sh (which builds the distribution first); stdlib only. Each cell is one command,
run with a deadline in its own process group; its output goes to OUT/<grain>-<system>.log. A system
that is not installed, or a Shatter transport this build does not have yet, gives an
"unavailable: <why>" cell instead of stopping the run.
"""
import argparse
import csv
import json
import os
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time

SYSTEMS = ["shatter-local", "shatter-openmpi", "shatter-mpj", "mpi4py", "dask"]
PEERS = ["mpi4py", "dask"]
# Each peer cell also sweeps the tasks per message (mpi4py: map's chunksize; Dask: tasks per
# submitted batch); its best is reported as a row of its own beside the one-task-per-message row.
CHUNKS = "1,16,64,256,1024"
BEST_ROW = {"mpi4py": "mpi4py-best", "dask": "dask-batched"}
# Same counts for every system; sized so that the slowest peer's cell stays under a minute here.
DEFAULT_TASKS = "0=20000,100us=20000,1ms=20000,10ms=1200"
WORKERS = 2
# The issue's bars, untuned Shatter with 2 workers: at least mpi4py.futures' best chunksize at these
# grains (us), and this efficiency at 1 ms.
BAR_VS_MPI4PY_BEST_GRAINS = (0, 100, 1000)
BAR_EFFICIENCY_1MS = {"shatter-local": 0.95, "shatter-openmpi": 0.93}


def grain_us(text):
    """'0', '100us', '1ms', '10ms', '0.5s' -> microseconds."""
    t = text.strip().lower()
    for unit, factor in (("us", 1), ("ms", 1e3), ("s", 1e6)):
        if t.endswith(unit) and t[:-len(unit)].replace(".", "", 1).isdigit():
            return float(t[:-len(unit)]) * factor
    if t.replace(".", "", 1).isdigit() and float(t) == 0:
        return 0.0
    raise argparse.ArgumentTypeError(f"'{text}' is not a grain: write 0, or a number with us, ms or s (e.g. 100us)")


def grain_label(us):
    if us == 0:
        return "0"
    if us >= 1000 and us % 1000 == 0:
        return f"{int(us // 1000)}ms"
    return f"{us:g}us"


def parse_options():
    p = argparse.ArgumentParser(prog="run.sh", description="Shatter vs mpi4py.futures and Dask: tasks/s, efficiency, ratios.")
    p.add_argument("--root", required=True, help=argparse.SUPPRESS)
    p.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated subset of {','.join(SYSTEMS)} (default: all)")
    p.add_argument("--grains", default="0,100us,1ms,10ms", help="busy work per task (default: %(default)s)")
    p.add_argument("--tasks", default=DEFAULT_TASKS, help="tasks per grain, the same for every system (default: %(default)s)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every task count (e.g. 0.1 for a quick smoke run)")
    p.add_argument("--repeat", type=int, default=1, help="runs per cell; the median by tasks/s is reported (default: 1)")
    p.add_argument("--timeout", type=float, default=600, help="seconds one run may take before it is killed (default: %(default)s)")
    p.add_argument("--shatter-warmup", type=int, default=0, metavar="N",
                   help="Shatter rows first run N untimed tasks in the same JVM (JIT-warm figures; default 0: cold)")
    p.add_argument("--csv", help="CSV to write (default: benchmarks/harness/results.csv)")
    p.add_argument("--out", help="directory for logs and summaries (default: benchmarks/target/harness)")
    p.add_argument("--install-peers", action="store_true", help="run scripts/install-peers.sh first (handled by run.sh)")
    o = p.parse_args()
    o.systems = [s.strip() for s in o.systems.split(",") if s.strip()]
    unknown = [s for s in o.systems if s not in SYSTEMS]
    if unknown:
        p.error(f"unknown system(s) {unknown}: choose from {','.join(SYSTEMS)}")
    o.grains = [grain_us(g) for g in o.grains.split(",")]
    counts = {}
    for item in o.tasks.split(","):
        g, _, n = item.partition("=")
        if not n.strip().isdigit() or int(n) < 1:
            p.error(f"--tasks item '{item}' is not GRAIN=COUNT with a positive count (e.g. 1ms=4000)")
        counts[grain_us(g)] = int(n)
    missing = [grain_label(g) for g in o.grains if g not in counts]
    if missing:
        p.error(f"no task count for grain(s) {missing}: add them to --tasks (e.g. --tasks {missing[0]}=1000)")
    if o.scale <= 0 or o.repeat < 1 or o.timeout <= 0 or o.shatter_warmup < 0:
        p.error("--scale and --timeout must be positive, --repeat at least 1 and --shatter-warmup not negative")
    o.counts = {g: max(1, int(round(counts[g] * o.scale))) for g in o.grains}
    o.csv = o.csv or os.path.join(o.root, "benchmarks", "harness", "results.csv")
    o.out = o.out or os.path.join(o.root, "benchmarks", "target", "harness")
    return o


class Harness:
    def __init__(self, o):
        self.o = o
        self.root = o.root
        self.here = os.path.join(o.root, "benchmarks", "harness")
        self.python = os.environ.get("SHATTER_PYTHON", "/usr/bin/python3")
        self.shatter = os.path.join(o.root, "bin", "shatter")
        self.env = dict(os.environ)
        self.env.update(self.mpi_env())
        self.root_user = os.geteuid() == 0
        self.why_unavailable = {}

    def mpi_env(self):
        """What scripts/install-mpi.sh exported (SHATTER_MPI_JAR, MPJ_HOME), if it ran."""
        env_sh = os.environ.get("SHATTER_PREFIX", "/opt/shatter") + "/env.sh"
        if not os.path.exists(env_sh):
            return {}
        out = subprocess.run(["bash", "-c", f". {shlex.quote(env_sh)} && env -0"], capture_output=True)
        pairs = (kv.split("=", 1) for kv in out.stdout.decode().split("\0") if "=" in kv)
        return {k: v for k, v in pairs if k in ("SHATTER_MPI_JAR", "MPJ_HOME")}

    def mpirun_flags(self):
        # 3 processes on 2 cores needs --oversubscribe; root needs --allow-run-as-root.
        return (["--allow-run-as-root"] if self.root_user else []) + ["--oversubscribe"]

    # ------------------------------------------------------------------ availability

    def unavailable(self, system):
        """Why the system cannot run here, or None."""
        if system not in self.why_unavailable:
            self.why_unavailable[system] = self.check(system)
        return self.why_unavailable[system]

    def check(self, system):
        if system.startswith("shatter") and not shutil.which("java"):
            return "java missing: install a Java 17 JDK"
        if system == "shatter-openmpi":
            if not shutil.which("mpirun"):
                return "mpirun missing: run scripts/install-mpi.sh"
            jar = self.env.get("SHATTER_MPI_JAR")
            if not jar or not os.path.exists(jar):
                return "Open MPI's mpi.jar missing: run scripts/install-mpi.sh"
        if system == "shatter-mpj":
            home = self.env.get("MPJ_HOME")
            if not home or not os.path.isdir(home):
                return "MPJ Express missing (no MPJ_HOME): run scripts/install-mpi.sh"
            helptext = subprocess.run([self.shatter, "run", "bench", "--help"], capture_output=True, text=True, env=self.env)
            if "--mpj" not in helptext.stdout + helptext.stderr:
                return "this shatter build has no --mpj option (MPJ Express launch not merged yet)"
        if system in PEERS:
            module = "mpi4py.futures" if system == "mpi4py" else "distributed"
            probe = subprocess.run([self.python, "-c", f"import {module}"], capture_output=True, text=True)
            if probe.returncode != 0:
                return f"{self.python} cannot import {module}: run scripts/install-peers.sh (or run.sh --install-peers)"
            if system == "mpi4py" and not shutil.which("mpiexec"):
                return "mpiexec missing: run scripts/install-mpi.sh"
        return None

    # ------------------------------------------------------------------ commands

    def command(self, system, grain, tasks, tag):
        label = grain_label(grain)
        if system.startswith("shatter"):
            shatter_args = ["run", "bench", "--tasks", str(tasks), "--grain", label, "--ranks", str(WORKERS), "--verify",
                            "--no-progress", "--summary-json", os.path.join(self.o.out, tag + ".summary.json"),
                            "--run-dir", os.path.join(self.o.out, "run-" + tag)]
            if self.o.shatter_warmup:
                shatter_args += ["--warmup", str(self.o.shatter_warmup)]
            if system == "shatter-local":
                return [self.shatter] + shatter_args
            if system == "shatter-openmpi":
                return ["mpirun"] + self.mpirun_flags() + ["-np", str(WORKERS + 1), self.shatter] + shatter_args
            return [self.shatter] + shatter_args[:2] + ["--mpj"] + shatter_args[2:]
        peer_args = ["--tasks", str(tasks), "--grain-us", f"{grain:g}", "--chunks", CHUNKS]
        if system == "mpi4py":
            return (["mpiexec"] + self.mpirun_flags() + ["-n", str(WORKERS + 1), self.python, "-m", "mpi4py.futures",
                     os.path.join(self.here, "peer_mpi4py.py")] + peer_args)
        return [self.python, os.path.join(self.here, "peer_dask.py"), "--workers", str(WORKERS)] + peer_args

    def run_once(self, system, grain, tasks, tag):
        cmd = self.command(system, grain, tasks, tag)
        log_path = os.path.join(self.o.out, tag + ".log")
        busy_before, ours_before = busy_cpu_seconds(), children_cpu_seconds()
        started = time.perf_counter()
        with open(log_path, "w") as log:
            log.write("$ " + shlex.join(cmd) + "\n")
            log.flush()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env,
                                    cwd=self.o.out, start_new_session=True)
            try:
                output, _ = proc.communicate(timeout=self.o.timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the whole group: mpirun's ranks, Dask's workers
                output, _ = proc.communicate()
                timed_out = True
            wall = time.perf_counter() - started
            log.write(output)
        # The machine is shared: how many cores other processes kept busy meanwhile (0 = quiet,
        # 1 = a whole core of 2 taken), so that a contended cell can be told from a slow system.
        others = (busy_cpu_seconds() - busy_before) - (children_cpu_seconds() - ours_before)
        cell = {"command": shlex.join(cmd), "wall_s": wall, "log": log_path, "other_load": max(0.0, others / wall)}
        lines = output.splitlines()
        figures = [json.loads(l[len("bench: "):]) for l in lines if l.startswith("bench: {")]
        last = next((l for l in reversed(lines) if l.strip()), "no output")
        if timed_out:
            cell["status"] = f"failed: killed after {self.o.timeout:g} s (see {log_path})"
        elif system == "shatter-openmpi" and len(figures) > 1:
            cell["status"] = ("unavailable: every mpirun rank ran its own local run "
                              "(this build has no Open MPI launch yet)")
        elif proc.returncode != 0 or not figures or (system.startswith("shatter")
                                                             and not any(l.startswith("verified:") for l in lines)):
            cell["status"] = f"failed: exit {proc.returncode}, last line: {last[:200]} (see {log_path})"
        elif system in PEERS and [f.get("chunk") for f in figures] == [int(c) for c in CHUNKS.split(",")]:
            cell["status"] = "ok"
            cell.update(figures[0])
            best = max(figures[1:], key=lambda f: f["tasks_per_s"])
            cell["best"] = dict(cell, **best, config=f"chunk={best['chunk']}")
        elif len(figures) != 1:
            cell["status"] = f"failed: {len(figures)} figure lines, expected 1 (see {log_path})"
        else:
            cell["status"] = "ok"
            cell.update(figures[0])
        return cell

    def run_cell(self, system, grain, tasks):
        why = self.unavailable(system)
        if why:
            return {"status": "unavailable: " + why, "command": shlex.join(self.command(system, grain, tasks, "x"))}
        runs = []
        for r in range(self.o.repeat):
            tag = f"{grain_label(grain)}-{system}" + (f"-{r + 1}" if self.o.repeat > 1 else "")
            cell = self.run_once(system, grain, tasks, tag)
            if cell["status"].startswith("unavailable: "):
                self.why_unavailable[system] = cell["status"][len("unavailable: "):]  # no use trying other grains
            if cell["status"] != "ok":
                return cell
            runs.append(cell)
        runs.sort(key=lambda c: c["tasks_per_s"])
        median = dict(runs[len(runs) // 2])
        if len(runs) > 1:
            median["runs_tasks_per_s"] = [c["tasks_per_s"] for c in runs]
            if system in PEERS:
                bests = sorted((c["best"] for c in runs), key=lambda c: c["tasks_per_s"])
                median["best"] = dict(bests[len(bests) // 2], runs_tasks_per_s=[c["tasks_per_s"] for c in bests])
        return median


def busy_cpu_seconds():
    """CPU seconds all processes on this machine have used since boot (from /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fmt(value, pattern):
    return "" if value is None else pattern.format(value)


def main():
    o = parse_options()
    os.makedirs(o.out, exist_ok=True)
    h = Harness(o)
    results = {}
    for grain in o.grains:
        for system in o.systems:
            tasks = o.counts[grain]
            print(f"[harness] {system:16s} grain {grain_label(grain):>5s}, {tasks} tasks ...", file=sys.stderr, flush=True)
            cell = h.run_cell(system, grain, tasks)
            cell.update(system=system, grain_us=grain, tasks=tasks)
            results[(system, grain)] = cell
            if system in PEERS:
                best = cell.pop("best", None) or dict(cell, status=cell["status"] if cell["status"] != "ok" else "failed: no sweep")
                best.update(system=BEST_ROW[system], grain_us=grain, tasks=tasks)
                results[(BEST_ROW[system], grain)] = best
            if cell["status"] == "ok":
                print(f"[harness]   {cell['tasks_per_s']:,.0f} tasks/s, efficiency {cell['efficiency']:.3f}, "
                      f"wall {cell['wall_s']:.2f} s, others {cell['other_load']:.2f} cores", file=sys.stderr, flush=True)
            else:
                print(f"[harness]   {cell['status']}", file=sys.stderr, flush=True)

    rows = []
    for system in o.systems:
        rows.append(system)
        if system in PEERS:
            rows.append(BEST_ROW[system])
    # Ratios: Shatter's tasks/s over each peer's, at the same grain and task count.
    for (system, grain), cell in results.items():
        for peer in PEERS + list(BEST_ROW.values()):
            other = results.get((peer, grain))
            ok = cell["status"] == "ok" and other and other["status"] == "ok"
            cell[f"ratio_vs_{peer.replace('-', '_')}"] = cell["tasks_per_s"] / other["tasks_per_s"] if ok and system.startswith("shatter") else None

    columns = ["system", "grain", "tasks", "workers", "in_pool_s", "tasks_per_s", "efficiency", "wall_s", "startup_s",
               "join_s", "warmup_tasks", "other_load", "ratio_vs_mpi4py", "ratio_vs_mpi4py_best", "ratio_vs_dask",
               "ratio_vs_dask_batched", "config", "status", "command"]
    with open(o.csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for grain in o.grains:
            for system in rows:
                c = results[(system, grain)]
                startup = c.get("jvm_startup_s", c.get("startup_s"))
                w.writerow([system, grain_label(grain), c["tasks"], c.get("workers", WORKERS), fmt(c.get("in_pool_s"), "{:.4f}"),
                            fmt(c.get("tasks_per_s"), "{:.1f}"), fmt(c.get("efficiency"), "{:.4f}"), fmt(c.get("wall_s"), "{:.3f}"),
                            fmt(startup, "{:.3f}"), fmt(c.get("join_s"), "{:.3f}"), c.get("warmup_tasks", ""),
                            fmt(c.get("other_load"), "{:.2f}"), fmt(c.get("ratio_vs_mpi4py"), "{:.3f}"),
                            fmt(c.get("ratio_vs_mpi4py_best"), "{:.3f}"), fmt(c.get("ratio_vs_dask"), "{:.3f}"),
                            fmt(c.get("ratio_vs_dask_batched"), "{:.3f}"), c.get("config", "chunk=1" if system in PEERS else "untuned"),
                            c["status"], c["command"]])

    header = (f"{'system':16s} {'config':>10s} {'grain':>6s} {'tasks':>6s} {'tasks/s':>10s} {'effic.':>7s} {'in-pool s':>9s} {'wall s':>7s} "
              f"{'vs mpi4py':>9s} {'vs best':>8s} {'vs dask':>8s} {'vs batch':>8s} {'others':>6s}")
    print(header)
    print("-" * len(header))
    for grain in o.grains:
        for system in rows:
            c = results[(system, grain)]
            config = c.get("config", "chunk=1" if system in PEERS else "untuned")
            if c["status"] != "ok":
                print(f"{system:16s} {config:>10s} {grain_label(grain):>6s} {c['tasks']:>6d}  {c['status']}")
                continue
            eff = "-" if grain == 0 else f"{c['efficiency']:.3f}"
            ratios = "".join(f" {fmt(c.get('ratio_vs_' + k), '{:.2f}x'):>{w}s}" for k, w in
                             (("mpi4py", 9), ("mpi4py_best", 8), ("dask", 8), ("dask_batched", 8)))
            print(f"{system:16s} {config:>10s} {grain_label(grain):>6s} {c['tasks']:>6d} {c['tasks_per_s']:>10,.0f} {eff:>7s} "
                  f"{c['in_pool_s']:>9.3f} {c['wall_s']:>7.2f}{ratios} {c['other_load']:>6.2f}")
    print()
    print("tasks/s and efficiency: from the first submit to the last result, the pool already up "
          "(efficiency = tasks x grain / (in-pool time x 2 workers)); wall s: the whole command, startup included;\n"
          "others: cores other processes on this machine kept busy during the cell (contention; 0 = quiet).")
    for system in [s for s in o.systems if s.startswith("shatter")]:
        verdicts = []
        for g in BAR_VS_MPI4PY_BEST_GRAINS:
            c = results.get((system, float(g)))
            if c and c.get("ratio_vs_mpi4py_best") is not None:
                r = c["ratio_vs_mpi4py_best"]
                best = results[("mpi4py-best", float(g))].get("config")
                verdicts.append(f"{grain_label(g)}: {r:.2f}x mpi4py's best ({best}; {'meets' if r >= 1 else 'misses'} >= 1x)")
        c = results.get((system, 1000.0))
        if c and c["status"] == "ok" and system in BAR_EFFICIENCY_1MS:
            bar = BAR_EFFICIENCY_1MS[system]
            verdicts.append(f"1ms efficiency {c['efficiency']:.3f} ({'meets' if c['efficiency'] >= bar else 'misses'} >= {bar})")
        if verdicts:
            print(f"bars ({system}): " + "; ".join(verdicts))
    print(f"CSV: {o.csv}; logs: {o.out}")


if __name__ == "__main__":
    main()
