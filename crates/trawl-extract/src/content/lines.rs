//! Filters on emitted text: boilerplate, credit, date and "Read also" lines, template
//! placeholders, repeated passages, whitespace, and the headline test.

use super::*;

/// A prose block at least this long counts towards a repeated passage.
pub(super) const DUP_MIN_BYTES: usize = 80;

/// Drops second copies of a passage: a run of consecutive blocks that each repeat
/// an earlier block, with at least two different long prose blocks among them (responsive or
/// print variants rendered side by side, an infinite-scroll page that appends the
/// article again, a thread page that repeats the opening post). A lone repeated
/// line (the same "Warm up" step in several workouts) stays.
pub(super) fn drop_repeated_passages(blocks: &mut Vec<Block>) {
    use std::hash::{Hash, Hasher};
    if blocks.len() < 4 {
        return;
    }
    let mut seen: HashSet<u64> =
        HashSet::with_capacity_and_hasher(blocks.len(), Default::default());
    let hashes: Vec<u64> = blocks
        .iter()
        .map(|b| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            b.text.hash(&mut h);
            h.finish()
        })
        .collect();
    let dup: Vec<bool> = hashes.iter().map(|&h| !seen.insert(h)).collect();
    if !dup.iter().any(|&d| d) {
        return;
    }
    let long = |b: &Block| {
        matches!(
            b.kind,
            BlockKind::Paragraph | BlockKind::Quote | BlockKind::ListItem
        ) && b.text.len() >= DUP_MIN_BYTES
    };
    let mut keep = vec![true; blocks.len()];
    let mut i = 0;
    while i < blocks.len() {
        if !dup[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < blocks.len() && dup[i] {
            i += 1;
        }
        // at least two different long blocks: one paragraph said over and over is not
        // a copy of a passage
        let mut run_long = (start..i).filter(|&j| long(&blocks[j])).map(|j| hashes[j]);
        let first = run_long.next();
        if first.is_some() && run_long.any(|h| Some(h) != first) {
            keep[start..i].iter_mut().for_each(|k| *k = false);
        }
    }
    let mut k = keep.iter();
    blocks.retain(|_| *k.next().unwrap_or(&true));
}

pub(super) const READ_ALSO: &[&str] = &[
    "read also",
    "read more",
    "also read",
    "see also",
    "related:",
    "related articles",
    "related stories",
    "related news",
    "related content",
    "more on this",
    "more from",
    "you may also like",
    "you might also like",
    "you may be interested in",
    "you might be interested in",
    "you may also be interested in",
    "recommended",
    "читайте также",
    "смотрите также",
    "см. также",
    "читать также",
    "leia também",
    "leia mais",
    "veja também",
    "lea también",
    "lee también",
    "lire aussi",
    "à lire aussi",
    "lesen sie auch",
    "mehr zum thema",
    "leggi anche",
    "vedi anche",
    "siehe auch",
    "voir aussi",
    "ver também",
    "ver también",
    "czytaj także",
    "czytaj też",
    "zobacz także",
    "zobacz też",
    "lees ook",
    "читайте також",
    "дивіться також",
    "関連記事",
    "관련기사",
];

/// The heading of a shop's recommendations: other products bought, viewed or liked
/// alongside this one.
pub(super) fn is_recommendation_heading(text: &str) -> bool {
    const STARTS: &[&str] = &[
        "related products",
        "related items",
        "similar items",
        "similar products",
        "you may also like",
        "you might also like",
        "you may also be interested",
        "you might be interested",
        "frequently bought together",
        "complete the look",
        "shop the look",
        "recently viewed",
        "recommended for you",
        "recommended products",
        "more from this seller",
        "sponsored items",
    ];
    const CONTAINS: &[&str] = &["also viewed", "also bought", "also purchased", "also liked"];
    let lower = text.trim().to_lowercase();
    if lower.chars().count() > 60 {
        return false;
    }
    STARTS.iter().any(|m| lower.starts_with(m)) || CONTAINS.iter().any(|m| lower.contains(m))
}

/// Teasers after the article: a run of two or more paragraphs at the end of the body, each
/// an excerpt cut off with an ellipsis ("… is urging people to report cases o..."), as
/// a news template lists its other stories under the article. The article before them
/// keeps at least three blocks; an ellipsis inside the article is rarely at the end of two
/// paragraphs in a row.
pub(super) fn drop_trailing_teasers(blocks: &mut Vec<Block>) {
    let cut = |b: &Block| {
        let t = b.text.trim_end();
        b.kind == BlockKind::Paragraph
            && (t.ends_with("...") || t.ends_with('…'))
            && t.split_whitespace().nth(5).is_some()
    };
    let run = blocks.iter().rev().take_while(|b| cut(b)).count();
    if run >= 2 && blocks.len() >= run + 3 {
        blocks.truncate(blocks.len() - run);
    }
}

pub(super) fn starts_with_readalso(text: &str) -> bool {
    let lower = text.chars().take(40).collect::<String>().to_lowercase();
    READ_ALSO.iter().any(|m| lower.starts_with(m))
}

pub(super) fn is_readalso_line(text: &str) -> bool {
    // "READ MORE: headline" / "Read also: …" lines
    if text.chars().count() > 300 {
        return false;
    }
    let lower = text.chars().take(40).collect::<String>().to_lowercase();
    READ_ALSO.iter().any(|m| {
        lower.starts_with(m) && {
            let rest = lower[m.len()..].trim_start();
            rest.starts_with(':')
                || rest.starts_with('»')
                || rest.starts_with('-')
                || rest.starts_with('–')
                || m.ends_with(':')
        }
    })
}

/// What a blog plugin or template leaves in the text: a view counter ("(Visited 1,902 times,
/// 364 visits today)"), a rating widget ("Average rating 5 / 5. Vote count: 1"), a
/// slideshow's no-script notice, a page list ("Pages: 1 2 3"), an unrendered shortcode
/// ("[convertkit form=1630175]", "[CTA_MODULE]"), an obfuscated address ("[email&#160;protected]").
fn is_widget_leftover(text: &str, lower: &str) -> bool {
    let t = lower.trim();
    if t.starts_with("(visited ") && t.ends_with(" today)") {
        return true;
    }
    if t.starts_with("average rating") && t.contains("vote count") {
        return true;
    }
    // (Text is whitespace-normalized: Cloudflare's `[email&#160;protected]` reads so too.)
    if t == "this slideshow requires javascript." || t == "[email protected]" {
        return true;
    }
    if let Some(rest) = t.strip_prefix("pages:").or_else(|| t.strip_prefix("page:")) {
        if !rest.trim().is_empty()
            && rest
                .split_whitespace()
                .all(|w| w.bytes().all(|b| b.is_ascii_digit()))
        {
            return true;
        }
    }
    // A shortcode: `[name key=value …]`, or `[NAME_IN_CAPS]`.
    let raw = text.trim();
    if let Some(inner) = raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        let name_ok = |w: &str| {
            w.starts_with(|c: char| c.is_ascii_alphabetic())
                && w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        let mut words = inner.split_whitespace();
        let name = words.next().unwrap_or_default();
        let attrs: Vec<&str> = words.collect();
        if name_ok(name)
            && (!attrs.is_empty() && attrs.iter().all(|a| a.contains('='))
                || attrs.is_empty()
                    && name.contains('_')
                    && !name.bytes().any(|b| b.is_ascii_lowercase()))
        {
            return true;
        }
    }
    t.starts_with("image used under licen")
        || t.starts_with("images used under licen")
        || t.starts_with("photo used under licen")
}

/// The prompts and counters a site's software prints around the content: a forum's log-in
/// prompts ("You must log in or register to reply here.", "Already have an account? Sign in
/// here."), a Q&A site's prompts ("Find the answer to your question by asking."), a thread's
/// state ("Not open for further replies."), a post's edit note ("Last edited by …"), a
/// poster's counts ("Posts: 1,024", "12 silver badges 3 bronze badges"), a site builder's
/// form messages, a consent dialog's purposes, a privacy footer link and a player's no-video
/// notice.
/// `t`: the trimmed lower-case line.
fn is_site_prompt(t: &str) -> bool {
    const PROMPTS: &[&str] = &[
        "your browser does not support the video",
        "sorry, your browser doesn’t support embedded video",
        "sorry, your browser doesn't support embedded video",
        // a post's edit note (phpBB: "Last edited by Minoa on Wed Aug 28, 2019 11:24 am, edited
        // 1 time in total.")
        "last edited by ",
        // a site builder's form messages, shipped hidden beside every form
        "oops! something went wrong while submitting the form",
        "thank you! your submission has been received",
        // a privacy footer link
        "do not sell or share my personal information",
        "do not sell my personal information",
        // a consent dialog's purposes, worded by the IAB's framework for every site using it
        "we care about your privacy",
        "we and our partners process data",
        "store and/or access information on a device",
        "use limited data to select",
        "use profiles to select personalised",
        "create profiles for personalised",
        "create profiles to personalise",
        "measure advertising performance",
        "measure content performance",
        "understand audiences through statistics",
        "develop and improve services",
        "you must log in",
        "you must be logged in",
        "you need to be a member",
        "create an account or sign in",
        "already have an account?",
        "sign up for a new account",
        "find the answer to your question by asking",
        "see similar questions with these tags",
        "sorted by: reset to default",
        "not open for further replies",
    ];
    let n = t.chars().count();
    (n <= 160 && PROMPTS.iter().any(|p| t.starts_with(p)))
        // "Show 3 more comments" under a Q&A site's post
        || (n <= 40
            && t.trim_start_matches(['|', ' ']).starts_with("show ")
            && t.ends_with(" more comments"))
        || (n <= 80 && t.contains("silver badge") && t.contains("bronze badge"))
        || t.strip_prefix("posts:").is_some_and(|c| {
            let c = c.trim();
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        })
}

/// "By <doing something>, you agree / accept / consent …": the small print of a form.
fn is_consent_line(lower: &str) -> bool {
    const ACTS: &[&str] = &[
        "signing up",
        "subscribing",
        "submitting",
        "clicking",
        "entering",
        "registering",
        "providing",
        "continuing",
        "creating",
        "using this",
    ];
    lower.strip_prefix("by ").is_some_and(|rest| {
        ACTS.iter().any(|a| rest.starts_with(a))
            && ["agree", "accept", "consent", "terms", "privacy"]
                .iter()
                .any(|k| lower.contains(k))
    })
}

/// A short sign-up promise: "Get the latest articles … delivered to your inbox", "Get
/// editor selected deals texted right to your phone!".
fn is_inbox_promo(lower: &str, n: usize) -> bool {
    n <= 150
        && (lower.contains("to your inbox") || lower.contains("to your phone"))
        && (lower.starts_with("get ") || lower.contains("sign up") || lower.contains("subscribe"))
}

pub(super) fn is_boiler_line(text: &str) -> bool {
    let n = text.chars().count();
    if n > 300 {
        return false;
    }
    let lower = text.to_lowercase();
    // newsletter sign-up promos inside the body
    if lower.contains("newsletter")
        && (lower.contains("sign up") || lower.contains("subscribe") || lower.contains("signup"))
    {
        return true;
    }
    // the consent line under a sign-up or comment form ("By signing up, you agree to …",
    // "By clicking “Post Your Answer”, you agree …", "By providing my email, I am
    // consenting …") and the promise above it ("Get … delivered right to your inbox")
    if is_consent_line(&lower) || is_inbox_promo(&lower, n) {
        return true;
    }
    if n <= 120 && is_widget_leftover(text, &lower) {
        return true;
    }
    // author contact / follow-us lines
    if n <= 200
        && ["twitter", "facebook", "instagram", "@"]
            .iter()
            .any(|k| lower.contains(k))
        && (lower.starts_with("follow")
            || lower.starts_with("email")
            || [
                "follow us",
                "follow him",
                "follow her",
                "follow me",
                "follow them",
            ]
            .iter()
            .any(|k| lower.contains(k)))
    {
        return true;
    }
    // photo captions and credits: "Photo: Jane Doe/Reuters", "© Name/Agency"
    if is_credit_line(&lower, n) {
        return true;
    }
    // a site's copyright line: "Copyright © 2025 WABC-TV. All Rights Reserved."
    if n <= 200
        && lower.contains("all rights reserved")
        && (lower.contains('©') || lower.contains("copyright") || lower.contains("(c)"))
    {
        return true;
    }
    // gallery chrome: "Image 3 of 5"
    if n <= 30 && is_n_of_m(&lower) {
        return true;
    }
    // tag/category lines
    if [
        "tags:",
        "tags :",
        "tagged:",
        "tagged with",
        "filed under",
        "categories:",
        "category:",
        "temas:",
        "теги:",
        "метки:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return true;
    }
    if n > 80 {
        return false;
    }
    // (An embedded post's attribution, "— Jane Doe (@jdoe) November 18, 2019", is the
    // post's, not a date line.)
    if (is_date_line(&lower) && !lower.contains("(@")) || is_reading_time(&lower) {
        return true;
    }
    const LINES: &[&str] = &[
        "advertisement",
        "advertisements",
        "comments",
        "comment",
        "leave a comment",
        "leave a reply",
        "add a comment",
        "show comments",
        "view comments",
        "tell us what you think",
        "tags",
        "related",
        "related articles",
        "related posts",
        "recommended",
        "recommended stories",
        "recommended for you",
        "read next",
        "what to read next",
        "up next",
        "you may also like",
        "you might also like",
        "more stories",
        "more like this",
        "popular posts",
        "most popular",
        "more",
        "back to top",
        "print",
        "email",
        "facebook",
        "twitter",
        "whatsapp",
        "linkedin",
        "pinterest",
        "sponsored",
        "share this article",
        "share this",
        "share",
        "tweet",
        "click to share",
        "story continues below advertisement",
        "article continues below",
        "continue reading below",
        "continue reading",
        "скрыть рекламу",
        "реклама",
        "publicidade",
        "publicidad",
        "anzeige",
        "광고",
        "広告",
        // the same furniture in the languages of the larger news markets: share, comments,
        // tags, advertisement, print, read more, back to top, subscribe, most read, loading
        "поделиться",
        "комментарии",
        "теги",
        "метки",
        "печать",
        "версия для печати",
        "читать далее",
        "наверх",
        "подписаться",
        "самое читаемое",
        "новости по теме",
        "загрузка",
        "поділитися",
        "коментарі",
        "teilen",
        "kommentare",
        "werbung",
        "drucken",
        "weiterlesen",
        "nach oben",
        "abonnieren",
        "meistgelesen",
        "partager",
        "commentaires",
        "publicité",
        "imprimer",
        "lire la suite",
        "retour en haut",
        "les plus lus",
        "sur le même sujet",
        "chargement",
        "compartir",
        "comentarios",
        "imprimir",
        "leer más",
        "volver arriba",
        "etiquetas",
        "noticias relacionadas",
        "lo más leído",
        "cargando",
        "compartilhar",
        "partilhar",
        "comentários",
        "voltar ao topo",
        "notícias relacionadas",
        "mais lidas",
        "carregando",
        "condividi",
        "commenti",
        "pubblicità",
        "leggi di più",
        "torna su",
        "articoli correlati",
        "i più letti",
        "udostępnij",
        "komentarze",
        "reklama",
        "drukuj",
        "czytaj więcej",
        "delen",
        "reacties",
        "advertentie",
        "lees meer",
        "paylaş",
        "yorumlar",
        "reklam",
        // interface labels: a loading spinner's, skip links, a listing's sort and filter bar
        "loading",
        "skip to content",
        "skip to main content",
        "skip to search results",
        "skip to navigation",
        "skip to main navigation",
        "sort by",
        "read more",
        "see more",
        "next page",
        "free shipping",
        "verified buyer",
        "sort",
        "filter",
        "filters",
        "view",
        "compare",
        "add to cart",
        "shop now",
        "back",
        "top",
        "home",
        "help",
        // a forum's furniture: its links, a post's folding and its author's card
        "click to expand",
        "click to shrink",
        "follow",
        // a consent dialog's controls
        "checkbox label label",
        "leg.interest",
        "jump to",
        "jump to navigation",
        "jump to search",
        "jump to navigationjump to search",
        "forum jump",
        "reaction score",
        "posts",
        "points",
        "reply",
        "followers",
        "members",
        "moderator",
        "new member",
        "senior member",
        "well-known member",
        "established member",
        "original poster",
        "locked",
        "sticky",
        "new posts",
        "search forums",
        "similar threads",
        "related topics",
        "go to topic listing",
        "ask question",
        "explore related questions",
        "replies",
        "views",
        "joined",
        "member",
        "status",
        "messages",
        "location",
        "author",
        "top bottom",
        "post reply",
        "your answer",
        "recommended posts",
        "start asking to get answers",
        "sign in",
        "sign in now",
        "create an account",
        "register a new account",
        // call-to-action buttons
        "sign up",
        "subscribe",
        "get a quote",
        "start free trial",
        "get started for free",
        "apply now",
        "download now",
        "pin this for later",
        "get in touch",
        "book a consultation",
        "start building",
        "know more",
        "read the article",
        "read case study",
        "read the case study",
        "explore all",
        "expand description",
        "previous article",
        "next article",
        "privacy preference center",
        // a shop's and a listing's controls
        "view all",
        "show more",
        "out of stock",
        "write a review",
        "quantity",
        "qty",
        "select a size",
        "select size",
        "size guide",
        "size chart",
        "choose options",
        "select options",
        "in stock",
        "add to bag",
        "add to wishlist",
        "add to wish list",
        "notify me",
        "price: low to high",
        "price: high to low",
        "price high to low",
        "price low to high",
        // a Discourse topic list's header row
        "topic | | replies | views | activity",
        // a cookie preference centre's labels
        "strictly necessary cookies",
        "targeting cookies",
        "functional cookies",
        "performance cookies",
        "cookie list",
        "always active",
        // a site footer's links, where no footer element holds them
        "about us",
        "careers",
        "privacy policy",
    ];
    let trimmed = lower.trim();
    if is_site_prompt(trimmed) {
        return true;
    }
    // a count and its label: a post's likes ("1 like", "12 likes"), a product's reviews ("1,284
    // reviews"; not "1,113 ratings", which a repair guide's page keeps)
    if ["like", "likes", "review", "reviews"].iter().any(|label| {
        trimmed
            .strip_suffix(label)
            .and_then(|c| c.strip_suffix(' '))
            .is_some_and(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit() || b == b','))
    }) {
        return true;
    }
    // a bare number: a pager's page, a counter, a carousel's slide, a post's vote score
    // ("-3"); a pager's run of them ("1 2 3"); not a "#3", which ranks a chart's entries too
    let number = |w: &str| (1..=4).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit());
    if number(trimmed.strip_prefix('-').unwrap_or(trimmed))
        || (n <= 30 && trimmed.contains(' ') && trimmed.split(' ').all(number))
    {
        return true;
    }
    let t = lower.trim_matches(|c: char| !c.is_alphanumeric());
    LINES.contains(&t)
}

/// A photo credit or caption line: it starts with a credit label, or it is short and
/// carries a copyright sign (captions end in "© Name/Agency").
/// Characters that show nothing: white space, zero-width and format characters,
/// soft hyphens.
pub(super) fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

pub(super) fn is_credit_line(lower: &str, n: usize) -> bool {
    const LABELS: &[&str] = &[
        "photo:",
        "photo by",
        "photos:",
        "photos by",
        "photo credit",
        "photograph:",
        "photograph by",
        "photography:",
        "photography by",
        "image:",
        "image credit",
        "image source",
        "image via",
        "images:",
        "picture:",
        "pictured:",
        "credit:",
        "credits:",
        "foto:",
        "fotos:",
        "фото:",
        "bild:",
        // the same labels in the languages of the larger news markets
        "photo :",
        "crédit photo",
        "crédits photo",
        "credit foto",
        "fot.",
        "fot:",
        "fotografía:",
        "imagen:",
        "imagem:",
        "фотография:",
        "фото —",
        "фото -",
    ];
    if n <= 160 && LABELS.iter().any(|l| lower.starts_with(l)) {
        return true;
    }
    // "Getty Images / Holger Leue", "Reuters/Jane Doe", "AFP via Getty Images": an agency,
    // then the photographer or the distributor.
    const AGENCIES: &[&str] = &[
        "getty images",
        "getty",
        "shutterstock",
        "istockphoto",
        "istock",
        "reuters",
        "ap photo",
        "afp",
        "alamy",
        "unsplash",
        "pexels",
        "epa-efe",
        "epa",
        "dpa",
        "adobe stock",
        "pa images",
        "pa wire",
        "associated press",
        "nurphoto",
        "anadolu",
        "tass",
        "ria novosti",
        "pap",
        "ansa",
        "efe",
        "kyodo",
        "xinhua",
        "yonhap",
        "тасс",
        "риа новости",
    ];
    if n <= 80 && !lower.trim_end().ends_with('.') {
        let agency_then = |rest: &str| {
            let rest = rest.trim_start();
            rest.is_empty() || rest.starts_with('/') || rest.starts_with("via ")
        };
        if AGENCIES
            .iter()
            .any(|a| lower.strip_prefix(a).is_some_and(agency_then))
        {
            return true;
        }
    }
    // A caption that ends with its credit in brackets: "… in 2004 (Picture credit: Getty)".
    if n <= 250 {
        if let Some(open) = lower
            .trim_end()
            .strip_suffix(')')
            .and_then(|t| t.rfind('('))
        {
            let inside = &lower[open + 1..];
            let credit = [
                "photo",
                "photos",
                "picture",
                "image",
                "images",
                "credit",
                "photo credit",
                "picture credit",
                "image credit",
            ];
            if inside.len() <= 70
                && inside
                    .split_once(':')
                    .is_some_and(|(label, _)| credit.contains(&label.trim()))
            {
                return true;
            }
        }
    }
    n <= 160 && lower.contains('©') && !lower.trim_end().ends_with(['.', '!', '?'])
        || n <= 160 && lower.starts_with('©')
}

pub(super) fn is_n_of_m(lower: &str) -> bool {
    let toks: Vec<&str> = lower.split_whitespace().collect();
    toks.len() <= 4
        && toks.len() >= 3
        && toks.contains(&"of")
        && toks
            .iter()
            .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
            .count()
            == 2
}

/// A line that is only a date/time ("November 20, 2019", "22 de janeiro de 2018 às 0:13"):
/// at least two digit groups, one of them a year, at most six words, no sentence end.
pub(super) fn is_date_line(lower: &str) -> bool {
    date_line(lower, false)
}

/// A line of the article's metadata at the top of its body: a byline ([`is_byline_line`]) or
/// a date line, ordinal days included ("Last Updated: December 15th 2025").
pub(super) fn is_top_meta_line(text: &str) -> bool {
    let lower = text.to_lowercase();
    is_byline_line(text) || date_line(&lower, true) || is_meta_strip(&lower)
}

/// A strip of the article's metadata: a date and a labelled author, section or tags, joined
/// by separators ("05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde", "On
/// Behalf of Smith PLLC | Apr 21, 2017 | Products Liability", "Fitzg | Posted in General
/// Discussion on February 24, 2006").
fn is_meta_strip(lower: &str) -> bool {
    const LABELS: &[&str] = &[
        "posted by",
        "posted in",
        "published by",
        "published in",
        "written by",
        "on behalf of",
        "publicado por",
        "publicado em",
        "publicado en",
        "veröffentlicht von",
        "publié par",
        "category:",
        "categories:",
        "categoria:",
        "categoría:",
        "tags:",
        "filed under",
    ];
    if lower.chars().count() > 200 || lower.trim_end().ends_with('.') {
        return false;
    }
    if !LABELS.iter().any(|l| lower.contains(l)) {
        return false;
    }
    // Dashes separate only with spaces around them (an ISO date keeps its own).
    let strip = lower
        .replace(" - ", "|")
        .replace(" – ", "|")
        .replace(" — ", "|");
    strip
        .split(['|', '•', '·'])
        .flat_map(|part| part.split(" on "))
        .any(|part| date_line(part.trim(), true))
}

fn date_line(lower: &str, ordinals: bool) -> bool {
    if lower.ends_with('.') && !lower.ends_with("m.") {
        return false;
    }
    let mut digit_groups = 0;
    let mut year = false;
    let mut words = 0;
    for tok in lower.split(|c: char| !c.is_alphanumeric()) {
        if tok.is_empty() {
            continue;
        }
        // An ordinal day counts as a number ("15th", "1st") when asked.
        let num = match ordinals {
            true => tok
                .strip_suffix("st")
                .or_else(|| tok.strip_suffix("nd"))
                .or_else(|| tok.strip_suffix("rd"))
                .or_else(|| tok.strip_suffix("th"))
                .filter(|n| (1..=2).contains(&n.len()))
                .unwrap_or(tok),
            false => tok,
        };
        if num.chars().all(|c| c.is_ascii_digit()) {
            digit_groups += 1;
            if tok.len() == 4 && (tok.starts_with("19") || tok.starts_with("20")) {
                year = true;
            }
        } else {
            words += 1;
        }
    }
    year && digit_groups >= 2 && words <= 6
}

/// A byline on a line of its own ("By Rick Steves", "Written by Ann Lee and Bob Stone",
/// "September 1st, 2023 By Emily Norwood"): a label, then at most eight words that are
/// capitalized names (or "and", "&" and name particles), no sentence after them.
pub(super) fn is_byline_line(text: &str) -> bool {
    let t = text.trim();
    let lower = t.to_lowercase();
    let Some((start, at)) = ["written by ", "posted by ", "words by ", "story by ", "by "]
        .iter()
        .find_map(|l| lower.find(l).map(|i| (i, i + l.len())))
    else {
        return false;
    };
    // What comes before the label: nothing, or a date ("September 1st, 2023").
    let before = lower[..start].trim_end_matches([' ', ',', '|', '·', '-', '—', '–']);
    if !before.is_empty() && !date_line(before, true) {
        return false;
    }
    // (Lower-casing keeps the byte offsets of these ASCII labels only for ASCII text
    // before them; otherwise leave the line alone.)
    if !lower[..at].is_ascii() || !t.is_char_boundary(at) {
        return false;
    }
    let names: Vec<&str> = t[at..].split_whitespace().collect();
    (1..=8).contains(&names.len())
        && !t.ends_with(['.', '!', '?', ':'])
        && names.iter().all(|w| {
            let w = w.trim_matches([',', '&']);
            w.is_empty()
                || matches!(w, "and" | "de" | "van" | "von" | "der" | "da" | "la" | "le")
                || w.chars().next().is_some_and(|c| c.is_uppercase())
        })
}

/// A reading-time line: "Reading Time: 11 minutes", "5 min read", "12 minute read".
pub(super) fn is_reading_time(lower: &str) -> bool {
    let t = lower.trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() > 5 || !words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) {
        return false;
    }
    t.starts_with("reading time")
        || t.starts_with("read time")
        || ((t.ends_with(" read") || t.ends_with(" read time"))
            && words.iter().any(|w| w.starts_with("min")))
}

/// Remove unrendered template placeholders such as `{{item.group_date}}`. A
/// placeholder that never closes (a page cut short inside one) takes the rest
/// of the line with it, as a closed one takes what it encloses.
pub(super) fn strip_placeholders(text: String) -> String {
    if !text.contains("{{") && !text.contains("{%") {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    loop {
        let a = rest.find("{{");
        let b = rest.find("{%");
        let (start, close) = match (a, b) {
            (Some(x), Some(y)) if y < x => (y, "%}"),
            (Some(x), _) => (x, "}}"),
            (None, Some(y)) => (y, "%}"),
            (None, None) => {
                out.push_str(rest);
                break;
            }
        };
        out.push_str(&rest[..start]);
        match rest[start..].find(close) {
            Some(e) => rest = &rest[start + e + 2..],
            None => break,
        }
    }
    normalize_ws(&out)
}

/// Collapse every run of Unicode whitespace (and zero-width spaces) to one space, trim.
pub(crate) fn normalize_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' || c == '\u{00ad}' {
            if c == '\u{00ad}' || c == '\u{200b}' || c == '\u{feff}' {
                continue;
            }
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Lower-cased alphanumerics only: for comparing headlines.
pub(super) fn norm_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

pub(super) fn title_matches(title_key: &str, text: &str) -> bool {
    let k = norm_key(text);
    if k.is_empty() || title_key.is_empty() {
        return false;
    }
    k == title_key
        || (k.len() >= 20 && title_key.starts_with(&k))
        || (title_key.len() >= 20 && k.starts_with(title_key) && k.len() < title_key.len() + 40)
}

/// `table_blocks`: how many of the blocks are table rows (data, not page chrome).
pub(super) fn looks_like_article(
    blocks: &[Block],
    table_blocks: usize,
    s: &Stats,
    top: usize,
) -> bool {
    let mut prose = 0usize;
    let mut long_paras = 0usize;
    let mut short = 0usize;
    for b in blocks {
        let n = b.text.chars().count();
        if matches!(b.kind, BlockKind::Paragraph | BlockKind::Quote) && n >= 80 {
            prose += n;
            long_paras += 1;
        } else {
            short += 1;
        }
    }
    let short = short.saturating_sub(table_blocks);
    let ld = link_density(s, top);
    prose >= 400 && (long_paras >= 2 || prose >= 800) && ld < 0.5 && short <= long_paras * 4 + 4
}
