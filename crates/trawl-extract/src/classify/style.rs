//! How the page's words read: the body's voice (who speaks to whom: "we", "you", "I"),
//! its numbers and quotations, and whether the title reads as a headline (a sentence with
//! function words, a question, a number, a colon) or as a name ("Roofing Services",
//! "Pricing"). Service, landing and documentation pages written as long prose differ from
//! articles mostly here: they address the reader and speak for a company; articles report.
//!
//! Word lists cover the languages the date parser knows (English, German, French, Spanish,
//! Italian, Portuguese, Dutch, Russian); in another language these features read 0, which
//! the model sees as "no such words" (neither article nor not). Pure, one pass per text.

/// The style features, in the order of [`STYLE_FEATURE_NAMES`].
pub fn style_features<'a>(title: &str, body: impl IntoIterator<Item = &'a str>) -> [f64; 15] {
    let body = BodyCounts::of(body);
    let words = body.words.max(1) as f64;
    let per_k = |n: usize| (1000.0 * n as f64 / words).ln_1p();
    let t = TitleShape::of(title);
    [
        per_k(body.digit_runs),
        per_k(body.years),
        per_k(body.questions),
        per_k(body.quotes),
        (words / body.sentences.max(1) as f64).ln_1p(),
        per_k(body.we),
        per_k(body.you),
        per_k(body.i),
        (t.words as f64).ln_1p(),
        (t.chars as f64).ln_1p(),
        flag(t.starts_with_number),
        flag(t.year),
        flag(t.colon),
        flag(t.question_word),
        t.function_share,
    ]
}

/// Names of [`style_features`]' values (appended to the classifier's feature names).
pub const STYLE_FEATURE_NAMES: [&str; 15] = [
    "body_digit_runs_per_k",
    "body_years_per_k",
    "body_questions_per_k",
    "body_quotes_per_k",
    "body_sentence_words",
    "body_we_per_k",
    "body_you_per_k",
    "body_i_per_k",
    "title_words",
    "title_chars",
    "title_starts_with_number",
    "title_year",
    "title_colon",
    "title_question_word",
    "title_function_share",
];

fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// Who a word speaks for: first-person plural ("we", "our"), second person ("you"), first
/// person singular ("I", "my").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Voice {
    We,
    You,
    I,
}

/// Tokens longer than this (in bytes) are not looked up: the longest word [`voice`] knows
/// is 8 bytes ("nuestras", "меня"), and a typographic apostrophe (`’`, normalised to `'`)
/// adds 2.
const VOICE_MAX_TOKEN_BYTES: usize = 10;

/// `w` (lower-cased, plain apostrophe) as a pronoun or possessive of one of the voices.
/// A `match` on strings compiles to a length-and-bytes decision tree: no list scan per word.
fn voice(w: &str) -> Option<Voice> {
    Some(match w {
        "we" | "our" | "ours" | "us" | "we're" | "we've" | "we'll" | "wir" | "unser" | "unsere"
        | "unseren" | "unserem" | "unserer" | "uns" | "nous" | "notre" | "nos" | "nosotros"
        | "nuestro" | "nuestra" | "nuestros" | "nuestras" | "noi" | "nostro" | "nostra"
        | "nostri" | "nostre" | "nós" | "nosso" | "nossa" | "nossos" | "nossas" | "wij" | "ons"
        | "onze" | "мы" | "наш" | "наша" | "наше" | "наши" | "нас" | "нам" => {
            Voice::We
        }
        "you" | "your" | "yours" | "you're" | "you'll" | "you've" | "du" | "dein" | "deine"
        | "euch" | "vous" | "votre" | "vos" | "tu" | "ton" | "tes" | "usted" | "ustedes" | "tú"
        | "tus" | "voi" | "vostro" | "tuo" | "tua" | "você" | "vocês" | "jij" | "jouw" | "uw"
        | "вы" | "ваш" | "ваша" | "ваши" | "вас" | "вам" | "ты" => Voice::You,
        "i" | "my" | "me" | "mine" | "i'm" | "i've" | "i'll" | "i'd" | "ich" | "mein" | "meine"
        | "mich" | "mir" | "je" | "j'ai" | "mon" | "mes" | "moi" | "yo" | "mis" | "io" | "mio"
        | "mia" | "eu" | "meu" | "minha" | "ik" | "mijn" | "я" | "мой" | "моя" | "мне" | "меня" => {
            Voice::I
        }
        _ => return None,
    })
}
/// Function words: a headline is a phrase or sentence that has some; a page name mostly not.
const FUNCTION: &[&str] = &[
    "the", "a", "an", "of", "to", "in", "for", "and", "on", "with", "is", "are", "how", "why",
    "what", "your", "you", "this", "that", "from", "at", "by", "der", "die", "das", "und", "mit",
    "für", "wie", "von", "im", "zu", "ist", "le", "la", "les", "des", "du", "de", "et", "pour",
    "avec", "comment", "est", "un", "une", "el", "los", "las", "del", "y", "para", "con", "cómo",
    "en", "es", "il", "lo", "gli", "di", "e", "per", "come", "è", "o", "os", "as", "do", "da",
    "como", "um", "uma", "het", "een", "en", "van", "voor", "met", "hoe", "в", "и", "на", "с",
    "по", "как", "для", "о", "что",
];
/// A title opening with one of these asks or ranks ("How to …", "Why …", "Best …").
const QUESTION: &[&str] = &[
    "how",
    "what",
    "why",
    "when",
    "where",
    "who",
    "which",
    "is",
    "are",
    "can",
    "do",
    "does",
    "should",
    "top",
    "best",
    "wie",
    "was",
    "warum",
    "wann",
    "comment",
    "pourquoi",
    "quel",
    "quelle",
    "quels",
    "cómo",
    "qué",
    "por",
    "cuándo",
    "come",
    "perché",
    "cosa",
    "como",
    "hoe",
    "wat",
    "waarom",
    "как",
    "что",
    "почему",
    "зачем",
    "когда",
];

#[derive(Default)]
struct BodyCounts {
    words: usize,
    digit_runs: usize,
    years: usize,
    questions: usize,
    quotes: usize,
    sentences: usize,
    we: usize,
    you: usize,
    i: usize,
}

impl BodyCounts {
    fn of<'a>(blocks: impl IntoIterator<Item = &'a str>) -> BodyCounts {
        let mut c = BodyCounts::default();
        let mut word = String::new();
        for text in blocks {
            let mut ended = false;
            for raw in text.split_whitespace() {
                c.words += 1;
                let mut run = 0usize;
                let mut year_run = false;
                for ch in raw.chars() {
                    if ch.is_ascii_digit() {
                        run += 1;
                        continue;
                    }
                    c.count_run(run, &mut year_run, raw);
                    run = 0;
                    match ch {
                        '“' | '«' | '„' | '"' => c.quotes += 1,
                        '?' => c.questions += 1,
                        _ => {}
                    }
                }
                c.count_run(run, &mut year_run, raw);
                ended = raw.ends_with(['.', '!', '?', '。', '…']);
                c.sentences += usize::from(ended);
                let core = core_of(raw);
                if core.is_empty() || core.len() > VOICE_MAX_TOKEN_BYTES {
                    continue;
                }
                normalise_word(core, &mut word);
                match voice(&word) {
                    Some(Voice::We) => c.we += 1,
                    Some(Voice::You) => c.you += 1,
                    Some(Voice::I) => c.i += 1,
                    None => {}
                }
            }
            // A block that does not end with a stop (a heading, a list item) is a sentence too.
            if !ended && !text.trim().is_empty() {
                c.sentences += 1;
            }
        }
        c
    }
}

impl BodyCounts {
    /// Count a finished run of `run` digits in `token`; a four-digit run counts as a
    /// year when the token holds one (once per token).
    fn count_run(&mut self, run: usize, year_counted: &mut bool, token: &str) {
        if run == 0 {
            return;
        }
        self.digit_runs += 1;
        if run == 4 && !*year_counted && is_year_run(token) {
            self.years += 1;
            *year_counted = true;
        }
    }
}

/// Whether `token` holds a four-digit run that reads as a year (1900–2099).
fn is_year_run(token: &str) -> bool {
    token
        .split(|ch: char| !ch.is_ascii_digit())
        .any(|run| run.len() == 4 && (run.starts_with("19") || run.starts_with("20")))
}

/// `token` without its edge punctuation ("(we," → "we").
fn core_of(token: &str) -> &str {
    token.trim_matches(|ch: char| !ch.is_alphanumeric())
}

/// `core` (see [`core_of`]) lower-cased, its typographic apostrophe made plain.
fn normalise_word(core: &str, out: &mut String) {
    out.clear();
    for ch in core.chars() {
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase());
        } else if ch == '’' {
            out.push('\'');
        } else {
            out.extend(ch.to_lowercase());
        }
    }
}

struct TitleShape {
    words: usize,
    chars: usize,
    starts_with_number: bool,
    year: bool,
    colon: bool,
    question_word: bool,
    function_share: f64,
}

impl TitleShape {
    fn of(title: &str) -> TitleShape {
        let title = title.trim();
        let mut word = String::new();
        let mut words = 0;
        let mut function = 0;
        let mut first: Option<String> = None;
        for raw in title.split_whitespace() {
            normalise_word(core_of(raw), &mut word);
            if word.is_empty() {
                continue;
            }
            words += 1;
            function += usize::from(FUNCTION.contains(&word.as_str()));
            if first.is_none() {
                first = Some(word.clone());
            }
        }
        let first = first.unwrap_or_default();
        TitleShape {
            words,
            chars: title.chars().count(),
            starts_with_number: title
                .split_whitespace()
                .next()
                .is_some_and(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit())),
            year: title.split_whitespace().any(is_year_run),
            colon: title.contains(':'),
            question_word: QUESTION.contains(&first.as_str()),
            function_share: function as f64 / words.max(1) as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(name: &str) -> usize {
        STYLE_FEATURE_NAMES.iter().position(|n| *n == name).unwrap()
    }

    #[test]
    fn a_service_page_speaks_for_we_and_to_you() {
        let service = style_features(
            "Roofing Services",
            ["We repair your roof. Our team is ready when you call us today."],
        );
        let report = style_features(
            "Council approves the new budget after a long debate",
            [
                "The council approved the 2025 budget on Tuesday, the mayor said. \
              “It is a good day,” she told reporters.",
            ],
        );
        assert!(service[idx("body_we_per_k")] > 4.0);
        assert!(service[idx("body_you_per_k")] > 4.0);
        assert_eq!(report[idx("body_we_per_k")], 0.0);
        assert_eq!(report[idx("body_you_per_k")], 0.0);
        assert!(report[idx("body_years_per_k")] > 0.0);
        assert!(report[idx("body_quotes_per_k")] > 0.0);
        assert!(report[idx("body_digit_runs_per_k")] > 0.0);
        assert!(report[idx("title_function_share")] > service[idx("title_function_share")]);
        assert!(report[idx("title_words")] > service[idx("title_words")]);
    }

    #[test]
    fn title_shapes() {
        let how = TitleShape::of("How to Choose a Mattress: 7 Tips for 2025");
        assert!(how.question_word && how.colon && how.year && !how.starts_with_number);
        assert_eq!(how.words, 9);
        let list = TitleShape::of("10 ways to save energy");
        assert!(list.starts_with_number && !list.year && !list.question_word);
        let name = TitleShape::of("Pricing");
        assert_eq!(name.function_share, 0.0);
        let ru = TitleShape::of("Как выбрать матрас");
        assert!(ru.question_word);
        let empty = TitleShape::of("   ");
        assert_eq!(empty.words, 0);
        assert_eq!(empty.function_share, 0.0);
    }

    #[test]
    fn sentences_words_and_apostrophes() {
        let c = BodyCounts::of(["We’re here. I think so!", "A heading", "Why? Because."]);
        assert_eq!(c.words, 9);
        // Three stops in the first and third blocks, plus the heading without one.
        assert_eq!(c.sentences, 5);
        assert_eq!((c.we, c.i, c.questions), (1, 1, 1));
        let empty = style_features("", std::iter::empty());
        assert!(empty.iter().all(|v| v.is_finite()));
    }
}
