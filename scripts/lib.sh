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
