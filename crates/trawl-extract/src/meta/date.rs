//! Date parsing for machine-readable values (ISO 8601 / RFC 3339 / RFC 2822)
//! and for visible dates ("October 08, 13:43 UTC+3", "8 октября 2018, 13:43",
//! "Oct. 8, 2018 1:43 PM EDT", "08.10.2018 13:43").
//!
//! A parsed value may lack its year or its offset; [`PartialDate::resolve`]
//! completes it from hints found elsewhere on the page (the URL, other dates)
//! and returns `None` rather than inventing what the page does not say.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use once_cell::sync::Lazy;
use regex::Regex;

/// A date as far as the text states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialDate {
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
    pub time: Option<NaiveTime>,
    pub offset: Option<FixedOffset>,
}

impl PartialDate {
    /// Complete the date: a missing year comes from `year_hint` (a (year, month)
    /// known to be on or after this date, e.g. another date on the page or the
    /// URL's date), a missing offset from `offset_hint`. A missing time is
    /// midnight. `None` when the year or the offset cannot be known.
    pub fn resolve(
        &self,
        year_hint: Option<(i32, u32)>,
        offset_hint: Option<FixedOffset>,
    ) -> Option<DateTime<FixedOffset>> {
        let year = match self.year {
            Some(y) => y,
            None => {
                let (y, m) = year_hint?;
                // A page dated January showing "December 30" means last year.
                if self.month > m + 1 {
                    y - 1
                } else {
                    y
                }
            }
        };
        // A page that states no offset anywhere: the wall time as shown, at +00:00
        // (the calendar day the reader sees is kept; see docs/extraction.md).
        let offset = self
            .offset
            .or(offset_hint)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
        let date = NaiveDate::from_ymd_opt(year, self.month, self.day)?;
        let naive = date.and_time(self.time.unwrap_or(NaiveTime::MIN));
        offset.from_local_datetime(&naive).single()
    }

    fn full(dt: DateTime<FixedOffset>) -> Self {
        PartialDate {
            year: Some(dt.year()),
            month: dt.month(),
            day: dt.day(),
            time: Some(dt.time()),
            offset: Some(*dt.offset()),
        }
    }

    fn naive(dt: NaiveDateTime) -> Self {
        PartialDate {
            year: Some(dt.year()),
            month: dt.month(),
            day: dt.day(),
            time: Some(dt.time()),
            offset: None,
        }
    }

    /// Whether both name the same calendar day (years compared only when both are known).
    pub fn same_day(&self, other: &PartialDate) -> bool {
        self.month == other.month
            && self.day == other.day
            && match (self.year, other.year) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// Parse a machine-readable date (`content`/`datetime` attributes, JSON-LD).
pub fn parse_machine(s: &str) -> Option<PartialDate> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let p = parse_machine_inner(s)?;
    // Placeholders such as 0001-01-01 are not dates.
    p.year
        .is_none_or(|y| (1900..=2100).contains(&y))
        .then_some(p)
}

fn parse_machine_inner(s: &str) -> Option<PartialDate> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(PartialDate::full(dt));
    }
    // "2019-11-20T10:43Z": RFC 3339 without seconds.
    if let Some(rest) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        if rest.len() == 16 {
            if let Ok(dt) = DateTime::parse_from_str(&format!("{rest}+00:00"), "%Y-%m-%dT%H:%M%:z")
            {
                return Some(PartialDate::full(dt));
            }
        }
    }
    const WITH_OFFSET: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f %:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y%m%dT%H%M%S%z",
    ];
    for f in WITH_OFFSET {
        if let Ok(dt) = DateTime::parse_from_str(s, f) {
            return Some(PartialDate::full(dt));
        }
    }
    if let Some(rest) = s.strip_suffix(" UTC").or_else(|| s.strip_suffix(" GMT")) {
        if let Some(mut p) = parse_machine_inner(rest) {
            if p.offset.is_none() {
                p.offset = FixedOffset::east_opt(0);
            }
            return Some(p);
        }
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(PartialDate::full(dt));
    }
    const NAIVE: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y%m%dT%H%M%S",
    ];
    for f in NAIVE {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            return Some(PartialDate::naive(dt));
        }
    }
    for f in ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(PartialDate {
                year: Some(d.year()),
                month: d.month(),
                day: d.day(),
                time: None,
                offset: None,
            });
        }
    }
    // Unix seconds (some sites put them in data attributes or meta tags).
    if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = s.parse().ok()?;
        let dt = DateTime::from_timestamp(secs, 0)?;
        return Some(PartialDate::full(dt.fixed_offset()));
    }
    // Anything else: try the visible-date parser (e.g. "October 8, 2018 13:43").
    parse_visible(s)
}

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // Russian: genitive (as in dates) and nominative.
    ("января", 1),
    ("февраля", 2),
    ("марта", 3),
    ("апреля", 4),
    ("мая", 5),
    ("июня", 6),
    ("июля", 7),
    ("августа", 8),
    ("сентября", 9),
    ("октября", 10),
    ("ноября", 11),
    ("декабря", 12),
    ("январь", 1),
    ("февраль", 2),
    ("март", 3),
    ("апрель", 4),
    ("май", 5),
    ("июнь", 6),
    ("июль", 7),
    ("август", 8),
    ("сентябрь", 9),
    ("октябрь", 10),
    ("ноябрь", 11),
    ("декабрь", 12),
    // German, French, Spanish, Italian, Portuguese, Dutch (full names; the
    // abbreviations that cannot be read as another word).
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
];

pub(crate) fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    let lower = lower.trim_end_matches('.');
    MONTHS.iter().find(|(n, _)| *n == lower).map(|&(_, m)| m)
}

/// An English weekday, full or abbreviated ("Sat", "Tues."), as dates start with.
pub(crate) fn is_weekday(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let lower = lower.trim_end_matches(['.', ',']);
    matches!(
        lower,
        "mon"
            | "monday"
            | "tue"
            | "tues"
            | "tuesday"
            | "wed"
            | "wednesday"
            | "thu"
            | "thur"
            | "thurs"
            | "thursday"
            | "fri"
            | "friday"
            | "sat"
            | "saturday"
            | "sun"
            | "sunday"
    )
}

static MONTH_ALT: Lazy<String> = Lazy::new(|| {
    let mut names: Vec<&str> = MONTHS.iter().map(|(n, _)| *n).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names.join("|")
});

static DAY_MONTH: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(
        r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th|er)?\.?\s+(?:of\s+|de\s+)?({})\.?(?:,?\s+(?:de\s+)?(\d{{4}}))?\b",
        *MONTH_ALT
    ))
    .expect("static regex")
});

static MONTH_DAY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(
        r"(?i)\b({})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?",
        *MONTH_ALT
    ))
    .expect("static regex")
});

static ISO_DATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\b((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})\b").expect("static regex")
});

static DMY_DATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\b(\d{1,2})([./-])(\d{1,2})[./-]((?:19|20)\d{2})\b").expect("static regex")
});

static TIME: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})[:.h](\d{2})(?::(\d{2}))?(?:\s*([ap])\.?\s?m\b\.?)?")
        .expect("static regex")
});

static TZ: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?i)(?:\b(?:utc|gmt)\s*(?:([+-−])\s*(\d{1,2})(?::?(\d{2}))?)?\b|([+-])(\d{2}):?(\d{2})\b|\b(msk|мск|est|edt|cst|cdt|mst|mdt|pst|pdt|bst|cet|cest|eet|eest|jst|kst|ist|aest|aedt|z)\b)",
    )
    .expect("static regex")
});

/// A time-zone word as dates carry it: `UTC`, `GMT` (also `GMT+3`, `UTC-05:00`), an
/// abbreviation [`named_zone`] knows, or `IST` (ambiguous, but still a zone).
pub(crate) fn is_zone_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    let offset = |p: &str| {
        lower
            .strip_prefix(p)
            .is_some_and(|r| r.is_empty() || r.starts_with(['+', '-', '−']))
    };
    offset("utc") || offset("gmt") || lower == "ist" || named_zone(&lower).is_some()
}

fn named_zone(name: &str) -> Option<i32> {
    let h = match name.to_lowercase().as_str() {
        "msk" | "мск" => 3,
        "est" => -5,
        "edt" => -4,
        "cdt" => -5,
        "cst" => -6,
        "mst" => -7,
        "mdt" => -6,
        "pst" => -8,
        "pdt" => -7,
        "bst" | "cet" => 1,
        "cest" | "eet" => 2,
        "eest" => 3,
        "jst" | "kst" => 9,
        "aest" => 10,
        "aedt" => 11,
        "z" => 0,
        // "IST" is India, Ireland or Israel: not confident.
        _ => return None,
    };
    Some(h * 3600)
}

/// Parse a visible date. Returns the first date found in `s` with the time and
/// offset found around it.
pub fn parse_visible(s: &str) -> Option<PartialDate> {
    if s.len() > 300 {
        return None;
    }
    let (year, month, day, date_end, date_start) = find_date(s)?;
    // Time and zone: search the text after the date first, then before it.
    let after = &s[date_end..];
    let before = &s[..date_start];
    let (time, tz_text) = match find_time(after) {
        Some((t, end)) => (Some(t), &after[end..]),
        None => match find_time(before) {
            Some((t, end)) => (Some(t), &before[end..]),
            None => (None, after),
        },
    };
    let offset = if time.is_some() {
        find_offset(tz_text).or_else(|| find_offset(after))
    } else {
        None
    };
    Some(PartialDate {
        year,
        month,
        day,
        time,
        offset,
    })
}

type DateMatch = (Option<i32>, u32, u32, usize, usize);

fn find_date(s: &str) -> Option<DateMatch> {
    if let Some(c) = ISO_DATE.captures(s) {
        let m = c.get(0)?;
        let y = c[1].parse().ok()?;
        let mo = c[2].parse().ok()?;
        let d = c[3].parse().ok()?;
        if NaiveDate::from_ymd_opt(y, mo, d).is_some() {
            return Some((Some(y), mo, d, m.end(), m.start()));
        }
    }
    if let Some(c) = DMY_DATE.captures(s) {
        let m = c.get(0)?;
        let a: u32 = c[1].parse().ok()?;
        let b: u32 = c[3].parse().ok()?;
        let y: i32 = c[4].parse().ok()?;
        // "08.10.2018" is day.month (European); "10/08/2018" is month/day unless the first is > 12.
        let (mo, d) = if &c[2] == "/" && a <= 12 {
            (a, b)
        } else {
            (b, a)
        };
        if NaiveDate::from_ymd_opt(y, mo, d).is_some() {
            return Some((Some(y), mo, d, m.end(), m.start()));
        }
    }
    let dm = DAY_MONTH.captures(s);
    let md = MONTH_DAY.captures(s);
    let pick_dm = match (&dm, &md) {
        (Some(a), Some(b)) => a.get(0)?.start() <= b.get(0)?.start(),
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => return None,
    };
    let (c, day_idx, month_idx) = if pick_dm { (dm?, 1, 2) } else { (md?, 2, 1) };
    let m = c.get(0)?;
    let day: u32 = c[day_idx].parse().ok()?;
    let month = month_number(&c[month_idx])?;
    let year = c.get(3).and_then(|y| y.as_str().parse().ok());
    if !(1..=31).contains(&day) {
        return None;
    }
    Some((year, month, day, m.end(), m.start()))
}

fn find_time(s: &str) -> Option<(NaiveTime, usize)> {
    let c = TIME.captures(s)?;
    let mut h: u32 = c[1].parse().ok()?;
    let mi: u32 = c[2].parse().ok()?;
    let sec: u32 = c.get(3).and_then(|x| x.as_str().parse().ok()).unwrap_or(0);
    if let Some(ap) = c.get(4) {
        if h == 0 || h > 12 {
            return None;
        }
        let pm = ap.as_str().eq_ignore_ascii_case("p");
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    Some((NaiveTime::from_hms_opt(h, mi, sec)?, c.get(0)?.end()))
}

fn find_offset(s: &str) -> Option<FixedOffset> {
    let c = TZ.captures(s)?;
    if c.get(0)?.as_str().len() > 12 {
        return None;
    }
    let secs = if let Some(sign) = c.get(1) {
        let h: i32 = c[2].parse().ok()?;
        let m: i32 = c.get(3).and_then(|x| x.as_str().parse().ok()).unwrap_or(0);
        let v = h * 3600 + m * 60;
        if sign.as_str() == "+" {
            v
        } else {
            -v
        }
    } else if let Some(sign) = c.get(4) {
        let h: i32 = c[5].parse().ok()?;
        let m: i32 = c[6].parse().ok()?;
        let v = h * 3600 + m * 60;
        if sign.as_str() == "+" {
            v
        } else {
            -v
        }
    } else if let Some(z) = c.get(7) {
        named_zone(z.as_str())?
    } else {
        0 // bare "UTC" / "GMT"
    };
    FixedOffset::east_opt(secs)
}

/// A date in a URL path: `/2018/10/08/`, `/2018-10-08/`, `/20181008/`, or a year-month.
pub fn date_from_url(path: &str) -> Option<(i32, u32)> {
    static URL_DATE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?:^|[/_-])((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])(?:[/_-]?(?:0[1-9]|[12]\d|3[01]))?(?:[/_.-]|$)")
            .expect("static regex")
    });
    let c = URL_DATE.captures(path)?;
    Some((c[1].parse().ok()?, c[2].parse().ok()?))
}

/// The first full `yyyy-mm-dd` (or `dd.mm.yyyy`) date in a text: a year hint.
pub fn year_hint_in_text(s: &str) -> Option<(i32, u32)> {
    let (y, m, _, _, _) = ISO_DATE
        .captures(s)
        .and_then(|c| {
            let m = c.get(0)?;
            Some((
                Some(c[1].parse().ok()?),
                c[2].parse().ok()?,
                1u32,
                m.end(),
                m.start(),
            ))
        })
        .or_else(|| {
            let c = DMY_DATE.captures(s)?;
            Some((Some(c[4].parse().ok()?), c[3].parse().ok()?, 1, 0, 0))
        })?;
    let y = y?;
    (1..=12).contains(&m).then_some((y, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn off(h: i32) -> FixedOffset {
        FixedOffset::east_opt(h * 3600).unwrap()
    }

    fn rfc(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn machine_formats() {
        let want = rfc("2018-10-08T13:43:00+03:00");
        for s in [
            "2018-10-08T13:43:00+03:00",
            "2018-10-08T13:43:00.000+03:00",
            "2018-10-08T13:43:00+0300",
            "2018-10-08T13:43+03:00",
            "2018-10-08 13:43:00 +03:00",
            "Mon, 08 Oct 2018 13:43:00 +0300",
        ] {
            let p = parse_machine(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(p.resolve(None, None), Some(want), "{s}");
        }
        let z = parse_machine("2018-10-08T10:43:00Z").unwrap();
        assert_eq!(z.resolve(None, None), Some(want));
        assert_eq!(z.offset, Some(off(0)), "keeps the page's own offset");
        // No offset: the hint's, else the wall time as shown at +00:00 (the day is kept).
        let n = parse_machine("2018-10-08T13:43:00").unwrap();
        assert_eq!(
            n.resolve(None, None),
            Some(rfc("2018-10-08T13:43:00+00:00"))
        );
        assert_eq!(n.resolve(None, Some(off(3))), Some(want));
        let d = parse_machine("2018-10-08").unwrap();
        assert_eq!(d.time, None);
        assert_eq!(
            d.resolve(None, Some(off(3))),
            Some(rfc("2018-10-08T00:00:00+03:00"))
        );
        assert_eq!(
            parse_machine("1538995380").unwrap().resolve(None, None),
            Some(want)
        );
        assert!(parse_machine("").is_none());
        assert!(parse_machine("not a date").is_none());
        assert!(parse_machine("2018-13-45").is_none());
        assert!(
            parse_machine("0001-01-01T00:00:00Z").is_none(),
            "placeholder"
        );
        assert_eq!(
            parse_machine("2019-11-20T10:43Z")
                .unwrap()
                .resolve(None, None),
            Some(rfc("2019-11-20T10:43:00+00:00"))
        );
    }

    #[test]
    fn visible_tass_date_needs_a_year() {
        let p = parse_visible("October 08, 13:43 UTC+3").unwrap();
        assert_eq!(p.year, None);
        assert_eq!((p.month, p.day), (10, 8));
        assert_eq!(p.offset, Some(off(3)));
        assert_eq!(p.resolve(None, None), None, "no year, no date");
        assert_eq!(
            p.resolve(Some((2018, 10)), None),
            Some(rfc("2018-10-08T13:43:00+03:00"))
        );
        // Seen from January: last year's October.
        assert_eq!(
            p.resolve(Some((2019, 1)), None),
            Some(rfc("2018-10-08T13:43:00+03:00"))
        );
    }

    #[test]
    fn visible_formats() {
        let cases = [
            ("Oct. 8, 2018 1:43 PM EDT", "2018-10-08T13:43:00-04:00"),
            ("October 8, 2018, 13:43 GMT", "2018-10-08T13:43:00+00:00"),
            ("8 October 2018 13:43 MSK", "2018-10-08T13:43:00+03:00"),
            (
                "Published 08.10.2018 13:43 (UTC+03:00)",
                "2018-10-08T13:43:00+03:00",
            ),
            ("8 октября 2018, 13:43 МСК", "2018-10-08T13:43:00+03:00"),
            ("2018-10-08 13:43 +0300", "2018-10-08T13:43:00+03:00"),
            ("13:43, 8 October 2018 UTC", "2018-10-08T13:43:00+00:00"),
            (
                "Monday 8th of October 2018 12:05am CET",
                "2018-10-08T00:05:00+01:00",
            ),
        ];
        for (s, want) in cases {
            let p = parse_visible(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(p.resolve(None, None), Some(rfc(want)), "{s}");
        }
        assert!(parse_visible("No date here, 13:43").is_none());
        assert!(parse_visible("May the force be with you").is_none());
        // Date without a zone: no offset.
        let p = parse_visible("October 8, 2018").unwrap();
        assert_eq!(p.offset, None);
        assert_eq!(p.year, Some(2018));
    }

    #[test]
    fn visible_formats_of_other_locales() {
        let p = parse_visible("03.10.2024 01:44 (UTC-5)").unwrap();
        assert_eq!(
            p.resolve(None, None),
            Some(rfc("2024-10-03T01:44:00-05:00"))
        );
        for (s, m) in [
            ("3 October 2024", 10),
            ("October 3, 2024", 10),
            ("3 октября 2024, 13:43 МСК", 10),
            ("3. Oktober 2024", 10),
            ("3 octobre 2024", 10),
            ("3 de octubre de 2024", 10),
            ("3 ottobre 2024", 10),
            ("3 de março de 2024", 3),
        ] {
            let p = parse_visible(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!((p.year, p.month, p.day), (Some(2024), m, 3), "{s}");
        }
    }

    #[test]
    fn hints() {
        assert_eq!(
            date_from_url("/world/2018/10/08/story.html"),
            Some((2018, 10))
        );
        assert_eq!(date_from_url("/news/20181008-story"), Some((2018, 10)));
        assert_eq!(date_from_url("/politics/1024890"), None);
        assert_eq!(
            year_hint_in_text("date 2018-10-08 Russian"),
            Some((2018, 10))
        );
        assert_eq!(year_hint_in_text("no year"), None);
    }
}
