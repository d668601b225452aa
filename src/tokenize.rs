//! Tokens and sentences. (Interim version: Unicode word boundaries only.)

use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// A token: `[start, end)` in UTF-8 bytes of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// Splits `text` into tokens (whitespace is never a token).
pub fn tokenize(text: &str) -> Vec<Token> {
    text.split_word_bound_indices()
        .filter(|(_, w)| !w.chars().all(char::is_whitespace))
        .map(|(i, w)| Token {
            start: i,
            end: i + w.len(),
        })
        .collect()
}

/// Sentences as ranges of token indices.
pub fn sentences(_text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    if tokens.is_empty() {
        Vec::new()
    } else {
        vec![0..tokens.len()]
    }
}

/// Widens the byte range `[start, end)` to the edges of the tokens it touches;
/// `None` when it touches no token (only whitespace).
pub fn snap(tokens: &[Token], start: usize, end: usize) -> Option<(usize, usize)> {
    let first = tokens
        .iter()
        .find(|t| t.end > start && t.start < end.max(start + 1))?;
    let last = tokens
        .iter()
        .rev()
        .find(|t| t.start < end.max(start + 1) && t.end > start)?;
    Some((first.start, last.end))
}
