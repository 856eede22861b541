#!/usr/bin/env bash
# A multi-node Slurm cluster on this one machine: N compute nodes, each a network namespace with its
# own hostname (UTS namespace), its own address on a private bridge and its own slurmd; one slurmctld
# (on the bridge's address, as the login/controller host) and one munged. The filesystem is shared,
# as on a real cluster. It lives beside the single-node Slurm of local-slurm.sh: its own slurm.conf
# (export SLURM_CONF to use it), ports, state, spool and logs; munged is shared.
#
# Usage: scripts/local-cluster.sh start  [--nodes N] [--cpus C] [--cpuset LIST]
#                                          N nodes sn1..snN of C CPUs; with --cpuset every node's
#                                          processes run on those real CPUs only (taskset -c LIST),
#                                          so that a test behaves the same on a machine with more cores
#        scripts/local-cluster.sh stop                            removes everything 'start' made
#        scripts/local-cluster.sh status                          exit 0 when every node is up
#        scripts/local-cluster.sh kill-node NODE                  kills every process of NODE at
#                                           once and tears its namespace down (a crashed node);
#                                           'start' brings it back
#        scripts/local-cluster.sh env                             prints 'export SLURM_CONF=...'
# Partitions: 'reserved' (default, every node, never preempted) and 'excess' (the last
# N/2 nodes, preempted by requeue). Excess nodes have a higher Weight, so reserved jobs fill
# sn1.. first and excess capacity stays on the last nodes.
# Env: SHATTER_CLUSTER_DIR   state, spool, logs, pids, slurm.conf (default /var/lib/shatter/cluster)
#      SHATTER_CLUSTER_NET   first three octets of the private /24 (default 10.213.0)
#      SHATTER_CLUSTER_PORT  slurmctld port; slurmd uses PORT+1 (default 6917)
#      SHATTER_SLURM_KILLWAIT, SHATTER_SLURM_CRED_EXPIRE as for local-slurm.sh (10, 10)
#      SHATTER_CLUSTER_SLURMD_TIMEOUT  seconds without a slurmd answer before its node is
#                            marked DOWN (default 12)
#      SHATTER_SLURM_TIMEOUT seconds to wait for the nodes to come up (default 60)
# Must run as root. Addresses exist only on the bridge and inside the namespaces this script
# creates; the namespaces have no default route, so nothing in them reaches beyond this machine.
set -euo pipefail

DIR="${SHATTER_CLUSTER_DIR:-/var/lib/shatter/cluster}"
NET="${SHATTER_CLUSTER_NET:-10.213.0}"
PORT="${SHATTER_CLUSTER_PORT:-6917}"
KILLWAIT="${SHATTER_SLURM_KILLWAIT:-10}"
CRED_EXPIRE="${SHATTER_SLURM_CRED_EXPIRE:-10}"
SLURMD_TIMEOUT="${SHATTER_CLUSTER_SLURMD_TIMEOUT:-12}"
TIMEOUT="${SHATTER_SLURM_TIMEOUT:-60}"
CONF="$DIR/slurm.conf"
STATE="$DIR/cluster.env" # what 'start' made: NODES, CPUS (read by stop/status/kill-node)
BRIDGE=shatter-br
NS_PREFIX=shatter-       # namespace of node sn3: shatter-sn3; its bridge port: shv-sn3
CTLD_PID="$DIR/run/slurmctld.pid"
MUNGE_PID=/run/munge/munged.pid
MUNGE_OURS="$DIR/run/munged.started-by-shatter"
MARKER="# Managed by Shatter scripts/local-cluster.sh"
CTL_HOST="$(hostname -s)"   # slurmctld insists on running on the host SlurmctldHost names

export SLURM_CONF="$CONF"

log() { echo "[local-cluster] $*"; }
die() { echo "[local-cluster] ERROR: $*" >&2; exit 1; }
bad() { echo "[local-cluster] ERROR: $*" >&2; exit 2; } # wrong input
usage() { echo "usage: $0 start [--nodes N] [--cpus C] [--cpuset LIST] | stop | status | kill-node NODE | env" >&2; exit 2; }

require_root() { [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, daemons as root). Rerun with sudo."; }
is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
ensure_packages() {
  local missing=() p
  for p in "$@"; do is_installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" = 0 ] && return 0
  log "installing ${missing[*]}"
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

live_pid() { # live_pid FILE PROGRAM: the pid in FILE if that process runs PROGRAM
  local pid
  [ -s "$1" ] || return 1
  pid="$(tr -dc '0-9' <"$1")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && echo "$pid"
}
wait_for() { # wait_for WHAT SECONDS COMMAND...: polls, no blind sleeps
  local what="$1" deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
  log "$what"
}

node_names() { local i; for ((i = 1; i <= NODES; i++)); do echo "sn$i"; done; }
node_ip() { echo "$NET.$((10 + ${1#sn}))"; }
ns_of() { echo "$NS_PREFIX$1"; }
ns_exists() { [ -e "/var/run/netns/$(ns_of "$1")" ]; }
load_state() { [ -f "$STATE" ] && . "$STATE"; }

check_name() { [[ "$1" =~ ^sn[0-9]+$ ]] || bad "'$1' is not a node of this cluster (sn1..snN)"; }

write_conf() {
  local excess_first=$((NODES - NODES / 2 + 1)) n reserved_nodes excess_nodes
  reserved_nodes="sn[1-$NODES]"
  excess_nodes="sn[$excess_first-$NODES]"
  mkdir -p "$DIR"/{run,ctld,spool,log}
  chmod 755 "$DIR"
  {
    echo "$MARKER"
    echo "# $NODES nodes in network namespaces on one machine; rewrite with 'local-cluster.sh start', do not edit."
    cat <<EOF
ClusterName=shatter-cluster
SlurmctldHost=$CTL_HOST($NET.1)
AuthType=auth/munge
AuthInfo=cred_expire=$CRED_EXPIRE
CryptoType=crypto/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
StateSaveLocation=$DIR/ctld
# %n: one spool, log and pid file per node (several slurmd share this filesystem).
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
# A node that comes back (after kill-node and start) returns to service by itself.
ReturnToService=2
# A node whose slurmd stops answering is DOWN after this long; its jobs are requeued or ended.
SlurmdTimeout=$SLURMD_TIMEOUT
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1,sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
KillWait=$KILLWAIT
MinJobAge=300
EOF
    for n in $(node_names); do
      local weight=1
      [ "${n#sn}" -ge "$excess_first" ] && weight=10
      echo "NodeName=$n NodeAddr=$(node_ip "$n") CPUs=$CPUS Boards=1 SocketsPerBoard=1 CoresPerSocket=$CPUS ThreadsPerCore=1 RealMemory=1000 Weight=$weight State=UNKNOWN"
    done
    echo "PartitionName=reserved Nodes=$reserved_nodes Default=YES MaxTime=INFINITE State=UP PriorityTier=100 PreemptMode=OFF"
    echo "PartitionName=excess Nodes=$excess_nodes Default=NO MaxTime=INFINITE State=UP PriorityTier=1 PreemptMode=REQUEUE GraceTime=0"
  } >"$CONF.tmp"
  mv -f "$CONF.tmp" "$CONF"
  chmod 644 "$CONF"
}

# /etc/netns/NS/hosts is bind-mounted over /etc/hosts for the node's processes: every node resolves
# every other node's name (Open MPI and the join address use host names).
write_hosts() {
  local n m
  [ -d /etc/netns ] || touch "$DIR/run/etc-netns.created-by-shatter" # so that 'stop' removes it again
  for n in $(node_names); do
    mkdir -p "/etc/netns/$(ns_of "$n")"
    {
      echo "127.0.0.1 localhost"
      echo "$NET.1 $CTL_HOST-ctl"
      for m in $(node_names); do echo "$(node_ip "$m") $m"; done
    } >"/etc/netns/$(ns_of "$n")/hosts"
  done
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
start_munge() {
  munge_works && return 0
  # The same steps as local-slurm.sh: a key if missing, owners munged insists on, run as 'munge'.
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key
    else dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none; fi
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key; chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge; chmod 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGE_PID" || die "munged failed to start"
  touch "$MUNGE_OURS"
  wait_for "munged is up" 15 munge_works || die "munged does not answer; see /var/log/munge/munged.log"
}

subnet_taken_by_others() { ip -4 route show "$NET.0/24" | grep -qv "dev $BRIDGE"; }

make_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    subnet_taken_by_others && die "$NET.0/24 is already routed on this machine ($(ip -4 route show "$NET.0/24")); set SHATTER_CLUSTER_NET"
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.1/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

make_node() {
  local n="$1" ns; ns="$(ns_of "$n")"
  if ! ns_exists "$n"; then
    ip netns add "$ns"
    # Only a veth pair into the bridge: the namespace gets the /24 route and no default route.
    ip link add "shv-$n" type veth peer name eth0 netns "$ns"
    ip link set "shv-$n" master "$BRIDGE" up
    ip -n "$ns" addr add "$(node_ip "$n")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  fi
  mkdir -p "$DIR/spool/$n"
  if ! live_pid "$DIR/run/slurmd-$n.pid" slurmd >/dev/null; then
    rm -f "$DIR/run/slurmd-$n.pid"
    # Its own hostname (UTS namespace) and network; slurmd daemonizes and writes its pid file.
    # nsenter, not 'ip netns exec': that remounts /sys, hiding /sys/fs/cgroup, which slurmd 22.05
    # needs even with proctrack/linuxproc. A private mount namespace carries the node's /etc/hosts.
    ${CPUSET:+taskset -c "$CPUSET"} nsenter --net="/var/run/netns/$ns" -- unshare --uts --mount --propagation private -- sh -c \
      'hostname "$1" && mount --bind "/etc/netns/$2/hosts" /etc/hosts && exec /usr/sbin/slurmd -N "$1" -f "$3"' \
      sh "$n" "$ns" "$CONF" || die "slurmd of $n failed to start; see $DIR/log/slurmd-$n.log"
  fi
}

node_state() { sinfo -h -N -n "$1" -o '%T' 2>/dev/null | head -n1; }
all_up() {
  local n
  for n in $(node_names); do
    case "$(node_state "$n")" in idle|mixed|allocated|completing) ;; *) return 1 ;; esac
  done
}

cmd_start() {
  require_root
  local want_nodes="" want_cpus="" want_cpuset="" pid
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) want_nodes="${2:-}"; shift 2 || usage ;;
      --cpus) want_cpus="${2:-}"; shift 2 || usage ;;
      --cpuset) want_cpuset="${2:-}"; shift 2 || usage
        [[ "$want_cpuset" =~ ^[0-9]+([-,][0-9]+)*$ ]] && [ "$(tr -- '-,' '\n\n' <<<"$want_cpuset" | sort -n | tail -n1)" -lt "$(nproc)" ] \
          || bad "--cpuset '$want_cpuset' is not a list of this machine's CPUs (taskset -c syntax, e.g. 0-1; this machine has $(nproc))" ;;
      *) usage ;;
    esac
  done
  [ -z "$want_nodes" ] || [[ "$want_nodes" =~ ^[0-9]+$ ]] || bad "--nodes must be 2..64, got '$want_nodes'"
  [ -z "$want_cpus" ] || [[ "$want_cpus" =~ ^[0-9]+$ ]] || bad "--cpus must be 1..256, got '$want_cpus'"
  NODES=4 CPUS=2
  load_state || true
  # A running cluster of another shape is stopped first (its nodes, jobs and state).
  if [ -f "$STATE" ] && { [ -n "$want_nodes" ] && [ "$want_nodes" != "$NODES" ] || [ -n "$want_cpus" ] && [ "$want_cpus" != "$CPUS" ]; }; then
    log "reshaping the cluster ($NODES x $CPUS -> ${want_nodes:-$NODES} x ${want_cpus:-$CPUS}): stopping it first"
    cmd_stop
  fi
  NODES="${want_nodes:-$NODES}" CPUS="${want_cpus:-$CPUS}" CPUSET="${want_cpuset:-${CPUSET:-}}"
  [[ "$NODES" =~ ^[0-9]+$ ]] && [ "$NODES" -ge 2 ] && [ "$NODES" -le 64 ] || bad "--nodes must be 2..64, got '$NODES'"
  [[ "$CPUS" =~ ^[0-9]+$ ]] && [ "$CPUS" -ge 1 ] && [ "$CPUS" -le 256 ] || bad "--cpus must be 1..256, got '$CPUS'"
  [[ "$NET" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || bad "SHATTER_CLUSTER_NET must be three octets, got '$NET'"
  [[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1024 ] && [ "$PORT" -le 65534 ] || bad "SHATTER_CLUSTER_PORT must be 1024..65534, got '$PORT'"
  ensure_packages munge slurmctld slurmd slurm-client iproute2 util-linux
  mkdir -p "$DIR"
  printf 'NODES=%s\nCPUS=%s\nCPUSET=%s\n' "$NODES" "$CPUS" "$CPUSET" >"$STATE"
  write_conf
  write_hosts
  start_munge
  make_bridge
  if ! live_pid "$CTLD_PID" slurmctld >/dev/null; then
    /usr/sbin/slurmctld -f "$CONF" || die "slurmctld failed to start; see $DIR/log/slurmctld.log"
    wait_for "slurmctld answers on $NET.1:$PORT" 30 scontrol ping || die "slurmctld does not answer; see $DIR/log/slurmctld.log"
  fi
  local n
  for n in $(node_names); do make_node "$n"; done
  if [ -n "$CPUSET" ]; then # slurmds already running move too (their jobs inherit it from them)
    for n in $(node_names); do
      if pid="$(live_pid "$DIR/run/slurmd-$n.pid" slurmd)"; then taskset -a -p -c "$CPUSET" "$pid" >/dev/null; fi
    done
  fi
  for n in $(node_names); do # a node killed earlier comes back as soon as its slurmd registers
    case "$(node_state "$n")" in down*|drain*|fail*) scontrol update NodeName="$n" State=RESUME 2>/dev/null || true ;; esac
  done
  wait_for "$NODES nodes up" "$TIMEOUT" all_up || die "nodes not up after ${TIMEOUT}s: $(sinfo -h -N -o '%N=%T' | tr '\n' ' '); see $DIR/log/"
  log "use it with: export SLURM_CONF=$CONF"
  sinfo -N -o '%N %P %T %C'
}

# Cuts the node off the network (its link first, so that its processes' deaths send no FIN or RST:
# to the rest of the cluster it falls silent, as after a power loss), kills every process in its
# namespace at once (SIGKILL), then removes the namespace.
destroy_node() {
  local n="$1" ns pids; ns="$(ns_of "$n")"
  ip link del "shv-$n" 2>/dev/null || true
  if ns_exists "$n"; then
    pids="$(ip netns pids "$ns" 2>/dev/null || true)"
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while [ -n "$(ip netns pids "$ns" 2>/dev/null)" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    ip netns del "$ns"
  fi
  rm -f "$DIR/run/slurmd-$n.pid"
}

cmd_kill_node() {
  require_root
  [ $# = 1 ] || usage
  check_name "$1"
  load_state || die "no cluster was started (no $STATE)"
  ns_exists "$1" || die "node $1 has no namespace (already killed, or not part of this cluster)"
  destroy_node "$1"
  log "node $1 killed: every process in its namespace got SIGKILL; namespace and link removed"
}

cmd_stop() {
  require_root
  NODES=0 CPUS=0
  load_state || true
  if live_pid "$CTLD_PID" slurmctld >/dev/null && [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
    log "cancelling remaining jobs"
    squeue -h -o %i | xargs -r scancel --quiet || true
    wait_for "jobs ended" 30 bash -c '[ -z "$(squeue -h -t PD,R,CG,S,CF -o %i)" ]' || log "some jobs still listed; stopping anyway"
  fi
  local ns n
  # Every namespace this script made, also of nodes beyond a smaller NODES of a later start.
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NS_PREFIX}sn[0-9]*$" || true); do
    destroy_node "${ns#"$NS_PREFIX"}"
  done
  if pid="$(live_pid "$CTLD_PID" slurmctld)"; then
    kill -TERM "$pid"
    wait_for "slurmctld stopped" 20 bash -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; fi
  rm -rf /etc/netns/"$NS_PREFIX"sn*
  if [ -f "$DIR/run/etc-netns.created-by-shatter" ]; then rmdir /etc/netns 2>/dev/null || true; fi
  if [ -f "$MUNGE_OURS" ]; then # started by us, and local-slurm.sh's Slurm does not run on it
    if pid="$(live_pid "$MUNGE_PID" munged)"; then kill -TERM "$pid"; fi
  fi
  # Everything else this script made lives in DIR; the shared munged and local-slurm.sh's files stay.
  [ -f "$CONF" ] && ! grep -qF "$MARKER" "$CONF" && die "$CONF was not written by this script; leaving $DIR"
  rm -rf "$DIR"
  log "stopped: no namespace, link, daemon or state of the cluster left"
}

cmd_status() {
  local rc=0 n pid
  NODES=0
  load_state || { echo "no cluster started ($STATE missing)"; return 3; }
  if pid="$(live_pid "$CTLD_PID" slurmctld)"; then echo "slurmctld: running (pid $pid) on $NET.1:$PORT"; else echo "slurmctld: not running"; rc=3; fi
  for n in $(node_names); do
    if ns_exists "$n" && pid="$(live_pid "$DIR/run/slurmd-$n.pid" slurmd)"; then
      echo "$n: namespace $(ns_of "$n"), $(node_ip "$n"), slurmd pid $pid"
    else
      echo "$n: down (no namespace or no slurmd)"; rc=3
    fi
  done
  echo "conf: export SLURM_CONF=$CONF"
  [ "$rc" = 0 ] && { sinfo -N -o '%N %P %T %C' || rc=3; }
  return "$rc"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  kill-node) shift; cmd_kill_node "$@" ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) usage ;;
esac
