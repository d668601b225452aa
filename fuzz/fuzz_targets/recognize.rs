//! The standard recognizer on arbitrary text: its suggestions are sorted,
//! non-overlapping, non-empty, on character boundaries, labelled, with a
//! finite score; the code point spans it gives agree with the byte ones.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanmark::recognize::Recognizer;
use spanmark::text::OffsetMap;
use std::sync::OnceLock;

static RECOGNIZER: OnceLock<Recognizer> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let r = RECOGNIZER.get_or_init(Recognizer::standard);
    let found = r.recognize(text);
    let mut prev_end = 0;
    for c in &found {
        assert!(c.start < c.end, "empty candidate {c:?}");
        assert!(
            c.start >= prev_end,
            "candidates overlap or are unsorted: {c:?}"
        );
        assert!(c.end <= text.len(), "candidate past the end: {c:?}");
        assert!(
            text.is_char_boundary(c.start) && text.is_char_boundary(c.end),
            "candidate splits a character: {c:?}"
        );
        assert!(!c.label.is_empty(), "unlabelled candidate");
        assert!(c.score.is_finite(), "score {} is not finite", c.score);
        prev_end = c.end;
    }
    let map = OffsetMap::new(text);
    let spans = r.spans(text, &map);
    assert_eq!(spans.len(), found.len());
    for (s, c) in spans.iter().zip(&found) {
        assert_eq!(map.char_to_byte(s.start), Some(c.start));
        assert_eq!(map.char_to_byte(s.end), Some(c.end));
    }
    // Candidates (unmerged) are valid too.
    for c in r.candidates(text) {
        assert!(c.start < c.end && c.end <= text.len());
        assert!(text.is_char_boundary(c.start) && text.is_char_boundary(c.end));
    }
});
