//! The site over real sockets: 3 hosts on 127.0.0.2–4, fetched with reqwest.

use std::time::Duration;

use trawl_testsite::{host_ip, Features, SiteSpec, TestSite};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("trawl-testsite-test/1")
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

async fn get(c: &reqwest::Client, url: &str) -> (u16, String, String) {
    let r = c.get(url).send().await.expect("request");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = r.text().await.unwrap_or_default();
    (status, ct, body)
}

async fn site(articles: usize, delay: Option<f64>) -> TestSite {
    TestSite::start(SiteSpec {
        hosts: 3,
        articles_per_host: articles,
        crawl_delay: delay,
        ..SiteSpec::default()
    })
    .await
    .expect("site starts")
}

#[tokio::test]
async fn hosts_on_distinct_loopback_addresses() {
    let s = site(12, None).await;
    let hosts = s.hosts();
    assert_eq!(hosts.len(), 3);
    for (k, h) in hosts.iter().enumerate() {
        assert!(
            h.starts_with(&format!("http://{}:", host_ip(k))),
            "{h} is not on {}",
            host_ip(k)
        );
        assert_eq!(s.host_index(h), Some(k));
    }
    let seeds = s.seeds();
    assert_eq!(seeds.len(), 9);
    assert!(seeds.contains(&format!("{}/sitemap.xml", hosts[1])));
    s.shutdown().await;
}

#[tokio::test]
async fn robots_sitemap_and_feed() {
    let s = site(12, Some(0.2)).await;
    let c = client();
    let base = &s.hosts()[0];
    let (st, ct, robots) = get(&c, &format!("{base}/robots.txt")).await;
    assert_eq!(st, 200);
    assert!(ct.starts_with("text/plain"));
    assert!(robots.contains("Disallow: /private/"));
    assert!(robots.contains("Crawl-delay: 0.2"));
    assert!(robots.contains(&format!("Sitemap: {base}/sitemap.xml")));
    assert_eq!(s.crawl_delay_for(base), Duration::from_millis(200));
    assert_eq!(s.crawl_delay_for("http://10.0.0.1:80"), Duration::ZERO);

    let (st, _, index) = get(&c, &format!("{base}/sitemap.xml")).await;
    assert_eq!(st, 200);
    assert!(index.contains("<sitemapindex"));
    let child = format!("{base}/sitemaps/articles-1.xml");
    assert!(index.contains(&child));
    let (st, _, urlset) = get(&c, &child).await;
    assert_eq!(st, 200);
    let expected: Vec<_> = s
        .expected_articles()
        .into_iter()
        .filter(|a| a.host_index == 0)
        .collect();
    assert_eq!(urlset.matches("<loc>").count(), expected.len());
    for a in &expected {
        assert!(urlset.contains(&format!("<loc>{}</loc>", a.canonical_url)));
    }

    let (st, ct, feed) = get(&c, &format!("{base}/feed.xml")).await;
    assert_eq!(st, 200);
    assert!(ct.contains("rss"));
    assert_eq!(feed.matches("<item>").count(), 12);
    s.shutdown().await;
}

#[tokio::test]
async fn expected_articles_serve_an_article_with_their_title() {
    let s = site(15, None).await;
    let c = client();
    let expected = s.expected_articles();
    assert_eq!(expected.len(), 45);
    let mut urls = std::collections::HashSet::new();
    for a in &expected {
        assert!(
            urls.insert(a.canonical_url.clone()),
            "duplicate {}",
            a.canonical_url
        );
        // The flaky one answers 503 once.
        let mut resp = get(&c, &a.canonical_url).await;
        if resp.0 == 503 {
            assert!(a.canonical_url.contains("/flaky/"));
            resp = get(&c, &a.canonical_url).await;
        }
        let (st, ct, body) = resp;
        assert_eq!(st, 200, "{}", a.canonical_url);
        assert!(ct.starts_with("text/html"));
        assert!(body.contains("<article"));
        assert!(body.contains(&format!(
            "<link rel=\"canonical\" href=\"{}\">",
            a.canonical_url
        )));
        // Titles are plain words; the page escapes only `'` (none in titles today).
        assert!(
            body.contains(&a.title.replace('\'', "&#39;")),
            "{}",
            a.title
        );
        assert!(body.contains("<time datetime=\""));
        assert!(body.contains("application/ld+json"));
    }
    // Home, listings and the calendar are not articles.
    let base = &s.hosts()[2];
    for p in ["/", "/section/world", "/calendar", "/about"] {
        let (st, _, body) = get(&c, &format!("{base}{p}")).await;
        assert_eq!(st, 200, "{p}");
        assert!(!body.contains("<article"), "{p}");
    }
    // The log holds every request with its UA and status.
    let log = s.request_log();
    assert_eq!(log.len(), 45 + 3 + 4);
    assert!(log
        .iter()
        .all(|r| r.user_agent.as_deref() == Some("trawl-testsite-test/1")));
    assert_eq!(log.iter().filter(|r| r.status == 503).count(), 3);
    assert!(log.iter().all(|r| r.end >= r.at));
    s.shutdown().await;
}

#[tokio::test]
async fn redirects_flaky_and_aliases() {
    let s = site(10, None).await;
    let c = client();
    let expected = s.expected_articles();
    let base = s.hosts()[1].clone();
    let mut saw = std::collections::HashSet::new();
    for a in expected.iter().filter(|a| a.host_index == 1) {
        for alias in &a.aliases {
            let (st, _, body) = get(&c, alias).await;
            let path = &alias[base.len()..];
            let mut kind = path.split('/').nth(1).unwrap_or("").to_string();
            if path.starts_with("/news/") || kind.starts_with("article.php") {
                kind = format!("{}-redirect", path.rsplit('/').next().unwrap_or(""));
            }
            if kind == "s" || kind.ends_with("-redirect") {
                // Aliases feature: one 301 straight to the canonical URL.
                assert_eq!(st, 301, "{alias}");
                let r = c.get(alias).send().await.expect("request");
                assert_eq!(
                    r.headers().get("location").and_then(|v| v.to_str().ok()),
                    Some(a.canonical_url.as_str()),
                    "{alias}"
                );
                saw.insert(if kind == "s" {
                    kind
                } else if kind.starts_with("article.php") {
                    "legacy".to_string()
                } else {
                    kind
                });
                continue;
            }
            match kind.as_str() {
                "old" => {
                    assert_eq!(st, 301);
                    let r = c.get(alias).send().await.expect("request");
                    assert_eq!(
                        r.headers().get("location").and_then(|v| v.to_str().ok()),
                        Some(a.canonical_url.as_str())
                    );
                }
                "moved" => {
                    assert_eq!(st, 302);
                    // Two hops with a following client.
                    let follow = reqwest::Client::new();
                    let r = follow.get(alias).send().await.expect("request");
                    assert_eq!(r.status().as_u16(), 200);
                    assert_eq!(r.url().as_str(), a.canonical_url);
                }
                "print" => {
                    assert_eq!(st, 200);
                    assert!(body.contains(&format!(
                        "<link rel=\"canonical\" href=\"{}\">",
                        a.canonical_url
                    )));
                }
                "amp" => {
                    assert_eq!(st, 200);
                    assert!(body.contains("<article"));
                    assert!(!body.contains("rel=\"canonical\""));
                }
                other => panic!("unexpected alias kind {other}"),
            }
            saw.insert(kind);
        }
    }
    // old, moved, print, amp copies; short, legacy, print and AMP redirects.
    assert_eq!(saw.len(), 8, "{saw:?}");

    let flaky = expected
        .iter()
        .find(|a| a.host_index == 1 && a.canonical_url.contains("/flaky/"))
        .expect("a flaky article");
    let (st, _, _) = get(&c, &flaky.canonical_url).await;
    assert_eq!(st, 503);
    let r = c.get(&flaky.canonical_url).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 200);

    // Duplicate spellings reach the same page.
    let dup = format!("{}?utm_source=x&utm_medium=y", expected[3].canonical_url);
    let (st, _, body) = get(&c, &dup).await;
    assert_eq!(st, 200);
    assert!(body.contains(&expected[3].canonical_url));
    let padded = expected[3]
        .canonical_url
        .replacen("http://", "HTTP://", 1)
        .replacen(
            &format!(":{}", s.hosts()[0].rsplit(':').next().unwrap_or("")),
            &format!(":0{}", s.hosts()[0].rsplit(':').next().unwrap_or("")),
            1,
        );
    let (st, _, _) = get(&c, &padded).await;
    assert_eq!(st, 200, "{padded}");
    s.shutdown().await;
}

#[tokio::test]
async fn calendar_files_private_and_disallowed_log() {
    let s = site(5, Some(0.0)).await;
    let c = client();
    let base = &s.hosts()[0];
    let mut date = "2026-02-27".to_string();
    for _ in 0..5 {
        let (st, _, body) = get(&c, &format!("{base}/calendar?date={date}")).await;
        assert_eq!(st, 200);
        let next = body
            .split("rel=\"next\" href=\"/calendar?date=")
            .nth(1)
            .and_then(|r| r.get(..10))
            .expect("a next link")
            .to_string();
        assert!(next > date);
        date = next;
    }
    assert_eq!(date, "2026-03-04");
    let (st, _, _) = get(&c, &format!("{base}/calendar?date=2026-02-30")).await;
    assert_eq!(st, 400);

    let r = c
        .get(format!("{base}/files/report.pdf"))
        .send()
        .await
        .expect("pdf");
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.expect("body").starts_with(b"%PDF"));
    let r = c
        .get(format!("{base}/img/photo.jpg"))
        .send()
        .await
        .expect("jpg");
    assert_eq!(r.headers()["content-type"], "image/jpeg");

    let disallowed = s.disallowed_paths();
    assert_eq!(disallowed.len(), 3 * (1 + 5));
    assert!(disallowed.iter().all(|u| u.contains("/private/")));
    assert!(s.disallowed_requests().is_empty());
    // The first request to host 0 was not robots.txt.
    assert_eq!(s.robots_first_violations().len(), 1);
    let (st, _, _) = get(&c, &disallowed[0]).await;
    assert_eq!(st, 200);
    assert_eq!(s.disallowed_requests().len(), 1);
    s.shutdown().await;
}

#[tokio::test]
async fn politeness_checks_see_fast_and_slow_requests() {
    // A long delay, so that "immediately again" stays too soon even on a loaded machine.
    let s = site(5, Some(1.0)).await;
    let c = client();
    let base = &s.hosts()[2];
    get(&c, &format!("{base}/robots.txt")).await;
    tokio::time::sleep(Duration::from_millis(1050)).await;
    get(&c, &format!("{base}/")).await;
    assert!(s.robots_first_violations().is_empty());
    assert!(s.politeness_violations(Duration::ZERO).is_empty());
    // Immediately again: too soon.
    get(&c, &format!("{base}/section/world")).await;
    let v = s.politeness_violations(Duration::ZERO);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].contains("/section/world"));
    assert_eq!(s.max_in_flight_per_host(), 1);
    s.shutdown().await;
}

#[tokio::test]
async fn latency_is_applied_and_many_hosts_bind() {
    let s = TestSite::start(SiteSpec {
        hosts: 300,
        articles_per_host: 2,
        latency: Duration::from_millis(50),
        ..SiteSpec::default()
    })
    .await
    .expect("300 hosts");
    let hosts = s.hosts();
    assert_eq!(hosts.len(), 300);
    let distinct: std::collections::HashSet<_> = hosts.iter().collect();
    assert_eq!(distinct.len(), 300);
    let c = client();
    let t = std::time::Instant::now();
    let (st, _, _) = get(&c, &format!("{}/", hosts[299])).await;
    assert_eq!(st, 200);
    assert!(t.elapsed() >= Duration::from_millis(50));
    let log = s.request_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].host_index, 299);
    assert!(log[0].end.duration_since(log[0].at) >= Duration::from_millis(50));
    s.shutdown().await;
}

#[tokio::test]
async fn features_off_change_expectations() {
    let s = TestSite::start(SiteSpec {
        hosts: 2,
        articles_per_host: 8,
        features: Features::none(),
        crawl_delay: Some(1.0),
        ..SiteSpec::default()
    })
    .await
    .expect("site");
    assert!(s.disallowed_paths().is_empty());
    assert_eq!(s.seeds(), s.home_pages());
    // No robots.txt → no crawl delay in force.
    assert_eq!(s.crawl_delay_for(&s.hosts()[0]), Duration::ZERO);
    let expected = s.expected_articles();
    assert_eq!(expected.len(), 16);
    assert!(expected
        .iter()
        .all(|a| a.aliases.is_empty() && a.canonical_url.contains("/news/")));
    let c = client();
    let (st, _, _) = get(&c, &format!("{}/robots.txt", s.hosts()[0])).await;
    assert_eq!(st, 404);
    s.shutdown().await;
}

#[tokio::test]
async fn live_mode_publishes_and_conditional_get_answers_304() {
    let s = TestSite::start(SiteSpec {
        hosts: 2,
        articles_per_host: 6,
        publish_every: Some(Duration::from_millis(200)),
        ..SiteSpec::default()
    })
    .await
    .expect("site starts");
    let c = client();
    let feed = format!("{}/feed.xml", s.hosts()[0]);
    let r = c.get(&feed).send().await.expect("request");
    let etag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .expect("an ETag");
    // Poll (with a deadline) until both hosts have published two articles.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let p = s.publications();
        if (0..2).all(|h| p.iter().filter(|x| x.host_index == h).count() >= 2) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no publications: {p:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let p = s.publications();
    assert!(p
        .windows(2)
        .all(|w| w[0].published_unix_ms <= w[1].published_unix_ms));
    let newest = p.iter().rfind(|x| x.host_index == 0).expect("host 0");
    assert!(newest.index >= 7);
    let (st, _, body) = get(&c, &feed).await;
    assert_eq!(st, 200);
    assert!(body.contains(&newest.canonical_url));
    let (st, _, _) = get(&c, &newest.canonical_url).await;
    assert_eq!(st, 200);
    assert!(s
        .expected_articles()
        .iter()
        .any(|a| a.canonical_url == newest.canonical_url));
    // The feed changed since the first ETag: 200; unchanged: 304.
    let r = c
        .get(&feed)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let about = format!("{}/about", s.hosts()[0]);
    let r = c.get(&about).send().await.expect("request");
    let tag = r.headers().get("etag").cloned().expect("etag");
    let r = c
        .get(&about)
        .header("if-none-match", tag)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 304);
    assert!(r.text().await.unwrap_or_default().is_empty());
    s.shutdown().await;
}
