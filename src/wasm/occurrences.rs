//! The page's binding for "label every occurrence" and the inconsistency
//! view (`occurrences`): converts only.

use super::{js_err, Annotations, Annotator};
use crate::doc::Document;
use crate::edit::LogEntry;
use serde_json::json;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Annotator {
    /// Labels every other occurrence of the text of the span at
    /// `start..end` (code points) in the open document, as one edit (then
    /// `lastLogEntry`). Returns JSON `{"count", "text", "label", "changed"}`.
    #[wasm_bindgen(js_name = labelEveryOccurrence)]
    pub fn label_every_occurrence(&mut self, start: u32, end: u32) -> Result<String, JsError> {
        let done = crate::occurrences::label_every_occurrence(
            self.editor_mut()?,
            start as usize,
            end as usize,
        )
        .map_err(js_err)?;
        let changed = !done.change.is_empty();
        let out = json!({"count": done.count, "text": done.text, "label": done.label, "changed": changed});
        self.changed(Ok(done.change))?;
        Ok(out.to_string())
    }

    /// Labels every occurrence of `text` in another stored document: its
    /// record (`{"id","text","meta","status"}`), its annotations snapshot
    /// (`{"spans","history"}`, or empty if it has none: then it is
    /// pre-annotated first when `preannotate` is set) and its edit log since
    /// (a JSON array). Returns JSON `{"count", "record": {"spans","history"}}`,
    /// the new snapshot, with the labeling as one undoable change.
    #[wasm_bindgen(js_name = labelTextInStored)]
    pub fn label_text_in_stored(
        &self,
        doc_json: &str,
        annotations_json: &str,
        log_json: &str,
        text: &str,
        label: &str,
        preannotate: bool,
    ) -> Result<String, JsError> {
        let mut editor = self.stored_editor(doc_json, annotations_json, preannotate)?;
        let log: Vec<LogEntry> = if log_json.is_empty() {
            Vec::new()
        } else {
            serde_json::from_str(log_json).map_err(js_err)?
        };
        editor.replay(&log);
        let done = crate::occurrences::label_text(&mut editor, text, label).map_err(js_err)?;
        let record = Annotations {
            spans: editor.doc.spans,
            history: editor.history,
        };
        Ok(json!({"count": done.count, "record": record}).to_string())
    }
}

/// The strings a project labels inconsistently: `documents_json` is a JSON
/// array of `{"id","text","spans"}`; with `unlabeled`, also strings labeled
/// somewhere and left unlabeled elsewhere. JSON `[{"text", "labels":
/// [{"label","count"}], "unlabeled", "places": [{"doc","start","end",
/// "label"}]}]`, code points.
#[wasm_bindgen]
pub fn inconsistencies(documents_json: &str, unlabeled: bool) -> Result<String, JsError> {
    let docs: Vec<Document> = serde_json::from_str(documents_json).map_err(js_err)?;
    serde_json::to_string(&crate::occurrences::inconsistencies(&docs, unlabeled)).map_err(js_err)
}
