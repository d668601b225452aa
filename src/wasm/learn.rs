//! The page's online learning (`recognize::learn`): learning from a document
//! marked done, the learned model as bytes for IndexedDB and for export and
//! import, and pre-annotation with it in a worker. Converts only.

use super::{js_err, source_code, Annotator};
use crate::doc::{Source, Span, Status};
use crate::labels::Label;
use crate::model::Model;
use crate::recognize::learn::{self, Learner, Shared};
use crate::recognize::Recognizer;
use std::sync::{Arc, RwLock};
use wasm_bindgen::prelude::*;

/// A fresh learner on the shipped model, and the pipeline that uses it.
pub(super) fn standard() -> (Shared, Recognizer) {
    let shared: Shared = Arc::new(RwLock::new(Learner::new(Arc::new(Model::shipped()))));
    let rec = learn::recognizer(&shared);
    (shared, rec)
}

impl Annotator {
    /// Suggestions for a text: the pipeline's, in the project's labels only.
    pub(super) fn suggest(&self, text: &str) -> Vec<Span> {
        learn::project_suggestions(
            &self.recognizer,
            &self.learner,
            self.labels.iter().map(|l| l.name.as_str()),
            text,
        )
    }

    fn with_learner<T>(&self, f: impl FnOnce(&mut Learner) -> T) -> Result<T, JsError> {
        let mut l = self
            .learner
            .write()
            .map_err(|_| JsError::new("the learned model is unavailable"))?;
        Ok(f(&mut l))
    }

    /// Follows a label rename in the learned model.
    pub(super) fn learner_rename(&mut self, from: &str, to: &str) {
        let _ = self.with_learner(|l| l.rename(from, to));
    }
}

#[wasm_bindgen]
impl Annotator {
    /// Learns from the open document as it is now: every span counts as
    /// right (a suggestion left in place was accepted). Returns the number
    /// of documents learned from.
    #[wasm_bindgen(js_name = learnFromDocument)]
    pub fn learn_from_document(&mut self) -> Result<u32, JsError> {
        let e = self.editor()?;
        let text = e.doc.text.clone();
        let spans: Vec<(usize, usize, String)> = e
            .doc
            .spans
            .iter()
            .map(|s| (s.start, s.end, s.label.clone()))
            .collect();
        let refs: Vec<(usize, usize, &str)> =
            spans.iter().map(|(a, b, l)| (*a, *b, l.as_str())).collect();
        self.with_learner(|l| {
            l.learn_text(&text, &refs);
            l.docs()
        })
    }

    /// How many documents the model has learned from.
    #[wasm_bindgen(js_name = learnedDocs)]
    pub fn learned_docs(&self) -> u32 {
        self.learner.read().map_or(0, |l| l.docs())
    }

    /// The learned model as a file (see `Learner::to_bytes`).
    #[wasm_bindgen(js_name = learnedModel)]
    pub fn learned_model(&self) -> Result<Vec<u8>, JsError> {
        self.with_learner(|l| l.to_bytes())
    }

    /// Replaces the learned model with one read from a file; on a bad file
    /// nothing changes and the error names what is wrong. Returns the number
    /// of documents it has learned from.
    #[wasm_bindgen(js_name = loadLearnedModel)]
    pub fn load_learned_model(&mut self, bytes: &[u8]) -> Result<u32, JsError> {
        let shipped = self.with_learner(|l| l.shipped())?;
        let new = Learner::from_bytes(shipped, bytes).map_err(js_err)?;
        self.with_learner(|l| {
            *l = new;
            l.docs()
        })
    }

    /// Back to the shipped model.
    #[wasm_bindgen(js_name = resetLearnedModel)]
    pub fn reset_learned_model(&mut self) -> Result<(), JsError> {
        self.with_learner(|l| l.reset())
    }

    /// Suggests the open document afresh when the person has not touched it
    /// (no span of theirs, no history, not done), so that what was learned
    /// since it was first opened shows. Returns whether anything changed.
    #[wasm_bindgen(js_name = resuggestUntouched)]
    pub fn resuggest_untouched(&mut self) -> Result<bool, JsError> {
        let e = self.editor()?;
        if e.can_undo()
            || e.can_redo()
            || e.doc.status == Status::Done
            || e.doc.spans.iter().any(|s| s.source == Source::User)
        {
            return Ok(false);
        }
        let text = e.doc.text.clone();
        let fresh = self.suggest(&text);
        let e = self.editor_mut()?;
        let before = e.doc.spans.clone();
        e.set_suggestions(fresh);
        let changed = e.doc.spans != before;
        if changed {
            self.dirty = super::blocks::Dirty::All;
        }
        Ok(changed)
    }

    /// Adds a slice of a `preannotateIn` table (five numbers a suggestion,
    /// in text order) to the open document's suggestions; `first` replaces
    /// the suggestions there before. Label codes index `labels_json` (a JSON
    /// array of names, as `setPreannotateModel` was given). Only the blocks
    /// the slice covers are laid out again.
    #[wasm_bindgen(js_name = addSuggestionsTableIn)]
    pub fn add_suggestions_table_in(
        &mut self,
        table: &[u32],
        labels_json: &str,
        first: bool,
    ) -> Result<(), JsError> {
        let spans = suggestion_spans(table, labels_json)?;
        let editor = self.editor_mut()?;
        let dropped = first && editor.clear_suggestions();
        let reach = spans
            .iter()
            .map(|s| s.start)
            .min()
            .zip(spans.iter().map(|s| s.end).max());
        editor.add_suggestions(spans);
        if dropped {
            self.dirty = super::blocks::Dirty::All;
        } else if let Some((lo, hi)) = reach {
            self.touch_chars(lo, hi);
        }
        Ok(())
    }
}

/// The suggestions of a `preannotateIn` table (five numbers a suggestion:
/// start, end, label code, source code, score × 1000), label codes
/// indexing `labels_json` (a JSON array of names). Rows that name no label
/// or no suggestion source are left out.
pub(super) fn suggestion_spans(table: &[u32], labels_json: &str) -> Result<Vec<Span>, JsError> {
    let labels: Vec<String> = serde_json::from_str(labels_json).map_err(js_err)?;
    Ok(table
        .chunks_exact(5)
        .filter_map(|r| {
            let source = match r[3] {
                1 => Source::Model,
                2 => Source::Rule,
                _ => return None,
            };
            Some(Span {
                start: r[0] as usize,
                end: r[1] as usize,
                label: labels.get(r[2] as usize)?.clone(),
                source,
                score: Some(f64::from(r[4]) / 1000.0),
                id: None,
            })
        })
        .collect())
}

thread_local! {
    /// A worker's pipeline and the project's label names, set per job.
    static WORKER: std::cell::RefCell<Option<(Shared, Recognizer, Vec<String>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Sets what `preannotateIn` uses in a worker: a learned model file (empty:
/// the shipped model), the project's labels (JSON: names, or the page's
/// `[{"name",...}]`) and its rules (spaCy EntityRuler JSONL, may be empty).
/// Bad input is an error and changes nothing.
#[wasm_bindgen(js_name = setPreannotateModel)]
pub fn set_preannotate_model(
    model: &[u8],
    labels_json: &str,
    rules_jsonl: &str,
) -> Result<(), JsError> {
    let labels: Vec<String> = match serde_json::from_str::<Vec<String>>(labels_json) {
        Ok(names) => names,
        Err(_) => serde_json::from_str::<Vec<Label>>(labels_json)
            .map_err(js_err)?
            .into_iter()
            .map(|l| l.name)
            .collect(),
    };
    let (shared, rec) = standard();
    let rec = crate::recognize::rules::Rules::from_jsonl(rules_jsonl)
        .map_err(js_err)?
        .rules
        .install(rec);
    if !model.is_empty() {
        let shipped = shared.read().map_err(js_err)?.shipped();
        let l = Learner::from_bytes(shipped, model).map_err(js_err)?;
        *shared.write().map_err(js_err)? = l;
    }
    WORKER.with(|w| *w.borrow_mut() = Some((shared, rec, labels)));
    Ok(())
}

/// `preannotate` with the model and labels of `setPreannotateModel`: five
/// numbers per suggestion, the label code indexing those labels.
#[wasm_bindgen(js_name = preannotateIn)]
pub fn preannotate_in(text: &str) -> Result<Vec<u32>, JsError> {
    WORKER.with(|w| {
        let w = w.borrow();
        let Some((shared, rec, labels)) = w.as_ref() else {
            return Err(JsError::new("setPreannotateModel was not called"));
        };
        let mut out = Vec::new();
        for s in learn::project_suggestions(rec, shared, labels.iter().map(String::as_str), text) {
            let Some(code) = labels.iter().position(|l| *l == s.label) else {
                continue;
            };
            out.extend_from_slice(&[
                s.start as u32,
                s.end as u32,
                code as u32,
                source_code(s.source),
                (s.score.unwrap_or(0.0).clamp(0.0, 1.0) * 1000.0).round() as u32,
            ]);
        }
        Ok(out)
    })
}
