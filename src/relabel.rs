//! Label-set changes carried into a document's annotations: renaming a label
//! renames its spans (and the spans in the undo history, so that undo never
//! brings the old name back); deleting a label removes its spans.

use crate::doc::Span;
use crate::edit::History;

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
