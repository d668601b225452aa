//! What the page stores after an edit, without copying what it already
//! holds: the text of a long document is megabytes, and the page has it.

use super::{js_err, Annotator};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Annotator {
    /// The open document as stored but without its text and spans:
    /// `{"id","meta","status"}` (the page adds the text it holds).
    #[wasm_bindgen(js_name = documentHeadJson)]
    pub fn document_head_json(&self) -> Result<String, JsError> {
        let d = &self.editor()?.doc;
        let head = serde_json::json!({
            "id": d.id,
            "meta": d.meta,
            "status": serde_json::to_value(d.status).map_err(js_err)?,
        });
        Ok(head.to_string())
    }

    /// The open document's spans `from..to` (indices, clamped) as the
    /// JSON array `annotationsJson` holds: a long document's snapshot is
    /// serialised a slice per task, so that no task runs long.
    #[wasm_bindgen(js_name = spansJsonIn)]
    pub fn spans_json_in(&self, from: u32, to: u32) -> Result<String, JsError> {
        let spans = &self.editor()?.doc.spans;
        let to = (to as usize).min(spans.len());
        let from = (from as usize).min(to);
        serde_json::to_string(&spans[from..to]).map_err(js_err)
    }

    /// The open document's undo history, as `annotationsJson` holds it.
    #[wasm_bindgen(js_name = historyJson)]
    pub fn history_json(&self) -> Result<String, JsError> {
        serde_json::to_string(&self.editor()?.history).map_err(js_err)
    }
}
