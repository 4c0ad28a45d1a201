//! Gzip detection and capped decompression.

use std::borrow::Cow;
use std::io::Read;

use crate::DiscoverError;

/// Whether the body starts with the gzip magic bytes `1f 8b`.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// The body, gunzipped when it is gzip (detected by magic bytes, not by
/// headers, which lie), refused with [`DiscoverError::TooLarge`] when the
/// decoded size passes `max_decoded_bytes`. Decompression stops at the cap,
/// so a gzip bomb costs at most the cap in memory and time.
pub fn decode_body(bytes: &[u8], max_decoded_bytes: usize) -> Result<Cow<'_, [u8]>, DiscoverError> {
    if !is_gzip(bytes) {
        if bytes.len() > max_decoded_bytes {
            return Err(DiscoverError::TooLarge {
                limit: max_decoded_bytes,
            });
        }
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(max_decoded_bytes));
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    // Read one byte past the cap to tell "exactly the cap" from "more".
    let limit = (max_decoded_bytes as u64).saturating_add(1);
    decoder
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| DiscoverError::Gzip(e.to_string()))?;
    if out.len() > max_decoded_bytes {
        return Err(DiscoverError::TooLarge {
            limit: max_decoded_bytes,
        });
    }
    Ok(Cow::Owned(out))
}

/// Up to `max` decoded bytes from the start of a (possibly gzipped) body,
/// ignoring errors after the prefix. For sniffing.
pub(crate) fn prefix(bytes: &[u8], max: usize) -> Cow<'_, [u8]> {
    if !is_gzip(bytes) {
        return Cow::Borrowed(&bytes[..bytes.len().min(max)]);
    }
    let mut out = Vec::with_capacity(max);
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes).take(max as u64);
    let mut buf = [0u8; 1024];
    loop {
        match decoder.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("write to Vec");
    enc.finish().expect("finish to Vec")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_bodies_pass_through() {
        assert_eq!(&*decode_body(b"<urlset/>", 100).unwrap(), b"<urlset/>");
        assert_eq!(
            decode_body(&[b'x'; 101], 100),
            Err(DiscoverError::TooLarge { limit: 100 })
        );
    }

    #[test]
    fn gzip_detected_and_decoded() {
        let z = gzip(b"hello sitemap");
        assert!(is_gzip(&z));
        assert_eq!(&*decode_body(&z, 100).unwrap(), b"hello sitemap");
        // exactly at the cap is fine
        assert_eq!(decode_body(&z, 13).unwrap().len(), 13);
        assert_eq!(
            decode_body(&z, 12),
            Err(DiscoverError::TooLarge { limit: 12 })
        );
    }

    #[test]
    fn corrupt_gzip_is_an_error() {
        let mut z = gzip(b"hello sitemap, hello sitemap, hello sitemap");
        let n = z.len();
        for b in &mut z[10..n - 8] {
            *b ^= 0x5a;
        }
        assert!(matches!(decode_body(&z, 1000), Err(DiscoverError::Gzip(_))));
        assert!(matches!(
            decode_body(&[0x1f, 0x8b, 0, 0], 1000),
            Err(DiscoverError::Gzip(_))
        ));
    }
}
