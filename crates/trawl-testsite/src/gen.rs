//! Deterministic content generation: a small PRNG, word lists, titles, prose and dates.
//!
//! Everything is a pure function of (host index, article index), so a page can be rendered on
//! demand for any size of site and a test can compute what a page says without fetching it.

/// SplitMix64: tiny, fast, good enough for generating text.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A generator for one (host, article, purpose) triple.
    pub(crate) fn for_item(host: usize, item: usize, stream: u64) -> Rng {
        let mut r = Rng((host as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (item as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
            ^ stream.wrapping_mul(0x1656_67B1_9E37_79F9));
        // Warm up so nearby seeds diverge.
        r.next_u64();
        r.next_u64();
        r
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n == 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    pub(crate) fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

/// Section slugs, in menu order. Article `i` belongs to `SECTIONS[i % SECTIONS.len()]`.
pub(crate) const SECTIONS: &[&str] = &[
    "world", "politics", "business", "science", "sport", "culture",
];

pub(crate) fn section_title(slug: &str) -> String {
    let mut c = slug.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

const TOWNS: &[&str] = &[
    "Riverton",
    "Ashford",
    "Kelby",
    "Marlowe",
    "Dunmore",
    "Harwick",
    "Eastwater",
    "Brackley",
    "Colham",
    "Fenwick",
    "Glenrose",
    "Holloway",
    "Ivybridge",
    "Juniper Bay",
    "Kingsmead",
    "Larkfield",
    "Millbrook",
    "Northgate",
    "Oakhurst",
    "Pembury",
    "Queensferry",
    "Redcliff",
    "Stonebridge",
    "Thornbury",
    "Upton Vale",
    "Westmarsh",
    "Yarrow",
    "Zennor",
    "Alderley",
    "Bramford",
    "Castleton",
    "Dovercourt",
    "Elmstead",
    "Foxhollow",
    "Greyhaven",
    "Hartsfield",
    "Ironbridge",
    "Kestrel Point",
    "Lindow",
    "Moorcroft",
];

const PAPERS: &[&str] = &[
    "Chronicle",
    "Herald",
    "Gazette",
    "Post",
    "Times",
    "Courier",
    "Tribune",
    "Observer",
    "Ledger",
    "Dispatch",
    "Sentinel",
    "Journal",
    "Standard",
    "Express",
    "Mercury",
    "Examiner",
];

const FIRST: &[&str] = &[
    "Amara", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko",
    "Liam", "Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Samir", "Tove", "Umar", "Vera",
    "Wen", "Ximena", "Yusuf", "Zoe", "Anders", "Bianca", "Conor", "Dalia", "Emeka", "Freya",
];

const LAST: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Petrov",
    "Haddad",
    "Nakamura",
    "Silva",
    "Brennan",
    "Kowalski",
    "Ferreira",
    "Adeyemi",
    "Novak",
    "Castillo",
    "Ibrahim",
    "Larsen",
    "Murphy",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Vargas",
    "Whitfield",
    "Yilmaz",
    "Zhou",
    "Abbott",
    "Delacroix",
    "Eriksen",
    "Gallagher",
];

const ORGS: &[&str] = &[
    "the regional council",
    "the transport authority",
    "the central bank",
    "the health ministry",
    "the port operator",
    "the teachers' union",
    "the national archive",
    "the energy regulator",
    "a consortium of local firms",
    "the university hospital",
    "the water board",
    "the football association",
    "the chamber of commerce",
    "the environment agency",
    "the statistics office",
    "the airport authority",
    "the arts council",
    "the farmers' cooperative",
    "the coastguard",
    "the housing trust",
];

const ROLES: &[&str] = &[
    "a spokesperson for",
    "the chief executive of",
    "a senior official at",
    "an analyst who advises",
    "the chair of",
    "a researcher working with",
    "a former adviser to",
    "the head of communications at",
];

const ADJ: &[&str] = &[
    "sweeping",
    "controversial",
    "long-awaited",
    "modest",
    "ambitious",
    "delayed",
    "surprising",
    "record",
    "temporary",
    "fragile",
    "unexpected",
    "bitter",
    "cautious",
    "landmark",
    "costly",
    "quiet",
    "rapid",
    "disputed",
    "historic",
    "uneven",
    "tentative",
    "sharp",
    "gradual",
    "bold",
];

const VERBS_PAST: &[&str] = &[
    "approved",
    "rejected",
    "postponed",
    "announced",
    "unveiled",
    "questioned",
    "defended",
    "criticised",
    "welcomed",
    "reviewed",
    "expanded",
    "scrapped",
    "revived",
    "funded",
    "blocked",
    "signed",
    "challenged",
    "extended",
    "proposed",
    "abandoned",
    "confirmed",
    "investigated",
];

const VERBS_PRESENT: &[&str] = &[
    "approves",
    "rejects",
    "delays",
    "unveils",
    "defends",
    "expands",
    "scraps",
    "revives",
    "funds",
    "blocks",
    "signs",
    "challenges",
    "extends",
    "backs",
    "weighs",
    "reverses",
    "tightens",
    "eases",
];

/// Topic nouns per section (same order as [`SECTIONS`]).
const TOPICS: &[&[&str]] = &[
    &[
        "ceasefire",
        "border crossing",
        "refugee programme",
        "trade corridor",
        "peace talks",
        "embassy",
        "aid convoy",
        "summit",
        "election monitors",
        "sanctions package",
        "treaty",
        "fishing rights",
        "pipeline deal",
        "visa rules",
        "grain shipments",
    ],
    &[
        "budget",
        "coalition",
        "tax reform",
        "pension plan",
        "housing bill",
        "party leadership",
        "referendum",
        "spending review",
        "voting reform",
        "planning law",
        "cabinet reshuffle",
        "minimum wage",
        "childcare scheme",
        "lobbying rules",
        "constituency map",
    ],
    &[
        "merger",
        "factory",
        "interest rates",
        "shipping costs",
        "bond sale",
        "retail chain",
        "start-up fund",
        "wind farm",
        "supply contract",
        "quarterly results",
        "takeover bid",
        "chip plant",
        "freight rail",
        "credit line",
        "export licence",
    ],
    &[
        "telescope",
        "vaccine trial",
        "glacier survey",
        "fusion reactor",
        "coral reef study",
        "satellite launch",
        "gene therapy",
        "drought model",
        "fossil find",
        "ocean buoy network",
        "quantum chip",
        "bee population",
        "antibiotic",
        "seismic array",
        "climate record",
    ],
    &[
        "cup final",
        "transfer window",
        "marathon",
        "stadium plan",
        "relegation battle",
        "doping inquiry",
        "coaching change",
        "rowing regatta",
        "title race",
        "youth academy",
        "cycling tour",
        "cricket series",
        "swimming trials",
        "derby",
        "ticket prices",
    ],
    &[
        "film festival",
        "museum reopening",
        "poetry prize",
        "opera season",
        "gallery sale",
        "book fair",
        "theatre revival",
        "music venue",
        "heritage site",
        "literary archive",
        "dance company",
        "street art project",
        "orchestra tour",
        "library funding",
        "design biennale",
    ],
];

const NOUNS: &[&str] = &[
    "residents",
    "commuters",
    "investors",
    "officials",
    "researchers",
    "shopkeepers",
    "students",
    "nurses",
    "farmers",
    "engineers",
    "voters",
    "campaigners",
    "pensioners",
    "drivers",
    "fans",
    "lawyers",
    "inspectors",
    "volunteers",
    "tenants",
    "fishermen",
    "teachers",
    "auditors",
];

const THINGS: &[&str] = &[
    "the timetable",
    "the funding formula",
    "the safety review",
    "the tender process",
    "the final report",
    "the consultation",
    "the cost estimate",
    "the legal challenge",
    "the pilot scheme",
    "the audit",
    "the new guidelines",
    "the draft agreement",
    "the compensation fund",
    "the emergency plan",
    "the monitoring data",
    "the procurement rules",
    "the second phase",
    "the public inquiry",
];

const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Sentence templates. Slots: {topic} {adj} {vpast} {org} {role} {name} {town} {nouns} {thing}
/// {num} {pct} {day} {month} {year}.
const SENTENCES: &[&str] = &[
    "The {adj} {topic} was {vpast} on {day} after weeks of negotiation between {org} and {nouns} in {town}.",
    "{name}, {role} {org}, said the decision reflected {thing} rather than any change of policy.",
    "According to figures published in {month}, {num} {nouns} have been affected since the start of the year.",
    "Critics argue that {thing} leaves {nouns} in {town} with little say over the {topic}.",
    "\"We have been waiting for this since {year},\" said {name}, who has followed the {topic} closely.",
    "Officials in {town} expect {thing} to be completed by the end of {month}, although some doubt that.",
    "The proposal would raise spending on the {topic} by {pct} percent over two years.",
    "{org} {vpast} {thing} in a statement released late on {day}, citing concerns raised by {nouns}.",
    "Local {nouns} told reporters that the {adj} changes had come without warning.",
    "In {town}, where the {topic} has dominated debate for months, reaction was {adj2} at best.",
    "{name} described the outcome as {adj} and warned that {thing} could still be reopened.",
    "A survey of {num} {nouns} found that {pct} percent supported the {topic} in principle.",
    "The same plan was {vpast} once before, in {year}, when {org} raised similar objections.",
    "Several {nouns} gathered outside the offices of {org} on {day} to demand answers about {thing}.",
    "Analysts at {org} said the {adj} outcome would have little effect on the wider {topic}.",
    "It is the {ordinal} time this year that {org} has {vpast} a plan of this kind.",
    "{name} of {org} declined to comment on {thing} but promised a fuller answer in {month}.",
    "Some {nouns} in {town} say they will not wait for {thing} and have begun raising money themselves.",
    "The {topic} is expected to cost about {num} million, {pct} percent more than first estimated.",
    "Talks resume next {day}, when {org} is due to present {thing} to {nouns} from {town} and beyond.",
    "Asked whether the {topic} would survive another year, {name} said only that {thing} was under review.",
    "Documents seen by this newspaper show that {org} had {vpast} {thing} as early as {month} {year}.",
    "For {nouns} in {town}, the {adj} debate over the {topic} is about more than money.",
    "A previous attempt to settle {thing} collapsed when {org} {vpast} the terms at the last minute.",
];

const ORDINALS: &[&str] = &["second", "third", "fourth", "fifth", "sixth"];

const ADJ2: &[&str] = &[
    "muted", "mixed", "guarded", "angry", "hopeful", "weary", "divided", "lukewarm",
];

pub(crate) fn site_name(host: usize) -> String {
    // Every (town, paper) pair once, then numbered: names are unique for any number of hosts.
    let town = TOWNS[host % TOWNS.len()];
    let paper = PAPERS[(host / TOWNS.len() + host) % PAPERS.len()];
    let round = host / (TOWNS.len() * PAPERS.len());
    if round == 0 {
        format!("The {town} {paper}")
    } else {
        format!("The {town} {paper} {}", round + 1)
    }
}

fn capitalize(s: &str) -> String {
    section_title(s)
}

/// The headline of article `i` on host `h`.
pub(crate) fn title(h: usize, i: usize) -> String {
    let mut r = Rng::for_item(h, i, 2);
    let topics = TOPICS[i % SECTIONS.len()];
    let topic = r.pick(topics);
    let town = r.pick(TOWNS);
    let org = r.pick(ORGS);
    let adj = r.pick(ADJ);
    let v = r.pick(VERBS_PRESENT);
    let nouns = r.pick(NOUNS);
    let org_short = org.trim_start_matches("the ").trim_start_matches("a ");
    match r.below(6) {
        0 => format!("{} {} {} {topic} in {town}", capitalize(org_short), v, adj),
        1 => format!("{town} {nouns} question {adj} {topic} plan"),
        2 => format!(
            "{} {topic} deal {} amid protests in {town}",
            capitalize(adj),
            r.pick(VERBS_PAST)
        ),
        3 => format!("Why the {topic} matters to {nouns} in {town}"),
        4 => format!(
            "{} {}: {adj} {topic} faces new test",
            r.pick(FIRST),
            r.pick(LAST)
        ),
        _ => format!("{town} {topic}: {} {} after {adj} review", org_short, v),
    }
}

/// The URL slug of article `i` on host `h`: headline words plus the index (unique per host).
pub(crate) fn slug(h: usize, i: usize) -> String {
    let t = title(h, i);
    let mut out = String::new();
    for word in t
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
    {
        out.push_str(&word.to_ascii_lowercase());
        out.push('-');
    }
    out.push_str(&i.to_string());
    out
}

/// The article index encoded at the end of a slug (`...-17` → 17).
pub(crate) fn index_of_slug(slug: &str) -> Option<usize> {
    let digits = slug.rsplit('-').next()?;
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // A leading zero would make two spellings of one slug.
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    digits.parse().ok()
}

/// An author name for article `i` on host `h`.
pub(crate) fn author(h: usize, i: usize) -> String {
    let mut r = Rng::for_item(h, i, 3);
    format!("{} {}", r.pick(FIRST), r.pick(LAST))
}

/// The generated text of one article.
pub(crate) struct Body {
    pub lead: String,
    pub paragraphs: Vec<String>,
    pub caption: String,
}

fn fill(template: &str, r: &mut Rng, topic_list: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let slot = &after[..end];
        let value: String = match slot {
            "topic" => r.pick(topic_list).to_string(),
            "adj" => r.pick(ADJ).to_string(),
            "adj2" => r.pick(ADJ2).to_string(),
            "vpast" => r.pick(VERBS_PAST).to_string(),
            "org" => r.pick(ORGS).to_string(),
            "role" => r.pick(ROLES).to_string(),
            "name" => format!("{} {}", r.pick(FIRST), r.pick(LAST)),
            "town" => r.pick(TOWNS).to_string(),
            "nouns" => r.pick(NOUNS).to_string(),
            "thing" => r.pick(THINGS).to_string(),
            "num" => (r.range(12, 9800)).to_string(),
            "pct" => (r.range(2, 64)).to_string(),
            "day" => r.pick(WEEKDAYS).to_string(),
            "month" => r.pick(MONTHS).to_string(),
            "year" => (r.range(1994, 2025)).to_string(),
            "ordinal" => r.pick(ORDINALS).to_string(),
            other => other.to_string(),
        };
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    // Templates may start with a slot; capitalize the sentence.
    capitalize(&out)
}

/// The lead, 4–8 paragraphs of 3–5 sentences and an image caption of article `i` on host `h`.
pub(crate) fn body(h: usize, i: usize) -> Body {
    let mut r = Rng::for_item(h, i, 4);
    let topics = TOPICS[i % SECTIONS.len()];
    let lead = format!(
        "{} {}",
        fill(r.pick(SENTENCES), &mut r, topics),
        fill(r.pick(SENTENCES), &mut r, topics)
    );
    let n_par = r.range(4, 8);
    let mut paragraphs = Vec::with_capacity(n_par);
    for _ in 0..n_par {
        let n_sent = r.range(3, 5);
        let mut p = String::new();
        for k in 0..n_sent {
            if k > 0 {
                p.push(' ');
            }
            p.push_str(&fill(r.pick(SENTENCES), &mut r, topics));
        }
        paragraphs.push(p);
    }
    let caption = format!(
        "{} in {}, photographed on {}.",
        capitalize(r.pick(NOUNS)),
        r.pick(TOWNS),
        r.pick(WEEKDAYS)
    );
    Body {
        lead,
        paragraphs,
        caption,
    }
}

/// Seconds since the Unix epoch of 2026-01-05T06:00:00Z.
const BASE_EPOCH: i64 = 1_767_592_800;

/// Publication time of article `i` (newer articles have larger indices), as Unix seconds.
pub(crate) fn published(h: usize, i: usize) -> i64 {
    BASE_EPOCH + (i as i64) * 5400 + (h as i64 % 60) * 60
}

/// Days since 1970-01-01 → (year, month, day). Howard Hinnant's algorithm.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// Parse `YYYY-MM-DD` (years 1000–9999) into days since the epoch.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let y = num(0..4)? as i64;
    let m = num(5..7)?;
    let d = num(8..10)?;
    if y < 1000 || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Days since the epoch → `YYYY-MM-DD`.
pub(crate) fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Unix seconds → RFC 3339 (`2026-01-05T06:00:00Z`).
pub(crate) fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_date(days),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Unix seconds → RFC 2822 (`Mon, 05 Jan 2026 06:00:00 +0000`), for RSS.
pub(crate) fn rfc2822(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(m - 1) as usize];
    format!(
        "{wd}, {d:02} {mon} {y} {:02}:{:02}:{:02} +0000",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Unix seconds → human date (`5 January 2026`).
pub(crate) fn human_date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{d} {} {y}", MONTHS[(m - 1) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::hash::{Hash, Hasher};

    /// SimHash over 3-word shingles, as trawl-extract computes it (with std's SipHash instead of xxh3).
    fn simhash(text: &str) -> u64 {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.to_lowercase())
            .collect();
        let mut counts = [0i32; 64];
        for w in words.windows(3) {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            w.hash(&mut hasher);
            let h = hasher.finish();
            for (bit, c) in counts.iter_mut().enumerate() {
                *c += if h >> bit & 1 == 1 { 1 } else { -1 };
            }
        }
        counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .fold(0u64, |acc, (bit, _)| acc | 1 << bit)
    }

    fn text(h: usize, i: usize) -> String {
        let b = body(h, i);
        format!("{} {}", b.lead, b.paragraphs.join(" "))
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(title(3, 7), title(3, 7));
        assert_eq!(text(3, 7), text(3, 7));
        assert_ne!(text(3, 7), text(3, 8));
        assert_ne!(text(3, 7), text(4, 7));
    }

    #[test]
    fn bodies_have_4_to_8_paragraphs_without_unfilled_slots() {
        for i in 0..200 {
            let b = body(1, i);
            assert!(
                (4..=8).contains(&b.paragraphs.len()),
                "{}",
                b.paragraphs.len()
            );
            for p in &b.paragraphs {
                assert!(!p.contains('{') && !p.contains('}'), "{p}");
                assert!(p.len() > 100);
            }
        }
    }

    #[test]
    fn distinct_articles_are_far_apart_in_simhash() {
        let hashes: Vec<u64> = (0..3)
            .flat_map(|h| (0..120).map(move |i| (h, i)))
            .map(|(h, i)| simhash(&text(h, i)))
            .collect();
        let mut min = 64;
        for a in 0..hashes.len() {
            for b in a + 1..hashes.len() {
                min = min.min((hashes[a] ^ hashes[b]).count_ones());
            }
        }
        // Near-duplicate detection uses distance <= 3; distinct articles must stay well clear.
        assert!(
            min > 8,
            "closest pair of distinct articles at distance {min}"
        );
    }

    #[test]
    fn slugs_unique_and_round_trip() {
        let mut seen = HashSet::new();
        for i in 0..2000 {
            let s = slug(5, i);
            assert_eq!(index_of_slug(&s), Some(i));
            assert!(s
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            assert!(seen.insert(s));
        }
        assert_eq!(index_of_slug("abc"), None);
        assert_eq!(index_of_slug("abc-"), None);
        assert_eq!(index_of_slug("abc-07"), None);
        assert_eq!(index_of_slug("abc-99999999999999999999"), None);
    }

    #[test]
    fn site_names_unique_for_many_hosts() {
        let names: HashSet<String> = (0..3000).map(site_name).collect();
        assert_eq!(names.len(), 3000);
    }

    #[test]
    fn dates_round_trip_and_format() {
        for days in [-1000, 0, 59, 365, 10_957, 20_458, 20_500, 40_000] {
            let s = format_date(days);
            assert_eq!(parse_date(&s), Some(days), "{s}");
        }
        assert_eq!(rfc3339(BASE_EPOCH), "2026-01-05T06:00:00Z");
        assert_eq!(rfc2822(BASE_EPOCH), "Mon, 05 Jan 2026 06:00:00 +0000");
        assert_eq!(human_date(BASE_EPOCH), "5 January 2026");
        assert_eq!(
            parse_date("2024-02-29").map(format_date).as_deref(),
            Some("2024-02-29")
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "20240101",
            "2024-1-01",
            "abcd-ef-gh",
            "",
            "0999-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
