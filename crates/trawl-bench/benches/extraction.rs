//! Criterion benchmark: full trawl extraction vs bare scraper parsing vs rs-trafilatura
//! over the benchmark pages (`../shared/bench/extraction/pages`), one core.
//!
//! Each group iteration processes every page once, so criterion's throughput is the
//! MB/s over the whole set; pages/s is printed beside it from a separate timed pass.
//! Skips with a message when the benchmark folder is absent.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use trawl_bench::{default_bench_dir, load_pages, run, Engine};

fn bench(c: &mut Criterion) {
    let dir = std::env::var_os("TRAWL_BENCH_PAGES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| default_bench_dir().join("pages"));
    let pages = match load_pages(&dir) {
        Ok(p) if !p.is_empty() => p,
        _ => {
            eprintln!(
                "extraction bench skipped: no benchmark pages at {} (set TRAWL_BENCH_PAGES)",
                dir.display()
            );
            return;
        }
    };
    // `cargo test --all-targets` runs this binary without `--bench` (criterion's test
    // mode, debug build): a smoke run over a few pages, no timing passes.
    let measuring = std::env::args().any(|a| a == "--bench");
    let pages: Vec<_> = if measuring {
        pages
    } else {
        pages.into_iter().take(3).collect()
    };
    let bytes: u64 = pages.iter().map(|p| p.bytes.len() as u64).sum();
    let mut group = c.benchmark_group("extraction");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(6));
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Bytes(bytes));
    let engines = [
        Engine::ParseOnly,
        Engine::ParseContent,
        Engine::Trawl,
        Engine::RsTrafilatura,
    ];
    for engine in engines {
        group.bench_function(engine.name(), |b| {
            b.iter(|| {
                for p in &pages {
                    std::hint::black_box(run(engine, p));
                }
            })
        });
    }
    group.finish();
    if !measuring {
        return;
    }
    // pages/s from one more timed pass each (median of 3), printed beside criterion's MB/s
    let mut rates = Vec::new();
    for engine in engines {
        let mut passes: Vec<f64> = (0..3)
            .map(|_| {
                let t = Instant::now();
                for p in &pages {
                    std::hint::black_box(run(engine, p));
                }
                t.elapsed().as_secs_f64()
            })
            .collect();
        passes.sort_by(|a, b| a.total_cmp(b));
        let s = passes[1];
        rates.push((engine, pages.len() as f64 / s, bytes as f64 / 1e6 / s));
    }
    let parse = rates[0].1;
    println!(
        "\n{} pages, {:.2} MB, one core, median of 3 passes:",
        pages.len(),
        bytes as f64 / 1e6
    );
    for (engine, pps, mbs) in rates {
        println!(
            "  {:<15} {:>7.1} pages/s {:>7.2} MB/s  ({:>5.1}% of parse-only)",
            engine.name(),
            pps,
            mbs,
            100.0 * pps / parse
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
