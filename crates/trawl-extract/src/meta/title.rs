//! The title: the visible headline the page's sources agree on, without the site's name.

use super::*;

pub(super) const TITLE_SEPARATORS: &[&str] = &[
    " | ", " — ", " – ", " - ", " :: ", " · ", " • ", " « ", " » ", " / ",
];

/// Lowercase alphanumeric words.
pub(super) fn words(s: &str) -> HashSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The title: the visible headline (`<h1>`) when the page's metadata titles
/// (og:title, JSON-LD headline, twitter:title, `<title>`) agree with it, else
/// the first metadata title without its site name.
///
/// 1. An h1 equal to a metadata title, or to its part before a separator, wins.
/// 2. Else the h1 that shares most words with a metadata title (at least half
///    of its own words): an SEO title reworded from the headline still names it.
///    An h1 that is a home link (the logo) or a site name is never the headline, nor
///    one that links to another page (a related story's teaser).
/// 3. With no metadata title at all, the first such h1.
pub(super) fn choose_title(w: &Walk, ld: &JsonLd, site_names: &[String]) -> Option<String> {
    let candidates: Vec<String> = [
        w.meta("og:title").map(str::to_string),
        ld.headline.clone(),
        w.meta("twitter:title").map(str::to_string),
        w.itemprop("headline").map(str::to_string),
        w.title_tag.clone(),
    ]
    .into_iter()
    .flatten()
    .map(|t| clean_text(&t))
    .filter(|t| !t.is_empty())
    .collect();
    let names: Vec<String> = site_names.iter().map(|s| norm(s)).collect();
    let usable = |nav: bool| -> Vec<&str> {
        w.h1s
            .iter()
            .filter(|(t, p)| {
                w.nav_h1s.contains(p) == nav
                    && !w.home_h1s.contains(p)
                    && !w.teaser_h1s.contains(p)
                    && t.chars().count() <= 300
                    && !names.contains(&norm(t))
            })
            .map(|(t, _)| t.as_str())
            .collect()
    };
    let finish = |h: &str| strip_pipe_suffix(&strip_site_name(h, site_names));
    let cand_words: Vec<HashSet<String>> = candidates.iter().map(|c| words(c)).collect();
    // Headlines outside navigation first; one inside a container named like
    // navigation (a "banner" hero, a "sidebar-right" layout) only when it agrees.
    let h1s = usable(false);
    for pass in [&h1s, &usable(true)] {
        if let Some(h) = agreeing_h1(pass, &candidates, &cand_words) {
            // A heading that holds a metadata title plus its date ("Dec 18 2025
            // Preparing a transition"): the title without the date.
            if let Some(c) = candidates.iter().find(|c| dated_heading_of(h, c)) {
                return Some(finish(c));
            }
            return Some(finish(h));
        }
    }
    // 3. The page's only headline, though the metadata words it differently, as long as
    //    it reads as a headline, not as a call-out ("A message from our founder:") nor as a
    //    description (over 25 words) beside a metadata title on the same subject, which
    //    then names the page better. A long h1 beside generic metadata titles stays.
    if let [h] = h1s[..] {
        let n = h.split_whitespace().count();
        let hw = words(h);
        let shares = |limit: usize| {
            cand_words.is_empty()
                || cand_words.iter().any(|cw| {
                    200 * hw.intersection(cw).count() / (hw.len() + cw.len()).max(1) >= limit
                })
        };
        if n >= 3 && (n <= 25 || !shares(20)) && !h.trim_end().ends_with(':') {
            return Some(finish(h));
        }
    }
    // 4. The first metadata title, with a confirmed site-name suffix (or prefix) removed.
    match candidates.first() {
        Some(first) => Some(strip_site_name(first, site_names)),
        None => h1s.first().map(|h| finish(h)),
    }
}

/// Whether `heading` is `title` with a date before or after it ("Dec 18 2025
/// Preparing a transition", "Preparing a transition — 18.12.2025").
pub(super) fn dated_heading_of(heading: &str, title: &str) -> bool {
    let (h, t) = (norm(heading), norm(title));
    if t.split_whitespace().count() < 2 || h.len() <= t.len() {
        return false;
    }
    let rest = if let Some(r) = h.strip_suffix(t.as_str()) {
        r
    } else if let Some(r) = h.strip_prefix(t.as_str()) {
        r
    } else {
        return false;
    };
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || "-|·•,:/()".contains(c));
    let words: Vec<&str> = rest.split_whitespace().collect();
    // A date, not a bare year ("2025 Software Development Price Guide" keeps its year).
    ((2..=5).contains(&words.len()) || (words.len() == 1 && rest.contains(['.', '/', '-'])))
        && has_year(rest)
        && words.iter().all(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            w.is_empty()
                || w.chars().all(|c| c.is_ascii_digit() || ".:/-".contains(c))
                || date::month_number(w).is_some()
                || w.len() <= 3 && w.chars().all(char::is_alphabetic)
        })
}

/// Rules 1 and 2 of [`choose_title`] over the given h1s.
pub(super) fn agreeing_h1<'h>(
    h1s: &[&'h str],
    candidates: &[String],
    cand_words: &[HashSet<String>],
) -> Option<&'h str> {
    // 1. An h1 equal to a metadata title, or to its part before a separator.
    for h in h1s {
        let nh = norm(h);
        for c in candidates {
            let nc = norm(c);
            if nc == nh {
                return Some(h);
            }
            if nh.len() >= 10 && nc.starts_with(&nh) {
                let rest = nc[nh.len()..].trim_start();
                if TITLE_SEPARATORS
                    .iter()
                    .any(|s| rest.starts_with(&norm(s.trim())))
                {
                    return Some(h);
                }
            }
        }
    }
    // 2. The h1 sharing most words with a metadata title.
    h1s.iter()
        .filter_map(|h| {
            let hw = words(h);
            if hw.is_empty() {
                return None;
            }
            // Dice coefficient of the two word sets, in percent.
            let dice = cand_words
                .iter()
                .map(|cw| 200 * hw.intersection(cw).count() / (hw.len() + cw.len()).max(1))
                .max()
                .unwrap_or(0);
            Some((dice, *h))
        })
        .filter(|(pct, _)| *pct >= 50)
        .fold(None::<(usize, &str)>, |acc, x| match acc {
            Some(a) if a.0 >= x.0 => Some(a),
            _ => Some(x),
        })
        .map(|(_, h)| h)
}

/// A visible headline ending in " | <words>" (a section or a tagline after a
/// pipe, a `<title>` habit) loses that part when a headline of three or more
/// words remains.
pub(super) fn strip_pipe_suffix(h: &str) -> String {
    if let Some(i) = h.rfind(" | ") {
        let head = h[..i].trim();
        if head.split_whitespace().count() >= 3 {
            return head.to_string();
        }
    }
    h.to_string()
}

pub(super) fn strip_site_name(title: &str, site_names: &[String]) -> String {
    let names: Vec<String> = site_names
        .iter()
        .map(|s| norm(s))
        .filter(|s| !s.is_empty())
        .collect();
    let mut t = title.to_string();
    for _ in 0..3 {
        let mut changed = false;
        for sep in TITLE_SEPARATORS {
            if let Some(i) = t.rfind(sep) {
                let tail = norm(&t[i + sep.len()..]);
                if i > 0 && (names.contains(&tail) || names_the_site(&tail, site_names)) {
                    t.truncate(i);
                    changed = true;
                    break;
                }
            }
            if let Some(i) = t.find(sep) {
                let head = norm(&t[..i]);
                if names.contains(&head) && i + sep.len() < t.len() {
                    t = t[i + sep.len()..].to_string();
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            break;
        }
    }
    // A host name before the headline with no separator ("davidbau.com Vibe Coding").
    if let Some((head, rest)) = t.split_once(' ') {
        let head = norm(head);
        if head.contains('.') && names.contains(&head) && rest.split_whitespace().count() >= 2 {
            t = rest.to_string();
        }
    }
    t.trim().to_string()
}

/// A title suffix that spells a site name the way its domain does ("Bridgestone Tires" on
/// bridgestonetire.com, "JOHNSON'S®" on johnsonsbaby.com): its letters and digits and one of the
/// site names' (host labels included) start the same for at least 5 characters, one being a prefix
/// of the other; at most 4 words.
pub(super) fn names_the_site(tail: &str, site_names: &[String]) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let t = squash(tail);
    if t.chars().count() < 5 || tail.split_whitespace().count() > 4 {
        return false;
    }
    // A host name gives each of its labels but the last ("tires.bridgestone.com": "tires",
    // "bridgestone"); a domain that prefixes the brand ("getdianahr.com" for "DianaHR") ends
    // with it.
    site_names
        .iter()
        .flat_map(|n| {
            let labels: Vec<&str> = n.split('.').collect();
            let keep = if labels.len() > 1 {
                labels.len() - 1
            } else {
                1
            };
            labels.into_iter().take(keep)
        })
        .any(|n| {
            let n = squash(n);
            n.chars().count() >= 5 && (n.starts_with(&t) || t.starts_with(&n) || n.ends_with(&t))
        })
}
