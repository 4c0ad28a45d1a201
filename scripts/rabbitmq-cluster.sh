#!/usr/bin/env bash
# A three-node RabbitMQ cluster on loopback for the cluster tests (issue #11), beside the default
# node (rabbit@localhost, 5672), which it leaves alone.
#
#   scripts/rabbitmq-cluster.sh up       start what is missing and join it; a healthy cluster: nothing to do
#   scripts/rabbitmq-cluster.sh status   exit 0 when all three nodes run in one cluster
#   scripts/rabbitmq-cluster.sh down     stop the three nodes (their data stays; `down --purge` removes it)
#
# Nodes trawl1@localhost .. trawl3@localhost, AMQP on 127.0.0.1:5673..5675, Erlang distribution on
# 25673..25675. Each node has its own config file (the system /etc/rabbitmq/rabbitmq.conf pins 5672),
# an empty plugin list, and its data and logs under $TRAWL_RMQ_CLUSTER_DIR (default
# /var/lib/rabbitmq/trawl-cluster), owned by the rabbitmq user, which the server runs as (the
# Debian wrapper switches to it), so the nodes share the default node's Erlang cookie and
# `rabbitmqctl -n trawlN@localhost ...` works. Every wait is bounded.
#
# The URL list the tests use (TRAWL_TEST_AMQP_CLUSTER_URL):
#   amqp://guest:guest@127.0.0.1:5673/%2f,amqp://guest:guest@127.0.0.1:5674/%2f,amqp://guest:guest@127.0.0.1:5675/%2f
set -euo pipefail

BASE=${TRAWL_RMQ_CLUSTER_DIR:-/var/lib/rabbitmq/trawl-cluster}
NODES=(trawl1@localhost trawl2@localhost trawl3@localhost)
PORTS=(5673 5674 5675)
DIST_PORTS=(25673 25674 25675)
SEED=${NODES[0]}

log() { echo "rabbitmq-cluster: $*"; }
die() { echo "rabbitmq-cluster: $*" >&2; exit 1; }

command -v rabbitmq-server >/dev/null 2>&1 || die "rabbitmq-server is not installed"
command -v rabbitmqctl >/dev/null 2>&1 || die "rabbitmqctl is not installed"

ctl() { # node, seconds, args...: rabbitmqctl -n NODE with a deadline, quiet
  local node=$1 secs=$2
  shift 2
  timeout "$secs" rabbitmqctl -q -n "$node" "$@"
}

node_up() { ctl "$1" 15 ping >/dev/null 2>&1; }             # the Erlang node answers
app_running() { ctl "$1" 15 status >/dev/null 2>&1; }      # the RabbitMQ application runs

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_node() { # index
  local i=$1 node=${NODES[$1]} dir="$BASE/${NODES[$1]%@*}"
  mkdir -p "$dir/mnesia" "$dir/log"
  printf 'listeners.tcp.local = 127.0.0.1:%s\nloopback_users.guest = true\n' "${PORTS[$i]}" >"$dir/rabbitmq.conf"
  printf '[].\n' >"$dir/enabled_plugins"
  if [ "$(id -u)" = 0 ]; then chown -R rabbitmq:rabbitmq "$BASE"; fi
  log "starting $node (amqp 127.0.0.1:${PORTS[$i]}, dist ${DIST_PORTS[$i]})"
  (cd /tmp && RABBITMQ_NODENAME="$node" \
    RABBITMQ_DIST_PORT="${DIST_PORTS[$i]}" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_PID_FILE="$dir/pid" \
    rabbitmq-server -detached) || die "rabbitmq-server -detached failed for $node"
}

wait_app() { # node, seconds
  local node=$1 secs=$2 start=$SECONDS
  while ((SECONDS - start < secs)); do
    if ctl "$node" 30 await_startup --timeout 20 >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  die "$node did not start within ${secs}s (logs in $BASE/${node%@*}/log)"
}

# Running nodes of the cluster `node` belongs to, one per line.
running_nodes() {
  ctl "$1" 20 cluster_status --formatter json 2>/dev/null |
    python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin).get("running_nodes", [])))' 2>/dev/null || true
}

members() { # disk nodes of the cluster `node` belongs to
  ctl "$1" 20 cluster_status --formatter json 2>/dev/null |
    python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin).get("disk_nodes", [])))' 2>/dev/null || true
}

healthy() {
  local running
  running=$(running_nodes "$SEED")
  for n in "${NODES[@]}"; do grep -qx "$n" <<<"$running" || return 1; done
  for p in "${PORTS[@]}"; do port_open "$p" || return 1; done
}

up() {
  local t0=$SECONDS
  if healthy; then log "healthy: ${NODES[*]} running, nothing to do"; return 0; fi
  # 1. every Erlang node up (start the missing ones together), every application running.
  local i
  for i in 0 1 2; do
    node_up "${NODES[$i]}" || start_node "$i"
  done
  for i in 0 1 2; do
    local n=${NODES[$i]}
    if ! app_running "$n"; then
      # Stopped with stop_app (a fault test): start it again. A node that is still booting
      # answers start_app with an error; wait_app covers both.
      ctl "$n" 60 start_app >/dev/null 2>&1 || true
    fi
    wait_app "$n" 120
  done
  # 2. trawl2 and trawl3 join trawl1's cluster (once; membership survives restarts). A node
  #    whose data was wiped while trawl1 still lists it is forgotten first, then joins anew.
  for i in 1 2; do
    local n=${NODES[$i]}
    if grep -qx "$SEED" <<<"$(members "$n")"; then continue; fi
    if grep -qx "$n" <<<"$(members "$SEED")"; then
      log "$SEED lists $n, which has left: forgetting it"
      ctl "$n" 60 stop_app >/dev/null 2>&1 || true
      ctl "$SEED" 60 forget_cluster_node "$n" >/dev/null || die "forget_cluster_node $n failed"
    fi
    log "joining $n to $SEED"
    local out
    out=$({ ctl "$n" 60 stop_app && ctl "$n" 60 reset && ctl "$n" 90 join_cluster "$SEED" &&
      ctl "$n" 60 start_app; } 2>&1) || { echo "$out" >&2; die "joining $n to $SEED failed"; }
    wait_app "$n" 120
  done
  # 3. all three running in one cluster, all listening.
  local start=$SECONDS
  until healthy; do
    ((SECONDS - start < 60)) || { status >&2 || true; die "the cluster is not healthy after 60s"; }
    sleep 1
  done
  log "up: ${NODES[*]} on 127.0.0.1:${PORTS[*]} in $((SECONDS - t0))s"
}

status() {
  local ok=0 i
  for i in 0 1 2; do
    local n=${NODES[$i]} state
    if app_running "$n"; then state=running; elif node_up "$n"; then state="node up, app stopped"; ok=1; else state=down; ok=1; fi
    port_open "${PORTS[$i]}" || { state="$state, port ${PORTS[$i]} closed"; ok=1; }
    echo "$n 127.0.0.1:${PORTS[$i]}: $state"
  done
  local running
  running=$(running_nodes "$SEED" | tr '\n' ' ')
  echo "running in the cluster of $SEED: ${running:-none}"
  healthy || ok=1
  return $ok
}

down() {
  local i
  for i in 0 1 2; do
    local n=${NODES[$i]}
    if node_up "$n"; then
      log "stopping $n"
      ctl "$n" 60 stop >/dev/null 2>&1 || true
    fi
  done
  if [ "${1:-}" = "--purge" ]; then
    log "removing $BASE"
    rm -rf "$BASE"
  fi
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  down) shift; down "${1:-}" ;;
  *) echo "usage: $0 up|status|down [--purge]" >&2; exit 64 ;;
esac
