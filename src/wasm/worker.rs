//! Pre-annotation in a worker (`session::worker`), and for the benchmark.

use super::convert::{self, session_err};
use crate::recognize::Recognizer;
use crate::session::worker::{self, Preannotator};
use wasm_bindgen::prelude::*;

thread_local! {
    /// A worker's pre-annotator, set per job.
    static WORKER: std::cell::RefCell<Option<Preannotator>> = const { std::cell::RefCell::new(None) };
}

/// Sets what `preannotateIn` uses: a learned model file (empty: shipped),
/// the project's labels (JSON names or label objects) and rules (JSONL).
#[wasm_bindgen(js_name = setPreannotateModel)]
pub fn set_preannotate_model(
    model: &[u8],
    labels_json: &str,
    rules_jsonl: &str,
) -> Result<(), JsError> {
    let labels = worker::label_names(labels_json).map_err(session_err)?;
    let p = Preannotator::new(model, labels, rules_jsonl).map_err(session_err)?;
    WORKER.with(|w| *w.borrow_mut() = Some(p));
    Ok(())
}

/// The suggestions table of a text (see `session::tables::suggestions`).
#[wasm_bindgen(js_name = preannotateIn)]
pub fn preannotate_in(text: &str) -> Result<Vec<u32>, JsError> {
    WORKER.with(|w| match w.borrow().as_ref() {
        Some(p) => Ok(p.table(text)),
        None => Err(JsError::new("setPreannotateModel was not called")),
    })
}

/// A never-opened document's record from its whole text's table.
#[wasm_bindgen(js_name = suggestedRecord)]
pub fn suggested_record(
    doc_id: &str,
    table: &[u32],
    labels: JsValue,
    rules: String,
) -> Result<JsValue, JsError> {
    let labels = convert::strings(labels)?;
    // The model of the worker's job (set by setPreannotateModel).
    let learned = WORKER.with(|w| w.borrow().as_ref().map_or(0, |p| p.learned_docs()));
    Ok(convert::record_to_js(&worker::suggested_record(
        doc_id, table, &labels, rules, learned,
    )))
}

/// Where a long text is cut for pre-annotation in parts.
#[wasm_bindgen(js_name = pieceStarts)]
pub fn piece_starts(text: &str, target: u32) -> Vec<u32> {
    crate::session::tables::pieces(text, target as usize)
}

/// The labels `preannotate` may report, in the order its label codes index.
#[wasm_bindgen(js_name = preannotateLabels)]
pub fn preannotate_labels() -> Vec<String> {
    crate::labels::DEFAULT_LABELS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The standard recognizer's suggestions table of a text (the benchmark's).
#[wasm_bindgen]
pub fn preannotate(text: &str) -> Vec<u32> {
    thread_local! {
        static RECOGNIZER: Recognizer = Recognizer::standard();
    }
    RECOGNIZER.with(|r| worker::standard_table(r, text))
}
