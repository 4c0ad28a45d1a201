//! `bench-extract --engine trawl|rs-trafilatura|parse [--pages DIR] [--repeat N] [--out FILE]`
//!
//! Extracts every page of DIR with one engine, single-threaded, timing each call
//! in-process (file reading excluded), and writes the evaluator's JSON Lines format
//! `{"id","body","title","seconds":[…]}`. Prints pages/s and MB/s of the median pass.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use trawl_bench::{default_bench_dir, load_pages, timed, Engine};

fn main() -> ExitCode {
    let mut engine = Engine::Trawl;
    let mut pages_dir: Option<PathBuf> = None;
    let mut repeat = 1usize;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_default();
        match a.as_str() {
            "--engine" => {
                let v = val();
                match Engine::parse(&v) {
                    Some(e) => engine = e,
                    None => {
                        eprintln!("unknown engine {v:?} (trawl, rs-trafilatura, parse)");
                        return ExitCode::from(2);
                    }
                }
            }
            "--pages" => pages_dir = Some(PathBuf::from(val())),
            "--repeat" => repeat = val().parse().unwrap_or(1).max(1),
            "--out" => out = Some(PathBuf::from(val())),
            _ => {
                eprintln!("usage: bench-extract --engine trawl|rs-trafilatura|parse [--pages DIR] [--repeat N] [--out FILE]");
                return ExitCode::from(2);
            }
        }
    }
    let dir = pages_dir.unwrap_or_else(|| default_bench_dir().join("pages"));
    let pages = match load_pages(&dir) {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => {
            eprintln!("no *.html pages in {}", dir.display());
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("cannot read {}: {e}", dir.display());
            return ExitCode::from(1);
        }
    };
    let total_bytes: usize = pages.iter().map(|p| p.bytes.len()).sum();
    let mut seconds: Vec<Vec<f64>> = vec![Vec::with_capacity(repeat); pages.len()];
    let mut outputs = Vec::with_capacity(pages.len());
    let mut pass_totals = Vec::with_capacity(repeat);
    for pass in 0..repeat {
        let mut total = 0.0;
        for (i, page) in pages.iter().enumerate() {
            let (o, s) = timed(engine, page);
            total += s;
            seconds[i].push(s);
            if pass == 0 {
                outputs.push(o);
            }
        }
        pass_totals.push(total);
    }
    if let Some(path) = out {
        let mut w = match std::fs::File::create(&path) {
            Ok(f) => std::io::BufWriter::new(f),
            Err(e) => {
                eprintln!("cannot write {}: {e}", path.display());
                return ExitCode::from(1);
            }
        };
        for ((page, o), s) in pages.iter().zip(&outputs).zip(&seconds) {
            let line =
                serde_json::json!({"id": page.id, "body": o.body, "title": o.title, "seconds": s});
            if writeln!(w, "{line}").is_err() {
                eprintln!("write error on {}", path.display());
                return ExitCode::from(1);
            }
        }
    }
    pass_totals.sort_by(|a, b| a.total_cmp(b));
    let median = pass_totals[pass_totals.len() / 2];
    eprintln!(
        "{:<15} {} pages, {:.2} MB, median of {} pass(es): {:.1} pages/s, {:.2} MB/s ({:.2} ms/page)",
        engine.name(),
        pages.len(),
        total_bytes as f64 / 1e6,
        repeat,
        pages.len() as f64 / median,
        total_bytes as f64 / 1e6 / median,
        median * 1000.0 / pages.len() as f64
    );
    ExitCode::SUCCESS
}
