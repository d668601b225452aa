//! The open document's blocks for the page: laid out once when it opens,
//! then patched edit by edit, so that an edit among many thousand spans
//! costs the page one block's redraw (see `layout::Layout`).

use crate::edit::{Change, Editor};
use crate::layout::Layout;
use crate::text_index::TextIndex;
use std::ops::Range;

/// The size past which a long line is cut into blocks: a few screen lines.
const BLOCK_BYTES: usize = 2048;

pub(super) struct View {
    layout: Layout,
    dirty: Dirty,
}

/// What changed in the blocks since the page last asked.
#[derive(Default)]
enum Dirty {
    #[default]
    None,
    /// Spans changed within these bytes only.
    Bytes(Range<usize>),
    /// Too much changed to patch (new suggestions, a replayed log, a
    /// deleted label): every block again.
    All,
}

impl View {
    pub(super) fn new(editor: &Editor, index: &TextIndex) -> View {
        let text = &editor.doc.text;
        let spans = span_bytes(editor, index, 0..text.len());
        View {
            layout: Layout::new(text, BLOCK_BYTES, &spans),
            dirty: Dirty::None,
        }
    }

    /// Notes the spans a change touched, for the next patch.
    pub(super) fn touch(&mut self, index: &TextIndex, change: &Change) {
        let all = change.removed.iter().chain(&change.added);
        if let (Some(lo), Some(hi)) = (all.clone().map(|s| s.start).min(), all.map(|s| s.end).max())
        {
            self.touch_chars(index, lo, hi);
        }
    }

    /// Notes that spans changed within code points `lo..hi`.
    pub(super) fn touch_chars(&mut self, index: &TextIndex, lo: usize, hi: usize) {
        let map = index.map();
        let (Some(lo), Some(hi)) = (map.char_to_byte(lo), map.char_to_byte(hi)) else {
            self.dirty = Dirty::All;
            return;
        };
        self.dirty = match std::mem::take(&mut self.dirty) {
            Dirty::None => Dirty::Bytes(lo..hi),
            Dirty::Bytes(r) => Dirty::Bytes(r.start.min(lo)..r.end.max(hi)),
            Dirty::All => Dirty::All,
        };
    }

    /// Notes that any span may have changed.
    pub(super) fn touch_all(&mut self) {
        self.dirty = Dirty::All;
    }

    /// Brings the layout up to date; the patch that did it, if any.
    fn settle(&mut self, editor: &Editor, index: &TextIndex) -> Option<crate::layout::Patch> {
        match std::mem::take(&mut self.dirty) {
            Dirty::None => None,
            Dirty::All => {
                let spans = span_bytes(editor, index, 0..editor.doc.text.len());
                Some(self.layout.relayout(&spans))
            }
            Dirty::Bytes(r) => {
                let region = self.layout.region(r.start, r.end);
                let spans = span_bytes(editor, index, region);
                Some(self.layout.retile(r.start, r.end, &spans))
            }
        }
    }

    /// Every block, `[start16, end16]` pairs tiling the text.
    pub(super) fn blocks(&mut self, editor: &Editor, index: &TextIndex) -> Vec<u32> {
        self.settle(editor, index);
        let mut out = Vec::new();
        utf16_pairs(index, self.layout.blocks(), &mut out);
        out
    }

    /// What changed since the last call: `[first, removed, start16, end16,
    /// ...]`, the `removed` blocks from index `first` on replaced by the
    /// pairs that follow; empty when no block changed.
    pub(super) fn patch(&mut self, editor: &Editor, index: &TextIndex) -> Vec<u32> {
        let Some(patch) = self.settle(editor, index) else {
            return Vec::new();
        };
        let mut out = vec![patch.first as u32, patch.removed as u32];
        utf16_pairs(index, &patch.added, &mut out);
        out
    }
}

/// Byte ranges of the spans that start within `bytes`, sorted by start.
fn span_bytes(editor: &Editor, index: &TextIndex, bytes: Range<usize>) -> Vec<Range<usize>> {
    let map = index.map();
    let (Some(a), Some(b)) = (map.byte_to_char(bytes.start), map.byte_to_char(bytes.end)) else {
        return Vec::new();
    };
    let spans = &editor.doc.spans;
    let first = spans.partition_point(|s| s.start < a);
    spans[first..]
        .iter()
        .take_while(|s| s.start < b)
        .filter_map(|s| Some(map.char_to_byte(s.start)?..map.char_to_byte(s.end)?))
        .collect()
}

fn utf16_pairs(index: &TextIndex, blocks: &[Range<usize>], out: &mut Vec<u32>) {
    let map = index.map();
    out.reserve(blocks.len() * 2);
    for b in blocks {
        out.push(map.byte_to_utf16(b.start).unwrap_or(0) as u32);
        out.push(map.byte_to_utf16(b.end).unwrap_or(0) as u32);
    }
}
