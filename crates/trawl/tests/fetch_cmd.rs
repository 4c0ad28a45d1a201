//! `trawl fetch` end to end against a tiny local server (std only): JSON on stdout, exit codes.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

const PAGE: &str = "<html><head><title>Local news</title></head><body><article>\
<h1>Harbour reopens</h1><p>The harbour reopened on Monday after repairs that took three \
months, the port authority said in a statement.</p></article></body></html>";

/// Serves robots.txt (disallowing /private) and PAGE for everything else; one thread.
fn serve() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut line = String::new();
            if r.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).map(|n| n == 0).unwrap_or(true) || h == "\r\n" {
                    break;
                }
            }
            let (ct, body) = if line.starts_with("GET /robots.txt") {
                (
                    "text/plain",
                    "User-agent: *\nDisallow: /private\n".to_string(),
                )
            } else {
                ("text/html", PAGE.to_string())
            };
            let mut s = s;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

fn trawl_fetch(args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_trawl"))
        .arg("fetch")
        .args(args)
        .args(["--timeout", "5", "--compact"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

#[test]
fn fetch_prints_outcome_robots_and_article() {
    let port = serve();
    let url = format!("http://127.0.0.1:{port}/news/harbour");
    // Without the allow-list the SSRF guard refuses loopback.
    let (code, j) = trawl_fetch(&[&url]);
    assert_eq!(code, 2);
    assert_eq!(j["outcome"], "blocked_address");

    let (code, j) = trawl_fetch(&[&url, "--allow-cidr", "127.0.0.0/8"]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["outcome"], "ok");
    assert_eq!(j["status"], 200);
    assert_eq!(j["robots"], "fetched");
    assert_eq!(j["robots_decision"]["allowed"], true);
    assert!(j["elapsed_seconds"].as_f64().unwrap() > 0.0);
    let body = j["article"]["body"].as_str().unwrap_or_default();
    assert!(body.contains("harbour reopened"), "{}", j["article"]);

    let private = format!("http://127.0.0.1:{port}/private/x");
    let (code, j) = trawl_fetch(&[&private, "--allow-cidr", "127.0.0.0/8"]);
    assert_eq!(code, 2);
    assert_eq!(j["outcome"], "robots_denied");
    assert!(j["article"].is_null());
    let (code, j) = trawl_fetch(&[
        &private,
        "--allow-cidr",
        "127.0.0.0/8",
        "--no-robots",
        "--no-extract",
    ]);
    assert_eq!(code, 0);
    assert_eq!(j["outcome"], "ok");
    assert!(j["robots"].is_null());
}
