//! `trawl`: one binary, every role a subcommand.
//!
//! - `extract`: run the extractor over files (no network);
//! - `fetch`: fetch one URL through the polite fetcher and show why it was or was not ingested;
//! - `crawl`: the embedded default (frontier + workers in one process, in-memory queue and dedup);
//! - `frontier`, `worker`: the distributed roles over RabbitMQ and Redis;
//! - `sink postgres`: store the article stream in PostgreSQL;
//! - `seed`, `status`, `tail`, `dlq`: operate a running deployment.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

#[derive(Parser, Debug)]
#[command(
    name = "trawl",
    version,
    about = "Crawl news sites into clean, structured articles"
)]
struct Cli {
    /// Log format: human or json (default: `[log] format` of the configuration, else human).
    #[arg(long, global = true, value_parser = ["human", "json"])]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Extract articles from HTML files, a directory, or stdin.
    Extract(cmd::extract::Args),
    /// Fetch one URL (robots, politeness, SSRF guard included) and show the outcome and the article.
    Fetch(cmd::fetch::Args),
    /// Crawl from seeds with frontier and workers in one process (no services needed).
    Crawl(Box<cmd::crawl::Args>),
    /// Run the frontier service (RabbitMQ + Redis).
    Frontier(cmd::frontier::Args),
    /// Run a fetch/extract worker (RabbitMQ).
    Worker(cmd::worker::Args),
    /// Add seed, sitemap or feed URLs to a running deployment.
    Seed(cmd::seed::Args),
    /// Show what a deployment is doing.
    Status(cmd::status::Args),
    /// Consume the article stream.
    Tail(cmd::tail::Args),
    /// Store the article stream in a database (`trawl sink postgres`).
    Sink(cmd::sink::Args),
    /// List or requeue dead letters.
    Dlq(cmd::dlq::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cmd::init_tracing(cli.log_format.as_deref());
    let result = match cli.command {
        Command::Extract(a) => cmd::extract::run(a),
        Command::Fetch(a) => cmd::fetch::run(a),
        Command::Crawl(a) => cmd::crawl::run(*a),
        Command::Frontier(a) => cmd::frontier::run(a),
        Command::Worker(a) => cmd::worker::run(a),
        Command::Seed(a) => cmd::seed::run(a),
        Command::Status(a) => cmd::status::run(a),
        Command::Tail(a) => cmd::tail::run(a),
        Command::Sink(a) => cmd::sink::run(a),
        Command::Dlq(a) => cmd::dlq::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("trawl: error: {e:#}");
            // A configuration that does not validate: EX_USAGE (64), not a generic failure.
            if e.downcast_ref::<trawl_config::ConfigErrors>().is_some() {
                ExitCode::from(trawl_config::ConfigErrors::EXIT_CODE)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
