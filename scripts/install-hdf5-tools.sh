#!/usr/bin/env bash
# Installs Debian's hdf5-tools (h5dump, h5ls, ...) if h5dump is missing. Idempotent.
set -euo pipefail

log() { echo "[install-hdf5-tools] $*"; }
die() { echo "[install-hdf5-tools] ERROR: $*" >&2; exit 1; }

if command -v h5dump >/dev/null 2>&1; then
  log "h5dump already installed: $(command -v h5dump) ($(h5dump --version 2>&1 | head -n1))"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "h5dump is missing and installing it needs root: rerun as root, or: sudo apt-get install hdf5-tools"
log "installing hdf5-tools"
apt-get update -qq || die "apt-get update failed"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hdf5-tools >/dev/null \
  || die "apt-get install hdf5-tools failed"
command -v h5dump >/dev/null || die "hdf5-tools installed but h5dump is not on PATH"
log "installed $(command -v h5dump) ($(h5dump --version 2>&1 | head -n1))"
