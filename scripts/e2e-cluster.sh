#!/usr/bin/env bash
# End-to-end test on the multi-node cluster of scripts/local-cluster.sh (start it first, as root:
# scripts/local-cluster.sh start --nodes 4). Runs as root (it tears a node's namespace down).
#
#   scripts/e2e-cluster.sh
#
# 1. Installs the distribution (cli/target/dist/shatter) into a fresh directory outside the checkout
#    and runs its 'shatter submit heat --nodes 2 --ntasks-per-node 2 --excess-workers 2': the main
#    job's mpirun starts 4 ranks (broker + 3 workers) on 2 reserved nodes; the broker submits worker
#    jobs, which land on the 2 excess nodes and join it over the bridge.
# 2. A reserved job needing both excess nodes preempts the workers (SIGTERM, checkpoint, requeue);
#    when it ends, Slurm restarts the worker jobs and they join again.
# 3. One excess node is killed (every process in its namespace at once, the namespace removed): the
#    broker must declare its worker lost (heartbeat timeout) and resume its shards elsewhere.
# 4. Exits 0 only when: the job script has no path into this checkout and carries --time and
#    --open-mode=append; ranks ran on 2 nodes; workers joined from both excess nodes; the run printed
#    'verified:'; the summary shows preemptions, checkpoint restores and lost attempts; Slurm marked
#    the killed node down; no job or process of the run is left. Then the node is brought back
#    (local-cluster.sh start) and the figures are printed.
#
# Env: SHATTER_E2E_TIMEOUT  seconds to wait for the main job (default 400)
#      SHATTER_E2E_KEEP=1   keep the run directory (default: kept only on failure)
#      SHATTER_E2E_STEPS    heat steps (default 64: the run outlasts preemption, rejoin and the kill by ~30 s)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLUSTER="$ROOT/scripts/local-cluster.sh"
TIMEOUT="${SHATTER_E2E_TIMEOUT:-400}"
STEPS="${SHATTER_E2E_STEPS:-64}"

log() { echo "[e2e-cluster] $(date +%T) $*"; }
fail() { echo "[e2e-cluster] FAILED: $*" >&2; FAILED=1; exit 1; }
now_ms() { date +%s%3N; }
await() { # await SECONDS WHAT COMMAND...: polls for the event, fails at the deadline
  local secs="$1" deadline=$(( $(date +%s) + $1 )) what="$2"; shift 2
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "timed out after $secs s waiting for $what"
    sleep 0.5
  done
}

[ "$(id -u)" = 0 ] || fail "run as root: the test kills a node by tearing its network namespace down"
eval "$("$CLUSTER" env)"   # SLURM_CONF of the multi-node cluster, for every Slurm command and job below
scontrol ping 2>/dev/null | grep -q UP || fail "the cluster's slurmctld does not answer: run scripts/local-cluster.sh start --nodes 4"
mapfile -t EXCESS < <(sinfo -h -N -p excess -o '%N' | sort -u)
mapfile -t RESERVED_ONLY < <(comm -23 <(sinfo -h -N -p reserved -o '%N' | sort -u) <(printf '%s\n' "${EXCESS[@]}"))
[ "${#EXCESS[@]}" -ge 2 ] && [ "${#RESERVED_ONLY[@]}" -ge 2 ] \
  || fail "need 2 reserved-only and 2 excess nodes (scripts/local-cluster.sh start --nodes 4); have ${RESERVED_ONLY[*]:-} / ${EXCESS[*]:-}"
CPUS=$(sinfo -h -N -n "${EXCESS[0]}" -o '%c' | head -n1)
[ "$CPUS" -ge 2 ] || fail "the nodes have $CPUS CPUs; this test needs 2 (scripts/local-cluster.sh start --cpus 2)"
for n in "${RESERVED_ONLY[@]:0:2}" "${EXCESS[@]:0:2}"; do
  case "$(sinfo -h -N -n "$n" -o '%T' | head -n1)" in idle) ;; *) fail "node $n is not idle: $(sinfo -h -N -n "$n" -o '%T')" ;; esac
done
KILLED="${EXCESS[1]}"
node_addr() { scontrol show node "$1" | grep -o 'NodeAddr=[^ ]*' | cut -d= -f2; }

DIST_BUILT="$ROOT/cli/target/dist/shatter"
if [ ! -x "$DIST_BUILT/bin/shatter" ]; then
  log "building the distribution"
  (cd "$ROOT" && mvn -B -q -pl cli -am package -DskipTests) || fail "the build failed"
fi
BASE="$(mktemp -d /tmp/shatter-e2e-cluster.XXXXXX)"
chmod 700 "$BASE"
RUN="$BASE/run"
FAILED=0
MAIN=""
PREEMPTOR=""
run_jobs() { squeue -h -o '%i %o' 2>/dev/null | awk -v dir="$RUN/" 'index($2, dir) == 1 { print $1 }'; }
cleanup() {
  if [ "$FAILED" = 1 ]; then
    for id in $MAIN $PREEMPTOR $(run_jobs); do scancel "$id" 2>/dev/null || true; done
    log "run directory kept for inspection: $BASE"
    for f in "$RUN"/slurm-*.out; do [ -f "$f" ] && { echo "--- $f"; tail -40 "$f"; }; done
    for f in "$RUN"/worker-*.out; do [ -f "$f" ] && { echo "--- $f"; tail -8 "$f"; }; done
  elif [ "${SHATTER_E2E_KEEP:-0}" = 1 ]; then
    log "run directory kept: $BASE"
  else
    rm -rf "$BASE"
  fi
  # A killed node comes back, so the next test finds the cluster as it was.
  ns_missing=0; [ -e "/var/run/netns/shatter-$KILLED" ] || ns_missing=1
  if [ "$ns_missing" = 1 ]; then "$CLUSTER" start >/dev/null || echo "[e2e-cluster] could not bring $KILLED back" >&2; fi
}
trap 'rc=$?; [ $rc -ne 0 ] && FAILED=1; cleanup' EXIT
trap 'exit 130' INT TERM # an interrupted test cleans up too (bash runs no EXIT trap on a signal it does not trap)

# "Installed": copied out of the checkout, as onto a cluster's shared file system.
cp -a "$DIST_BUILT" "$BASE/dist"
SHATTER="$BASE/dist/bin/shatter"
# Timestamps in the logs of broker and workers (sbatch passes the environment on to the jobs).
export SHATTER_JAVA_OPTS="-Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"

log "base $BASE; reserved nodes ${RESERVED_ONLY[*]:0:2}, excess nodes ${EXCESS[*]:0:2} ($CPUS CPUs each); $KILLED will be killed"
START=$(now_ms)
OUT=$(cd "$BASE" && "$SHATTER" submit heat --nodes 2 --ntasks-per-node 2 --time 30:00 \
  --grid 256 --tiles 4 --steps "$STEPS" --sweeps 12000 --checkpoint-every 1s --verify --no-progress \
  --summary-json "$RUN/s.json" --trace "$RUN/trace.json" \
  --excess-workers 2 --worker-cores "$CPUS" --capacity-interval 2s --run-dir "$RUN")
echo "$OUT"
MAIN=$(echo "$OUT" | sed -n 's/^submitted job \([0-9]*\).*/\1/p')
[ -n "$MAIN" ] || fail "shatter submit printed no job id"
MAIN_OUT="$RUN/slurm-$MAIN.out"
SCRIPT="$RUN/shatter-heat.sbatch"
! grep -qF "$ROOT" "$SCRIPT" || fail "the job script points into the checkout $ROOT: $(grep -F "$ROOT" "$SCRIPT")"
grep -q '^#SBATCH --time="30:00"$' "$SCRIPT" || fail "the job script has no --time"
grep -q '^#SBATCH --open-mode="append"$' "$SCRIPT" || fail "the job script has no --open-mode=append"

main_runs() { [ "$(squeue -h -j "$MAIN" -o '%T' 2>/dev/null)" = RUNNING ]; }
await 60 "the main job to start" main_runs
# The ranks: java processes of this run in each node's namespace that Open MPI started.
ranks_on() {
  local pid count=0
  for pid in $(ip netns pids "shatter-$1" 2>/dev/null); do
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qx 'io.shatter.cli.Main' || continue
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -q '^OMPI_COMM_WORLD_RANK=' && count=$((count + 1))
  done
  echo "$count"
}
two_ranks_each() { [ "$(ranks_on "${RESERVED_ONLY[0]}")" = 2 ] && [ "$(ranks_on "${RESERVED_ONLY[1]}")" = 2 ]; }
await 60 "2 MPI ranks on each of ${RESERVED_ONLY[0]} and ${RESERVED_ONLY[1]}" two_ranks_each
log "main job $MAIN on $(squeue -h -j "$MAIN" -o '%N'): 2 ranks on ${RESERVED_ONLY[0]}, 2 on ${RESERVED_ONLY[1]}"

joins() { grep -c 'joined as rank' "$MAIN_OUT" 2>/dev/null || true; }
joined_from() { grep 'joined as rank' "$MAIN_OUT" 2>/dev/null | grep -c "/$(node_addr "$1"):" || true; }
both_joined() { [ "$(joined_from "${EXCESS[0]}")" -ge "$1" ] && [ "$(joined_from "${EXCESS[1]}")" -ge "$1" ]; }
await 120 "workers from both excess nodes to join the broker" both_joined 1
JOINED_AT=$(now_ms)
log "workers joined from ${EXCESS[0]} and ${EXCESS[1]} $(( (JOINED_AT - START) / 1000 )) s after submission"

# A worker that has computed for a while holds tiles: wait for its process to have used CPU time.
worker_pid() { # the worker java process in NODE's namespace
  local pid
  for pid in $(ip netns pids "shatter-$1" 2>/dev/null); do
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qx -- '--join' && { echo "$pid"; return 0; }
  done
  return 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
declare -A BASE_TICKS
mark_cpu() { local pid; pid="$(worker_pid "$1")" && BASE_TICKS[$1]="$pid:$(cpu_ticks "$pid")"; }
computing() { # computing NODE: its worker used a second of CPU since mark_cpu (it has joined: shards run)
  local pid="${BASE_TICKS[$1]%%:*}" base="${BASE_TICKS[$1]#*:}"
  [ "$(cpu_ticks "$pid")" -ge $((base + TICKS)) ]
}
TICKS=$(getconf CLK_TCK)
mark_cpu "${EXCESS[0]}" && mark_cpu "${EXCESS[1]}" || fail "no worker process on the excess nodes although they joined"
await 90 "the worker on ${EXCESS[0]} to compute" computing "${EXCESS[0]}"
await 90 "the worker on ${EXCESS[1]} to compute" computing "${EXCESS[1]}"

# 2. Preemption: a reserved job needing every CPU of both excess nodes.
PREEMPT_AT=$(now_ms)
PREEMPTOR=$(sbatch --parsable -p reserved -w "${EXCESS[0]},${EXCESS[1]}" -N 2 -n $((2 * CPUS)) -J shatter-e2e-preemptor \
  -o /dev/null --wrap 'sleep 4')
preemptor_started() { case "$(squeue -h -j "$PREEMPTOR" -o '%T' 2>/dev/null)" in PENDING) return 1 ;; *) return 0 ;; esac; }
await 60 "the preempting job to start (the workers to be preempted)" preemptor_started
PREEMPTED_AT=$(now_ms)
log "workers preempted: the reserved job runs $((PREEMPTED_AT - PREEMPT_AT)) ms after its submission"
await 120 "both workers to join again after their requeue" both_joined 2
REJOINED_AT=$(now_ms)
log "both workers joined again $(( (REJOINED_AT - PREEMPTED_AT) / 1000 )) s after the preemption"
PREEMPTOR=""
mark_cpu "$KILLED" || fail "no worker process on $KILLED although it joined again"
await 90 "the rejoined worker on $KILLED to compute" computing "$KILLED"

# 3. The node dies: every process in its namespace at once, then the namespace and its link.
KILLED_RANK=$(grep 'joined as rank' "$MAIN_OUT" | grep "/$(node_addr "$KILLED"):" | tail -n1 | sed 's/.*joined as rank \([0-9]*\).*/\1/')
lost_lines() { grep -c -E "[Rr]ank $KILLED_RANK (is silent for .*: lost|is gone)" "$MAIN_OUT" || true; }
LOST_BEFORE=$(lost_lines)
KILL_AT=$(now_ms)
"$CLUSTER" kill-node "$KILLED"
lost_declared() { [ "$(lost_lines)" -gt "$LOST_BEFORE" ]; }
await 60 "the broker to declare the worker on $KILLED lost" lost_declared
LOST_AT=$(now_ms)
log "broker declared the worker on $KILLED (rank $KILLED_RANK) lost $((LOST_AT - KILL_AT)) ms after the kill (heartbeat timeout 10 s):"
grep -E "[Rr]ank $KILLED_RANK (is silent for .*: lost|is gone)" "$MAIN_OUT" | tail -n2 | sed 's/^/  /'
main_runs || fail "the run ended before the killed worker's shards could resume elsewhere; raise SHATTER_E2E_STEPS"
# Slurm notices on its own (SlurmdTimeout); the run goes on meanwhile.
node_down() { case "$(sinfo -h -N -n "$KILLED" -o '%T' | head -n1)" in down*) return 0 ;; *) return 1 ;; esac; }
await 90 "Slurm to mark $KILLED down" node_down
DOWN_AT=$(now_ms)
log "Slurm marked $KILLED down $(( (DOWN_AT - KILL_AT) / 1000 )) s after the kill; main job: $(squeue -h -j "$MAIN" -o %T)"

main_over() { [ -z "$(squeue -h -j "$MAIN" -o '%T' 2>/dev/null)" ]; }
await "$TIMEOUT" "the main job to finish" main_over
END=$(now_ms)
grep -v 'io.jhdf' "$MAIN_OUT" | tail -15

grep -q '^verified:' "$MAIN_OUT" || fail "the run did not print 'verified:'"
python3 - "$RUN/s.json" 3 <<'EOF' || fail "the summary does not show what this test requires"
import json, sys
s = json.load(open(sys.argv[1]))
fixed = int(sys.argv[2])
excess_shards = sum(n for r, n in s["shards_by_rank"].items() if int(r) > fixed)
print(f"[e2e-cluster] makespan_s={s['makespan_s']:.1f} preemptions={s['preemptions']} checkpoint_restores={s['checkpoint_restores']} "
      f"lost_attempts={s['lost_attempts']} lost_work_s={s['lost_work_s']:.1f} busy_fraction.excess={s['busy_fraction'].get('excess', 0):.3f} "
      f"shards_by_rank={s['shards_by_rank']}")
ok = True
for what, good in (("preemptions > 0", s["preemptions"] > 0), ("checkpoint_restores > 0", s["checkpoint_restores"] > 0),
                   ("lost_attempts > 0 (the killed node's shards)", s["lost_attempts"] > 0),
                   ("excess ranks ran shards", excess_shards > 0)):
    if not good:
        print(f"[e2e-cluster] missing: {what}", file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
EOF


no_run_jobs() { [ -z "$(run_jobs)" ]; }
await 60 "every job of the run to leave squeue" no_run_jobs
no_processes() { ! pgrep -f -- "$RUN" >/dev/null; }
await 30 "every process of the run to exit" no_processes
log "squeue: no job of the run left; no process of the run left"
log "figures: submitted -> finished $(( (END - START) / 1000 )) s; preemption $((PREEMPTED_AT - PREEMPT_AT)) ms; kill -> lost $((LOST_AT - KILL_AT)) ms; kill -> node down $(( (DOWN_AT - KILL_AT) / 1000 )) s"
log "PASSED"
