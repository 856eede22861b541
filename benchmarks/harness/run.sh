#!/usr/bin/env bash
# Side-by-side benchmark: Shatter (local ranks, Open MPI, MPJ Express) against mpi4py.futures and
# Dask distributed, same task counts and grains, 2 workers each. One script, one run: prints the
# table and writes the CSV. Options: see harness.py (benchmarks/harness/run.sh --help).
#
#   benchmarks/harness/run.sh [--install-peers] [--csv FILE] [--systems LIST] [--grains LIST] ...
#   benchmarks/harness/run.sh metg [--systems LIST] [--patterns LIST] ...   (Task Bench METG sweep: metg.py)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# Debian's python3-mpi4py and python3-distributed belong to Debian's interpreter, not to a pyenv shim.
export SHATTER_PYTHON="${SHATTER_PYTHON:-/usr/bin/python3}"

script=harness.py
if [ "${1:-}" = metg ]; then
  script=metg.py
  shift
fi
args=()
for a in "$@"; do
  case "$a" in
    --install-peers) "$root/scripts/install-peers.sh" ;;
    *) args+=("$a") ;;
  esac
done

[ -x "$SHATTER_PYTHON" ] || { echo "run.sh: $SHATTER_PYTHON is missing (apt-get install python3, or set SHATTER_PYTHON)" >&2; exit 2; }

# Build the distribution when it is missing or older than a source, with 'package' (bin/shatter
# would otherwise rebuild it itself, in the middle of a measurement).
jar="$root/cli/target/shatter.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" -path '*/src/main/*' -newer "$jar" -print -quit 2>/dev/null)" ] \
    || [ "$root/pom.xml" -nt "$jar" ]; then
  case " ${args[*]:-} " in
    *" --help "*|*" -h "*) ;;
    *)
      echo "run.sh: building the distribution (mvn package -pl cli -am)..." >&2
      (cd "$root" && mvn -B -q -pl cli -am package -DskipTests) >&2 \
        || { echo "run.sh: the build failed; run 'mvn -B -pl cli -am package -DskipTests' in $root to see why" >&2; exit 2; }
      touch "$jar" # the jar plugin keeps an unchanged jar's old time; bin/shatter compares times
      ;;
  esac
fi

exec "$SHATTER_PYTHON" "$here/$script" --root "$root" ${args[@]+"${args[@]}"}
