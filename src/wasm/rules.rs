//! The page's binding for a person's rules (`recognize::rules`): converts
//! only. The rules cross as spaCy EntityRuler JSONL (what the page stores and
//! the contract's `rules()` returns) or as the panel's per-label lists.

use super::{js_err, Annotator};
use crate::recognize::rules::{apply_rule_matches, LabelRules, Rules};
use crate::recognize::Recognizer;
use serde_json::json;
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
}
