//! What a document holds besides flat spans: span ids, relations between
//! two spans, the labels a relation or a whole document may take, and the
//! checks a document must pass before it is kept (ids unique, relations
//! between spans that exist, spans sitting on each other only as the
//! project's overlap setting allows).
//!
//! Ids are short and stable within one document: `T<n>` for spans and
//! `R<n>` for relations, numbered from one counter each (the largest number
//! in use plus one, so an id is never handed out twice while a span or a
//! step of the history still holds it). An id a file brings is kept when no
//! other span of its document has it.

use crate::doc::{Document, Span};
use crate::edit::Overlap;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A labelled link between two spans of one document, by their ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub id: String,
    pub from: String,
    pub to: String,
    pub label: String,
}

/// A label relations take: its name, colour, key and whether it points one
/// way (`directed`: from → to) or is symmetric ("sibling of").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationLabel {
    pub name: String,
    pub color: String,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default = "directed")]
    pub directed: bool,
}

fn directed() -> bool {
    true
}

/// The labels a whole document may take: single choice (at most one per
/// document) unless `multi`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DocLabels {
    pub names: Vec<String>,
    #[serde(default)]
    pub multi: bool,
}

/// Colours cycled for new relation labels (darker than the span palette:
/// arcs are thin lines over light highlights).
const ARC_COLOURS: [&str; 6] = [
    "#1f6fb2", "#b2411f", "#2e8540", "#7a3fb0", "#8a6d00", "#b0306a",
];

/// The relation labels of a project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RelationLabels(pub Vec<RelationLabel>);

impl RelationLabels {
    pub fn get(&self, name: &str) -> Option<&RelationLabel> {
        self.0.iter().find(|l| l.name == name)
    }

    /// Adds `name` (directed, the next colour, no key) if missing; whether
    /// it was added.
    pub fn ensure(&mut self, name: &str) -> bool {
        if self.get(name).is_some() {
            return false;
        }
        let color = ARC_COLOURS[self.0.len() % ARC_COLOURS.len()].to_string();
        self.0.push(RelationLabel {
            name: name.to_string(),
            color,
            key: None,
            directed: true,
        });
        true
    }

    pub fn rename(&mut self, from: &str, to: &str) {
        for l in self.0.iter_mut().filter(|l| l.name == from) {
            l.name = to.to_string();
        }
    }

    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|l| l.name != name);
        self.0.len() != before
    }

    fn position(&self, name: &str) -> Result<usize, String> {
        self.0
            .iter()
            .position(|l| l.name == name)
            .ok_or_else(|| format!("no relation label {name:?}"))
    }

    /// Renames `from` to `to` (trimmed), refusing a name another relation
    /// label has; the new name.
    pub fn rename_checked(&mut self, from: &str, to: &str) -> Result<String, String> {
        let to = to.trim();
        crate::labels::check_name(to)?;
        let i = self.position(from)?;
        if from != to && self.get(to).is_some() {
            return Err(format!("there is already a relation label {to:?}"));
        }
        self.0[i].name = to.to_string();
        Ok(to.to_string())
    }

    pub fn set_color(&mut self, name: &str, color: &str) -> Result<(), String> {
        crate::labels::check_color(color)?;
        let i = self.position(name)?;
        self.0[i].color = color.to_ascii_lowercase();
        Ok(())
    }

    /// Gives `name` the key that finishes a relation with it (`None`
    /// clears it), taking it from the relation label that had it, whose
    /// name is returned. Keys are checked as span labels' keys are.
    pub fn set_key(&mut self, name: &str, key: Option<&str>) -> Result<Option<String>, String> {
        if let Some(k) = key {
            crate::labels::check_key(name, k)?;
        }
        let i = self.position(name)?;
        let mut taken_from = None;
        for (j, l) in self.0.iter_mut().enumerate() {
            if j != i && key.is_some() && l.key.as_deref() == key {
                l.key = None;
                taken_from = Some(l.name.clone());
            }
        }
        self.0[i].key = key.map(str::to_string);
        Ok(taken_from)
    }

    pub fn set_directed(&mut self, name: &str, directed: bool) -> Result<(), String> {
        let i = self.position(name)?;
        self.0[i].directed = directed;
        Ok(())
    }
}

impl DocLabels {
    /// Renames `from` to `to` (trimmed), refusing a name the set has; the
    /// new name.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<String, String> {
        let to = to.trim();
        crate::labels::check_name(to)?;
        let Some(i) = self.names.iter().position(|n| n == from) else {
            return Err(format!("no document label {from:?}"));
        };
        if from != to && self.names.iter().any(|n| n == to) {
            return Err(format!("there is already a document label {to:?}"));
        }
        self.names[i] = to.to_string();
        Ok(to.to_string())
    }

    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.names.len();
        self.names.retain(|n| n != name);
        self.names.len() != before
    }
}

/// The number of an id of the form `<prefix><n>` (`T12`: 12).
pub fn number(prefix: char, id: &str) -> Option<u64> {
    let rest = id.strip_prefix(prefix)?;
    if rest.is_empty() || rest.starts_with('0') || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

/// A span's name in messages: its id, else its offsets and label.
pub fn span_name(s: &Span) -> String {
    match &s.id {
        Some(id) => format!("{id} ({}..{} {})", s.start, s.end, s.label),
        None => format!("{}..{} {}", s.start, s.end, s.label),
    }
}

impl Document {
    /// Gives every span an id and makes span and relation ids unique: an id
    /// the document brings is kept when no earlier span (relation) has it,
    /// a repeated one is numbered afresh, which the returned warnings say,
    /// naming both. Relations keep pointing at the first span of a repeated
    /// id.
    pub fn number_ids(&mut self) -> Vec<String> {
        let mut warnings = Vec::new();
        let mut next = next_number('T', self.spans.iter().filter_map(|s| s.id.as_deref()));
        let mut seen: HashMap<String, usize> = HashMap::new();
        for i in 0..self.spans.len() {
            let mut fresh = || {
                next += 1;
                format!("T{}", next - 1)
            };
            match self.spans[i].id.clone() {
                None => self.spans[i].id = Some(fresh()),
                Some(id) => {
                    if let Some(&first) = seen.get(&id) {
                        let new = fresh();
                        warnings.push(format!(
                            "document {:?}: spans {} and {} have one id; the second is now {new}",
                            self.id,
                            span_name(&self.spans[first]),
                            span_name(&self.spans[i]),
                        ));
                        self.spans[i].id = Some(new);
                    } else {
                        seen.insert(id, i);
                    }
                }
            }
        }
        let mut next = next_number('R', self.relations.iter().map(|r| r.id.as_str()));
        let mut seen = HashSet::new();
        for r in &mut self.relations {
            if r.id.is_empty() || !seen.insert(r.id.clone()) {
                let new = format!("R{next}");
                next += 1;
                if !r.id.is_empty() {
                    warnings.push(format!(
                        "document {:?}: two relations have the id {:?}; the second ({} → {} {}) is now {new}",
                        self.id, r.id, r.from, r.to, r.label
                    ));
                }
                r.id = new.clone();
                seen.insert(new);
            }
        }
        warnings
    }

    /// Checks the spans and relations hang together: span ids unique,
    /// relation ids unique, every relation between two spans there with a
    /// label. The error names the document and the span or relation.
    /// Gives every span whose id is not of the form `T<n>` (a Label Studio
    /// region's, `e1`) the next free `T<n>`, its relations following: the
    /// page draws and names spans by that number. Call after
    /// [`Document::number_ids`].
    pub fn renumber_foreign_ids(&mut self) {
        let mut next = next_number('T', self.spans.iter().filter_map(|s| s.id.as_deref()));
        let mut renamed: HashMap<String, String> = HashMap::new();
        for s in &mut self.spans {
            if let Some(id) = &s.id {
                if number('T', id).is_none() {
                    let new = format!("T{next}");
                    next += 1;
                    renamed.insert(id.clone(), new.clone());
                    s.id = Some(new);
                }
            }
        }
        if renamed.is_empty() {
            return;
        }
        for r in &mut self.relations {
            for end in [&mut r.from, &mut r.to] {
                if let Some(new) = renamed.get(end.as_str()) {
                    *end = new.clone();
                }
            }
        }
    }

    pub fn check_links(&self) -> Result<(), String> {
        let doc = &self.id;
        let mut ids = HashSet::new();
        for s in &self.spans {
            if let Some(id) = &s.id {
                if !ids.insert(id.as_str()) {
                    return Err(format!("document {doc:?}: two spans have the id {id:?}"));
                }
            }
        }
        let mut rel_ids = HashSet::new();
        for r in &self.relations {
            if r.id.is_empty() || !rel_ids.insert(r.id.as_str()) {
                return Err(format!(
                    "document {doc:?}: two relations have the id {:?}",
                    r.id
                ));
            }
            if r.label.is_empty() {
                return Err(format!("document {doc:?}: relation {} has no label", r.id));
            }
            for end in [&r.from, &r.to] {
                if !ids.contains(end.as_str()) {
                    return Err(format!(
                        "document {doc:?}: relation {} ({}) points to span {end:?}, which is not there",
                        r.id, r.label
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks the spans sit on each other only as `overlap` allows, naming
    /// the document and the first two that do not.
    pub fn check_overlap(&self, overlap: Overlap) -> Result<(), String> {
        let doc = &self.id;
        match overlap_breach(&self.spans, overlap) {
            Some((a, b)) => Err(format!(
                "document {doc:?}: spans {} and {} {}",
                span_name(a),
                span_name(b),
                match overlap {
                    Overlap::Forbid => "overlap (the project allows no overlap)",
                    Overlap::Nest => "cross or repeat each other (the project allows nesting only)",
                    Overlap::Allow => "overlap with the same label",
                }
            )),
            None => Ok(()),
        }
    }
}

/// One more than the largest `<prefix><n>` among `ids` (1 when none).
/// The strictest overlap setting under which every document's spans stand:
/// what a file that does not declare one needs (a brat or doccano project
/// with nested entities opens as `nested`, one with crossing spans as `any`).
pub fn overlap_needed(docs: &[Document]) -> Overlap {
    let breaks = |mode| {
        docs.iter()
            .any(|d| overlap_breach(&d.spans, mode).is_some())
    };
    if !breaks(Overlap::Forbid) {
        Overlap::Forbid
    } else if !breaks(Overlap::Nest) {
        Overlap::Nest
    } else {
        Overlap::Allow
    }
}

pub fn next_number<'a>(prefix: char, ids: impl Iterator<Item = &'a str>) -> u64 {
    ids.filter_map(|id| number(prefix, id)).max().unwrap_or(0) + 1
}

/// The first pair of spans that may not stand together under `overlap`.
pub fn overlap_breach(spans: &[Span], overlap: Overlap) -> Option<(&Span, &Span)> {
    let mut sorted: Vec<&Span> = spans.iter().collect();
    sorted.sort_by(|a, b| Span::order(a, b));
    match overlap {
        Overlap::Forbid | Overlap::Allow => {
            // Per group (everything, or one label), the span reaching
            // furthest so far: the next one starting before its end meets it.
            let mut furthest: HashMap<&str, &Span> = HashMap::new();
            for s in sorted {
                let key = if overlap == Overlap::Forbid {
                    ""
                } else {
                    &s.label
                };
                if let Some(f) = furthest.get(key) {
                    if f.end > s.start {
                        return Some((f, s));
                    }
                }
                if furthest.get(key).is_none_or(|f| s.end > f.end) {
                    furthest.insert(key, s);
                }
            }
            None
        }
        Overlap::Nest => {
            // Parents come before their children: the spans still open at a
            // start form a chain, each inside the one below it; a span that
            // ends past the innermost open one without starting with it
            // crosses it.
            let mut open: Vec<&Span> = Vec::new();
            let mut last: Option<&Span> = None;
            for s in sorted {
                if let Some(l) = last {
                    if (l.start, l.end, &l.label) == (s.start, s.end, &s.label) {
                        return Some((l, s));
                    }
                }
                while open.last().is_some_and(|o| o.end <= s.start) {
                    open.pop();
                }
                if let Some(o) = open.last() {
                    if s.end > o.end {
                        return Some((o, s));
                    }
                }
                open.push(s);
                last = Some(s);
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(spans: &[(usize, usize, &str)]) -> Document {
        let mut d = Document::new("d1", "x".repeat(40));
        d.spans = spans.iter().map(|&(s, e, l)| Span::new(s, e, l)).collect();
        d
    }

    #[test]
    fn every_span_gets_an_id_and_a_repeated_one_is_renumbered_with_a_warning() {
        let mut d = doc(&[(0, 3, "PER"), (4, 9, "ORG"), (10, 12, "LOC"), (13, 15, "X")]);
        d.spans[0].id = Some("T7".into());
        d.spans[1].id = Some("T7".into());
        d.spans[3].id = Some("e1".into());
        let w = d.number_ids();
        let ids: Vec<&str> = d.spans.iter().map(|s| s.id.as_deref().unwrap()).collect();
        assert_eq!(ids, ["T7", "T8", "T9", "e1"]);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("T7 (0..3 PER)") && w[0].contains("4..9 ORG") && w[0].contains("T8"),
            "{}",
            w[0]
        );
        assert!(d.number_ids().is_empty(), "numbered once");
    }

    #[test]
    fn a_file_without_a_setting_opens_under_the_strictest_its_spans_allow() {
        let flat = doc(&[(0, 3, "PER"), (4, 9, "ORG")]);
        let nested = doc(&[(0, 9, "ORG"), (4, 9, "LOC")]);
        let crossing = doc(&[(0, 6, "ORG"), (4, 9, "LOC")]);
        assert_eq!(overlap_needed(std::slice::from_ref(&flat)), Overlap::Forbid);
        assert_eq!(
            overlap_needed(&[flat.clone(), nested.clone()]),
            Overlap::Nest
        );
        assert_eq!(overlap_needed(&[nested, crossing, flat]), Overlap::Allow);
    }

    #[test]
    fn foreign_span_ids_become_numbers_and_relations_follow() {
        let mut d = doc(&[(0, 3, "PER"), (4, 9, "ORG"), (10, 12, "LOC")]);
        d.spans[0].id = Some("region-a".into());
        d.spans[1].id = Some("T4".into());
        d.spans[2].id = Some("x".into());
        d.relations.push(Relation {
            id: "R1".into(),
            from: "region-a".into(),
            to: "x".into(),
            label: "near".into(),
        });
        d.renumber_foreign_ids();
        let ids: Vec<&str> = d.spans.iter().map(|s| s.id.as_deref().unwrap()).collect();
        assert_eq!(ids, ["T5", "T4", "T6"]);
        assert_eq!(
            (d.relations[0].from.as_str(), d.relations[0].to.as_str()),
            ("T5", "T6")
        );
        assert!(d.check_links().is_ok());
    }

    #[test]
    fn a_relation_to_a_missing_span_is_refused_naming_it() {
        let mut d = doc(&[(0, 3, "PER"), (4, 9, "ORG")]);
        d.number_ids();
        d.relations.push(Relation {
            id: "R1".into(),
            from: "T1".into(),
            to: "T2".into(),
            label: "works_for".into(),
        });
        assert!(d.check_links().is_ok());
        d.relations[0].to = "T9".into();
        let e = d.check_links().unwrap_err();
        assert!(
            e.contains("\"d1\"") && e.contains("R1") && e.contains("\"T9\""),
            "{e}"
        );
    }

    #[test]
    fn nesting_allows_containment_and_same_offsets_with_other_labels_only() {
        let mut d = doc(&[
            (0, 20, "ORG"),
            (8, 20, "LOC"),
            (8, 20, "GPE"),
            (10, 12, "X"),
        ]);
        d.number_ids();
        assert!(d.check_overlap(Overlap::Nest).is_ok());
        assert!(d.check_overlap(Overlap::Forbid).is_err());
        assert!(d.check_overlap(Overlap::Allow).is_ok());
        let mut crossing = doc(&[(0, 10, "ORG"), (5, 15, "LOC")]);
        crossing.number_ids();
        let e = crossing.check_overlap(Overlap::Nest).unwrap_err();
        assert!(
            e.contains("T1 (0..10 ORG)") && e.contains("T2 (5..15 LOC)"),
            "{e}"
        );
        assert!(crossing.check_overlap(Overlap::Allow).is_ok());
        let mut twice = doc(&[(0, 10, "ORG"), (0, 10, "ORG")]);
        twice.number_ids();
        assert!(twice.check_overlap(Overlap::Nest).is_err());
        assert!(twice.check_overlap(Overlap::Allow).is_err());
    }

    #[test]
    fn ids_number_only_their_own_form() {
        assert_eq!(number('T', "T12"), Some(12));
        assert_eq!(number('T', "T012"), None);
        assert_eq!(number('T', "R3"), None);
        assert_eq!(number('T', "T"), None);
        assert_eq!(next_number('R', ["R2", "x", "R10"].into_iter()), 11);
    }
}
