//! `trawl crawl --warc` over the local test site, checked by a reader no one here wrote
//! (`warcio check` / `warcio index` / warcio's ArchiveIterator), against what the site served
//! byte for byte, and read back by `trawl extract --warc` (also cut short, as by SIGKILL).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use trawl_e2e::kit::{embedded_crawl, EmbeddedCrawl};
use trawl_e2e::{read_articles, run_bounded, trawl_bin, warcio_python};
use trawl_testsite::{SiteSpec, TestSite};
use trawl_warc::{parse_response, WarcReader};

fn sha1_hex(data: &[u8]) -> String {
    let mut h = sha1_smol::Sha1::new();
    h.update(data);
    h.digest().to_string()
}

fn files_with(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

/// `warc_record_id`-carrying lines of `trawl extract --warc FILE`, its exit status and stderr.
fn extract_warc(file: &Path) -> (Vec<serde_json::Value>, Option<i32>, String) {
    let (out, timed_out) = run_bounded(
        Command::new(trawl_bin())
            .args(["extract", "--warc"])
            .arg(file),
        Duration::from_secs(60),
    );
    assert!(!timed_out, "trawl extract --warc timed out");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    (
        lines,
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `warcio` command of the test virtualenv, when warcio could be installed.
fn warcio() -> Option<PathBuf> {
    warcio_python().map(|py| py.with_file_name("warcio"))
}

/// `warcio check -v FILES` passes.
fn assert_warcio_check(warcio: &Path, files: &[PathBuf]) {
    let (o, _) = run_bounded(
        Command::new(warcio).args(["check", "-v"]).args(files),
        Duration::from_secs(60),
    );
    assert!(
        o.status.success(),
        "warcio check failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Distance of two hex `content_fingerprint`s (unparseable ones count as far apart).
fn hamming(a: &str, b: &str) -> u32 {
    let a = u64::from_str_radix(a, 16).unwrap_or(0);
    let b = u64::from_str_radix(b, 16).unwrap_or(u64::MAX);
    trawl_core::id::hamming(a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_archive_is_valid_complete_byte_exact_and_re_extractable() {
    let site = TestSite::start(SiteSpec {
        hosts: 2,
        articles_per_host: 8,
        crawl_delay: Some(0.02),
        ..SiteSpec::default()
    })
    .await
    .expect("test site");
    let dir = tempfile::tempdir().unwrap();
    let warc_dir = dir.path().join("warc");
    let warc_arg = warc_dir.display().to_string();
    let EmbeddedCrawl {
        summary,
        stderr,
        out,
    } = embedded_crawl(
        &site.seeds(),
        dir.path(),
        &[
            "--delay",
            "20ms",
            "--workers",
            "4",
            "--max-time",
            "120s",
            "--warc",
            &warc_arg,
            "--warc-prefix",
            "e2e-warc",
            "--warc-max-file-bytes",
            "120000",
        ],
    )
    .await;
    assert_eq!(summary["reason"], "drained", "{summary}\n{stderr}");

    // Closed files only, each with its index; rotation made several.
    let files = files_with(&warc_dir, ".warc.gz");
    assert!(
        files_with(&warc_dir, ".open").is_empty(),
        "no file left open"
    );
    assert!(files.len() >= 2, "rotated by size: {files:?}");
    assert_eq!(
        summary["warc_files"].as_array().map(Vec::len),
        Some(files.len())
    );
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("e2e-warc-"), "{name}");
        assert!(
            PathBuf::from(format!("{}.cdxj", f.display())).exists(),
            "{name} has its .cdxj"
        );
    }

    // Our own reader: one request + one response/revisit per request the site received.
    let mut exchanges = 0usize;
    let mut payloads: Vec<(String, u16, Vec<u8>)> = Vec::new();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for f in &files {
        for r in WarcReader::open(f).unwrap() {
            let r = r.unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert_eq!(r.version, "WARC/1.1");
            let kind = r.kind().unwrap().to_string();
            *kinds.entry(kind.clone()).or_default() += 1;
            if kind == "response" || kind == "revisit" {
                exchanges += 1;
            }
            if kind == "response" {
                let uri = r.header("WARC-Target-URI").unwrap().to_string();
                let http = parse_response(r.block.as_ref().unwrap()).expect("an HTTP response");
                payloads.push((uri, http.status, http.payload.to_vec()));
            }
        }
    }
    assert_eq!(
        kinds["warcinfo"],
        files.len(),
        "one warcinfo per file: {kinds:?}"
    );
    assert_eq!(kinds["request"], exchanges, "{kinds:?}");
    assert_eq!(
        exchanges,
        site.request_count(),
        "every HTTP exchange the site saw is archived: {kinds:?}"
    );
    assert!(
        kinds["metadata"]
            >= summary["summary"]["fetched"]
                .as_object()
                .map_or(0, |m| m.len())
    );
    let uris: HashSet<&str> = payloads.iter().map(|(u, _, _)| u.as_str()).collect();
    for kind in ["/robots.txt", "/sitemap.xml", "/feed.xml", "/news/"] {
        assert!(uris.iter().any(|u| u.contains(kind)), "{kind} archived");
    }

    // Byte for byte what the site served.
    let mut compared = 0;
    let mut served_sha1: HashMap<String, String> = HashMap::new();
    for (uri, status, payload) in &payloads {
        let (want_status, want) = site.render(uri).expect("a URL of the site");
        if *status == 200 && want_status == 200 {
            assert_eq!(
                payload, &want,
                "payload of {uri} differs from what was served"
            );
            served_sha1.insert(uri.clone(), sha1_hex(&want));
            compared += 1;
        }
    }
    assert!(compared >= 20, "compared {compared} payloads");

    // A reader no one here wrote.
    match warcio_python() {
        None => eprintln!(
            "SKIPPED: warcio not installable; the archive was checked by trawl's reader only"
        ),
        Some(py) => {
            let warcio = py.with_file_name("warcio");
            assert_warcio_check(&warcio, &files);
            for f in &files {
                // warcio index's offsets and lengths of responses and revisits = our CDXJ's.
                let (o, _) = run_bounded(
                    Command::new(&warcio)
                        .args(["index", "-f", "warc-type,warc-target-uri,offset,length"])
                        .arg(f),
                    Duration::from_secs(60),
                );
                assert!(o.status.success(), "warcio index {}", f.display());
                let theirs: HashSet<(String, String, String)> = String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
                    .filter(|v| v["warc-type"] == "response" || v["warc-type"] == "revisit")
                    .map(|v| {
                        (
                            v["warc-target-uri"].as_str().unwrap().to_string(),
                            v["offset"].as_str().unwrap().to_string(),
                            v["length"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect();
                let ours: HashSet<(String, String, String)> =
                    std::fs::read_to_string(format!("{}.cdxj", f.display()))
                        .unwrap()
                        .lines()
                        .map(|l| {
                            let json: serde_json::Value =
                                serde_json::from_str(l.splitn(3, ' ').nth(2).unwrap()).unwrap();
                            (
                                json["url"].as_str().unwrap().to_string(),
                                json["offset"].as_str().unwrap().to_string(),
                                json["length"].as_str().unwrap().to_string(),
                            )
                        })
                        .collect();
                assert!(!ours.is_empty());
                assert_eq!(theirs, ours, "CDXJ of {} vs warcio index", f.display());
            }
            // warcio's own payload reading = what the site served.
            let script = "import sys, json, hashlib\n\
                from warcio.archiveiterator import ArchiveIterator\n\
                for p in sys.argv[1:]:\n\
                \x20   with open(p, 'rb') as fh:\n\
                \x20       for r in ArchiveIterator(fh):\n\
                \x20           if r.rec_type == 'response':\n\
                \x20               body = r.content_stream().read()\n\
                \x20               print(json.dumps({'uri': r.rec_headers.get_header('WARC-Target-URI'), 'status': r.http_headers.get_statuscode(), 'sha1': hashlib.sha1(body).hexdigest()}))\n";
            let (o, _) = run_bounded(
                Command::new(&py).args(["-c", script]).args(&files),
                Duration::from_secs(60),
            );
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let mut checked = 0;
            for l in String::from_utf8_lossy(&o.stdout).lines() {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                if v["status"] != "200" {
                    continue;
                }
                if let Some(want) = served_sha1.get(v["uri"].as_str().unwrap()) {
                    assert_eq!(
                        v["sha1"].as_str(),
                        Some(want.as_str()),
                        "warcio payload of {}",
                        v["uri"]
                    );
                    checked += 1;
                }
            }
            assert!(
                checked >= compared,
                "warcio read {checked} of {compared} payloads"
            );
        }
    }

    // `trawl extract --warc` gives back the crawl's articles.
    let crawled = read_articles(&out);
    assert!(!crawled.is_empty());
    let mut extracted: Vec<serde_json::Value> = Vec::new();
    for f in &files {
        let (lines, code, err) = extract_warc(f);
        assert_eq!(code, Some(0), "{err}");
        extracted.extend(lines);
    }
    assert!(extracted.iter().all(|a| a["warc_record_id"]
        .as_str()
        .is_some_and(|s| s.starts_with("<urn:uuid:"))));
    let by_id: HashMap<&str, Vec<&serde_json::Value>> =
        extracted.iter().fold(HashMap::new(), |mut m, a| {
            m.entry(a["id"].as_str().unwrap()).or_default().push(a);
            m
        });
    for a in &crawled {
        let id = a["id"].as_str().unwrap();
        let same = by_id
            .get(id)
            .and_then(|v| v.iter().find(|e| e["url"] == a["url"]))
            .unwrap_or_else(|| {
                panic!(
                    "crawled article {} not extracted from the archive",
                    a["url"]
                )
            });
        for (k, v) in a.as_object().unwrap() {
            if k != "fetched_at" {
                assert_eq!(&same[k], v, "field {k} of {}", a["url"]);
            }
        }
    }
    // Articles in the archive that the crawl did not emit are the near-duplicates it
    // suppressed (aliases, AMP/print copies): the same id, or a SimHash within 3 bits.
    let crawled_fp: Vec<&str> = crawled
        .iter()
        .map(|a| a["content_fingerprint"].as_str().unwrap())
        .collect();
    let crawled_ids: HashSet<&str> = crawled.iter().map(|a| a["id"].as_str().unwrap()).collect();
    for e in extracted.iter().filter(|e| e["is_article"] == true) {
        let fp = e["content_fingerprint"].as_str().unwrap();
        assert!(
            crawled_ids.contains(e["id"].as_str().unwrap())
                || crawled_fp.iter().any(|c| hamming(c, fp) <= 3),
            "article {} in the archive is neither emitted nor a near-duplicate",
            e["url"]
        );
    }

    // A file cut mid-record (as SIGKILL leaves a `.open` file): every complete record is
    // still extracted, the damage is reported, exit code 2, no panic.
    let whole = std::fs::read(&files[0]).unwrap();
    let (full, _, _) = extract_warc(&files[0]);
    let cut = dir.path().join("cut.warc.gz.open");
    std::fs::write(&cut, &whole[..whole.len() * 2 / 3]).unwrap();
    let (partial, code, err) = extract_warc(&cut);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cut short"), "{err}");
    assert!(!partial.is_empty() && partial.len() <= full.len());
    assert_eq!(
        &full[..partial.len()],
        &partial[..],
        "same records up to the cut"
    );
    site.shutdown().await;
}

/// A `--follow` crawl re-polls its seeds and feeds with the validators of the last fetch; the site
/// answers `304 Not Modified`, and the archive holds a `revisit` record (profile
/// server-not-modified) that refers to the earlier response of the same URL, which readers
/// (warcio) accept and `trawl extract --warc` does not mistake for a page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_re_poll_answered_304_is_archived_as_a_not_modified_revisit() {
    let mut spec = SiteSpec {
        hosts: 1,
        articles_per_host: 4,
        crawl_delay: Some(0.02),
        ..SiteSpec::default()
    };
    spec.features.conditional_get = true;
    spec.features.flaky = false;
    let site = TestSite::start(spec).await.expect("test site");
    let dir = tempfile::tempdir().unwrap();
    let warc_dir = dir.path().join("warc");
    let warc_arg = warc_dir.display().to_string();
    let EmbeddedCrawl {
        summary, stderr, ..
    } = embedded_crawl(
        &site.seeds(),
        dir.path(),
        &[
            "--delay",
            "20ms",
            "--workers",
            "2",
            "--follow",
            "--poll-interval",
            "1s",
            "--poll-min",
            "1s",
            "--update-checks",
            "0",
            "--max-time",
            "12s",
            "--warc",
            &warc_arg,
        ],
    )
    .await;
    assert_eq!(summary["reason"], "max-time", "{summary}\n{stderr}");
    let files = files_with(&warc_dir, ".warc.gz");
    assert!(!files.is_empty(), "{stderr}");

    // (WARC-Target-URI, record id) of responses; revisits with their references.
    let mut responses: HashMap<String, Vec<String>> = HashMap::new();
    let mut not_modified = Vec::new();
    for f in &files {
        for r in WarcReader::open(f).unwrap() {
            let r = r.unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let uri = r.header("WARC-Target-URI").unwrap_or_default().to_string();
            match r.kind() {
                Some("response") => responses
                    .entry(uri)
                    .or_default()
                    .push(r.header("WARC-Record-ID").unwrap().to_string()),
                Some("revisit")
                    if r.header("WARC-Profile")
                        .is_some_and(|p| p.ends_with("/revisit/server-not-modified")) =>
                {
                    let http = parse_response(r.block.as_ref().unwrap()).expect("HTTP head");
                    assert_eq!(http.status, 304, "{uri}");
                    not_modified.push((uri, r.header("WARC-Refers-To").map(str::to_string)));
                }
                _ => {}
            }
        }
    }
    assert!(
        !not_modified.is_empty(),
        "a re-poll within 12 s answered 304 and was archived as a revisit; responses: {:?}",
        responses.keys().collect::<Vec<_>>()
    );
    // Each refers to the earlier response of its URL (one writer here: it archived them all).
    for (uri, refers_to) in &not_modified {
        let earlier = responses
            .get(uri)
            .unwrap_or_else(|| panic!("{uri}: a revisit without an earlier response"));
        let id = refers_to
            .as_ref()
            .unwrap_or_else(|| panic!("{uri}: no WARC-Refers-To"));
        assert!(
            earlier.contains(id),
            "{uri} refers to {id}, not {earlier:?}"
        );
    }

    if let Some(warcio) = warcio() {
        assert_warcio_check(&warcio, &files);
    } else {
        eprintln!("SKIPPED: warcio not installable; checked by trawl's reader only");
    }
    // Re-extraction reads responses only: no record comes from a revisit.
    for f in &files {
        let (lines, code, err) = extract_warc(f);
        assert_eq!(code, Some(0), "{err}");
        for l in lines {
            let id = l["warc_record_id"].as_str().unwrap_or_default().to_string();
            assert!(
                responses.values().any(|ids| ids.contains(&id)),
                "{id} is a response record"
            );
        }
    }
}
