//! Bytes → text.
//!
//! The encoding is chosen in this order (the first that applies wins):
//! 1. a byte-order mark (UTF-8, UTF-16LE/BE);
//! 2. the `charset` parameter of the Content-Type header;
//! 3. a `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…; charset=…">`
//!    in the first [`PRESCAN_BYTES`] bytes;
//! 4. sniffing with `chardetng` (the detector Firefox uses), UTF-8 allowed.
//!
//! Labels are resolved with the WHATWG Encoding Standard (`encoding_rs`), so
//! `iso-8859-1` / `latin1` mean windows-1252, `gb2312` means GBK, etc. A declared
//! UTF-16 in a `<meta>` is read as UTF-8 (a page that can be read as ASCII to
//! find its meta tag is not UTF-16), and `x-user-defined` as windows-1252, as
//! browsers do. Malformed sequences become U+FFFD: decoding never fails.
//!
//! Text that was UTF-8, read once as windows-1252 or ISO-8859-1 and saved again
//! ("doesnâ€™t", "Ã©tÃ©": mojibake, common in templates and CMS exports) is
//! repaired when the page holds at least two such sequences: each run of
//! characters that maps back to bytes forming valid multi-byte UTF-8 is
//! replaced by what those bytes say (see [`repair_mojibake`]).

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED};
use once_cell::sync::Lazy;
use regex::bytes::Regex;

/// How many leading bytes are searched for a `<meta>` charset declaration.
pub const PRESCAN_BYTES: usize = 4096;

/// How many bytes are fed to the sniffer when nothing is declared.
const SNIFF_BYTES: usize = 64 * 1024;

/// Where the chosen encoding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharsetSource {
    Bom,
    ContentType,
    MetaTag,
    Sniffed,
}

/// A decoded body.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static Encoding,
    pub source: CharsetSource,
    /// True when malformed byte sequences were replaced with U+FFFD.
    pub had_errors: bool,
}

static META_CHARSET: Lazy<Regex> = Lazy::new(|| {
    // `charset=` inside a <meta ...> tag, quoted or not; covers both
    // `<meta charset="x">` and `<meta http-equiv=... content="text/html; charset=x">`.
    Regex::new(r#"(?i-u)<meta\b[^>]{0,512}?charset\s*=\s*["']?\s*([a-z0-9_:.\-]{1,40})"#)
        .expect("static regex")
});

/// The `charset` parameter of a Content-Type value, if any.
pub fn charset_from_content_type(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        if k.trim().eq_ignore_ascii_case("charset") {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            (!v.is_empty()).then_some(v)
        } else {
            None
        }
    })
}

/// The encoding a `<meta>` tag in the first [`PRESCAN_BYTES`] declares.
pub fn charset_from_meta(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let label = META_CHARSET.captures(head)?.get(1)?.as_bytes();
    let enc = Encoding::for_label(label)?;
    Some(if enc == UTF_16LE || enc == UTF_16BE {
        UTF_8
    } else if enc == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        enc
    })
}

/// Choose the encoding of `bytes` (see the module docs for the order).
pub fn detect(bytes: &[u8], content_type: Option<&str>) -> (&'static Encoding, CharsetSource) {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return (enc, CharsetSource::Bom);
    }
    if let Some(enc) = content_type
        .and_then(charset_from_content_type)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
    {
        return (enc, CharsetSource::ContentType);
    }
    if let Some(enc) = charset_from_meta(bytes) {
        return (enc, CharsetSource::MetaTag);
    }
    // Pure ASCII or valid UTF-8 needs no sniffing (and is the common case).
    let sample = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if valid_utf8_prefix(sample) {
        return (UTF_8, CharsetSource::Sniffed);
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(sample, sample.len() == bytes.len());
    (det.guess(None, true), CharsetSource::Sniffed)
}

/// Whether `sample` is valid UTF-8, allowing a sequence cut at its end.
fn valid_utf8_prefix(sample: &[u8]) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && sample.len() - e.valid_up_to() < 4,
    }
}

/// Decode `bytes` to text.
pub fn decode<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Decoded<'a> {
    let (encoding, source) = detect(bytes, content_type);
    // `decode` sniffs the BOM again and strips it (a BOM overrides any label, as in browsers).
    let (text, used, had_errors) = encoding.decode(bytes);
    let text = match repair_mojibake(&text) {
        Some(fixed) => Cow::Owned(fixed),
        None => text,
    };
    Decoded {
        text,
        encoding: used,
        source,
        had_errors,
    }
}

/// The byte a character stands for when UTF-8 was misread as windows-1252 or
/// ISO-8859-1: U+0080–U+00FF are themselves, windows-1252's 0x80–0x9F
/// punctuation (`€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ`) their byte.
fn misread_byte(c: char) -> Option<u8> {
    static CP1252_HIGH: Lazy<Vec<(char, u8)>> = Lazy::new(|| {
        (0x80u8..=0x9F)
            .filter_map(|b| {
                let byte = [b];
                let (s, _) = WINDOWS_1252.decode_without_bom_handling(&byte);
                let c = s.chars().next()?;
                (u32::from(c) > 0xFF).then_some((c, b))
            })
            .collect()
    });
    match u32::from(c) {
        0x80..=0xFF => u8::try_from(u32::from(c)).ok(),
        _ => CP1252_HIGH.iter().find(|(x, _)| *x == c).map(|(_, b)| *b),
    }
}

/// Repair UTF-8 that was decoded as windows-1252/ISO-8859-1 and re-encoded
/// ("doesnâ€™t" → "doesn’t", "cafÃ©" → "café"). Only sequences that form a
/// valid multi-byte UTF-8 character are touched, and only when the text holds
/// at least two of them (one lone pair like "Ã©" could be meant). `None` when
/// there is nothing to repair.
pub fn repair_mojibake(text: &str) -> Option<String> {
    // Every misread lead byte (0xC2–0xF4) is a character U+00C2–U+00F4, which
    // UTF-8 encodes as 0xC3 0x82–0xB4: pages without a 0xC3 byte are clean.
    // Only those characters can start a misread sequence, so only the 0xC3 bytes are
    // visited (memchr), not every character of the page.
    let mut fixes: Vec<(usize, usize, char)> = Vec::new();
    let mut resume = 0;
    for start in memchr::memchr_iter(0xC3, text.as_bytes()) {
        if start < resume {
            continue;
        }
        // 0xC3 is always a lead byte in valid UTF-8, so `start` is a char boundary.
        let Some(c) = text[start..].chars().next() else {
            continue;
        };
        let need = match u32::from(c) {
            0xC2..=0xDF => 1,
            0xE0..=0xEF => 2,
            0xF0..=0xF4 => 3,
            _ => continue,
        };
        let mut bytes = [0u8; 4];
        bytes[0] = u8::try_from(u32::from(c)).unwrap_or(0);
        let after = start + c.len_utf8();
        let mut ahead = text[after..].char_indices();
        let mut end = after;
        let ok = (1..=need).all(|k| match ahead.next() {
            Some((at, c)) => match misread_byte(c) {
                Some(b @ 0x80..=0xBF) => {
                    bytes[k] = b;
                    end = after + at + c.len_utf8();
                    true
                }
                _ => false,
            },
            None => false,
        });
        let repaired = ok
            .then(|| std::str::from_utf8(&bytes[..=need]).ok())
            .flatten()
            .and_then(|s| s.chars().next());
        if let Some(r) = repaired {
            fixes.push((start, end, r));
            resume = end;
        }
    }
    if fixes.len() < 2 {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, r) in fixes {
        out.push_str(&text[at..start]);
        out.push(r);
        at = end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_is_repaired_and_real_accents_are_not() {
        // UTF-8 read as windows-1252 (the curly quote's bytes E2 80 99 as "â€™").
        assert_eq!(
            repair_mojibake("It doesnâ€™t matter â€” cafÃ© au lait").as_deref(),
            Some("It doesn’t matter — café au lait")
        );
        // ... and as ISO-8859-1 (C1 controls in place of the windows-1252 punctuation).
        assert_eq!(
            repair_mojibake("A DIY Investor\u{e2}\u{80}\u{99}s Guide \u{e2}\u{80}\u{94} JOHNSON\u{e2}\u{80}\u{99}S")
                .as_deref(),
            Some("A DIY Investor’s Guide — JOHNSON’S")
        );
        // Real Latin text is left alone, as is a lone pair.
        for clean in [
            "São Paulo, ação, Größe, déjà vu, Ça va, naïve, Ørsted, 10×20 – “quoted” €5",
            "cafÃ© only once",
            "plain ASCII text",
        ] {
            assert_eq!(repair_mojibake(clean), None, "{clean}");
        }
    }

    #[test]
    fn decode_repairs_a_misread_page() {
        let page = "<html><head><meta charset=utf-8><title>Itâ€™s here</title></head>\
                    <body><p>Weâ€™re done.</p></body></html>";
        let d = decode(page.as_bytes(), None);
        assert!(d.text.contains("<title>It’s here</title>"), "{}", d.text);
        assert!(d.text.contains("We’re done."));
    }

    const RU: &str = "Москва, 8 октября. Консультации о визите Ким Чен Ына в Россию идут, сообщил Дмитрий Песков. Ёлка, щука, объём, съезд.";
    const JA: &str = "金正恩氏のロシア訪問について協議が進行中だとクレムリンが発表しました。東京、大阪、日本語のテキストです。";
    const ZH: &str =
        "克里姆林宫表示，关于金正恩访问俄罗斯的磋商正在进行中。中华人民共和国，北京，上海，广州。";
    const FR: &str = "Le président français a déclaré à Paris que les négociations étaient très avancées, déjà à l'été. Où ça? Là-bas, près du château.";

    fn page(enc: &'static Encoding, text: &str, meta: bool) -> Vec<u8> {
        let head = if meta {
            format!("<meta charset=\"{}\">", enc.name())
        } else {
            String::new()
        };
        let html = format!(
            "<!doctype html><html><head>{head}<title>t</title></head><body><p>{text}</p><p>{text}</p></body></html>"
        );
        let (bytes, _, unmappable) = enc.encode(&html);
        assert!(!unmappable, "test text not representable in {}", enc.name());
        bytes.into_owned()
    }

    fn round_trip(enc: &'static Encoding, text: &str) {
        // Declared in the header.
        let bytes = page(enc, text, false);
        let ct = format!("text/html; charset={}", enc.name());
        let d = decode(&bytes, Some(&ct));
        assert_eq!(d.source, CharsetSource::ContentType);
        assert!(d.text.contains(text), "{}: {}", enc.name(), d.text);
        // Declared in a meta tag.
        let bytes = page(enc, text, true);
        let d = decode(&bytes, Some("text/html"));
        assert_eq!(d.source, CharsetSource::MetaTag, "{}", enc.name());
        assert!(d.text.contains(text), "{}", enc.name());
        // Not declared at all: sniffed.
        let bytes = page(enc, text, false);
        let d = decode(&bytes, None);
        assert_eq!(d.source, CharsetSource::Sniffed);
        assert!(
            d.text.contains(text),
            "sniffed {} as {}",
            enc.name(),
            d.encoding.name()
        );
    }

    #[test]
    fn windows_1251() {
        round_trip(encoding_rs::WINDOWS_1251, RU);
    }

    #[test]
    fn koi8_r() {
        round_trip(encoding_rs::KOI8_R, RU);
    }

    #[test]
    fn shift_jis() {
        round_trip(encoding_rs::SHIFT_JIS, JA);
    }

    #[test]
    fn gb18030() {
        round_trip(encoding_rs::GB18030, ZH);
    }

    #[test]
    fn latin1() {
        // "ISO-8859-1" is windows-1252 in the Encoding Standard.
        let enc = Encoding::for_label(b"iso-8859-1").unwrap();
        assert_eq!(enc, WINDOWS_1252);
        round_trip(enc, FR);
        let bytes = page(enc, FR, false);
        let d = decode(&bytes, Some("text/html; charset=\"ISO-8859-1\""));
        assert!(d.text.contains(FR));
    }

    #[test]
    fn utf8_and_bom() {
        let html = format!("<html><body>{RU}</body></html>");
        let d = decode(html.as_bytes(), None);
        assert!(
            matches!(d.text, Cow::Borrowed(_)),
            "valid UTF-8 is not copied"
        );
        assert_eq!(d.text, html);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(html.as_bytes());
        // A BOM wins over a wrong header.
        let d = decode(&bom, Some("text/html; charset=windows-1251"));
        assert_eq!(d.source, CharsetSource::Bom);
        assert_eq!(d.text, html);
        let mut le = vec![0xFF, 0xFE];
        for unit in html.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode(&le, None);
        assert_eq!(d.encoding, UTF_16LE);
        assert_eq!(d.text, html);
    }

    #[test]
    fn header_beats_meta_and_meta_utf16_means_utf8() {
        let bytes = page(encoding_rs::WINDOWS_1251, RU, false);
        let mut with_meta = b"<meta charset=\"koi8-r\">".to_vec();
        with_meta.extend_from_slice(&bytes);
        let d = decode(&with_meta, Some("text/html;charset=windows-1251"));
        assert!(d.text.contains(RU));
        assert_eq!(
            charset_from_meta(
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-16\">"
            ),
            Some(UTF_8)
        );
        assert_eq!(
            charset_from_meta(
                b"<META HTTP-EQUIV='content-type' CONTENT='text/html;charset=Windows-1251'>"
            ),
            Some(encoding_rs::WINDOWS_1251)
        );
        assert_eq!(charset_from_meta(b"<meta charset=bogus-label>"), None);
    }

    #[test]
    fn content_type_parsing() {
        assert_eq!(
            charset_from_content_type("text/html; charset=UTF-8"),
            Some("UTF-8")
        );
        assert_eq!(
            charset_from_content_type("text/html;Charset=\"koi8-r\""),
            Some("koi8-r")
        );
        assert_eq!(charset_from_content_type("text/html"), None);
        assert_eq!(charset_from_content_type("text/html; charset="), None);
    }

    #[test]
    fn garbage_never_panics() {
        let mut x: u32 = 12345;
        for len in [0usize, 1, 2, 3, 7, 100, 5000, 70_000] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            let d = decode(&bytes, None);
            assert!(d.text.len() >= len / 4);
            let _ = decode(&bytes, Some("text/html; charset=shift_jis"));
            let _ = decode(&bytes, Some(";;;=;charset"));
        }
    }
}
