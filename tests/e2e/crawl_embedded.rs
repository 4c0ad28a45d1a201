//! `trawl crawl` (the embedded default) over a local multi-host news site: every
//! reachable article exactly once, robots.txt first and obeyed, politeness held,
//! traps bounded.

use std::collections::HashSet;
use std::process::Command;
use std::time::{Duration, Instant};

use trawl_e2e::kit::{embedded_crawl, EmbeddedCrawl};
use trawl_e2e::{canonical_counts, read_articles, trawl_bin, write_lines};
use trawl_testsite::{SiteSpec, TestSite};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_crawl_emits_every_reachable_article_exactly_once_and_politely() {
    let site = TestSite::start(SiteSpec {
        hosts: 3,
        articles_per_host: 12,
        crawl_delay: Some(0.2),
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let EmbeddedCrawl {
        summary,
        stderr,
        out,
    } = embedded_crawl(
        &site.home_pages(),
        dir.path(),
        &["--delay", "50ms", "--workers", "8", "--max-time", "240s"],
    )
    .await;
    assert_eq!(
        summary["reason"], "drained",
        "the crawl should end by itself: {summary}"
    );
    eprintln!("crawl took {:?}", started.elapsed());

    // Every reachable article, exactly once.
    let articles = read_articles(&out);
    let counts = canonical_counts(&articles);
    let expected: HashSet<String> = site
        .expected_articles()
        .into_iter()
        .map(|a| a.canonical_url)
        .collect();
    let got: HashSet<String> = counts.keys().cloned().collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "missing articles: {missing:?}\n{stderr}"
    );
    assert!(extra.is_empty(), "unexpected articles: {extra:?}");
    let dups: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "articles emitted more than once: {dups:?}");
    let ids: HashSet<&str> = articles.iter().filter_map(|a| a["id"].as_str()).collect();
    assert_eq!(ids.len(), articles.len(), "ids are unique per article");

    // Polite: robots.txt first on every host, no disallowed URL, the crawl delay held.
    assert!(
        site.disallowed_requests().is_empty(),
        "{:?}",
        site.disallowed_requests()
    );
    assert!(
        site.robots_first_violations().is_empty(),
        "{:?}",
        site.robots_first_violations()
    );
    let violations = site.politeness_violations(Duration::from_millis(20));
    assert!(
        violations.is_empty(),
        "politeness violations: {violations:#?}"
    );
    assert_eq!(site.max_in_flight_per_host(), 1);
    // Links that robots.txt (already fetched) disallows are filtered when found, not queued
    // and handed out to be denied later.
    let s = &summary["summary"];
    assert!(
        s["filtered"]["robots_denied"].as_u64().unwrap_or(0) > 0,
        "the site links to disallowed pages: {s}"
    );
    assert_eq!(
        s["fetched"]["robots_denied"].as_u64().unwrap_or(0),
        0,
        "tasks denied at fetch time: {s}"
    );

    // The endless calendar is bounded.
    let calendar = site
        .request_log()
        .iter()
        .filter(|r| r.path_and_query.starts_with("/calendar"))
        .count();
    assert!(
        calendar <= 3 * 70,
        "calendar trap not bounded: {calendar} requests"
    );
    site.shutdown().await;
}

/// `trawl crawl --state DIR`: interrupted with SIGINT midway, the same command again
/// resumes: finished URLs are not fetched again, and every article ends up in the
/// output exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_crawl_resumes_from_its_state_dir() {
    let site = TestSite::start(SiteSpec {
        hosts: 2,
        articles_per_host: 10,
        crawl_delay: Some(0.15),
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds.txt");
    let out = dir.path().join("articles.jsonl");
    let state = dir.path().join("state");
    write_lines(&seeds, &site.home_pages());
    let args: Vec<String> = [
        "crawl",
        "--seeds",
        &seeds.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--state",
        &state.display().to_string(),
        "--allow-cidr",
        "127.0.0.0/8",
        "--delay",
        "50ms",
        "--workers",
        "4",
        "--max-time",
        "240s",
        "--summary-json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();

    // First run: interrupt it once a few articles were written.
    let first_args = args.clone();
    let out_path = out.clone();
    let first = tokio::task::spawn_blocking(move || {
        let child = Command::new(trawl_bin())
            .args(&first_args)
            .env("TRAWL_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn trawl crawl");
        let deadline = Instant::now() + Duration::from_secs(60);
        while read_articles(&out_path).len() < 4 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let output = child.wait_with_output().expect("wait");
        serde_json::from_slice::<serde_json::Value>(&output.stdout).ok()
    })
    .await
    .unwrap();
    let first = first.expect("first run printed a summary");
    assert_eq!(first["reason"], "interrupted", "{first}");
    let after_first = read_articles(&out).len();
    assert!(after_first >= 4, "first run wrote {after_first} articles");
    let expected: HashSet<String> = site
        .expected_articles()
        .into_iter()
        .map(|a| a.canonical_url)
        .collect();
    assert!(
        after_first < expected.len(),
        "the first run should have been interrupted midway"
    );
    let log_first = site.request_log();
    let requests_first: Vec<String> = log_first
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| format!("{}{}", r.host, r.path_and_query))
        .collect();

    // Second run: the same command resumes and finishes.
    let second = tokio::task::spawn_blocking(move || {
        Command::new(trawl_bin())
            .args(&args)
            .env("TRAWL_LOG", "warn")
            .output()
            .expect("second run")
    })
    .await
    .unwrap();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&second.stdout).expect("summary");
    assert_eq!(summary["reason"], "drained", "{summary}");

    let articles = read_articles(&out);
    let counts = canonical_counts(&articles);
    let got: HashSet<String> = counts.keys().cloned().collect();
    assert_eq!(got, expected, "every article, across both runs");
    assert!(counts.values().all(|n| *n == 1), "exactly once: {counts:?}");

    // Pages fetched successfully in the first run are not fetched again
    // (robots.txt is, once per host: the fetcher's robots cache is per process).
    let log = site.request_log();
    // Everything after the first run's requests (200 or not: redirects, 404s, the flaky 503).
    let second_run = &log[log_first.len()..];
    let refetched: Vec<String> = second_run
        .iter()
        .map(|r| format!("{}{}", r.host, r.path_and_query))
        .filter(|u| !u.ends_with("/robots.txt") && requests_first.contains(u))
        .collect();
    assert!(
        refetched.is_empty(),
        "refetched after resume: {refetched:?}"
    );
    site.shutdown().await;
}

/// `trawl crawl --follow`: the crawl does not end when the first pass drains; it re-polls its
/// seeds (home page, sitemap, feed) and stops at `--max-time`, without emitting an article twice
/// and with politeness held across the re-polls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_keeps_polling_the_seeds_until_max_time() {
    let site = TestSite::start(SiteSpec {
        hosts: 1,
        articles_per_host: 6,
        crawl_delay: Some(0.1),
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let dir = tempfile::tempdir().unwrap();
    let EmbeddedCrawl {
        summary,
        stderr,
        out,
    } = embedded_crawl(
        &site.seeds(),
        dir.path(),
        &[
            "--delay",
            "50ms",
            "--follow",
            "--poll-interval",
            "1s",
            "--poll-min",
            "1s",
            "--poll-max",
            "2s",
            "--max-time",
            "10s",
        ],
    )
    .await;
    assert_eq!(summary["reason"], "max-time", "{summary}");

    // The first pass found every article, once; re-polls found nothing new to emit.
    let articles = read_articles(&out);
    let counts = canonical_counts(&articles);
    let expected: HashSet<String> = site
        .expected_articles()
        .into_iter()
        .map(|a| a.canonical_url)
        .collect();
    assert_eq!(
        counts.keys().cloned().collect::<HashSet<_>>(),
        expected,
        "{stderr}"
    );
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");

    // Each seed was polled again (the first pass drains in well under 10 s), and no seed
    // was polled faster than the shortest interval allows.
    let log = site.request_log();
    for path in ["/", "/feed.xml", "/sitemap.xml"] {
        let times: Vec<_> = log
            .iter()
            .filter(|r| r.path_and_query == path)
            .map(|r| r.at)
            .collect();
        assert!(times.len() >= 2, "{path} polled {} time(s)", times.len());
        for w in times.windows(2) {
            let gap = w[1].duration_since(w[0]);
            assert!(
                gap >= Duration::from_millis(900),
                "{path} re-polled after {gap:?}"
            );
        }
    }
    assert!(site
        .politeness_violations(Duration::from_millis(20))
        .is_empty());
    site.shutdown().await;
}

/// Discovery latency: the site publishes a new article on each host every 2 s (live mode);
/// `trawl crawl --follow` with short adaptive intervals writes each within a bounded time of its
/// publication, once, and politely. The output file is watched while the crawl runs, so the
/// latency is publication → article line written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_picks_up_live_articles_with_bounded_latency() {
    // The traps that only lengthen the first pass are off: this measures re-polling.
    let mut features = trawl_testsite::Features::default();
    for f in ["calendar", "aliases", "tags", "archive", "flaky"] {
        features.set(f, false).expect("a known feature");
    }
    let site = TestSite::start(SiteSpec {
        hosts: 2,
        articles_per_host: 6,
        crawl_delay: Some(0.2),
        publish_every: Some(Duration::from_secs(2)),
        features,
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds.txt");
    let out = dir.path().join("articles.jsonl");
    write_lines(&seeds, &site.seeds());
    let run_for = Duration::from_secs(20);
    let mut child = trawl_e2e::Proc::spawn(
        "trawl crawl --follow",
        Command::new(trawl_bin())
            .args([
                "crawl",
                "--seeds",
                &seeds.display().to_string(),
                "--out",
                &out.display().to_string(),
                "--allow-cidr",
                "127.0.0.0/8",
                "--delay",
                "100ms",
                "--follow",
                "--poll-interval",
                "1s",
                "--poll-min",
                "1s",
                "--poll-max",
                "8s",
                "--max-time",
                &format!("{}s", run_for.as_secs()),
            ])
            .env("TRAWL_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null()),
    );
    // Watch the output: when each canonical URL first appears.
    let mut first_seen: std::collections::HashMap<String, std::time::SystemTime> =
        Default::default();
    let mut lines_seen = 0usize;
    let deadline = Instant::now() + run_for + Duration::from_secs(15);
    loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        let complete: Vec<&str> = text
            .split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .collect();
        for l in &complete[lines_seen.min(complete.len())..] {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
                first_seen
                    .entry(trawl_e2e::canonical_of(&v))
                    .or_insert_with(std::time::SystemTime::now);
            }
        }
        lines_seen = complete.len();
        if let Ok(Some(_)) = child.child.try_wait() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "trawl crawl --follow did not stop at --max-time"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let published = site.publications();
    assert!(published.len() >= 12, "{} publications", published.len());
    let end_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let mut latencies = Vec::new();
    for p in &published {
        // Articles published in the last 8 s may not be found before --max-time.
        if p.published_unix_ms > end_ms - 8_000 {
            continue;
        }
        let seen = first_seen
            .get(&p.canonical_url)
            .unwrap_or_else(|| panic!("live article never written: {}", p.canonical_url));
        let seen_ms = seen
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        latencies.push(seen_ms - p.published_unix_ms);
    }
    assert!(latencies.len() >= 6, "{latencies:?}");
    latencies.sort();
    let worst = *latencies.last().unwrap_or(&0);
    eprintln!("live latencies (ms): {latencies:?}");
    assert!(worst <= 5_000, "latency up to {worst} ms: {latencies:?}");
    // Once each, and polite throughout.
    let counts = canonical_counts(&read_articles(&out));
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let violations = site.politeness_violations(Duration::from_millis(20));
    assert!(violations.is_empty(), "{violations:#?}");
    assert!(site.disallowed_requests().is_empty());
    site.shutdown().await;
}

/// Updates and corrections: with `--follow`, published articles are re-fetched on a schedule
/// after their publication (conditional GET); an article whose body changed (the site appends a
/// correction to every fifth article a while after publishing it) is written again with the
/// same `id` and `version` 2, and an unchanged one is not written again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_rechecks_articles_and_publishes_corrections_as_new_versions() {
    let mut features = trawl_testsite::Features::default();
    for f in ["calendar", "aliases", "tags", "archive", "flaky"] {
        features.set(f, false).expect("a known feature");
    }
    let site = TestSite::start(SiteSpec {
        hosts: 2,
        articles_per_host: 2,
        crawl_delay: Some(0.2),
        publish_every: Some(Duration::from_secs(2)),
        correct_after: Some(Duration::from_secs(4)),
        features,
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let dir = tempfile::tempdir().unwrap();
    let EmbeddedCrawl {
        summary,
        stderr,
        out,
    } = embedded_crawl(
        &site.seeds(),
        dir.path(),
        &[
            "--delay",
            "100ms",
            "--follow",
            "--poll-interval",
            "1s",
            "--poll-min",
            "1s",
            "--poll-max",
            "4s",
            "--update-checks",
            "2s,6s,10s",
            "--max-time",
            "24s",
        ],
    )
    .await;
    let end_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let articles = read_articles(&out);
    let mut versions: std::collections::HashMap<String, Vec<(u64, String, String)>> =
        Default::default();
    for a in &articles {
        versions
            .entry(trawl_e2e::canonical_of(a))
            .or_default()
            .push((
                a["version"].as_u64().unwrap_or(0),
                a["id"].as_str().unwrap_or("").to_string(),
                a["body"].as_str().unwrap_or("").to_string(),
            ));
    }
    let corrected: HashSet<String> = site.corrections().into_iter().map(|c| c.0).collect();
    // A correction that appeared with time for the 6 s check, or the 10 s one should the
    // first fetch come late (a loaded machine), must have been published as version 2.
    let due: Vec<String> = site
        .corrections()
        .into_iter()
        .filter(|(_, at)| *at < end_ms - 9_000)
        .map(|c| c.0)
        .collect();
    assert!(
        !due.is_empty(),
        "no correction was due: {:?}",
        site.corrections()
    );
    for url in &due {
        let v = versions
            .get(url)
            .unwrap_or_else(|| panic!("corrected article never written: {url}\n{stderr}"));
        let mut nums: Vec<u64> = v.iter().map(|x| x.0).collect();
        nums.sort();
        assert_eq!(
            nums,
            [1, 2],
            "{url}: versions written {nums:?}; corrections {:?}; written {:?}\n{stderr}",
            site.corrections(),
            versions
                .iter()
                .map(|(u, v)| (u, v.iter().map(|x| x.0).collect::<Vec<_>>()))
                .collect::<Vec<_>>()
        );
        assert_eq!(v[0].1, v[1].1, "both versions carry the same id");
        let v2 = v.iter().find(|x| x.0 == 2).unwrap();
        assert!(
            v2.2.contains("Correction ("),
            "version 2 has the correction: {}",
            v2.2
        );
    }
    // Nothing else is written twice: unchanged pages cost a request (a 304 when the page is
    // byte for byte the same), not a message.
    for (url, v) in &versions {
        if !corrected.contains(url) {
            assert_eq!(v.len(), 1, "{url} written {} times: {v:?}", v.len());
            assert_eq!(v[0].0, 1);
        } else {
            assert!(v.len() <= 2, "{url}: {v:?}");
        }
    }
    let updated = summary["summary"]["updated"].as_u64().unwrap_or(0);
    let v2s = articles.iter().filter(|a| a["version"] == 2).count() as u64;
    assert_eq!(
        updated, v2s,
        "the summary counts the new versions: {summary}"
    );
    let not_modified = site
        .request_log()
        .iter()
        .filter(|r| r.status == 304)
        .count();
    eprintln!(
        "articles {} (version 2: {v2s}), 304 answers {not_modified}",
        articles.len()
    );
    assert!(site
        .politeness_violations(Duration::from_millis(20))
        .is_empty());
    site.shutdown().await;
}
