//! Label-set changes carried into a document's annotations: renaming a label
//! renames its spans (and the spans in the undo history, so that undo never
//! brings the old name back); deleting a label removes its spans. The same
//! for relation labels (their relations) and document labels; a span's
//! relations go with it.

use crate::doc::{Document, Span};
use crate::edit::{Change, History};

/// Renames `from` to `to` in `spans` and `history`; returns how many current
/// spans changed.
pub fn rename(spans: &mut [Span], history: &mut History, from: &str, to: &str) -> usize {
    let mut n = 0;
    for s in spans.iter_mut().filter(|s| s.label == from) {
        s.label = to.to_string();
        n += 1;
    }
    let steps = history.done.iter_mut().chain(history.undone.iter_mut());
    for step in steps {
        let change = &mut step.change;
        for s in change.added.iter_mut().chain(change.removed.iter_mut()) {
            if s.label == from {
                s.label = to.to_string();
            }
        }
    }
    n
}

/// Removes every span labelled `label`; returns how many. The history loses
/// the steps that touched it, as undoing them would bring the label back.
pub fn remove(spans: &mut Vec<Span>, history: &mut History, label: &str) -> usize {
    let before = spans.len();
    spans.retain(|s| s.label != label);
    let touches = |c: &crate::edit::Change| {
        c.added
            .iter()
            .chain(c.removed.iter())
            .any(|s| s.label == label)
    };
    history.done.retain(|s| !touches(&s.change));
    history.undone.retain(|s| !touches(&s.change));
    before - spans.len()
}

/// Drops the relations whose spans are gone (after [`remove`]); how many.
pub fn unlink_missing(doc: &mut Document) -> usize {
    let ids: std::collections::HashSet<&str> =
        doc.spans.iter().filter_map(|s| s.id.as_deref()).collect();
    let before = doc.relations.len();
    doc.relations
        .retain(|r| ids.contains(r.from.as_str()) && ids.contains(r.to.as_str()));
    before - doc.relations.len()
}

/// Steps of the history, each change once.
fn changes(history: &mut History) -> impl Iterator<Item = &mut Change> {
    let steps = history.done.iter_mut().chain(history.undone.iter_mut());
    steps.map(|s| &mut s.change)
}

/// Renames the relation label `from` to `to` in the document and the
/// history; how many relations changed.
pub fn rename_relations(doc: &mut Document, history: &mut History, from: &str, to: &str) -> usize {
    let mut n = 0;
    for r in doc.relations.iter_mut().filter(|r| r.label == from) {
        r.label = to.to_string();
        n += 1;
    }
    for c in changes(history) {
        for r in c.linked.iter_mut().chain(c.unlinked.iter_mut()) {
            if r.label == from {
                r.label = to.to_string();
            }
        }
    }
    n
}

/// Removes the relations labelled `label`, and the steps that touched
/// them; how many.
pub fn remove_relations(doc: &mut Document, history: &mut History, label: &str) -> usize {
    let before = doc.relations.len();
    doc.relations.retain(|r| r.label != label);
    let touches = |c: &Change| c.linked.iter().chain(&c.unlinked).any(|r| r.label == label);
    history.done.retain(|s| !touches(&s.change));
    history.undone.retain(|s| !touches(&s.change));
    before - doc.relations.len()
}

/// Renames the document label `from` to `to` (`None`: removes it) in the
/// document and in the history's label changes; whether the document had it.
pub fn relabel_document(
    doc: &mut Document,
    history: &mut History,
    from: &str,
    to: Option<&str>,
) -> bool {
    let carry = |labels: &mut Vec<String>| {
        let had = labels.iter().any(|l| l == from);
        match to {
            Some(to) => labels
                .iter_mut()
                .filter(|l| *l == from)
                .for_each(|l| *l = to.to_string()),
            None => labels.retain(|l| l != from),
        }
        had
    };
    let had = carry(&mut doc.doc_labels);
    for c in changes(history) {
        if let Some(s) = &mut c.doc_labels {
            carry(&mut s.before);
            carry(&mut s.after);
        }
    }
    had
}

/// How many spans carry `label`.
pub fn count(spans: &[Span], label: &str) -> usize {
    spans.iter().filter(|s| s.label == label).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Document;
    use crate::edit::{Editor, Overlap};

    #[test]
    fn rename_reaches_history_so_undo_keeps_the_new_name() {
        let mut e = Editor::new(Document::new("d", "Acme hired Bo Li"), Overlap::Forbid);
        e.add(0, 4, "COMPANY").unwrap();
        e.add(11, 16, "PER").unwrap();
        e.remove(0, 4).unwrap();
        let (mut spans, mut history) = (e.doc.spans.clone(), e.history.clone());
        assert_eq!(rename(&mut spans, &mut history, "COMPANY", "ORG"), 0);
        e.doc.spans = spans;
        e.history = history;
        e.undo().unwrap();
        assert_eq!(e.spans()[0].label, "ORG");
    }

    #[test]
    fn relation_and_document_labels_follow_a_rename_and_a_delete() {
        let mut e = Editor::new(Document::new("d", "Acme hired Bo Li"), Overlap::Forbid);
        e.add(0, 4, "ORG").unwrap();
        e.add(11, 16, "PER").unwrap();
        e.add_relation("T1", "T2", "hired").unwrap();
        e.set_doc_labels(&["business".into()]);
        let (mut d, mut h) = (e.doc.clone(), e.history.clone());
        assert_eq!(rename_relations(&mut d, &mut h, "hired", "employs"), 1);
        assert!(relabel_document(
            &mut d,
            &mut h,
            "business",
            Some("economy")
        ));
        (e.doc, e.history) = (d, h);
        e.undo().unwrap();
        e.redo().unwrap();
        assert_eq!(
            e.doc.doc_labels,
            ["economy"],
            "undo and redo keep the new name"
        );
        assert_eq!(e.doc.relations[0].label, "employs");
        let (mut d, mut h) = (e.doc.clone(), e.history.clone());
        assert_eq!(remove_relations(&mut d, &mut h, "employs"), 1);
        assert!(relabel_document(&mut d, &mut h, "economy", None));
        assert!(d.relations.is_empty() && d.doc_labels.is_empty());
        // Deleting a span label takes its spans' relations along.
        e.add_relation("T1", "T2", "hired").unwrap();
        let (mut d, mut h) = (e.doc.clone(), e.history.clone());
        remove(&mut d.spans, &mut h, "PER");
        assert_eq!(unlink_missing(&mut d), 2, "employs and hired");
    }

    #[test]
    fn remove_counts_and_drops_history_steps() {
        let mut e = Editor::new(Document::new("d", "Acme hired Bo Li"), Overlap::Forbid);
        e.add(0, 4, "ORG").unwrap();
        e.add(11, 16, "PER").unwrap();
        let (mut spans, mut history) = (e.doc.spans.clone(), e.history.clone());
        assert_eq!(count(&spans, "ORG"), 1);
        assert_eq!(remove(&mut spans, &mut history, "ORG"), 1);
        assert_eq!(spans.len(), 1);
        assert_eq!(history.done.len(), 1);
    }
}
