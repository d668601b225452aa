//! What the page stores after an edit, without copying what it already
//! holds: the text of a long document is megabytes, and the page has it.

use super::{js_err, Annotations, Annotator};
use crate::edit::History;
use crate::snapshot::{self, Packed};
use wasm_bindgen::prelude::*;

/// The open document's spans packed for storage (see [`crate::snapshot`]):
/// typed arrays, which IndexedDB copies, and two small JSON strings.
#[wasm_bindgen]
pub struct PackedSpans(Packed);

#[wasm_bindgen]
impl PackedSpans {
    /// Start, end, label index, source code: four numbers a span.
    #[wasm_bindgen(getter)]
    pub fn table(&self) -> Vec<u32> {
        self.0.table.clone()
    }

    /// A score a span; NaN where it has none.
    #[wasm_bindgen(getter)]
    pub fn scores(&self) -> Vec<f64> {
        self.0.scores.clone()
    }

    /// The names the label indices stand for, as a JSON array.
    #[wasm_bindgen(getter)]
    pub fn labels(&self) -> String {
        serde_json::to_string(&self.0.labels).unwrap_or_default()
    }

    /// `[[row, id], ...]` for the spans that carry an id, as JSON.
    #[wasm_bindgen(getter)]
    pub fn ids(&self) -> String {
        serde_json::to_string(&self.0.ids).unwrap_or_default()
    }
}

/// A packed snapshot read back from storage, checked.
pub(super) fn unpacked(
    table: Vec<u32>,
    scores: Vec<f64>,
    labels_json: &str,
    ids_json: &str,
    history_json: &str,
) -> Result<Annotations, JsError> {
    let packed = Packed {
        table,
        scores,
        labels: serde_json::from_str(labels_json).map_err(js_err)?,
        ids: serde_json::from_str(ids_json).map_err(js_err)?,
    };
    let spans =
        snapshot::unpack(&packed).map_err(|e| JsError::new(&format!("stored spans: {e}")))?;
    let history: History = serde_json::from_str(history_json).map_err(js_err)?;
    Ok(Annotations { spans, history })
}

/// A never-opened document's snapshot, packed, from a worker's
/// `preannotateIn` table of its whole text (label codes index
/// `labels_json`): its suggestions, nothing of a person's yet.
#[wasm_bindgen(js_name = packedSuggestions)]
pub fn packed_suggestions(table: &[u32], labels_json: &str) -> Result<PackedSpans, JsError> {
    let mut spans = super::learn::suggestion_spans(table, labels_json)?;
    spans.sort_by(crate::doc::Span::order);
    Ok(PackedSpans(snapshot::pack(&spans)))
}

/// The history of a document nobody has edited, as `historyJson` writes it.
#[wasm_bindgen(js_name = emptyHistoryJson)]
pub fn empty_history_json() -> String {
    serde_json::to_string(&History::default()).unwrap_or_default()
}

/// A packed snapshot as the `{"spans","history"}` JSON the other entry
/// points take (for exports and project-wide changes, not the open path).
#[wasm_bindgen(js_name = unpackedAnnotationsJson)]
pub fn unpacked_annotations_json(
    table: Vec<u32>,
    scores: Vec<f64>,
    labels_json: &str,
    ids_json: &str,
    history_json: &str,
) -> Result<String, JsError> {
    let a = unpacked(table, scores, labels_json, ids_json, history_json)?;
    serde_json::to_string(&a).map_err(js_err)
}

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

    /// The open document's undo history, as JSON.
    #[wasm_bindgen(js_name = historyJson)]
    pub fn history_json(&self) -> Result<String, JsError> {
        serde_json::to_string(&self.editor()?.history).map_err(js_err)
    }

    /// The open document's spans packed for storage.
    #[wasm_bindgen(js_name = packedSpans)]
    pub fn packed_spans(&self) -> Result<PackedSpans, JsError> {
        Ok(PackedSpans(snapshot::pack(&self.editor()?.doc.spans)))
    }

    /// Opens a stored document (`{"id","text","meta","status"}`) with a
    /// packed snapshot of its spans (`packedSpans`) and its history JSON.
    #[wasm_bindgen(js_name = openPacked)]
    pub fn open_packed(
        &mut self,
        doc_json: &str,
        table: Vec<u32>,
        scores: Vec<f64>,
        labels_json: &str,
        ids_json: &str,
        history_json: &str,
    ) -> Result<(), JsError> {
        let a = unpacked(table, scores, labels_json, ids_json, history_json)?;
        let editor = self.editor_from(doc_json, a)?;
        self.set_editor(editor);
        Ok(())
    }
}
