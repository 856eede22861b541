#!/usr/bin/env bash
# Two builds of Shatter side by side in one run: for each repeat, the harness runs the chosen cells
# on BASE (another checkout, e.g. a git worktree of an earlier commit) and on this checkout, one
# after the other, so both see the same machine; then the medians and the ratio this/base per cell.
#
#   benchmarks/harness/compare-builds.sh BASE_CHECKOUT [--repeat N] [--systems LIST] [--grains LIST]
#
# Defaults: 3 repeats of shatter-local and shatter-openmpi at no-op and 1 ms (the harness's task counts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
base="${1:?usage: compare-builds.sh BASE_CHECKOUT [--repeat N] [--systems LIST] [--grains LIST]}"
shift
repeat=3 systems=shatter-local,shatter-openmpi grains=0,1ms
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --systems) systems="$2"; shift 2 ;;
    --grains) grains="$2"; shift 2 ;;
    *) echo "compare-builds.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$base/benchmarks/harness/run.sh" ] || { echo "compare-builds.sh: $base is not a Shatter checkout" >&2; exit 2; }
out="$root/benchmarks/target/compare"
mkdir -p "$out"
for i in $(seq "$repeat"); do
  for which in base this; do
    dir=$([ "$which" = base ] && echo "$base" || echo "$root")
    "$dir/benchmarks/harness/run.sh" --systems "$systems" --grains "$grains" \
      --csv "$out/$which-$i.csv" --out "$out/$which-$i" >/dev/null
    echo "compare-builds: repeat $i, $which done" >&2
  done
done
"${SHATTER_PYTHON:-/usr/bin/python3}" - "$out" "$repeat" <<'PY'
import csv, statistics, sys
out, repeat = sys.argv[1], int(sys.argv[2])
cells = {}
for which in ("base", "this"):
    for i in range(1, repeat + 1):
        for row in csv.DictReader(open(f"{out}/{which}-{i}.csv")):
            key = (row["system"], row["grain"])
            if row["status"] != "ok":
                continue
            cells.setdefault(key, {"base": [], "this": []})[which].append(
                (float(row["tasks_per_s"]), float(row["efficiency"] or 0), float(row.get("other_load") or 0)))
print(f"{'system':16} {'grain':6} {'base tasks/s':>14} {'this tasks/s':>14} {'this/base':>9} {'base eff':>9} {'this eff':>9}  runs")
for (system, grain), v in sorted(cells.items()):
    if not v["base"] or not v["this"]:
        continue  # a row only one build's harness has (e.g. mpi4py-best)
    b = statistics.median(x[0] for x in v["base"]); t = statistics.median(x[0] for x in v["this"])
    be = statistics.median(x[1] for x in v["base"]); te = statistics.median(x[1] for x in v["this"])
    print(f"{system:16} {grain:6} {b:14.1f} {t:14.1f} {t / b:9.3f} {be:9.3f} {te:9.3f}  "
          f"base {[round(x[0]) for x in v['base']]} this {[round(x[0]) for x in v['this']]}")
PY
