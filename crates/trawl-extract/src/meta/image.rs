//! The lead image, its caption and its credit.

use super::*;

pub(super) fn same_image(a: &str, b: &str) -> bool {
    fn file(s: &str) -> &str {
        let s = s.split(['?', '#']).next().unwrap_or(s);
        s.rsplit('/').next().unwrap_or(s)
    }
    a == b || (!file(a).is_empty() && file(a) == file(b))
}

pub(super) fn clean_credit(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s
        .trim_start_matches(['©', '(', ')'])
        .trim_start_matches("(c)")
        .trim_start_matches("Photo:")
        .trim_start_matches("Фото:")
        .trim();
    let s = s.strip_prefix("Photo").map(str::trim).unwrap_or(s);
    (!s.is_empty()
        && s.chars().count() <= 120
        && !s.to_ascii_lowercase().contains("rights reserved"))
    .then(|| s.to_string())
}

/// Text that is page furniture rather than a standfirst: an image credit or a byline.
pub(super) fn looks_like_furniture(s: &str) -> bool {
    let lower = s.trim_start().to_lowercase();
    [
        "image copyright",
        "©",
        "(c)",
        "photo:",
        "by ",
        "by:",
        "posted ",
        "published ",
        "updated ",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

pub(super) fn choose_image(w: &Walk, ld: &JsonLd, base: &Url, after: usize) -> Option<Image> {
    let meta_url = [
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "twitter:image",
        "twitter:image:src",
    ]
    .iter()
    .find_map(|k| w.meta(k))
    .map(str::to_string)
    .or_else(|| ld.image_url.clone())
    .and_then(|u| resolve_http(base, &u));
    // The image element: the one whose file matches the metadata image, else
    // the first image in a container after the headline.
    let content_imgs = || w.imgs.iter().filter(|i| !i.in_nav);
    let matched = meta_url.as_deref().and_then(|mu| {
        content_imgs().find(|i| resolve_http(base, i.src).is_some_and(|s| same_image(&s, mu)))
    });
    let first_after = content_imgs().find(|i| {
        i.pos >= after
            && w.roles.iter().any(|r| {
                r.container == i.container && matches!(r.role, Role::Credit | Role::Caption)
            })
    });
    let el = matched.or(first_after);
    let url = meta_url.or_else(|| el.and_then(|i| resolve_http(base, i.src)))?;
    let in_container = |role: Role| -> Option<String> {
        let c = el?.container;
        w.roles
            .iter()
            .filter(|r| r.role == role && r.container == c && c.is_some() && !r.text.is_empty())
            .map(|r| r.text.clone())
            .next()
    };
    let mut credit = in_container(Role::Credit).and_then(|c| clean_credit(&c));
    let mut caption = in_container(Role::Caption);
    // A "© Name/AGENCY" inside a caption is the credit.
    if let Some(cap) = caption.clone() {
        if let Some(i) = cap.find('©') {
            if credit.is_none() {
                credit = clean_credit(&cap[i..]);
            }
            let rest = cap[..i].trim().to_string();
            caption = (!rest.is_empty()).then_some(rest);
        }
    }
    if credit
        .as_deref()
        .is_some_and(|c| caption.as_deref() == Some(c))
    {
        caption = None;
    }
    Some(Image {
        url,
        caption: caption.or_else(|| ld.image_caption.clone()),
        credit: credit.or_else(|| ld.image_credit.clone()),
    })
}
