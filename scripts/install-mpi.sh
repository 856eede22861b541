#!/usr/bin/env bash
# Installs what Shatter's MPI transports need, idempotently:
#   1. Debian's Open MPI (openmpi-bin, libopenmpi-dev),
#   2. Open MPI's Java bindings jar (mpi.jar), compiled from the Debian source
#      package of exactly the installed Open MPI version (Debian ships the native
#      libmpi_java.so but not the jar),
#   3. MPJ Express from Debian's libmpj-java, with an MPJ_HOME that actually works
#      (Debian's layout lacks log4j 1.2 next to its jars, so its starter fails).
# Writes $SHATTER_PREFIX/env.sh exporting SHATTER_MPI_JAR and MPJ_HOME.
#
# Usage: scripts/install-mpi.sh [--check]
#   --check   also run the smoke tests when nothing had to be (re)built
# Env:   SHATTER_PREFIX (default /opt/shatter)
set -euo pipefail

PREFIX="${SHATTER_PREFIX:-/opt/shatter}"
OMPI_DIR="$PREFIX/openmpi"
MPI_JAR="$OMPI_DIR/mpi.jar"
MPI_STAMP="$OMPI_DIR/mpi.jar.version"
MPJ_DIR="$PREFIX/mpj"
MPJ_STAMP="$MPJ_DIR/.shatter-version"
DEBSRC_FILE=/etc/apt/sources.list.d/shatter-deb-src.sources

CHECK=0
case "${1:-}" in
  --check) CHECK=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

log() { echo "[install-mpi] $*"; }
die() { echo "[install-mpi] ERROR: $*" >&2; exit 1; }

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
pkg_version() { dpkg-query -W -f='${Version}' "$1"; }

APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get update -qq || die "apt-get update failed (network or sources.list problem?)"
    APT_UPDATED=1
  fi
}

# Installs the given Debian packages if any is missing; needs root only then.
ensure_packages() {
  local missing=() p
  for p in "$@"; do is_installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" = 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    die "missing Debian packages: ${missing[*]}. Run this script as root (or: sudo apt-get install ${missing[*]})."
  fi
  apt_update_once
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

need_write() {
  mkdir -p "$1" 2>/dev/null && [ -w "$1" ] || die "cannot write $1: run as root or set SHATTER_PREFIX to a writable directory"
}

# mpirun refuses to run as root unless told; CI runs as root.
MPIRUN_FLAGS=(--oversubscribe)
[ "$(id -u)" = 0 ] && MPIRUN_FLAGS+=(--allow-run-as-root)

# ---------------------------------------------------------------- Open MPI
ensure_packages openmpi-bin libopenmpi-dev
command -v javac >/dev/null || ensure_packages openjdk-17-jdk-headless
command -v mpirun >/dev/null || die "mpirun not on PATH although openmpi-bin is installed"

# The package that ships the native JNI library decides the version we must match.
NATIVE_SO="$(dpkg-query -S 'libmpi_java.so.*' 2>/dev/null | awk -F': ' '{print $2}' | sort | head -n1 || true)"
[ -n "$NATIVE_SO" ] || die "no libmpi_java.so found in any installed package: this Open MPI was built without Java bindings"
NATIVE_PKG="$(dpkg-query -S "$NATIVE_SO" | cut -d: -f1)"
# Source version, without a binNMU suffix (4.1.4-3+b1 is built from source 4.1.4-3).
OMPI_SRC_VERSION="$(dpkg-query -W -f='${source:Version}' "$NATIVE_PKG")"
OMPI_SRC_NAME="$(dpkg-query -W -f='${source:Package}' "$NATIVE_PKG")"
# System.loadLibrary("mpi_java") needs the unversioned name, which libopenmpi-dev provides.
[ -e "$(dirname "$NATIVE_SO")/libmpi_java.so" ] || die "$(dirname "$NATIVE_SO")/libmpi_java.so missing (it comes with libopenmpi-dev)"

WANT_STAMP="source=$OMPI_SRC_NAME $OMPI_SRC_VERSION javac=$(javac -version 2>&1 | awk '{print $2}')"

# Adds deb-src entries mirroring the Debian 'deb' entries already configured, so that
# 'apt-get source' reaches the same archive and suite as the installed binaries.
ensure_deb_src() {
  if apt-cache showsrc "$OMPI_SRC_NAME" 2>/dev/null | grep -qx "Version: $OMPI_SRC_VERSION"; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "need a deb-src entry for $OMPI_SRC_NAME; run as root so the script can add $DEBSRC_FILE"
  local tmp; tmp="$(mktemp)"
  # deb822 files: copy each Debian stanza with Types: deb -> deb-src.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] && [ "$f" != "$DEBSRC_FILE" ] || continue
    awk 'BEGIN{RS=""; ORS="\n\n"}
         /(^|\n)Types:[^\n]*deb([ \n]|$)/ && /URIs:[^\n]*debian/ {
           gsub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" >>"$tmp"
  done
  # One-line format.
  if [ -f /etc/apt/sources.list ]; then
    awk '$1=="deb" && /debian/ { $1="deb-src"; print }' /etc/apt/sources.list >"$tmp.list"
    if [ -s "$tmp.list" ]; then
      cp "$tmp.list" /etc/apt/sources.list.d/shatter-deb-src.list
    fi
    rm -f "$tmp.list"
  fi
  if [ -s "$tmp" ]; then
    { echo "# Added by Shatter's scripts/install-mpi.sh to build Open MPI's mpi.jar"; cat "$tmp"; } >"$DEBSRC_FILE"
  fi
  rm -f "$tmp"
  log "added deb-src entries ($DEBSRC_FILE)"
  APT_UPDATED=0
  apt_update_once
  apt-cache showsrc "$OMPI_SRC_NAME" 2>/dev/null | grep -qx "Version: $OMPI_SRC_VERSION" \
    || die "the archive has no source for $OMPI_SRC_NAME $OMPI_SRC_VERSION (installed). Upgrade Open MPI to the archive's version (apt-get install --only-upgrade openmpi-bin libopenmpi-dev) and rerun."
}

# Compiles a one-class program against the given classpath and runs it; prints its output.
SMOKE_DIR=""
cleanup() { [ -n "$SMOKE_DIR" ] && rm -rf "$SMOKE_DIR"; [ -n "${BUILD_DIR:-}" ] && rm -rf "$BUILD_DIR"; return 0; }
trap cleanup EXIT

smoke_openmpi() {
  SMOKE_DIR="$(mktemp -d)"
  cat >"$SMOKE_DIR/ShatterOmpiSmoke.java" <<'EOF'
import mpi.*;
public class ShatterOmpiSmoke {
  public static void main(String[] args) throws Exception {
    MPI.Init(args);
    int rank = MPI.COMM_WORLD.getRank(), size = MPI.COMM_WORLD.getSize();
    int[] buf = {rank};
    if (rank != 0) MPI.COMM_WORLD.send(buf, 1, MPI.INT, 0, 1);
    else for (int r = 1; r < size; r++) { MPI.COMM_WORLD.recv(buf, 1, MPI.INT, r, 1); System.out.println("got " + buf[0]); }
    if (rank == 0) System.out.println("SMOKE-OK size=" + size);
    MPI.Finalize();
  }
}
EOF
  javac -nowarn -cp "$MPI_JAR" -d "$SMOKE_DIR" "$SMOKE_DIR/ShatterOmpiSmoke.java"
  local out
  out="$(cd "$SMOKE_DIR" && timeout 120 mpirun "${MPIRUN_FLAGS[@]}" -np 2 java -cp "$MPI_JAR:$SMOKE_DIR" ShatterOmpiSmoke 2>&1)" \
    || die "Open MPI smoke test failed under mpirun:
$out"
  grep -q 'SMOKE-OK size=2' <<<"$out" || die "Open MPI smoke test printed no SMOKE-OK:
$out"
  rm -rf "$SMOKE_DIR"; SMOKE_DIR=""
  log "Open MPI Java smoke test passed (2 ranks under mpirun)"
}

build_mpi_jar() {
  ensure_packages dpkg-dev xz-utils   # dpkg-source unpacks the source package
  ensure_deb_src
  need_write "$OMPI_DIR"
  BUILD_DIR="$(mktemp -d)"
  # apt drops privileges to _apt for downloads; let it write here (avoids a warning).
  if id _apt >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then chown _apt "$BUILD_DIR"; fi
  log "fetching source $OMPI_SRC_NAME=$OMPI_SRC_VERSION (about 7 MB)"
  (cd "$BUILD_DIR" && apt-get source -qq "$OMPI_SRC_NAME=$OMPI_SRC_VERSION" >"$BUILD_DIR/source.log" 2>&1) \
    || die "apt-get source $OMPI_SRC_NAME=$OMPI_SRC_VERSION failed: $(tail -5 "$BUILD_DIR/source.log")"
  local javadir
  javadir="$(find "$BUILD_DIR" -maxdepth 6 -type d -path '*/ompi/mpi/java/java' | head -n1)"
  [ -n "$javadir" ] || die "ompi/mpi/java/java not found in the unpacked source"
  # Open MPI's build generates sources from *.java.in templates in some releases;
  # none in 4.1.x (constants come from the native lib at run time), but fail loudly if
  # a future version has some, rather than build a broken jar.
  if ls "$javadir"/*.java.in >/dev/null 2>&1; then
    die "$javadir has *.java.in templates; this script does not know how to fill them for $OMPI_SRC_VERSION"
  fi
  log "compiling $(ls "$javadir"/*.java | wc -l) classes"
  mkdir -p "$BUILD_DIR/classes"
  javac -nowarn --release 17 -encoding UTF-8 -d "$BUILD_DIR/classes" "$javadir"/*.java 2>"$BUILD_DIR/javac.log" \
    || die "javac failed: $(tail -20 "$BUILD_DIR/javac.log")"
  jar cf "$BUILD_DIR/mpi.jar" -C "$BUILD_DIR/classes" mpi
  # Replace atomically so a concurrent user never sees a half-written jar.
  cp "$BUILD_DIR/mpi.jar" "$MPI_JAR.tmp" && mv -f "$MPI_JAR.tmp" "$MPI_JAR"
  rm -rf "$BUILD_DIR"; BUILD_DIR=""
  smoke_openmpi
  echo "$WANT_STAMP" >"$MPI_STAMP"
  log "installed $MPI_JAR ($WANT_STAMP)"
}

if [ -f "$MPI_JAR" ] && [ "$(cat "$MPI_STAMP" 2>/dev/null)" = "$WANT_STAMP" ]; then
  log "mpi.jar already built for $OMPI_SRC_NAME $OMPI_SRC_VERSION: $MPI_JAR"
  [ "$CHECK" = 1 ] && smoke_openmpi
else
  build_mpi_jar
fi

# ---------------------------------------------------------------- MPJ Express
ensure_packages libmpj-java liblog4j1.2-java libcommons-cli-java libcommons-codec-java libcommons-io-java
MPJ_WANT="libmpj-java=$(pkg_version libmpj-java) liblog4j1.2-java=$(pkg_version liblog4j1.2-java)"

smoke_mpj() {
  SMOKE_DIR="$(mktemp -d)"
  cat >"$SMOKE_DIR/ShatterMpjSmoke.java" <<'EOF'
import mpi.*;
public class ShatterMpjSmoke {
  public static void main(String[] args) throws Exception {
    String[] appArgs = MPI.Init(args);
    int rank = MPI.COMM_WORLD.Rank(), size = MPI.COMM_WORLD.Size();
    int[] buf = {rank};
    if (rank != 0) MPI.COMM_WORLD.Send(buf, 0, 1, MPI.INT, 0, 1);
    else for (int r = 1; r < size; r++) MPI.COMM_WORLD.Recv(buf, 0, 1, MPI.INT, r, 1);
    if (rank == 0) System.out.println("SMOKE-OK size=" + size + " arg=" + appArgs[0]);
    MPI.Finalize();
  }
}
EOF
  javac -nowarn -cp "$MPJ_DIR/lib/mpj.jar" -d "$SMOKE_DIR" "$SMOKE_DIR/ShatterMpjSmoke.java"
  local out
  # MPJ's starter exits 0 even when a rank fails, so the marker line is the verdict.
  out="$(cd "$SMOKE_DIR" && MPJ_HOME="$MPJ_DIR" timeout 120 "$MPJ_DIR/bin/mpjrun.sh" -np 2 -cp "$SMOKE_DIR" ShatterMpjSmoke x 2>&1)" || true
  grep -q 'SMOKE-OK size=2 arg=x' <<<"$out" || die "MPJ Express smoke test failed:
$out"
  rm -rf "$SMOKE_DIR"; SMOKE_DIR=""
  log "MPJ Express multicore smoke test passed (2 ranks)"
}

prepare_mpj_home() {
  need_write "$MPJ_DIR"
  local tmp="$MPJ_DIR.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp/lib" "$tmp/conf" "$tmp/bin" "$tmp/logs"
  # Real copies, not symlinks: the jars' manifest Class-Path (log4j-1.2.jar, commons-*.jar,
  # runtimecommon.jar) is resolved next to the jar's real file, and the JVM follows
  # symlinks to /usr/share/mpj/lib, where log4j is missing.
  local j base
  for j in /usr/share/mpj/lib/*.jar; do
    [ -L "$j" ] && continue                 # skip unversioned links, copy the real files
    base="$(basename "$j" | sed -E 's/-[0-9][0-9.]*\.jar$/.jar/')"
    cp "$j" "$tmp/lib/$base"
  done
  for j in log4j-1.2 commons-cli commons-codec commons-io; do
    cp "$(readlink -f "/usr/share/java/$j.jar")" "$tmp/lib/$j.jar"
  done
  [ -f "$tmp/lib/starter.jar" ] && [ -f "$tmp/lib/mpj.jar" ] || die "libmpj-java layout unexpected: no starter.jar/mpj.jar in /usr/share/mpj/lib"
  cp /etc/mpj/*.conf "$tmp/conf/"
  # Debian's /usr/bin/mpjrun hard-codes MPJ_HOME=/usr/share/mpj; ours honours this MPJ_HOME.
  cat >"$tmp/bin/mpjrun.sh" <<'EOF'
#!/bin/sh
# MPJ Express launcher for the MPJ_HOME prepared by Shatter's scripts/install-mpi.sh.
# Multicore device by default: mpjrun.sh -np N [-cp CP] [JVM options] Class [args]
MPJ_HOME="${MPJ_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
export MPJ_HOME
exec java -jar "$MPJ_HOME/lib/starter.jar" "$@"
EOF
  chmod 755 "$tmp/bin/mpjrun.sh"
  echo "$MPJ_WANT" >"$tmp/.shatter-version"
  rm -rf "$MPJ_DIR"; mv "$tmp" "$MPJ_DIR"
  smoke_mpj
  log "prepared MPJ_HOME=$MPJ_DIR ($MPJ_WANT)"
}

if [ -f "$MPJ_DIR/lib/starter.jar" ] && [ "$(cat "$MPJ_STAMP" 2>/dev/null)" = "$MPJ_WANT" ]; then
  log "MPJ_HOME already prepared: $MPJ_DIR"
  [ "$CHECK" = 1 ] && smoke_mpj
else
  prepare_mpj_home
fi

# ---------------------------------------------------------------- environment
ENV_TEXT="# Written by Shatter's scripts/install-mpi.sh; source it: . $PREFIX/env.sh
export SHATTER_MPI_JAR=$MPI_JAR
export MPJ_HOME=$MPJ_DIR"
if [ "$(cat "$PREFIX/env.sh" 2>/dev/null)" != "$ENV_TEXT" ]; then
  need_write "$PREFIX"
  printf '%s\n' "$ENV_TEXT" >"$PREFIX/env.sh.tmp" && mv -f "$PREFIX/env.sh.tmp" "$PREFIX/env.sh"
fi
log "done. Environment: . $PREFIX/env.sh  (SHATTER_MPI_JAR=$MPI_JAR MPJ_HOME=$MPJ_DIR)"
