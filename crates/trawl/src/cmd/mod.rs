//! One module per subcommand: each has `Args` (clap) and `run(Args) -> anyhow::Result<ExitCode>`.

pub mod common;
pub mod crawl;
pub mod dlq;
pub mod extract;
pub mod extract_warc;
pub mod fetch;
pub mod frontier;
pub mod seed;
pub mod service;
pub mod sink;
pub mod status;
pub mod tail;
pub mod worker;

/// The log filter when `TRAWL_LOG` is not set: our own events from `info` up; the HTML
/// parser's recovery notes ("foster parenting not implemented", one per malformed table, i.e.
/// on most real pages) describe the page, not Trawl, so only its errors are shown.
/// `TRAWL_LOG=info,html5ever=warn` brings them back.
pub const DEFAULT_LOG_FILTER: &str = "info,html5ever=error";

/// Logs go to stderr; stdout is for data.
pub fn init_tracing(format: &str) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter =
        EnvFilter::try_from_env("TRAWL_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
