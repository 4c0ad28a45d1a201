# Shared helpers of the benchmark scripts (sourced, not run).

# find_scrapy: prints the scrapy executable to use ($SCRAPY, one on PATH, or a private virtualenv
# under target/ made on first use: PyPI is the only network this needs); prints nothing when none
# can be had.
find_scrapy() {
  local s=${SCRAPY:-$(command -v scrapy || true)}
  if [ -z "$s" ]; then
    [ -x target/scrapy-venv/bin/scrapy ] || { python3 -m venv target/scrapy-venv && target/scrapy-venv/bin/pip install -q scrapy; } >/dev/null 2>&1 || true
    [ -x target/scrapy-venv/bin/scrapy ] && s=target/scrapy-venv/bin/scrapy
  fi
  printf '%s' "$s"
}

# clean_prefix PREFIX [REDIS_PORT]: removes a distributed run's Redis keys (`PREFIX:*`) and its
# RabbitMQ work queues (`PREFIX.{tasks,reports,seeds,dead}`); quiet, never fails.
clean_prefix() {
  local prefix=$1 port=${2:-6379}
  [ -n "$prefix" ] || return 0
  redis-cli -p "$port" --scan --pattern "$prefix:*" | xargs -r -n 500 redis-cli -p "$port" unlink > /dev/null || true
  for q in tasks reports seeds dead; do rabbitmqctl -q delete_queue "$prefix.$q" > /dev/null 2>&1 || true; done
}

# write_bench_config FILE PREFIX CONCURRENCY [REDIS_URL] [EXTRA_WORKER_LINES]: the config of a
# distributed benchmark run (loopback site, politeness 1 ms, metrics on an ephemeral port).
write_bench_config() {
  local file=$1 prefix=$2 concurrency=$3 redis_url=${4:-} extra=${5:-}
  {
    printf '[amqp]\nprefix = "%s"\n[redis]\n' "$prefix"
    [ -n "$redis_url" ] && printf 'url = "%s"\n' "$redis_url"
    printf 'prefix = "%s"\n' "$prefix"
    printf '[fetch]\nallow_cidrs = ["127.0.0.0/8"]\npoliteness_delay = "1ms"\n'
    printf '[frontier]\nrecrawl_interval = "1h"\n'
    printf '[worker]\nconcurrency = %s\n' "$concurrency"
    [ -n "$extra" ] && printf '%s\n' "$extra"
    printf '[metrics]\nlisten = "127.0.0.1:0"\n'
  } > "$file"
}

# peak_rss_mb FILE: the peak RSS in MB from a `/usr/bin/time -v` report.
peak_rss_mb() { awk '/Maximum resident set size/ {printf "%.0f", $6/1024}' "$1"; }
