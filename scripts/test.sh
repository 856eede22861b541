#!/usr/bin/env bash
# README's test command: sets up what the tests run for real, then runs every test.
#   scripts/test.sh [extra mvn arguments]
# Installs and starts (idempotently, fast when already done) the HDF5 tools, Open MPI + MPJ Express,
# a local Slurm and headless Chromium, and tells the tests that they must be there, so that a test needing them fails
# instead of skipping. Needs root (or sudo) on a fresh machine for apt-get; Java 17 and Maven are the
# only prerequisites. Ends with the multi-node end to end of scripts/e2e-cluster.sh (network namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else
    echo "[test] $1 needs root: rerun as root or with sudo" >&2; return 1; fi
}

as_root scripts/install-hdf5-tools.sh
export SHATTER_REQUIRE_HDF5_TOOLS=1
# Open MPI with its Java bindings (mpi.jar compiled from Debian's source) and MPJ Express.
as_root scripts/install-mpi.sh
. "${SHATTER_PREFIX:-/opt/shatter}/env.sh"
export SHATTER_REQUIRE_MPI=1
# A real single-node Slurm (munge, slurmctld, slurmd) with partitions reserved and excess.
as_root scripts/local-slurm.sh start
export SHATTER_REQUIRE_SLURM=1

# Headless Chromium for the HTML report tests (cli ReportTest).
if ! command -v chromium >/dev/null 2>&1; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export SHATTER_REQUIRE_CHROMIUM=1
# The shared workload logs (../shared/traces beside the checkout, as CI has them) for the simulator's fidelity test.
export SHATTER_REQUIRE_SHARED_TRACES=1

mvn -B verify "$@"
# Excess workers end to end on the local Slurm: grow onto 'excess', get preempted, verify (about a minute).
scripts/e2e-slurm.sh
# A sample of the chaos suite (about 2 minutes): kill and resume, a task farm killed (orphans counted),
# a worker job scancel'ed (it must hand its state over). The whole suite: scripts/chaos.sh --runs 100.
scripts/chaos.sh --runs 3 --seed 1 --only local-kill,tasks-kill,worker-scancel
# Multi-node end to end (about 4 minutes): 4 Slurm nodes in network namespaces beside the single-node
# Slurm; MPI ranks on 2 nodes, excess workers on the 2 others, preempted, then one node killed.
# The cluster is stopped (every namespace, link and daemon it made removed) whether the test passed or not.
# --cpuset: the nodes' processes on 2 real CPUs (1 on a 1-CPU machine), as on the 2-core VM the test was
# timed on; with more cores the run would end before the preemption and the node kill it must outlast.
as_root scripts/local-cluster.sh start --nodes 4 --cpus 2 --cpuset "0-$(( $(nproc) > 1 ? 1 : 0 ))"
rc=0
as_root scripts/e2e-cluster.sh || rc=$?
as_root scripts/local-cluster.sh stop
exit "$rc"
