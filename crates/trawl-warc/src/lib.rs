//! WARC/1.1 archiving of the HTTP exchanges a crawl makes (issue #12), and reading archives
//! back.
//!
//! Layout (pure formatting apart from I/O, so the formats are unit-tested with plain values):
//! - [`record`]: one record as bytes, record ids, dates, `sha1:` base32 digests (pure);
//! - [`http`]: [`HttpExchange`] (what the fetcher saw) and its request/response header
//!   blocks, with the renaming of encoding headers for decoded payloads (pure);
//! - [`capture`]: a fetch ([`FetchCapture`]) → `request`, `response`/`revisit` and
//!   `metadata` records, with the bounded payload-digest index for revisits (pure);
//! - [`cdxj`]: SURT keys and CDXJ index lines (pure);
//! - [`writer`]: [`WarcWriter`], files rotated by size, one gzip member per record,
//!   `.open` until closed, a `.cdxj` beside each closed file;
//! - [`sink`]: [`WarcSink`], the async handle (bounded channel → writer thread);
//! - [`reader`]: [`WarcReader`], a streaming reader that survives truncated and garbage input.
//!
//! Metrics are not counted here (this crate depends on no other trawl crate): the writer
//! reports to a [`WarcEvents`] implementation. See `docs/warc.md`.

pub mod capture;
pub mod cdxj;
pub mod http;
pub mod reader;
pub mod record;
pub mod sink;
pub mod writer;

pub use capture::{build_records, DedupIndex, FetchCapture, FetchMetadata};
pub use cdxj::{surt, CdxjEntry};
pub use http::{parse_response, HttpExchange, ParsedResponse, Truncation};
pub use reader::{ReadError, ReadRecord, WarcReader};
pub use record::{sha1_digest, RecordType};
pub use sink::WarcSink;
pub use writer::{NoEvents, WarcEvents, WarcWriter, WriterConfig};
