#!/usr/bin/env bash
# A real single-node Slurm for Shatter's tests: munged + slurmctld + slurmd from Debian,
# with a high-priority 'reserved' partition (default, never preempted) and a low-priority
# 'excess' partition whose jobs are preempted by requeue (preempt/partition_prio).
#
# Usage: scripts/local-slurm.sh start|stop|status|restart
# Env:
#   SHATTER_SLURM_CPUS        virtual CPUs of the node (default 8; may exceed real cores)
#   SHATTER_SLURM_GRACE       GraceTime (s) of the excess partition (default 0, see README)
#   SHATTER_SLURM_KILLWAIT    KillWait (s): SIGTERM -> SIGKILL delay on any kill (default 10)
#   SHATTER_SLURM_CRED_EXPIRE credential lifetime (s); a requeued job may restart this
#                             long (+1 s) after its requeue (default 10; Slurm's is 120)
#   SHATTER_SLURM_DIR         state, spool, logs and pid files (default /var/lib/shatter/slurm)
#   SHATTER_SLURM_CONF        slurm.conf written (default /etc/slurm/slurm.conf, which the
#                             Slurm commands read without SLURM_CONF); never overwritten
#                             unless it carries this script's marker line
#   SHATTER_SLURM_TIMEOUT     seconds to wait for the node to become idle (default 60)
# Must run as root (daemons run as root; munged runs as the 'munge' user).
set -euo pipefail

CPUS="${SHATTER_SLURM_CPUS:-8}"
GRACE="${SHATTER_SLURM_GRACE:-0}"
KILLWAIT="${SHATTER_SLURM_KILLWAIT:-10}"
CRED_EXPIRE="${SHATTER_SLURM_CRED_EXPIRE:-10}"
DIR="${SHATTER_SLURM_DIR:-/var/lib/shatter/slurm}"
CONF="${SHATTER_SLURM_CONF:-/etc/slurm/slurm.conf}"
TIMEOUT="${SHATTER_SLURM_TIMEOUT:-60}"
MARKER="# Managed by Shatter scripts/local-slurm.sh"
NODE="$(hostname -s)"
MUNGE_PID=/run/munge/munged.pid
CTLD_PID="$DIR/run/slurmctld.pid"
SLURMD_PID="$DIR/run/slurmd.pid"
# Our own record that we started munged (so 'stop' leaves a system munged alone).
MUNGE_OURS="$DIR/run/munged.started-by-shatter"

export SLURM_CONF="$CONF"

log() { echo "[local-slurm] $*"; }
die() { echo "[local-slurm] ERROR: $*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" = 0 ] || die "must run as root (installs packages, writes $CONF, starts slurmctld/slurmd as root). Rerun with sudo."
}

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

ensure_packages() {
  local missing=() p
  for p in "$@"; do is_installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" = 0 ] && return 0
  log "installing ${missing[*]} (first time: about a minute)"
  apt-get update -qq || die "apt-get update failed"
  # Installs start no services in containers (policy-rc.d); on a systemd host the
  # packages' own units may start; we then reuse a working munged (see start_munge).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# pid from a pid file, only if that process is alive and runs the expected program.
live_pid() {
  local file="$1" prog="$2" pid
  [ -s "$file" ] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$prog" ] || return 1
  echo "$pid"
}

# Polls a command until it succeeds or the deadline passes (no blind sleeps).
wait_for() {
  local what="$1" secs="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
  log "$what (after $((secs - (deadline - SECONDS)))s)"
}

write_conf() {
  mkdir -p "$(dirname "$CONF")" "$DIR/run" "$DIR/ctld" "$DIR/spool" "$DIR/log"
  if [ -e "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    die "$CONF exists and was not written by this script; not overwriting it. Move it away, or set SHATTER_SLURM_CONF to another path."
  fi
  local tmp="$CONF.tmp.$$"
  cat >"$tmp" <<EOF
$MARKER
# Single-node test cluster. Change SHATTER_SLURM_CPUS / SHATTER_SLURM_GRACE and rerun
# 'local-slurm.sh start' rather than editing this file.
ClusterName=shatter
SlurmctldHost=$NODE(127.0.0.1)
AuthType=auth/munge
# cred_expire also sets how long a requeued (preempted) job waits before it may start
# again: requeue time + cred_expire + 1 s (default 120 s; shortened for tests).
AuthInfo=cred_expire=$CRED_EXPIRE
CryptoType=crypto/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# No cgroups: works in containers and gVisor.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
# Backfill (which is what preempts here) every second instead of every 30 s, so a
# reserved job preempts excess jobs promptly.
# The main scheduler (which starts requeued jobs once eligible) every 2 s instead of 60 s.
SchedulerParameters=bf_interval=1,sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Preemption: jobs of a higher PriorityTier partition preempt lower ones; excess jobs
# are requeued (after SIGTERM and GraceTime), reserved jobs are never preempted.
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
# Let the node advertise the CPUs below rather than the real hardware.
SlurmdParameters=config_overrides
# SIGTERM -> SIGKILL delay when a job is killed (also when a preempted job is requeued).
KillWait=$KILLWAIT
# Keep finished jobs visible to squeue/scontrol for a while.
MinJobAge=300
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS Boards=1 SocketsPerBoard=1 CoresPerSocket=$CPUS ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN
PartitionName=reserved Nodes=$NODE Default=YES MaxTime=INFINITE State=UP PriorityTier=100 PreemptMode=OFF
PartitionName=excess Nodes=$NODE Default=NO MaxTime=INFINITE State=UP PriorityTier=1 PreemptMode=REQUEUE GraceTime=$GRACE
EOF
  if [ -f "$CONF" ] && cmp -s "$tmp" "$CONF"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$CONF"
    log "wrote $CONF (node $NODE, CPUs=$CPUS, excess GraceTime=${GRACE}s, KillWait=${KILLWAIT}s)"
  fi
}

# Checksum of the slurm.conf the running daemons were started with (survives an
# interrupted run: a conf written but not yet applied still triggers a restart).
conf_sum() { sha256sum "$CONF" | cut -d' ' -f1; }
APPLIED="$DIR/run/applied-conf.sha256"

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
  if munge_works; then
    log "munged already running"
    return 0
  fi
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating munge key /etc/munge/munge.key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile=/etc/munge/munge.key
    else
      dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    fi
  fi
  # munged insists on these owners and modes.
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  rm -f /run/munge/munge.socket.2.lock 2>/dev/null || true
  runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGE_PID" \
    || die "munged failed to start; see /var/log/munge/munged.log"
  touch "$MUNGE_OURS"
  wait_for "munged is up" 15 munge_works || die "munged started but 'munge -n | unmunge' fails; see /var/log/munge/munged.log"
}

start_daemon() {
  local name="$1" pidfile="$2" pid
  if pid="$(live_pid "$pidfile" "$name")"; then
    log "$name already running (pid $pid)"
    return 0
  fi
  rm -f "$pidfile"
  # Both daemonize themselves and write their pid files (paths in slurm.conf).
  "/usr/sbin/$name" -f "$CONF" || die "$name failed to start; see $DIR/log/$name.log"
  wait_for "$name is up (pid file $pidfile)" 20 live_pid "$pidfile" "$name" \
    || die "$name did not come up; last log lines:
$(tail -n 15 "$DIR/log/$name.log" 2>/dev/null)"
}

node_state() { sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -n1; }
# Up and responding (a trailing '*' means not responding); jobs may already run on it.
node_up() { case "$(node_state)" in idle|mixed|allocated|completing) return 0 ;; *) return 1 ;; esac; }

stop_daemon() {
  local name="$1" pidfile="$2" quiet="${3:-}" pid
  if ! pid="$(live_pid "$pidfile" "$name")"; then
    [ -n "$quiet" ] || log "$name not running"
    rm -f "$pidfile"; return 0
  fi
  kill -TERM "$pid"
  if ! wait_for "$name stopped" 20 bash -c "! kill -0 $pid"; then
    log "$name (pid $pid) ignored SIGTERM for 20s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

cmd_start() {
  require_root
  ensure_packages munge slurmctld slurmd slurm-client
  write_conf
  start_munge
  if [ "$(cat "$APPLIED" 2>/dev/null)" != "$(conf_sum)" ]; then
    # A changed node definition needs both daemons restarted to take effect.
    stop_daemon slurmd "$SLURMD_PID" quiet
    stop_daemon slurmctld "$CTLD_PID" quiet
  fi
  start_daemon slurmctld "$CTLD_PID"
  wait_for "slurmctld answers" 30 scontrol ping || die "slurmctld does not answer 'scontrol ping'; see $DIR/log/slurmctld.log"
  start_daemon slurmd "$SLURMD_PID"
  conf_sum >"$APPLIED"
  # A node left 'down'/'drained' by an earlier unclean stop is put back in service.
  case "$(node_state)" in
    down*|drain*|fail*) scontrol update NodeName="$NODE" State=RESUME || true ;;
  esac
  wait_for "node $NODE is up" "$TIMEOUT" node_up \
    || die "node $NODE not up after ${TIMEOUT}s (state: '$(node_state)'); see $DIR/log/slurmd.log and slurmctld.log"
  sinfo
}

cmd_stop() {
  require_root
  # Cancel our cluster's jobs so no job processes outlive the daemons.
  if live_pid "$CTLD_PID" slurmctld >/dev/null; then
    if [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
      log "cancelling remaining jobs"
      squeue -h -o %i | xargs -r scancel --quiet || true
      wait_for "jobs ended" 30 bash -c '[ -z "$(squeue -h -o %i)" ]' || log "some jobs still listed; stopping anyway"
    fi
  fi
  stop_daemon slurmd "$SLURMD_PID"
  stop_daemon slurmctld "$CTLD_PID"
  if [ -f "$MUNGE_OURS" ]; then
    stop_daemon munged "$MUNGE_PID"
    rm -f "$MUNGE_OURS"
  elif munge_works; then
    log "munged: not started by this script, left running"
  else
    log "munged not running"
  fi
}

cmd_status() {
  local rc=0 pid d
  for d in "munged:$MUNGE_PID" "slurmctld:$CTLD_PID" "slurmd:$SLURMD_PID"; do
    if pid="$(live_pid "${d#*:}" "${d%%:*}")"; then
      echo "${d%%:*}: running (pid $pid)"
    else
      echo "${d%%:*}: not running"; rc=3
    fi
  done
  echo "conf: $CONF"
  if [ "$rc" = 0 ]; then
    sinfo -o '%P %a %T %C' || rc=3
  fi
  return "$rc"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
