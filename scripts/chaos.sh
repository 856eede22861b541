#!/usr/bin/env bash
# Chaos suite: runs real Shatter runs and breaks them the ways an operator, a scheduler or a disk
# would, then checks each finished verified bit for bit against the sequential computation.
#
#   scripts/chaos.sh [--runs N] [--seed S] [--only SCENARIO[,SCENARIO...]]
#
# Scenarios, taken in turn (run i gets scenario (S + i) mod 9; S also seeds the kill points and flips):
#   local-kill       heat on 2 local ranks, SIGKILL once the journal holds a random size, same command again
#   tasks-kill       a task farm, SIGKILL mid-way, same command again; task outputs compared with the expected
#   worker-sigkill   heat with an excess worker job on the local Slurm; the worker job gets SIGKILL
#   worker-scancel   the same, the worker job scancel'ed (SIGTERM): it must hand its state over, 0 attempts lost
#   main-requeue     'shatter submit' main job; 'scontrol requeue' mid-way; it resumes from its journal
#   main-preempt     the main job on the preemptible partition; a job that needs every core preempts it (requeue)
#   checkpoint-flip  heat killed mid-way, one random byte of one random checkpoint flipped, same command again
#   journal-flip     heat killed mid-way, one random byte of the journal flipped, same command again
#   full-disk        heat on a 4 MB tmpfs: must stop with a clear message; then the disk grows and it resumes
#
# Per run: verified (the result line says so), commits lost (journaled before the break, not restored
# after it), commits doubled (shards committed twice in the final journal),
# orphan processes (task processes left after a kill), leftover Slurm jobs of the run. Prints a table;
# exits 0 only when every run passed. Needs bin/shatter built; the Slurm scenarios need the local Slurm
# (scripts/local-slurm.sh start) and full-disk needs root (mount); both are counted as failures otherwise.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHATTER="$ROOT/bin/shatter"
RUNS=9
SEED=1
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--seed S] [--only SCENARIO,...]" >&2; exit 2 ;;
  esac
done
[[ "$RUNS" =~ ^[0-9]+$ && "$SEED" =~ ^[0-9]+$ ]] || { echo "chaos: --runs and --seed take whole numbers" >&2; exit 2; }
SCENARIOS=(local-kill tasks-kill worker-sigkill worker-scancel main-requeue main-preempt checkpoint-flip journal-flip full-disk)
if [ -n "$ONLY" ]; then IFS=, read -r -a SCENARIOS <<< "$ONLY"; fi
RANDOM=$SEED
WORK="$(mktemp -d /tmp/shatter-chaos.XXXXXX)"
chmod 700 "$WORK"
TABLE="$WORK/table"
log() { echo "[chaos] $*" >&2; }
# (scripts/kill-and-resume.sh adds --no-progress, --run-dir, --checkpoint-dir and --summary-json itself)
HEAT=(heat --grid 256 --steps 20 --sweeps 400 --ranks 2 --checkpoint-every 20ms --verify)
# Long shards (about 0.3 s each), so that a worker is stopped while shards run and has states to hand over;
# 40 steps, so that the run outlasts the worker's join by far more than the 1-2 s before the stop (with 8,
# a quiet machine finished a run 3.7 s long before the worker job was scancel'ed).
LONG_HEAT=(heat --grid 128 --steps 40 --sweeps 12000 --ranks 1 --checkpoint-every 50ms --verify --no-progress)

# A journal read apart from the runtime: the 8-byte magic, the 4-byte format version, then frames
# [length][CRC32C of the length (version 2 on)][CRC32C][payload], the first the header; a shard
# commit's payload is type 1 then the shard index (varint). Stops at damage. Prints the commits,
# and with "doubled" the shards committed more than once instead.
journal_scan() {
  python3 - "$1" "${2:-commits}" <<'PY'
import struct, sys
try:
    b = open(sys.argv[1], 'rb').read()
except OSError:
    print(0); sys.exit()
if len(b) < 12:
    print(0); sys.exit()
version = struct.unpack('>i', b[8:12])[0]
head = 12 if version >= 2 else 8
i, header, seen, doubled, n = 12, True, set(), 0, 0
while i + head <= len(b):
    length = struct.unpack('>i', b[i:i + 4])[0]
    if length < 0 or i + head + length > len(b):
        break
    p = b[i + head:i + head + length]
    if not header and length > 1 and p[0] == 1:
        n += 1
        idx, shift, k = 0, 0, 1
        while k < len(p):
            idx |= (p[k] & 0x7F) << shift
            shift += 7
            if p[k] < 0x80:
                break
            k += 1
        if idx in seen:
            doubled += 1
        seen.add(idx)
    header = False
    i += head + length
print(doubled if sys.argv[2] == 'doubled' else n)
PY
}
journal_commits() { journal_scan "$1" commits; }
journal_doubled() { journal_scan "$1" doubled; }
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))" "$1" "$2" 2>/dev/null || echo 0; }
run_jobs() { squeue -h -o '%i %o' 2>/dev/null | awk -v dir="$1/" 'index($2, dir) == 1 { print $1 }'; }
flip_byte() { # flip_byte FILE: one random byte XOR 0xFF
  local f=$1 size off
  size=$(stat -c %s "$f")
  [ "$size" -gt 0 ] || return 0
  off=$(( (RANDOM * 32768 + RANDOM) % size ))
  python3 -c "import sys; f=open(sys.argv[1],'r+b'); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^0xFF]))" "$f" "$off"
  echo "$off"
}

# One result row: scenario verified lost doubled orphans leftover seconds note
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$TABLE"; }

kill_resume() { # kill_resume DIR NAME MIN_BYTES BETWEEN workload-args...: cd DIR, scripts/kill-and-resume.sh
  local dir=$1 name=$2 min=$3 between=$4; shift 4
  (cd "$dir" && SHATTER_BETWEEN="$between" "$ROOT/scripts/kill-and-resume.sh" "$name" "$min" "$@" > "$name.out" 2>&1)
}

scenario_local_kill() { # heat killed at a random journal size (1-8 MB of about 11 MB)
  local d=$1 min=$(( (1 + RANDOM % 8) * 1000000 ))
  kill_resume "$d" r "$min" 'journal_commits run-$1/journal.bin > commits-at-kill' "${HEAT[@]}"
  verdict "$d" r "killed at ${min} B"
}

verdict() { # verdict DIR NAME NOTE: the row of a kill_resume run
  local d=$1 n=$2 note=$3 verified=no lost doubled
  grep -q '^verified:' "$d/$n-2.log" 2>/dev/null && verified=yes
  local at; at=$(killed_commits "$d" "$n")
  local restored; restored=$(json "$d/$n-2.json" resumed_from_journal)
  lost=$(( at > restored ? at - restored : 0 ))
  doubled=$(journal_doubled "$d/run-$n/journal.bin")
  row "$SCEN" "$verified" "$lost" "$doubled" 0 0 "$SECONDS_USED" "$note"
}
export -f journal_scan journal_commits
# Commits journaled when the first run was killed; 0 when it finished before the kill point (then the
# second run is a new run of a finished directory and restores nothing, rightly).
killed_commits() { if grep -q '^killed at' "$1/$2.out" 2>/dev/null; then cat "$1/commits-at-kill" 2>/dev/null || echo 0; else echo 0; fi; }

scenario_tasks_kill() { # a task farm: 24 tasks of 0.2-0.6 s, SIGKILL at a random point, same command again
  local d=$1 tag="$((RANDOM % 900 + 100))$$" n=24 i
  : > "$d/tasks.txt"
  for i in $(seq 1 $n); do
    # The sleep's odd duration is a marker: a process still running it after the kill is an orphan.
    echo "t$i : sleep 0.$((RANDOM % 5 + 2))$tag & sleep 0.$((RANDOM % 5 + 2))$tag; echo \$(( $i * $i ))" >> "$d/tasks.txt"
  done
  local min=$(( 300 + RANDOM % 600 )) # a task's commit is a few dozen bytes
  kill_resume "$d" t "$min" "journal_commits run-\$1/journal.bin > commits-at-kill; sleep 2; pgrep -f 'sleep 0\\.[0-9]$tag' | wc -l > orphans-after-kill" \
    tasks --file "$d/tasks.txt" --ranks 3 --verify
  local bad=0
  for i in $(seq 1 $n); do
    [ "$(cat "$d/run-t/tasks/t$i.out" 2>/dev/null)" = "$(( i * i ))" ] || bad=$((bad + 1))
  done
  local orphans; orphans=$(( $(cat "$d/orphans-after-kill" 2>/dev/null || echo 0) + $(pgrep -f "sleep 0\.[0-9]$tag" | wc -l) ))
  local verified=no
  grep -q '^verified:' "$d/t-2.log" 2>/dev/null && [ "$bad" = 0 ] && verified=yes
  local at restored; at=$(killed_commits "$d" t); restored=$(json "$d/t-2.json" resumed_from_journal)
  row "$SCEN" "$verified" $(( at > restored ? at - restored : 0 )) "$(journal_doubled "$d/run-t/journal.bin")" "$orphans" 0 "$SECONDS_USED" "killed at ${min} B; $bad wrong outputs"
}

scenario_worker() { # scenario_worker DIR sigkill|scancel: an excess worker job stopped while it runs shards
  local d=$1 how=$2 run="$1/run"
  "$SHATTER" run "${LONG_HEAT[@]}" --run-dir "$run" --excess-workers 1 --worker-cores 2 --capacity-interval 1s \
    --summary-json "$d/s.json" > "$d/broker.log" 2>&1 &
  local bpid=$! job="" deadline=$(( $(date +%s) + 120 ))
  until grep -qs '^joined' "$run"/worker-*.out; do
    if [ "$(date +%s)" -gt "$deadline" ] || ! kill -0 "$bpid" 2>/dev/null; then break; fi
    sleep 0.2
  done
  sleep 1.$((RANDOM % 10))
  job=$(run_jobs "$run" | head -1)
  if [ -n "$job" ]; then
    if [ "$how" = sigkill ]; then
      # The job's own processes, by pid (scontrol listpids): the worker JVM is its batch process (exec).
      local pids; pids=$(scontrol listpids "$job" 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }')
      [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    else
      scancel "$job"
    fi
  fi
  wait "$bpid"
  sleep 2 # the broker cancels its worker jobs as it ends; squeue shows them gone within a poll
  local leftover; leftover=$(run_jobs "$run" | wc -l)
  local verified=no lost_attempts; lost_attempts=$(json "$d/s.json" lost_attempts)
  grep -q '^verified:' "$d/broker.log" && [ -n "$job" ] && verified=yes
  # A scancel'ed worker hands its state over: not one attempt may be lost.
  if [ "$how" = scancel ] && [ "$lost_attempts" != 0 ]; then verified="no (lost $lost_attempts)"; fi
  row "$SCEN" "$verified" 0 "$(journal_doubled "$run/journal.bin")" 0 "$leftover" "$SECONDS_USED" \
    "job ${job:-none} $how; preemptions $(json "$d/s.json" preemptions), lost attempts $lost_attempts"
}

scenario_main() { # scenario_main DIR requeue|preempt: the main job of 'shatter submit' restarted by Slurm
  local d=$1 how=$2 run="$1/run" partition=reserved
  [ "$how" = preempt ] && partition=excess
  "$WORK/dist/bin/shatter" submit heat --grid 256 --steps 120 --sweeps 400 --ranks 2 --verify --partition "$partition" --run-dir "$run" > "$d/submit.log" 2>&1
  local job; job=$(sed -n 's/^submitted job \([0-9]*\).*/\1/p' "$d/submit.log")
  if [ -z "$job" ]; then row "$SCEN" "no" 0 0 0 0 0 "submit failed: $(tail -1 "$d/submit.log")"; return; fi
  local deadline=$(( $(date +%s) + 400 )) at=$(( 150 + RANDOM % 900 )) blocker="" # of 2,041 shards
  until [ "$(journal_commits "$run/journal.bin")" -ge "$at" ] || [ "$(date +%s)" -gt "$deadline" ]; do sleep 0.3; done
  local commits; commits=$(journal_commits "$run/journal.bin")
  if [ "$how" = requeue ]; then
    scontrol requeue "$job"
  else
    local cpus; cpus=$(sinfo -h -p reserved -o '%C' | awk -F/ '{print $4}')
    blocker=$(sbatch --parsable -p reserved -n "$cpus" -o /dev/null --wrap 'sleep 3')
  fi
  until [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] || [ "$(date +%s)" -gt "$deadline" ]; do sleep 1; done
  [ -n "$blocker" ] && scancel "$blocker" 2>/dev/null
  local leftover; leftover=$(run_jobs "$run" | wc -l)
  [ "$leftover" = 0 ] || scancel $(run_jobs "$run") 2>/dev/null
  local out; out=$(cat "$run"/slurm-*.out 2>/dev/null)
  local verified=no restored
  grep -q '^verified:' <<< "$out" && grep -qiE 'restored from its journal|resumed from the journal' <<< "$out" && verified=yes
  restored=$(grep -oE '[0-9]+ of [0-9]+ shards restored' <<< "$out" | grep -oE '^[0-9]+' | tail -1)
  # Slurm's kill may land after the first incarnation finished computing (its result line comes before the
  # CANCELLED one): then the directory holds a finished run, the job's next start computes anew, rightly.
  if [ "$verified" = no ] && grep -q '^verified:' <<< "$out" \
      && awk '/^heat: /{r=1} /CANCELLED/{if (r) f=1} END{exit !f}' <<< "$out"; then
    verified=yes; restored="(the first incarnation had finished: run anew)"
  fi
  local lost=0
  [ -n "$restored" ] && [ "$commits" -gt "$restored" ] && lost=$(( commits - restored ))
  row "$SCEN" "$verified" "$lost" "$(journal_doubled "$run/journal.bin")" 0 "$leftover" "$SECONDS_USED" "job $job $how after $commits commits; restored ${restored:-?}"
}

scenario_flip() { # scenario_flip DIR checkpoint|journal
  local d=$1 what=$2 min=$(( (2 + RANDOM % 7) * 100000 )) # of about 1.1 MB
  local hook
  if [ "$what" = checkpoint ]; then
    hook='journal_commits run-$1/journal.bin > commits-at-kill; f=$(ls ck-$1/*.h5 2>/dev/null | shuf -n 1 --random-source=<(yes '"$RANDOM"')); [ -n "$f" ] && echo "$f" > flipped && python3 -c "import sys,random; p=sys.argv[1]; b=bytearray(open(p,\"rb\").read()); i=random.Random('"$RANDOM"').randrange(len(b)); b[i]^=0xFF; open(p,\"wb\").write(b); print(i)" "$f" >> flipped; true'
  else
    hook='journal_commits run-$1/journal.bin > commits-at-kill; python3 -c "import sys,random; p=sys.argv[1]; b=bytearray(open(p,\"rb\").read()); i=random.Random('"$RANDOM"').randrange(len(b)); b[i]^=0xFF; open(p,\"wb\").write(b); print(i)" run-$1/journal.bin > flipped'
  fi
  kill_resume "$d" f "$min" "$hook" heat --grid 128 --steps 8 --sweeps 12000 --ranks 2 --checkpoint-every 20ms --verify
  local verified=no at restored
  grep -q '^verified:' "$d/f-2.log" 2>/dev/null && verified=yes
  at=$(killed_commits "$d" f); restored=$(json "$d/f-2.json" resumed_from_journal)
  # A flipped journal record is dropped and recomputed: that is detection, not a lost commit.
  local lost=$(( at > restored ? at - restored : 0 ))
  [ "$what" = journal ] && [ "$(json "$d/f-2.json" journal_records_dropped)" -gt 0 ] && lost=0
  [ -s "$d/flipped" ] || verified="no (nothing flipped)"
  row "$SCEN" "$verified" "$lost" "$(journal_doubled "$d/run-f/journal.bin")" 0 0 "$SECONDS_USED" "$(head -1 "$d/f.out"); flipped $(tr '\n' ' ' < "$d/flipped" 2>/dev/null)"
}

scenario_full_disk() {
  local d=$1 mnt="$1/disk"
  mkdir -p "$mnt"
  if ! mount -t tmpfs -o size=4m,mode=700 chaos-disk "$mnt" 2>/dev/null; then
    row "$SCEN" "no" 0 0 0 0 "$SECONDS_USED" "cannot mount a tmpfs (needs root)"; return
  fi
  "$SHATTER" run "${HEAT[@]}" --no-progress --run-dir "$mnt/run" --summary-json "$d/s1.json" > "$d/full.log" 2>&1
  local code=$? clear=no
  # A full disk is the user's to fix: a message naming it, no stack trace, the committed shards kept.
  [ "$code" != 0 ] && grep -qi 'space\|full' "$d/full.log" && ! grep -q '^\s*at io\.shatter' "$d/full.log" && clear=yes
  local at; at=$(journal_commits "$mnt/run/journal.bin")
  mount -o remount,size=64m "$mnt"
  "$SHATTER" run "${HEAT[@]}" --no-progress --run-dir "$mnt/run" --summary-json "$d/s2.json" > "$d/resume.log" 2>&1
  local verified=no restored
  grep -q '^verified:' "$d/resume.log" && [ "$clear" = yes ] && verified=yes
  restored=$(json "$d/s2.json" resumed_from_journal)
  local doubled; doubled=$(journal_doubled "$mnt/run/journal.bin")
  umount "$mnt"
  row "$SCEN" "$verified" $(( at > restored ? at - restored : 0 )) "$doubled" 0 0 "$SECONDS_USED" \
    "first run exit $code, clear message: $clear; $at commits kept"
}

[ -x "$SHATTER" ] || { echo "chaos: $SHATTER is missing" >&2; exit 2; }
"$SHATTER" --version > /dev/null 2>&1 || true # builds once when the sources are newer than the jar
# Jobs run an installed distribution, never a source checkout: a copy of this build's, for the main-job scenarios.
cp -a "$ROOT/cli/target/dist/shatter" "$WORK/dist" 2>/dev/null || log "no distribution in cli/target/dist: the main-job scenarios will fail"
log "work directory $WORK; $RUNS run(s), seed $SEED"
for i in $(seq 0 $((RUNS - 1))); do
  SCEN=${SCENARIOS[$(( (SEED + i) % ${#SCENARIOS[@]} ))]}
  d="$WORK/$i-$SCEN"
  mkdir -p "$d"
  start=$(date +%s)
  SECONDS_USED=0
  case "$SCEN" in
    local-kill) scenario_local_kill "$d" ;;
    tasks-kill) scenario_tasks_kill "$d" ;;
    worker-sigkill) scenario_worker "$d" sigkill ;;
    worker-scancel) scenario_worker "$d" scancel ;;
    main-requeue) scenario_main "$d" requeue ;;
    main-preempt) scenario_main "$d" preempt ;;
    checkpoint-flip) scenario_flip "$d" checkpoint ;;
    journal-flip) scenario_flip "$d" journal ;;
    full-disk) scenario_full_disk "$d" ;;
    *) row "$SCEN" "no" 0 0 0 0 0 "unknown scenario" ;;
  esac
  # The row was written with SECONDS_USED=0: patch in this run's time.
  secs=$(( $(date +%s) - start ))
  sed -i '$ s/\t0\t\([^\t]*\)$/\t'"$secs"'\t\1/' "$TABLE"
  log "run $((i + 1))/$RUNS $(tail -1 "$TABLE" | tr '\t' ' ')"
done

echo "| # | scenario | verified | commits lost | commits doubled | orphans | leftover jobs | s | note |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
awk -F'\t' '{ printf "| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", NR, $1, $2, $3, $4, $5, $6, $7, $8 }' "$TABLE"
passed=$(awk -F'\t' '$2 == "yes" && $3 == 0 && $4 == 0 && $5 == 0 && $6 == 0' "$TABLE" | wc -l)
total=$(wc -l < "$TABLE")
echo "chaos: $passed of $total runs passed (verified bit for bit, 0 commits lost or doubled, 0 orphans, 0 leftover jobs); seed $SEED"
if [ "$passed" = "$total" ]; then
  rm -rf "$WORK"
  exit 0
fi
echo "chaos: the work directory is kept for inspection: $WORK" >&2
exit 1
