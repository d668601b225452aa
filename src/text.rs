//! Offsets into one exact text, in the three units that meet here: UTF-8 bytes
//! (the core, Rust slicing), Unicode code points (every exported file, Python,
//! spaCy) and UTF-16 code units (the browser's strings and DOM ranges).
//!
//! An [`OffsetMap`] is built once per text and converts in both directions
//! exactly. A conversion of a position that falls inside a character (a byte in
//! the middle of a UTF-8 sequence, a UTF-16 unit between the halves of a
//! surrogate pair) is refused with `None`, never rounded: a silently moved span
//! edge is the bug this module exists to prevent.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A unit in which an offset can be counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OffsetUnit {
    Byte,
    #[default]
    Codepoint,
    Utf16,
}

impl OffsetUnit {
    pub fn name(self) -> &'static str {
        match self {
            OffsetUnit::Byte => "byte",
            OffsetUnit::Codepoint => "codepoint",
            OffsetUnit::Utf16 => "utf16",
        }
    }

    pub fn parse(s: &str) -> Option<OffsetUnit> {
        match s.to_ascii_lowercase().as_str() {
            "byte" | "bytes" | "utf8" | "utf-8" => Some(OffsetUnit::Byte),
            "codepoint" | "codepoints" | "char" | "chars" | "unicode" => {
                Some(OffsetUnit::Codepoint)
            }
            "utf16" | "utf-16" | "js" => Some(OffsetUnit::Utf16),
            _ => None,
        }
    }
}

impl fmt::Display for OffsetUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Exact conversions between byte, code point and UTF-16 offsets of one text.
///
/// ASCII text (the common case for news) needs no table: all three units
/// coincide. Otherwise one table per unit gives the offset of each code point;
/// the reverse direction is a binary search, as both tables increase strictly.
#[derive(Clone, Debug)]
pub struct OffsetMap {
    chars: usize,
    bytes: usize,
    utf16: usize,
    /// Byte offset of each code point, plus the end; empty when the text is ASCII.
    byte_of_char: Vec<u32>,
    /// UTF-16 offset of each code point, plus the end; empty when no code point
    /// lies outside the Basic Multilingual Plane (then it equals the char index).
    utf16_of_char: Vec<u32>,
}

impl OffsetMap {
    pub fn new(text: &str) -> OffsetMap {
        let bytes = text.len();
        if text.is_ascii() {
            return OffsetMap {
                chars: bytes,
                bytes,
                utf16: bytes,
                byte_of_char: Vec::new(),
                utf16_of_char: Vec::new(),
            };
        }
        // Over bytes rather than decoded chars: a code point starts at every
        // byte that is not a continuation byte (0b10xxxxxx), and ASCII runs
        // (most of any text) go eight bytes at a time. About three times
        // faster than `char_indices` here, and this runs whenever a document
        // opens (50 ms native for 10 MB before).
        let b = text.as_bytes();
        let mut byte_of_char: Vec<u32> = Vec::with_capacity(bytes + 1);
        let mut astral = 0usize;
        let mut i = 0;
        while i + 8 <= b.len() {
            let word = u64::from_le_bytes([
                b[i],
                b[i + 1],
                b[i + 2],
                b[i + 3],
                b[i + 4],
                b[i + 5],
                b[i + 6],
                b[i + 7],
            ]);
            if word & 0x8080_8080_8080_8080 == 0 {
                byte_of_char.extend(i as u32..i as u32 + 8);
            } else {
                for (j, &x) in b[i..i + 8].iter().enumerate() {
                    if (x as i8) >= -0x40 {
                        byte_of_char.push((i + j) as u32);
                    }
                    astral += usize::from(x >= 0xF0);
                }
            }
            i += 8;
        }
        for (j, &x) in b[i..].iter().enumerate() {
            if (x as i8) >= -0x40 {
                byte_of_char.push((i + j) as u32);
            }
            astral += usize::from(x >= 0xF0);
        }
        byte_of_char.push(bytes as u32);
        let chars = byte_of_char.len() - 1;
        let mut utf16_of_char = Vec::new();
        let mut utf16 = chars;
        if astral > 0 {
            // A code point outside the BMP (its first byte 0b11110xxx) is
            // two UTF-16 units.
            utf16_of_char.reserve(chars + 1);
            let mut u = 0u32;
            for &at in &byte_of_char[..chars] {
                utf16_of_char.push(u);
                u += 1 + u32::from(b[at as usize] >= 0xF0);
            }
            utf16_of_char.push(u);
            utf16 = u as usize;
        }
        OffsetMap {
            chars,
            bytes,
            utf16,
            byte_of_char,
            utf16_of_char,
        }
    }

    /// Length of the text in the given unit.
    pub fn len(&self, unit: OffsetUnit) -> usize {
        match unit {
            OffsetUnit::Byte => self.bytes,
            OffsetUnit::Codepoint => self.chars,
            OffsetUnit::Utf16 => self.utf16,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bytes == 0
    }

    pub fn char_to_byte(&self, c: usize) -> Option<usize> {
        if c > self.chars {
            return None;
        }
        if self.byte_of_char.is_empty() {
            return Some(c);
        }
        Some(self.byte_of_char[c] as usize)
    }

    pub fn byte_to_char(&self, b: usize) -> Option<usize> {
        if b > self.bytes {
            return None;
        }
        if self.byte_of_char.is_empty() {
            return Some(b);
        }
        self.byte_of_char.binary_search(&(b as u32)).ok()
    }

    pub fn char_to_utf16(&self, c: usize) -> Option<usize> {
        if c > self.chars {
            return None;
        }
        if self.utf16_of_char.is_empty() {
            return Some(c);
        }
        Some(self.utf16_of_char[c] as usize)
    }

    pub fn utf16_to_char(&self, u: usize) -> Option<usize> {
        if u > self.utf16 {
            return None;
        }
        if self.utf16_of_char.is_empty() {
            return Some(u);
        }
        self.utf16_of_char.binary_search(&(u as u32)).ok()
    }

    pub fn byte_to_utf16(&self, b: usize) -> Option<usize> {
        self.byte_to_char(b).and_then(|c| self.char_to_utf16(c))
    }

    pub fn utf16_to_byte(&self, u: usize) -> Option<usize> {
        self.utf16_to_char(u).and_then(|c| self.char_to_byte(c))
    }

    /// Converts an offset from one unit to another; `None` when it is past the
    /// end or falls inside a character.
    pub fn convert(&self, offset: usize, from: OffsetUnit, to: OffsetUnit) -> Option<usize> {
        let c = match from {
            OffsetUnit::Byte => self.byte_to_char(offset)?,
            OffsetUnit::Codepoint => (offset <= self.chars).then_some(offset)?,
            OffsetUnit::Utf16 => self.utf16_to_char(offset)?,
        };
        match to {
            OffsetUnit::Byte => self.char_to_byte(c),
            OffsetUnit::Codepoint => Some(c),
            OffsetUnit::Utf16 => self.char_to_utf16(c),
        }
    }
}

/// Why an offset pair cannot be used on a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OffsetError {
    /// `start > end`.
    Reversed { start: usize, end: usize },
    /// An offset lies past the end of the text (`len` in the same unit).
    OutOfRange { offset: usize, len: usize },
    /// An offset falls inside a character (mid UTF-8 sequence, or between the
    /// two halves of a UTF-16 surrogate pair).
    InsideCharacter { offset: usize },
}

impl fmt::Display for OffsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OffsetError::Reversed { start, end } => {
                write!(f, "span start {start} is after its end {end}")
            }
            OffsetError::OutOfRange { offset, len } => {
                write!(
                    f,
                    "offset {offset} is past the end of the text (length {len})"
                )
            }
            OffsetError::InsideCharacter { offset } => {
                write!(f, "offset {offset} falls inside a character")
            }
        }
    }
}

impl std::error::Error for OffsetError {}

impl OffsetMap {
    /// Converts a `[start, end)` pair, reporting precisely what is wrong with it.
    pub fn convert_range(
        &self,
        start: usize,
        end: usize,
        from: OffsetUnit,
        to: OffsetUnit,
    ) -> Result<(usize, usize), OffsetError> {
        if start > end {
            return Err(OffsetError::Reversed { start, end });
        }
        let len = self.len(from);
        let one = |o: usize| {
            if o > len {
                Err(OffsetError::OutOfRange { offset: o, len })
            } else {
                self.convert(o, from, to)
                    .ok_or(OffsetError::InsideCharacter { offset: o })
            }
        };
        Ok((one(start)?, one(end)?))
    }
}

/// The text between two code point offsets (clamped to the text).
pub fn slice_chars<'t>(text: &'t str, map: &OffsetMap, start: usize, end: usize) -> &'t str {
    let b0 = map.char_to_byte(start.min(map.chars)).unwrap_or(text.len());
    let b1 = map.char_to_byte(end.min(map.chars)).unwrap_or(text.len());
    &text[b0..b1.max(b0)]
}

/// The UTF-16 offset of the first unpaired surrogate in a string given as
/// UTF-16 units (what the page holds), if any: such a string is not
/// Unicode text, has no UTF-8 form, and is refused wherever text comes in.
pub fn unpaired_surrogate(units: impl IntoIterator<Item = u16>) -> Option<usize> {
    let mut high_at = None;
    for (i, u) in units.into_iter().enumerate() {
        match u {
            0xD800..=0xDBFF => {
                if high_at.is_some() {
                    return high_at;
                }
                high_at = Some(i);
            }
            0xDC00..=0xDFFF => {
                if high_at.take().is_none() {
                    return Some(i);
                }
            }
            _ => {
                if high_at.is_some() {
                    return high_at;
                }
            }
        }
    }
    high_at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every boundary of `text` in all three units, from std's own iterators,
    /// as the oracle the table-driven map must agree with.
    fn boundaries(text: &str) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut u = 0;
        for (c, (b, ch)) in text.char_indices().enumerate() {
            out.push((b, c, u));
            u += ch.len_utf16();
        }
        out.push((text.len(), text.chars().count(), u));
        out
    }

    fn check_exact(text: &str) {
        let map = OffsetMap::new(text);
        let all = boundaries(text);
        for &(b, c, u) in &all {
            assert_eq!(map.byte_to_char(b), Some(c), "byte {b} in {text:?}");
            assert_eq!(map.char_to_byte(c), Some(b));
            assert_eq!(map.char_to_utf16(c), Some(u));
            assert_eq!(map.utf16_to_char(u), Some(c), "utf16 {u} in {text:?}");
            assert_eq!(map.byte_to_utf16(b), Some(u));
            assert_eq!(map.utf16_to_byte(u), Some(b));
        }
        let (bl, cl, ul) = *all.last().unwrap();
        assert_eq!(map.len(OffsetUnit::Byte), bl);
        assert_eq!(map.len(OffsetUnit::Codepoint), cl);
        assert_eq!(map.len(OffsetUnit::Utf16), ul);
        // Positions that are not boundaries are refused, not rounded.
        for b in 0..=text.len() {
            if !text.is_char_boundary(b) {
                assert_eq!(map.byte_to_char(b), None, "inner byte {b} of {text:?}");
            }
        }
        let units: Vec<usize> = all.iter().map(|x| x.2).collect();
        for u in 0..=ul {
            if !units.contains(&u) {
                assert_eq!(map.utf16_to_char(u), None, "inner unit {u} of {text:?}");
            }
        }
        assert_eq!(map.char_to_byte(cl + 1), None);
        assert_eq!(map.utf16_to_char(ul + 1), None);
        assert_eq!(map.byte_to_char(bl + 1), None);
    }

    #[test]
    fn ascii_is_identity() {
        let map = OffsetMap::new("Angela Merkel met Macron.");
        assert_eq!(map.char_to_byte(7), Some(7));
        assert_eq!(map.utf16_to_char(25), Some(25));
        assert_eq!(map.utf16_to_char(26), None);
        check_exact("Angela Merkel met Macron.");
    }

    #[test]
    fn empty_text() {
        check_exact("");
        let map = OffsetMap::new("");
        assert_eq!(map.char_to_byte(0), Some(0));
        assert!(map.is_empty());
    }

    #[test]
    fn emoji_zwj_sequences_and_flags() {
        // Family (ZWJ sequence of four astral emoji), a flag (two regional
        // indicators), a skin-tone modifier.
        let text = "Hi 👨‍👩‍👧‍👦 from 🇩🇪 and 👍🏽, Zoë!";
        check_exact(text);
        let map = OffsetMap::new(text);
        let z = text.find("Zoë").unwrap();
        let zc = text[..z].chars().count();
        let zu: usize = text[..z].encode_utf16().count();
        assert_eq!(map.byte_to_char(z), Some(zc));
        assert_eq!(map.char_to_utf16(zc), Some(zu));
        assert!(zu > zc, "astral characters take two UTF-16 units");
        // Between the halves of the first emoji's surrogate pair.
        assert_eq!(map.utf16_to_char(4), None);
    }

    #[test]
    fn combining_marks_and_precomposed() {
        // "e" + COMBINING ACUTE is two code points; "é" is one.
        check_exact("Cafe\u{301} and Café in Québec");
        let map = OffsetMap::new("e\u{301}x");
        assert_eq!(map.len(OffsetUnit::Codepoint), 3);
        assert_eq!(map.len(OffsetUnit::Utf16), 3);
        assert_eq!(map.len(OffsetUnit::Byte), 4);
    }

    #[test]
    fn crlf_counts_two_and_is_kept() {
        let text = "Line one.\r\nParis is in France.\r\n";
        check_exact(text);
        let map = OffsetMap::new(text);
        let p = text.find("Paris").unwrap();
        assert_eq!(map.byte_to_char(p), Some(11));
        assert_eq!(slice_chars(text, &map, 11, 16), "Paris");
    }

    #[test]
    fn text_ending_mid_sentence_and_mid_emoji_run() {
        check_exact("The deal, worth €2.5 billion, was signed by");
        check_exact("ends with an astral 𝄞");
        check_exact("한국어 텍스트와 日本語");
    }

    #[test]
    fn convert_range_reports_what_is_wrong() {
        let text = "a😀b";
        let map = OffsetMap::new(text);
        assert_eq!(
            map.convert_range(0, 4, OffsetUnit::Utf16, OffsetUnit::Codepoint),
            Ok((0, 3))
        );
        assert_eq!(
            map.convert_range(2, 3, OffsetUnit::Utf16, OffsetUnit::Codepoint),
            Err(OffsetError::InsideCharacter { offset: 2 })
        );
        assert_eq!(
            map.convert_range(3, 1, OffsetUnit::Codepoint, OffsetUnit::Byte),
            Err(OffsetError::Reversed { start: 3, end: 1 })
        );
        assert_eq!(
            map.convert_range(0, 9, OffsetUnit::Codepoint, OffsetUnit::Byte),
            Err(OffsetError::OutOfRange { offset: 9, len: 3 })
        );
        assert_eq!(
            map.convert_range(1, 5, OffsetUnit::Byte, OffsetUnit::Utf16),
            Ok((1, 3))
        );
    }

    #[test]
    fn unit_names_parse_back() {
        for u in [OffsetUnit::Byte, OffsetUnit::Codepoint, OffsetUnit::Utf16] {
            assert_eq!(OffsetUnit::parse(u.name()), Some(u));
        }
        assert_eq!(OffsetUnit::parse("furlongs"), None);
    }

    proptest::proptest! {
        #[test]
        fn any_text_converts_exactly(text in "\\PC{0,40}|[a😀👨‍👩\u{301}\r\n🇩🇪é ]{0,30}") {
            check_exact(&text);
        }
    }

    #[test]
    fn unpaired_surrogates_are_found_where_they_are() {
        let units = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
        assert_eq!(unpaired_surrogate(units("Zoë 😀 👨‍👩‍👧")), None);
        let mut u = units("Ana  Lima");
        u[4] = 0xD800;
        assert_eq!(unpaired_surrogate(u.clone()), Some(4), "a high one alone");
        u[4] = 0xDC00;
        assert_eq!(unpaired_surrogate(u.clone()), Some(4), "a low one alone");
        assert_eq!(
            unpaired_surrogate([0x41, 0xD83D]),
            Some(1),
            "a high one at the end"
        );
        assert_eq!(
            unpaired_surrogate([0xD83D, 0xD83D, 0xDE00]),
            Some(0),
            "two highs"
        );
        assert_eq!(unpaired_surrogate([0xD83D, 0xDE00]), None);
    }
}
