#!/usr/bin/env bash
# Make sure the local RabbitMQ (and its three-node test cluster), Redis (and its six-node test
# cluster) and PostgreSQL the integration tests talk to are up; start them if not.
set -euo pipefail

wait_for() { # name, check command, seconds
  local name=$1 check=$2 secs=$3
  for _ in $(seq 1 "$secs"); do
    if eval "$check" >/dev/null 2>&1; then echo "services: $name is up"; return 0; fi
    sleep 1
  done
  echo "services: $name did not come up within ${secs}s" >&2
  return 1
}

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "services: starting redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
wait_for redis "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG" 30

# Redis Cluster (6 nodes on 127.0.0.1:7000-7005) for the cluster conformance and failover tests.
# TRAWL_SKIP_CLUSTER=1 skips it (and those tests).
if [ "${TRAWL_SKIP_CLUSTER:-}" = 1 ]; then
  echo "services: TRAWL_SKIP_CLUSTER=1: not starting the Redis Cluster"
else
  bash "$(dirname "$0")/redis-cluster.sh" up
fi

if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "services: starting rabbitmq"
  rabbitmq-server -detached || true
fi
wait_for rabbitmq "(exec 3<>/dev/tcp/127.0.0.1/5672)" 90
# The port opens a little before the broker accepts logins; give it a moment when we just started it.
if command -v rabbitmqctl >/dev/null 2>&1; then
  timeout 60 rabbitmqctl await_startup >/dev/null 2>&1 || true
fi

# The three-node RabbitMQ cluster beside it (127.0.0.1:5673-5675) for the cluster tests
# (crates/trawl-queue/tests/amqp_cluster.rs, tests/e2e/faults_rabbit_cluster.rs). About 25 s from cold,
# under 1 s when it is already up. TRAWL_SKIP_CLUSTER=1 skips it (and those tests).
if [ "${TRAWL_SKIP_CLUSTER:-}" = 1 ]; then
  echo "services: TRAWL_SKIP_CLUSTER=1: not starting the RabbitMQ cluster"
elif ! bash "$(dirname "$0")/rabbitmq-cluster.sh" up; then
  echo "services: the RabbitMQ cluster did not come up; the cluster tests will fail (TRAWL_SKIP_CLUSTER=1 skips them)" >&2
fi

# PostgreSQL (the sink's tests): the Debian cluster, and the `test` database they use
# (TRAWL_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test).
pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q; }
if command -v pg_isready >/dev/null 2>&1; then
  if ! pg_up; then
    echo "services: starting postgresql"
    if command -v pg_ctlcluster >/dev/null 2>&1 && command -v pg_lsclusters >/dev/null 2>&1; then
      pg_lsclusters --no-header 2>/dev/null | while read -r ver cluster _; do
        pg_ctlcluster "$ver" "$cluster" start || true
      done
    fi
    pg_up || service postgresql start || true
  fi
  wait_for postgresql "pg_isready -h 127.0.0.1 -p 5432 -q" 60
  if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
    echo "services: creating database test"
    psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE test" || true
  fi
else
  echo "services: pg_isready not found: PostgreSQL client tools are missing (apt-get install postgresql)" >&2
fi
