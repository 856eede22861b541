#!/usr/bin/env bash
# End-to-end test of excess workers on the real local Slurm (scripts/local-slurm.sh start first).
#
#   scripts/e2e-slurm.sh
#
# 1. 'shatter submit heat ... --excess-workers 3' puts the main job (broker + 2 reserved ranks) on
#    the 'reserved' partition; its broker submits worker jobs to 'excess' while cores are idle.
# 2. Once workers have joined and run shards, a job needing every other core of the node is
#    submitted to 'reserved': Slurm preempts (SIGTERM, then requeue) the excess workers, which
#    checkpoint their tiles and leave; the tiles resume from those checkpoints on other ranks.
# 3. Exits 0 only when: the run printed 'verified:'; s.json has preemptions > 0,
#    checkpoint_restores > 0, capacity_samples > 0 and excess ranks that ran shards; afterwards squeue shows no job of
#    the run and no worker process is left. Prints the figures (run time, preemption timings).
#
# Env: SHATTER_E2E_TIMEOUT  seconds to wait for the main job (default 300)
#      SHATTER_E2E_STEPS    heat steps (default 16)
#      SHATTER_E2E_KEEP=1   keep the run directory (default: kept only on failure)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/cli/target/shatter.jar"
TIMEOUT="${SHATTER_E2E_TIMEOUT:-300}"
# Long enough that the workers join, compute and are preempted before the run ends, also on a quiet
# machine (6 steps took 23 s under load but 6 s on a quiet one, which ended before the preemption).
STEPS="${SHATTER_E2E_STEPS:-16}"

log() { echo "[e2e-slurm] $*"; }
fail() { echo "[e2e-slurm] FAILED: $*" >&2; FAILED=1; exit 1; }

command -v sbatch >/dev/null 2>&1 || fail "sbatch is missing: run scripts/local-slurm.sh start (as root) first"
scontrol ping 2>/dev/null | grep -q UP || fail "slurmctld does not answer 'scontrol ping': run scripts/local-slurm.sh start"
if [ ! -f "$JAR" ]; then
  log "building the distribution jar"
  (cd "$ROOT" && mvn -B -q -pl cli -am package -DskipTests) || fail "the build failed"
fi

# Slurm runs the jobs on this node, so a local directory is fine; no white space (#SBATCH lines).
RUN="$(mktemp -d /tmp/shatter-e2e.XXXXXX)"
chmod 700 "$RUN"
FAILED=0
PREEMPTOR=""
MAIN=""
cleanup() {
  # Only on failure: leave nothing behind even then (the success path checks that nothing is left).
  if [ "$FAILED" = 1 ] || [ -n "$PREEMPTOR" ]; then
    for id in $MAIN $PREEMPTOR $(run_jobs); do scancel "$id" 2>/dev/null || true; done
  fi
  if [ "$FAILED" = 1 ]; then
    log "run directory kept for inspection: $RUN"
    for f in "$RUN"/slurm-*.out; do [ -f "$f" ] && { echo "--- $f"; tail -40 "$f"; }; done
    for f in "$RUN"/worker-*.out; do [ -f "$f" ] && { echo "--- $f"; tail -15 "$f"; }; done
  elif [ "${SHATTER_E2E_KEEP:-0}" != 1 ]; then
    rm -rf "$RUN"
  else
    log "run directory kept: $RUN"
  fi
}
trap 'rc=$?; [ $rc -ne 0 ] && FAILED=1; cleanup' EXIT

# Jobs of this run: the worker jobs' script lies in the run directory, the main job's too.
run_jobs() { squeue -h -o '%i %o' 2>/dev/null | awk -v dir="$RUN/" 'index($2, dir) == 1 { print $1 }'; }
now_ms() { date +%s%3N; }
await() { # await SECONDS WHAT COMMAND...
  local deadline=$(( $(date +%s) + $1 )) what="$2"; shift 2
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "timed out after the deadline waiting for $what"
    sleep 0.5
  done
}

TOTAL=$(sinfo -h -p reserved -o '%C' | awk -F/ '{print $4}')
RANKS=2
[ "$TOTAL" -ge $((RANKS + 4)) ] || fail "the local Slurm has $TOTAL CPUs; this test needs at least $((RANKS + 4))"
WORKERS=$(( (TOTAL - RANKS) / 2 ))
[ "$WORKERS" -gt 3 ] && WORKERS=3
JAVA="$(command -v java)"
# Timestamps in the logs of broker and workers, for the figures below.
LOGTIME="-Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"

log "run directory $RUN; node has $TOTAL CPUs: main job $RANKS, up to $WORKERS excess workers x 2 cores"
START=$(now_ms)
OUT=$("$JAVA" -jar "$JAR" submit heat --ranks "$RANKS" --grid 256 --tiles 4 --steps "$STEPS" --sweeps 12000 \
  --checkpoint-every 1s --verify --no-progress --summary-json "$RUN/s.json" --trace "$RUN/trace.json" \
  --excess-workers "$WORKERS" --worker-cores 2 --capacity-interval 2s --worker-command "$JAVA $LOGTIME -cp $JAR io.shatter.cli.Main" \
  --run-dir "$RUN" --no-mpirun --shatter-command "$JAVA $LOGTIME -jar $JAR")
echo "$OUT"
MAIN=$(echo "$OUT" | sed -n 's/^submitted job \([0-9]*\).*/\1/p')
[ -n "$MAIN" ] || fail "shatter submit printed no job id"
MAIN_OUT="$RUN/slurm-$MAIN.out"

joined() { [ -f "$MAIN_OUT" ] && [ "$(grep -c 'joined as rank' "$MAIN_OUT")" -ge "$1" ]; }
await 120 "an excess worker to join the broker" joined 1
# Give the others a moment to join too, and every joined worker time to hold tiles.
for _ in $(seq 60); do joined "$WORKERS" && break; sleep 0.5; done
# Every joined worker holds tiles once it has computed for a second after joining (its CPU time).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
declare -A BASE_TICKS
for pid in $(pgrep -f -- "--token-file $RUN/join.token"); do BASE_TICKS[$pid]=$(cpu_ticks "$pid"); done
workers_computed() {
  local pid
  for pid in "${!BASE_TICKS[@]}"; do
    [ -e "/proc/$pid" ] || continue
    [ "$(cpu_ticks "$pid")" -ge $(( BASE_TICKS[$pid] + $(getconf CLK_TCK) )) ] || return 1
  done
}
await 60 "the joined workers to compute" workers_computed
[ -n "$(squeue -h -j "$MAIN" -o %T 2>/dev/null)" ] || fail "the run ended before its workers could be preempted; raise SHATTER_E2E_STEPS"
log "$(grep -c 'joined as rank' "$MAIN_OUT") worker(s) joined; worker jobs: $(run_jobs | grep -vx "$MAIN" | tr '\n' ' ')"

# A reserved job needing every core the main job does not hold: Slurm must preempt the workers.
PREEMPT_AT=$(now_ms)
PREEMPTOR=$(sbatch --parsable -p reserved -n $((TOTAL - RANKS)) -J shatter-e2e-preemptor -o /dev/null --wrap 'sleep 8')
log "submitted preempting job $PREEMPTOR to reserved ($((TOTAL - RANKS)) CPUs)"
preemptor_runs() { [ "$(squeue -h -j "$PREEMPTOR" -o '%T' 2>/dev/null)" = RUNNING ] || [ -z "$(squeue -h -j "$PREEMPTOR" -o '%T' 2>/dev/null)" ]; }
await 60 "the preempting job to start (the excess workers to be preempted)" preemptor_runs
PREEMPTED_AT=$(now_ms)
log "excess workers preempted: the reserved job runs $((PREEMPTED_AT - PREEMPT_AT)) ms after its submission"

main_over() { [ -z "$(squeue -h -j "$MAIN" -o '%T' 2>/dev/null)" ]; }
await "$TIMEOUT" "the main job to finish" main_over
END=$(now_ms)
cat "$MAIN_OUT"

grep -q '^verified:' "$MAIN_OUT" || fail "the run did not print 'verified:'"
[ -f "$RUN/s.json" ] || fail "no summary $RUN/s.json"
python3 - "$RUN/s.json" "$RANKS" <<'EOF' || fail "the summary does not show what this test requires"
import json, sys
s = json.load(open(sys.argv[1]))
fixed = int(sys.argv[2])
excess_shards = sum(n for r, n in s["shards_by_rank"].items() if int(r) > fixed)
print(f"[e2e-slurm] preemptions={s['preemptions']} checkpoint_restores={s['checkpoint_restores']} "
      f"capacity_samples={s.get('capacity_samples')} placements_held_by_forecast={s.get('placements_held_by_forecast')} "
      f"busy_fraction.excess={s['busy_fraction'].get('excess', 0):.3f} shards_by_rank={s['shards_by_rank']}")
ok = True
for what, good in (("preemptions > 0", s["preemptions"] > 0), ("checkpoint_restores > 0", s["checkpoint_restores"] > 0),
                   ("excess ranks ran shards", excess_shards > 0),
                   ("capacity_samples > 0 (the Slurm monitor's samples reach the broker's forecaster)",
                    s.get("capacity_samples", 0) > 0),
                   ("busy_fraction.excess > 0", s["busy_fraction"].get("excess", 0) > 0)):
    if not good:
        print(f"[e2e-slurm] missing: {what}", file=sys.stderr)
        ok = False
# Preemption to restore: from a preempted attempt's end (its state saved) to the next attempt of that shard.
trace = json.load(open(sys.argv[1].replace("s.json", "trace.json")))
events = trace["traceEvents"] if isinstance(trace, dict) else trace
attempts = {}
for e in events:
    if e.get("ph") == "X":
        attempts.setdefault(e["name"], []).append(e)
gaps = []
for name, runs in attempts.items():
    runs.sort(key=lambda e: e["ts"])
    for a, b in zip(runs, runs[1:]):
        if a["args"].get("outcome") == "preempted":
            gaps.append((b["ts"] - (a["ts"] + a["dur"])) / 1000)
if gaps:
    print(f"[e2e-slurm] preempted attempt end -> resumed attempt start: min {min(gaps):.0f} ms, max {max(gaps):.0f} ms over {len(gaps)}")
sys.exit(0 if ok else 1)
EOF

no_run_jobs() { [ -z "$(run_jobs)" ]; }
await 30 "every job of the run to leave squeue" no_run_jobs
no_workers() { ! pgrep -f -- "--token-file $RUN/join.token" >/dev/null; }
await 30 "every worker process to exit" no_workers
log "squeue: no job of the run left; no worker process left"

# SIGTERM -> exit of the preempted workers, from their own (timestamped) logs.
for f in "$RUN"/worker-*.out; do
  grep -h 'SIGTERM' "$f" 2>/dev/null | sed "s|^|[e2e-slurm] $(basename "$f"): |" || true
done
log "figures: main job submitted -> finished $(( (END - START) / 1000 )) s; preempting job submitted -> running $((PREEMPTED_AT - PREEMPT_AT)) ms"
scancel "$PREEMPTOR" 2>/dev/null || true
PREEMPTOR=""
log "PASSED"
