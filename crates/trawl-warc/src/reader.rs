//! A streaming WARC reader: record by record from any `Read` (gzip, one member per record
//! or not, or uncompressed), never holding more than one record, and never panicking on
//! bad input: the first problem ends the iteration with a [`ReadError`] that says how many
//! complete records came before it.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;
use thiserror::Error;

/// Longest header section accepted (all fields of one record).
const MAX_HEADER_BYTES: u64 = 1 << 20;
/// Blocks larger than this are skipped (read through, not kept) by default.
pub const DEFAULT_MAX_BLOCK: u64 = 64 << 20;

/// Why reading stopped early.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The input ends inside a record (a file cut short, e.g. by SIGKILL or a full disk).
    #[error("archive cut short after {records} complete records: {detail}")]
    Truncated { records: u64, detail: String },
    /// Bytes that are not a WARC record (or a corrupt gzip stream).
    #[error("not a valid WARC record after {records} complete records: {detail}")]
    Malformed { records: u64, detail: String },
    /// The file could not be read.
    #[error("read error after {records} complete records: {source}")]
    Io {
        records: u64,
        #[source]
        source: io::Error,
    },
}

impl ReadError {
    /// Complete records read before the problem.
    pub fn records(&self) -> u64 {
        match self {
            ReadError::Truncated { records, .. }
            | ReadError::Malformed { records, .. }
            | ReadError::Io { records, .. } => *records,
        }
    }
}

/// One record read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRecord {
    /// `WARC/1.1`, `WARC/1.0`, …
    pub version: String,
    pub headers: Vec<(String, String)>,
    /// Length of the block (its `Content-Length`).
    pub content_length: u64,
    /// The block, or `None` when it was larger than the reader's limit (skipped).
    pub block: Option<Vec<u8>>,
}

impl ReadRecord {
    /// The first field `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `WARC-Type`.
    pub fn kind(&self) -> Option<&str> {
        self.header("WARC-Type")
    }
}

/// Iterator over the records of one archive.
pub struct WarcReader<'a> {
    src: Box<dyn BufRead + 'a>,
    max_block: u64,
    records: u64,
    done: bool,
}

impl std::fmt::Debug for WarcReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarcReader")
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

impl WarcReader<'static> {
    /// Open a file (`.warc.gz`, `.warc.gz.open` or an uncompressed `.warc`).
    pub fn open(path: &Path) -> io::Result<WarcReader<'static>> {
        Ok(WarcReader::new(File::open(path)?))
    }
}

impl<'a> WarcReader<'a> {
    /// Read from `r`; gzip is recognized by its magic bytes.
    pub fn new<R: Read + 'a>(r: R) -> WarcReader<'a> {
        let mut buf = BufReader::with_capacity(64 * 1024, r);
        let gz = matches!(buf.fill_buf(), Ok(b) if b.starts_with(&[0x1f, 0x8b]));
        let src: Box<dyn BufRead + 'a> = if gz {
            Box::new(BufReader::with_capacity(
                64 * 1024,
                MultiGzDecoder::new(buf),
            ))
        } else {
            Box::new(buf)
        };
        WarcReader {
            src,
            max_block: DEFAULT_MAX_BLOCK,
            records: 0,
            done: false,
        }
    }

    /// Blocks larger than `bytes` are read through and returned as `block: None`.
    pub fn max_block(mut self, bytes: u64) -> Self {
        self.max_block = bytes;
        self
    }

    /// Complete records read so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    fn err_from_io(&self, e: io::Error, what: &str) -> ReadError {
        let records = self.records;
        match e.kind() {
            io::ErrorKind::UnexpectedEof => ReadError::Truncated {
                records,
                detail: format!("{what}: {e}"),
            },
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => ReadError::Malformed {
                records,
                detail: format!("{what}: {e}"),
            },
            _ => ReadError::Io { records, source: e },
        }
    }

    fn truncated(&self, detail: &str) -> ReadError {
        ReadError::Truncated {
            records: self.records,
            detail: detail.to_string(),
        }
    }

    fn malformed(&self, detail: String) -> ReadError {
        ReadError::Malformed {
            records: self.records,
            detail,
        }
    }

    /// One line (up to `\n`), bounded; `Ok(None)` at a clean end of input.
    fn line(&mut self, budget: &mut u64) -> Result<Option<Vec<u8>>, ReadError> {
        let mut line = Vec::new();
        let n = (&mut self.src)
            .take(*budget + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| self.err_from_io(e, "reading a header line"))?;
        if n == 0 {
            return Ok(None);
        }
        if n as u64 > *budget {
            return Err(self.malformed("header section too long".into()));
        }
        *budget -= n as u64;
        if !line.ends_with(b"\n") {
            return Err(self.truncated("input ends inside a header"));
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        Ok(Some(line))
    }

    fn next_record(&mut self) -> Result<Option<ReadRecord>, ReadError> {
        let mut budget = MAX_HEADER_BYTES;
        // Blank lines between records are tolerated.
        let version = loop {
            match self.line(&mut budget)? {
                None => return Ok(None),
                Some(l) if l.is_empty() => continue,
                Some(l) => break l,
            }
        };
        let version = String::from_utf8_lossy(&version).into_owned();
        if !version.starts_with("WARC/") {
            let shown: String = version.chars().take(40).collect();
            return Err(self.malformed(format!("expected a WARC/ version line, found {shown:?}")));
        }
        let mut headers = Vec::new();
        loop {
            let Some(l) = self.line(&mut budget)? else {
                return Err(self.truncated("input ends inside a header"));
            };
            if l.is_empty() {
                break;
            }
            let text = String::from_utf8_lossy(&l);
            if text.starts_with([' ', '\t']) {
                // Folded continuation line (allowed by WARC 1.0).
                if let Some((_, v)) = headers.last_mut() {
                    let v: &mut String = v;
                    v.push(' ');
                    v.push_str(text.trim());
                }
                continue;
            }
            let Some((n, v)) = text.split_once(':') else {
                let shown: String = text.chars().take(40).collect();
                return Err(self.malformed(format!("header line without ':': {shown:?}")));
            };
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            .map(|(_, v)| v.parse::<u64>())
            .ok_or_else(|| self.malformed("record without Content-Length".into()))?
            .map_err(|e| self.malformed(format!("bad Content-Length: {e}")))?;
        let block = if length <= self.max_block {
            let mut block = Vec::with_capacity(length.min(1 << 20) as usize);
            let got = (&mut self.src)
                .take(length)
                .read_to_end(&mut block)
                .map_err(|e| self.err_from_io(e, "reading a block"))?;
            if (got as u64) < length {
                return Err(self.truncated("input ends inside a block"));
            }
            Some(block)
        } else {
            let got = io::copy(&mut (&mut self.src).take(length), &mut io::sink())
                .map_err(|e| self.err_from_io(e, "skipping a block"))?;
            if got < length {
                return Err(self.truncated("input ends inside a block"));
            }
            None
        };
        // The record ends with two CRLFs; a file cut right after the block still has it whole.
        let mut end = [0u8; 4];
        let mut have = 0;
        while have < 4 {
            match self.src.read(&mut end[have..]) {
                Ok(0) => break,
                Ok(n) => have += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.err_from_io(e, "reading the record end")),
            }
        }
        if have > 0 && end[..have] != b"\r\n\r\n"[..have] {
            return Err(self.malformed("record does not end with CRLF CRLF".into()));
        }
        self.records += 1;
        Ok(Some(ReadRecord {
            version,
            headers,
            content_length: length,
            block,
        }))
    }
}

impl Iterator for WarcReader<'_> {
    type Item = Result<ReadRecord, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_record() {
            Ok(Some(r)) => Some(Ok(r)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{FetchCapture, FetchMetadata};
    use crate::http::tests::exchange;
    use crate::writer::{NoEvents, WarcWriter, WriterConfig};
    use std::sync::Arc;

    /// A closed archive of `n` fetches (request, response, metadata each) and its bytes.
    fn archive(n: usize) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let mut w = WarcWriter::new(WriterConfig::new(dir.path()), Arc::new(NoEvents)).unwrap();
        for i in 0..n {
            w.write(&FetchCapture {
                exchanges: vec![exchange(
                    &format!("http://a.test/{i}"),
                    format!("<html><p>body {i}</p></html>").as_bytes(),
                )],
                metadata: Some(FetchMetadata {
                    url: format!("http://a.test/{i}"),
                    date: chrono::Utc::now(),
                    fields: vec![("fetchOutcome".into(), "ok".into())],
                    outlinks: vec![],
                }),
            })
            .unwrap();
        }
        w.finish().unwrap();
        std::fs::read(&w.closed_files()[0]).unwrap()
    }

    #[test]
    fn reads_back_what_was_written() {
        let bytes = archive(3);
        let recs: Vec<_> = WarcReader::new(&bytes[..])
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let kinds: Vec<_> = recs.iter().map(|r| r.kind().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "warcinfo", "request", "response", "metadata", "request", "response", "metadata",
                "request", "response", "metadata"
            ]
        );
        assert!(recs.iter().all(|r| r.version == "WARC/1.1"));
        let body = recs[2].block.as_ref().unwrap();
        assert!(body.ends_with(b"<html><p>body 0</p></html>"));
    }

    #[test]
    fn uncompressed_and_oversized_blocks() {
        let bytes = archive(1);
        let mut plain = Vec::new();
        MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut plain)
            .unwrap();
        let recs: Vec<_> = WarcReader::new(&plain[..])
            .max_block(10)
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        assert_eq!(recs.len(), 4);
        assert!(
            recs[2].block.is_none(),
            "response block above the limit is skipped"
        );
        assert!(recs[2].content_length > 10);
    }

    /// A file cut anywhere (as by SIGKILL mid-write) yields every record that is whole before
    /// the cut, then a `Truncated` error (or a clean end when cut between records).
    #[test]
    fn a_cut_file_yields_every_complete_record() {
        let bytes = archive(4);
        let whole: Vec<_> = WarcReader::new(&bytes[..])
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        // Member boundaries: re-read each record's compressed length from a per-member scan.
        let mut ends = Vec::new();
        let mut rest = &bytes[..];
        let mut pos = 0;
        while !rest.is_empty() {
            let mut d = flate2::bufread::GzDecoder::new(rest);
            io::copy(&mut d, &mut io::sink()).unwrap();
            let left = d.into_inner().len();
            pos += rest.len() - left;
            ends.push(pos);
            rest = &bytes[pos..];
        }
        assert_eq!(ends.len(), whole.len());
        for cut in (1..bytes.len()).step_by(7) {
            let complete = ends.iter().filter(|e| **e <= cut).count();
            let mut got = Vec::new();
            let mut err = None;
            for r in WarcReader::new(&bytes[..cut]) {
                match r {
                    Ok(r) => got.push(r),
                    Err(e) => err = Some(e),
                }
            }
            assert!(
                got.len() >= complete,
                "cut at {cut}: {} records read, {complete} complete",
                got.len()
            );
            assert_eq!(&got[..], &whole[..got.len()], "cut at {cut}");
            if ends.contains(&cut) {
                assert!(err.is_none(), "cut at a member boundary {cut}: {err:?}");
            } else if got.len() < whole.len() {
                let e = err.unwrap_or_else(|| panic!("cut at {cut} must be reported"));
                assert!(
                    matches!(e, ReadError::Truncated { .. }),
                    "cut at {cut}: {e}"
                );
                assert_eq!(e.records(), got.len() as u64);
            }
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for input in [
            &b"hello world\r\n\r\n"[..],
            b"WARC/1.1\r\nno colon here\r\n\r\n",
            b"WARC/1.1\r\nWARC-Type: response\r\n\r\n",
            b"WARC/1.1\r\nContent-Length: x\r\n\r\n",
            b"WARC/1.1\r\nContent-Length: 3\r\n\r\nabcXXXX",
            &[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 1, 2, 3, 4, 5, 6][..],
        ] {
            let results: Vec<_> = WarcReader::new(input).collect();
            assert!(
                results.iter().any(|r| r.is_err()),
                "{:?} must fail",
                String::from_utf8_lossy(input)
            );
        }
        assert_eq!(
            WarcReader::new(&b""[..]).count(),
            0,
            "empty input: no records"
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            for r in WarcReader::new(&data[..]) {
                let _ = r;
            }
        }

        #[test]
        fn never_panics_on_a_corrupted_archive(pos in 0usize..1000, byte in proptest::prelude::any::<u8>()) {
            let mut bytes = archive(2);
            let i = pos % bytes.len();
            bytes[i] = byte;
            for r in WarcReader::new(&bytes[..]) {
                let _ = r;
            }
        }
    }
}
