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

/// The logger: a filter and an output format, each replaced once the configuration is read
/// ([`apply_log_config`]). (A reloadable global filter plus a reloadable boxed format layer:
/// per-layer filters cannot be reloaded.)
type FilterHandle =
    tracing_subscriber::reload::Handle<tracing_subscriber::EnvFilter, tracing_subscriber::Registry>;
type Filtered = tracing_subscriber::layer::Layered<
    tracing_subscriber::reload::Layer<tracing_subscriber::EnvFilter, tracing_subscriber::Registry>,
    tracing_subscriber::Registry,
>;
type FormatLayer = Box<dyn tracing_subscriber::Layer<Filtered> + Send + Sync>;
type FormatHandle = tracing_subscriber::reload::Handle<FormatLayer, Filtered>;

/// The handles, and `--log-format` when given (json?).
static LOGGER: std::sync::OnceLock<(FilterHandle, FormatHandle, Option<bool>)> =
    std::sync::OnceLock::new();

fn format_layer(json: bool) -> FormatLayer {
    use tracing_subscriber::{fmt, Layer};
    if json {
        fmt::layer().json().with_writer(std::io::stderr).boxed()
    } else {
        fmt::layer().with_writer(std::io::stderr).boxed()
    }
}

/// `TRAWL_LOG` when set (it wins over the configuration), else `level` plus the quiet HTML
/// parser.
fn log_filter(level: Option<&str>) -> tracing_subscriber::EnvFilter {
    use tracing_subscriber::EnvFilter;
    if let Ok(f) = EnvFilter::try_from_env("TRAWL_LOG") {
        return f;
    }
    match level {
        Some(l) if !l.contains("html5ever") => EnvFilter::try_new(format!("{l},html5ever=error")),
        Some(l) => EnvFilter::try_new(l),
        None => EnvFilter::try_new(DEFAULT_LOG_FILTER),
    }
    .unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER))
}

/// Logs go to stderr; stdout is for data. `format`: `--log-format` when given (it wins over
/// the configuration's `[log] format`), else human until [`apply_log_config`].
pub fn init_tracing(format: Option<&str>) {
    use tracing_subscriber::prelude::*;
    // Until the configuration is read (commands without one never read it), TRAWL_LOG_FORMAT.
    let json = match format {
        Some(f) => f == "json",
        None => std::env::var("TRAWL_LOG_FORMAT").is_ok_and(|f| f.trim() == "json"),
    };
    let (filter, filter_handle) = tracing_subscriber::reload::Layer::new(log_filter(None));
    let (format_layer, format_handle) = tracing_subscriber::reload::Layer::new(format_layer(json));
    tracing_subscriber::registry()
        .with(filter)
        .with(format_layer)
        .init();
    let _ = LOGGER.set((filter_handle, format_handle, format.map(|f| f == "json")));
}

/// Apply the configuration's `[log]` section (file, `TRAWL_LOG_LEVEL`, `TRAWL_LOG_FORMAT`,
/// `--set log.level=…`) to the running logger: the level unless `TRAWL_LOG` is set, the format
/// unless `--log-format` was given.
pub fn apply_log_config(log: &trawl_config::LogSection) {
    let Some((filter, format, given)) = LOGGER.get() else {
        return;
    };
    let _ = filter.reload(log_filter(Some(&log.level)));
    let json = given.unwrap_or(log.format == trawl_config::LogFormat::Json);
    let _ = format.reload(format_layer(json));
}
