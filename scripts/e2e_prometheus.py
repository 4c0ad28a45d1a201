#!/usr/bin/env python3
"""End-to-end observability check with a real Prometheus (Debian's `prometheus` package, /usr/bin/prometheus).

Two modes:

  e2e_prometheus.py --mode example
      Two `trawl-metrics` example servers stand in for a frontier and a worker. Checks the scrape path, that
      the trawl counters are visible through Prometheus' HTTP API, and that every Grafana dashboard expression
      and every alert rule evaluates without error against real data. Needs no RabbitMQ/Redis.

  e2e_prometheus.py --mode crawl
      The real thing: a local test site, `trawl frontier` and `trawl worker` on the local RabbitMQ and Redis
      (unique queue prefix and Redis key prefix), a seed, and Prometheus scraping both. Asserts that
      trawl_fetch_total and trawl_articles_published_total rose and that every dashboard/alert expression
      evaluates, that /readyz reports amqp and redis up, and deletes the run's queues, exchanges and keys.

Exit 0 on success, 1 on a failed check, 77 when a prerequisite is missing (printed as SKIPPED).
Env: TRAWL_BIN (default target/debug/trawl), SERVE_BIN (the example), CARGO_TARGET_DIR.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
SKIP = 77


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8", "replace")


def wait_http(url, secs, what):
    deadline = time.time() + secs
    last = None
    while time.time() < deadline:
        try:
            code, _ = http_get(url, timeout=2)
            if code == 200:
                return
        except (urllib.error.URLError, OSError) as e:
            last = e
        time.sleep(0.2)
    raise RuntimeError(f"{what} not answering at {url} after {secs}s ({last})")


class Procs:
    """Processes this script started; stopped by pid on exit."""

    def __init__(self, logdir):
        self.procs = []
        self.logdir = logdir
        self.on_stop = None

    def start(self, name, argv, env=None):
        log = open(os.path.join(self.logdir, f"{name}.log"), "w")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        self.procs.append((name, p, log))
        return p

    def stop(self):
        for _, p, _ in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for name, p, log in reversed(self.procs):
            try:
                p.wait(timeout=40)
            except subprocess.TimeoutExpired:
                p.kill()
            log.close()
        if self.on_stop:
            self.on_stop()

    def tail(self, name, n=30):
        path = os.path.join(self.logdir, f"{name}.log")
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        return ""


class Prom:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def query(self, expr):
        url = f"{self.base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            _, body = http_get(url)
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")
        return json.loads(body)

    def scalar(self, expr):
        r = self.query(expr)
        if r.get("status") != "success":
            raise RuntimeError(f"{expr}: {r.get('error')}")
        res = r["data"]["result"]
        return float(res[0]["value"][1]) if res else None


def dashboard_exprs():
    with open(os.path.join(ROOT, "deploy/grafana/dashboards/trawl.json"), encoding="utf-8") as f:
        dash = json.load(f)
    out = []
    for p in dash["panels"]:
        for t in p.get("targets", []):
            e = t["expr"].replace("$__rate_interval", "1m").replace("$__interval", "15s").replace("$instance", ".*")
            out.append((p["title"], e))
    return out


def alert_rules():
    with open(os.path.join(ROOT, "deploy/prometheus/alerts.yml"), encoding="utf-8") as f:
        groups = yaml.safe_load(f)["groups"]
    return [(r["alert"], r["expr"]) for g in groups for r in g["rules"]]


def write_prom_config(tmp, targets):
    shutil.copy(os.path.join(ROOT, "deploy/prometheus/alerts.yml"), os.path.join(tmp, "alerts.yml"))
    cfg = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": ["alerts.yml"],
        "scrape_configs": [{"job_name": job, "static_configs": [{"targets": addrs}]} for job, addrs in targets.items()],
    }
    path = os.path.join(tmp, "prometheus.yml")
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(cfg, f)
    return path


def start_prometheus(procs, tmp, targets):
    prom_bin = shutil.which("prometheus") or "/usr/bin/prometheus"
    if not os.path.exists(prom_bin):
        print("SKIPPED: no prometheus server binary (apt-get install prometheus)")
        sys.exit(SKIP)
    port = free_port()
    cfg = write_prom_config(tmp, targets)
    procs.start("prometheus", [prom_bin, f"--config.file={cfg}", f"--storage.tsdb.path={tmp}/tsdb",
                               f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
    wait_http(f"http://127.0.0.1:{port}/-/ready", 60, "prometheus")
    return Prom(port)


def wait_targets_up(prom, jobs, secs=60):
    deadline = time.time() + secs
    while time.time() < deadline:
        ok = all((prom.scalar(f'sum(up{{job="{j}"}})') or 0) >= 1 for j in jobs)
        if ok:
            return
        time.sleep(0.5)
    raise RuntimeError(f"targets {jobs} not up after {secs}s")


def check_expressions(prom, fails):
    """Every dashboard and alert expression evaluates without error; rules evaluate with health ok."""
    n = 0
    for title, expr in dashboard_exprs() + alert_rules():
        r = prom.query(expr)
        n += 1
        if r.get("status") != "success":
            fails.append(f"expression of {title!r} failed: {r.get('error')}: {expr}")
    # The rule manager evaluates every alert each second; give it a few rounds, then read health.
    time.sleep(3)
    _, body = http_get(f"{prom.base}/api/v1/rules")
    rules = [r for g in json.loads(body)["data"]["groups"] for r in g["rules"]]
    want = {a for a, _ in alert_rules()}
    seen = {r["name"] for r in rules}
    if want != seen:
        fails.append(f"loaded alert rules {sorted(seen)} != {sorted(want)}")
    for r in rules:
        if r.get("health") != "ok":
            fails.append(f"rule {r['name']} health {r.get('health')}: {r.get('lastError')}")
    print(f"  evaluated {n} dashboard/alert expressions; {len(rules)} rules loaded")


def mode_example(procs, tmp, fails):
    serve = os.environ.get("SERVE_BIN", os.path.join(TARGET, "debug/examples/serve"))
    if not os.path.exists(serve):
        subprocess.run(["cargo", "build", "-q", "-p", "trawl-metrics", "--example", "serve"], cwd=ROOT, check=True)
    ports = {"trawl-frontier": free_port(), "trawl-worker": free_port()}
    for job, port in ports.items():
        procs.start(job, [serve, f"127.0.0.1:{port}"])
        wait_http(f"http://127.0.0.1:{port}/healthz", 30, job)
    prom = start_prometheus(procs, tmp, {job: [f"127.0.0.1:{p}"] for job, p in ports.items()})
    wait_targets_up(prom, list(ports))
    fetches = prom.scalar("sum(trawl_fetch_total)")
    articles = prom.scalar("sum(trawl_articles_published_total)")
    print(f"  through Prometheus: sum(trawl_fetch_total)={fetches} sum(trawl_articles_published_total)={articles}")
    if not fetches or fetches < 2:
        fails.append(f"expected trawl_fetch_total from both targets, got {fetches}")
    if not articles or articles < 2:
        fails.append(f"expected trawl_articles_published_total from both targets, got {articles}")
    series = prom.scalar('count({__name__=~"trawl_.+"})')
    print(f"  {series:.0f} trawl_* series scraped")
    check_expressions(prom, fails)


# Environment for `trawl frontier` / `trawl worker` / `trawl seed` in crawl mode (see docs/deploy.md).
def role_env(prefix, metrics_port):
    return {
        "TRAWL_AMQP_URL": os.environ.get("TRAWL_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f"),
        "TRAWL_REDIS_URL": os.environ.get("TRAWL_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "TRAWL_AMQP_PREFIX": prefix,
        "TRAWL_REDIS_PREFIX": prefix,
        "TRAWL_METRICS_LISTEN": f"127.0.0.1:{metrics_port}" if metrics_port else "127.0.0.1:0",
        # The test site is on loopback, which the fetcher's SSRF guard refuses by default.
        "TRAWL_FETCH_ALLOW_CIDRS": "127.0.0.0/8",
        "TRAWL_FETCH_POLITENESS_DELAY": "0s",
        "TRAWL_LOG_FORMAT": "json",
    }


WORDS = ("harbour council quay market fishermen budget ferry tide lighthouse mayor school library railway "
         "bridge festival museum hospital river storm garden bakery stadium tram orchard vineyard").split()


def make_site(root):
    """A small news site: an index linking to 8 articles, each with its own text (so near-duplicate
    detection keeps them all), a headline, byline, date and several paragraphs."""
    os.makedirs(os.path.join(root, "news"), exist_ok=True)
    links = []
    for i in range(1, 9):
        topic = WORDS[(i * 7) % len(WORDS)]
        paras = []
        for j in range(6):
            words = [WORDS[(i * 31 + j * 17 + k * k) % len(WORDS)] for k in range(60)]
            paras.append(f"<p>Story {i} on the {topic}, part {j}: " + " ".join(words) + ".</p>")
        path = f"news/2026/11/{topic}-story-{i}.html"
        os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
        with open(os.path.join(root, path), "w", encoding="utf-8") as f:
            f.write(f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>The {topic} question, part {i} - Local Gazette</title>
<meta property="og:type" content="article"><meta property="article:published_time" content="2026-11-{10 + i}T08:00:00Z">
<meta name="author" content="Ann Reporter"></head><body><header><nav><a href="/">Home</a></nav></header>
<article><h1>The {topic} question, part {i}</h1><p class="byline">By Ann Reporter</p>
{''.join(paras)}
</article><footer>(c) Local Gazette</footer></body></html>""")
        links.append(f'<li><a href="/{path}">The {topic} question, part {i}</a></li>')
    with open(os.path.join(root, "index.html"), "w", encoding="utf-8") as f:
        f.write(f"<!doctype html><html><head><title>Local Gazette</title></head><body><ul>{''.join(links)}</ul></body></html>")
    with open(os.path.join(root, "robots.txt"), "w", encoding="utf-8") as f:
        f.write("User-agent: *\nAllow: /\n")


def cleanup_services(prefix):
    """Delete the run's RabbitMQ queues/exchanges and Redis keys (all named with the unique prefix)."""
    def run(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None

    left = []
    r = run(["redis-cli", "--scan", "--pattern", f"{prefix}*"])
    keys = r.stdout.split() if r and r.returncode == 0 else []
    for i in range(0, len(keys), 500):
        run(["redis-cli", "del", *keys[i:i + 500]])
    if shutil.which("rabbitmqctl"):
        r = run(["rabbitmqctl", "list_queues", "-q", "name"])
        for q in (r.stdout.split() if r else []):
            if q.startswith(prefix + "."):
                run(["rabbitmqctl", "delete_queue", "-q", q])
        r = run(["rabbitmqctl", "list_exchanges", "-q", "name"])
        for x in (r.stdout.split() if r else []):
            if x.startswith(prefix + "."):
                erl = f'rabbit_exchange:delete(rabbit_misc:r(<<"/">>, exchange, <<"{x}">>), false, <<"e2e">>).'
                r2 = run(["rabbitmqctl", "eval", erl])
                if not r2 or r2.returncode != 0:
                    left.append(f"exchange {x}")
    else:
        left.append("RabbitMQ queues/exchanges (no rabbitmqctl)")
    print(f"  cleanup: {len(keys)} Redis keys deleted" + (f"; left: {', '.join(left)}" if left else ""))


def mode_crawl(procs, tmp, fails):
    trawl = os.environ.get("TRAWL_BIN", os.path.join(TARGET, "debug/trawl"))
    if not os.path.exists(trawl):
        subprocess.run(["cargo", "build", "-q", "-p", "trawl"], cwd=ROOT, check=True)
    for role in ("frontier", "worker"):
        r = subprocess.run([trawl, role, "--help"], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"SKIPPED: `trawl {role}` is not available: {r.stderr.strip()[:200]}")
            sys.exit(SKIP)
    site = os.path.join(tmp, "site")
    make_site(site)
    site_port = free_port()
    procs.start("site", [sys.executable, "-m", "http.server", str(site_port), "--bind", "127.0.0.1", "--directory", site])
    wait_http(f"http://127.0.0.1:{site_port}/robots.txt", 20, "test site")

    prefix = f"trawl-e2e-{os.getpid()}"
    procs.on_stop = lambda: cleanup_services(prefix)
    ports = {"trawl-frontier": free_port(), "trawl-worker": free_port()}
    for job, port in ports.items():
        role = job.split("-", 1)[1]
        procs.start(job, [trawl, role], env=role_env(prefix, port))
    for job, port in ports.items():
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz", 60, job)
        except RuntimeError as e:
            fails.append(f"{e}\n{procs.tail(job)}")
            return
    prom = start_prometheus(procs, tmp, {job: [f"127.0.0.1:{p}"] for job, p in ports.items()})
    wait_targets_up(prom, list(ports))
    before_f = prom.scalar("sum(trawl_fetch_total)") or 0
    before_a = prom.scalar("sum(trawl_articles_published_total)") or 0

    seed = subprocess.run([trawl, "seed", f"http://127.0.0.1:{site_port}/"], env={**os.environ, **role_env(prefix, None)},
                          capture_output=True, text=True, timeout=60)
    if seed.returncode != 0:
        fails.append(f"trawl seed failed ({seed.returncode}): {seed.stderr[-2000:]}")
        return
    deadline = time.time() + 120
    fetches = articles = 0
    while time.time() < deadline:
        fetches = (prom.scalar("sum(trawl_fetch_total)") or 0) - before_f
        articles = (prom.scalar("sum(trawl_articles_published_total)") or 0) - before_a
        if fetches >= 9 and articles >= 8:
            break
        time.sleep(1)
    print(f"  crawl: +{fetches:.0f} fetches, +{articles:.0f} articles seen by Prometheus")
    if fetches < 9:
        fails.append(f"trawl_fetch_total rose by {fetches}, expected >= 9 (index + 8 stories)\n"
                     f"{procs.tail('trawl-worker')}")
    if articles < 8:
        fails.append(f"trawl_articles_published_total rose by {articles}, expected 8\n{procs.tail('trawl-worker')}")
    for job, port in ports.items():
        code, body = http_get(f"http://127.0.0.1:{port}/readyz")
        if code != 200 or "amqp: up" not in body or "redis: up" not in body:
            fails.append(f"{job} /readyz {code}: {body!r}")
    # What the crawl must have moved, beyond the two headline counters.
    must_move = {
        "trawl_worker_tasks_total": 'sum(trawl_worker_tasks_total{result="done"})',
        "trawl_extract_total{result=article}": 'sum(trawl_extract_total{result="article"})',
        "trawl_amqp_publish_total{kind=article,result=confirmed}":
            'sum(trawl_amqp_publish_total{kind="article",result="confirmed"})',
        "trawl_amqp_publish_total{kind=task,result=confirmed}":
            'sum(trawl_amqp_publish_total{kind="task",result="confirmed"})',
        "trawl_links_discovered_total": "sum(trawl_links_discovered_total)",
        "trawl_frontier_urls_done_total": "sum(trawl_frontier_urls_done_total)",
        "trawl_fetch_bytes_total": "sum(trawl_fetch_bytes_total)",
        "trawl_stage_last_progress_timestamp_seconds{stage=worker}":
            'max(trawl_stage_last_progress_timestamp_seconds{stage="worker"})',
    }
    for what, expr in must_move.items():
        v = prom.scalar(expr)
        if not v:
            fails.append(f"{what} did not move during the crawl ({expr} = {v})")
    # Informational: metric families no process set during the crawl (empty dashboard panels).
    r = prom.query('count by (__name__) ({__name__=~"trawl_.+", __name__!~".*_bucket"} != 0)')
    moved = {x["metric"]["__name__"] for x in r["data"]["result"]} if r.get("status") == "success" else set()
    r = prom.query('count by (__name__) ({__name__=~"trawl_.+", __name__!~".*_bucket"})')
    allm = {x["metric"]["__name__"] for x in r["data"]["result"]} if r.get("status") == "success" else set()
    idle = sorted(n for n in allm - moved if not n.endswith("_sum"))
    print(f"  {len(moved)} trawl_* series names non-zero; still zero after the crawl: {', '.join(idle) or 'none'}")
    ready = prom.scalar('sum(up{job=~"trawl-frontier|trawl-worker"})')
    if ready != 2:
        fails.append(f"expected 2 trawl targets up, got {ready}")
    check_expressions(prom, fails)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["example", "crawl"], default="example")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (logs, tsdb)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="trawl-e2e-prom-")
    procs = Procs(tmp)
    fails = []
    try:
        print(f"e2e-prometheus ({args.mode}): logs in {tmp}")
        (mode_example if args.mode == "example" else mode_crawl)(procs, tmp, fails)
    except RuntimeError as e:
        fails.append(str(e))
    finally:
        procs.stop()
        if not args.keep and not fails:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in fails:
        print(f"  FAIL {f}")
    print(f"e2e-prometheus ({args.mode}): {'FAILED' if fails else 'ok'}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
