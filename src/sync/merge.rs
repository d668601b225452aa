//! One annotator's record of a document (`ann:<docId>:<annotator>`) as the
//! team database holds it, and the merge of its conflicting revisions: the
//! same person edited one document on two devices while apart.
//!
//! The merge is a function of the set of revisions (the same whatever order
//! they come in, and merging a result again with what it came from changes
//! nothing), so every device that meets the conflict resolves it alike; its
//! new revisions are signed from their content ([`super::rev`]), so two
//! devices writing the same resolution make the same revisions and no new
//! conflict.
//!
//! - The edit histories are joined: every step of either, in time order.
//! - A span one revision holds and another lacks is kept, unless the
//!   histories say the last thing done to it was taking it away (a removal,
//!   or the undo of its adding): a removal on one device is an edit too,
//!   and must not come back from the other.
//! - Spans that clash (overlap, and no one revision holds both) are settled
//!   by the later edit: a person's span beats a suggestion, then the span
//!   made later wins (its step's time, [`crate::edit::Step::at`]; 0 when no
//!   step made it), then the order of spans decides, so that ties are the
//!   same everywhere.
//! - The status is that of the revision updated last (done on a tie); the
//!   record's `updated` is the latest of them.
//!
//! The merged record is written on the winning revision and every other
//! leaf is deleted ([`resolve`]), in one `_bulk_docs` with `new_edits:
//! false`.

use super::rev::{canonical, Rev};
use super::tree::{RevTree, Revisions};
use crate::doc::{Span, Status};
use crate::edit::{History, Step};
use crate::relations::Relation;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// An annotator's record of one document, as stored in the team database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Annotations {
    /// Always `"annotations"`.
    #[serde(rename = "type")]
    pub kind: String,
    pub annotator: String,
    pub doc_id: String,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub spans: Vec<Span>,
    /// The steps of the undo history, then those undone (flagged).
    #[serde(default)]
    pub history: Vec<Entry>,
    /// When it was last changed (milliseconds since 1970).
    #[serde(default)]
    pub updated: u64,
    /// Links between its spans (by the span ids of this record).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doc_labels: Vec<String>,
    /// The annotator's note on the document (span notes are the spans').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A step of the history as the record holds it: `{tab?, at?, removed,
/// added, undone?}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub step: Step,
    /// Undone (on the redo stack).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub undone: bool,
}

impl Annotations {
    pub fn new(
        doc_id: &str,
        annotator: &str,
        status: Status,
        spans: &[Span],
        history: &History,
        updated: u64,
    ) -> Annotations {
        // Without the tab: which tab of which browser made a step is that
        // browser's own (it says which steps its undo takes, and a tab
        // opened later adopts a closed one's, `Editor::adopt`); in the
        // shared record it would make every device that opens the record
        // write a revision of it, and the merge keep each step twice.
        let entry = |undone| {
            move |s: &Step| Entry {
                step: Step {
                    tab: String::new(),
                    ..s.clone()
                },
                undone,
            }
        };
        Annotations {
            kind: "annotations".into(),
            annotator: annotator.into(),
            doc_id: doc_id.into(),
            status,
            spans: spans.to_vec(),
            history: history
                .done
                .iter()
                .map(entry(false))
                .chain(history.undone.iter().map(entry(true)))
                .collect(),
            updated,
            relations: Vec::new(),
            doc_labels: Vec::new(),
            note: None,
        }
    }

    /// The same record holding the document's relations, labels and note.
    pub fn holding(mut self, doc: &crate::doc::Document) -> Annotations {
        self.relations = doc.relations.clone();
        self.doc_labels = doc.doc_labels.clone();
        self.note = doc.note.clone();
        self
    }

    /// Nothing of the annotator's own in it: no span she made or accepted,
    /// no edit, not marked done (a document she only opened, its
    /// suggestions unreviewed). Such a record says nothing of her work.
    pub fn is_blank(&self) -> bool {
        self.status != Status::Done
            && self.history.is_empty()
            && self.spans.iter().all(|s| s.source.is_suggestion())
    }

    /// Its CouchDB `_id`.
    pub fn id(&self) -> String {
        format!("ann:{}:{}", self.doc_id, self.annotator)
    }

    /// The undo history the page's session works with.
    pub fn undo_history(&self) -> History {
        let (undone, done): (Vec<&Entry>, Vec<&Entry>) =
            self.history.iter().partition(|e| e.undone);
        let steps = |v: Vec<&Entry>| v.into_iter().map(|e| e.step.clone()).collect();
        History {
            done: steps(done),
            undone: steps(undone),
        }
    }

    /// The body as stored (with its `_id`).
    pub fn body(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("_id".into(), json!(self.id()));
        }
        v
    }
}

/// What makes two spans the same span for the merge (scores and ids aside).
type Key = (usize, usize, String, &'static str);

fn key(s: &Span) -> Key {
    (s.start, s.end, s.label.clone(), s.source.name())
}

/// The latest time each span was put in place and taken away, by the
/// histories.
#[derive(Default)]
struct Events {
    added: BTreeMap<Key, u64>,
    removed: BTreeMap<Key, u64>,
}

impl Events {
    fn of(history: &[Entry]) -> Events {
        let mut ev = Events::default();
        let note = |map: &mut BTreeMap<Key, u64>, spans: &[Span], at: u64| {
            for s in spans {
                let t = map.entry(key(s)).or_default();
                *t = (*t).max(at);
            }
        };
        for e in history {
            let c = &e.step.change;
            // An undone step took back what it did: its added spans were
            // taken away then, its removed ones put back.
            let (put, taken) = if e.undone {
                (&c.removed, &c.added)
            } else {
                (&c.added, &c.removed)
            };
            note(&mut ev.added, put, e.step.at);
            note(&mut ev.removed, taken, e.step.at);
        }
        ev
    }

    /// The last thing done to the span was taking it away.
    fn taken_away(&self, k: &Key) -> bool {
        self.removed
            .get(k)
            .is_some_and(|&r| r >= self.added.get(k).copied().unwrap_or(0))
    }

    fn made_at(&self, k: &Key) -> u64 {
        self.added.get(k).copied().unwrap_or(0)
    }
}

/// The merge of one annotator's revisions of one record (see the module's
/// head). Revisions must share `doc_id` and `annotator`.
pub fn merge(revisions: &[Annotations]) -> Annotations {
    let mut revs: Vec<(String, &Annotations)> = revisions
        .iter()
        .map(|r| (canonical(&r.body()), r))
        .collect();
    revs.sort_by(|a, b| a.0.cmp(&b.0));
    revs.dedup_by(|a, b| a.0 == b.0);
    let revs: Vec<&Annotations> = revs.into_iter().map(|(_, r)| r).collect();
    let Some(first) = revs.first() else {
        panic!("merge of no revisions");
    };
    if revs.len() == 1 {
        return (*first).clone();
    }

    let mut history: Vec<(u64, String, &Entry)> = revs
        .iter()
        .flat_map(|r| &r.history)
        // A step written with its tab (records from before) is the same
        // step as the one written without it.
        .map(|e| {
            let mut bare = e.clone();
            bare.step.tab.clear();
            (
                e.step.at,
                serde_json::to_string(&bare).unwrap_or_default(),
                e,
            )
        })
        .collect();
    history.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    history.dedup_by(|a, b| a.1 == b.1);
    let history: Vec<Entry> = history.into_iter().map(|(_, _, e)| e.clone()).collect();
    let events = Events::of(&history);

    let held: Vec<BTreeSet<Key>> = revs
        .iter()
        .map(|r| r.spans.iter().map(key).collect())
        .collect();
    // Each span once (of equal ones, the one that writes first).
    let mut candidates: BTreeMap<Key, &Span> = BTreeMap::new();
    for s in revs.iter().flat_map(|r| &r.spans) {
        let k = key(s);
        let keep = candidates.get(&k).is_none_or(|c| {
            serde_json::to_string(s).unwrap_or_default()
                < serde_json::to_string(c).unwrap_or_default()
        });
        if keep {
            candidates.insert(k, s);
        }
    }
    let mut candidates: Vec<(Key, &Span)> = candidates
        .into_iter()
        .filter(|(k, _)| held.iter().all(|h| h.contains(k)) || !events.taken_away(k))
        .collect();
    // The strongest first: a person's, then the later made, then by key.
    candidates.sort_by(|(ka, a), (kb, b)| {
        let rank = |k: &Key, s: &Span| (!s.source.is_suggestion(), events.made_at(k));
        rank(kb, b).cmp(&rank(ka, a)).then_with(|| ka.cmp(kb))
    });
    let mut kept: Vec<(Key, &Span)> = Vec::new();
    for (k, s) in candidates {
        let clashes = kept.iter().any(|(kk, other)| {
            s.overlaps(other.start, other.end)
                && !held.iter().any(|h| h.contains(&k) && h.contains(kk))
        });
        if !clashes {
            kept.push((k, s));
        }
    }
    let mut spans: Vec<Span> = kept.into_iter().map(|(_, s)| s.clone()).collect();
    spans.sort_by(|a, b| Span::order(a, b).then_with(|| a.source.name().cmp(b.source.name())));
    // Two devices may have given one id to different spans: the second
    // (in text order) gets a new one, as an import's repeated id does.
    let mut next = crate::relations::next_number('T', spans.iter().filter_map(|s| s.id.as_deref()));
    let mut seen = BTreeSet::new();
    for s in &mut spans {
        if let Some(id) = &s.id {
            if !seen.insert(id.clone()) {
                s.id = Some(format!("T{next}"));
                next += 1;
            }
        }
    }

    let last = revs
        .iter()
        .max_by_key(|r| (r.updated, r.status == Status::Done))
        .unwrap_or(first);
    let relations = merge_relations(&revs, &history, &spans);
    Annotations {
        kind: first.kind.clone(),
        annotator: first.annotator.clone(),
        doc_id: first.doc_id.clone(),
        status: last.status,
        spans,
        history,
        updated: last.updated,
        relations,
        doc_labels: last.doc_labels.clone(),
        note: last.note.clone(),
    }
}

/// A relation by what it links: both spans' keys and its label (span ids
/// differ between devices that made the same span).
type RelKey = (Key, Key, String);

/// The relations of the merged record: every revision's, by what they
/// link, kept when both spans are in the merged record, unless the
/// histories say the last thing done to the relation was taking it away
/// (as for spans); given ids of the merged spans.
fn merge_relations(revs: &[&Annotations], history: &[Entry], spans: &[Span]) -> Vec<Relation> {
    // Span id -> key, per revision; an id meaning different spans on two
    // devices says nothing of which one a history step linked.
    let maps: Vec<BTreeMap<&str, Key>> = revs
        .iter()
        .map(|r| {
            r.spans
                .iter()
                .filter_map(|s| Some((s.id.as_deref()?, key(s))))
                .collect()
        })
        .collect();
    let mut by_id: BTreeMap<&str, Option<&Key>> = BTreeMap::new();
    for m in &maps {
        for (id, k) in m {
            by_id
                .entry(id)
                .and_modify(|v| {
                    if v.is_some_and(|x| x != k) {
                        *v = None;
                    }
                })
                .or_insert(Some(k));
        }
    }
    let rel_key = |r: &Relation, map: &dyn Fn(&str) -> Option<Key>| -> Option<RelKey> {
        Some((map(&r.from)?, map(&r.to)?, r.label.clone()))
    };
    let global = |id: &str| by_id.get(id).copied().flatten().cloned();
    let mut added: BTreeMap<RelKey, u64> = BTreeMap::new();
    let mut removed: BTreeMap<RelKey, u64> = BTreeMap::new();
    for e in history {
        let c = &e.step.change;
        let (put, taken) = if e.undone {
            (&c.unlinked, &c.linked)
        } else {
            (&c.linked, &c.unlinked)
        };
        for (list, map) in [(put, &mut added), (taken, &mut removed)] {
            for r in list {
                if let Some(k) = rel_key(r, &global) {
                    let t = map.entry(k).or_default();
                    *t = (*t).max(e.step.at);
                }
            }
        }
    }
    let held: Vec<BTreeSet<RelKey>> = revs
        .iter()
        .zip(&maps)
        .map(|(r, m)| {
            let local = |id: &str| m.get(id).cloned();
            r.relations
                .iter()
                .filter_map(|x| rel_key(x, &local))
                .collect()
        })
        .collect();
    let mut all: BTreeMap<RelKey, &str> = BTreeMap::new();
    for ((r, m), _) in revs.iter().zip(&maps).zip(&held) {
        let local = |id: &str| m.get(id).cloned();
        for x in &r.relations {
            if let Some(k) = rel_key(x, &local) {
                all.entry(k).or_insert(&x.id);
            }
        }
    }
    let ids: BTreeMap<Key, &str> = spans
        .iter()
        .filter_map(|s| Some((key(s), s.id.as_deref()?)))
        .collect();
    let taken_away = |k: &RelKey| {
        removed
            .get(k)
            .is_some_and(|&t| t >= added.get(k).copied().unwrap_or(0))
    };
    let mut out: Vec<Relation> = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut fresh = Vec::new();
    for (k, id) in all {
        if !held.iter().all(|h| h.contains(&k)) && taken_away(&k) {
            continue;
        }
        let (Some(from), Some(to)) = (ids.get(&k.0), ids.get(&k.1)) else {
            continue;
        };
        let r = Relation {
            id: id.to_string(),
            from: from.to_string(),
            to: to.to_string(),
            label: k.2.clone(),
        };
        if used.insert(r.id.clone()) {
            out.push(r);
        } else {
            fresh.push(r);
        }
    }
    let first = crate::relations::next_number('R', used.iter().map(String::as_str));
    for (n, mut r) in (first..).zip(fresh) {
        r.id = format!("R{n}");
        out.push(r);
    }
    out
}

/// A conflict resolved: the merged record, and the revisions to write
/// (`_bulk_docs` with `new_edits: false`): the merged record on the
/// winner, a deletion on every other leaf.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    pub merged: Annotations,
    pub docs: Vec<Value>,
}

/// Resolves a record's conflict from its revision tree and the bodies of
/// its live leaves; `None` when it has no conflict (or a body is missing).
pub fn resolve(
    tree: &RevTree,
    leaves: &BTreeMap<Rev, Annotations>,
    revs_limit: usize,
) -> Option<Resolution> {
    let conflicts = tree.conflicts();
    if conflicts.is_empty() {
        return None;
    }
    let winner = tree.winner()?.rev;
    let bodies: Vec<Annotations> = std::iter::once(&winner)
        .chain(&conflicts)
        .map(|r| leaves.get(r).cloned())
        .collect::<Option<_>>()?;
    let merged = merge(&bodies);
    let id = merged.id();
    let write = |on: &Rev, body: Value| {
        let rev = Rev::next(Some(on), &body);
        let mut ids = vec![rev.hash.clone()];
        let ancestry = tree.revisions(on, revs_limit.saturating_sub(1).max(1));
        ids.extend(ancestry.map_or_else(|| vec![on.hash.clone()], |r| r.ids));
        let mut doc = body;
        if let Value::Object(m) = &mut doc {
            m.insert("_rev".into(), json!(rev));
            let revisions = Revisions {
                start: rev.pos,
                ids,
            };
            m.insert("_revisions".into(), json!(revisions));
        }
        doc
    };
    let mut docs = vec![write(&winner, merged.body())];
    for loser in &conflicts {
        docs.push(write(loser, json!({"_id": id, "_deleted": true})));
    }
    Some(Resolution { merged, docs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Document, Source};
    use crate::edit::{Editor, Overlap};
    use crate::sync::plan::Incoming;
    use proptest::prelude::*;

    const TEXT: &str = "Ana Lima met Kofi Mensah in Accra on Monday and left.";

    fn device(base: &[Span]) -> Editor {
        let mut d = Document::new("d1", TEXT);
        d.spans = base.to_vec();
        Editor::new(d, Overlap::Forbid)
    }

    fn record(e: &Editor, updated: u64) -> Annotations {
        Annotations::new("d1", "ana", e.doc.status, e.spans(), &e.history, updated)
    }

    fn at(e: &mut Editor, t: u64) -> &mut Editor {
        e.now = t;
        e
    }

    fn places(r: &Annotations) -> Vec<(usize, usize, &str)> {
        r.spans
            .iter()
            .map(|s| (s.start, s.end, s.label.as_str()))
            .collect()
    }

    fn id_of(e: &Editor, start: usize) -> String {
        let s = e.spans().iter().find(|s| s.start == start).unwrap();
        s.id.clone().unwrap()
    }

    fn links(r: &Annotations) -> Vec<(usize, usize, String)> {
        let start = |id: &str| {
            r.spans
                .iter()
                .find(|s| s.id.as_deref() == Some(id))
                .unwrap()
                .start
        };
        let mut v: Vec<_> = r
            .relations
            .iter()
            .map(|x| (start(&x.from), start(&x.to), x.label.clone()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn relations_of_two_devices_are_joined_by_what_they_link_and_a_removal_holds() {
        // Both devices hold the same spans, numbered differently.
        let base = [
            Span::new(0, 8, "PER"),
            Span::new(13, 24, "PER"),
            Span::new(28, 33, "LOC"),
        ];
        let (mut a, mut b) = (device(&base), device(&base));
        b = {
            let mut d = Document::new("d1", TEXT);
            d.spans = base.to_vec();
            for (s, id) in d.spans.iter_mut().zip(["T3", "T2", "T1"]) {
                s.id = Some(id.into());
            }
            let _ = b;
            Editor::new(d, Overlap::Forbid)
        };
        assert_ne!(
            id_of(&a, 0),
            id_of(&b, 0),
            "the devices number the spans apart"
        );
        let (ana_a, kofi_a, accra_a) = (id_of(&a, 0), id_of(&a, 13), id_of(&a, 28));
        at(&mut a, 10).add_relation(&ana_a, &kofi_a, "met").unwrap();
        at(&mut a, 11)
            .add_relation(&kofi_a, &accra_a, "in")
            .unwrap();
        let (accra_b, ana_b) = (id_of(&b, 28), id_of(&b, 0));
        at(&mut b, 12).add_relation(&ana_b, &accra_b, "in").unwrap();
        b.doc.doc_labels = vec!["travel".into()];
        let ra = record(&a, 11).holding(&a.doc);
        let rb = record(&b, 12).holding(&b.doc);
        let m = merge(&[ra.clone(), rb.clone()]);
        assert_eq!(
            links(&m),
            [
                (0, 13, "met".into()),
                (0, 28, "in".into()),
                (13, 28, "in".into())
            ]
        );
        assert_eq!(
            m.doc_labels,
            ["travel"],
            "the later revision's document labels"
        );
        let mut doc = Document::new("d1", TEXT);
        doc.spans = m.spans.clone();
        doc.relations = m.relations.clone();
        assert!(
            doc.check_links().is_ok(),
            "every relation points at a merged span"
        );
        assert_eq!(merge(&[rb.clone(), ra.clone()]), m, "order does not matter");
        // Later, a (which had seen only its own) removes "met"; b still has
        // it from nothing: the removal holds in the merge.
        let met = a
            .doc
            .relations
            .iter()
            .find(|r| r.label == "met")
            .unwrap()
            .id
            .clone();
        at(&mut a, 20).remove_relation(&met).unwrap();
        let ra = record(&a, 20).holding(&a.doc);
        let rm = m.clone();
        let m2 = merge(&[ra, rm]);
        assert_eq!(links(&m2), [(0, 28, "in".into()), (13, 28, "in".into())]);
    }

    #[test]
    fn two_devices_edits_are_joined_and_a_clash_goes_to_the_later() {
        let base = [Span::new(0, 8, "PER"), Span::new(28, 33, "LOC")];
        let (mut a, mut b) = (device(&base), device(&base));
        at(&mut a, 10).add(13, 24, "PER").unwrap(); // only a
        at(&mut b, 11).remove(28, 33).unwrap(); // b takes Accra away
        at(&mut a, 12).add(37, 43, "DATE").unwrap(); // clash: a first ...
        at(&mut b, 13).add(37, 48, "MISC").unwrap(); // ... b later
        at(&mut b, 14).add(0, 3, "PER").unwrap(); // b narrows Ana Lima
        let (ra, rb) = (record(&a, 12), record(&b, 14));
        let m = merge(&[ra.clone(), rb.clone()]);
        assert_eq!(
            places(&m),
            [(0, 3, "PER"), (13, 24, "PER"), (37, 48, "MISC")],
            "Kofi Mensah from a; Accra stays removed; b's later spans win their clashes"
        );
        assert_eq!(m.history.len(), 5, "both histories, once each");
        let times: Vec<u64> = m.history.iter().map(|e| e.step.at).collect();
        assert_eq!(times, [10, 11, 12, 13, 14]);
        assert_eq!(m, merge(&[rb.clone(), ra.clone()]), "order does not matter");
        assert_eq!(
            m,
            merge(&[m.clone(), ra.clone()]),
            "merging again changes nothing"
        );
        assert_eq!(ra, merge(&[ra.clone(), ra.clone()]));
        assert_eq!(m.updated, 14);
        // The joined history undoes on the page as one.
        assert_eq!(m.undo_history().done.len(), 5);
    }

    #[test]
    fn a_record_opened_on_another_device_is_the_same_record_there() {
        // ana's curated (or own) record, made in one tab ...
        let mut a = device(&[]);
        a.tab = "tab-a".into();
        at(&mut a, 10).add(0, 8, "PER").unwrap();
        at(&mut a, 11).add(28, 33, "LOC").unwrap();
        let sent = record(&a, 11);
        assert!(sent.history.iter().all(|e| e.step.tab.is_empty()));
        // ... opened in a tab of another browser, which takes its steps as
        // its own to undo: unchanged as a team record, so nothing to send.
        let mut b = device(&sent.spans);
        b.history = sent.undo_history();
        b.tab = "tab-b".into();
        assert!(b.adopt(|t| t == "tab-b"));
        assert!(b.can_undo());
        let again = record(&b, 12);
        assert!(crate::sync::replicate::same_content(
            &sent.body(),
            &again.body()
        ));
        // A merge with a copy written before (steps with their tab) keeps
        // each step once.
        let mut old = sent.clone();
        for e in &mut old.history {
            e.step.tab = "tab-a".into();
        }
        assert_eq!(merge(&[sent.clone(), old]).history.len(), 2);
    }

    #[test]
    fn an_undo_on_one_device_is_an_edit_the_other_does_not_undo() {
        let mut a = device(&[]);
        at(&mut a, 10).add(0, 8, "PER").unwrap();
        let mut b = a.clone(); // synced
        at(&mut b, 20).undo().unwrap();
        at(&mut a, 15).add(13, 24, "PER").unwrap(); // a goes on meanwhile
        let m = merge(&[record(&a, 15), record(&b, 20)]);
        assert_eq!(places(&m), [(13, 24, "PER")], "the undo stands");
        // and a suggestion never beats a person's span.
        let mut c = device(&[Span::new(0, 8, "ORG").with_source(Source::Model)]);
        at(&mut c, 30).accept(0, 8).unwrap();
        let e = device(&[Span::new(0, 3, "LOC").with_source(Source::Model)]);
        let m = merge(&[record(&c, 30), record(&e, 99)]);
        assert_eq!(places(&m), [(0, 8, "ORG")]);
        assert_eq!(m.spans[0].source, Source::User);
    }

    #[test]
    fn a_conflict_resolves_the_same_on_every_device() {
        let (mut a, mut b) = (device(&[]), device(&[]));
        at(&mut a, 10).add(0, 8, "PER").unwrap();
        at(&mut b, 11).add(13, 24, "PER").unwrap();
        let base = Rev::next(None, &record(&device(&[]), 0).body());
        let (ra, rb) = (record(&a, 10), record(&b, 11));
        let rev_a = Rev::next(Some(&base), &ra.body());
        let rev_b = Rev::next(Some(&base), &rb.body());
        let mut tree = RevTree::new();
        tree.add(&base, None, false);
        tree.add(&rev_a, Some(&base), false);
        tree.add(&rev_b, Some(&base), false);
        let leaves = BTreeMap::from([(rev_a.clone(), ra), (rev_b.clone(), rb)]);
        let r = resolve(&tree, &leaves, 1000).unwrap();
        assert_eq!(places(&r.merged), [(0, 8, "PER"), (13, 24, "PER")]);
        assert_eq!(r.docs.len(), 2);
        assert_eq!(r, resolve(&tree, &leaves, 1000).unwrap());
        let mut after = tree.clone();
        for d in &r.docs {
            Incoming::read(d).unwrap().join(&mut after);
        }
        assert!(after.conflicts().is_empty(), "{:?}", after.leaves());
        let w = after.winner().unwrap();
        assert_eq!(r.docs[0]["_rev"], json!(w.rev));
        assert!(!w.deleted);
        assert_eq!(resolve(&after, &leaves, 1000), None);
        let back: Annotations = serde_json::from_value(r.docs[0].clone()).unwrap();
        assert_eq!(back, r.merged, "the written body reads back");
        assert_eq!(r.docs[0]["_id"], json!("ann:d1:ana"));
    }

    /// A device's random edits: add, remove, undo, redo.
    #[derive(Clone, Debug)]
    enum Op {
        Add(usize, usize, usize),
        Remove(usize),
        Undo,
        Redo,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0usize..50, 1usize..6, 0usize..3).prop_map(|(s, l, k)| Op::Add(s, l, k)),
            1 => (0usize..8).prop_map(Op::Remove),
            1 => Just(Op::Undo),
            1 => Just(Op::Redo),
        ]
    }

    /// Applies the op; whether it changed anything.
    fn run(e: &mut Editor, op: &Op) -> bool {
        match *op {
            Op::Add(s, l, k) => {
                let c = e.add(s, (s + l).min(TEXT.len()), ["PER", "ORG", "LOC"][k]);
                c.is_ok_and(|c| !c.is_empty())
            }
            Op::Remove(i) => match e.spans().get(i).map(|s| (s.start, s.end)) {
                Some((s, t)) => e.remove(s, t).is_ok(),
                None => false,
            },
            Op::Undo => e.undo().is_some(),
            Op::Redo => e.redo().is_some(),
        }
    }

    /// Two devices from one synced state, each editing while apart; every
    /// op gets its own time, in the order they are listed.
    fn apart(base: &[Op], ops: &[(bool, Op)]) -> (Editor, Editor, Option<(u64, bool)>) {
        let mut a = device(&[]);
        for (t, o) in base.iter().enumerate() {
            run(at(&mut a, t as u64 + 1), o);
        }
        let mut b = a.clone();
        let mut last = None;
        for (i, (on_a, o)) in ops.iter().enumerate() {
            let t = 1000 + i as u64;
            let e = if *on_a { &mut a } else { &mut b };
            if run(at(e, t), o) {
                last = Some((t, *on_a));
            }
        }
        (a, b, last)
    }

    proptest! {
        #[test]
        fn the_merge_is_commutative_idempotent_and_keeps_every_later_edit(
            base in prop::collection::vec(op(), 0..6),
            ops in prop::collection::vec((any::<bool>(), op()), 0..14),
        ) {
            let (a, b, last) = apart(&base, &ops);
            let (ra, rb) = (record(&a, 1), record(&b, 2));
            let m = merge(&[ra.clone(), rb.clone()]);
            prop_assert_eq!(&m, &merge(&[rb.clone(), ra.clone()]));
            prop_assert_eq!(&m, &merge(&[m.clone(), ra.clone()]));
            prop_assert_eq!(&m, &merge(&[m.clone(), rb.clone()]));
            prop_assert_eq!(&m, &merge(&[m.clone(), m.clone()]));
            // The spans never overlap (both devices forbid it).
            for w in m.spans.windows(2) {
                prop_assert!(w[0].end <= w[1].start, "{:?}", m.spans);
            }
            // What both devices hold is kept.
            for s in a.spans().iter().filter(|s| b.spans().contains(s)) {
                prop_assert!(m.spans.contains(s), "{:?} lost", s);
            }
            // Every step of either history is there.
            for e in ra.history.iter().chain(&rb.history) {
                prop_assert!(m.history.contains(e));
            }
            // The last edit made, on either device, is the merge's as well:
            // the spans it put there are there, those it took are gone.
            if let Some((t, on_a)) = last {
                let r = if on_a { &ra } else { &rb };
                let step = r.history.iter().find(|e| e.step.at == t).unwrap();
                let c = &step.step.change;
                let (put, taken) = if step.undone { (&c.removed, &c.added) } else { (&c.added, &c.removed) };
                for s in put {
                    prop_assert!(m.spans.contains(s), "{:?} of the last edit lost: {:?}", s, m.spans);
                }
                for s in taken {
                    prop_assert!(!m.spans.contains(s), "{:?} came back: {:?}", s, m.spans);
                }
            }
        }
    }
}
