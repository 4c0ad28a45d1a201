//! [`Counts`]: how many of each label of a closed set (fetch outcomes, filter reasons), for
//! the crawl and admission summaries. Keyed by the enums themselves; iterated, printed and
//! serialized in the order of the labels' names, with the names as keys, exactly as a map
//! keyed by the name strings would be.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};
use trawl_core::FetchOutcome;
use trawl_url::FilterReason;

/// A closed set of labels, each with a stable snake_case name (its metric label value and its
/// key in the summary JSON).
pub trait Label: Copy + Eq + fmt::Display {
    /// The label's name.
    fn name(self) -> &'static str;
}

impl Label for FetchOutcome {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Label for FilterReason {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A label ordered by its name.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ByName<K>(K);

impl<K: Label> Ord for ByName<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.name().cmp(other.0.name())
    }
}

impl<K: Label> PartialOrd for ByName<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A count per label; labels never counted are absent.
#[derive(Clone, PartialEq, Eq)]
pub struct Counts<K: Label>(BTreeMap<ByName<K>, u64>);

impl<K: Label> Default for Counts<K> {
    fn default() -> Self {
        Counts(BTreeMap::new())
    }
}

impl<K: Label> Counts<K> {
    /// Add `n` to `label`'s count.
    pub fn add(&mut self, label: K, n: u64) {
        *self.0.entry(ByName(label)).or_default() += n;
    }

    /// Add every count of `other`.
    pub fn add_all(&mut self, other: &Counts<K>) {
        for (label, n) in other {
            self.add(label, n);
        }
    }

    /// `label`'s count (0 when never counted).
    pub fn get(&self, label: K) -> u64 {
        self.0.get(&ByName(label)).copied().unwrap_or(0)
    }

    /// The sum of all counts.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// No label counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The labels counted and their counts, in the order of the labels' names.
    pub fn iter(&self) -> impl Iterator<Item = (K, u64)> + '_ {
        self.0.iter().map(|(k, n)| (k.0, *n))
    }
}

impl<'a, K: Label> IntoIterator for &'a Counts<K> {
    type Item = (K, u64);
    type IntoIter = Box<dyn Iterator<Item = (K, u64)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<K: Label> FromIterator<(K, u64)> for Counts<K> {
    fn from_iter<I: IntoIterator<Item = (K, u64)>>(iter: I) -> Self {
        let mut c = Counts::default();
        for (label, n) in iter {
            c.add(label, n);
        }
        c
    }
}

/// As a map from the names: `{"ok": 3}`.
impl<K: Label> fmt::Debug for Counts<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, n)| (k.name(), n)))
            .finish()
    }
}

/// As a map from the names, in name order: `{"client_error":1,"ok":3}`.
impl<K: Label> Serialize for Counts<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter().map(|(k, n)| (k.name(), n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_name_order_with_names_as_keys_like_a_map_of_strings() {
        let mut c = Counts::default();
        c.add(FetchOutcome::Timeout, 1);
        c.add(FetchOutcome::Ok, 2);
        c.add(FetchOutcome::ClientError, 1);
        c.add(FetchOutcome::Ok, 1);
        let by_name: BTreeMap<String, u64> =
            c.iter().map(|(k, n)| (k.as_str().to_string(), n)).collect();
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            serde_json::to_string(&by_name).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"client_error":1,"ok":3,"timeout":1}"#
        );
        assert_eq!(format!("{c:?}"), format!("{by_name:?}"));
        assert_eq!(c.get(FetchOutcome::Ok), 3);
        assert_eq!(c.get(FetchOutcome::DnsError), 0);
        assert_eq!(c.total(), 5);
        let labels: Vec<String> = c.iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(labels, ["client_error", "ok", "timeout"]);
    }

    #[test]
    fn every_filter_reason_sorts_by_its_name() {
        let c: Counts<FilterReason> = FilterReason::ALL.iter().map(|r| (*r, 1)).collect();
        let names: Vec<&str> = c.iter().map(|(k, _)| k.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names.len(), FilterReason::ALL.len());
        let mut twice = c.clone();
        twice.add_all(&c);
        assert_eq!(twice.total(), 2 * c.total());
    }
}
