//! Sentences: ranges of a text's tokens.
//!
//! Sentences split after `.`, `!`, `?`, `...`, `…` (and any closing quotes or
//! brackets after them) when whitespace follows and the next token starts with
//! an uppercase letter, a digit or an opening quote or bracket; after the CJK
//! full stops `。！？` always; and always at a blank line (a paragraph break).
//! After an abbreviation the rule is stricter, because `U.S.` or `Inc.` at the
//! end of a sentence looks the same as in the middle of one:
//! - a title (`Mr.`, `Dr.`, `Gen.`, ...), a month (`Jan.`) or `No.` never ends a
//!   sentence;
//! - any other abbreviation or initial (`U.S.`, `Inc.`, `etc.`, `a.m.`, `F.`)
//!   ends one only when the next word is a common sentence opener from a closed
//!   list (`The`, `He`, `But`, `In`, ...): "talks with the U.S. The talks" splits,
//!   "the U.S. Army said" does not.

use super::{abbreviation_kind, Abbrev, Token};
use std::ops::Range;

/// Words that start a sentence often enough that an abbreviation (`U.S.`,
/// `Inc.`) before them is taken to end the previous sentence.
fn is_sentence_opener(w: &str) -> bool {
    matches!(
        w,
        "The"
            | "A"
            | "An"
            | "He"
            | "She"
            | "It"
            | "They"
            | "We"
            | "I"
            | "You"
            | "This"
            | "That"
            | "These"
            | "Those"
            | "There"
            | "His"
            | "Her"
            | "Its"
            | "Their"
            | "Our"
            | "But"
            | "And"
            | "Yet"
            | "So"
            | "However"
            | "Meanwhile"
            | "In"
            | "On"
            | "At"
            | "For"
            | "If"
            | "When"
            | "While"
            | "After"
            | "Before"
            | "As"
            | "Since"
            | "Although"
            | "Though"
            | "Many"
            | "Some"
            | "Most"
            | "Officials"
            | "Analysts"
            | "Shares"
            | "Prices"
            | "What"
            | "Who"
            | "Why"
            | "How"
            | "Where"
            | "Now"
            | "Then"
            | "Still"
            | "Also"
            | "Other"
            | "Several"
            | "Both"
            | "No"
            | "Not"
            | "Under"
            | "Last"
            | "Earlier"
            | "Later"
    )
}

/// Whether the token is a closing quote or bracket (which stays with the
/// sentence it closes).
fn is_closer(w: &str) -> bool {
    matches!(
        w,
        ")" | "]" | "}" | "”" | "’" | "»" | "\"" | "'" | "›" | "」" | "』" | "）"
    )
}

/// What a sentence-ending token is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    /// `.`, `!`, `?`, `...`: ends a sentence before a capital.
    Stop,
    /// `。`: always ends a sentence.
    Hard,
    /// An abbreviation that may end one before a common opener.
    Maybe,
}

fn end_kind(w: &str) -> Option<End> {
    let b = w.as_bytes();
    match b.len() {
        0 => None,
        1 => matches!(b[0], b'.' | b'!' | b'?').then_some(End::Stop),
        _ => {
            if b.iter().all(|&c| c == b'.') || w == "…" || w == "‼" || w == "⁇" {
                return Some(End::Stop);
            }
            if matches!(w, "。" | "！" | "？" | "｡") {
                return Some(End::Hard);
            }
            if b[b.len() - 1] == b'.' {
                return match abbreviation_kind(&w[..w.len() - 1]) {
                    Some(Abbrev::Other) => Some(End::Maybe),
                    _ => None,
                };
            }
            None
        }
    }
}

/// Whether the gap between two tokens holds a blank line (two line breaks).
fn is_paragraph_gap(gap: &str) -> bool {
    if gap.len() < 2 {
        return false;
    }
    let mut breaks = 0;
    let mut prev_cr = false;
    for c in gap.chars() {
        match c {
            '\n' if prev_cr => {}
            '\n' | '\r' | '\u{0B}' | '\u{85}' | '\u{2028}' => breaks += 1,
            '\u{0C}' | '\u{2029}' => breaks += 2,
            _ => {}
        }
        prev_cr = c == '\r';
        if breaks >= 2 {
            return true;
        }
    }
    false
}

/// Whether a sentence may start with this token after a full stop.
fn can_open(w: &str) -> bool {
    let c = w.chars().next().unwrap_or(' ');
    c.is_uppercase()
        || c.is_ascii_digit()
        || matches!(
            c,
            '"' | '\'' | '“' | '‘' | '(' | '[' | '«' | '¿' | '¡' | '‹' | '「' | '『'
        )
        || (!c.is_lowercase() && c.is_alphabetic() && !c.is_ascii())
}

/// Sentences as ranges of token indices: in order, non-empty, covering every
/// token. Where they split is at the top of this file.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(tokens.len() / 20 + 1);
    let mut start = 0;
    let mut i = 0;
    let n = tokens.len();
    while i < n {
        let w = tokens[i].text(text);
        let mut cut = None;
        if let Some(kind) = end_kind(w) {
            // Runs of terminators ("?!", ". . ."), then closers.
            let mut j = i + 1;
            while j < n
                && tokens[j].start == tokens[j - 1].end
                && end_kind(tokens[j].text(text)) == Some(End::Stop)
            {
                j += 1;
            }
            while j < n {
                let t = tokens[j].text(text);
                let adjacent = tokens[j].start == tokens[j - 1].end;
                if is_closer(t) && (adjacent || !matches!(t, "\"" | "'")) {
                    j += 1;
                } else {
                    break;
                }
            }
            if j < n {
                let next = tokens[j].text(text);
                let spaced = tokens[j].start > tokens[j - 1].end;
                let ok = match kind {
                    End::Hard => true,
                    End::Stop => spaced && can_open(next),
                    End::Maybe => spaced && is_sentence_opener(next),
                };
                if ok {
                    cut = Some(j);
                }
            }
            if cut.is_none() {
                // No cut after the run; still look for paragraph gaps inside it.
                cut = (i + 1..j)
                    .find(|&k| is_paragraph_gap(&text[tokens[k - 1].end..tokens[k].start]));
                if cut.is_none() {
                    i = j;
                    if i < n && is_paragraph_gap(&text[tokens[i - 1].end..tokens[i].start]) {
                        cut = Some(i);
                    }
                }
            }
        } else if i + 1 < n && tokens[i + 1].start > tokens[i].end + 1 {
            if is_paragraph_gap(&text[tokens[i].end..tokens[i + 1].start]) {
                cut = Some(i + 1);
            }
            i += 1;
        } else {
            i += 1;
        }
        if let Some(c) = cut {
            out.push(start..c);
            start = c;
            i = c;
        }
    }
    if start < n {
        out.push(start..n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn sents(text: &str) -> Vec<String> {
        let t = tokenize(text);
        sentences(text, &t)
            .into_iter()
            .map(|r| text[t[r.start].start..t[r.end - 1].end].to_string())
            .collect()
    }

    #[test]
    fn table_of_sentences() {
        let cases: &[(&str, &[&str])] = &[
            (
                "Hello there. How are you?",
                &["Hello there.", "How are you?"],
            ),
            (
                "Mr. Smith went to Washington. He won.",
                &["Mr. Smith went to Washington.", "He won."],
            ),
            (
                "He met Dr. Jones. Then he left!",
                &["He met Dr. Jones.", "Then he left!"],
            ),
            (
                "The U.S. Army said so. Talks with the U.S. The talks failed.",
                &[
                    "The U.S. Army said so.",
                    "Talks with the U.S.",
                    "The talks failed.",
                ],
            ),
            (
                "Apple Inc. said it grew. Apple Inc. The end",
                &["Apple Inc. said it grew.", "Apple Inc.", "The end"],
            ),
            (
                "\"We won.\" The crowd cheered.",
                &["\"We won.\"", "The crowd cheered."],
            ),
            (
                "It rose (by 5%.) Then fell.",
                &["It rose (by 5%.)", "Then fell."],
            ),
            (
                "It cost 5.5 billion. 2024 was good.",
                &["It cost 5.5 billion.", "2024 was good."],
            ),
            ("Really?! Yes.", &["Really?!", "Yes."]),
            ("e.g. this is fine. ok", &["e.g. this is fine. ok"]),
            (
                "John F. Kennedy spoke. He left.",
                &["John F. Kennedy spoke.", "He left."],
            ),
            ("on Jan. 5 it rained", &["on Jan. 5 it rained"]),
            (
                "Headline\n\nBody text here",
                &["Headline", "Body text here"],
            ),
            (
                "Headline\r\n\r\nBody\r\nmore",
                &["Headline", "Body\r\nmore"],
            ),
            ("A line\nwrapped line", &["A line\nwrapped line"]),
            ("東京に行った。次に", &["東京に行った。", "次に"]),
            ("Wait... Then go.", &["Wait...", "Then go."]),
            ("End.\n\n\"Quote\" starts", &["End.", "\"Quote\" starts"]),
            ("", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(&sents(text), want, "splitting {text:?}");
        }
    }
}
