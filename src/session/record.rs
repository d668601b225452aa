//! A document's annotations record, as stored: the one shape everything
//! writes (the page for the open document, imports, project-wide changes,
//! the pre-annotation workers) and everything reads.
//!
//! In storage (IndexedDB) a record is
//! `{docId, table, scores, labels, ids, history, count, preannotated, rules,
//! rev, suggestedBy, extras}`:
//! the spans as packed columns ([`crate::snapshot`]: typed arrays, which the
//! browser copies rather than clones object by object), the names the label
//! column indexes and the span ids as JSON strings, the undo history as a
//! JSON string, the span count (for lists that must not unpack), whether
//! its suggestions are made (false while a worker owes them), the
//! fingerprint of the rules those suggestions have seen, its revision, and
//! which model made its model suggestions (`suggestedBy`: how many
//! documents it had learned from, 0 the shipped model; absent in records
//! from before, and in imports, where nobody knows). The wasm layer
//! moves these fields across; what they mean is decided here.
//!
//! Records written by earlier versions hold `spans` as objects instead of
//! the columns: [`Record::from_objects`] reads them.
//!
//! Tabs share the records (docs/ARCHITECTURE.md, "Other tabs"). A record
//! carries its revision `rev` (0 in records from before), one more at each
//! snapshot; a snapshot is written with what it expects ([`Expect`]): the
//! revision it was built on and the edit-log entries it has applied, the
//! only ones it may drop. Should storage hold another revision, or an entry
//! of the document not among those, the write is refused and the tab
//! reopens the document and makes its change again: a snapshot never drops
//! what it has not applied.

use super::{Error, Result};
use crate::doc::Span;
use crate::edit::{History, LogEntry};
use crate::snapshot::{self, Packed};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub doc_id: String,
    pub spans: Packed,
    pub history: History,
    /// Its suggestions are made; false while a worker still owes them.
    pub preannotated: bool,
    /// The fingerprint of the rules its suggestions have seen ("" none).
    pub rules: String,
    /// Its revision: one more than the snapshot it replaces.
    pub rev: u64,
    /// Which model made its model suggestions: how many documents it had
    /// learned from (0: the shipped model); `None` when not known.
    pub suggested_by: Option<u32>,
    /// What storage must hold for it to be written (`None`: a record
    /// written whatever is there, dropping no log entry).
    pub expect: Option<Expect>,
    /// The document's relations, labels and note (none in records from
    /// before).
    pub extras: Extras,
}

/// What a record holds beyond its spans, stored as one JSON string
/// (`extras`): relations, document labels, the document's note and the
/// spans' notes and attributes (by row of the span table). Absent fields
/// are empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Extras {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<crate::relations::Relation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub doc_labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub span_notes: Vec<(u32, String)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub span_attrs: Vec<(u32, std::collections::BTreeMap<String, String>)>,
}

/// What a snapshot was built on: the record revision and the edit-log
/// entries (their `seq`s) it has applied.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Expect {
    pub rev: u64,
    pub seqs: Vec<u64>,
}

impl Expect {
    /// Whether the snapshot may replace what storage holds for its
    /// document: the record at revision `stored_rev` (0: none) and the log
    /// entries `logged`, which it then drops. Only over the revision it was
    /// built on, and only when it has applied every one of those entries.
    pub fn admits(&self, stored_rev: u64, logged: &[u64]) -> bool {
        stored_rev == self.rev && logged.iter().all(|s| self.seqs.contains(s))
    }
}

/// An edit-log entry as stored: its place in the log (`seq`, across every
/// document and tab) and the entry.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Logged {
    pub seq: u64,
    pub entry: LogEntry,
}

/// The fields of a stored record as they come out of storage.
pub struct Stored<'a> {
    pub doc_id: String,
    pub table: Vec<u32>,
    pub scores: Vec<f64>,
    pub labels_json: &'a str,
    pub ids_json: &'a str,
    pub history_json: &'a str,
    pub preannotated: Option<bool>,
    pub rules: Option<String>,
    pub rev: Option<u64>,
    pub suggested_by: Option<u32>,
    /// The `extras` JSON ([`Extras`]); `None` in records from before.
    pub extras_json: Option<&'a str>,
}

impl Record {
    pub fn new(
        doc_id: &str,
        spans: &[Span],
        history: History,
        preannotated: bool,
        rules: String,
    ) -> Record {
        Record {
            doc_id: doc_id.to_string(),
            spans: snapshot::pack(spans),
            history,
            preannotated,
            rules,
            rev: 0,
            suggested_by: None,
            expect: None,
            extras: Extras::default(),
        }
    }

    /// The same record holding `doc`'s relations, labels and note (its
    /// spans' notes are packed with the spans).
    pub fn holding(mut self, doc: &crate::doc::Document) -> Record {
        self.extras.relations = doc.relations.clone();
        self.extras.doc_labels = doc.doc_labels.clone();
        self.extras.note = doc.note.clone();
        self
    }

    /// Gives `doc` the record's spans, relations, labels and note.
    pub fn fill(&self, doc: &mut crate::doc::Document) -> Result<()> {
        doc.spans = self.spans()?;
        doc.relations = self.extras.relations.clone();
        doc.doc_labels = self.extras.doc_labels.clone();
        doc.note = self.extras.note.clone();
        Ok(())
    }

    pub fn extras_json(&self) -> String {
        let mut e = self.extras.clone();
        e.span_notes = self.spans.notes.clone();
        e.span_attrs = self.spans.attrs.clone();
        serde_json::to_string(&e).unwrap_or_default()
    }

    /// The same record, noting which model made its suggestions.
    pub fn suggested_by(mut self, learned_docs: Option<u32>) -> Record {
        self.suggested_by = learned_docs;
        self
    }

    /// The record as the snapshot of a document built on revision `base`
    /// with the logged entries `seqs` applied: to be written only over that
    /// revision, dropping just those entries.
    pub fn folding(mut self, base: u64, seqs: Vec<u64>) -> Record {
        self.rev = base + 1;
        self.expect = Some(Expect { rev: base, seqs });
        self
    }

    /// A record of a document's spans as a file gave them: nothing of a
    /// person's history, its suggestions (if any) taken as made.
    pub fn imported(doc_id: &str, spans: &[Span]) -> Record {
        Record::new(doc_id, spans, History::default(), true, String::new())
    }

    /// A stored record, checked (a damaged one is refused, naming what is
    /// wrong; the offsets are checked once they meet the text).
    pub fn from_stored(s: Stored) -> Result<Record> {
        let mut extras: Extras = match s.extras_json {
            Some(json) => serde_json::from_str(json)
                .map_err(|e| Error(format!("stored relations and notes: {e}")))?,
            None => Extras::default(),
        };
        let spans = Packed {
            notes: std::mem::take(&mut extras.span_notes),
            attrs: std::mem::take(&mut extras.span_attrs),
            table: s.table,
            scores: s.scores,
            labels: serde_json::from_str(s.labels_json)
                .map_err(|e| Error(format!("stored span labels: {e}")))?,
            ids: serde_json::from_str(s.ids_json)
                .map_err(|e| Error(format!("stored span ids: {e}")))?,
        };
        snapshot::unpack(&spans).map_err(|e| Error(format!("stored spans: {e}")))?;
        Ok(Record {
            doc_id: s.doc_id,
            spans,
            history: parse_history(s.history_json)?,
            preannotated: s.preannotated.unwrap_or(true),
            rules: s.rules.unwrap_or_default(),
            rev: s.rev.unwrap_or(0),
            suggested_by: s.suggested_by,
            expect: None,
            extras,
        })
    }

    /// A record of the earlier shape, spans as objects.
    pub fn from_objects(
        doc_id: String,
        spans: &[Span],
        history: History,
        preannotated: Option<bool>,
        rules: Option<String>,
    ) -> Record {
        Record::new(
            &doc_id,
            spans,
            history,
            preannotated.unwrap_or(true),
            rules.unwrap_or_default(),
        )
    }

    pub fn spans(&self) -> Result<Vec<Span>> {
        snapshot::unpack(&self.spans).map_err(|e| Error(format!("stored spans: {e}")))
    }

    pub fn count(&self) -> usize {
        self.spans.table.len() / snapshot::ROW
    }

    pub fn labels_json(&self) -> String {
        serde_json::to_string(&self.spans.labels).unwrap_or_default()
    }

    pub fn ids_json(&self) -> String {
        serde_json::to_string(&self.spans.ids).unwrap_or_default()
    }

    pub fn history_json(&self) -> String {
        serde_json::to_string(&self.history).unwrap_or_default()
    }

    /// The same record with other spans and history (a project-wide change),
    /// at the next revision, so that a tab's snapshot built on this one is
    /// refused rather than write over the change.
    pub fn with(&self, spans: &[Span], history: History) -> Record {
        let mut r = Record::new(
            &self.doc_id,
            spans,
            history,
            self.preannotated,
            self.rules.clone(),
        );
        // A snapshot not yet written (a record with its log folded in) is
        // at its next revision already, and keeps what it must find stored.
        r.rev = if self.expect.is_some() {
            self.rev
        } else {
            self.rev + 1
        };
        r.expect = self.expect.clone();
        r.suggested_by = self.suggested_by;
        r.extras = self.extras.clone();
        r
    }
}

fn parse_history(json: &str) -> Result<History> {
    serde_json::from_str(json).map_err(|e| Error(format!("stored history: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Source;

    fn spans() -> Vec<Span> {
        let mut a = Span::new(0, 3, "PER");
        a.id = Some("T1".into());
        // brat's attributes, kept as the span's.
        a.attrs.insert("Negated".into(), "true".into());
        a.attrs.insert("Confidence".into(), "High".into());
        let mut b = Span::new(4, 9, "ORG").with_source(Source::Model);
        b.score = Some(0.75);
        vec![a, b]
    }

    #[test]
    fn a_record_reads_back_from_its_stored_fields() {
        let r = Record::new("d1", &spans(), History::default(), false, "v1".into());
        let back = Record::from_stored(Stored {
            doc_id: r.doc_id.clone(),
            table: r.spans.table.clone(),
            scores: r.spans.scores.clone(),
            labels_json: &r.labels_json(),
            ids_json: &r.ids_json(),
            history_json: &r.history_json(),
            preannotated: Some(false),
            rules: Some("v1".into()),
            rev: Some(7),
            suggested_by: Some(3),
            extras_json: Some(&r.extras_json()),
        })
        .unwrap();
        assert_eq!(back.spans().unwrap(), spans());
        assert_eq!(back.history, r.history);
        assert_eq!((back.preannotated, back.rules.as_str()), (false, "v1"));
        assert_eq!(back.count(), 2);
        assert_eq!(back.rev, 7);
        assert_eq!(back.suggested_by, Some(3));
        let next = back.with(&spans(), History::default());
        assert_eq!((next.rev, next.suggested_by), (8, Some(3)));
    }

    #[test]
    fn a_record_without_the_newer_fields_is_preannotated_under_no_rules() {
        let r = Record::imported("d", &spans());
        let back = Record::from_stored(Stored {
            doc_id: "d".into(),
            table: r.spans.table.clone(),
            scores: r.spans.scores.clone(),
            labels_json: &r.labels_json(),
            ids_json: "[]",
            history_json: r#"{"done":[],"undone":[]}"#,
            preannotated: None,
            rules: None,
            rev: None,
            suggested_by: None,
            extras_json: None,
        })
        .unwrap();
        assert!(back.preannotated);
        assert_eq!(back.suggested_by, None, "not known");
        assert_eq!(back.rev, 0);
        assert_eq!(back.rules, "");
        let objects = Record::from_objects("d".into(), &spans(), History::default(), None, None);
        assert_eq!(objects.spans().unwrap(), spans());
    }

    #[test]
    fn relations_document_labels_and_notes_are_stored_and_read_back() {
        let mut doc = crate::doc::Document::new("d", "Ana at Acme");
        doc.spans = spans();
        doc.spans[0].note = Some("Lina?".into());
        doc.relations.push(crate::relations::Relation {
            id: "R1".into(),
            from: "T1".into(),
            to: "T1".into(),
            label: "self".into(),
        });
        doc.doc_labels = vec!["business".into()];
        doc.note = Some("check".into());
        let r = Record::imported("d", &doc.spans).holding(&doc);
        let json = r.extras_json();
        assert!(json.contains("\"spanNotes\":[[0,\"Lina?\"]]"), "{json}");
        let back = Record::from_stored(Stored {
            doc_id: "d".into(),
            table: r.spans.table.clone(),
            scores: r.spans.scores.clone(),
            labels_json: &r.labels_json(),
            ids_json: &r.ids_json(),
            history_json: &r.history_json(),
            preannotated: None,
            rules: None,
            rev: None,
            suggested_by: None,
            extras_json: Some(&json),
        })
        .unwrap();
        let mut again = crate::doc::Document::new("d", "Ana at Acme");
        back.fill(&mut again).unwrap();
        assert_eq!(again, doc);
        assert_eq!(again.spans[0].id.as_deref(), Some("T1"));
        assert_eq!(
            back.with(&doc.spans, History::default()).extras,
            back.extras
        );
    }

    #[test]
    fn a_record_of_todays_shape_reads_with_no_relations_labels_or_notes() {
        // Exactly the fields a record had before relations existed.
        let back = Record::from_stored(Stored {
            doc_id: "d".into(),
            table: vec![0, 3, 0, 0],
            scores: vec![f64::NAN],
            labels_json: "[\"PER\"]",
            ids_json: "[[0,\"T1\"]]",
            history_json: r#"{"done":[{"removed":[],"added":[{"start":0,"end":3,"label":"PER"}]}],"undone":[]}"#,
            preannotated: Some(true),
            rules: Some(String::new()),
            rev: Some(4),
            suggested_by: Some(0),
            extras_json: None,
        })
        .unwrap();
        assert_eq!(back.extras, Extras::default());
        let mut doc = crate::doc::Document::new("d", "Ana");
        back.fill(&mut doc).unwrap();
        assert!(doc.relations.is_empty() && doc.doc_labels.is_empty() && doc.note.is_none());
        assert_eq!(doc.spans[0].note, None);
        assert!(back.history.done[0].change.linked.is_empty());
        let bad = Stored {
            doc_id: "d".into(),
            table: vec![],
            scores: vec![],
            labels_json: "[]",
            ids_json: "[]",
            history_json: "{}",
            preannotated: None,
            rules: None,
            rev: None,
            suggested_by: None,
            extras_json: Some("[1]"),
        };
        let e = Record::from_stored(bad).unwrap_err();
        assert!(e.0.starts_with("stored relations and notes"), "{e}");
    }

    #[test]
    fn a_damaged_record_is_refused_naming_the_field() {
        let r = Record::imported("d", &spans());
        let stored = |labels: &'static str, history: &'static str, table: Vec<u32>| {
            Record::from_stored(Stored {
                doc_id: "d".into(),
                table,
                scores: vec![f64::NAN, 0.5],
                labels_json: labels,
                ids_json: "[]",
                history_json: history,
                preannotated: None,
                rules: None,
                rev: None,
                suggested_by: None,
                extras_json: None,
            })
        };
        let e = stored("[\"PER\"]", "{}", r.spans.table.clone()).unwrap_err();
        assert!(e.0.starts_with("stored spans: span 1: label index"), "{e}");
        let e = stored("nope", "{}", r.spans.table.clone()).unwrap_err();
        assert!(e.0.starts_with("stored span labels"), "{e}");
        let e = stored("[\"PER\",\"ORG\"]", "[1]", r.spans.table.clone()).unwrap_err();
        assert!(e.0.starts_with("stored history"), "{e}");
    }
}
