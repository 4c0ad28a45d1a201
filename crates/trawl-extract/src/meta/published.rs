//! Publication and update times: machine-readable sources, checked against the date the
//! reader sees near the headline.

use super::*;

/// Dates: machine-readable sources in order (JSON-LD, `article:published_time`
/// and friends, microdata, `<time datetime>`), then the visible date in the
/// article header. When machine sources disagree on the day, the one that
/// agrees with the visible date wins; when the visible date is all there is,
/// its year may come from the URL or another date on the page, its offset from
/// another date on the page — otherwise the date is absent.
/// The page's dates, and whether one of them is shown to the reader (a date near the
/// headline or in a date-role element), not only stated in metadata.
pub(super) struct ChosenDates {
    pub published_at: Option<DateTime<FixedOffset>>,
    pub modified_at: Option<DateTime<FixedOffset>>,
    pub shown: bool,
}

pub(super) fn choose_dates(w: &Walk, ld: &JsonLd, base: &Url, after: usize) -> ChosenDates {
    const PUB_META: &[&str] = &[
        "article:published_time",
        "article:published",
        "og:published_time",
        "og:article:published_time",
        "published_time",
        "pubdate",
        "publishdate",
        "publish-date",
        "published",
        "published-date",
        "published_date",
        "publication-date",
        "publication_date",
        "date-published",
        "parsely-pub-date",
        "sailthru.date",
        "dc.date.issued",
        "dc.date",
        "dcterms.created",
        "date",
        "article.published",
        "cxenseparse:recs:publishtime",
    ];
    const MOD_META: &[&str] = &[
        "article:modified_time",
        "article:modified",
        "og:updated_time",
        "og:article:modified_time",
        "dc.date.modified",
        "dcterms.modified",
        "last-modified",
        "article.updated",
    ];
    let mut published: Vec<PartialDate> = Vec::new();
    published.extend(ld.date_published.as_deref().and_then(date::parse_machine));
    published.extend(
        PUB_META
            .iter()
            .filter_map(|k| w.meta(k))
            .filter_map(date::parse_machine),
    );
    for key in ["datePublished", "dateCreated"] {
        published.extend(w.itemprop(key).and_then(date::parse_machine));
    }
    let mut times: Vec<&(&str, usize, bool)> = w.times.iter().filter(|t| !t.2).collect();
    times.sort_by_key(|t| (t.1 < after, t.1));
    // Values from metadata proper; a <time datetime> is the visible date's markup.
    let n_meta = published.len();
    published.extend(times.first().and_then(|t| date::parse_machine(t.0)));

    let mut modified: Vec<PartialDate> = Vec::new();
    modified.extend(ld.date_modified.as_deref().and_then(date::parse_machine));
    modified.extend(
        MOD_META
            .iter()
            .filter_map(|k| w.meta(k))
            .filter_map(date::parse_machine),
    );
    modified.extend(w.itemprop("dateModified").and_then(date::parse_machine));

    // The visible date: a date-role element, after the h1 first; with metadata to settle
    // on, only one near the headline (not a list of other stories further down).
    let near = |pos: usize| after == 0 || n_meta == 0 || near_headline(pos, after);
    let mut vis: Vec<&RoleHit> = w
        .roles
        .iter()
        .filter(|r| {
            r.role == Role::Date
                && !r.in_nav
                && !r.text.is_empty()
                && r.text.len() <= 120
                && near(r.pos)
        })
        .collect();
    vis.sort_by_key(|r| (r.pos < after, r.pos));
    let visible = vis
        .iter()
        .filter(|r| r.pos >= after || after == 0)
        .chain(vis.iter())
        .filter(|r| !says_updated(date_prefix(&r.text)))
        .find_map(|r| date::parse_visible(&r.text));

    // Hints for incomplete dates.
    let offset_hint = published
        .iter()
        .chain(modified.iter())
        .chain(visible.iter())
        .find_map(|d| d.offset);
    let year_hint = published
        .iter()
        .chain(modified.iter())
        .find_map(|d| d.year.map(|y| (y, d.month)))
        .or_else(|| date::date_from_url(base.path()))
        .or(w.year_hint_text)
        .or(w.year_hint_page);

    let resolve = |d: &PartialDate| d.resolve(year_hint, offset_hint);
    // The site's time zone as its other timestamps state it (comments included).
    let page_offset = w
        .times
        .iter()
        .filter_map(|t| date::parse_machine(t.0))
        .find_map(|d| d.offset.filter(|o| o.local_minus_utc() != 0));
    let pick =
        |cands: &[PartialDate], visible: Option<&PartialDate>| -> Option<DateTime<FixedOffset>> {
            let resolved: Vec<(PartialDate, DateTime<FixedOffset>)> = cands
                .iter()
                .filter_map(|d| Some((*d, resolve(d)?)))
                .collect();
            // A date-only first candidate yields to a timed one on the same day.
            let first = match resolved.first() {
                Some((d, _)) if d.time.is_none() => resolved
                    .iter()
                    .find(|(o, _)| o.time.is_some() && o.same_day(d))
                    .or(resolved.first()),
                f => f,
            };
            let agree = resolved.iter().all(|(_, r)| Some(r) == first.map(|f| &f.1));
            if let (false, Some(v)) = (agree, visible) {
                if let Some((_, r)) = resolved.iter().find(|(d, _)| d.same_day(v)) {
                    return Some(*r);
                }
            }
            first.map(|f| f.1)
        };
    // The dates shown next to the headline: what a reader sees wins over
    // machine values for another day; a machine value for the same day is kept
    // (it has the time and offset).
    let (mut shown_pub, mut shown_upd, shown_numeric) = shown_dates(w, after);
    // A machine value for the shown day, timed first.
    let same_day = |cands: &[PartialDate], v: &PartialDate| -> Option<DateTime<FixedOffset>> {
        let days = || cands.iter().filter(|d| d.year.is_some() && d.same_day(v));
        days()
            .find(|d| d.time.is_some())
            .or_else(|| days().next())
            .and_then(resolve)
    };
    // A shown plain date that is the machine modification day (and not the
    // publication day), or the day of a shown "updated" date, is the update
    // the page shows: publication then comes from the metadata.
    let meta_pub = &published[..n_meta];
    // (A shown update later on the same day as a shown publication leaves it one.)
    let is_update = |v: &PartialDate, upd: Option<PartialDate>| {
        upd.is_some_and(|u| {
            u.same_day(v) && (u.time.is_none() || v.time.is_none() || u.time == v.time)
        }) || (same_day(meta_pub, v).is_none() && same_day(&modified, v).is_some())
    };
    // A numeric date read in the other order ("09.10.2024" for September 10 on a site
    // that writes month first): the metadata's day settles it.
    let swapped = |v: PartialDate| -> PartialDate {
        let sw = PartialDate {
            month: v.day,
            day: v.month,
            ..v
        };
        let misread = shown_numeric
            && v.day <= 12
            && v.day != v.month
            && same_day(&published, &v).is_none()
            && same_day(meta_pub, &sw).is_some();
        if misread {
            sw
        } else {
            v
        }
    };
    shown_pub = shown_pub.map(swapped);
    if let Some(v) = shown_pub {
        if is_update(&v, shown_upd) {
            shown_pub = None;
            shown_upd = shown_upd.or(Some(v));
        }
    }
    let visible = visible.filter(|v| !is_update(v, shown_upd));
    let published_at = match &shown_pub {
        Some(v) => same_day(&published, v)
            .or_else(|| {
                near_utc_day(&published, v)
                    .and_then(resolve)
                    .map(|t| in_zone_of_day(t, v, page_offset))
            })
            .or_else(|| {
                // A timed visible date for the same day (its year from the hints).
                visible
                    .filter(|x| x.time.is_some() && x.same_day(v))
                    .and_then(|x| resolve(&x))
            })
            .or_else(|| resolve(v)),
        None if shown_upd.is_some()
            || published.len() > n_meta && is_update(&published[n_meta], shown_upd) =>
        {
            let not_update: Vec<PartialDate> = published
                .iter()
                .filter(|d| !is_update(d, shown_upd))
                .copied()
                .collect();
            pick(&not_update, visible.as_ref())
        }
        None => pick(&published, visible.as_ref()).or_else(|| visible.as_ref().and_then(resolve)),
    };
    let modified_at = match &shown_upd {
        Some(u) => same_day(&modified, u)
            .or_else(|| same_day(&published, u))
            .or_else(|| resolve(u)),
        None => pick(&modified, None),
    }
    .filter(|m| published_at.is_none_or(|p| *m >= p));
    // Nothing anywhere else: a labelled date line anywhere on the page ("Last updated:
    // November 13, 2025" at the foot of a park's page), outside navigation and comments.
    if published_at.is_none() && modified_at.is_none() {
        if let Some((d, upd)) = labelled_date_line(w) {
            let at = resolve(&d);
            return ChosenDates {
                published_at: if upd { None } else { at },
                modified_at: if upd { at } else { None },
                // Far from the headline: not the date shown with the article.
                shown: false,
            };
        }
    }
    ChosenDates {
        published_at,
        modified_at,
        shown: shown_pub.is_some() || shown_upd.is_some() || visible.is_some(),
    }
}

/// The first short line on the page that is a full date after a "Published"/"Posted" or
/// "Updated" label (in the line or the short text before it), and whether it is an update.
fn labelled_date_line(w: &Walk) -> Option<(PartialDate, bool)> {
    w.text_dates
        .iter()
        .filter(|t| stands_alone(t))
        .find_map(|t| {
            let r = read_text_date(t)?;
            (r.published || r.updated).then_some((r.date, r.updated))
        })
}

/// A text date that stands as a line of its own: at most ten words, and not inside a
/// sentence (at most 80 bytes of other text in its block).
fn stands_alone(t: &TextDate) -> bool {
    t.block_len <= 80 && t.text.split_whitespace().count() <= 10
}

/// A text date as read: the date with a year (as a reader reads it, or a timestamp shown as
/// it is), and whether its label — in the text, or the short text before it when the text
/// has none of its own — says publication or update.
struct TextDateReading {
    date: PartialDate,
    published: bool,
    updated: bool,
}

fn read_text_date(t: &TextDate) -> Option<TextDateReading> {
    let date = date::parse_visible(&t.text)
        .or_else(|| date::parse_machine(t.text.trim()))
        .filter(|d| d.year.is_some())?;
    let prefix = date_prefix(&t.text);
    let own = says_published(prefix) || says_updated(prefix);
    let label_counts = !own && prefix.len() <= 12;
    Some(TextDateReading {
        date,
        published: says_published(prefix) || (label_counts && says_published(&t.label)),
        updated: says_updated(prefix) || (label_counts && says_updated(&t.label)),
    })
}

/// A timed machine value in UTC one day off a shown date-only value: the same
/// moment seen from the site's time zone (a date-only value never overrides a
/// timed one for what may be the same day).
pub(super) fn near_utc_day<'c>(
    cands: &'c [PartialDate],
    v: &PartialDate,
) -> Option<&'c PartialDate> {
    use chrono::{NaiveDate, NaiveTime};
    let vd = NaiveDate::from_ymd_opt(v.year?, v.month, v.day)?;
    // Time zones run from UTC−12 to UTC+14: a moment is the previous local day only
    // before 12:00 UTC, the next local day only from 10:00 UTC.
    let noon = NaiveTime::from_hms_opt(12, 0, 0)?;
    let ten = NaiveTime::from_hms_opt(10, 0, 0)?;
    cands.iter().find(|d| {
        let (Some(t), Some(dd)) = (
            d.time,
            d.year
                .and_then(|y| NaiveDate::from_ymd_opt(y, d.month, d.day)),
        ) else {
            return false;
        };
        d.offset.is_some_and(|o| o.local_minus_utc() == 0)
            && match (dd - vd).num_days() {
                1 => t < noon,
                -1 => t >= ten,
                _ => false,
            }
    })
}

/// A UTC moment shown as the site's local day `v` (a post at 02:41 UTC on the 19th shown
/// as "December 18" by a site at UTC−5): the same moment in the site's zone when that
/// makes it the shown day, else as it is.
pub(super) fn in_zone_of_day(
    t: DateTime<FixedOffset>,
    v: &PartialDate,
    site: Option<FixedOffset>,
) -> DateTime<FixedOffset> {
    use chrono::Datelike;
    match site.map(|o| t.with_timezone(&o)) {
        Some(local) if local.day() == v.day && local.month() == v.month => local,
        _ => t,
    }
}

/// Whether the words before a visible date say it is the last update.
pub(super) fn says_updated(label: &str) -> bool {
    let l = label.to_lowercase();
    [
        "updat",
        "modif",
        "revised",
        "edited",
        "reviewed",
        "обновл",
        "изменен",
        "aktualisiert",
        "mis à jour",
        "actualizado",
        "aggiornat",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// Whether the words before a visible date say it is the publication.
pub(super) fn says_published(label: &str) -> bool {
    let l = label.to_lowercase();
    [
        "publish",
        "posted",
        "опублик",
        "veröffentlicht",
        "publié",
        "publicado",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// The part of a date text before its first digit (for "Updated Dec 18, 2025"
/// the label and the month): the words that say what the date is.
pub(super) fn date_prefix(s: &str) -> &str {
    let i = s.find(|c: char| c.is_ascii_digit()).unwrap_or(s.len());
    &s[..i]
}

/// Whether the element at `pos` is near the headline at `after`: at most 60 elements
/// before it or 150 after.
pub(super) fn near_headline(pos: usize, after: usize) -> bool {
    pos + 60 >= after && pos <= after + 150
}

/// Visible dates near the headline: (the nearest publication-or-plain date,
/// the nearest "updated" date). A date-role element or a short text with a
/// full date (year, month, day) counts; after the headline is preferred over
/// before it, which costs double distance. Without a headline, none.
/// The third value says whether the publication date is written in numbers only
/// ("09.10.2024"), whose day and month order a site may have meant the other way.
pub(super) fn shown_dates(
    w: &Walk,
    after: usize,
) -> (Option<PartialDate>, Option<PartialDate>, bool) {
    if after == 0 {
        return (None, None, false);
    }
    let near = |pos: usize| near_headline(pos, after);
    let dates_in_table = |table: usize| {
        w.text_dates
            .iter()
            .filter(|o| o.table == table && date::parse_visible(&o.text).is_some())
            .take(3)
            .count()
    };
    let dist = |pos: usize| {
        if pos >= after {
            pos - after
        } else {
            (after - pos) * 2
        }
    };
    // No month written in words.
    let numeric = |t: &str| {
        !t.split(|c: char| !c.is_alphabetic())
            .any(|w| date::month_number(w).is_some())
    };
    let mut cands: Vec<(usize, bool, PartialDate, bool)> = Vec::new();
    for r in &w.roles {
        if r.role == Role::Date && !r.in_nav && near(r.pos) && r.text.len() <= 120 {
            if let Some(d) = date::parse_visible(&r.text).filter(|d| d.year.is_some()) {
                let upd = says_updated(date_prefix(&r.text));
                cands.push((dist(r.pos), upd, d, numeric(&r.text)));
            }
        }
    }
    for t in &w.text_dates {
        // A date line, not a sentence that mentions a date, nor a cell of a table of dates.
        if !near(t.pos) || !stands_alone(t) || (t.table > 0 && dates_in_table(t.table) >= 3) {
            continue;
        }
        if let Some(r) = read_text_date(t) {
            cands.push((dist(t.pos), r.updated, r.date, numeric(&t.text)));
        }
    }
    cands.sort_by_key(|c| c.0);
    let pub_ = cands.iter().find(|c| !c.1);
    let upd = cands.iter().find(|c| c.1).map(|c| c.2);
    (pub_.map(|c| c.2), upd, pub_.is_some_and(|c| c.3))
}
