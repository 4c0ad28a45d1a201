#!/usr/bin/env bash
# Make sure the local RabbitMQ and Redis the integration tests talk to are up; start them if not.
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

if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "services: starting rabbitmq"
  rabbitmq-server -detached || true
fi
wait_for rabbitmq "(exec 3<>/dev/tcp/127.0.0.1/5672)" 90
# The port opens a little before the broker accepts logins; give it a moment when we just started it.
if command -v rabbitmqctl >/dev/null 2>&1; then
  timeout 60 rabbitmqctl await_startup >/dev/null 2>&1 || true
fi
