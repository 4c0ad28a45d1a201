//! `trawl extract` end to end: the built binary over the extractor's fixture
//! directory (copied beside a bad file), a single file, stdin, and bad arguments.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../trawl-extract/tests/fixtures")
}

fn trawl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trawl"))
}

#[test]
fn directory_with_a_bad_file_goes_on_and_keeps_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    // Binary garbage with an .html name.
    std::fs::write(
        dir.path().join("broken.html"),
        [0u8, 159, 146, 150, 0, 1, 2, 255].repeat(100),
    )
    .unwrap();
    names.push("broken.html".into());
    names.sort();

    let out = trawl().arg("extract").arg(dir.path()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // jsonl by default for a directory: one line per good input, sorted by name.
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let inputs: Vec<&str> = records
        .iter()
        .map(|r| r["input"].as_str().unwrap())
        .collect();
    let good: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| *n != "broken.html")
        .collect();
    assert_eq!(inputs, good);
    let tass = records
        .iter()
        .find(|r| r["input"] == "tass-kim-jong-un.html")
        .unwrap();
    assert_eq!(
        tass["title"],
        "Consultations on Kim Jong-un’s visit to Russia underway — Kremlin"
    );
    assert_eq!(tass["published_at"], "2018-10-08T13:43:00+03:00");
    // The page's canonical link is its URL when --url is not given.
    assert_eq!(tass["url"], "http://tass.com/politics/1024890");
    assert_eq!(tass["schema_version"], 1);
    // The bad file is named on stderr and counted.
    assert!(stderr.contains("broken.html"), "{stderr}");
    assert!(
        stderr.contains(&format!("{} inputs, {} extracted", names.len(), good.len()))
            && stderr.contains("1 failed"),
        "{stderr}"
    );
}

#[test]
fn single_file_is_pretty_json_and_url_flag_applies() {
    let out = trawl()
        .args(["extract", "--url", "https://mirror.example/p/1"])
        .arg(fixtures().join("listing-world-news.html"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("{\n"), "pretty JSON for one file");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["url"], "https://mirror.example/p/1");
    assert_eq!(v["is_article"], false);
    assert!(v["input"]
        .as_str()
        .unwrap()
        .ends_with("listing-world-news.html"));
}

/// Run `cmd` with `input` on stdin; its output (stdout and stderr captured).
fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn stdin_and_jsonl_and_default_url() {
    let out = run_with_stdin(
        trawl().args(["extract", "-", "--format", "jsonl"]),
        b"<html><head><title>Hello</title></head><body><a href='/x'>x</a></body></html>",
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["input"], "-");
    assert_eq!(v["url"], "http://localhost/stdin");
    assert_eq!(v["links"][0], "http://localhost/x");
}

#[test]
fn nothing_processed_or_bad_arguments_fail() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.bin"), [0u8; 64]).unwrap();
    let out = trawl().arg("extract").arg(dir.path()).output().unwrap();
    assert!(!out.status.success(), "only failures: non-zero exit");
    assert!(String::from_utf8_lossy(&out.stderr).contains("a.bin"));

    let out = trawl()
        .args(["extract", "/nonexistent/path/x.html"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = trawl()
        .args(["extract", "x", "--format", "xml"])
        .output()
        .unwrap();
    assert!(!out.status.success());

    let big = dir.path().join("big.html");
    std::fs::write(&big, "<p>hello</p>".repeat(100)).unwrap();
    let out = trawl()
        .args(["extract", "--max-bytes", "100"])
        .arg(&big)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("max-bytes"));
}

#[test]
fn parser_recovery_warnings_are_not_shown_at_the_default_level() {
    // A row's text outside its cell makes html5ever "foster parent" it and log a warning.
    let page = "<html><body><table><tr>stray<p>text</p></tr></table>\
                <article><p>Some words in a paragraph.</p></article></body></html>";
    let quiet = |cmd: &mut Command| {
        let out = run_with_stdin(
            cmd.args(["extract", "-", "--url", "https://x.example/a"]),
            page.as_bytes(),
        );
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let default = quiet(trawl().env_remove("TRAWL_LOG"));
    assert!(!default.contains("foster parenting"), "{default}");
    // Still there for whoever asks for them.
    let asked = quiet(trawl().env("TRAWL_LOG", "info,html5ever=warn"));
    assert!(asked.contains("foster parenting"), "{asked}");
}
