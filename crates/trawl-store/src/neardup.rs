//! Pure near-duplicate logic shared by both stores: SimHash banding and the
//! Hamming distance.
//!
//! A 64-bit SimHash is cut into [`BANDS`] bands of 16 bits. If two hashes differ
//! in at most `BANDS - 1` = 3 bits, at least one band holds none of the differing
//! bits (pigeonhole), so the two hashes share that band exactly: looking up the
//! four band buckets of a new hash finds every stored hash within distance 3.
//! For `max_distance > 3` the lookup is best-effort (a hash that differs in every
//! band is not a candidate), which the stores document.

/// Number of 16-bit bands a SimHash is cut into.
pub const BANDS: usize = 4;

/// The largest distance for which the band lookup is exhaustive.
pub const EXHAUSTIVE_MAX_DISTANCE: u32 = (BANDS as u32) - 1;

/// The four 16-bit bands of a SimHash, most significant first.
pub fn bands(simhash: u64) -> [u16; BANDS] {
    [
        (simhash >> 48) as u16,
        (simhash >> 32) as u16,
        (simhash >> 16) as u16,
        simhash as u16,
    ]
}

/// Hamming distance between two 64-bit hashes.
pub use trawl_core::id::hamming as distance;

/// A stored claim: `<simhash as 16 hex digits>:<article_id>:<url>` (the URL is last
/// because it may itself contain colons). This is the member format of the Redis
/// band sets, parsed the same way by the Lua script.
pub fn encode_entry(simhash: u64, article_id: &str, url: &str) -> String {
    format!("{simhash:016x}:{article_id}:{url}")
}

/// Parse [`encode_entry`]'s format; `None` on anything malformed.
pub fn parse_entry(entry: &str) -> Option<(u64, &str, &str)> {
    let (hash, rest) = entry.split_once(':')?;
    if hash.len() != 16 {
        return None;
    }
    let simhash = u64::from_str_radix(hash, 16).ok()?;
    let (article_id, url) = rest.split_once(':')?;
    Some((simhash, article_id, url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_hashes_share_a_band() {
        // Flip every combination of up to 3 bits chosen from a spread of positions.
        let base = 0x0123_4567_89ab_cdef_u64;
        let positions = [0u32, 5, 15, 16, 31, 32, 47, 48, 63];
        for &a in &positions {
            for &b in &positions {
                for &c in &positions {
                    let other = base ^ (1 << a) ^ (1 << b) ^ (1 << c);
                    assert!(distance(base, other) <= 3);
                    let (x, y) = (bands(base), bands(other));
                    assert!((0..BANDS).any(|i| x[i] == y[i]), "{a} {b} {c}");
                }
            }
        }
    }

    #[test]
    fn four_flips_in_four_bands_share_nothing() {
        let base = 0u64;
        let other = (1 << 0) | (1 << 16) | (1 << 32) | (1 << 48);
        let (x, y) = (bands(base), bands(other));
        assert!((0..BANDS).all(|i| x[i] != y[i]));
        assert_eq!(distance(base, other), 4);
    }

    #[test]
    fn entry_round_trip_keeps_colons_in_url() {
        let e = encode_entry(0xdead_beef, "abc123", "https://h:8080/a:b");
        assert_eq!(e, "00000000deadbeef:abc123:https://h:8080/a:b");
        assert_eq!(
            parse_entry(&e),
            Some((0xdead_beef, "abc123", "https://h:8080/a:b"))
        );
        assert_eq!(parse_entry("zz:abc:url"), None);
        assert_eq!(parse_entry("nothing"), None);
        assert_eq!(parse_entry("00000000deadbeef:noturl"), None);
    }
}
