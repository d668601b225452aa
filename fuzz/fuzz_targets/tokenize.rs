//! The tokenizer, the sentence splitter and selection snapping on arbitrary
//! text: tokens sorted, non-empty, non-overlapping, on character boundaries
//! and never whitespace-only; sentences in order, non-empty, covering every
//! token; a snapped selection begins and ends on token edges and covers the
//! selection.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanmark::tokenize::{self, Token};

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (sel, rest) = data.split_at(4);
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let tokens = tokenize::tokenize(text);
    let mut prev_end = 0;
    for t in &tokens {
        assert!(t.start < t.end, "empty token {t:?}");
        assert!(
            t.start >= prev_end,
            "tokens overlap or are unsorted at {t:?}"
        );
        assert!(
            text.is_char_boundary(t.start) && text.is_char_boundary(t.end),
            "token {t:?} splits a character"
        );
        assert!(
            !t.text(text).chars().all(char::is_whitespace),
            "whitespace token {t:?}"
        );
        prev_end = t.end;
    }
    // Appending to a buffer gives the same tokens.
    let mut buf = vec![Token { start: 0, end: 0 }];
    tokenize::tokenize_into(text, &mut buf);
    assert_eq!(&buf[1..], &tokens[..]);

    let sentences = tokenize::sentences(text, &tokens);
    let mut next = 0;
    for s in &sentences {
        assert_eq!(s.start, next, "sentences leave a gap or overlap");
        assert!(s.start < s.end, "empty sentence");
        next = s.end;
    }
    assert_eq!(next, tokens.len(), "sentences do not cover every token");

    let n = text.len() + 1;
    let a = u16::from_le_bytes([sel[0], sel[1]]) as usize % n;
    let b = u16::from_le_bytes([sel[2], sel[3]]) as usize % n;
    if let Some((s, e)) = tokenize::snap(&tokens, a, b) {
        assert!(
            tokenize::starting_at(&tokens, s).is_some(),
            "snapped start {s} is not a token start"
        );
        assert!(
            tokenize::ending_at(&tokens, e).is_some(),
            "snapped end {e} is not a token end"
        );
        assert!(s < e);
        // The snapped range shares a byte with the (at least one byte wide)
        // selection.
        let (lo, hi) = (a.min(b), a.max(b).max(a.min(b) + 1));
        assert!(s < hi && e > lo, "snap ({s},{e}) does not touch ({a},{b})");
    }
});
