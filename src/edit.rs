//! Editing one document's spans as a person does, with undo and redo.
//!
//! Every command becomes a [`Change`]: the spans it removed and the spans it
//! added. Undo applies a change backwards, redo forwards, so one mechanism
//! covers adding, removing, relabelling, resizing and accepting, including a
//! person's span that replaces the suggestions it overlaps.

use crate::doc::{Document, Source, Span};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Change {
    pub removed: Vec<Span>,
    pub added: Vec<Span>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.added.is_empty()
    }

    fn inverse(&self) -> Change {
        Change {
            removed: self.added.clone(),
            added: self.removed.clone(),
        }
    }
}

/// The undo and redo stacks of one document; persisted with it so that a
/// reload keeps the undo position.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct History {
    pub done: Vec<Change>,
    pub undone: Vec<Change>,
}

/// One step of a document's edit log: what the page writes to storage for
/// each edit (small, so an edit is durable in one short transaction), and what
/// [`Editor::replay`] applies on top of the last snapshot to restore it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum LogEntry {
    /// A new change (clears the redo stack).
    Commit {
        change: Change,
    },
    Undo,
    Redo,
}

/// How spans may sit on top of each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Overlap {
    /// No two spans share a character (what CoNLL and spaCy's `doc.ents` need).
    #[default]
    Forbid,
    /// Spans may overlap and nest, but two spans of the same label never overlap.
    Allow,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    Empty { start: usize, end: usize },
    OutOfRange { end: usize, len: usize },
    NoLabel,
    NoSpan { start: usize, end: usize },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Empty { start, end } => {
                write!(f, "a span needs start < end (got {start}..{end})")
            }
            EditError::OutOfRange { end, len } => {
                write!(
                    f,
                    "span end {end} is past the end of the text ({len} code points)"
                )
            }
            EditError::NoLabel => write!(f, "a span needs a label"),
            EditError::NoSpan { start, end } => write!(f, "no span at {start}..{end}"),
        }
    }
}

impl std::error::Error for EditError {}

/// A document open for editing: its spans (kept sorted), its history and the
/// overlap rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Editor {
    pub doc: Document,
    #[serde(default)]
    pub history: History,
    #[serde(default)]
    pub overlap: Overlap,
    #[serde(skip)]
    len_chars: usize,
}

impl Editor {
    pub fn new(mut doc: Document, overlap: Overlap) -> Editor {
        doc.sort_spans();
        let len_chars = doc.len_chars();
        Editor {
            doc,
            history: History::default(),
            overlap,
            len_chars,
        }
    }

    /// Re-derives what is not serialized, after deserializing.
    pub fn restored(mut self) -> Editor {
        self.doc.sort_spans();
        self.len_chars = self.doc.len_chars();
        self
    }

    pub fn spans(&self) -> &[Span] {
        &self.doc.spans
    }

    pub fn can_undo(&self) -> bool {
        !self.history.done.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.history.undone.is_empty()
    }

    fn check(&self, start: usize, end: usize) -> Result<(), EditError> {
        if start >= end {
            return Err(EditError::Empty { start, end });
        }
        if end > self.len_chars {
            return Err(EditError::OutOfRange {
                end,
                len: self.len_chars,
            });
        }
        Ok(())
    }

    /// Adds a person's span. Under [`Overlap::Forbid`] it replaces every span it
    /// overlaps; under [`Overlap::Allow`] it replaces overlapping spans of its
    /// own label only. Adding a span that is already there as a suggestion
    /// accepts it; adding one that is already accepted changes nothing.
    pub fn add(&mut self, start: usize, end: usize, label: &str) -> Result<Change, EditError> {
        self.check(start, end)?;
        if label.is_empty() {
            return Err(EditError::NoLabel);
        }
        let exists = self.doc.spans.iter().any(|s| {
            s.start == start && s.end == end && s.label == label && s.source == Source::User
        });
        if exists {
            return Ok(Change::default());
        }
        let removed = self
            .doc
            .spans
            .iter()
            .filter(|s| {
                s.overlaps(start, end) && (self.overlap == Overlap::Forbid || s.label == label)
            })
            .cloned()
            .collect();
        let change = Change {
            removed,
            added: vec![Span::new(start, end, label)],
        };
        Ok(self.commit(change))
    }

    /// Adds several of a person's spans of one label as ONE undoable change
    /// (e.g. every occurrence of a string): each replaces what it overlaps as
    /// [`Editor::add`] does; places that already hold this span as the
    /// person's are left alone. The spans must not overlap each other.
    pub fn add_all(&mut self, places: &[(usize, usize)], label: &str) -> Result<Change, EditError> {
        if label.is_empty() {
            return Err(EditError::NoLabel);
        }
        for &(start, end) in places {
            self.check(start, end)?;
        }
        let mut change = Change::default();
        for &(start, end) in places {
            let exists = self.doc.spans.iter().any(|s| {
                s.start == start && s.end == end && s.label == label && s.source == Source::User
            });
            if exists {
                continue;
            }
            for s in &self.doc.spans {
                let clashes =
                    s.overlaps(start, end) && (self.overlap == Overlap::Forbid || s.label == label);
                if clashes && !change.removed.contains(s) {
                    change.removed.push(s.clone());
                }
            }
            change.added.push(Span::new(start, end, label));
        }
        Ok(self.commit(change))
    }

    /// Removes every span at exactly these offsets.
    pub fn remove(&mut self, start: usize, end: usize) -> Result<Change, EditError> {
        let removed: Vec<Span> = self.at(start, end).cloned().collect();
        if removed.is_empty() {
            return Err(EditError::NoSpan { start, end });
        }
        Ok(self.commit(Change {
            removed,
            added: Vec::new(),
        }))
    }

    /// Gives the span(s) at exactly these offsets a new label, as the person's.
    pub fn relabel(&mut self, start: usize, end: usize, label: &str) -> Result<Change, EditError> {
        if label.is_empty() {
            return Err(EditError::NoLabel);
        }
        if self.at(start, end).next().is_none() {
            return Err(EditError::NoSpan { start, end });
        }
        self.add(start, end, label)
    }

    /// Moves the edges of the span(s) at `start..end` to `new_start..new_end`,
    /// keeping the label.
    pub fn resize(
        &mut self,
        start: usize,
        end: usize,
        new_start: usize,
        new_end: usize,
    ) -> Result<Change, EditError> {
        self.check(new_start, new_end)?;
        let old: Vec<Span> = self.at(start, end).cloned().collect();
        let Some(first) = old.first() else {
            return Err(EditError::NoSpan { start, end });
        };
        let label = first.label.clone();
        let mut removed = old;
        for s in &self.doc.spans {
            let clashes = s.overlaps(new_start, new_end)
                && (self.overlap == Overlap::Forbid || s.label == label);
            if clashes && !removed.contains(s) {
                removed.push(s.clone());
            }
        }
        Ok(self.commit(Change {
            removed,
            added: vec![Span::new(new_start, new_end, label)],
        }))
    }

    /// Accepts the suggestion(s) at exactly these offsets as the person's.
    pub fn accept(&mut self, start: usize, end: usize) -> Result<Change, EditError> {
        let removed: Vec<Span> = self
            .at(start, end)
            .filter(|s| s.source.is_suggestion())
            .cloned()
            .collect();
        if removed.is_empty() {
            return Err(EditError::NoSpan { start, end });
        }
        let added = removed
            .iter()
            .map(|s| Span::new(s.start, s.end, s.label.clone()))
            .collect();
        Ok(self.commit(Change { removed, added }))
    }

    /// Rejects (removes) the suggestion(s) at exactly these offsets.
    pub fn reject(&mut self, start: usize, end: usize) -> Result<Change, EditError> {
        let removed: Vec<Span> = self
            .at(start, end)
            .filter(|s| s.source.is_suggestion())
            .cloned()
            .collect();
        if removed.is_empty() {
            return Err(EditError::NoSpan { start, end });
        }
        Ok(self.commit(Change {
            removed,
            added: Vec::new(),
        }))
    }

    /// Accepts every suggestion in the document as one undoable step.
    pub fn accept_all(&mut self) -> Change {
        let removed: Vec<Span> = self
            .doc
            .spans
            .iter()
            .filter(|s| s.source.is_suggestion())
            .cloned()
            .collect();
        let added = removed
            .iter()
            .map(|s| Span::new(s.start, s.end, s.label.clone()))
            .collect();
        self.commit(Change { removed, added })
    }

    /// Rejects every suggestion in the document as one undoable step.
    pub fn reject_all(&mut self) -> Change {
        let removed: Vec<Span> = self
            .doc
            .spans
            .iter()
            .filter(|s| s.source.is_suggestion())
            .cloned()
            .collect();
        self.commit(Change {
            removed,
            added: Vec::new(),
        })
    }

    /// Replaces the suggestions (not the person's spans) with a new set, e.g.
    /// from a re-run of the recognizer. Not an undoable step: suggestions are
    /// not the person's work. Suggestions that overlap a person's span are
    /// dropped under [`Overlap::Forbid`].
    pub fn set_suggestions(&mut self, suggestions: Vec<Span>) {
        self.clear_suggestions();
        self.add_suggestions(suggestions);
    }

    /// Drops every suggestion; whether there were any.
    pub fn clear_suggestions(&mut self) -> bool {
        let before = self.doc.spans.len();
        self.doc.spans.retain(|s| !s.source.is_suggestion());
        self.doc.spans.len() != before
    }

    /// Adds suggestions around the spans already there, which win: the
    /// person's, and suggestions added before. A long text's suggestions
    /// given a slice at a time, in text order, end as one
    /// [`Editor::set_suggestions`] of them all would; the page applies them
    /// so, a slice per task, to keep each task short.
    pub fn add_suggestions(&mut self, suggestions: Vec<Span>) {
        let mut suggestions = suggestions;
        suggestions.sort_by(Span::order);
        let (Some(lo), Some(hi)) = (
            suggestions.first().map(|s| s.start),
            suggestions.iter().map(|s| s.end).max(),
        ) else {
            return;
        };
        // The spans there that reach into the suggestions' range, grouped
        // by what they block (everything, or their own label), each group
        // sorted by start with a running maximum of ends: a suggestion is
        // blocked when some span starting before its end reaches past its
        // start. Only that range is grouped, so a slice costs what it holds
        // plus one cheap pass, not a grouping of every span in the text.
        let key = |label: &str| match self.overlap {
            Overlap::Forbid => String::new(),
            Overlap::Allow => label.to_string(),
        };
        let mut groups: std::collections::HashMap<String, Vec<(usize, usize)>> =
            std::collections::HashMap::new();
        for u in &self.doc.spans {
            if u.end > lo && u.start < hi {
                groups
                    .entry(key(&u.label))
                    .or_default()
                    .push((u.start, u.end));
            }
        }
        for g in groups.values_mut() {
            g.sort_unstable();
            let mut reach = 0;
            for e in g.iter_mut() {
                reach = reach.max(e.1);
                e.1 = reach;
            }
        }
        // Suggestions must not overlap each other either: taken in order,
        // each group remembers where its last kept suggestion ends.
        let mut kept_until: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        let mut kept = Vec::with_capacity(suggestions.len());
        for s in suggestions {
            let valid = s.start < s.end
                && s.end <= self.len_chars
                && s.source.is_suggestion()
                && !s.label.is_empty();
            let k = key(&s.label);
            let blocked = groups.get(&k).is_some_and(|g| {
                let i = g.partition_point(|&(start, _)| start < s.end);
                i > 0 && g[i - 1].1 > s.start
            }) || kept_until.get(&k).is_some_and(|&end| end > s.start);
            if valid && !blocked {
                kept_until.insert(k, s.end);
                kept.push(s);
            }
        }
        self.insert_sorted(kept);
    }

    /// Inserts spans sorted by [`Span::order`] into the sorted spans: where
    /// no span there falls between them (slices arriving in text order), in
    /// one splice; otherwise by sorting again.
    fn insert_sorted(&mut self, new: Vec<Span>) {
        let (Some(first), Some(last)) = (new.first(), new.last()) else {
            return;
        };
        let spans = &mut self.doc.spans;
        let at = spans.partition_point(|s| Span::order(s, first).is_lt());
        if spans.get(at).is_none_or(|s| Span::order(last, s).is_le()) {
            spans.splice(at..at, new);
        } else {
            spans.extend(new);
            self.doc.sort_spans();
        }
    }

    pub fn undo(&mut self) -> Option<Change> {
        let change = self.history.done.pop()?;
        self.apply(&change.inverse());
        self.history.undone.push(change.clone());
        Some(change.inverse())
    }

    pub fn redo(&mut self) -> Option<Change> {
        let change = self.history.undone.pop()?;
        self.apply(&change);
        self.history.done.push(change.clone());
        Some(change)
    }

    /// Spans at exactly these offsets.
    pub fn at(&self, start: usize, end: usize) -> impl Iterator<Item = &Span> {
        self.doc
            .spans
            .iter()
            .filter(move |s| s.start == start && s.end == end)
    }

    /// Applies logged steps in order, as they were first made. A step that no
    /// longer fits (an undo with nothing to undo) is skipped, never a panic.
    pub fn replay(&mut self, entries: &[LogEntry]) {
        for e in entries {
            match e {
                LogEntry::Commit { change } => {
                    self.commit(change.clone());
                }
                LogEntry::Undo => {
                    self.undo();
                }
                LogEntry::Redo => {
                    self.redo();
                }
            }
        }
    }

    fn commit(&mut self, change: Change) -> Change {
        if change.is_empty() {
            return change;
        }
        self.apply(&change);
        self.history.done.push(change.clone());
        self.history.undone.clear();
        change
    }

    fn apply(&mut self, change: &Change) {
        for r in &change.removed {
            if let Some(i) = self.doc.spans.iter().position(|s| s == r) {
                self.doc.spans.remove(i);
            }
        }
        for a in &change.added {
            let at = self
                .doc
                .spans
                .partition_point(|s| Span::order(s, a) == std::cmp::Ordering::Less);
            self.doc.spans.insert(at, a.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor(text: &str) -> Editor {
        Editor::new(Document::new("d", text), Overlap::Forbid)
    }

    fn suggestion(start: usize, end: usize, label: &str) -> Span {
        Span::new(start, end, label).with_source(Source::Model)
    }

    fn shape(e: &Editor) -> Vec<(usize, usize, &str, &str)> {
        e.spans()
            .iter()
            .map(|s| (s.start, s.end, s.label.as_str(), s.source.name()))
            .collect()
    }

    #[test]
    fn add_remove_undo_redo() {
        let mut e = editor("Angela Merkel visited Paris.");
        e.add(0, 13, "PER").unwrap();
        e.add(22, 27, "LOC").unwrap();
        assert_eq!(shape(&e), [(0, 13, "PER", "user"), (22, 27, "LOC", "user")]);
        e.remove(0, 13).unwrap();
        assert_eq!(shape(&e), [(22, 27, "LOC", "user")]);
        e.undo().unwrap();
        assert_eq!(e.spans().len(), 2);
        e.undo().unwrap();
        assert_eq!(shape(&e), [(0, 13, "PER", "user")]);
        e.redo().unwrap();
        e.redo().unwrap();
        assert_eq!(shape(&e), [(22, 27, "LOC", "user")]);
        assert!(e.redo().is_none());
        // A new edit after undo drops the redo stack.
        e.undo().unwrap();
        e.add(0, 6, "PER").unwrap();
        assert!(!e.can_redo());
    }

    #[test]
    fn person_span_replaces_overlapped_suggestions_and_undo_restores_them() {
        let mut e = editor("Bank of New York Mellon said");
        e.set_suggestions(vec![suggestion(0, 4, "ORG"), suggestion(8, 16, "LOC")]);
        e.add(0, 23, "ORG").unwrap();
        assert_eq!(shape(&e), [(0, 23, "ORG", "user")]);
        e.undo().unwrap();
        assert_eq!(shape(&e), [(0, 4, "ORG", "model"), (8, 16, "LOC", "model")]);
    }

    proptest::proptest! {
        /// Suggestions given a slice at a time, in text order, around the
        /// person's spans, end as all of them at once would.
        #[test]
        fn suggestions_in_slices_are_suggestions_at_once(
            person in proptest::collection::vec((0usize..200, 1usize..8, 0usize..3), 0..12),
            raw in proptest::collection::vec((0usize..200, 1usize..8, 0usize..3), 0..60),
            cuts in proptest::collection::vec(0usize..60, 0..5),
            allow in proptest::bool::ANY,
        ) {
            let labels = ["PER", "ORG", "LOC"];
            let overlap = if allow { Overlap::Allow } else { Overlap::Forbid };
            let mut whole = Editor::new(Document::new("d", "x".repeat(210)), overlap);
            for (start, len, l) in person {
                let _ = whole.add(start, start + len, labels[l]);
            }
            let mut sliced = whole.clone();
            let mut sugg: Vec<Span> = raw.iter().map(|&(s, len, l)| suggestion(s, s + len, labels[l])).collect();
            sugg.sort_by(Span::order);
            whole.set_suggestions(sugg.clone());
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(sugg.len())).collect();
            cuts.sort_unstable();
            cuts.push(sugg.len());
            sliced.set_suggestions(Vec::new());
            let mut from = 0;
            for to in cuts {
                sliced.add_suggestions(sugg[from..to].to_vec());
                from = to;
            }
            proptest::prop_assert_eq!(shape(&sliced), shape(&whole));
        }
    }

    #[test]
    fn overlap_allowed_keeps_other_labels_but_not_same_label() {
        let mut e = Editor::new(Document::new("d", "University of Oxford"), Overlap::Allow);
        e.add(0, 20, "ORG").unwrap();
        e.add(14, 20, "LOC").unwrap();
        assert_eq!(e.spans().len(), 2);
        e.add(11, 20, "ORG").unwrap();
        assert_eq!(
            shape(&e),
            [(11, 20, "ORG", "user"), (14, 20, "LOC", "user")]
        );
    }

    #[test]
    fn relabel_resize_accept_reject() {
        let mut e = editor("Jordan went to Jordan");
        e.set_suggestions(vec![suggestion(0, 6, "LOC"), suggestion(15, 21, "LOC")]);
        e.relabel(0, 6, "PER").unwrap();
        assert_eq!(shape(&e)[0], (0, 6, "PER", "user"));
        e.accept(15, 21).unwrap();
        assert_eq!(shape(&e)[1], (15, 21, "LOC", "user"));
        assert!(e.accept(15, 21).is_err(), "nothing left to accept there");
        e.resize(0, 6, 0, 11).unwrap();
        assert_eq!(shape(&e)[0], (0, 11, "PER", "user"));
        e.undo().unwrap();
        e.undo().unwrap();
        e.reject(15, 21).unwrap();
        assert_eq!(shape(&e), [(0, 6, "PER", "user")]);
        assert_eq!(
            e.relabel(3, 4, "X"),
            Err(EditError::NoSpan { start: 3, end: 4 })
        );
    }

    #[test]
    fn accept_all_is_one_step() {
        let mut e = editor("Apple and Google and Meta");
        e.set_suggestions(vec![
            suggestion(0, 5, "ORG"),
            suggestion(10, 16, "ORG"),
            suggestion(21, 25, "ORG"),
        ]);
        e.accept_all();
        assert!(e.spans().iter().all(|s| s.source == Source::User));
        e.undo().unwrap();
        assert!(e.spans().iter().all(|s| s.source == Source::Model));
    }

    #[test]
    fn bad_edits_change_nothing() {
        let mut e = editor("short");
        assert_eq!(e.add(3, 3, "X"), Err(EditError::Empty { start: 3, end: 3 }));
        assert_eq!(
            e.add(0, 9, "X"),
            Err(EditError::OutOfRange { end: 9, len: 5 })
        );
        assert_eq!(e.add(0, 2, ""), Err(EditError::NoLabel));
        assert_eq!(e.remove(0, 2), Err(EditError::NoSpan { start: 0, end: 2 }));
        assert!(e.spans().is_empty());
        assert!(!e.can_undo());
    }

    #[test]
    fn suggestions_never_cover_a_person_span() {
        let mut e = editor("Paris Hilton");
        e.add(0, 12, "PER").unwrap();
        e.set_suggestions(vec![suggestion(0, 5, "LOC")]);
        assert_eq!(shape(&e), [(0, 12, "PER", "user")]);
    }

    #[test]
    fn suggestions_blocked_only_where_a_person_span_overlaps() {
        let mut e = Editor::new(Document::new("d", "x".repeat(100)), Overlap::Allow);
        e.add(10, 20, "PER").unwrap();
        e.add(12, 14, "ORG").unwrap();
        e.add(50, 90, "LOC").unwrap();
        e.set_suggestions(vec![
            suggestion(0, 10, "PER"),  // touches, does not overlap
            suggestion(19, 25, "PER"), // overlaps PER
            suggestion(15, 16, "ORG"), // inside PER, other label: fine when allowed
            suggestion(60, 61, "LOC"), // inside LOC
            suggestion(95, 99, "LOC"),
        ]);
        let kept: Vec<_> = e
            .spans()
            .iter()
            .filter(|s| s.source == Source::Model)
            .map(|s| (s.start, s.end))
            .collect();
        assert_eq!(kept, [(0, 10), (15, 16), (95, 99)]);
        e.overlap = Overlap::Forbid;
        e.set_suggestions(vec![
            suggestion(15, 16, "ORG"),
            suggestion(20, 21, "X"),
            suggestion(49, 51, "X"),
        ]);
        let kept: Vec<_> = e
            .spans()
            .iter()
            .filter(|s| s.source == Source::Model)
            .map(|s| (s.start, s.end))
            .collect();
        assert_eq!(kept, [(20, 21)]);
    }

    #[test]
    fn a_snapshot_plus_its_log_restores_the_state() {
        let mut e = editor("Ana Lima met Kofi Mensah in Accra on Monday.");
        e.set_suggestions(vec![suggestion(28, 33, "LOC")]);
        let snapshot = e.clone();
        let mut log = Vec::new();
        let c = e.add(0, 8, "PER").unwrap();
        log.push(LogEntry::Commit { change: c });
        let c = e.add(13, 24, "PER").unwrap();
        log.push(LogEntry::Commit { change: c });
        e.undo();
        log.push(LogEntry::Undo);
        let c = e.accept(28, 33).unwrap();
        log.push(LogEntry::Commit { change: c });
        e.undo();
        log.push(LogEntry::Undo);
        e.redo();
        log.push(LogEntry::Redo);
        let json = serde_json::to_string(&log).unwrap();
        assert!(json.contains(r#"{"op":"undo"}"#), "{json}");
        let back: Vec<LogEntry> = serde_json::from_str(&json).unwrap();
        let mut restored = snapshot;
        restored.replay(&back);
        assert_eq!(restored, e);
        // Extra undos in a damaged log are skipped.
        restored.replay(&[
            LogEntry::Undo,
            LogEntry::Undo,
            LogEntry::Undo,
            LogEntry::Redo,
        ]);
    }

    #[test]
    fn state_round_trips_through_json() {
        let mut e = editor("Zoë 😀 Ball");
        e.add(0, 3, "PER").unwrap();
        e.add(6, 10, "PER").unwrap();
        e.undo();
        let json = serde_json::to_string(&e).unwrap();
        let back: Editor = serde_json::from_str::<Editor>(&json).unwrap().restored();
        assert_eq!(back, e);
        let mut back = back;
        back.redo().unwrap();
        assert_eq!(back.spans().len(), 2);
    }
}
