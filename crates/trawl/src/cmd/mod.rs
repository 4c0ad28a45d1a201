//! One module per subcommand: each has `Args` (clap) and `run(Args) -> anyhow::Result<ExitCode>`.

pub mod common;
pub mod crawl;
pub mod dlq;
pub mod extract;
pub mod fetch;
pub mod frontier;
pub mod seed;
pub mod service;
pub mod status;
pub mod tail;
pub mod worker;

/// Logs go to stderr; stdout is for data.
pub fn init_tracing(format: &str) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_env("TRAWL_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
