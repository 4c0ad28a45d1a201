#!/usr/bin/env python3
"""Generate deploy/grafana/dashboards/trawl.json (the Trawl Grafana dashboard).

Edit this file, then run `python3 deploy/grafana/gen_dashboard.py`; scripts/validate-deploy.sh fails when the
committed JSON differs from what this script writes. Metric names are checked against the code by
crates/trawl-metrics/tests/contract.rs.
"""
import json
import os
import sys

DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'instance=~"$instance"'
RI = "$__rate_interval"

_next_id = [0]


def _id():
    _next_id[0] += 1
    return _next_id[0]


def target(expr, legend, ref):
    return {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref, "range": True}


def panel(title, exprs, x, y, w=8, h=8, unit="short", kind="timeseries", description="", stack=False):
    """exprs: list of (expr, legend)."""
    p = {
        "id": _id(),
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [target(e, l, chr(ord("A") + i)) for i, (e, l) in enumerate(exprs)],
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
    }
    if kind == "timeseries":
        p["fieldConfig"]["defaults"]["custom"] = {
            "drawStyle": "line",
            "lineWidth": 1,
            "fillOpacity": 10,
            "showPoints": "never",
            "stacking": {"mode": "normal" if stack else "none", "group": "A"},
        }
        p["options"] = {
            "legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "lastNotNull", "max"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        }
    elif kind == "stat":
        p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "value", "graphMode": "area", "textMode": "auto"}
    return p


def row(title, y, repeat=None):
    r = {"id": _id(), "type": "row", "title": title, "collapsed": False, "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
         "panels": []}
    if repeat:
        r["repeat"] = repeat
    return r


def quantiles(metric, by="", sel=SEL, qs=(0.5, 0.9, 0.99)):
    group = f"le{', ' + by if by else ''}"
    out = []
    for q in qs:
        legend = f"p{int(q * 100)}" + (f" {{{{{by}}}}}" if by else "")
        out.append((f"histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket{{{sel}}}[{RI}])))", legend))
    return out


def build():
    panels = []
    y = 0
    panels.append(row("Overview", y)); y += 1
    panels += [
        panel("Pages fetched / s", [(f"sum(rate(trawl_fetch_total{{{SEL}}}[{RI}]))", "pages/s")], 0, y, w=6, h=5,
              unit="reqps", kind="stat"),
        panel("Articles published / s", [(f"sum(rate(trawl_articles_published_total{{{SEL}}}[{RI}]))", "articles/s")],
              6, y, w=6, h=5, unit="reqps", kind="stat"),
        panel("Workers up", [('count(up{job="trawl-worker"} == 1)', "workers")], 12, y, w=4, h=5, kind="stat"),
        panel("Frontier up", [('sum(up{job="trawl-frontier"})', "frontier")], 16, y, w=4, h=5, kind="stat"),
        panel("Seconds since worker progress",
              [('time() - max(trawl_stage_last_progress_timestamp_seconds{stage="worker"})', "worker")],
              20, y, w=4, h=5, unit="s", kind="stat",
              description="Grows when the crawl stalls (alert TrawlCrawlStalled)."),
    ]
    y += 5
    panels += [
        panel("Throughput", [
            (f"sum(rate(trawl_fetch_total{{{SEL}}}[{RI}]))", "pages/s"),
            (f"sum(rate(trawl_articles_published_total{{{SEL}}}[{RI}]))", "articles/s"),
            (f"sum(rate(trawl_frontier_urls_done_total[{RI}]))", "urls done/s (frontier)"),
        ], 0, y, w=12, unit="reqps"),
        panel("Stage last progress (age)", [
            ("time() - max by (stage) (trawl_stage_last_progress_timestamp_seconds > 0)", "{{stage}}"),
        ], 12, y, w=12, unit="s"),
    ]
    y += 8

    panels.append(row("Fetch", y)); y += 1
    panels += [
        panel("Fetch latency percentiles", quantiles("trawl_fetch_duration_seconds"), 0, y, unit="s"),
        panel("Fetch outcomes / s", [(f"sum by (outcome) (rate(trawl_fetch_total{{{SEL}}}[{RI}]))", "{{outcome}}")],
              8, y, unit="reqps", stack=True),
        panel("HTTP status classes / s",
              [(f"sum by (status_class) (rate(trawl_fetch_total{{{SEL}}}[{RI}]))", "{{status_class}}")],
              16, y, unit="reqps", stack=True),
    ]
    y += 8
    panels += [
        panel("Fetch error ratio", [(
            f'sum(rate(trawl_fetch_total{{outcome=~"server_error|timeout|dns_error|connect_error",{SEL}}}[{RI}]))'
            f" / sum(rate(trawl_fetch_total{{{SEL}}}[{RI}]))", "error ratio")], 0, y, unit="percentunit"),
        panel("Download rate", [(f"sum(rate(trawl_fetch_bytes_total{{{SEL}}}[{RI}]))", "bytes/s")], 8, y, unit="Bps"),
        panel("robots.txt decisions / s",
              [(f"sum by (decision) (rate(trawl_robots_decisions_total{{{SEL}}}[{RI}]))", "{{decision}}")],
              16, y, unit="reqps"),
    ]
    y += 8
    panels += [
        panel("Politeness wait", quantiles("trawl_politeness_wait_seconds", qs=(0.5, 0.95)), 0, y, unit="s"),
        panel("Retries / s", [(f"sum by (stage) (rate(trawl_retries_total{{{SEL}}}[{RI}]))", "{{stage}}")],
              8, y, unit="reqps"),
        panel("Dead letters / s", [(f"sum by (reason) (rate(trawl_dead_letters_total{{{SEL}}}[{RI}]))", "{{reason}}")],
              16, y, unit="reqps"),
    ]
    y += 8

    panels.append(row("Queues", y)); y += 1
    panels += [
        panel("Queue depth (Trawl poller)", [("max by (queue) (trawl_amqp_queue_messages)", "{{queue}}")], 0, y),
        panel("Queue depth and consumers (RabbitMQ)", [
            ('sum by (queue) (rabbitmq_detailed_queue_messages_ready{queue=~"trawl\\\\..*"})', "ready {{queue}}"),
            ('sum by (queue) (rabbitmq_detailed_queue_consumers{queue=~"trawl\\\\..*"})', "consumers {{queue}}"),
        ], 8, y, description="From RabbitMQ's Prometheus plugin (/metrics/detailed)."),
        panel("Publishes / s", [(
            f"sum by (kind, result) (rate(trawl_amqp_publish_total{{{SEL}}}[{RI}]))", "{{kind}} {{result}}")],
            16, y, unit="reqps"),
    ]
    y += 8
    panels += [
        panel("AMQP call latency p99", quantiles("trawl_amqp_call_duration_seconds", by="op", qs=(0.99,)),
              0, y, unit="s"),
        panel("AMQP connection events / s", [(
            f"sum by (event) (rate(trawl_amqp_connection_events_total{{{SEL}}}[{RI}]))", "{{event}}")],
            8, y, unit="reqps",
            description="Recorded by the RabbitMQ broker itself: reconnects, failed connection attempts, publish "
                        "retries, consumer resubscriptions, failovers to another node (alert "
                        "TrawlAmqpConnectionChurn)."),
        panel("Redis call latency p99", quantiles("trawl_redis_call_duration_seconds", by="op", qs=(0.99,)),
              16, y, unit="s"),
    ]
    y += 8

    panels.append(row("Frontier", y)); y += 1
    panels += [
        # Every frontier replica reports the same crawl-wide counts from Redis: max, not sum.
        panel("Hosts by state", [("max by (state) (trawl_frontier_hosts)", "{{state}}")], 0, y, stack=True),
        panel("URLs", [
            ("max(trawl_frontier_urls_queued)", "queued"),
            ("max(trawl_frontier_urls_in_flight)", "in flight"),
        ], 8, y),
        panel("Links / s", [
            (f"sum(rate(trawl_links_discovered_total[{RI}]))", "discovered"),
            (f"sum(rate(trawl_links_accepted_total[{RI}]))", "accepted"),
            (f"sum(rate(trawl_links_deduped_total[{RI}]))", "deduped"),
            (f"sum(rate(trawl_links_filtered_total[{RI}]))", "filtered"),
        ], 16, y, unit="reqps"),
    ]
    y += 8
    panels += [
        panel("Dedup ratio", [(
            f"sum(rate(trawl_links_deduped_total[{RI}])) / sum(rate(trawl_links_discovered_total[{RI}]))",
            "deduped / discovered")], 0, y, w=12, unit="percentunit"),
        panel("Filtered links by reason / s",
              [(f"sum by (reason) (rate(trawl_links_filtered_total[{RI}]))", "{{reason}}")], 12, y, w=12,
              unit="reqps", stack=True),
    ]
    y += 8

    panels.append(row("Extraction", y)); y += 1
    panels += [
        panel("Extraction time", quantiles("trawl_extract_duration_seconds"), 0, y, w=12, unit="s"),
        panel("Extraction results / s",
              [(f"sum by (result) (rate(trawl_extract_total{{{SEL}}}[{RI}]))", "{{result}}")], 12, y, w=12,
              unit="reqps", stack=True),
    ]
    y += 8

    panels.append(row("Redis", y)); y += 1
    panels += [
        panel("Redis memory", [
            ("max(redis_memory_used_bytes)", "used"),
            ("max(redis_memory_max_bytes)", "maxmemory"),
        ], 0, y, w=12, unit="bytes", description="From redis_exporter (alert RedisMemoryNearLimit at 85%)."),
        panel("Redis commands / s", [("sum(rate(redis_commands_processed_total[$__rate_interval]))", "commands/s")],
              12, y, w=12, unit="ops"),
    ]
    y += 8

    panels.append(row("PostgreSQL sink", y)); y += 1
    panels += [
        panel("Sink articles / s by outcome",
              [(f"sum by (outcome) (rate(trawl_sink_articles_total{{{SEL}}}[{RI}]))", "{{outcome}}")], 0, y, w=8,
              unit="reqps", stack=True,
              description="trawl sink postgres: inserted (new id), updated (higher version), unchanged "
                          "(redelivery or older version), rejected (dead-lettered; see trawl_sink_rejected_total)."),
        panel("Sink batch write latency", quantiles("trawl_sink_batch_seconds") + [
            (f"sum(rate(trawl_sink_batches_total{{result=\"failed\",{SEL}}}[{RI}]))", "failed batches/s"),
        ], 8, y, w=8, unit="s",
              description="One transaction per batch, commit included; failed writes are retried (batch held unacked)."),
        panel("PostgreSQL up (sink)", [
            (f"min(trawl_sink_postgres_up{{{SEL}}})", "all sinks up"),
            (f"sum(trawl_sink_postgres_up{{{SEL}}})", "sinks up"),
        ], 16, y, w=8,
              description="1 while the sink reaches PostgreSQL; 0: not ready, messages wait in its queue."),
    ]
    y += 8
    panels += [
        panel("Search backlog (rows not yet searchable)", [
            (f"max(trawl_sink_search_backlog_rows{{{SEL}}})", "rows waiting for their search vector"),
        ], 0, y, w=12,
              description="Rows of articles whose search tsvector the sinks' indexers have not filled yet (the whole "
                          "table: every sink reports the same count, hence max). Grows during ingestion bursts, "
                          "drains when the writers are idle; alert TrawlSinkSearchLagging when it keeps growing."),
        panel("Search indexed vs landed rows / s", [
            (f"sum(rate(trawl_sink_search_indexed_total{{{SEL}}}[{RI}]))", "indexed/s"),
            (f"sum(rate(trawl_sink_articles_total{{outcome=~\"inserted|updated\",{SEL}}}[{RI}]))",
             "landed/s (inserted + updated)"),
        ], 12, y, w=12, unit="reqps",
              description="Rows given their search vector by the indexers against rows written (new or replaced "
                          "versions, each needing a vector): indexed below landed for long = growing lag."),
    ]
    y += 8

    # One row per selected instance (Grafana repeats the row for each value of $instance).
    one = 'instance=~"$instance"'
    panels.append(row("Instance $instance", y, repeat="instance")); y += 1
    panels += [
        panel("Pages and articles / s", [
            (f"sum(rate(trawl_fetch_total{{{one}}}[{RI}]))", "pages/s"),
            (f"sum(rate(trawl_articles_published_total{{{one}}}[{RI}]))", "articles/s"),
        ], 0, y, w=6, unit="reqps"),
        panel("Tasks", [
            (f"sum(trawl_worker_tasks_in_progress{{{one}}})", "in progress"),
            (f"sum by (result) (rate(trawl_worker_tasks_total{{{one}}}[{RI}]))", "{{result}}/s"),
        ], 6, y, w=6),
        panel("Fetch latency", quantiles("trawl_fetch_duration_seconds", sel=one, qs=(0.5, 0.95)), 12, y, w=6,
              unit="s"),
        panel("CPU and memory", [
            (f"rate(process_cpu_seconds_total{{{one}}}[{RI}])", "cpu cores"),
            (f"process_resident_memory_bytes{{{one}}} / 1e9", "rss GB"),
        ], 18, y, w=6),
    ]
    y += 8

    return {
        "uid": "trawl-overview",
        "title": "Trawl",
        "description": "Trawl crawl pipeline: throughput, fetch, queues, frontier, extraction, PostgreSQL sink, per instance.",
        "tags": ["trawl", "crawler"],
        "timezone": "utc",
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-1h", "to": "now"},
        "annotations": {"list": []},
        "links": [],
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                },
                {
                    "name": "instance",
                    "label": "Instance",
                    "type": "query",
                    "datasource": DS,
                    "query": {"query": "label_values(trawl_build_info, instance)", "refId": "instance"},
                    "definition": "label_values(trawl_build_info, instance)",
                    "refresh": 2,
                    "multi": True,
                    "includeAll": True,
                    "allValue": ".*",
                    "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
                    "sort": 1,
                    "hide": 0,
                },
            ]
        },
        "panels": panels,
    }


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards", "trawl.json")
    text = json.dumps(build(), indent=2, sort_keys=False) + "\n"
    if "--check" in sys.argv:
        with open(out, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{out} is stale: run python3 {sys.argv[0]}", file=sys.stderr)
                return 1
        return 0
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
