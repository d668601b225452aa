//! The page's binding for a person's rules (`recognize::rules`): converts
//! only. The rules cross as spaCy EntityRuler JSONL (what the page stores and
//! the contract's `rules()` returns) or as the panel's per-label lists.

use super::{js_err, source_code, Annotator};
use crate::doc::{Source, Span};
use crate::recognize::rules::{apply_rule_matches, LabelRules, Rules};
use crate::recognize::Recognizer;
use crate::text::OffsetMap;
use serde_json::json;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

impl Annotator {
    /// Installs `rules` in the recognizer and brings the open document's
    /// suggestions up to date (the person's spans untouched).
    fn use_rules(&mut self, rules: Rules) {
        let recognizer = std::mem::replace(&mut self.recognizer, Recognizer::new(Vec::new()));
        self.recognizer = rules.install(recognizer);
        for l in rules.labels() {
            self.labels.ensure(&l);
        }
        if let Some(e) = self.editor.as_mut() {
            let map = self.selector.map();
            let old = self.rules.spans(&e.doc.text, map);
            let new = rules.spans(&e.doc.text, map);
            apply_rule_matches(e, &old, new);
            self.dirty = super::blocks::Dirty::All;
        }
        self.rules = rules;
    }
}

#[wasm_bindgen]
impl Annotator {
    /// Replaces the rules with spaCy EntityRuler patterns (JSONL) and applies
    /// them to the open document at once. Returns JSON `{"rules": n,
    /// "labels": [...], "skipped": [{"line", "reason"}]}`. A broken line is an
    /// error naming it, and nothing changes.
    #[wasm_bindgen(js_name = setRules)]
    pub fn set_rules(&mut self, jsonl: &str) -> Result<String, JsError> {
        let imported = Rules::from_jsonl(jsonl).map_err(js_err)?;
        let skipped: Vec<_> = imported
            .skipped
            .iter()
            .map(|(line, reason)| json!({"line": line, "reason": reason}))
            .collect();
        let out = json!({
            "rules": imported.rules.len(),
            "labels": imported.rules.labels(),
            "skipped": skipped,
        });
        self.use_rules(imported.rules);
        Ok(out.to_string())
    }

    /// The rules as spaCy EntityRuler patterns (JSONL).
    #[wasm_bindgen(js_name = rulesJsonl)]
    pub fn rules_jsonl(&self) -> String {
        self.rules.to_jsonl()
    }

    /// A fingerprint of the rules in use (empty when none), stored with
    /// each document's annotations.
    #[wasm_bindgen(js_name = rulesVersion)]
    pub fn rules_version(&self) -> String {
        self.rules.version()
    }

    /// Adds the current rules' suggestions to the open document (for one
    /// saved before the rules changed), around the person's spans; whether
    /// anything changed.
    #[wasm_bindgen(js_name = applyRules)]
    pub fn apply_rules(&mut self) -> Result<bool, JsError> {
        let map = self.selector.map();
        let e = self
            .editor
            .as_mut()
            .ok_or_else(|| JsError::new("no document is open"))?;
        let new = self.rules.spans(&e.doc.text, map);
        let had = e.doc.spans.clone();
        apply_rule_matches(e, &[], new);
        let changed = e.doc.spans != had;
        if changed {
            self.dirty = super::blocks::Dirty::All;
        }
        Ok(changed)
    }

    /// The rules as the panel shows them: JSON
    /// `[{"label","phrases","phrasesIgnoreCase","patterns"}]`.
    #[wasm_bindgen(js_name = rulesGroups)]
    pub fn rules_groups(&self) -> String {
        serde_json::to_string(&self.rules.groups()).unwrap_or_else(|_| "[]".into())
    }

    /// The panel's lists (the shape `rulesGroups` gives) as JSONL for
    /// `setRules`, keeping the ids of rules already there. An invalid regex
    /// is an error naming its label and pattern.
    #[wasm_bindgen(js_name = rulesFromGroups)]
    pub fn rules_from_groups(&self, groups_json: &str) -> Result<String, JsError> {
        let groups: Vec<LabelRules> = serde_json::from_str(groups_json).map_err(js_err)?;
        let rules = Rules::from_groups(&groups, &self.rules).map_err(js_err)?;
        Ok(rules.to_jsonl())
    }

    /// `setSuggestionsTable` for a `preannotateWithRules` table, whose label
    /// codes index `labels_json` (a JSON array of names).
    #[wasm_bindgen(js_name = setSuggestionsTableLabeled)]
    pub fn set_suggestions_table_labeled(
        &mut self,
        table: &[u32],
        labels_json: &str,
    ) -> Result<(), JsError> {
        let labels: Vec<String> = serde_json::from_str(labels_json).map_err(js_err)?;
        let spans = table
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
            .collect();
        for l in &labels {
            self.labels.ensure(l);
        }
        self.editor_mut()?.set_suggestions(spans);
        self.dirty = super::blocks::Dirty::All;
        Ok(())
    }
}

thread_local! {
    /// The worker's recognizer with the last rules it was given (rebuilt
    /// only when they change), and the labels its table codes index.
    static WORKER: RefCell<Option<(String, Recognizer, Vec<String>)>> = const { RefCell::new(None) };
}

fn worker_labels(rules: &Rules) -> Vec<String> {
    let mut labels: Vec<String> = crate::labels::DEFAULT_LABELS
        .iter()
        .map(|s| s.to_string())
        .collect();
    for l in rules.labels() {
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    labels
}

/// The labels a `preannotateWithRules` table's codes index: the default
/// labels, then the rules' other labels.
#[wasm_bindgen(js_name = preannotateLabelsWithRules)]
pub fn preannotate_labels_with_rules(rules_jsonl: &str) -> Result<Vec<String>, JsError> {
    let rules = Rules::from_jsonl(rules_jsonl).map_err(js_err)?.rules;
    Ok(worker_labels(&rules))
}

/// `preannotate` with the person's rules (spaCy EntityRuler JSONL) in the
/// pipeline, for the worker; label codes index
/// `preannotateLabelsWithRules(rules_jsonl)`.
#[wasm_bindgen(js_name = preannotateWithRules)]
pub fn preannotate_with_rules(text: &str, rules_jsonl: &str) -> Result<Vec<u32>, JsError> {
    WORKER.with(|w| {
        let mut w = w.borrow_mut();
        if w.as_ref().is_none_or(|(jsonl, _, _)| jsonl != rules_jsonl) {
            let rules = Rules::from_jsonl(rules_jsonl).map_err(js_err)?.rules;
            let labels = worker_labels(&rules);
            *w = Some((
                rules_jsonl.to_string(),
                rules.install(Recognizer::standard()),
                labels,
            ));
        }
        let (_, recognizer, labels) = w.as_ref().expect("set above");
        let map = OffsetMap::new(text);
        let mut out = Vec::new();
        for c in recognizer.recognize(text) {
            let Some(label) = labels.iter().position(|l| *l == c.label) else {
                continue;
            };
            let (Some(a), Some(b)) = (map.byte_to_char(c.start), map.byte_to_char(c.end)) else {
                continue;
            };
            out.extend_from_slice(&[
                a as u32,
                b as u32,
                label as u32,
                source_code(c.source),
                (c.score.clamp(0.0, 1.0) * 1000.0).round() as u32,
            ]);
        }
        Ok(out)
    })
}
