//! Every metric name used by the Grafana dashboard, the Prometheus alert rules and the Kubernetes manifests
//! (PrometheusRule, KEDA/HPA scaling metrics) is exported by `trawl_metrics::global()`'s registry, so renaming
//! a metric cannot silently blank a panel or disarm an alert.
//!
//! Reads files of this repository (`deploy/`, `k8s/`); it fails, rather than skips, when they are missing.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use prometheus::proto::MetricType;
use regex::Regex;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Names a PromQL expression may use for what the registry exports (histograms add three series names).
fn exported_names() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for family in trawl_metrics::global().registry.gather() {
        let name = family.name().to_owned();
        if family.get_field_type() == MetricType::HISTOGRAM {
            for suffix in ["_bucket", "_sum", "_count"] {
                names.insert(format!("{name}{suffix}"));
            }
        }
        names.insert(name);
    }
    names
}

fn files_under(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, exts, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(path);
        }
    }
}

/// `trawl_*` and `process_*` metric names referenced by `text`.
fn referenced(text: &str) -> BTreeSet<String> {
    let re = Regex::new(r"\b(?:trawl|process)_[a-z_]+[a-z]\b").unwrap();
    re.find_iter(text).map(|m| m.as_str().to_owned()).collect()
}

#[test]
fn every_metric_used_by_dashboards_alerts_and_manifests_is_exported() {
    let root = repo_root();
    let exported = exported_names();

    let dashboard = root.join("deploy/grafana/dashboards/trawl.json");
    let alerts = root.join("deploy/prometheus/alerts.yml");
    let mut files = vec![dashboard.clone(), alerts.clone()];
    files_under(&root.join("k8s"), &["yaml", "yml", "json"], &mut files);

    let mut total = BTreeSet::new();
    let mut missing = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for name in referenced(&text) {
            if !exported.contains(&name) {
                missing.push(format!("{} uses {name}", file.display()));
            }
            total.insert(name);
        }
    }
    assert!(
        missing.is_empty(),
        "metrics used but not exported:\n{}",
        missing.join("\n")
    );

    // The scan really covered the dashboard and the rules (so this test cannot pass on empty input).
    let dash_names = referenced(&fs::read_to_string(&dashboard).unwrap());
    let alert_names = referenced(&fs::read_to_string(&alerts).unwrap());
    assert!(
        dash_names.len() >= 20,
        "dashboard references only {dash_names:?}"
    );
    assert!(
        alert_names.len() >= 4,
        "alerts reference only {alert_names:?}"
    );
    assert!(total.contains("trawl_fetch_duration_seconds_bucket"));
}

#[test]
fn dashboard_is_valid_json_with_instance_templating() {
    let path = repo_root().join("deploy/grafana/dashboards/trawl.json");
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let vars = v["templating"]["list"].as_array().unwrap();
    assert!(vars.iter().any(|t| t["name"] == "instance"));
    let panels = v["panels"].as_array().unwrap();
    let exprs: Vec<&str> = panels
        .iter()
        .flat_map(|p| p["targets"].as_array().into_iter().flatten())
        .filter_map(|t| t["expr"].as_str())
        .collect();
    assert!(exprs.len() > 20);
    // Panel ids are unique.
    let ids: BTreeSet<i64> = panels.iter().filter_map(|p| p["id"].as_i64()).collect();
    assert_eq!(ids.len(), panels.len());
}

#[test]
fn the_scanner_catches_a_renamed_metric() {
    let exported = exported_names();
    let refs =
        referenced(r#"sum(rate(trawl_fetch_totals[5m])) + trawl_fetch_duration_seconds_bucket"#);
    let unknown: Vec<_> = refs.iter().filter(|n| !exported.contains(*n)).collect();
    assert_eq!(unknown, vec!["trawl_fetch_totals"]);
}
