//! Content decoding done by the fetcher itself when exchanges are captured for a WARC
//! archive: reqwest's transparent decoding would hide the `Content-Encoding` and
//! `Content-Length` the server sent, so the capturing client leaves bodies encoded and they
//! are decoded here, chunk by chunk, with the same cap on *decoded* bytes (a gzip bomb stops
//! at the cap). Offered encodings: `gzip`, `deflate` (zlib), `br` (brotli-decompressor) and
//! `zstd` (the zstd crate), the ones reqwest itself decodes; anything else is kept as
//! received (with its `Content-Encoding` header), as reqwest would pass it on.

use std::io::{self, Write};

use brotli_decompressor::DecompressorWriter;
use flate2::write::{GzDecoder, ZlibDecoder};

/// The `Accept-Encoding` the capturing client sends.
pub(crate) const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// Collects decoded bytes up to `cap`; past it, keeps the first `cap` and fails the write.
#[derive(Debug)]
pub(crate) struct CapBuf {
    pub(crate) buf: Vec<u8>,
    cap: usize,
    pub(crate) full: bool,
}

impl CapBuf {
    fn new(cap: usize) -> CapBuf {
        CapBuf {
            buf: Vec::with_capacity(cap.min(64 * 1024)),
            cap,
            full: false,
        }
    }
}

impl Write for CapBuf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = self.cap.saturating_sub(self.buf.len());
        if data.len() > room {
            self.buf.extend_from_slice(&data[..room]);
            self.full = true;
            return Err(io::Error::other("decoded body cap reached"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Inner {
    Identity(CapBuf),
    Gzip(GzDecoder<CapBuf>),
    Zlib(ZlibDecoder<CapBuf>),
    Brotli(Box<DecompressorWriter<CapBuf>>),
    Zstd(zstd::stream::write::Decoder<'static, CapBuf>),
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Inner::Identity(_) => "identity",
            Inner::Gzip(_) => "gzip",
            Inner::Zlib(_) => "deflate",
            Inner::Brotli(_) => "br",
            Inner::Zstd(_) => "zstd",
        };
        f.write_str(name)
    }
}

/// Why decoding stopped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The cap was reached; the first `cap` decoded bytes are kept.
    Full,
    /// The encoded stream is corrupt.
    Corrupt(String),
}

#[derive(Debug)]
pub(crate) struct BodyDecoder {
    inner: Inner,
}

impl BodyDecoder {
    /// A decoder for `content_encoding`; the flag says whether it decodes (false: identity
    /// or an encoding we do not decode, kept as received).
    pub(crate) fn new(content_encoding: Option<&str>, cap: usize) -> (BodyDecoder, bool) {
        let out = CapBuf::new(cap);
        let enc = content_encoding
            .map(|e| e.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let (inner, decodes) = match enc.as_str() {
            "gzip" | "x-gzip" => (Inner::Gzip(GzDecoder::new(out)), true),
            "deflate" => (Inner::Zlib(ZlibDecoder::new(out)), true),
            "br" => (
                Inner::Brotli(Box::new(DecompressorWriter::new(out, 8 * 1024))),
                true,
            ),
            // A zstd context that cannot be made (out of memory) keeps the body as received.
            "zstd" => match zstd::stream::write::Decoder::new(CapBuf::new(cap)) {
                Ok(d) => (Inner::Zstd(d), true),
                Err(_) => (Inner::Identity(out), false),
            },
            _ => (Inner::Identity(out), false),
        };
        (BodyDecoder { inner }, decodes)
    }

    fn out(&self) -> &CapBuf {
        match &self.inner {
            Inner::Identity(b) => b,
            Inner::Gzip(d) => d.get_ref(),
            Inner::Zlib(d) => d.get_ref(),
            Inner::Brotli(d) => d.get_ref(),
            Inner::Zstd(d) => d.get_ref(),
        }
    }

    fn stop(&self, e: io::Error) -> Stop {
        if self.out().full {
            Stop::Full
        } else {
            Stop::Corrupt(e.to_string())
        }
    }

    /// Feed one chunk of the body as received.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), Stop> {
        let r = match &mut self.inner {
            Inner::Identity(b) => b.write_all(chunk),
            Inner::Gzip(d) => d.write_all(chunk),
            Inner::Zlib(d) => d.write_all(chunk),
            Inner::Brotli(d) => d.write_all(chunk),
            Inner::Zstd(d) => d.write_all(chunk),
        };
        r.map_err(|e| self.stop(e))
    }

    /// Decoded bytes so far.
    pub(crate) fn decoded_len(&self) -> usize {
        self.out().buf.len()
    }

    /// End of the body: the decoded bytes, or why they are incomplete (with what was decoded).
    pub(crate) fn finish(self) -> Result<Vec<u8>, (Stop, Vec<u8>)> {
        match self.inner {
            Inner::Identity(b) => Ok(b.buf),
            Inner::Gzip(mut d) => {
                let done = d.try_finish();
                settle(done, d.get_mut())
            }
            Inner::Zlib(mut d) => {
                let done = d.try_finish();
                settle(done, d.get_mut())
            }
            Inner::Brotli(mut d) => {
                // `close` fails on a stream that stops before its last block.
                let done = d.close().map_err(io::Error::other);
                settle(done, d.get_mut())
            }
            Inner::Zstd(mut d) => {
                // `do_finish` fails on a stream that does not end on a complete frame.
                let done = d.do_finish();
                settle(done, d.get_mut())
            }
        }
    }
}

/// A decoder's end: its output, or why it is incomplete (the cap was reached, or the
/// stream is corrupt) with what was decoded.
fn settle(done: std::io::Result<()>, out: &mut CapBuf) -> Result<Vec<u8>, (Stop, Vec<u8>)> {
    let buf = std::mem::take(&mut out.buf);
    match done {
        Ok(()) => Ok(buf),
        Err(_) if out.full => Err((Stop::Full, buf)),
        Err(e) => Err((Stop::Corrupt(e.to_string()), buf)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{GzEncoder, ZlibEncoder};
    use flate2::Compression;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn br(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut e = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            e.write_all(data).unwrap();
        }
        out
    }

    fn zst(data: &[u8]) -> Vec<u8> {
        zstd::stream::encode_all(data, 3).unwrap()
    }

    #[test]
    fn decodes_gzip_deflate_brotli_and_zstd_in_small_chunks() {
        let body = b"<html>hello hello hello</html>".repeat(100);
        let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
        z.write_all(&body).unwrap();
        for (enc, data) in [
            ("gzip", gz(&body)),
            ("deflate", z.finish().unwrap()),
            ("br", br(&body)),
            ("zstd", zst(&body)),
        ] {
            let (mut d, decodes) = BodyDecoder::new(Some(enc), 1 << 20);
            assert!(decodes);
            for c in data.chunks(7) {
                d.push(c).unwrap();
            }
            assert_eq!(d.finish().unwrap(), body, "{enc}");
        }
        let (d, decodes) = BodyDecoder::new(Some("compress"), 10);
        assert!(!decodes, "unknown encodings are kept as received");
        drop(d);
    }

    #[test]
    fn a_bomb_stops_at_the_cap() {
        let zeros = vec![0u8; 8 << 20];
        for (enc, data) in [
            ("gzip", gz(&zeros)),
            ("br", br(&zeros)),
            ("zstd", zst(&zeros)),
        ] {
            let (mut d, _) = BodyDecoder::new(Some(enc), 1 << 20);
            let mut stopped = None;
            for c in data.chunks(4096) {
                if let Err(s) = d.push(c) {
                    stopped = Some(s);
                    break;
                }
            }
            // A stream that decodes lazily may only notice at its end.
            let stopped = match stopped {
                Some(s) => s,
                None => d.finish().expect_err(enc).0,
            };
            assert_eq!(stopped, Stop::Full, "{enc}");
        }
    }

    #[test]
    fn corrupt_and_cut_streams_are_reported() {
        let (mut d, _) = BodyDecoder::new(Some("gzip"), 1 << 20);
        let r = d.push(b"\x1f\x8b\x08\x00garbage-garbage-garbage");
        assert!(matches!(r, Err(Stop::Corrupt(_))), "{r:?}");
        let text = b"some text that is long enough to be cut".repeat(20);
        for (enc, data) in [("gzip", gz(&text)), ("br", br(&text)), ("zstd", zst(&text))] {
            let (mut d, _) = BodyDecoder::new(Some(enc), 1 << 20);
            d.push(&data[..data.len() - 6]).unwrap();
            assert!(matches!(d.finish(), Err((Stop::Corrupt(_), _))), "{enc}");
        }
        for enc in ["br", "zstd"] {
            let (mut d, _) = BodyDecoder::new(Some(enc), 1 << 20);
            let r = d
                .push(b"garbage-garbage-garbage-garbage")
                .and_then(|()| d.finish().map(|_| ()).map_err(|(s, _)| s));
            assert!(matches!(r, Err(Stop::Corrupt(_))), "{enc}: {r:?}");
        }
    }
}
