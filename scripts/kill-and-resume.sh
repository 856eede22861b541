#!/usr/bin/env bash
# Kills a run with SIGKILL once its journal holds MIN_BYTES, then runs the same command again with
# the same --run-dir and --checkpoint-dir, and prints the second run's last lines (the result,
# verified: and the summary with "resumed from the journal").
#
#   scripts/kill-and-resume.sh NAME MIN_BYTES WORKLOAD [options...]
#   scripts/kill-and-resume.sh c16 40000000 cholesky --tiles 16 --tile-size 256 --ranks 4 --reserved 2 --excess 2 --revoke-every 50ms --verify
#
# Files go to ./run-NAME, ./ck-NAME, NAME-1.log, NAME-2.log, NAME-1.json, NAME-2.json (summaries).
# Env: SHATTER_BETWEEN  a command run (with bash -c) after the kill and before the resume, in this
#                       directory with NAME as $1: scripts/chaos.sh counts commits and flips bytes there.
set -uo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 NAME MIN_JOURNAL_BYTES WORKLOAD [options...]" >&2
  exit 2
fi
name=$1; min=$2; shift 2
shatter="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bin/shatter"
rm -rf "run-$name" "ck-$name"
"$shatter" run "$@" --run-dir "run-$name" --checkpoint-dir "ck-$name" --no-progress --summary-json "$name-1.json" > "$name-1.log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  size=$(stat -c %s "run-$name/journal.bin" 2>/dev/null || echo 0)
  if [ "$size" -ge "$min" ]; then
    kill -9 "$pid"
    echo "killed at journal $size bytes"
    break
  fi
  sleep 0.05
done
wait "$pid" 2>/dev/null
echo "first run exit $?"
if [ -n "${SHATTER_BETWEEN:-}" ]; then
  bash -c "$SHATTER_BETWEEN" between "$name" || { echo "SHATTER_BETWEEN failed" >&2; exit 3; }
fi
"$shatter" run "$@" --run-dir "run-$name" --checkpoint-dir "ck-$name" --no-progress --summary-json "$name-2.json" > "$name-2.log" 2>&1
code=$?
echo "second run exit $code"
tail -3 "$name-2.log"
exit $code
