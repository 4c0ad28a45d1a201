//! Canonicalization and admission throughput.
//! `cargo bench -p trawl-url --bench canon`
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use trawl_url::{canonicalize, CanonRules, Scope, ScopeConfig, TrapConfig, TrapGuard};
use url::Url;

fn links() -> Vec<String> {
    (0..1000)
        .map(|i| match i % 4 {
            0 => format!(
                "/news/2024/05/{:02}/story-{i}.html?utm_source=rss&utm_medium=feed",
                i % 28 + 1
            ),
            1 => format!("https://WWW.Example.com:443/section/{i}/?b=2&a=1&fbclid=xyz#comments"),
            2 => format!(
                "../world/europe/article-{i};jsessionid=ABCDEF0123?page={}",
                i % 7
            ),
            _ => format!("//cdn.example.com/%7Euser/{i}/./a/../b?q=%e2%82%ac"),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let base = Url::parse("https://www.example.com/news/index.html").unwrap();
    let rules = CanonRules::default();
    let links = links();
    let mut g = c.benchmark_group("trawl_url");
    g.throughput(Throughput::Elements(links.len() as u64));
    g.bench_function("canonicalize_1000_links", |b| {
        b.iter(|| {
            for l in &links {
                let _ = black_box(canonicalize(black_box(l), Some(&base), &rules));
            }
        })
    });
    let canon: Vec<Url> = links
        .iter()
        .filter_map(|l| canonicalize(l, Some(&base), &rules).ok())
        .collect();
    let scope = Scope::from_seeds(std::slice::from_ref(&base), &ScopeConfig::default()).unwrap();
    g.bench_function("scope_and_traps_1000_urls", |b| {
        let mut traps = TrapGuard::new(TrapConfig::default());
        b.iter(|| {
            for u in &canon {
                let _ = black_box(scope.check(u, 1));
                let _ = black_box(traps.admit(u));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
