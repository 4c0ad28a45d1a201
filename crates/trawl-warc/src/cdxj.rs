//! CDXJ index lines (the pywb / `warcio index` / `cdxj-indexer` layout). Pure (no I/O).
//!
//! `SURT-key 14-digit-timestamp {"url":…,"mime":…,"status":…,"digest":…,"length":…,"offset":…,"filename":…}`
//! with `length` the compressed size of the record's gzip member and `offset` where it
//! starts in the file.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::capture::IndexInfo;
use crate::record::timestamp14;

/// One CDXJ line's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdxjEntry {
    pub url: String,
    pub date: DateTime<Utc>,
    pub mime: String,
    pub status: Option<u16>,
    pub digest: Option<String>,
    pub length: u64,
    pub offset: u64,
    pub filename: String,
}

#[derive(Serialize)]
struct Json<'a> {
    url: &'a str,
    mime: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<&'a str>,
    length: String,
    offset: String,
    filename: &'a str,
}

impl CdxjEntry {
    pub fn new(info: &IndexInfo, length: u64, offset: u64, filename: &str) -> CdxjEntry {
        CdxjEntry {
            url: info.url.clone(),
            date: info.date,
            mime: info.mime.clone(),
            status: info.status,
            digest: info.digest.clone(),
            length,
            offset,
            filename: filename.to_string(),
        }
    }

    /// The line, without the newline. Numbers are strings, as pywb writes them.
    pub fn line(&self) -> String {
        let json = Json {
            url: &self.url,
            mime: &self.mime,
            status: self.status.map(|s| s.to_string()),
            digest: self.digest.as_deref(),
            length: self.length.to_string(),
            offset: self.offset.to_string(),
            filename: &self.filename,
        };
        let body = serde_json::to_string(&json).unwrap_or_else(|_| "{}".to_string());
        format!("{} {} {}", surt(&self.url), timestamp14(self.date), body)
    }
}

/// The SURT form of a URL used as the CDXJ sort key, as the Python `surt` package makes it
/// by default: scheme and `www.` dropped, host labels reversed and comma-joined (IP
/// IPv4 addresses reversed too), a non-default port kept, `)` before the path, query
/// arguments sorted, fragment dropped, all lowercased. A string that is not a URL is
/// lowercased as is.
pub fn surt(url: &str) -> String {
    let Ok(u) = url::Url::parse(url) else {
        return url.to_ascii_lowercase();
    };
    let mut host = match u.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            let d = strip_www(&d);
            let mut labels: Vec<&str> = d.split('.').collect();
            labels.reverse();
            labels.join(",")
        }
        Some(url::Host::Ipv4(ip)) => {
            // Reversed like a host name, as the surt package does by default.
            let mut octets: Vec<String> = ip.octets().iter().map(u8::to_string).collect();
            octets.reverse();
            octets.join(",")
        }
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        None => String::new(),
    };
    if let Some(p) = u.port() {
        host.push_str(&format!(":{p}"));
    }
    let mut out = host;
    out.push(')');
    out.push_str(&u.path().to_ascii_lowercase());
    if let Some(q) = u.query() {
        let mut args: Vec<&str> = q.split('&').filter(|a| !a.is_empty()).collect();
        args.sort_unstable();
        if !args.is_empty() {
            out.push('?');
            out.push_str(&args.join("&").to_ascii_lowercase());
        }
    }
    out
}

fn strip_www(host: &str) -> &str {
    // `www.`, `www1.`, `www23.` …, as the surt package does (not when it is the whole host).
    if let Some(rest) = host.strip_prefix("www") {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if let Some(after) = rest[digits..].strip_prefix('.') {
            if !after.is_empty() {
                return after;
            }
        }
    }
    host
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn surt_keys() {
        assert_eq!(
            surt("http://www.Example.com/A/b?z=1&a=2#x"),
            "com,example)/a/b?a=2&z=1"
        );
        assert_eq!(surt("https://news.example.co.uk/"), "uk,co,example,news)/");
        assert_eq!(
            surt("http://127.0.0.2:8080/robots.txt"),
            "2,0,0,127:8080)/robots.txt"
        );
        assert_eq!(surt("http://www2.example.com:80/"), "com,example)/");
        assert_eq!(surt("http://www.com/"), "com)/");
        assert_eq!(surt("http://example.com/a?b&a=1"), "com,example)/a?a=1&b");
        assert_eq!(surt("not a url"), "not a url");
    }

    #[test]
    fn line_layout() {
        let e = CdxjEntry {
            url: "http://example.com/".into(),
            date: Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap(),
            mime: "text/html".into(),
            status: Some(200),
            digest: Some("sha1:ABC".into()),
            length: 123,
            offset: 456,
            filename: "f.warc.gz".into(),
        };
        assert_eq!(
            e.line(),
            "com,example)/ 20240102030405 {\"url\":\"http://example.com/\",\"mime\":\"text/html\",\
             \"status\":\"200\",\"digest\":\"sha1:ABC\",\"length\":\"123\",\"offset\":\"456\",\
             \"filename\":\"f.warc.gz\"}"
        );
    }
}
