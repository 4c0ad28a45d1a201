//! From what one fetch did to the WARC records that archive it. Pure (no I/O): the only
//! state is the bounded payload-digest index used for `revisit` records.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};

use crate::http::HttpExchange;
use crate::record::{
    new_record_id, sha1_digest, sha1_digest_parts, warc_fields, Record, RecordType,
};

/// Profile of a revisit whose payload is identical to an earlier response's.
pub const PROFILE_IDENTICAL: &str =
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";
/// Profile of a revisit for a `304 Not Modified`.
pub const PROFILE_NOT_MODIFIED: &str =
    "http://netpreserve.org/warc/1.1/revisit/server-not-modified";

/// Everything one fetch contributes to the archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchCapture {
    /// Every HTTP exchange made, in order: robots.txt, each redirect hop, the final response.
    pub exchanges: Vec<HttpExchange>,
    /// The fetch outcome and outlinks, written as a `metadata` record referring to the last
    /// response (absent: no metadata record).
    pub metadata: Option<FetchMetadata>,
}

/// The `metadata` record of a fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchMetadata {
    /// The URL the fetch was for (`WARC-Target-URI` when no exchange was made).
    pub url: String,
    pub date: DateTime<Utc>,
    /// `name: value` fields, e.g. `fetchOutcome: ok`, `isArticle: true`.
    pub fields: Vec<(String, String)>,
    /// Links found in the body (each written as an `outlink` field).
    pub outlinks: Vec<String>,
}

/// The first response seen with a payload digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    pub uri: String,
    pub date: DateTime<Utc>,
    pub id: String,
}

/// Payload digest → first response with it, and URL → its last full response (what a later
/// `304` confirms), each bounded (oldest forgotten first).
#[derive(Debug, Clone)]
pub struct DedupIndex {
    map: HashMap<String, Original>,
    order: VecDeque<String>,
    by_uri: HashMap<String, Original>,
    uri_order: VecDeque<String>,
    capacity: usize,
}

impl DedupIndex {
    /// `capacity` 0 turns payload deduplication off (304s are still revisits, without a
    /// reference to the response they confirm).
    pub fn new(capacity: usize) -> DedupIndex {
        DedupIndex {
            map: HashMap::new(),
            order: VecDeque::new(),
            by_uri: HashMap::new(),
            uri_order: VecDeque::new(),
            capacity,
        }
    }

    pub fn get(&self, digest: &str) -> Option<&Original> {
        self.map.get(digest)
    }

    /// The last full response archived for `uri`, if still remembered.
    pub fn last_of(&self, uri: &str) -> Option<&Original> {
        self.by_uri.get(uri)
    }

    /// Remember `original` as the last full response of its URL.
    pub fn remember_uri(&mut self, original: Original) {
        if self.capacity == 0 {
            return;
        }
        let uri = original.uri.clone();
        if self.by_uri.insert(uri.clone(), original).is_none() {
            self.uri_order.push_back(uri);
            while self.uri_order.len() > self.capacity {
                if let Some(old) = self.uri_order.pop_front() {
                    self.by_uri.remove(&old);
                }
            }
        }
    }

    pub fn insert(&mut self, digest: String, original: Original) {
        if self.capacity == 0 || self.map.contains_key(&digest) {
            return;
        }
        self.map.insert(digest.clone(), original);
        self.order.push_back(digest);
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// What a CDXJ line needs beyond the record's place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexInfo {
    pub url: String,
    pub date: DateTime<Utc>,
    pub mime: String,
    pub status: Option<u16>,
    pub digest: Option<String>,
}

/// A record to write, and its CDXJ fields when it is indexed (responses and revisits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub record: Record,
    pub index: Option<IndexInfo>,
}

const HTTP_REQUEST: &str = "application/http;msgtype=request";
const HTTP_RESPONSE: &str = "application/http;msgtype=response";
const WARC_FIELDS: &str = "application/warc-fields";

/// The records archiving one fetch, in writing order: per exchange a `request` then a
/// `response` (or `revisit`), then the `metadata` record.
pub fn build_records(capture: &FetchCapture, dedup: &mut DedupIndex) -> Vec<Built> {
    let mut out = Vec::with_capacity(capture.exchanges.len() * 2 + 1);
    let mut last_response: Option<(String, String)> = None;
    for ex in &capture.exchanges {
        let request_id = new_record_id();
        let response_id = new_record_id();
        let request_block = ex.request_block();
        let mut req = Record::new(RecordType::Request, request_id.clone(), ex.date, Vec::new())
            .field("WARC-Target-URI", &ex.url)
            .field("WARC-Concurrent-To", &response_id);
        if let Some(ip) = ex.ip {
            req = req.field("WARC-IP-Address", ip.to_string());
        }
        req = req
            .field("Content-Type", HTTP_REQUEST)
            .field("WARC-Block-Digest", sha1_digest(&request_block));
        req.block = request_block;
        out.push(Built {
            record: req,
            index: None,
        });

        let head = ex.response_head();
        let mime = mime_of(ex);
        let payload_digest = sha1_digest(&ex.payload);
        let complete_2xx = (200..300).contains(&ex.status) && ex.truncated.is_none();
        let original = if complete_2xx && !ex.payload.is_empty() {
            dedup.get(&payload_digest).cloned()
        } else {
            None
        };
        let mut resp = if ex.status == 304 || original.is_some() {
            let mut r = Record::new(
                RecordType::Revisit,
                response_id.clone(),
                ex.date,
                Vec::new(),
            )
            .field("WARC-Target-URI", &ex.url)
            .field("WARC-Concurrent-To", &request_id);
            if let Some(ip) = ex.ip {
                r = r.field("WARC-IP-Address", ip.to_string());
            }
            match &original {
                Some(o) => {
                    r = r
                        .field("WARC-Profile", PROFILE_IDENTICAL)
                        .field("WARC-Refers-To", &o.id)
                        .field("WARC-Refers-To-Target-URI", &o.uri)
                        .field("WARC-Refers-To-Date", crate::record::warc_date(o.date))
                        .field("WARC-Payload-Digest", &payload_digest);
                }
                None => {
                    r = r.field("WARC-Profile", PROFILE_NOT_MODIFIED);
                    // The response this 304 confirms, when this writer archived it.
                    if let Some(o) = dedup.last_of(&ex.url) {
                        r = r
                            .field("WARC-Refers-To", &o.id)
                            .field("WARC-Refers-To-Target-URI", &o.uri)
                            .field("WARC-Refers-To-Date", crate::record::warc_date(o.date));
                    }
                }
            }
            // A revisit's block is the response's header part only.
            r = r
                .field("Content-Type", HTTP_RESPONSE)
                .field("WARC-Block-Digest", sha1_digest(&head));
            r.block = head;
            out.push(Built {
                index: Some(IndexInfo {
                    url: ex.url.clone(),
                    date: ex.date,
                    mime: "warc/revisit".into(),
                    status: Some(ex.status),
                    digest: Some(payload_digest.clone()),
                }),
                record: r,
            });
            last_response = Some((response_id, ex.url.clone()));
            continue;
        } else {
            Record::new(
                RecordType::Response,
                response_id.clone(),
                ex.date,
                Vec::new(),
            )
            .field("WARC-Target-URI", &ex.url)
            .field("WARC-Concurrent-To", &request_id)
        };
        if let Some(ip) = ex.ip {
            resp = resp.field("WARC-IP-Address", ip.to_string());
        }
        resp = resp
            .field("Content-Type", HTTP_RESPONSE)
            .field(
                "WARC-Block-Digest",
                sha1_digest_parts(&[&head, &ex.payload]),
            )
            .field("WARC-Payload-Digest", &payload_digest);
        if let Some(t) = ex.truncated {
            resp = resp.field("WARC-Truncated", t.as_str());
        }
        let mut block = head;
        block.extend_from_slice(&ex.payload);
        resp.block = block;
        if complete_2xx && !ex.payload.is_empty() {
            let original = Original {
                uri: ex.url.clone(),
                date: ex.date,
                id: response_id.clone(),
            };
            dedup.insert(payload_digest.clone(), original.clone());
            dedup.remember_uri(original);
        }
        out.push(Built {
            record: resp,
            index: Some(IndexInfo {
                url: ex.url.clone(),
                date: ex.date,
                mime,
                status: Some(ex.status),
                digest: Some(payload_digest),
            }),
        });
        last_response = Some((response_id, ex.url.clone()));
    }
    if let Some(meta) = &capture.metadata {
        let mut fields = meta.fields.clone();
        fields.extend(
            meta.outlinks
                .iter()
                .map(|l| ("outlink".to_string(), l.clone())),
        );
        let block = warc_fields(&fields);
        let target = last_response
            .as_ref()
            .map(|(_, u)| u.clone())
            .unwrap_or_else(|| meta.url.clone());
        let mut r = Record::new(RecordType::Metadata, new_record_id(), meta.date, Vec::new())
            .field("WARC-Target-URI", target);
        if let Some((id, _)) = &last_response {
            r = r.field("WARC-Refers-To", id);
        }
        r = r
            .field("Content-Type", WARC_FIELDS)
            .field("WARC-Block-Digest", sha1_digest(&block));
        r.block = block;
        out.push(Built {
            record: r,
            index: None,
        });
    }
    out
}

/// The `warcinfo` record opening a file named `filename`.
pub fn warcinfo_record(filename: &str, date: DateTime<Utc>, fields: &[(String, String)]) -> Record {
    let block = warc_fields(fields);
    let mut r = Record::new(RecordType::Warcinfo, new_record_id(), date, Vec::new())
        .field("WARC-Filename", filename)
        .field("Content-Type", WARC_FIELDS)
        .field("WARC-Block-Digest", sha1_digest(&block));
    r.block = block;
    r
}

/// The media type of a response for the CDXJ `mime` field (parameters dropped).
fn mime_of(ex: &HttpExchange) -> String {
    ex.response_header("content-type")
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "unk".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::tests::exchange;

    fn meta() -> FetchMetadata {
        FetchMetadata {
            url: "http://a.test/a".into(),
            date: Utc::now(),
            fields: vec![("fetchOutcome".into(), "ok".into())],
            outlinks: vec!["http://a.test/b".into()],
        }
    }

    #[test]
    fn request_response_and_metadata_are_linked() {
        let mut dedup = DedupIndex::new(10);
        let cap = FetchCapture {
            exchanges: vec![exchange("http://a.test/a", b"<p>one</p>")],
            metadata: Some(meta()),
        };
        let recs = build_records(&cap, &mut dedup);
        assert_eq!(recs.len(), 3);
        let (req, resp, md) = (&recs[0].record, &recs[1].record, &recs[2].record);
        assert_eq!(req.kind, RecordType::Request);
        assert_eq!(resp.kind, RecordType::Response);
        assert_eq!(md.kind, RecordType::Metadata);
        assert_eq!(req.get("WARC-Concurrent-To"), Some(resp.id.as_str()));
        assert_eq!(resp.get("WARC-Concurrent-To"), Some(req.id.as_str()));
        assert_eq!(md.get("WARC-Refers-To"), Some(resp.id.as_str()));
        assert_eq!(resp.get("WARC-IP-Address"), Some("127.0.0.2"));
        assert_eq!(
            resp.get("WARC-Payload-Digest"),
            Some(sha1_digest(b"<p>one</p>").as_str())
        );
        assert_eq!(
            resp.get("WARC-Block-Digest"),
            Some(sha1_digest(&resp.block).as_str())
        );
        assert!(resp.block.ends_with(b"\r\n\r\n<p>one</p>"));
        let md_text = String::from_utf8(md.block.clone()).unwrap();
        assert_eq!(md_text, "fetchOutcome: ok\r\noutlink: http://a.test/b\r\n");
        let idx = recs[1].index.as_ref().unwrap();
        assert_eq!((idx.mime.as_str(), idx.status), ("text/html", Some(200)));
        assert!(recs[0].index.is_none() && recs[2].index.is_none());
    }

    #[test]
    fn identical_payload_becomes_a_revisit_and_304_a_not_modified_revisit() {
        let mut dedup = DedupIndex::new(10);
        let first = build_records(
            &FetchCapture {
                exchanges: vec![exchange("http://a.test/a", b"same body")],
                metadata: None,
            },
            &mut dedup,
        );
        let second = build_records(
            &FetchCapture {
                exchanges: vec![exchange("http://a.test/b", b"same body")],
                metadata: None,
            },
            &mut dedup,
        );
        let rv = &second[1].record;
        assert_eq!(rv.kind, RecordType::Revisit);
        assert_eq!(rv.get("WARC-Profile"), Some(PROFILE_IDENTICAL));
        assert_eq!(rv.get("WARC-Refers-To"), Some(first[1].record.id.as_str()));
        assert_eq!(rv.get("WARC-Refers-To-Target-URI"), Some("http://a.test/a"));
        assert!(rv.block.ends_with(b"\r\n\r\n"), "headers only");
        assert_eq!(second[1].index.as_ref().unwrap().mime, "warc/revisit");

        let mut nm = exchange("http://a.test/c", b"");
        nm.status = 304;
        nm.reason = "Not Modified".into();
        let third = build_records(
            &FetchCapture {
                exchanges: vec![nm],
                metadata: None,
            },
            &mut dedup,
        );
        assert_eq!(third[1].record.kind, RecordType::Revisit);
        assert_eq!(
            third[1].record.get("WARC-Profile"),
            Some(PROFILE_NOT_MODIFIED)
        );
        // Never archived with a body here: nothing to refer to.
        assert_eq!(third[1].record.get("WARC-Refers-To"), None);

        // A 304 for a URL archived earlier refers to that response.
        let mut again = exchange("http://a.test/a", b"");
        again.status = 304;
        again.reason = "Not Modified".into();
        let fourth = build_records(
            &FetchCapture {
                exchanges: vec![again],
                metadata: None,
            },
            &mut dedup,
        );
        let rv = &fourth[1].record;
        assert_eq!(rv.get("WARC-Profile"), Some(PROFILE_NOT_MODIFIED));
        assert_eq!(rv.get("WARC-Refers-To"), Some(first[1].record.id.as_str()));
        assert_eq!(rv.get("WARC-Refers-To-Target-URI"), Some("http://a.test/a"));
        assert!(rv.get("WARC-Refers-To-Date").is_some());
    }

    #[test]
    fn empty_error_and_truncated_payloads_are_not_deduplicated() {
        let mut dedup = DedupIndex::new(10);
        let mut e404 = exchange("http://a.test/x", b"not found");
        e404.status = 404;
        let mut cut = exchange("http://a.test/y", b"partial");
        cut.truncated = Some(crate::http::Truncation::Length);
        for ex in [exchange("http://a.test/e", b""), e404.clone(), cut.clone()] {
            for _ in 0..2 {
                let recs = build_records(
                    &FetchCapture {
                        exchanges: vec![ex.clone()],
                        metadata: None,
                    },
                    &mut dedup,
                );
                assert_eq!(recs[1].record.kind, RecordType::Response, "{}", ex.url);
            }
        }
        let recs = build_records(
            &FetchCapture {
                exchanges: vec![cut],
                metadata: None,
            },
            &mut dedup,
        );
        assert_eq!(recs[1].record.get("WARC-Truncated"), Some("length"));
    }

    #[test]
    fn dedup_index_is_bounded() {
        let mut d = DedupIndex::new(3);
        for i in 0..10 {
            d.insert(
                format!("d{i}"),
                Original {
                    uri: format!("u{i}"),
                    date: Utc::now(),
                    id: format!("i{i}"),
                },
            );
        }
        assert_eq!(d.len(), 3);
        assert!(d.get("d0").is_none() && d.get("d9").is_some());
        let mut off = DedupIndex::new(0);
        off.insert(
            "x".into(),
            Original {
                uri: "u".into(),
                date: Utc::now(),
                id: "i".into(),
            },
        );
        assert!(off.is_empty());
    }

    #[test]
    fn metadata_without_exchange_targets_the_task_url() {
        let mut dedup = DedupIndex::new(1);
        let recs = build_records(
            &FetchCapture {
                exchanges: vec![],
                metadata: Some(meta()),
            },
            &mut dedup,
        );
        assert_eq!(recs.len(), 1);
        assert_eq!(
            recs[0].record.get("WARC-Target-URI"),
            Some("http://a.test/a")
        );
        assert!(recs[0].record.get("WARC-Refers-To").is_none());
    }
}
