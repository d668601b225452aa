//! A long document opens at once and finds its tokens (for snapping a
//! selection) a piece at a time afterwards, while the page stays responsive.

use super::Annotator;
use wasm_bindgen::prelude::*;

/// Tokenized when a document opens (many screens' worth); the rest by
/// `prepareTokens`, a piece per task, so opening a long text stays one
/// short task.
pub(super) const TOKENS_AT_ONCE: usize = 64 * 1024;

impl Annotator {
    /// Finds any tokens still missing, before an answer needs them.
    pub(super) fn finish_tokens(&mut self) {
        if let Some(e) = self.editor.as_ref() {
            self.selector.prepare(&e.doc.text, usize::MAX);
        }
    }
}

#[wasm_bindgen]
impl Annotator {
    /// Tokenizes about `bytes` more of the open document; whether all of it
    /// is done. The page calls it between frames after opening a long text.
    #[wasm_bindgen(js_name = prepareTokens)]
    pub fn prepare_tokens(&mut self, bytes: u32) -> bool {
        match self.editor.as_ref() {
            Some(e) => self.selector.prepare(&e.doc.text, bytes as usize),
            None => true,
        }
    }
}
