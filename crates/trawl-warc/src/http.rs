//! HTTP exchanges as the fetcher saw them, and their WARC header blocks. Pure (no I/O).
//!
//! The payload kept is the *decoded* entity body (what the extractor read). When the
//! server sent it compressed or chunked, the archived header block says so honestly but
//! without claiming the stored bytes are still encoded: `Content-Encoding`,
//! `Transfer-Encoding` and a mismatching `Content-Length` are renamed to
//! `X-Crawler-Content-Encoding`, `X-Crawler-Transfer-Encoding` and
//! `X-Crawler-Content-Length`, and a `Content-Length` of the stored payload is added (the
//! StormCrawler / Heritrix-style convention; see `docs/warc.md`).

use std::net::IpAddr;

use bytes::Bytes;
use chrono::{DateTime, Utc};

/// Why a stored payload is shorter than what the server sent (`WARC-Truncated`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truncation {
    /// Cut at a size limit (`length`).
    Length,
    /// Cut by a timeout (`time`).
    Time,
    /// The connection broke (`disconnect`).
    Disconnect,
    /// Not read, for another reason: a refused Content-Type, an error status (`unspecified`).
    Unspecified,
}

impl Truncation {
    pub fn as_str(self) -> &'static str {
        match self {
            Truncation::Length => "length",
            Truncation::Time => "time",
            Truncation::Disconnect => "disconnect",
            Truncation::Unspecified => "unspecified",
        }
    }
}

/// One HTTP request and the response it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpExchange {
    /// The request URL (`WARC-Target-URI`).
    pub url: String,
    pub method: String,
    /// `HTTP/1.1`, `HTTP/2`, … as used on the connection.
    pub version: String,
    /// Request header fields as sent (including `Host`).
    pub request_headers: Vec<(String, Vec<u8>)>,
    pub status: u16,
    /// Reason phrase of the status line (the canonical one when the server's is not known).
    pub reason: String,
    /// Response header fields as received, in order.
    pub response_headers: Vec<(String, Vec<u8>)>,
    /// The entity body, after removing chunked framing and (when `decoded`) content coding.
    pub payload: Bytes,
    /// Whether a `Content-Encoding` was undone to produce `payload`.
    pub decoded: bool,
    pub truncated: Option<Truncation>,
    /// The server's address, when known (`WARC-IP-Address`).
    pub ip: Option<IpAddr>,
    /// When the request was sent (`WARC-Date` of both records).
    pub date: DateTime<Utc>,
}

impl HttpExchange {
    /// The value of the first response header `name` (ASCII case-insensitive), lossily as text.
    pub fn response_header(&self, name: &str) -> Option<String> {
        self.response_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_string())
    }

    /// `path?query` of the target URL (the request-target of the request line).
    fn request_target(&self) -> String {
        match url::Url::parse(&self.url) {
            Ok(u) => {
                let mut t = u.path().to_string();
                if let Some(q) = u.query() {
                    t.push('?');
                    t.push_str(q);
                }
                t
            }
            Err(_) => "/".to_string(),
        }
    }

    /// The request block: request line and header fields as sent, blank line, no body.
    pub fn request_block(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(
            format!(
                "{} {} {}\r\n",
                clean_token(&self.method),
                clean_line(&self.request_target()),
                clean_token(&self.version)
            )
            .as_bytes(),
        );
        for (n, v) in &self.request_headers {
            push_header(&mut out, n, v);
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    /// The response header part: status line, the header fields as received (renamed as
    /// described in the module docs when the stored payload differs from the bytes on the
    /// wire), blank line. The block of a response record is this followed by `payload`.
    pub fn response_head(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(
            format!(
                "{} {} {}\r\n",
                clean_token(&self.version),
                self.status,
                clean_line(&self.reason)
            )
            .as_bytes(),
        );
        let len = self.payload.len().to_string();
        let mut renamed = false;
        let mut length_ok = false;
        for (n, v) in &self.response_headers {
            let lower = n.to_ascii_lowercase();
            let name = match lower.as_str() {
                "content-encoding" if self.decoded => {
                    renamed = true;
                    "X-Crawler-Content-Encoding"
                }
                "transfer-encoding" => {
                    renamed = true;
                    "X-Crawler-Transfer-Encoding"
                }
                "content-length" => {
                    if String::from_utf8_lossy(v).trim() == len && !length_ok {
                        length_ok = true;
                        n.as_str()
                    } else {
                        renamed = true;
                        "X-Crawler-Content-Length"
                    }
                }
                _ => n.as_str(),
            };
            push_header(&mut out, name, v);
        }
        if renamed && !length_ok {
            push_header(&mut out, "Content-Length", len.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

fn push_header(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(clean_token(name).as_bytes());
    out.extend_from_slice(b": ");
    // Header values may carry obs-text (non-UTF-8 bytes): kept as they came, minus CR/LF.
    out.extend(
        value
            .iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
    out.extend_from_slice(b"\r\n");
}

fn clean_token(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic() && *c != ':')
        .collect()
}

fn clean_line(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect()
}

/// A parsed HTTP response block (for reading archives).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedResponse<'a> {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub payload: &'a [u8],
}

impl ParsedResponse<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Split an `application/http;msgtype=response` block into status, headers and payload.
/// `None` when it is not an HTTP response.
pub fn parse_response(block: &[u8]) -> Option<ParsedResponse<'_>> {
    let end = find(block, b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| find(block, b"\n\n").map(|i| (i, i + 2)))?;
    let head = String::from_utf8_lossy(&block[..end.0]);
    let mut lines = head.split('\n').map(|l| l.trim_end_matches('\r'));
    let status_line = lines.next()?;
    let mut parts = status_line.splitn(3, ' ');
    let proto = parts.next()?;
    if !proto.starts_with("HTTP/") {
        return None;
    }
    let status: u16 = parts.next()?.trim().parse().ok()?;
    let headers = lines
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            Some((n.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    Some(ParsedResponse {
        status,
        headers,
        payload: &block[end.1..],
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn exchange(url: &str, payload: &[u8]) -> HttpExchange {
        HttpExchange {
            url: url.into(),
            method: "GET".into(),
            version: "HTTP/1.1".into(),
            request_headers: vec![
                ("Host".into(), b"a.test".to_vec()),
                ("User-Agent".into(), b"trawl/0.1".to_vec()),
            ],
            status: 200,
            reason: "OK".into(),
            response_headers: vec![
                ("Content-Type".into(), b"text/html; charset=utf-8".to_vec()),
                (
                    "Content-Length".into(),
                    payload.len().to_string().into_bytes(),
                ),
            ],
            payload: Bytes::copy_from_slice(payload),
            decoded: false,
            truncated: None,
            ip: Some("127.0.0.2".parse().unwrap()),
            date: Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap(),
        }
    }

    #[test]
    fn request_block_has_request_line_and_headers() {
        let ex = exchange("http://a.test/x/y?q=1#frag", b"");
        assert_eq!(
            String::from_utf8(ex.request_block()).unwrap(),
            "GET /x/y?q=1 HTTP/1.1\r\nHost: a.test\r\nUser-Agent: trawl/0.1\r\n\r\n"
        );
    }

    #[test]
    fn plain_response_head_is_as_received() {
        let ex = exchange("http://a.test/", b"<p>hi</p>");
        assert_eq!(
            String::from_utf8(ex.response_head()).unwrap(),
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 9\r\n\r\n"
        );
    }

    #[test]
    fn decoded_and_chunked_responses_rename_framing_headers() {
        let mut ex = exchange("http://a.test/", b"<p>hello</p>");
        ex.decoded = true;
        ex.response_headers = vec![
            ("Content-Type".into(), b"text/html".to_vec()),
            ("Content-Encoding".into(), b"gzip".to_vec()),
            ("Content-Length".into(), b"31".to_vec()),
        ];
        let head = String::from_utf8(ex.response_head()).unwrap();
        assert_eq!(
            head,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Crawler-Content-Encoding: gzip\r\n\
             X-Crawler-Content-Length: 31\r\nContent-Length: 12\r\n\r\n"
        );
        ex.decoded = false;
        ex.response_headers = vec![("Transfer-Encoding".into(), b"chunked".to_vec())];
        let head = String::from_utf8(ex.response_head()).unwrap();
        assert_eq!(
            head,
            "HTTP/1.1 200 OK\r\nX-Crawler-Transfer-Encoding: chunked\r\nContent-Length: 12\r\n\r\n"
        );
    }

    #[test]
    fn header_injection_is_neutralized() {
        let mut ex = exchange("http://a.test/", b"");
        ex.response_headers = vec![("X-Evil".into(), b"a\r\nSet-Cookie: b".to_vec())];
        let head = ex.response_head();
        let text = String::from_utf8(head).unwrap();
        assert!(text.contains("X-Evil: a  Set-Cookie: b\r\n"), "{text}");
    }

    #[test]
    fn parse_response_round_trip() {
        let ex = exchange("http://a.test/", b"<p>hi</p>");
        let mut block = ex.response_head();
        block.extend_from_slice(&ex.payload);
        let p = parse_response(&block).unwrap();
        assert_eq!(p.status, 200);
        assert_eq!(p.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(p.payload, b"<p>hi</p>");
        assert!(parse_response(b"garbage").is_none());
        assert!(parse_response(b"GET / HTTP/1.1\r\n\r\n").is_none());
        assert!(parse_response(b"HTTP/1.1 abc OK\r\n\r\n").is_none());
    }
}
