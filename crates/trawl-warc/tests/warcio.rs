//! Every kind of record trawl writes (including both revisit profiles, truncated and decoded
//! payloads, a metadata record without a response) passes `warcio check`, the reference
//! reader's digest and format check. Runs when `TRAWL_WARCIO_VENV` names a virtualenv with
//! warcio (`scripts/test.sh` makes one); otherwise prints SKIPPED (the e2e test in
//! `tests/e2e/warc.rs` installs warcio itself and covers crawl-made archives).

use std::process::Command;
use std::sync::Arc;

use bytes::Bytes;
use chrono::Utc;
use trawl_warc::{
    FetchCapture, FetchMetadata, HttpExchange, NoEvents, Truncation, WarcWriter, WriterConfig,
};

fn exchange(url: &str, status: u16, headers: &[(&str, &str)], payload: &[u8]) -> HttpExchange {
    HttpExchange {
        url: url.into(),
        method: "GET".into(),
        version: "HTTP/1.1".into(),
        request_headers: vec![("Host".into(), b"a.test".to_vec())],
        status,
        reason: "X".into(),
        response_headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect(),
        payload: Bytes::copy_from_slice(payload),
        decoded: false,
        truncated: None,
        ip: Some("127.0.0.1".parse().unwrap()),
        date: Utc::now(),
    }
}

#[test]
fn warcio_checks_every_record_kind() {
    let Ok(venv) = std::env::var("TRAWL_WARCIO_VENV") else {
        eprintln!("SKIPPED: TRAWL_WARCIO_VENV not set (scripts/test.sh sets it)");
        return;
    };
    let warcio = std::path::Path::new(&venv).join("bin/warcio");
    if !warcio.exists() {
        eprintln!("SKIPPED: {} missing", warcio.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::new(WriterConfig::new(dir.path()), Arc::new(NoEvents)).unwrap();
    let html = b"<html><body>same payload twice</body></html>";
    let mut gz = exchange(
        "http://a.test/gz",
        200,
        &[
            ("content-type", "text/html"),
            ("content-encoding", "gzip"),
            ("content-length", "31"),
        ],
        html,
    );
    gz.decoded = true;
    let mut chunked = exchange(
        "http://a.test/ch",
        200,
        &[("transfer-encoding", "chunked")],
        b"abc",
    );
    chunked.truncated = None;
    let mut cut = exchange(
        "http://a.test/big",
        200,
        &[("content-length", "999999")],
        b"partial",
    );
    cut.truncated = Some(Truncation::Length);
    let captures = vec![
        vec![gz],
        vec![exchange(
            "http://a.test/copy",
            200,
            &[("content-type", "text/html")],
            html,
        )],
        vec![exchange("http://a.test/nm", 304, &[("etag", "\"x\"")], b"")],
        vec![
            exchange("http://a.test/old", 301, &[("location", "/new")], b"moved"),
            chunked,
        ],
        vec![cut],
        vec![],
    ];
    for ex in captures {
        w.write(&FetchCapture {
            exchanges: ex,
            metadata: Some(FetchMetadata {
                url: "http://a.test/task".into(),
                date: Utc::now(),
                fields: vec![("fetchOutcome".into(), "ok".into())],
                outlinks: vec!["http://a.test/x".into()],
            }),
        })
        .unwrap();
    }
    w.finish().unwrap();
    let file = &w.closed_files()[0];
    let out = Command::new(&warcio)
        .args(["check", "-v"])
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "warcio check failed:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("revisit"), "{text}");
}
