//! WARC archiving of a worker's fetches: what goes in each fetch's `metadata` record, and the
//! writer events counted as Prometheus metrics. The writing itself is `trawl-warc`'s.

use std::io;
use std::path::Path;
use std::sync::Arc;

use tracing::{info, warn};
use trawl_core::FetchTask;
use trawl_fetch::FetchResponse;
use trawl_warc::{FetchCapture, FetchMetadata, RecordType, WarcEvents, WarcSink, WriterConfig};

use crate::Processed;

/// Counts writer events in the process's metrics (`trawl_warc_*`) and logs failures.
#[derive(Debug, Default, Clone, Copy)]
pub struct MetricsEvents;

impl WarcEvents for MetricsEvents {
    fn record(&self, kind: RecordType, bytes: u64) {
        let m = trawl_metrics::global();
        m.warc_records_total
            .with_label_values(&[kind.as_str()])
            .inc();
        m.warc_bytes_total.inc_by(bytes);
    }

    fn file_closed(&self, path: &Path) {
        trawl_metrics::global().warc_files_total.inc();
        info!(file = %path.display(), "WARC file closed");
    }

    fn error(&self, what: &str, err: &io::Error) {
        trawl_metrics::global().warc_write_errors_total.inc();
        warn!(what, error = %err, "WARC write error (articles are still emitted)");
    }
}

/// Start a WARC writer whose events are counted in the metrics.
pub fn start_sink(cfg: WriterConfig) -> io::Result<WarcSink> {
    WarcSink::start(cfg, Arc::new(MetricsEvents))
}

/// The capture of one processed task: its exchanges and a `metadata` record with the
/// outcome and the outlinks.
pub(crate) fn capture_of(
    task: &FetchTask,
    resp: &mut FetchResponse,
    processed: &Processed,
) -> FetchCapture {
    let report = &processed.report;
    let mut fields = vec![
        (
            "fetchOutcome".to_string(),
            report.outcome.as_str().to_string(),
        ),
        (
            "taskKind".to_string(),
            format!("{:?}", task.kind).to_lowercase(),
        ),
        ("depth".to_string(), task.depth.to_string()),
        (
            "fetchTimeMs".to_string(),
            format!("{:.0}", resp.elapsed.as_secs_f64() * 1000.0),
        ),
    ];
    if let Some(s) = report.status {
        fields.push(("fetchStatus".into(), s.to_string()));
    }
    if let Some(e) = report.error.as_ref().or(report.process_error.as_ref()) {
        fields.push(("fetchError".into(), e.clone()));
    }
    if let Some(id) = &report.article_id {
        fields.push(("articleId".into(), id.clone()));
        fields.push(("isArticle".into(), report.is_article.to_string()));
    }
    if let Some(of) = &processed.duplicate_of {
        fields.push(("duplicateOf".into(), of.clone()));
    }
    FetchCapture {
        exchanges: std::mem::take(&mut resp.exchanges),
        metadata: Some(FetchMetadata {
            url: task.url.clone(),
            date: chrono::Utc::now(),
            fields,
            outlinks: report.links.iter().map(|l| l.url.clone()).collect(),
        }),
    }
}
