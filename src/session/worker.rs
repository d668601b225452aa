//! Pre-annotation in a worker (a long text, or every never-opened document
//! of a project): the same suggestions the session would make, with the
//! project's learned model, labels and rules, sent back as a flat table.

use super::{learning, record::Record, tables, Error, Result};
use crate::doc::Span;
use crate::labels::Label;
use crate::recognize::learn::{self, Learner, Shared};
use crate::recognize::rules::Rules;
use crate::recognize::Recognizer;
use crate::text_index::TextIndex;

pub struct Preannotator {
    learner: Shared,
    recognizer: Recognizer,
    labels: Vec<String>,
}

/// The project's label names, from a JSON array of names or of the label
/// set's `{"name", ...}` objects.
pub fn label_names(json: &str) -> Result<Vec<String>> {
    if let Ok(names) = serde_json::from_str::<Vec<String>>(json) {
        return Ok(names);
    }
    let labels: Vec<Label> = serde_json::from_str(json)?;
    Ok(labels.into_iter().map(|l| l.name).collect())
}

impl Preannotator {
    /// A learned model file (empty: the shipped model), the project's label
    /// names and its rules (spaCy EntityRuler JSONL, may be empty). Bad
    /// input is an error naming what is wrong.
    pub fn new(model: &[u8], labels: Vec<String>, rules_jsonl: &str) -> Result<Preannotator> {
        let (learner, recognizer) = learning::standard();
        let recognizer = Rules::from_jsonl(rules_jsonl)?.rules.install(recognizer);
        if !model.is_empty() {
            let shipped = learner
                .read()
                .map_err(|_| Error("the learned model is unavailable".into()))?
                .shipped();
            let l = Learner::from_bytes(shipped, model)?;
            *learner
                .write()
                .map_err(|_| Error("the learned model is unavailable".into()))? = l;
        }
        Ok(Preannotator {
            learner,
            recognizer,
            labels,
        })
    }

    /// The suggestions for a text.
    pub fn suggest(&self, text: &str) -> Vec<Span> {
        learn::project_suggestions(
            &self.recognizer,
            &self.learner,
            self.labels.iter().map(String::as_str),
            text,
            &TextIndex::new(text),
        )
    }

    /// How many documents its model had learned from (0: as shipped).
    pub fn learned_docs(&self) -> u32 {
        self.learner.read().map_or(0, |l| l.docs())
    }

    /// The suggestions for a text as a [`tables::suggestions`] table, label
    /// codes indexing the labels it was given.
    pub fn table(&self, text: &str) -> Vec<u32> {
        tables::suggestions(&self.suggest(text), &self.labels)
    }
}

/// The record of a never-opened document from a worker's table of its
/// whole text: its suggestions, nothing of a person's yet.
///
/// `learned_docs`: how many documents the worker's model had learned from.
pub fn suggested_record(
    doc_id: &str,
    table: &[u32],
    labels: &[String],
    rules: String,
    learned_docs: u32,
) -> Record {
    let mut spans = tables::decode_suggestions(table, labels);
    spans.sort_by(Span::order);
    Record::new(doc_id, &spans, Default::default(), true, rules).suggested_by(Some(learned_docs))
}

/// Pre-annotates a text with the standard recognizer and the default
/// labels (for the benchmark's peer comparison): a suggestions table over
/// [`crate::labels::DEFAULT_LABELS`].
pub fn standard_table(recognizer: &Recognizer, text: &str) -> Vec<u32> {
    let map = crate::text::OffsetMap::new(text);
    let labels: Vec<String> = crate::labels::DEFAULT_LABELS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let spans: Vec<Span> = recognizer
        .recognize(text)
        .into_iter()
        .filter_map(|c| {
            let (a, b) = (map.byte_to_char(c.start)?, map.byte_to_char(c.end)?);
            let mut s = Span::new(a, b, c.label.to_string()).with_source(c.source);
            s.score = Some(f64::from(c.score));
            Some(s)
        })
        .collect();
    tables::suggestions(&spans, &labels)
}
