//! `bench-memory [--pages DIR] [--engine trawl|rs-trafilatura|parse]`
//!
//! Peak heap use of one extraction per page, measured with a counting global
//! allocator (live bytes at the peak minus live bytes before the call), reported
//! as a multiple of the page size: median, 90th percentile and worst page.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use trawl_bench::{default_bench_dir, load_pages, run, Engine};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() -> ExitCode {
    let mut engine = Engine::Trawl;
    let mut dir = default_bench_dir().join("pages");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--pages", Some(v)) => dir = PathBuf::from(v),
            ("--engine", Some(v)) => match Engine::parse(&v) {
                Some(e) => engine = e,
                None => {
                    eprintln!("unknown engine {v:?}");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!(
                    "usage: bench-memory [--pages DIR] [--engine trawl|rs-trafilatura|parse]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let pages = match load_pages(&dir) {
        Ok(p) if !p.is_empty() => p,
        _ => {
            eprintln!("no *.html pages in {}", dir.display());
            return ExitCode::from(1);
        }
    };
    let mut ratios: Vec<(f64, usize, usize, usize)> = Vec::with_capacity(pages.len());
    // one warm-up pass first: lazily compiled patterns and other one-time set-up are
    // not per-page costs
    for page in &pages {
        drop(run(engine, page));
    }
    for (idx, page) in pages.iter().enumerate() {
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let out = run(engine, page);
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
        drop(out);
        ratios.push((
            peak as f64 / page.bytes.len().max(1) as f64,
            peak,
            page.bytes.len(),
            idx,
        ));
    }
    ratios.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pct = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    let (med, p90, worst) = (pct(0.5), pct(0.9), pct(1.0));
    let biggest = ratios
        .iter()
        .max_by_key(|r| r.2)
        .copied()
        .unwrap_or((0.0, 0, 0, 0));
    println!(
        "{}: peak heap / page size over {} pages: median {:.1}x, p90 {:.1}x, worst {:.1}x ({}: {} KB page, {} KB peak); largest page {} KB -> {:.1}x",
        engine.name(),
        ratios.len(),
        med.0,
        p90.0,
        worst.0,
        pages[worst.3].id,
        worst.2 / 1000,
        worst.1 / 1000,
        biggest.2 / 1000,
        biggest.0
    );
    ExitCode::SUCCESS
}
