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
    // The lower-cased words joined by single spaces, and each word's byte range in it:
    // a shingle "w1 w2 w3" is then one slice of `norm`, hashed without building a key.
    let mut norm = String::with_capacity(text.len());
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    let mut close = |norm: &mut String, start: &mut Option<usize>| {
        if let Some(s) = start.take() {
            words.push((s, norm.len()));
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            if is_unspaced_script(c) {
                close(&mut norm, &mut start);
                if !norm.is_empty() {
                    norm.push(' ');
                }
                let s = norm.len();
                norm.push(c);
                start = Some(s);
                close(&mut norm, &mut start);
            } else {
                if start.is_none() {
                    if !norm.is_empty() {
                        norm.push(' ');
                    }
                    start = Some(norm.len());
                }
                if c.is_ascii() {
                    norm.push(c.to_ascii_lowercase());
                } else {
                    norm.extend(c.to_lowercase());
                }
            }
        } else {
            close(&mut norm, &mut start);
        }
    }
    close(&mut norm, &mut start);
    if words.is_empty() {
        return 0;
    }
    let mut counts = BitCounts::new();
    if words.len() < SHINGLE {
        counts.add(xxh3_64(norm.as_bytes()));
    } else {
        for w in words.windows(SHINGLE) {
            counts.add(xxh3_64(&norm.as_bytes()[w[0].0..w[SHINGLE - 1].1]));
        }
    }
    counts.majority()
}

/// `SPREAD[b]` holds bit `j` of `b` in its byte `j`: adding it counts eight bits at once.
static SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut j = 0;
        while j < 8 {
            if b >> j & 1 == 1 {
                t[b] |= 1 << (8 * j);
            }
            j += 1;
        }
        b += 1;
    }
    t
};

/// How many of the hashes added have each bit set: the hashes' bytes are counted in
/// eight byte-wide lanes per word (through [`SPREAD`]), moved to `ones` before a lane
/// can overflow.
struct BitCounts {
    ones: [u64; 64],
    lanes: [u64; 8],
    pending: u32,
    total: u64,
}

impl BitCounts {
    fn new() -> BitCounts {
        BitCounts {
            ones: [0; 64],
            lanes: [0; 8],
            pending: 0,
            total: 0,
        }
    }

    fn add(&mut self, h: u64) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            *lane += SPREAD[(h >> (8 * k) & 0xff) as usize];
        }
        self.total += 1;
        self.pending += 1;
        if self.pending == 255 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            for j in 0..8 {
                self.ones[8 * k + j] += *lane >> (8 * j) & 0xff;
            }
            *lane = 0;
        }
        self.pending = 0;
    }

    /// Bit `i` set when more hashes have bit `i` set than not.
    fn majority(mut self) -> u64 {
        self.flush();
        let mut out = 0u64;
        for (bit, ones) in self.ones.iter().enumerate() {
            if 2 * ones > self.total {
                out |= 1 << bit;
            }
        }
        out
    }
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

    /// The first implementation (a `String` per word and per shingle key): fingerprints are
    /// stored in the content index, so a faster one must give the same bits.
    fn reference(text: &str) -> u64 {
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

    #[test]
    fn same_fingerprints_as_the_first_implementation() {
        for text in [
            A,
            "",
            "one",
            "two words",
            "Straße ÉCOLE naïve — İstanbul ΣΊΣΥΦΟΣ",
            "日本語のテキストと English mixed 中文 text, 123 numbers",
            "  lots   of\n\nwhitespace\tand punctuation!!! ...  ",
        ] {
            assert_eq!(simhash64(text), reference(text), "{text:?}");
        }
    }

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
