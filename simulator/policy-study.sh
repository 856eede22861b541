#!/usr/bin/env bash
# The policy study: on each shared workload log, 2,000 ranks (a quarter reserved, the rest excess
# following the log from 85% of its span, the part a model trained with its defaults holds out),
# 200,000 shards of a layered DAG, four arms: no excess capacity, excess with persistence, excess
# with the empirical survival baseline, excess with the ND4J model of that log. Prints a Markdown table.
#
#   simulator/policy-study.sh [--traces DIR] [--models DIR] [--shards N] [--ranks N]
#
# Models are trained into --models (one per log, `predictor train --features capacity`) when missing.
# Run from the repository root after building (bin/shatter).
set -euo pipefail
cd "$(dirname "$0")/.."
TRACES=../shared/traces
MODELS=target/policy-study-models
SHARDS=200000
RANKS=2000
while [ $# -gt 0 ]; do
    case "$1" in
        --traces) TRACES=$2; shift 2 ;;
        --models) MODELS=$2; shift 2 ;;
        --shards) SHARDS=$2; shift 2 ;;
        --ranks) RANKS=$2; shift 2 ;;
        *) echo "policy-study.sh: unknown option $1 (see the comment at the top)" >&2; exit 2 ;;
    esac
done
RESERVED=$((RANKS / 4))
OUT=$(mktemp -d /tmp/shatter-policy-XXXXXX)
mkdir -p "$MODELS"
COMMON=(layered --shards "$SHARDS" --layers 20 --fan-in 2 --duration 20m --spread 1 --no-progress --seed 1)

# The day at 85% of a log's span (submit times, field 2 of the Standard Workload Format).
start_day() {
    python3 - "$1" <<'EOF'
import gzip, sys
path = sys.argv[1]
opener = gzip.open if path.endswith(".gz") else open
first = last = None
with opener(path, "rt", errors="replace") as f:
    for line in f:
        fields = line.split()
        if not fields or line.startswith(";"):
            continue
        t = float(fields[1])
        first = t if first is None else min(first, t)
        last = t if last is None else max(last, t)
print("%.1f" % ((first + 0.85 * (last - first)) / 86400))
EOF
}

row() { # log arm summary.json
    python3 - "$@" <<'EOF'
import json, sys
log, arm, path = sys.argv[1:4]
s = json.load(open(path))
busy = s.get("busy_fraction", {})
lost_h = s["lost_work_s"] / 3600
print("| %s | %s | %.1f | %s | %s | %s | %.2f | %s | %s |" % (
    log, arm, s["makespan_s"] / 3600, format(round(lost_h), ","), format(s["lost_attempts"], ","), format(s["revocations"], ","),
    busy.get("reserved", 0), "%.2f" % busy["excess"] if "excess" in busy else "–", format(s["placements_held_by_forecast"], ",")))
EOF
}

echo "| log (start day) | arm | makespan (h) | lost work (shard-h) | lost attempts | revocations | busy reserved | busy excess | held by forecast |"
echo "|---|---|---|---|---|---|---|---|---|"
bin/shatter simulate "${COMMON[@]}" --ranks "$RESERVED" --reserved "$RESERVED" --summary-json "$OUT/none.json" >/dev/null
row "any" "no excess ($RESERVED reserved ranks only)" "$OUT/none.json"
for log in "$TRACES"/*.swf*; do
    name=$(basename "$log"); name=${name%%-*}
    day=$(start_day "$log")
    model="$MODELS/$name.model"
    if [ ! -f "$model" ]; then
        bin/shatter predictor train --trace "$log" --features capacity --out "$model" >"$OUT/$name.train.log" 2>&1
    fi
    EXCESS=(--ranks "$RANKS" --reserved "$RESERVED" --excess-trace "$log" --trace-start "$day")
    bin/shatter simulate "${COMMON[@]}" "${EXCESS[@]}" --forecaster persistence --summary-json "$OUT/$name.persistence.json" >/dev/null
    row "$name ($day)" "excess, persistence" "$OUT/$name.persistence.json"
    bin/shatter simulate "${COMMON[@]}" "${EXCESS[@]}" --forecaster empirical --summary-json "$OUT/$name.empirical.json" >/dev/null
    row "$name ($day)" "excess, empirical survival (E)" "$OUT/$name.empirical.json"
    bin/shatter simulate "${COMMON[@]}" "${EXCESS[@]}" --model "$model" --summary-json "$OUT/$name.model.json" >/dev/null
    row "$name ($day)" "excess, ND4J model" "$OUT/$name.model.json"
done
echo
echo "summaries in $OUT"
