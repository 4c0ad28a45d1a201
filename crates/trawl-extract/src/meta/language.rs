//! The page's language: the markup's (`<html lang>`, `content-language`,
//! `og:locale`, JSON-LD `inLanguage`, `dc.language`) unless the body text
//! clearly contradicts it, else the body text's.
//!
//! Detection: a script that names one language (Hangul → ko, kana → ja,
//! Cyrillic letters proper to ru/uk/be, …) decides first; otherwise the
//! `whatlang` trigram detector, only when it calls its result reliable.
//!
//! When they disagree, the markup wins: it is the site's explicit statement,
//! and trigram detection errs on short or mixed text (a French quote in an
//! English article, a list of product names). The one exception is a
//! contradiction by construction: markup naming a Latin-script language over a
//! body written in another script (a CMS's default `lang="en"` on a Russian
//! page) — then the text's language is taken.

use super::guess_language_from_script;

/// At most this many bytes of body text are given to the detector.
const SAMPLE: usize = 3000;

/// Languages whose usual script is not Latin.
const NON_LATIN: &[&str] = &[
    "ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn", "el", "he", "yi", "ar", "fa", "ur",
    "ps", "th", "ja", "ko", "zh", "ka", "hy", "hi", "mr", "ne", "bn", "pa", "gu", "or", "ta", "te",
    "kn", "ml", "si", "my", "km", "lo", "am",
];

/// The language of `text` (ISO 639-1), or `None` when not confident.
pub fn detect(text: &str) -> Option<String> {
    let mut end = text.len().min(SAMPLE);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    if let Some(l) = guess_language_from_script(sample) {
        return Some(l.to_string());
    }
    if sample.chars().filter(|c| c.is_alphabetic()).count() < 80 {
        return None;
    }
    let info = whatlang::detect(sample)?;
    if !info.is_reliable() {
        return None;
    }
    iso639_1(info.lang().code()).map(str::to_string)
}

/// The page's language: `markup` unless `body` contradicts it by script, else
/// the body's detected language.
pub fn choose(markup: Option<String>, body: &str) -> Option<String> {
    match markup {
        None => detect(body),
        Some(m) => {
            if !NON_LATIN.contains(&m.as_str()) {
                if let Some(script_lang) = guess_language_from_script(body) {
                    if NON_LATIN.contains(&script_lang) {
                        return Some(script_lang.to_string());
                    }
                }
            }
            Some(m)
        }
    }
}

/// ISO 639-3 (as whatlang names languages) to ISO 639-1.
fn iso639_1(code3: &str) -> Option<&'static str> {
    Some(match code3 {
        "eng" => "en",
        "rus" => "ru",
        "cmn" => "zh",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "ben" => "bn",
        "fra" => "fr",
        "deu" => "de",
        "ukr" => "uk",
        "kat" => "ka",
        "ara" => "ar",
        "hin" => "hi",
        "jpn" => "ja",
        "heb" => "he",
        "yid" => "yi",
        "pol" => "pl",
        "amh" => "am",
        "jav" => "jv",
        "kor" => "ko",
        "nob" => "nb",
        "dan" => "da",
        "swe" => "sv",
        "fin" => "fi",
        "tur" => "tr",
        "nld" => "nl",
        "hun" => "hu",
        "ces" => "cs",
        "ell" => "el",
        "bul" => "bg",
        "bel" => "be",
        "mar" => "mr",
        "kan" => "kn",
        "ron" => "ro",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "mkd" => "mk",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "tam" => "ta",
        "vie" => "vi",
        "urd" => "ur",
        "tha" => "th",
        "guj" => "gu",
        "uzb" => "uz",
        "pan" => "pa",
        "aze" => "az",
        "ind" => "id",
        "tel" => "te",
        "pes" => "fa",
        "mal" => "ml",
        "ori" => "or",
        "mya" => "my",
        "nep" => "ne",
        "sin" => "si",
        "khm" => "km",
        "tuk" => "tk",
        "aka" => "ak",
        "zul" => "zu",
        "sna" => "sn",
        "afr" => "af",
        "lat" => "la",
        "slk" => "sk",
        "cat" => "ca",
        "tgl" => "tl",
        "hye" => "hy",
        "epo" => "eo",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str = "The committee met on Tuesday to discuss the budget for the coming year, \
        and the members agreed that the school would need more teachers and new books.";
    const DE: &str = "Der Ausschuss traf sich am Dienstag, um den Haushalt für das kommende Jahr \
        zu besprechen, und die Mitglieder waren sich einig, dass die Schule mehr Lehrer braucht.";
    const RU: &str =
        "Комитет собрался во вторник, чтобы обсудить бюджет на следующий год, и члены \
        комитета согласились, что школе понадобятся новые учителя и учебники.";

    #[test]
    fn detects_when_the_markup_is_silent() {
        assert_eq!(choose(None, EN).as_deref(), Some("en"));
        assert_eq!(choose(None, DE).as_deref(), Some("de"));
        assert_eq!(choose(None, RU).as_deref(), Some("ru"));
        assert_eq!(choose(None, "Short text."), None);
    }

    #[test]
    fn markup_wins_unless_the_script_contradicts_it() {
        // Same script, different verdicts: the markup stands.
        assert_eq!(choose(Some("en".into()), DE).as_deref(), Some("en"));
        // A Latin-script language over a Cyrillic body: the text's language.
        assert_eq!(choose(Some("en".into()), RU).as_deref(), Some("ru"));
        // A non-Latin markup language is kept.
        assert_eq!(choose(Some("uk".into()), RU).as_deref(), Some("uk"));
    }
}
