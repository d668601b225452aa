//! Blocks: a document cut into pieces that the page draws one at a time, so
//! that only what is on screen is in the DOM and an edit redraws only its
//! block. A block ends after a line break; a line longer than the target
//! size is also cut after a space. No cut ever falls inside a span: a span
//! across a cut joins the blocks on both sides, so that every span is drawn
//! whole, as one element.

use std::ops::Range;

/// Byte offsets where a block may end: after each `\n`, and in lines longer
/// than `target` bytes, after a space at least `target` bytes on. Sorted,
/// without 0 or `text.len()`.
pub fn cut_points(text: &str, target: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut cuts = Vec::with_capacity(text.len() / target.max(1) + 16);
    let mut since = 0;
    let mut want_space = false;
    for (i, &b) in bytes.iter().enumerate() {
        since += 1;
        if b == b'\n' {
            cuts.push(i + 1);
            since = 0;
            want_space = false;
        } else if since >= target {
            want_space = true;
        }
        // A space is ASCII, so the next byte starts a character.
        if want_space && b == b' ' {
            cuts.push(i + 1);
            since = 0;
            want_space = false;
        }
    }
    if cuts.last() == Some(&text.len()) {
        cuts.pop();
    }
    cuts
}

/// The blocks of a text of `len` bytes, given its cut points and its spans'
/// byte ranges sorted by start: every block is `[start, end)`, they tile the
/// text in order, and no span crosses a block edge.
pub fn blocks(len: usize, cuts: &[usize], spans: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    let mut s = 0; // next span to consider
    let mut reach = 0; // furthest end of the spans that start before the cut
    for &cut in cuts {
        while s < spans.len() && spans[s].start < cut {
            reach = reach.max(spans[s].end);
            s += 1;
        }
        if reach > cut {
            continue; // a span runs across this cut
        }
        out.push(start..cut);
        start = cut;
    }
    if start < len || out.is_empty() {
        out.push(start..len);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'t>(text: &'t str, blocks: &[Range<usize>]) -> Vec<&'t str> {
        blocks.iter().map(|b| &text[b.clone()]).collect()
    }

    #[test]
    fn cuts_after_lines_and_in_long_lines_after_spaces() {
        let text = "One.\r\nTwo two two two.\n\nThree";
        let cuts = cut_points(text, 1000);
        assert_eq!(
            texts(text, &blocks(text.len(), &cuts, &[])),
            ["One.\r\n", "Two two two two.\n", "\n", "Three"]
        );
        let cuts = cut_points(text, 8);
        assert_eq!(
            texts(text, &blocks(text.len(), &cuts, &[])),
            ["One.\r\n", "Two two ", "two two.\n", "\n", "Three"]
        );
    }

    #[test]
    fn spans_across_a_cut_join_blocks() {
        let text = "Ana\r\nLima went\nhome.\n";
        let cuts = cut_points(text, 1000);
        let spans = [Range { start: 0, end: 9 }];
        assert_eq!(
            texts(text, &blocks(text.len(), &cuts, &spans)),
            ["Ana\r\nLima went\n", "home.\n"]
        );
        // A nested span that ends early does not hide its parent's reach.
        let spans = [0..16, 1..2];
        assert_eq!(texts(text, &blocks(text.len(), &cuts, &spans)), [text]);
    }

    #[test]
    fn blocks_tile_any_text() {
        for text in [
            "",
            "\n",
            "no newline at all",
            "a\n\n\nb😀\r\n",
            "é é é é é é é é",
        ] {
            for target in [1, 3, 100] {
                let cuts = cut_points(text, target);
                let b = blocks(text.len(), &cuts, &[]);
                assert_eq!(b.first().map(|r| r.start), Some(0));
                assert_eq!(b.last().map(|r| r.end), Some(text.len()));
                for w in b.windows(2) {
                    assert_eq!(w[0].end, w[1].start);
                    assert!(w[0].start < w[0].end);
                }
                for r in &b {
                    assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                }
            }
        }
    }
}
