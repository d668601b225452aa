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

/// Where a long text is cut into pieces for pre-annotation in parts (a
/// worker's progress): byte offsets of each piece's start after the first,
/// every piece at least `target` bytes, cut after a line break, or after a
/// space in a line longer than `target` (never inside a token).
pub fn pieces(text: &str, target: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut last = 0;
    for cut in cut_points(text, target) {
        if cut - last >= target {
            out.push(cut);
            last = cut;
        }
    }
    out
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

/// The blocks of an open document, kept up to date edit by edit: an edit
/// re-tiles only the blocks around the spans it touched, so that the page
/// redraws only those.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    len: usize,
    cuts: Vec<usize>,
    blocks: Vec<Range<usize>>,
}

/// What an edit did to the blocks: the `removed` blocks from index `first`
/// on were replaced by `added` (byte ranges).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    pub first: usize,
    pub removed: usize,
    pub added: Vec<Range<usize>>,
}

impl Layout {
    /// Lays out a text of `text.len()` bytes with its spans' byte ranges
    /// (sorted by start).
    pub fn new(text: &str, target: usize, spans: &[Range<usize>]) -> Layout {
        let cuts = cut_points(text, target);
        let blocks = blocks(text.len(), &cuts, spans);
        Layout {
            len: text.len(),
            cuts,
            blocks,
        }
    }

    pub fn blocks(&self) -> &[Range<usize>] {
        &self.blocks
    }

    /// Every block again, from all the spans (sorted by start): after a
    /// change too wide to patch, e.g. new suggestions.
    pub fn relayout(&mut self, spans: &[Range<usize>]) -> Patch {
        let removed = self.blocks.len();
        self.blocks = blocks(self.len, &self.cuts, spans);
        Patch {
            first: 0,
            removed,
            added: self.blocks.clone(),
        }
    }

    /// The bytes covered by the blocks that hold any of `[lo, hi)`: what an
    /// edit of spans within `[lo, hi)` may re-tile.
    pub fn region(&self, lo: usize, hi: usize) -> Range<usize> {
        let (first, last) = self.block_span(lo, hi);
        match (self.blocks.get(first), self.blocks.get(last)) {
            (Some(a), Some(b)) => a.start..b.end,
            _ => 0..self.len,
        }
    }

    /// Indices of the first and last block holding any of `[lo, hi)`.
    fn block_span(&self, lo: usize, hi: usize) -> (usize, usize) {
        let n = self.blocks.len();
        let first = self
            .blocks
            .partition_point(|b| b.end <= lo)
            .min(n.saturating_sub(1));
        let last = self
            .blocks
            .partition_point(|b| b.start < hi.max(lo + 1))
            .saturating_sub(1)
            .max(first);
        (first, last)
    }

    /// Re-tiles the blocks holding `[lo, hi)` after spans within it changed;
    /// `spans` are the byte ranges of the spans now starting in
    /// `region(lo, hi)`, sorted by start. Spans outside the region are not
    /// needed: none crossed its edges before, and the edit touched none of
    /// them.
    pub fn retile(&mut self, lo: usize, hi: usize, spans: &[Range<usize>]) -> Patch {
        if self.blocks.is_empty() {
            return self.relayout(spans);
        }
        let (first, last) = self.block_span(lo, hi);
        let region = self.blocks[first].start..self.blocks[last].end;
        let a = self.cuts.partition_point(|&c| c <= region.start);
        let b = self.cuts.partition_point(|&c| c < region.end);
        let cuts: Vec<usize> = self.cuts[a..b].iter().map(|c| c - region.start).collect();
        let local: Vec<Range<usize>> = spans
            .iter()
            .map(|s| s.start - region.start..s.end.min(region.end) - region.start)
            .collect();
        let added: Vec<Range<usize>> = blocks(region.end - region.start, &cuts, &local)
            .into_iter()
            .map(|r| r.start + region.start..r.end + region.start)
            .collect();
        self.blocks.splice(first..=last, added.iter().cloned());
        Patch {
            first,
            removed: last + 1 - first,
            added,
        }
    }
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

    /// A patch applied to the old blocks gives what a full layout gives.
    #[test]
    #[allow(clippy::single_range_in_vec_init)] // one span, one block
    fn retile_matches_a_full_layout() {
        let text = "Ana\nLima went\nhome to Rio.\nThen back.\n";
        let spans0: Vec<Range<usize>> = vec![4..8];
        let mut layout = Layout::new(text, 1000, &spans0);
        assert_eq!(
            texts(text, layout.blocks()),
            ["Ana\n", "Lima went\n", "home to Rio.\n", "Then back.\n"]
        );
        // A span across two lines joins their blocks; only they change.
        let spans1: Vec<Range<usize>> = vec![4..8, 9..18];
        let region = layout.region(9, 18);
        assert_eq!(region, 4..27);
        let inside: Vec<Range<usize>> = spans1
            .iter()
            .filter(|s| region.contains(&s.start))
            .cloned()
            .collect();
        let patch = layout.retile(9, 18, &inside);
        assert_eq!((patch.first, patch.removed), (1, 2));
        assert_eq!(texts(text, &patch.added), ["Lima went\nhome to Rio.\n"]);
        assert_eq!(
            layout.blocks(),
            blocks(text.len(), &cut_points(text, 1000), &spans1)
        );
        // Removing it splits them again.
        let patch = layout.retile(9, 18, &spans0);
        assert_eq!((patch.first, patch.removed, patch.added.len()), (1, 1, 2));
        assert_eq!(
            layout.blocks(),
            blocks(text.len(), &cut_points(text, 1000), &spans0)
        );
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)] // one span, one block
    fn retile_at_the_edges_and_on_an_empty_text() {
        let text = "a b c\nd e f";
        let mut layout = Layout::new(text, 1000, &[]);
        let p = layout.retile(text.len(), text.len(), &[]);
        assert_eq!((p.first, p.removed), (1, 1));
        assert_eq!(layout.blocks(), [0..6, 6..11]);
        let p = layout.retile(0, 11, &[0..11]);
        assert_eq!((p.first, p.removed), (0, 2));
        assert_eq!(layout.blocks(), [0..11]);
        let mut empty = Layout::new("", 10, &[]);
        assert_eq!(empty.blocks(), [0..0]);
        let p = empty.retile(0, 0, &[]);
        assert_eq!(p.added, [0..0]);
    }
}
