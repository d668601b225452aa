//! The person's rules in the session (`recognize::rules`): installed in the
//! recognizer, applied at once to the open document, fingerprinted in each
//! record so that a document saved under other rules is brought up to date
//! when it opens.

use super::{Result, Session};
use crate::recognize::rules::{apply_rule_matches, LabelRules, Rules};
use crate::recognize::Recognizer;
use serde::Serialize;

/// What replacing the rules did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RulesSet {
    pub rules: usize,
    pub labels: Vec<String>,
    /// Patterns read but not used: `(line, reason)`.
    pub skipped: Vec<Skipped>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skipped {
    pub line: usize,
    pub reason: String,
}

impl Session {
    /// Replaces the rules with spaCy EntityRuler patterns (JSONL) and applies
    /// them to the open document at once (the person's spans untouched). A
    /// broken line is an error naming it, and nothing changes.
    pub fn set_rules(&mut self, jsonl: &str) -> Result<RulesSet> {
        let imported = Rules::from_jsonl(jsonl)?;
        let out = RulesSet {
            rules: imported.rules.len(),
            labels: imported.rules.labels(),
            skipped: imported
                .skipped
                .iter()
                .map(|(line, reason)| Skipped {
                    line: *line,
                    reason: reason.clone(),
                })
                .collect(),
        };
        self.use_rules(imported.rules);
        Ok(out)
    }

    fn use_rules(&mut self, rules: Rules) {
        let recognizer = std::mem::replace(&mut self.recognizer, Recognizer::new(Vec::new()));
        self.recognizer = rules.install(recognizer);
        for l in rules.labels() {
            self.labels.ensure(&l);
        }
        if let Some(o) = self.open.as_mut() {
            o.counts.get_mut().take(); // its suggestions change
            let map = o.index.map();
            let old = self.rules.spans(&o.editor.doc.text, map);
            let new = rules.spans(&o.editor.doc.text, map);
            apply_rule_matches(&mut o.editor, &old, new);
            o.view.touch_all();
        }
        self.rules = rules;
    }

    /// The rules as spaCy EntityRuler patterns (JSONL).
    pub fn rules_jsonl(&self) -> String {
        self.rules.to_jsonl()
    }

    /// A fingerprint of the rules in use (empty when none).
    pub fn rules_version(&self) -> String {
        self.rules.version()
    }

    /// Adds the current rules' suggestions to the open document (one saved
    /// before the rules changed), around the person's spans; whether
    /// anything changed.
    pub fn apply_rules(&mut self) -> Result<bool> {
        let o = self
            .open
            .as_mut()
            .ok_or_else(|| super::Error("no document is open".into()))?;
        o.counts.get_mut().take(); // its suggestions change
        let new = self.rules.spans(&o.editor.doc.text, o.index.map());
        let had = o.editor.doc.spans.clone();
        apply_rule_matches(&mut o.editor, &[], new);
        let changed = o.editor.doc.spans != had;
        if changed {
            o.view.touch_all();
        }
        Ok(changed)
    }

    /// The rules as the panel shows them, per label.
    pub fn rules_groups(&self) -> Vec<LabelRules> {
        self.rules.groups()
    }

    /// The panel's lists as JSONL for [`Session::set_rules`], keeping the
    /// ids of rules already there. An invalid regex is an error naming its
    /// label and pattern.
    pub fn rules_from_groups(&self, groups: &[LabelRules]) -> Result<String> {
        Ok(Rules::from_groups(groups, &self.rules)?.to_jsonl())
    }
}
