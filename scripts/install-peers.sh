#!/usr/bin/env bash
# Installs the peer systems the benchmark harness (benchmarks/harness/run.sh) compares Shatter
# with, from Debian: mpi4py (python3-mpi4py, for mpi4py.futures) and Dask distributed
# (python3-distributed). Idempotent: when both import, it only says so (well under a second).
# Needs root only when something must be installed.
# Debian's packages are for Debian's interpreter, so everything uses /usr/bin/python3 (override:
# SHATTER_PYTHON), not whatever python3 comes first on PATH (a pyenv shim does not see them).
set -euo pipefail

PYTHON="${SHATTER_PYTHON:-/usr/bin/python3}"

log() { echo "[install-peers] $*"; }
die() { echo "[install-peers] ERROR: $*" >&2; exit 1; }

PACKAGES=(python3-mpi4py python3-distributed)

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
peers_import() { "$PYTHON" -c 'import mpi4py.futures, distributed' >/dev/null 2>&1; }

[ -x "$PYTHON" ] || die "$PYTHON is missing: apt-get install python3 (or set SHATTER_PYTHON to Debian's interpreter)"

missing=()
for p in "${PACKAGES[@]}"; do is_installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    die "missing Debian packages: ${missing[*]}. Run this script as root (or: sudo apt-get install ${missing[*]})."
  fi
  log "apt-get update"
  apt-get update -qq || die "apt-get update failed (network or sources.list problem?)"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi
peers_import || die "python3-mpi4py and python3-distributed are installed but 'import mpi4py.futures, distributed' fails with $PYTHON: run it by hand to see why"
log "$PYTHON: mpi4py $("$PYTHON" -c 'import mpi4py; print(mpi4py.__version__)'), dask distributed $("$PYTHON" -c 'import distributed; print(distributed.__version__)') ready"
