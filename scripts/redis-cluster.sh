#!/usr/bin/env bash
# A local Redis Cluster on loopback for tests: 6 nodes (3 masters, 3 replicas) on 127.0.0.1:7000-7005.
#
#   scripts/redis-cluster.sh up       start what is missing, create the cluster if needed, wait for
#                                     cluster_state:ok on every node (does nothing when already healthy)
#   scripts/redis-cluster.sh status   roles and state per node; exit 0 when healthy
#   scripts/redis-cluster.sh down     stop the nodes (SHUTDOWN NOSAVE) and delete their data directory
#
# Nodes keep nothing on disk but nodes.conf (--save "" --appendonly no), and fail over quickly
# (cluster-node-timeout 2000 ms; replicas sync without the diskless delay), for the fault tests.
# A node stopped by a test and started again by `up` rejoins with its nodes.conf (as a replica
# when its replica was promoted meanwhile); "healthy" includes every replica being in sync.
# Environment: TRAWL_REDIS_CLUSTER_PORT (first port, default 7000), TRAWL_REDIS_CLUSTER_DIR (data,
# default ${TMPDIR:-/tmp}/trawl-redis-cluster).
set -euo pipefail

base=${TRAWL_REDIS_CLUSTER_PORT:-7000}
dir=${TRAWL_REDIS_CLUSTER_DIR:-${TMPDIR:-/tmp}/trawl-redis-cluster}
ports=()
for i in 0 1 2 3 4 5; do ports+=($((base + i))); done

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }
answers() { cli "$1" ping 2>/dev/null | grep -q PONG; }
info_field() { cli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"; }

# Healthy: every node answers, says cluster_state:ok and knows all six nodes, and all 16384
# slots are assigned.
healthy() {
  for p in "${ports[@]}"; do
    answers "$p" || return 1
    [ "$(info_field "$p" cluster_state)" = ok ] || return 1
    [ "$(info_field "$p" cluster_known_nodes)" = 6 ] || return 1
    [ "$(info_field "$p" cluster_slots_assigned)" = 16384 ] || return 1
  done
  # The roles settle a little after the state: 3 masters, and 3 replicas whose replication
  # link is up (a replica still in its first sync could not take over from its master).
  [ "$(cli "${ports[0]}" cluster nodes 2>/dev/null | awk '$3 ~ /master/ && $3 !~ /fail/' | wc -l)" = 3 ] || return 1
  local synced=0
  for p in "${ports[@]}"; do
    if cli "$p" info replication 2>/dev/null | tr -d '\r' | grep -q '^master_link_status:up'; then
      synced=$((synced + 1))
    fi
  done
  [ "$synced" = 3 ] || return 1
}

start_node() {
  local p=$1
  mkdir -p "$dir/$p"
  redis-server --port "$p" --bind 127.0.0.1 --dir "$dir/$p" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
    --save "" --appendonly no --repl-diskless-sync-delay 0 --daemonize yes \
    --pidfile "$dir/$p/redis.pid" --logfile "$dir/$p/redis.log"
}

status() {
  local ok=0
  for p in "${ports[@]}"; do
    if answers "$p"; then
      printf '127.0.0.1:%s %s state=%s known=%s\n' "$p" \
        "$(cli "$p" role 2>/dev/null | head -1)" "$(info_field "$p" cluster_state)" \
        "$(info_field "$p" cluster_known_nodes)"
    else
      printf '127.0.0.1:%s down\n' "$p"
    fi
  done
  healthy || ok=1
  if [ $ok = 0 ]; then echo "redis-cluster: healthy"; else echo "redis-cluster: not healthy"; fi
  return $ok
}

up() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || {
    echo "redis-cluster: redis-server and redis-cli are needed (apt-get install redis-server)" >&2
    return 1
  }
  if healthy; then
    echo "redis-cluster: up (127.0.0.1:${ports[0]}-${ports[5]})"
    return 0
  fi
  for p in "${ports[@]}"; do
    if ! answers "$p"; then
      echo "redis-cluster: starting node $p"
      start_node "$p"
    fi
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 1 50); do answers "$p" && break; sleep 0.1; done
    answers "$p" || { echo "redis-cluster: node $p did not start; see $dir/$p/redis.log" >&2; return 1; }
  done
  # A cluster never created: no slot assigned anywhere.
  if [ "$(info_field "${ports[0]}" cluster_slots_assigned)" = 0 ] \
    && [ "$(info_field "${ports[0]}" cluster_known_nodes)" = 1 ]; then
    echo "redis-cluster: creating the cluster"
    local addrs=()
    for p in "${ports[@]}"; do addrs+=("127.0.0.1:$p"); done
    redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
  fi
  for _ in $(seq 1 300); do
    if healthy; then
      echo "redis-cluster: up (127.0.0.1:${ports[0]}-${ports[5]})"
      return 0
    fi
    sleep 0.1
  done
  status >&2 || true
  echo "redis-cluster: not healthy after 30 s; 'scripts/redis-cluster.sh down && scripts/redis-cluster.sh up' starts afresh" >&2
  return 1
}

down() {
  for p in "${ports[@]}"; do
    if answers "$p"; then cli "$p" shutdown nosave >/dev/null 2>&1 || true; fi
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 1 50); do answers "$p" || break; sleep 0.1; done
  done
  rm -rf "$dir"
  echo "redis-cluster: down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 64 ;;
esac
