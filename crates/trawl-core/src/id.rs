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

/// Hamming distance between two 64-bit fingerprints (the articles' SimHash
/// `content_fingerprint`): the number of differing bits. Near-duplicates differ in few.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Digest of what a reader sees change in an article: its title and body (XXH3-64 of
/// `title \n body`, 16 lowercase hex chars). An update check compares it with the digest of
/// the version already published; the page's chrome (teasers, "most read") does not count.
pub fn content_digest(title: Option<&str>, body: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(title.unwrap_or("").as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    format!("{:016x}", h.digest())
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

    #[test]
    fn hamming_counts_differing_bits() {
        assert_eq!(hamming(0, 0), 0);
        assert_eq!(hamming(0b1011, 0b0001), 2);
        assert_eq!(hamming(u64::MAX, 0), 64);
    }

    #[test]
    fn content_digest_changes_with_title_or_body_only() {
        let d = content_digest(Some("Title"), "Body.");
        assert_eq!(d.len(), 16);
        assert_eq!(d, content_digest(Some("Title"), "Body."));
        assert_ne!(d, content_digest(Some("Title!"), "Body."));
        assert_ne!(d, content_digest(Some("Title"), "Body. Correction."));
        // The separator keeps title and body apart.
        assert_ne!(
            content_digest(Some("a"), "b"),
            content_digest(Some("a\nb"), "")
        );
    }
}
