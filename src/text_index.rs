//! A document's analysed text: its offset map and its tokens, built once
//! when the document opens and shared by everything that reasons about
//! positions in it (selection, search, every occurrence, the session), so
//! that none of them re-tokenizes or re-maps the text.
//!
//! A long text opens at once and finds its tokens a piece at a time
//! afterwards ([`TextIndex::prepare`]), so opening stays one short task.

use crate::text::{OffsetMap, OffsetUnit};
use crate::tokenize::{self, Token};

pub struct TextIndex {
    map: OffsetMap,
    tokens: Vec<Token>,
    /// Bytes of the text tokenized so far (see `prepare`).
    done: usize,
}

impl TextIndex {
    /// The whole index of `text`, tokens and all.
    pub fn new(text: &str) -> TextIndex {
        let mut s = TextIndex::pending(text);
        s.prepare(text, usize::MAX);
        s
    }

    /// An index whose tokens are still to be found, a piece at a time by
    /// `prepare`. Its offset map is complete; answers about tokens are only
    /// right once `is_ready`.
    pub fn pending(text: &str) -> TextIndex {
        TextIndex {
            map: OffsetMap::new(text),
            tokens: Vec::new(),
            done: 0,
        }
    }

    pub fn is_ready(&self) -> bool {
        self.done >= self.map.len(OffsetUnit::Byte)
    }

    /// Tokenizes the next piece of `text` (the text given to `pending`): at
    /// least `bytes` long, ending after a line break (as the worker's pieces
    /// do: no token spans one) or at the end. Returns whether all is done.
    pub fn prepare(&mut self, text: &str, bytes: usize) -> bool {
        if self.is_ready() || text.len() != self.map.len(OffsetUnit::Byte) {
            return self.is_ready();
        }
        let from = self.done;
        let end = match from.checked_add(bytes).filter(|&e| e < text.len()) {
            Some(e) => text.as_bytes()[e..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |i| e + i + 1),
            None => text.len(),
        };
        let base = self.tokens.len();
        tokenize::tokenize_into(&text[from..end], &mut self.tokens);
        for t in &mut self.tokens[base..] {
            t.start += from;
            t.end += from;
        }
        self.done = end;
        self.is_ready()
    }

    pub fn map(&self) -> &OffsetMap {
        &self.map
    }

    /// The tokens found so far (all of them once `is_ready`), byte offsets.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// A token's edges in code points.
    pub fn token_chars(&self, t: &Token) -> (usize, usize) {
        (
            self.map.byte_to_char(t.start).unwrap_or(0),
            self.map.byte_to_char(t.end).unwrap_or(0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_found_piece_by_piece_are_the_tokens_of_the_whole() {
        let line = "Mr. Ana Lima (U.S.) paid $2,500 on Jan. 3, 2024 😀 at 10:30 a.m.\r\nNo. 5 won't \u{301}go.\n\n";
        let text = line.repeat(40);
        let whole = TextIndex::new(&text);
        for bytes in [0, 1, 70, 1000] {
            let mut s = TextIndex::pending(&text);
            let mut rounds = 0;
            while !s.prepare(&text, bytes) {
                rounds += 1;
            }
            assert!(bytes > 500 || rounds > 10, "{bytes}: {rounds} rounds");
            assert_eq!(s.tokens, whole.tokens, "pieces of {bytes} bytes");
        }
        assert!(TextIndex::pending("").is_ready());
    }

    #[test]
    fn a_pending_index_maps_offsets_before_any_token_is_found() {
        let s = TextIndex::pending("😀 Zoë");
        assert!(!s.is_ready());
        assert!(s.tokens().is_empty());
        assert_eq!(s.map().char_to_utf16(2), Some(3));
    }
}
