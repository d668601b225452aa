//! UAX #29 word boundaries exactly as `unicode-segmentation`'s
//! `split_word_bound_indices` gives them, faster on mostly-ASCII text.
//!
//! Finding boundaries was about a tenth of recognition: the crate looks up the
//! Unicode word-break class of every character. Its own ASCII-only rules
//! (copied below) apply only when a whole text is ASCII, and one `€` or curly
//! quote in a megabyte of news turns them off. Here the text is cut into
//! chunks at spaces that surely start a segment, and each chunk is segmented
//! on its own: by the ASCII rules when it is ASCII, by the crate otherwise.
//!
//! Why a cut there changes nothing: a space directly after an ASCII character
//! other than a space always starts a segment (only WB3d, space × space, keeps
//! a space to what precedes it), and no rule decides a boundary on one side
//! of a space by looking past it (the look-ahead and look-behind of WB6, WB7,
//! WB11, WB12 and WB15/16 skip only Extend, Format and ZWJ, and a space is
//! none of those), so each side sees the same as at the text's start or end.
//! A property test compares the two on random mixed text.

use unicode_segmentation::{UWordBoundIndices, UnicodeSegmentation};

/// `(byte offset, segment)` for every word-boundary segment of `text`, as
/// `text.split_word_bound_indices()` gives them.
pub(super) fn word_bound_indices(text: &str) -> WordBounds<'_> {
    WordBounds {
        text,
        next: 0,
        chunk: Chunk::Done,
    }
}

pub(super) struct WordBounds<'a> {
    text: &'a str,
    /// Where the chunk after the current one starts.
    next: usize,
    chunk: Chunk<'a>,
}

enum Chunk<'a> {
    Done,
    /// ASCII text in `[at, end)`, segmented by [`ascii_segment_end`].
    Ascii {
        at: usize,
        end: usize,
    },
    /// Other text, segmented by the crate; its offsets are from `base`.
    Unicode {
        base: usize,
        it: UWordBoundIndices<'a>,
    },
}

/// Whether a chunk may end before byte `c` (see the module documentation).
fn is_cut(b: &[u8], c: usize) -> bool {
    b[c] == b' ' && b[c - 1] != b' ' && b[c - 1] < 0x80
}

impl<'a> WordBounds<'a> {
    /// Starts the chunk at `self.next`.
    fn next_chunk(&mut self) {
        let b = self.text.as_bytes();
        let (pos, len) = (self.next, b.len());
        let q = b[pos..]
            .iter()
            .position(|&c| c >= 0x80)
            .map_or(len, |k| pos + k);
        let end = if q == len {
            self.chunk = Chunk::Ascii { at: pos, end: len };
            len
        } else if let Some(c) = (pos + 1..q).rev().find(|&c| is_cut(b, c)) {
            self.chunk = Chunk::Ascii { at: pos, end: c };
            c
        } else {
            let e = (q + 1..len).find(|&c| is_cut(b, c)).unwrap_or(len);
            self.chunk = Chunk::Unicode {
                base: pos,
                it: self.text[pos..e].split_word_bound_indices(),
            };
            e
        };
        self.next = end;
    }
}

impl<'a> Iterator for WordBounds<'a> {
    type Item = (usize, &'a str);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'a str)> {
        loop {
            match &mut self.chunk {
                Chunk::Ascii { at, end } if *at < *end => {
                    let s = *at;
                    let e = ascii_segment_end(&self.text.as_bytes()[..*end], s);
                    *at = e;
                    return Some((s, &self.text[s..e]));
                }
                Chunk::Unicode { base, it } => {
                    if let Some((i, seg)) = it.next() {
                        return Some((*base + i, seg));
                    }
                }
                _ => {}
            }
            if self.next == self.text.len() {
                self.chunk = Chunk::Done;
                return None;
            }
            self.next_chunk();
        }
    }
}

/// The end of the segment starting at `s` in the ASCII text `b` (which ends
/// where the chunk ends). The rules of `unicode-segmentation`'s private
/// `AsciiWordBoundIter` (MIT/Apache-2.0), which its tests check against the
/// full algorithm on ASCII.
#[inline]
fn ascii_segment_end(b: &[u8], s: usize) -> usize {
    let len = b.len();
    let core = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    // Numeric (MidNum | MidNumLetQ) Numeric (WB11/12); AHLetter (MidLetter |
    // MidNumLetQ) AHLetter (WB6/7).
    let infix = |c: u8, prev: u8, next: u8| match c {
        b'.' | b',' | b';' | b'\'' if prev.is_ascii_digit() && next.is_ascii_digit() => true,
        b'\'' | b'.' | b':' if prev.is_ascii_alphabetic() && next.is_ascii_alphabetic() => true,
        _ => false,
    };
    let first = b[s];
    if first == b' ' {
        // WB3d: spaces stay together.
        let mut i = s + 1;
        while i < len && b[i] == b' ' {
            i += 1;
        }
        return i;
    }
    if core(first) {
        let mut i = s + 1;
        while i < len && (core(b[i]) || (i + 1 < len && infix(b[i], b[i - 1], b[i + 1]))) {
            i += 1;
        }
        return i;
    }
    // WB3: CR × LF; else WB999, a break after every other character.
    if first == b'\r' && s + 1 < len && b[s + 1] == b'\n' {
        s + 2
    } else {
        s + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(text: &str) -> Result<(), TestCaseError> {
        let fast: Vec<(usize, &str)> = word_bound_indices(text).collect();
        let crate_: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
        prop_assert_eq!(fast, crate_, "in {:?}", text);
        Ok(())
    }

    #[test]
    fn agrees_on_news_text() {
        for text in [
            "",
            " ",
            "Shares rose 12% to €45.20, the company's C.E.O. said.",
            "Zoë  Ball\u{301} met 👍🏽 and 🇩🇪🇫🇷 at 10:30 a.m. \r\n\r\nNew paragraph.",
            "state-of-the-art U.S.-led e.g. 3.14 1,000 don't “quoted” ‘single’ — dash",
            "שלום ו\"ד  a'b \u{200d} \u{200d}x  \u{a0}y\u{3000}z 東京 カタカナ",
            "  leading spaces, trailing space ",
            "tabs\tand\u{b}vertical\u{c}feeds",
        ] {
            same(text).unwrap();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn agrees_with_unicode_segmentation(
            parts in prop::collection::vec(prop_oneof![
                // mostly ASCII, with every character the ASCII rules treat
                // specially
                4 => "[a-zA-Z0-9_ .,;:'\"\t\r\n-]{0,6}",
                1 => prop::sample::select(vec![
                    "é", "\u{301}", "\u{200d}", "\u{200b}", "\u{feff}", "\u{a0}",
                    "\u{3000}", "€", "’", "“", "👍", "🏽", "🇩", "🇪", "ש", "カ",
                    "東", "\u{85}", "\u{2028}", "ａ", "٣",
                ]).prop_map(str::to_string),
            ], 0..24),
        ) {
            same(&parts.concat())?;
        }
    }
}
