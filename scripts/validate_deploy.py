#!/usr/bin/env python3
"""Offline checks of deploy/ and k8s/ (called by scripts/validate-deploy.sh; needs pyyaml, jsonschema,
kubernetes-validate).

  validate_deploy.py k8s OVERLAY_DIR...        render with `kubectl kustomize`, validate every object
  validate_deploy.py rules-sync [--write]      k8s PrometheusRule == deploy/prometheus/alerts.yml
  validate_deploy.py prometheusrule-groups OUT write the PrometheusRule's groups as a promtool rule file
  validate_deploy.py dashboard-rules OUT       write every dashboard expression as a recording rule (promtool)
  validate_deploy.py compose                   sanity of deploy/docker-compose.yml and the files it mounts
  validate_deploy.py config CHECK_BIN          both trawl.toml files load with the env their deployments set
                                               (CHECK_BIN = trawl-config's `check` example)
"""
import json
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ALERTS = os.path.join(ROOT, "deploy/prometheus/alerts.yml")
PROMRULE = os.path.join(ROOT, "k8s/components/monitoring/prometheusrule.yaml")
DASHBOARD = os.path.join(ROOT, "deploy/grafana/dashboards/trawl.json")
SCHEMAS = os.path.join(ROOT, "k8s/schemas")
CRD_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "scaledobject.json",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "triggerauthentication.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor.json",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "prometheusrule.json",
}
TASK_QUEUE = "trawl.tasks"  # <prefix>.tasks with the default prefix, as in crates/trawl-queue


class Failures:
    def __init__(self):
        self.items = []

    def add(self, where, msg):
        self.items.append(f"{where}: {msg}")

    def check(self, cond, where, msg):
        if not cond:
            self.add(where, msg)


def render(overlay):
    out = subprocess.run([os.environ.get("KUBECTL", "kubectl"), "kustomize", overlay], check=True, capture_output=True, text=True).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def worker_grace_seconds(path=os.path.join(ROOT, "k8s/base/trawl.toml")):
    """worker.grace_period of the k8s ConfigMap in seconds (default 30s as in crates/trawl-config)."""
    import tomllib

    with open(path, "rb") as f:
        raw = tomllib.load(f).get("worker", {}).get("grace_period", "30s")
    m = re.fullmatch(r"(\d+)(ms|s|m)", raw.strip())
    if not m:
        raise SystemExit(f"{path}: cannot read worker.grace_period {raw!r}")
    n, unit = int(m.group(1)), m.group(2)
    return {"ms": n / 1000, "s": n, "m": n * 60}[unit]


def pod_policy(doc, where, fail):
    """Trawl's own rules for a workload, beyond schema validity."""
    spec = doc["spec"]["template"]["spec"]
    name = doc["metadata"]["name"]
    for c in spec.get("containers", []):
        w = f"{where} container {c['name']}"
        res = c.get("resources", {})
        fail.check("memory" in res.get("limits", {}), w, "no memory limit")
        fail.check({"cpu", "memory"} <= set(res.get("requests", {})), w, "no cpu/memory requests")
        sc = c.get("securityContext", {})
        fail.check(sc.get("allowPrivilegeEscalation") is False, w, "allowPrivilegeEscalation must be false")
        fail.check(sc.get("capabilities", {}).get("drop") == ["ALL"], w, "capabilities must drop ALL")
    psc = spec.get("securityContext", {})
    fail.check(psc.get("runAsNonRoot") is True, where, "pod must set runAsNonRoot")
    if not name.startswith("trawl-"):
        return
    c = spec["containers"][0]
    fail.check(c.get("securityContext", {}).get("readOnlyRootFilesystem") is True, where, "read-only root fs")
    fail.check(c.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz", where, "liveness /healthz")
    fail.check(c.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", where, "readiness /readyz")
    fail.check(any(p.get("containerPort") == 9090 and p.get("name") == "metrics" for p in c.get("ports", [])),
               where, "metrics port 9090 named 'metrics'")
    env = {e["name"] for e in c.get("env", [])}
    # Every role talks to RabbitMQ; the sink stores in PostgreSQL, the others keep their state in Redis.
    needs = {"TRAWL_POSTGRES_URL"} if name == "trawl-sink-postgres" else {"TRAWL_REDIS_URL"}
    fail.check({"TRAWL_AMQP_URL", "TRAWL_CONFIG"} | needs <= env, where, "missing TRAWL_* env")
    if name == "trawl-worker":
        # The pod must outlive the worker's drain (worker.grace_period in the ConfigMap) by >= 10s.
        drain = worker_grace_seconds()
        fail.check(spec.get("terminationGracePeriodSeconds", 30) >= drain + 10, where,
                   f"terminationGracePeriodSeconds must be >= worker.grace_period ({drain}s) + 10s")
        fail.check(bool(spec.get("topologySpreadConstraints")), where, "no topology spread")


def cmd_k8s(overlays):
    import jsonschema
    import kubernetes_validate

    fail = Failures()
    total = 0
    for overlay in overlays:
        docs = render(overlay)
        kinds = {}
        for doc in docs:
            api, kind, name = doc.get("apiVersion"), doc.get("kind"), doc.get("metadata", {}).get("name")
            where = f"{os.path.relpath(overlay, ROOT)} {kind}/{name}"
            kinds[kind] = kinds.get(kind, 0) + 1
            total += 1
            schema = CRD_SCHEMAS.get((api, kind))
            if schema:
                with open(os.path.join(SCHEMAS, schema), encoding="utf-8") as f:
                    try:
                        jsonschema.validate(doc, json.load(f))
                    except jsonschema.ValidationError as e:
                        fail.add(where, f"CRD schema: {e.message} at {list(e.absolute_path)}")
                continue
            if "." in api.split("/")[0] and not api.split("/")[0].endswith("k8s.io"):
                fail.add(where, f"custom resource {api} {kind} has no schema in k8s/schemas (not validated)")
                continue
            try:
                kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)
            except kubernetes_validate.ValidationError as e:
                fail.add(where, f"schema: {e.message} at {list(e.path)}")
            except Exception as e:  # SchemaNotFoundError and the like
                fail.add(where, f"schema: {type(e).__name__}: {e}")
            if kind in ("Deployment", "StatefulSet"):
                pod_policy(doc, where, fail)
        # Exactly one autoscaler at most, and the KEDA trigger watches the task queue.
        fail.check(kinds.get("ScaledObject", 0) + kinds.get("HorizontalPodAutoscaler", 0) <= 1, overlay,
                   "both KEDA and HPA would scale the workers")
        for doc in docs:
            if doc["kind"] == "ScaledObject":
                for t in doc["spec"]["triggers"]:
                    fail.check(t["metadata"].get("queueName") == TASK_QUEUE, overlay, f"KEDA queue must be {TASK_QUEUE}")
            if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "trawl-worker":
                autoscaled = kinds.get("ScaledObject", 0) + kinds.get("HorizontalPodAutoscaler", 0) > 0
                fail.check(("replicas" in doc["spec"]) != autoscaled, overlay,
                           "worker replicas must be set iff no autoscaler owns them")
        print(f"  {os.path.relpath(overlay, ROOT)}: {len(docs)} objects "
              f"({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))})")
    for f in fail.items:
        print(f"  FAIL {f}")
    print(f"  validated {total} objects, {len(fail.items)} problems "
          f"(built-in kinds: kubernetes-validate {kubernetes_validate.latest_version()} strict; "
          f"custom resources: k8s/schemas/*.json)")
    return 1 if fail.items else 0


def promrule_doc():
    with open(ALERTS, encoding="utf-8") as f:
        groups = yaml.safe_load(f)
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "trawl", "labels": {"app.kubernetes.io/name": "trawl"}},
        "spec": groups,
    }


def cmd_rules_sync(write):
    want = promrule_doc()
    if write:
        class Dumper(yaml.SafeDumper):
            pass

        def str_rep(d, s):
            return d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)

        Dumper.add_representer(str, str_rep)
        header = ("# Generated from deploy/prometheus/alerts.yml (scripts/validate-deploy.sh fails if they differ).\n"
                  "# Regenerate: python3 scripts/validate_deploy.py rules-sync --write\n")
        with open(PROMRULE, "w", encoding="utf-8") as f:
            f.write(header + yaml.dump(want, Dumper=Dumper, sort_keys=False, width=120))
        print(f"wrote {PROMRULE}")
        return 0
    with open(PROMRULE, encoding="utf-8") as f:
        have = yaml.safe_load(f)
    if have != want:
        print(f"  FAIL {PROMRULE} differs from {ALERTS}: run python3 scripts/validate_deploy.py rules-sync --write")
        return 1
    print("  PrometheusRule matches deploy/prometheus/alerts.yml")
    return 0


def cmd_prometheusrule_groups(out):
    with open(PROMRULE, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump(doc["spec"], f, sort_keys=False)
    return 0


def dashboard_exprs():
    with open(DASHBOARD, encoding="utf-8") as f:
        dash = json.load(f)
    exprs = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                if t.get("expr"):
                    exprs.append((p.get("title", "?"), t["expr"]))
            walk(p.get("panels", []))

    walk(dash.get("panels", []))
    return exprs


def cmd_dashboard_rules(out):
    """Grafana variables replaced by values Prometheus accepts, one recording rule per expression."""
    rules = []
    for i, (title, expr) in enumerate(dashboard_exprs()):
        e = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$instance", ".*")
        if "$" in re.sub(r"\{\{.*?\}\}", "", e):
            print(f"  FAIL dashboard panel {title!r}: unknown variable in {expr}")
            return 1
        rules.append({"record": f"dashboard:expr_{i}", "expr": e})
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, f, sort_keys=False)
    print(f"  {len(rules)} dashboard expressions written for promtool")
    return 0


def cmd_compose():
    fail = Failures()
    path = os.path.join(ROOT, "deploy/docker-compose.yml")
    with open(path, encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    services = compose.get("services", {})
    for name in ["rabbitmq", "redis", "redis-exporter", "frontier", "worker", "prometheus", "grafana"]:
        fail.check(name in services, path, f"service {name} missing")
    for role in ["frontier", "worker"]:
        s = services.get(role, {})
        fail.check(s.get("command") == [role], path, f"{role}: command must be [{role}]")
        env = s.get("environment", {})
        for var in ["TRAWL_AMQP_URL", "TRAWL_REDIS_URL", "TRAWL_METRICS_LISTEN"]:
            fail.check(var in env, path, f"{role}: {var} not set")
        fail.check("ports" not in s, path, f"{role}: host ports would break --scale")
        fail.check("container_name" not in s, path, f"{role}: container_name would break --scale")
        fail.check(s.get("build", {}).get("dockerfile") == "deploy/Dockerfile", path, f"{role}: build")
    redis_cmd = " ".join(map(str, services.get("redis", {}).get("command", [])))
    fail.check("--appendonly yes" in redis_cmd, path, "redis: AOF must be on")
    fail.check("15672:15672" in services.get("rabbitmq", {}).get("ports", []), path, "rabbitmq: management UI port")
    # Every mounted local file exists and parses.
    base = os.path.dirname(path)
    for name, s in services.items():
        for v in s.get("volumes", []):
            src = v.split(":")[0]
            if src.startswith("."):
                p = os.path.normpath(os.path.join(base, src))
                fail.check(os.path.exists(p), path, f"{name}: mounted {src} does not exist")
    for p in ["deploy/grafana/provisioning/datasources/prometheus.yml",
              "deploy/grafana/provisioning/dashboards/trawl.yml"]:
        with open(os.path.join(ROOT, p), encoding="utf-8") as f:
            fail.check(yaml.safe_load(f).get("apiVersion") == 1, p, "not a provisioning file")
    # Scrape targets name compose services.
    with open(os.path.join(ROOT, "deploy/prometheus/prometheus.yml"), encoding="utf-8") as f:
        prom = yaml.safe_load(f)
    for job in prom["scrape_configs"]:
        for sd in job.get("dns_sd_configs", []):
            for n in sd["names"]:
                fail.check(n in services, "prometheus.yml", f"{job['job_name']}: {n} is not a compose service")
        for sc in job.get("static_configs", []):
            for t in sc["targets"]:
                host = t.split(":")[0]
                fail.check(host == "localhost" or host in services, "prometheus.yml", f"{t} is not a compose service")
    for f_ in fail.items:
        print(f"  FAIL {f_}")
    print(f"  compose: {len(services)} services, {len(fail.items)} problems")
    return 1 if fail.items else 0


def expand_compose(value):
    """${VAR:-default} -> default (what compose substitutes with an empty environment)."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def run_check(check_bin, toml_path, env, where):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRAWL_")}
    r = subprocess.run([check_bin, toml_path], env={**clean, **env}, capture_output=True, text=True)
    ok = r.returncode == 0
    print(f"  {'ok  ' if ok else 'FAIL'} {where}: {(r.stdout + r.stderr).strip()}")
    return ok


def cmd_config(check_bin):
    ok = True
    with open(os.path.join(ROOT, "deploy/docker-compose.yml"), encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    for role in ("frontier", "worker"):
        env = {k: expand_compose(v) for k, v in compose["services"][role]["environment"].items()}
        ok &= run_check(check_bin, os.path.join(ROOT, "deploy/trawl.toml"), env, f"compose {role}")
    samples = {"amqp-url": "amqp://u:p@rabbitmq:5672/%2f", "redis-url": "redis://redis:6379/0"}
    for overlay in ("dev", "prod"):
        for doc in render(os.path.join(ROOT, "k8s/overlays", overlay)):
            if doc["kind"] != "Deployment":
                continue
            c = doc["spec"]["template"]["spec"]["containers"][0]
            env = {}
            for e in c.get("env", []):
                if "value" in e:
                    env[e["name"]] = e["value"]
                elif "secretKeyRef" in e.get("valueFrom", {}):
                    env[e["name"]] = samples[e["valueFrom"]["secretKeyRef"]["key"]]
            ok &= run_check(check_bin, os.path.join(ROOT, "k8s/base/trawl.toml"), env,
                            f"k8s {overlay} {doc['metadata']['name']}")
    return 0 if ok else 1


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "k8s":
        return cmd_k8s([os.path.abspath(a) for a in args])
    if cmd == "rules-sync":
        return cmd_rules_sync("--write" in args)
    if cmd == "prometheusrule-groups":
        return cmd_prometheusrule_groups(args[0])
    if cmd == "dashboard-rules":
        return cmd_dashboard_rules(args[0])
    if cmd == "compose":
        return cmd_compose()
    if cmd == "config":
        return cmd_config(args[0])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
