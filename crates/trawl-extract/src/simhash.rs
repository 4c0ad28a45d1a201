//! 64-bit SimHash of a text, for near-duplicate detection.
//!
//! Features are overlapping 3-word shingles of the lower-cased word sequence
//! (words = runs of alphanumeric chars; for scripts written without spaces, such
//! as Chinese or Japanese, every character is a word). Each shingle is hashed with
//! xxh3-64 (stable across platforms and releases); bit `i` of the fingerprint is set
//! when more shingles have bit `i` set than not. Texts that share most shingles get
//! fingerprints at a small Hamming distance; unrelated texts land near 32.

use xxhash_rust::xxh3::xxh3_64;

const SHINGLE: usize = 3;

/// The 64-bit SimHash of `text` (0 for a text without words).
pub fn simhash64(text: &str) -> u64 {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            if is_unspaced_script(c) {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                words.push(c.to_string());
            } else {
                cur.extend(c.to_lowercase());
            }
        } else if !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    if words.is_empty() {
        return 0;
    }
    let mut counts = [0i32; 64];
    let mut add = |h: u64| {
        for (bit, c) in counts.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *c += 1;
            } else {
                *c -= 1;
            }
        }
    };
    let mut key = String::new();
    if words.len() < SHINGLE {
        add(xxh3_64(words.join(" ").as_bytes()));
    } else {
        for w in words.windows(SHINGLE) {
            key.clear();
            for (i, part) in w.iter().enumerate() {
                if i > 0 {
                    key.push(' ');
                }
                key.push_str(part);
            }
            add(xxh3_64(key.as_bytes()));
        }
    }
    let mut out = 0u64;
    for (bit, c) in counts.iter().enumerate() {
        if *c > 0 {
            out |= 1 << bit;
        }
    }
    out
}

/// Hamming distance between two fingerprints.
pub use trawl_core::id::hamming;

fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // hiragana, katakana
        | 0x3400..=0x4DBF // CJK ext A
        | 0x4E00..=0x9FFF // CJK unified
        | 0xF900..=0xFAFF
        | 0x0E00..=0x0E7F // Thai
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "The city council voted on Tuesday to approve the new budget, which raises spending on \
        schools, roads and public transport by almost ten percent over last year. Opponents said the plan, \
        drafted in a hurry, would leave the city exposed if tax receipts fall, while supporters argued that \
        the investment was long overdue. The mayor said the first new routes would open in the spring.";

    #[test]
    fn identical_texts_identical_hash_and_case_insensitive() {
        assert_eq!(simhash64(A), simhash64(A));
        assert_eq!(simhash64(A), simhash64(&A.to_uppercase()));
        assert_eq!(simhash64(""), 0);
        assert_eq!(simhash64(" ,. "), 0);
    }

    #[test]
    fn small_edit_small_distance() {
        let b = A
            .replace("Tuesday", "Wednesday")
            .replace(" long overdue", " overdue");
        let d = hamming(simhash64(A), simhash64(&b));
        assert!(d <= 10, "distance {d}");
    }

    #[test]
    fn different_texts_far_apart() {
        let other = "Heavy rain flooded several villages in the north overnight, cutting power to thousands of \
            homes and forcing the closure of two motorways. Rescue teams evacuated residents by boat while \
            forecasters warned that more storms were expected before the weekend.";
        let d = hamming(simhash64(A), simhash64(other));
        assert!(d >= 16, "distance {d}");
    }

    #[test]
    fn cjk_text_hashes() {
        let a = "東京都は火曜日、新しい予算案を承認した。学校や道路への支出が増える。";
        let b = "東京都は水曜日、新しい予算案を承認した。学校や道路への支出が増える。";
        assert_ne!(simhash64(a), 0);
        assert!(hamming(simhash64(a), simhash64(b)) < 20);
    }
}
