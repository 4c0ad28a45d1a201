//! Authors: JSON-LD, `<meta>` tags, `rel=author` links and visible bylines, as clean names.

use super::*;

pub(super) fn split_people(s: &str) -> Vec<String> {
    let mut s = s.trim();
    // A reviewer, editor or illustrator credited beside the byline is not its author:
    // "By Shelby Loos, DVM. Reviewed by Molly Price, DVM" → "By Shelby Loos, DVM".
    let lower = s.to_ascii_lowercase();
    if let Some(i) = [
        "reviewed by",
        "fact checked by",
        "fact-checked by",
        "edited by",
        "illustrated by",
        "illustrations by",
    ]
    .iter()
    .filter_map(|l| lower.find(l))
    .min()
    {
        if !s.is_char_boundary(i) {
            return Vec::new();
        }
        s = s[..i].trim_end_matches([' ', '.', ',', '|', '·', '-', '–', '—']);
    }
    for p in [
        "written by",
        "by:",
        "by ",
        "автор:",
        "авторы:",
        "author:",
        "authors:",
        "text:",
        "von ",
        "par ",
    ] {
        if s.len() > p.len() && s.is_char_boundary(p.len()) && s[..p.len()].eq_ignore_ascii_case(p)
        {
            s = s[p.len()..].trim();
        }
    }
    // "Analysis by Chris Cillizza": the name follows the last " by ".
    if let Some(i) = s.to_ascii_lowercase().rfind(" by ") {
        if s.is_char_boundary(i + 4) {
            s = s[i + 4..].trim();
        }
    }
    // A byline that runs on into its date ("Jeff Foust Monday, November 18"): cut it there.
    let s = cut_at_date_word(s);
    s.split([',', ';', '&', '|'])
        .flat_map(|part| part.split(" and ").flat_map(|x| x.split(" и ")))
        .map(|x| {
            let x = x.trim().trim_matches(':').trim();
            // A final dot ends an abbreviation ("Ph.D.", "M.D.") when the part has
            // another; otherwise it ends the sentence.
            match x.strip_suffix('.') {
                Some(y) if !y.contains('.') => y.trim(),
                _ => x,
            }
            .trim_start_matches('.')
            .to_string()
        })
        .collect()
}

pub(super) fn cut_at_date_word(s: &str) -> &str {
    const WORDS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "updated",
        "published",
        "posted",
    ];
    let mut pos = 0;
    for w in s.split(|c: char| !c.is_alphanumeric()) {
        // A month or weekday starts a date only when a number follows ("April Fulton" is
        // a name; "Jeff Foust Monday, November 18" runs on into a date).
        let date_word = WORDS.iter().any(|x| w.eq_ignore_ascii_case(x))
            && (matches!(
                w.to_ascii_lowercase().as_str(),
                "updated" | "published" | "posted"
            ) || s[pos..].bytes().any(|b| b.is_ascii_digit()));
        if !w.is_empty() && (date_word || w.bytes().all(|b| b.is_ascii_digit())) {
            return s[..pos].trim_end_matches([' ', ',', '-', '|', '·']).trim();
        }
        pos += w.len() + s[pos + w.len()..].chars().next().map_or(0, char::len_utf8);
    }
    s
}

/// Parentheses in a name only as a balanced aside after it ("Jean-Luc
/// Aufranc (CNXSoft)", "Paramita (Guha) Ghosh"), never code or a date.
pub(super) fn paren_ok(s: &str) -> bool {
    match (s.find('('), s.find(')')) {
        (None, None) => true,
        (Some(o), Some(c)) => {
            o > 0
                && s[..o].ends_with(' ')
                && c > o + 1
                && s.matches('(').count() == 1
                && s.matches(')').count() == 1
                && s[o + 1..c]
                    .chars()
                    .all(|ch| ch.is_alphabetic() || ch == ' ' || ch == '.')
        }
        _ => false,
    }
}

pub(super) fn plausible_name(s: &str) -> bool {
    let n = s.chars().count();
    (2..=60).contains(&n)
        && !s.contains('@')
        && !s.contains('*')
        && paren_ok(s)
        && !s.contains("://")
        && !s.starts_with("www.")
        && s.chars().filter(|c| c.is_ascii_digit()).count() < 3
        && s.split_whitespace().count() <= 6
        && s.chars().any(char::is_alphabetic)
        && !is_template_key(s)
        && !s.trim_end().ends_with(':')
        && date::month_number(s.trim()).is_none()
        && !date::is_weekday(s.trim())
}

/// The text after a date that opens it: "Dec 17, 2025 Julian K. Arni" → "Julian K. Arni",
/// "Sat, 20 Dec, 2025 - 06:36" → "". A text that does not open with a date (a month,
/// weekday, day, year or time, with a number among them) is returned whole.
pub(super) fn after_leading_date(s: &str) -> &str {
    let sep = |c: char| matches!(c, ',' | '.' | '·' | '|' | '-' | '–' | '—' | '•' | '/');
    let mut rest = s.trim_start();
    let (mut words, mut digits) = (0, false);
    loop {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = rest[..word_end].trim_matches(sep);
        let lower = word.to_ascii_lowercase();
        let numeric = !word.is_empty()
            && word.chars().any(|c| c.is_ascii_digit())
            && word
                .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                .chars()
                .all(|c| c.is_ascii_digit() || sep(c) || c == ':' || c == '+');
        let dateish = numeric
            || date::month_number(word).is_some()
            || date::is_weekday(word)
            || matches!(lower.as_str(), "am" | "pm" | "at" | "on")
            || date::is_zone_word(word);
        if word.is_empty() && word_end > 0 {
            // A separator alone ("·", "|", "-").
        } else if !dateish {
            break;
        } else {
            words += 1;
            digits |= numeric;
        }
        if word_end == rest.len() {
            rest = "";
            break;
        }
        rest = rest[word_end..].trim_start();
    }
    if words >= 2 && digits {
        rest
    } else {
        s
    }
}

/// A dotted lower-case identifier (`page.head.extra.author`, `user.name`): a template key or a
/// login left where a name should be, never a name as signed.
pub(super) fn is_template_key(s: &str) -> bool {
    !s.contains(char::is_whitespace)
        && s.contains('.')
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        })
}

pub(super) fn dedupe(items: impl IntoIterator<Item = String>, limit: usize) -> Vec<String> {
    let mut seen = HashSet::default();
    let mut out = Vec::new();
    for i in items {
        if out.len() >= limit {
            break;
        }
        if seen.insert(norm(&i)) {
            out.push(i);
        }
    }
    out
}

/// A credential after a name: "Ph.D", "MD", "DVM", "RN", "CEPF®", "MS".
pub(super) fn is_credential(s: &str) -> bool {
    let t = s.trim().trim_end_matches('.');
    let letters: String = t.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && t.split_whitespace().count() <= 2
        && letters.len() <= 6
        && letters.chars().filter(|c| c.is_uppercase()).count() * 2 >= letters.len()
        && (t.contains('.') || letters.chars().all(char::is_uppercase))
}

/// A job title after a name ("Senior Editor", "Director of Operations").
pub(super) fn is_job_title(s: &str) -> bool {
    const TITLE_WORDS: &[&str] = &[
        "director",
        "editor",
        "manager",
        "founder",
        "co-founder",
        "ceo",
        "cto",
        "reporter",
        "correspondent",
        "specialist",
        "professor",
        "president",
        "officer",
        "analyst",
        "consultant",
        "educator",
        "dietitian",
        "author",
        "columnist",
        "photographer",
        "representative",
        "horticulturalist",
        "expert",
    ];
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .any(|w| TITLE_WORDS.contains(&w))
}

/// A visible name looks like one: its first and last words are capitalized
/// (or a name particle, "van", "de"…), and it is not a byline label.
pub(super) fn name_like(s: &str) -> bool {
    const PARTICLES: &[&str] = &[
        "van", "von", "der", "de", "da", "di", "del", "la", "le", "bin",
    ];
    let cap = |w: &str| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
            || PARTICLES.contains(&w)
    };
    let lower = s.to_lowercase();
    let mut words: Vec<&str> = s.split_whitespace().collect();
    // A team signs with an article: "the Lavazza Team".
    if words.len() >= 3 && words[0].eq_ignore_ascii_case("the") {
        words.remove(0);
    }
    plausible_name(s)
        && ![
            "by",
            "author",
            "authors",
            "written by",
            "posted by",
            "staff",
        ]
        .contains(&lower.as_str())
        && words.first().is_some_and(|w| cap(w))
        && words.last().is_some_and(|w| cap(w))
}

/// Authors from the first source that has any: JSON-LD, `<meta>` author tags
/// (and the "Written by" twitter label), `rel=author` links, visible bylines
/// (byline-role elements, then a "By"/"Written by" label and the name after it).
pub(super) fn choose_authors(
    w: &Walk,
    ld: &JsonLd,
    after: usize,
    site_names: &[String],
) -> Vec<String> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let sites: Vec<String> = site_names
        .iter()
        .map(|s| squash(s))
        .filter(|s| s.len() >= 3)
        .collect();
    // An outlet after a name goes ("Kevin McCoy USA TODAY" → "Kevin McCoy");
    // a site's name alone stays (blogs and companies sign as themselves).
    let person = |s: String| -> Option<String> {
        if sites.contains(&squash(&s)) {
            return Some(s);
        }
        for site in site_names {
            let n = site.trim();
            if n.len() >= 3 && s.len() > n.len() + 2 {
                let cut = s.len() - n.len();
                if s.is_char_boundary(cut)
                    && s[cut..].eq_ignore_ascii_case(n)
                    && s[..cut].ends_with(' ')
                {
                    return Some(
                        s[..cut]
                            .trim_end_matches([' ', ',', '-', '|', '/', '·', '–', '—'])
                            .to_string(),
                    );
                }
            }
        }
        Some(s)
    };
    // A byline's first part is a name; later parts may be its job titles
    // ("Name, Senior Editor"), which are dropped, or its credentials ("Name,
    // Ph.D."), which stay with the name as signed: neither is another person.
    let parts = |s: &String| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, p) in split_people(s).into_iter().enumerate() {
            if i > 0 && is_credential(&p) {
                if let Some(last) = out.last_mut() {
                    last.push_str(", ");
                    last.push_str(&p);
                }
            } else if i == 0 || !is_job_title(&p) {
                out.push(p);
            }
        }
        out
    };
    let clean = |v: &[String]| -> Vec<String> {
        dedupe(
            v.iter()
                .flat_map(parts)
                .filter_map(person)
                .filter(|s| plausible_name(s)),
            20,
        )
    };
    let clean_visible = |v: &[String]| -> Vec<String> {
        dedupe(
            v.iter()
                .flat_map(parts)
                .filter_map(person)
                .filter(|s| name_like(s)),
            20,
        )
    };
    let mut meta: Vec<String> = [
        "author",
        "article:author",
        "parsely-author",
        "sailthru.author",
        "dc.creator",
        "byl",
    ]
    .iter()
    .flat_map(|k| w.metas_all(k))
    // Microdata: `<meta itemprop="author" content="…">`.
    .chain(w.itemprop("author"))
    .filter(|v| !v.contains("://"))
    .map(str::to_string)
    .collect();
    // twitter:labelN "Written by" + twitter:dataN (Yoast and others).
    for n in 1..=4 {
        let label = w.meta(&format!("twitter:label{n}"));
        if label.is_some_and(|l| {
            let l = l.to_lowercase();
            l.contains("written by") || l == "author" || l == "by"
        }) {
            meta.extend(w.meta(&format!("twitter:data{n}")).map(str::to_string));
        }
    }
    let machine = [&ld.authors, &meta, &w.rel_authors]
        .into_iter()
        .map(|source| clean(source))
        .find(|v| !v.is_empty());
    let site = |n: &String| sites.contains(&squash(n));
    match machine {
        // The site signing as itself ("USA TODAY", "Cleveland Clinic") while the page
        // shows a person's byline beside the headline: the person wrote it.
        Some(v) if v.iter().all(site) => match visible_authors(w, after, &clean, &clean_visible) {
            Some((shown, pos))
                if after > 0
                    && pos + 60 >= after
                    && pos <= after + 60
                    && !shown.iter().any(site) =>
            {
                shown
            }
            _ => v,
        },
        Some(v) => v,
        None => visible_authors(w, after, &clean, &clean_visible)
            .map(|(names, _)| names)
            .unwrap_or_default(),
    }
}

/// Authors from the visible page (see [`choose_authors`]); `clean` and `clean_visible` turn
/// texts into clean names (any plausible name, or names that look like names).
fn visible_authors(
    w: &Walk,
    after: usize,
    clean: &dyn Fn(&[String]) -> Vec<String>,
    clean_visible: &dyn Fn(&[String]) -> Vec<String>,
) -> Option<(Vec<String>, usize)> {
    // Visible bylines: byline-role elements, after the h1 first, nearest first;
    // of nested ones (an author box holding the name, a title and a date) the
    // innermost that is a name.
    let mut v: Vec<&RoleHit> = w
        .roles
        .iter()
        .filter(|r| {
            r.role == Role::Byline
                && (!r.in_nav || (after > 0 && r.pos >= after && r.pos <= after + 60))
                && !r.text.is_empty()
        })
        .collect();
    // One inside a navigation-like container (an author column beside the
    // article) counts only right after the headline, when no other does.
    v.sort_by_key(|r| (r.in_nav, r.pos < after, r.pos));
    let names_of = |r: &RoleHit| -> Vec<String> {
        if r.text.len() > 150 {
            // An author box: the name (two to four words) first, then the bio.
            let words = r.first.split_whitespace().count();
            if (2..=4).contains(&words) {
                clean_visible(std::slice::from_ref(&r.first))
            } else {
                Vec::new()
            }
        } else if r.links.is_empty() {
            clean_visible(&[after_leading_date(&r.text).to_string()])
        } else {
            clean_visible(&[r.links.join(", ")])
        }
    };
    for (i, r) in v.iter().enumerate().take(12) {
        let mut names = names_of(r);
        // The first byline after the headline signs as it likes: a one-word handle
        // ("pelex", "sara_r") is the author as signed.
        let handle = r.text.trim().trim_end_matches([',', ':']).trim();
        if names.is_empty()
            && i == 0
            && r.pos >= after
            && after > 0
            && !r.in_nav
            && is_handle(handle)
        {
            names = clean(&[handle.to_string()]);
        }
        if names.is_empty() {
            continue;
        }
        let inner = v[i + 1..]
            .iter()
            .take(8)
            .filter(|o| o.text.len() < r.text.len() && r.text.contains(o.text.as_str()))
            .map(|o| names_of(o))
            .find(|n| !n.is_empty());
        return Some((inner.unwrap_or(names), r.pos));
    }
    // A "By" / "Written by" label and the name that follows it; a link to an
    // author page near the headline.
    let mut t: Vec<&(String, usize)> = w
        .text_bylines
        .iter()
        .chain(
            w.author_links
                .iter()
                .filter(|(_, p)| *p + 60 >= after && *p <= after + 300),
        )
        .collect();
    t.sort_by_key(|(_, p)| (*p < after, *p));
    t.into_iter()
        .map(|(s, pos)| {
            let names = clean_visible(std::slice::from_ref(s));
            // After an explicit label or in an author link, a one-word handle
            // ("ibby", "h.szeyee") is the author as signed.
            let names = if names.is_empty() && is_handle(s.trim()) {
                clean(std::slice::from_ref(s))
            } else {
                names
            };
            (names, *pos)
        })
        .find(|(n, _)| !n.is_empty())
}

/// One word that may be a handle signing a byline ("ibby", "h.szeyee", "pelex"): up to
/// 30 bytes, neither a word that continues a sentence nor a byline label.
fn is_handle(s: &str) -> bool {
    !s.contains(char::is_whitespace)
        && s.len() <= 30
        && !is_prose_word(s)
        && !["by", "author", "authors", "written", "posted", "from"]
            .iter()
            .any(|l| s.eq_ignore_ascii_case(l))
}

/// A lower-case word that continues a sentence after "by" ("by the 15th
/// century", "by clicking", "by integrating"), never a handle as signed.
pub(super) fn is_prose_word(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "our",
        "my",
        "your",
        "his",
        "her",
        "their",
        "its",
        "far",
        "now",
        "then",
        "default",
        "way",
        "means",
        "hand",
        "itself",
        "themselves",
        "me",
        "us",
        "them",
        "him",
        "you",
        "using",
    ];
    w.chars().all(|c| c.is_ascii_lowercase())
        && (WORDS.contains(&w) || (w.len() > 5 && w.ends_with("ing")))
}
