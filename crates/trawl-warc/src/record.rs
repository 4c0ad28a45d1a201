//! One WARC record as bytes: named header fields plus a block. Pure (no I/O).

use chrono::{DateTime, Utc};

/// The WARC version written.
pub const WARC_VERSION: &str = "WARC/1.1";

/// Record types written by trawl (WARC 1.1 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordType {
    Warcinfo,
    Request,
    Response,
    Revisit,
    Metadata,
}

impl RecordType {
    /// The `WARC-Type` value (also the `type` label of `trawl_warc_records_total`).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Warcinfo => "warcinfo",
            RecordType::Request => "request",
            RecordType::Response => "response",
            RecordType::Revisit => "revisit",
            RecordType::Metadata => "metadata",
        }
    }

    /// Every type, for pre-registering metric labels.
    pub const ALL: [RecordType; 5] = [
        RecordType::Warcinfo,
        RecordType::Request,
        RecordType::Response,
        RecordType::Revisit,
        RecordType::Metadata,
    ];
}

/// A record ready to be serialized: `WARC-Type`, `WARC-Record-ID`, `WARC-Date`, the other
/// named fields in order, then `Content-Length` (computed) and the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordType,
    /// `<urn:uuid:…>`, angle brackets included.
    pub id: String,
    pub date: DateTime<Utc>,
    /// Further header fields (`WARC-Target-URI`, `Content-Type`, digests, …), in order.
    pub fields: Vec<(String, String)>,
    pub block: Vec<u8>,
}

impl Record {
    pub fn new(kind: RecordType, id: String, date: DateTime<Utc>, block: Vec<u8>) -> Record {
        Record {
            kind,
            id,
            date,
            fields: Vec::new(),
            block,
        }
    }

    /// Append a header field. Values are sanitized: CR and LF become spaces, so a hostile
    /// URL or header value cannot inject a field or end the header early.
    pub fn field(mut self, name: &str, value: impl AsRef<str>) -> Record {
        self.fields
            .push((name.to_string(), sanitize_value(value.as_ref())));
        self
    }

    /// The value of the first field named `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The record as written (before compression): version line, header fields,
    /// `Content-Length`, blank line, block, and the two-CRLF record end.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.block.len() + 512);
        out.extend_from_slice(WARC_VERSION.as_bytes());
        out.extend_from_slice(b"\r\n");
        push_field(&mut out, "WARC-Type", self.kind.as_str());
        push_field(&mut out, "WARC-Record-ID", &self.id);
        push_field(&mut out, "WARC-Date", &warc_date(self.date));
        for (n, v) in &self.fields {
            push_field(&mut out, n, v);
        }
        push_field(&mut out, "Content-Length", &self.block.len().to_string());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }
}

fn push_field(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn sanitize_value(v: &str) -> String {
    v.chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect()
}

/// A new `WARC-Record-ID`: `<urn:uuid:…>` (random, v4).
pub fn new_record_id() -> String {
    format!("<urn:uuid:{}>", uuid::Uuid::new_v4())
}

/// `WARC-Date`: UTC, ISO 8601, with microseconds (WARC 1.1 allows sub-second precision).
pub fn warc_date(d: DateTime<Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The 14-digit timestamp used in file names and CDXJ lines: `yyyyMMddHHmmss`.
pub fn timestamp14(d: DateTime<Utc>) -> String {
    d.format("%Y%m%d%H%M%S").to_string()
}

/// `sha1:` + base32 of the SHA-1 of `data` (the form of `WARC-Block-Digest`,
/// `WARC-Payload-Digest` and the CDXJ `digest`).
pub fn sha1_digest(data: &[u8]) -> String {
    let mut h = sha1_smol::Sha1::new();
    h.update(data);
    format!("sha1:{}", data_encoding::BASE32.encode(&h.digest().bytes()))
}

/// SHA-1 digest over several slices as if concatenated (the block of a response is its
/// header part followed by the payload, held apart to avoid a copy).
pub fn sha1_digest_parts(parts: &[&[u8]]) -> String {
    let mut h = sha1_smol::Sha1::new();
    for p in parts {
        h.update(p);
    }
    format!("sha1:{}", data_encoding::BASE32.encode(&h.digest().bytes()))
}

/// A `application/warc-fields` block: `name: value` lines (values sanitized).
pub fn warc_fields(fields: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, v) in fields {
        push_field(&mut out, n, &sanitize_value(v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn digest_is_sha1_base32() {
        // SHA-1("") = da39a3ee5e6b4b0d3255bfef95601890afd80709
        assert_eq!(sha1_digest(b""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
        assert_eq!(
            sha1_digest_parts(&[b"ab", b"c"]),
            sha1_digest(b"abc"),
            "parts hash like their concatenation"
        );
    }

    #[test]
    fn record_layout() {
        let d = Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap();
        let r = Record::new(
            RecordType::Metadata,
            "<urn:uuid:x>".into(),
            d,
            b"a: b\r\n".to_vec(),
        )
        .field("WARC-Target-URI", "http://a.test/\r\nEvil: 1")
        .field("Content-Type", "application/warc-fields");
        let s = String::from_utf8(r.to_bytes()).unwrap();
        assert_eq!(
            s,
            "WARC/1.1\r\nWARC-Type: metadata\r\nWARC-Record-ID: <urn:uuid:x>\r\n\
             WARC-Date: 2024-05-06T07:08:09.000000Z\r\nWARC-Target-URI: http://a.test/  Evil: 1\r\n\
             Content-Type: application/warc-fields\r\nContent-Length: 6\r\n\r\na: b\r\n\r\n\r\n"
        );
        assert_eq!(timestamp14(d), "20240506070809");
        assert_eq!(r.get("content-type"), Some("application/warc-fields"));
    }

    #[test]
    fn record_ids_are_unique_urns() {
        let a = new_record_id();
        let b = new_record_id();
        assert_ne!(a, b);
        assert!(
            a.starts_with("<urn:uuid:") && a.ends_with('>') && a.len() == 47,
            "{a}"
        );
    }
}
