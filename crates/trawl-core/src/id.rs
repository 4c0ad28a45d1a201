//! Stable ids and URL fingerprints.

use xxhash_rust::xxh3::xxh3_128;

/// Stable article id: 128-bit XXH3 of the canonical URL, 32 lowercase hex chars.
pub fn article_id(canonical_url: &str) -> String {
    format!("{:032x}", xxh3_128(canonical_url.as_bytes()))
}

/// 128-bit fingerprint of a canonical URL, as used by the seen-set.
pub fn url_fingerprint(canonical_url: &str) -> u128 {
    xxh3_128(canonical_url.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = article_id("https://example.com/a");
        assert_eq!(a.len(), 32);
        assert_eq!(a, article_id("https://example.com/a"));
        assert_ne!(a, article_id("https://example.com/b"));
        assert_ne!(url_fingerprint("x"), url_fingerprint("y"));
    }
}
