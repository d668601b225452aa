//! The `Patterns` stage: regular expressions for DATE, TIME, MONEY, PERCENT,
//! QUANTITY, CARDINAL, ORDINAL, EMAIL and URL (the rules are in `rules.rs`).
//!
//! All rules are the patterns of one DFA, compiled by the crate's build
//! script (`build.rs`), minimised, and embedded as bytes that are read in
//! place: the page pays nothing to build it before its first highlight.
//! (Compiling a regex of these rules at run time, as this stage did, took 6
//! ms natively but 100 ms as the first call in a fresh wasm page, where every
//! function of the regex compiler is compiled on its first call.) The DFA
//! is anchored: matches must start on a token's start anyway, so the stage
//! runs it from each token start and never pays for an unanchored prefix,
//! which made the same rules' DFA 10 times as large. It reports which rule
//! matched (leftmost-first: at one start, the rule listed first wins, so `20
//! million euros` is MONEY before it can be CARDINAL), exactly as an
//! alternation of the rules would. Word boundaries are ASCII (`(?-u:\b)`)
//! and digits `[0-9]`, which keeps the DFA small (1 MB, 19 KB gzipped); the
//! words matched are English.
//!
//! A match is kept only if it ends on a token edge (so `5 kg` is not found
//! inside `15 kg-bags`). A URL's rule matches only its opening (`https://`,
//! `www.`); where it ends is `tokenize::url_end`'s call, as for the
//! tokenizer. Two matches are checked in code: a bare `May` is a DATE only
//! after a preposition ("in May", not "Theresa May"), and a bare year
//! (`1998`) is a DATE after a preposition or before punctuation, else a
//! CARDINAL ("2000 people").

use super::{Candidate, Context, EdgeCursor, Stage, PRIORITY_RULE};
use crate::doc::Source;
use crate::tokenize;
use regex_automata::dfa::{dense, Automaton};
use regex_automata::{Anchored, Input};
use std::sync::OnceLock;

/// The DFA's bytes as `build.rs` wrote them, aligned as `dense::DFA::from_bytes`
/// requires (the wrapper is regex-automata's documented way to embed one).
#[repr(C)]
struct Aligned<B: ?Sized> {
    _align: [u32; 0],
    bytes: B,
}

static DFA_BYTES: &Aligned<[u8]> = &Aligned {
    _align: [],
    bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/patterns.dfa")),
};

type Dfa = dense::DFA<&'static [u32]>;

/// The embedded DFA, checked once (a damaged build fails here, loudly).
fn dfa() -> &'static Dfa {
    static DFA: OnceLock<Dfa> = OnceLock::new();
    DFA.get_or_init(|| {
        dense::DFA::from_bytes(&DFA_BYTES.bytes)
            .expect("build.rs wrote a valid DFA")
            .0
    })
}

/// Group name, label and score of each rule, pattern `i` being rule `i`
/// (`build.rs` writes them from `rules.rs`, which only the build reads).
const RULES: &[(&str, &str, f32)] = &include!(concat!(env!("OUT_DIR"), "/pattern_rules.rs"));

/// The regex-rule stage. Free to make; `Send + Sync`.
pub struct Patterns {
    dfa: &'static Dfa,
}

impl Default for Patterns {
    fn default() -> Self {
        Patterns::new()
    }
}

impl Patterns {
    pub fn new() -> Patterns {
        Patterns { dfa: dfa() }
    }

    /// The rule matching at byte `start` (leftmost-first), and where its
    /// match ends.
    fn match_at(&self, text: &str, start: usize) -> Option<(usize, usize)> {
        let input = Input::new(text).range(start..).anchored(Anchored::Yes);
        // A dense DFA fails a search only on a quit byte or a Unicode word
        // boundary, and this one has neither (its `\b` is ASCII); a
        // failure would only lose this match.
        let m = self.dfa.try_search_fwd(&input).ok()??;
        Some((m.pattern().as_usize(), m.offset()))
    }
}

/// Words after which a bare month or year is a date.
fn is_date_preposition(w: &str) -> bool {
    matches!(
        w,
        "in" | "In"
            | "on"
            | "since"
            | "Since"
            | "until"
            | "till"
            | "by"
            | "By"
            | "from"
            | "From"
            | "of"
            | "through"
            | "to"
            | "during"
            | "During"
            | "before"
            | "after"
            | "early"
            | "late"
            | "mid"
            | "mid-"
            | "last"
            | "next"
            | "this"
            | "and"
            | "or"
            | "between"
            | "end"
            | "Until"
            | "around"
    )
}

/// Whether token `i` ends a capitalised word: a word in capitals, or the
/// possessive `'s` of one.
fn follows_a_name(cx: &Context, i: usize) -> bool {
    let capital = |w: &str| w.starts_with(|c: char| c.is_uppercase());
    match cx.word(i) {
        "'s" | "’s" | "'" | "’" => i.checked_sub(1).is_some_and(|j| capital(cx.word(j))),
        w => capital(w),
    }
}

impl Stage for Patterns {
    fn name(&self) -> &'static str {
        "patterns"
    }

    fn priority(&self) -> i32 {
        PRIORITY_RULE
    }

    fn find(&self, cx: &Context, out: &mut Vec<Candidate>) {
        let text = cx.text;
        let mut edges = EdgeCursor::new(cx.tokens);
        // No match starts inside the last one kept.
        let mut free_from = 0;
        for (first, token) in cx.tokens.iter().enumerate() {
            let start = token.start;
            if start < free_from {
                continue;
            }
            let Some((rule, mut end)) = self.match_at(text, start) else {
                continue;
            };
            let (group, mut label, mut score) = RULES[rule];
            if group == "url" {
                match tokenize::url_end(text, start) {
                    Some(e) => end = e,
                    None => continue,
                }
            }
            let Some(last) = edges.ending_at(end) else {
                continue;
            };
            let prev = first.checked_sub(1).map(|i| cx.word(i));
            match group {
                "month" if &text[start..end] == "May" && !prev.is_some_and(is_date_preposition) => {
                    continue;
                }
                "year" => {
                    let next = cx.tokens.get(last + 1).map(|t| t.text(text));
                    let before_punct = match next {
                        None => true,
                        Some(w) => !w.chars().next().is_some_and(char::is_alphanumeric),
                    };
                    if !(prev.is_some_and(is_date_preposition) || before_punct) {
                        label = "CARDINAL";
                        score = 0.5;
                    }
                }
                // A number word in capitals after a capitalised word is
                // part of a title or a name ("Chapter Three", "Dune: Part
                // Two", "Ocean's Eleven", "Toy Story Four"), not a count.
                _ if label == "CARDINAL"
                    && text[start..end].starts_with(|c: char| c.is_uppercase())
                    && first.checked_sub(1).is_some_and(|i| follows_a_name(cx, i)) =>
                {
                    continue;
                }
                _ => {}
            }
            free_from = end;
            out.push(Candidate {
                start,
                end,
                label: label.to_string(),
                source: Source::Rule,
                score,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::{sentences, tokenize};

    fn found(text: &str) -> Vec<(String, &'static str)> {
        thread_local!(static P: Patterns = Patterns::new());
        let tokens = tokenize(text);
        let sents = sentences(text, &tokens);
        let cx = Context {
            text,
            tokens: &tokens,
            sentences: &sents,
        };
        let mut out = Vec::new();
        P.with(|p| p.find(&cx, &mut out));
        out.into_iter()
            .map(|c| {
                let label = match c.label.as_str() {
                    "DATE" => "DATE",
                    "TIME" => "TIME",
                    "MONEY" => "MONEY",
                    "PERCENT" => "PERCENT",
                    "QUANTITY" => "QUANTITY",
                    "CARDINAL" => "CARDINAL",
                    "ORDINAL" => "ORDINAL",
                    "EMAIL" => "EMAIL",
                    "URL" => "URL",
                    _ => "?",
                };
                (text[c.start..c.end].to_string(), label)
            })
            .collect()
    }

    fn has(text: &str, surface: &str, label: &str) {
        let f = found(text);
        assert!(
            f.iter().any(|(s, l)| s == surface && *l == label),
            "{surface:?} as {label} in {text:?}: found {f:?}"
        );
    }

    #[test]
    fn dates() {
        has(
            "The summit opens on 5 March 2024 in Geneva.",
            "5 March 2024",
            "DATE",
        );
        has(
            "It was signed March 5, 2024, in Paris.",
            "March 5, 2024",
            "DATE",
        );
        has("Filed 2024-03-05 by the court.", "2024-03-05", "DATE");
        has("Talks resume on Monday.", "Monday", "DATE");
        has("Prices rose last week.", "last week", "DATE");
        has("Growth slowed in the 1990s.", "the 1990s", "DATE");
        has("Sales fell in March.", "March", "DATE");
        has("It ends on Jan. 5 at noon.", "Jan. 5", "DATE");
        has("The vote is due in May.", "May", "DATE");
        has("She was elected in 1998.", "1998", "DATE");
        has(
            "Shares rose 5 percent on Tuesday, Oct. 3, 2023.",
            "Tuesday, Oct. 3, 2023",
            "DATE",
        );
        has("He left three years ago.", "three years ago", "DATE");
        has("Results for fiscal 2024 are out.", "fiscal 2024", "DATE");
    }

    #[test]
    fn may_the_name_is_not_a_date() {
        let f = found("Prime Minister Theresa May spoke.");
        assert!(f.is_empty(), "{f:?}");
        has("About 2000 people marched.", "2000", "CARDINAL");
    }

    #[test]
    fn times() {
        has(
            "The market opens at 10:30 a.m. in New York.",
            "10:30 a.m.",
            "TIME",
        );
        has("We meet at 3 pm sharp.", "3 pm", "TIME");
        has("Lunch is at noon.", "noon", "TIME");
        has("The blast came at 14:05 GMT.", "14:05 GMT", "TIME");
        has("He spoke last night.", "last night", "TIME");
    }

    #[test]
    fn money() {
        has("The deal is worth $1.5 billion.", "$1.5 billion", "MONEY");
        has("Tickets cost €20 each.", "€20", "MONEY");
        has(
            "A fine of 20 million euros was set.",
            "20 million euros",
            "MONEY",
        );
        has("It raised £3m last year.", "£3m", "MONEY");
        has("The bid was US$5 per share.", "US$5", "MONEY");
        has("It sold for 300 dollars.", "300 dollars", "MONEY");
        has("Costs hit $2bn.", "$2bn", "MONEY");
    }

    #[test]
    fn percent_quantity_numbers() {
        has("Inflation hit 12% in June.", "12%", "PERCENT");
        has("Inflation hit 12 percent.", "12 percent", "PERCENT");
        has("Rates rose 3.5 per cent.", "3.5 per cent", "PERCENT");
        has("The road is 30 km long.", "30 km", "QUANTITY");
        has("A bag of 5 kg was found.", "5 kg", "QUANTITY");
        has("They walked 200 miles.", "200 miles", "QUANTITY");
        has("Exports of 12 tonnes of gold.", "12 tonnes", "QUANTITY");
        has("Some 2,500 people came.", "2,500", "CARDINAL");
        has("Only three people came.", "three", "CARDINAL");
        has("About 1.5 million people voted.", "1.5 million", "CARDINAL");
        has("It is the first time.", "first", "ORDINAL");
        has("The 21st century began.", "21st", "ORDINAL");
        has("Twenty-five people died.", "Twenty-five", "CARDINAL");
        has("Two people were hurt.", "Two", "CARDINAL");
        has("TESLA RECALLS 2 MILLION CARS", "2 MILLION", "CARDINAL");
        has(
            "Sales rose in the third quarter of 2024.",
            "the third quarter of 2024",
            "DATE",
        );
        has(
            "In the first half of the year, sales fell.",
            "the first half of the year",
            "DATE",
        );
        has("She came third in the race.", "third", "ORDINAL");
        has("A $3 BILLION DEAL", "$3 BILLION", "MONEY");
        has("He said: Three more came.", "Three", "CARDINAL");
    }

    #[test]
    fn a_number_word_in_a_title_is_not_a_count() {
        for (text, word) in [
            ("Chapter Three begins in Paris.", "Three"),
            ("They watched Dune: Part Two at home.", "Two"),
            ("He loved Ocean's Eleven and Toy Story Four.", "Eleven"),
            ("He loved Ocean's Eleven and Toy Story Four.", "Four"),
        ] {
            let f = found(text);
            assert!(
                !f.iter().any(|(s, _)| s == word),
                "{word:?} in {text:?}: {f:?}"
            );
        }
        has("Chapter Three has three pages.", "three", "CARDINAL");
    }

    #[test]
    fn email_and_url() {
        has(
            "Write to press@example.org today.",
            "press@example.org",
            "EMAIL",
        );
        has(
            "See https://example.com/news?id=5. Then leave.",
            "https://example.com/news?id=5",
            "URL",
        );
        has("(www.example.co.uk)", "www.example.co.uk", "URL");
    }

    #[test]
    fn matches_stay_on_token_edges() {
        let f = found("In 15kg-bags and X5kg and 3.5.6");
        for (s, _) in &f {
            assert!(!s.is_empty());
        }
        assert!(!f.iter().any(|(s, _)| s == "5kg"), "{f:?}");
        assert!(found("Elections in Ma").is_empty());
    }
}
