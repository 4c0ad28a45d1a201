//! Within one batch, only the highest `version` of each id is written (pure logic).

use std::collections::HashMap;

use crate::decode::ArticleRow;

/// The rows to write: one per id, its highest `version` (on a tie, the first seen: same
/// version, same content), in first-seen order; and how many rows were dropped as
/// superseded within the batch (they count as `unchanged`).
pub fn keep_highest(rows: &[ArticleRow]) -> (Vec<&ArticleRow>, u64) {
    let mut slot: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    let mut kept: Vec<&ArticleRow> = Vec::with_capacity(rows.len());
    let mut dropped = 0u64;
    for row in rows {
        match slot.get(row.id.as_str()) {
            Some(&i) => {
                dropped += 1;
                if row.version > kept[i].version {
                    kept[i] = row;
                }
            }
            None => {
                slot.insert(&row.id, kept.len());
                kept.push(row);
            }
        }
    }
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, version: i32, title: &str) -> ArticleRow {
        ArticleRow {
            id: id.into(),
            version,
            canonical_url: None,
            url: format!("https://ex.com/{id}"),
            title: Some(title.into()),
            lead: None,
            authors: vec![],
            published_at: None,
            modified_at: None,
            section: None,
            language: None,
            body: String::new(),
            image_url: None,
            fetched_at: None,
            is_article: true,
            message: serde_json::Value::Null,
            aliases: vec![],
        }
    }

    #[test]
    fn highest_version_per_id_in_first_seen_order() {
        let rows = vec![
            row("a", 1, "a1"),
            row("b", 2, "b2"),
            row("a", 3, "a3"),
            row("b", 1, "b1"),
            row("a", 3, "a3 again"),
            row("c", 1, "c1"),
        ];
        let (kept, dropped) = keep_highest(&rows);
        let got: Vec<(&str, i32, &str)> = kept
            .iter()
            .map(|r| (r.id.as_str(), r.version, r.title.as_deref().unwrap()))
            .collect();
        assert_eq!(got, vec![("a", 3, "a3"), ("b", 2, "b2"), ("c", 1, "c1")]);
        assert_eq!(dropped, 3);
    }

    #[test]
    fn empty_and_distinct_batches_pass_through() {
        assert_eq!(keep_highest(&[]), (vec![], 0));
        let rows = vec![row("a", 1, "x"), row("b", 1, "y")];
        assert_eq!(keep_highest(&rows), (rows.iter().collect(), 0));
    }
}
