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
/// 1. An h1 equal to a metadata title, or to its part before a separator, wins; else
///    an h2 equal to a title or its part before the first separator (a template that
///    marks the headline up as an h2).
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
    let h1s = usable(false);
    let nav_h1s = usable(true);
    // A second-level heading that is a metadata title's headline (the title itself, or its
    // part before the first separator) beats an h1 that only shares words with one or
    // disagrees with all: the template marks the headline up as an h2 and uses h1 for a
    // section of the body.
    let exact_h2 = || {
        let heads: Vec<String> = candidates.iter().map(|c| norm(first_part(c))).collect();
        w.h2s
            .iter()
            .map(String::as_str)
            .find(|h| h.split_whitespace().count() >= 3 && heads.contains(&norm(h)))
    };
    // Headlines outside navigation first; one inside a container named like
    // navigation (a "banner" hero, a "sidebar-right" layout) only when it agrees.
    let agreeing = exact_h1(&h1s, &candidates)
        .or_else(exact_h2)
        .or_else(|| closest_h1(&h1s, &cand_words))
        .or_else(|| exact_h1(&nav_h1s, &candidates))
        .or_else(|| closest_h1(&nav_h1s, &cand_words));
    if let Some(h) = agreeing {
        // A heading that holds a metadata title plus its date ("Dec 18 2025
        // Preparing a transition"): the title without the date.
        if let Some(c) = candidates.iter().find(|c| dated_heading_of(h, c)) {
            return Some(finish(c));
        }
        // A heading whose characters outside ASCII were lost on the way ("Planning?
        // Beginner? Guide", "Caf\u{FFFD}"): the metadata title that reads the same around them.
        if let Some(c) = candidates.iter().find(|c| lost_characters_of(h, c)) {
            return Some(finish(c));
        }
        return Some(finish(h));
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
    // 4. The first metadata title, with a confirmed site-name suffix (or prefix) removed,
    //    and then its longest part when separators still split it.
    match candidates.first() {
        Some(first) => Some(longest_part(&strip_site_name(first, site_names))),
        None => h1s.first().map(|h| finish(h)),
    }
}

/// A metadata title no visible headline confirms, still split by separators after its
/// confirmed site name is gone ("The Agency | ML at Georgia Tech", "Webcams - Yosemite
/// National Park", "Homestead gardening … in Rajshahi | District"): the other parts are
/// a section, a site or a tagline, so the part with most words is the headline (the
/// first on a tie). Parts of under three words on both sides keep the whole title.
pub(super) fn longest_part(title: &str) -> String {
    let mut parts: Vec<&str> = vec![title];
    for sep in TITLE_SEPARATORS {
        parts = parts.iter().flat_map(|p| p.split(sep)).collect();
    }
    let parts: Vec<&str> = parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return title.to_string();
    }
    let count = |p: &str| p.split_whitespace().count();
    let best = parts
        .iter()
        .copied()
        .fold("", |best, p| if count(p) > count(best) { p } else { best });
    if count(best) < 3 {
        return title.to_string();
    }
    best.to_string()
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

/// Whether `heading` is `title` with some characters lost to `?` or U+FFFD (a server that
/// wrote the page in a charset without them): each mark stands for one to three characters
/// of the title, the first of them not an ASCII letter or digit ("Beginner's" read as
/// "Beginner?", "Café" as "Caf?"), and the rest agrees.
pub(super) fn lost_characters_of(heading: &str, title: &str) -> bool {
    let lost = |c: char| c == '?' || c == '\u{FFFD}';
    if !heading.contains(lost) || heading == title {
        return false;
    }
    let mut parts = heading.split(lost);
    let first = parts.next().unwrap_or_default();
    let parts: Vec<&str> = parts.collect();
    title
        .strip_prefix(first)
        .is_some_and(|rest| follows_with_gaps(rest, &parts))
}

/// Whether `rest` is, for each part, a gap of one to three characters (the first not an
/// ASCII letter or digit) and then the part, with nothing left over.
fn follows_with_gaps(rest: &str, parts: &[&str]) -> bool {
    let Some((part, more)) = parts.split_first() else {
        return rest.is_empty();
    };
    if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return false;
    }
    rest.char_indices()
        .skip(1)
        .take(3)
        .map(|(at, _)| at)
        .chain((!rest.is_empty() && rest.chars().count() <= 3).then_some(rest.len()))
        .any(|at| {
            rest[at..]
                .strip_prefix(part)
                .is_some_and(|tail| follows_with_gaps(tail, more))
        })
}

/// Rule 1 of [`choose_title`]: the first heading equal to a metadata title, or to its part
/// before a separator; also once without a label before it ("Blog: <headline>") that the
/// metadata leaves out.
pub(super) fn exact_h1<'h>(h1s: &[&'h str], candidates: &[String]) -> Option<&'h str> {
    for h in h1s {
        for form in [Some(*h), without_label(h)].into_iter().flatten() {
            let nh = norm(form);
            for c in candidates {
                let nc = norm(c);
                if nc == nh {
                    return Some(form);
                }
                // `norm` blanks most separators, so the cut is found in the raw title.
                if nh.len() >= 10
                    && nc.starts_with(&nh)
                    && TITLE_SEPARATORS
                        .iter()
                        .any(|sep| c.match_indices(sep).any(|(i, _)| norm(&c[..i]) == nh))
                {
                    return Some(form);
                }
            }
        }
    }
    None
}

/// Rule 2 of [`choose_title`]: the h1 sharing most words with a metadata title (a Dice
/// coefficient of at least 50%).
pub(super) fn closest_h1<'h>(h1s: &[&'h str], cand_words: &[HashSet<String>]) -> Option<&'h str> {
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

/// A title's part before its first separator (the whole title when it has none).
pub(super) fn first_part(title: &str) -> &str {
    TITLE_SEPARATORS
        .iter()
        .filter_map(|sep| title.find(sep))
        .min()
        .map_or(title, |i| &title[..i])
}

/// The headline after a label of one or two words and a colon ("Blog: …", "Title:…"), when
/// at least three words follow.
pub(super) fn without_label(h: &str) -> Option<&str> {
    let (label, rest) = h.split_once(':')?;
    let rest = rest.trim_start();
    let label_words = label.split_whitespace().count();
    ((1..=2).contains(&label_words) && rest.split_whitespace().count() >= 3).then_some(rest)
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
