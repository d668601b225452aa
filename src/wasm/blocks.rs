//! The open document's blocks for the page: laid out once when it opens,
//! then patched edit by edit, so that an edit among many thousand spans
//! costs the page one block's redraw (see `layout::Layout`).

use super::{Annotator, BLOCK_BYTES};
use crate::edit::Change;
use std::ops::Range;
use wasm_bindgen::prelude::*;

/// What changed in the blocks since the page last asked.
#[derive(Default)]
pub(super) enum Dirty {
    #[default]
    None,
    /// Spans changed within these bytes only.
    Bytes(Range<usize>),
    /// Too much changed to patch (new suggestions, a replayed log, a
    /// deleted label): every block again.
    All,
}

impl Annotator {
    /// Lays the open document out from scratch.
    pub(super) fn lay_out(&mut self) {
        self.dirty = Dirty::None;
        let Some(e) = self.editor.as_ref() else {
            self.layout = Default::default();
            return;
        };
        let spans = self.span_bytes(0..e.doc.text.len());
        self.layout = crate::layout::Layout::new(&e.doc.text, BLOCK_BYTES, &spans);
    }

    /// Notes the bytes a change touched, for the next `blockPatch`.
    pub(super) fn touch(&mut self, change: &Change) {
        let all = change.removed.iter().chain(&change.added);
        if let (Some(lo), Some(hi)) = (all.clone().map(|s| s.start).min(), all.map(|s| s.end).max())
        {
            self.touch_chars(lo, hi);
        }
    }

    /// Notes that spans changed within code points `lo..hi`.
    pub(super) fn touch_chars(&mut self, lo: usize, hi: usize) {
        let map = self.selector.map();
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

    /// Byte ranges of the open document's spans that start within `bytes`,
    /// sorted by start.
    fn span_bytes(&self, bytes: Range<usize>) -> Vec<Range<usize>> {
        let (Some(e), map) = (self.editor.as_ref(), self.selector.map()) else {
            return Vec::new();
        };
        let (Some(a), Some(b)) = (map.byte_to_char(bytes.start), map.byte_to_char(bytes.end))
        else {
            return Vec::new();
        };
        let first = e.doc.spans.partition_point(|s| s.start < a);
        e.doc.spans[first..]
            .iter()
            .take_while(|s| s.start < b)
            .filter_map(|s| Some(map.char_to_byte(s.start)?..map.char_to_byte(s.end)?))
            .collect()
    }

    /// Brings the layout up to date; the patch that did it, if any.
    fn settle(&mut self) -> Option<crate::layout::Patch> {
        match std::mem::take(&mut self.dirty) {
            Dirty::None => None,
            Dirty::All => {
                let len = self.editor.as_ref()?.doc.text.len();
                let spans = self.span_bytes(0..len);
                Some(self.layout.relayout(&spans))
            }
            Dirty::Bytes(r) => {
                let region = self.layout.region(r.start, r.end);
                let spans = self.span_bytes(region);
                Some(self.layout.retile(r.start, r.end, &spans))
            }
        }
    }

    fn utf16_pairs(&self, blocks: &[Range<usize>], out: &mut Vec<u32>) {
        let map = self.selector.map();
        out.reserve(blocks.len() * 2);
        for b in blocks {
            out.push(map.byte_to_utf16(b.start).unwrap_or(0) as u32);
            out.push(map.byte_to_utf16(b.end).unwrap_or(0) as u32);
        }
    }
}

#[wasm_bindgen]
impl Annotator {
    /// The open document's blocks as pairs of UTF-16 offsets `[start, end)`,
    /// tiling the text; no span crosses a block edge.
    pub fn blocks(&mut self) -> Result<Vec<u32>, JsError> {
        self.editor()?;
        self.settle();
        let mut out = Vec::new();
        self.utf16_pairs(self.layout.blocks(), &mut out);
        Ok(out)
    }

    /// What the edits since the last call (or `blocks`) did to the blocks:
    /// `[first, removed, start16, end16, ...]`, the `removed` blocks from
    /// index `first` on replaced by the pairs that follow; empty when no
    /// block changed. Only the blocks in it need drawing again.
    #[wasm_bindgen(js_name = blockPatch)]
    pub fn block_patch(&mut self) -> Result<Vec<u32>, JsError> {
        self.editor()?;
        let Some(patch) = self.settle() else {
            return Ok(Vec::new());
        };
        let mut out = vec![patch.first as u32, patch.removed as u32];
        self.utf16_pairs(&patch.added, &mut out);
        Ok(out)
    }
}
