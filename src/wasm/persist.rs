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
}
