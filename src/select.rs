//! Where a person's selection lands: snapped to whole tokens, and moved or
//! stretched one token at a time from the keyboard. Works in the page's
//! units (UTF-16 in, code points out) so the page does no offset arithmetic.

use crate::doc::Span;
use crate::text::OffsetUnit;
use crate::text_index::TextIndex;
use crate::tokenize;

impl TextIndex {
    /// Snaps a selection in UTF-16 units (either order) to the edges of the
    /// tokens it touches; code points, or `None` when it holds no token.
    pub fn snap_utf16(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        // The browser may hand over an edge between the halves of a surrogate
        // pair; widen it to the whole character.
        let mut lo = a.min(self.map().len(OffsetUnit::Utf16));
        let b0 = loop {
            if let Some(x) = self.map().utf16_to_byte(lo) {
                break x;
            }
            lo -= 1;
        };
        let mut hi = b.min(self.map().len(OffsetUnit::Utf16));
        let b1 = loop {
            if let Some(x) = self.map().utf16_to_byte(hi) {
                break x;
            }
            hi += 1;
        };
        let (s, e) = tokenize::snap(self.tokens(), b0, b1)?;
        Some((self.map().byte_to_char(s)?, self.map().byte_to_char(e)?))
    }

    /// Moves the end edge of `[start, end)` by one token: `grow` takes in the
    /// next token, otherwise the last token is let go (never below one token).
    pub fn step_end(&self, start: usize, end: usize, grow: bool) -> Option<(usize, usize)> {
        let b_end = self.map().char_to_byte(end)?;
        if grow {
            let i = self.tokens().partition_point(|t| t.start < b_end);
            let t = self.tokens().get(i)?;
            Some((start, self.token_chars(t).1))
        } else {
            let b_start = self.map().char_to_byte(start)?;
            let i = self.tokens().partition_point(|t| t.end < b_end);
            // The token ending at `end` is i; keep at least the first token.
            let prev = self.tokens()[..i].iter().rev().find(|t| t.end > b_start)?;
            Some((start, self.token_chars(prev).1))
        }
    }

    /// Moves the start edge of `[start, end)` by one token: `grow` takes in
    /// the previous token, otherwise the first token is let go.
    pub fn step_start(&self, start: usize, end: usize, grow: bool) -> Option<(usize, usize)> {
        let b_start = self.map().char_to_byte(start)?;
        if grow {
            let i = self.tokens().partition_point(|t| t.end <= b_start);
            let t = self.tokens()[..i].last()?;
            Some((self.token_chars(t).0, end))
        } else {
            let b_end = self.map().char_to_byte(end)?;
            let i = self.tokens().partition_point(|t| t.start <= b_start);
            let next = self.tokens().get(i).filter(|t| t.end <= b_end)?;
            Some((self.token_chars(next).0, end))
        }
    }

    /// The token after (or before) the one at code point `c`, for a
    /// keyboard cursor; from `None`, the first (or last) token.
    pub fn next_token(&self, c: Option<usize>, backwards: bool) -> Option<(usize, usize)> {
        let i = match (c, backwards) {
            (None, false) => 0,
            (None, true) => self.tokens().len().checked_sub(1)?,
            (Some(c), false) => {
                let b = self.map().char_to_byte(c)?;
                self.tokens().partition_point(|t| t.start <= b)
            }
            (Some(c), true) => {
                let b = self.map().char_to_byte(c)?;
                self.tokens()
                    .partition_point(|t| t.start < b)
                    .checked_sub(1)?
            }
        };
        self.tokens().get(i).map(|t| self.token_chars(t))
    }
}

/// The span after (or, `backwards`, before) code point `from` in `spans`
/// (sorted by start), for moving between spans from the keyboard: from
/// `None`, the first (or last) span.
pub fn neighbour_span(spans: &[Span], from: Option<usize>, backwards: bool) -> Option<&Span> {
    match (from, backwards) {
        (None, false) => spans.first(),
        (None, true) => spans.last(),
        (Some(c), false) => spans.get(spans.partition_point(|s| s.start <= c)),
        (Some(c), true) => spans[..spans.partition_point(|s| s.start < c)].last(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snaps_partial_words_to_whole_tokens() {
        let s = TextIndex::new("Angela Merkel met Macron.");
        assert_eq!(s.snap_utf16(2, 9), Some((0, 13)));
        assert_eq!(s.snap_utf16(9, 2), Some((0, 13)));
        assert_eq!(s.snap_utf16(6, 7), None, "only a space");
        assert_eq!(
            s.snap_utf16(20, 20),
            Some((18, 24)),
            "a click inside a word"
        );
    }

    #[test]
    fn snaps_across_astral_characters() {
        let text = "😀 Zoë Ball 👨‍👩‍👧 Paris";
        let s = TextIndex::new(text);
        // UTF-16: emoji is 2 units; "Zoë" starts at unit 3, code point 2.
        assert_eq!(s.snap_utf16(3, 6), Some((2, 5)));
        // An edge inside the surrogate pair widens to the emoji.
        assert_eq!(s.snap_utf16(1, 1), Some((0, 1)));
        let paris = text.encode_utf16().count() - 5;
        let cps = text.chars().count();
        assert_eq!(s.snap_utf16(paris + 1, paris + 3), Some((cps - 5, cps)));
    }

    #[test]
    fn steps_edges_by_token() {
        let s = TextIndex::new("the Bank of New York said");
        // "Bank" = 4..8
        assert_eq!(s.step_end(4, 8, true), Some((4, 11)));
        assert_eq!(s.step_end(4, 11, true), Some((4, 15)));
        assert_eq!(s.step_end(4, 15, false), Some((4, 11)));
        assert_eq!(s.step_end(4, 8, false), None, "never below one token");
        assert_eq!(s.step_start(4, 8, true), Some((0, 8)));
        assert_eq!(s.step_start(4, 15, false), Some((9, 15)));
        assert_eq!(s.step_start(9, 11, false), None);
        assert_eq!(
            s.step_end(21, 25, true),
            None,
            "nothing after the last token"
        );
    }

    #[test]
    fn token_cursor_moves_both_ways() {
        let s = TextIndex::new("Mr. Smith left.");
        let first = s.next_token(None, false).unwrap();
        let second = s.next_token(Some(first.0), false).unwrap();
        assert_eq!(first, (0, 3));
        assert_eq!(second, (4, 9));
        assert_eq!(s.next_token(Some(second.0), true), Some(first));
        assert_eq!(s.next_token(Some(first.0), true), None);
        assert_eq!(s.next_token(None, true), Some((14, 15)));
    }

    #[test]
    fn neighbour_spans_step_through_the_document_both_ways() {
        let spans = vec![
            Span::new(0, 3, "PER"),
            Span::new(5, 9, "ORG"),
            Span::new(12, 15, "LOC"),
        ];
        let at = |from, back| neighbour_span(&spans, from, back).map(|s| s.start);
        assert_eq!(at(None, false), Some(0));
        assert_eq!(at(None, true), Some(12));
        assert_eq!(at(Some(0), false), Some(5));
        assert_eq!(at(Some(5), true), Some(0));
        assert_eq!(at(Some(12), false), None, "nothing after the last");
        assert_eq!(at(Some(0), true), None, "nothing before the first");
        assert_eq!(at(Some(7), false), Some(12), "from inside a span");
        assert_eq!(neighbour_span(&[], None, false), None);
    }
}
