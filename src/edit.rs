//! Editing one document's spans as a person does, with undo and redo.
//!
//! Every command becomes a [`Change`]: the spans it removed and the spans it
//! added. Undo applies a change backwards, redo forwards, so one mechanism
//! covers adding, removing, relabelling, resizing and accepting, including a
//! person's span that replaces the suggestions it overlaps.
//!
//! Several tabs may edit one document (docs/ARCHITECTURE.md, "Other tabs"):
//! every step of the history and every edit-log entry names the tab that
//! made it, and undo and redo take back only the editor's own tab's steps,
//! as editors of shared documents do: the inverse of its last own step,
//! applied to the document as it is now, or nothing at all when another
//! tab has changed those spans since ([`Turn::Stale`]).

use crate::doc::{Document, Source, Span};
use crate::relations::{next_number, Relation};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One undoable edit: the spans it removed and added, the relations it
/// removed (`unlinked`) and added (`linked`), and the document's labels and
/// note before and after, when it changed them. The fields beyond the
/// spans are left out of a stored change that has none, so the changes of
/// earlier records read as they were written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Change {
    pub removed: Vec<Span>,
    pub added: Vec<Span>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unlinked: Vec<Relation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked: Vec<Relation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_labels: Option<Swap<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Swap<Option<String>>>,
}

/// A document-wide value before and after a change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Swap<T> {
    pub before: T,
    pub after: T,
}

impl<T: Clone> Swap<T> {
    fn inverse(&self) -> Swap<T> {
        Swap {
            before: self.after.clone(),
            after: self.before.clone(),
        }
    }
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty()
            && self.added.is_empty()
            && self.unlinked.is_empty()
            && self.linked.is_empty()
            && self.doc_labels.is_none()
            && self.note.is_none()
    }

    fn inverse(&self) -> Change {
        Change {
            removed: self.added.clone(),
            added: self.removed.clone(),
            unlinked: self.linked.clone(),
            linked: self.unlinked.clone(),
            doc_labels: self.doc_labels.as_ref().map(Swap::inverse),
            note: self.note.as_ref().map(Swap::inverse),
        }
    }
}

/// One step of the history: a change, the tab that made it ("" in
/// records from before tabs were told apart: nobody's now, see
/// [`Editor::adopt`]) and when (`at`, milliseconds since 1970: when it was
/// made, or last undone or redone; 0 when not known, as in records from
/// before). Stored as the change's fields plus `tab` and `at`, so that a
/// step of the earlier shape reads as one of tab "" at no known time. The
/// time is what a team's merge of one person's two devices goes by
/// (`sync::merge`: the later edit wins).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Step {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tab: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub at: u64,
    #[serde(flatten)]
    pub change: Change,
}

/// The undo and redo stacks of one document, every tab's steps in the order
/// they were made; persisted with it so that a reload keeps the undo
/// position.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct History {
    pub done: Vec<Step>,
    pub undone: Vec<Step>,
}

/// One step of a document's edit log: what the page writes to storage for
/// each edit (small, so an edit is durable in one short transaction), and what
/// [`Editor::replay`] applies on top of the last snapshot to restore it.
///
/// Each names its `tab` and its `base`: the revision of the stored snapshot
/// that tab's document was built on when it made the edit (an entry whose
/// base is older than the snapshot it is replayed on was made beside that
/// snapshot, not after it). Entries of the earlier shape (a bare
/// `{"op":"undo"}`) read as tab "" at base 0, and replay as before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum LogEntry {
    /// A new change (clears its tab's redo stack).
    Commit {
        change: Change,
        #[serde(default)]
        tab: String,
        #[serde(default)]
        base: u64,
        /// When it was made (see [`Step::at`]).
        #[serde(default, skip_serializing_if = "is_zero")]
        at: u64,
    },
    /// Its tab's last own step taken back.
    Undo {
        #[serde(default)]
        tab: String,
        #[serde(default)]
        base: u64,
        #[serde(default, skip_serializing_if = "is_zero")]
        at: u64,
    },
    /// Its tab's last undone step made again.
    Redo {
        #[serde(default)]
        tab: String,
        #[serde(default)]
        base: u64,
        #[serde(default, skip_serializing_if = "is_zero")]
        at: u64,
    },
}

/// A suggestion as the person's: the same span (id and note too), no
/// longer anybody else's, without the suggester's score.
fn accepted(s: &Span) -> Span {
    Span {
        source: Source::User,
        score: None,
        ..s.clone()
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What an undo or redo did.
#[derive(Clone, Debug, PartialEq)]
pub enum Turn {
    /// The tab has no step to take back (or make again).
    Nothing,
    /// Its step no longer fits the document (another tab changed those
    /// spans since): nothing was changed. The step as it would apply.
    Stale(Change),
    /// Applied: the change it made.
    Done(Change),
}

/// How spans may sit on top of each other: the project's overlap setting,
/// named `none`, `nested` and `any` (earlier states named the first and
/// last `forbid` and `allow`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Overlap {
    /// No two spans share a character (what CoNLL and spaCy's `doc.ents` need).
    #[default]
    #[serde(rename = "none", alias = "forbid")]
    Forbid,
    /// A span may contain or lie inside another ("Bank of [China]"), never
    /// cross one; two spans at the same offsets need different labels.
    #[serde(rename = "nested")]
    Nest,
    /// Spans may overlap and nest, but two spans of the same label never overlap.
    #[serde(rename = "any", alias = "allow")]
    Allow,
}

impl Overlap {
    /// The setting's name: `none`, `nested` or `any`.
    pub fn name(self) -> &'static str {
        match self {
            Overlap::Forbid => "none",
            Overlap::Nest => "nested",
            Overlap::Allow => "any",
        }
    }

    /// The looser of two settings (`none` < `nested` < `any`).
    pub fn looser(self, other: Overlap) -> Overlap {
        let rank = |o| match o {
            Overlap::Forbid => 0,
            Overlap::Nest => 1,
            Overlap::Allow => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    pub fn from_name(name: &str) -> Option<Overlap> {
        match name {
            "none" => Some(Overlap::Forbid),
            "nested" => Some(Overlap::Nest),
            "any" => Some(Overlap::Allow),
            _ => None,
        }
    }

    /// Whether `s` and a span `start..end` labelled `label` may not both
    /// stand: one replaces the other.
    pub fn clashes(self, s: &Span, start: usize, end: usize, label: &str) -> bool {
        if !s.overlaps(start, end) {
            return false;
        }
        match self {
            Overlap::Forbid => true,
            Overlap::Allow => s.label == label,
            Overlap::Nest => {
                let nested =
                    (s.start <= start && end <= s.end) || (start <= s.start && s.end <= end);
                !nested || (s.start == start && s.end == end && s.label == label)
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    Empty {
        start: usize,
        end: usize,
    },
    OutOfRange {
        end: usize,
        len: usize,
    },
    NoLabel,
    NoSpan {
        start: usize,
        end: usize,
    },
    /// A span to put in a stretch lies outside it.
    Outside {
        start: usize,
        end: usize,
    },
    /// No span has this id.
    NoSpanId(String),
    /// No relation has this id.
    NoRelation(String),
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
            EditError::Outside { start, end } => {
                write!(f, "the span {start}..{end} lies outside the stretch")
            }
            EditError::NoSpanId(id) => write!(f, "no span has the id {id:?}"),
            EditError::NoRelation(id) => write!(f, "no relation has the id {id:?}"),
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
    /// The tab this editor edits for: its steps are the ones undo takes.
    #[serde(skip)]
    pub tab: String,
    /// The time its next step is made at (see [`Step::at`]; 0: not known).
    #[serde(skip)]
    pub now: u64,
    #[serde(skip)]
    len_chars: usize,
    /// The number of the next span id handed out (`T<n>`): past every id
    /// in the document and its history, so undo never brings back a span
    /// whose id another has taken.
    #[serde(skip)]
    next_span: u64,
    /// The same for relation ids (`R<n>`).
    #[serde(skip)]
    next_relation: u64,
}

impl Editor {
    /// An editor over `doc`, every span of which gets an id (see
    /// [`Document::number_ids`]).
    pub fn new(mut doc: Document, overlap: Overlap) -> Editor {
        doc.sort_spans();
        doc.number_ids();
        let len_chars = doc.len_chars();
        let mut e = Editor {
            doc,
            history: History::default(),
            overlap,
            tab: String::new(),
            now: 0,
            len_chars,
            next_span: 1,
            next_relation: 1,
        };
        e.count_ids();
        e
    }

    /// Re-derives what is not serialized, after deserializing.
    pub fn restored(mut self) -> Editor {
        self.doc.sort_spans();
        self.doc.number_ids();
        self.len_chars = self.doc.len_chars();
        self.count_ids();
        self
    }

    /// Sets the id counter past every id in the document and its history.
    pub fn count_ids(&mut self) {
        let h = &self.history;
        let steps = h.done.iter().chain(&h.undone).map(|s| &s.change);
        let in_steps = steps.flat_map(|c| c.added.iter().chain(&c.removed));
        let ids = self.doc.spans.iter().chain(in_steps);
        self.next_span = next_number('T', ids.filter_map(|s| s.id.as_deref()));
        let steps = h.done.iter().chain(&h.undone).map(|s| &s.change);
        let in_steps = steps.flat_map(|c| c.linked.iter().chain(&c.unlinked));
        let ids = self.doc.relations.iter().chain(in_steps);
        self.next_relation = next_number('R', ids.map(|r| r.id.as_str()));
    }

    /// Adds to the change the relations of every span it removes for good
    /// (not added back under its id): a span never leaves a relation
    /// pointing nowhere, and one undo brings both back.
    fn unlink_removed(&self, change: &mut Change) {
        if self.doc.relations.is_empty() {
            return;
        }
        let kept: std::collections::HashSet<&str> = change
            .added
            .iter()
            .filter_map(|s| s.id.as_deref())
            .collect();
        let gone: std::collections::HashSet<&str> = self
            .places(&change.removed)
            .into_iter()
            .flatten()
            .filter_map(|i| self.doc.spans[i].id.as_deref())
            .filter(|id| !kept.contains(id))
            .collect();
        for r in &self.doc.relations {
            let cut = gone.contains(r.from.as_str()) || gone.contains(r.to.as_str());
            if cut && !change.unlinked.contains(r) {
                change.unlinked.push(r.clone());
            }
        }
    }

    /// A relation `label` from the span with id `from` to the one with id
    /// `to`, as one undoable change; it gets the next `R<n>`.
    pub fn add_relation(&mut self, from: &str, to: &str, label: &str) -> Result<Change, EditError> {
        if label.is_empty() {
            return Err(EditError::NoLabel);
        }
        for id in [from, to] {
            if !self.doc.spans.iter().any(|s| s.id.as_deref() == Some(id)) {
                return Err(EditError::NoSpanId(id.to_string()));
            }
        }
        let same =
            |r: &&Relation| (r.from.as_str(), r.to.as_str(), r.label.as_str()) == (from, to, label);
        if self.doc.relations.iter().any(|r| same(&r)) {
            return Ok(Change::default());
        }
        self.next_relation += 1;
        let relation = Relation {
            id: format!("R{}", self.next_relation - 1),
            from: from.to_string(),
            to: to.to_string(),
            label: label.to_string(),
        };
        Ok(self.commit(Change {
            linked: vec![relation],
            ..Change::default()
        }))
    }

    pub fn remove_relation(&mut self, id: &str) -> Result<Change, EditError> {
        let Some(r) = self.doc.relations.iter().find(|r| r.id == id) else {
            return Err(EditError::NoRelation(id.to_string()));
        };
        Ok(self.commit(Change {
            unlinked: vec![r.clone()],
            ..Change::default()
        }))
    }

    /// Sets the document's labels (in the order given, each once).
    pub fn set_doc_labels(&mut self, labels: &[String]) -> Change {
        let mut after: Vec<String> = Vec::new();
        for l in labels {
            if !after.contains(l) {
                after.push(l.clone());
            }
        }
        if after == self.doc.doc_labels {
            return Change::default();
        }
        self.commit(Change {
            doc_labels: Some(Swap {
                before: self.doc.doc_labels.clone(),
                after,
            }),
            ..Change::default()
        })
    }

    /// Sets the note of the span with id `span`, or of the document when
    /// `None`; an empty text clears it.
    pub fn set_note(&mut self, span: Option<&str>, text: &str) -> Result<Change, EditError> {
        let after = (!text.is_empty()).then(|| text.to_string());
        let Some(id) = span else {
            if after == self.doc.note {
                return Ok(Change::default());
            }
            return Ok(self.commit(Change {
                note: Some(Swap {
                    before: self.doc.note.clone(),
                    after,
                }),
                ..Change::default()
            }));
        };
        let Some(s) = self.doc.spans.iter().find(|s| s.id.as_deref() == Some(id)) else {
            return Err(EditError::NoSpanId(id.to_string()));
        };
        if s.note == after {
            return Ok(Change::default());
        }
        let noted = Span {
            note: after,
            ..s.clone()
        };
        Ok(self.commit(Change {
            removed: vec![s.clone()],
            added: vec![noted],
            ..Change::default()
        }))
    }

    fn fresh_span_id(&mut self) -> String {
        self.next_span += 1;
        format!("T{}", self.next_span - 1)
    }

    /// Gives each added span without an id one: the id (and note) of a span
    /// it replaces at the same offsets (a relabel, an accepted suggestion
    /// drawn over: the span stays the same span to its relations), else a
    /// fresh one.
    fn name_added(&mut self, change: &mut Change) {
        let mut taken: std::collections::HashSet<String> =
            change.added.iter().filter_map(|a| a.id.clone()).collect();
        for i in 0..change.added.len() {
            if change.added[i].id.is_some() {
                continue;
            }
            let a = &change.added[i];
            let heir = change
                .removed
                .iter()
                .filter(|r| (r.start, r.end) == (a.start, a.end))
                .find(|r| r.id.as_ref().is_some_and(|id| !taken.contains(id)))
                .map(|r| (r.id.clone(), r.note.clone()));
            let (id, note) = match heir {
                Some((id, note)) => (id.expect("found by its id"), note),
                None => (self.fresh_span_id(), None),
            };
            taken.insert(id.clone());
            let a = &mut change.added[i];
            a.id = Some(id);
            if a.note.is_none() {
                a.note = note;
            }
        }
    }

    pub fn spans(&self) -> &[Span] {
        &self.doc.spans
    }

    pub fn can_undo(&self) -> bool {
        self.history.done.iter().any(|s| s.tab == self.tab)
    }

    pub fn can_redo(&self) -> bool {
        self.history.undone.iter().any(|s| s.tab == self.tab)
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
            .filter(|s| self.overlap.clashes(s, start, end, label))
            .cloned()
            .collect();
        let change = Change {
            removed,
            added: vec![Span::new(start, end, label)],
            ..Change::default()
        };
        Ok(self.commit(change))
    }

    /// Adds several of a person's spans of one label as ONE undoable change
    /// (e.g. every occurrence of a string); see [`Editor::add_spans`].
    pub fn add_all(&mut self, places: &[(usize, usize)], label: &str) -> Result<Change, EditError> {
        let spans: Vec<Span> = places
            .iter()
            .map(|&(start, end)| Span::new(start, end, label))
            .collect();
        if label.is_empty() {
            return Err(EditError::NoLabel);
        }
        self.add_spans(&spans)
    }

    /// Adds several of a person's spans, of any labels, as ONE undoable
    /// change (every occurrence of a string; a curator taking the spans the
    /// annotators agree on): each replaces what it overlaps as
    /// [`Editor::add`] does; places that already hold the span as the
    /// person's are left alone. The spans must not overlap each other.
    pub fn add_spans(&mut self, spans: &[Span]) -> Result<Change, EditError> {
        for s in spans {
            self.check(s.start, s.end)?;
            if s.label.is_empty() {
                return Err(EditError::NoLabel);
            }
        }
        let mut change = Change::default();
        for span in spans {
            let (start, end, label) = (span.start, span.end, span.label.as_str());
            let exists = self.doc.spans.iter().any(|s| {
                s.start == start && s.end == end && s.label == label && s.source == Source::User
            });
            if exists {
                continue;
            }
            for s in &self.doc.spans {
                let clashes = self.overlap.clashes(s, start, end, label);
                if clashes && !change.removed.contains(s) {
                    change.removed.push(s.clone());
                }
            }
            change.added.push(Span::new(start, end, label));
        }
        Ok(self.commit(change))
    }

    /// Replaces every span overlapping `start..end` (suggestions too) by
    /// `spans`, as ONE undoable change: a curator taking one annotator's
    /// version of a stretch. Spans already there as the person's stay (the
    /// change holds only what differs); `spans` must lie within the
    /// stretch and not overlap each other.
    pub fn replace_within(
        &mut self,
        start: usize,
        end: usize,
        spans: &[Span],
    ) -> Result<Change, EditError> {
        self.check(start, end)?;
        for s in spans {
            self.check(s.start, s.end)?;
            if s.label.is_empty() {
                return Err(EditError::NoLabel);
            }
            if s.start < start || s.end > end {
                return Err(EditError::Outside {
                    start: s.start,
                    end: s.end,
                });
            }
        }
        let kept = |s: &Span| {
            s.source == Source::User
                && spans
                    .iter()
                    .any(|n| (n.start, n.end, &n.label) == (s.start, s.end, &s.label))
        };
        let there: Vec<&Span> = self
            .doc
            .spans
            .iter()
            .filter(|s| s.overlaps(start, end))
            .collect();
        let removed = there
            .iter()
            .filter(|s| !kept(s))
            .map(|s| (*s).clone())
            .collect();
        let mut added: Vec<Span> = Vec::new();
        for n in spans {
            let held = there
                .iter()
                .any(|s| kept(s) && (s.start, s.end, &s.label) == (n.start, n.end, &n.label));
            if !held && !added.iter().any(|a| a == n) {
                added.push(Span::new(n.start, n.end, n.label.clone()));
            }
        }
        Ok(self.commit(Change {
            removed,
            added,
            ..Change::default()
        }))
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
            ..Change::default()
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
        let (id, note) = (first.id.clone(), first.note.clone());
        let mut removed = old;
        for s in &self.doc.spans {
            let clashes = self.overlap.clashes(s, new_start, new_end, &label);
            if clashes && !removed.contains(s) {
                removed.push(s.clone());
            }
        }
        let mut resized = Span::new(new_start, new_end, label);
        (resized.id, resized.note) = (id, note);
        Ok(self.commit(Change {
            removed,
            added: vec![resized],
            ..Change::default()
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
        let added = removed.iter().map(accepted).collect();
        Ok(self.commit(Change {
            removed,
            added,
            ..Change::default()
        }))
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
            ..Change::default()
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
        let added = removed.iter().map(accepted).collect();
        self.commit(Change {
            removed,
            added,
            ..Change::default()
        })
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
            ..Change::default()
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
        let reach = Reach::new(
            self.doc.spans.iter().filter(|u| u.end > lo && u.start < hi),
            self.overlap,
        );
        // Suggestions must not overlap each other either: taken in order,
        // each group remembers where its last kept suggestion ends (a list:
        // there are as many groups as labels at most, and this runs for
        // every suggestion of a new document).
        let mut kept_until: Vec<(&str, usize)> = Vec::new();
        let keep: Vec<bool> = suggestions
            .iter()
            .map(|s| {
                let valid = s.start < s.end
                    && s.end <= self.len_chars
                    && s.source.is_suggestion()
                    && !s.label.is_empty();
                let k = reach.key(&s.label);
                let group = kept_until.iter().position(|g| g.0 == k);
                let blocked = reach.meets(s) || group.is_some_and(|g| kept_until[g].1 > s.start);
                if valid && !blocked {
                    match group {
                        Some(g) => kept_until[g].1 = s.end,
                        None => kept_until.push((k, s.end)),
                    }
                }
                valid && !blocked
            })
            .collect();
        drop(reach);
        let mut kept: Vec<Span> = suggestions
            .into_iter()
            .zip(keep)
            .filter_map(|(s, k)| k.then_some(s))
            .collect();
        for s in kept.iter_mut().filter(|s| s.id.is_none()) {
            s.id = Some(self.fresh_span_id());
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

    /// Takes back this tab's last own step; `None` when there is none or it
    /// no longer fits (see [`Editor::try_undo`]).
    pub fn undo(&mut self) -> Option<Change> {
        match self.try_undo() {
            Turn::Done(c) => Some(c),
            _ => None,
        }
    }

    pub fn redo(&mut self) -> Option<Change> {
        match self.try_redo() {
            Turn::Done(c) => Some(c),
            _ => None,
        }
    }

    pub fn try_undo(&mut self) -> Turn {
        let tab = self.tab.clone();
        self.turn(&tab, true, self.now)
    }

    pub fn try_redo(&mut self) -> Turn {
        let tab = self.tab.clone();
        self.turn(&tab, false, self.now)
    }

    /// Moves `tab`'s last step from one stack to the other (`back`: from
    /// done to undone, applying its inverse), if it fits the spans as they
    /// are now; the step is then stamped `at` (when known).
    fn turn(&mut self, tab: &str, back: bool, at: u64) -> Turn {
        let (from, _) = self.stacks(back);
        let Some(i) = from.iter().rposition(|s| s.tab == tab) else {
            return Turn::Nothing;
        };
        let step = &from[i].change;
        let change = if back { step.inverse() } else { step.clone() };
        if !self.fits(&change) {
            return Turn::Stale(change);
        }
        self.apply(&change);
        let (from, to) = self.stacks(back);
        let mut step = from.remove(i);
        if at > 0 {
            step.at = at;
        }
        to.push(step);
        Turn::Done(change)
    }

    fn stacks(&mut self, back: bool) -> (&mut Vec<Step>, &mut Vec<Step>) {
        let h = &mut self.history;
        if back {
            (&mut h.done, &mut h.undone)
        } else {
            (&mut h.undone, &mut h.done)
        }
    }

    /// Whether a change applies to the spans as they are: every span it
    /// removes is there, and no span it adds meets one that stays (under
    /// the overlap rule), an equal one included.
    fn fits(&self, change: &Change) -> bool {
        let Some(gone) = self
            .places(&change.removed)
            .into_iter()
            .collect::<Option<Vec<_>>>()
        else {
            return false;
        };
        let gone = self.marks(gone);
        if !self.relations_fit(change, &gone) {
            return false;
        }
        let reach = Reach::new(change.added.iter(), self.overlap);
        let ids: std::collections::HashSet<&str> = change
            .added
            .iter()
            .filter_map(|s| s.id.as_deref())
            .collect();
        !self.doc.spans.iter().zip(gone).any(|(s, gone)| {
            !gone && (reach.meets(s) || s.id.as_deref().is_some_and(|id| ids.contains(id)))
        })
    }

    /// Whether the change's relations and document fields fit the
    /// document as it is (`gone`: the spans it removes): the relations it
    /// removes are there, those it adds join spans there after it, and the
    /// labels and note it replaces are what the document holds.
    fn relations_fit(&self, change: &Change, gone: &[bool]) -> bool {
        let rels = &self.doc.relations;
        if !change.unlinked.iter().all(|r| rels.contains(r)) {
            return false;
        }
        if change
            .doc_labels
            .as_ref()
            .is_some_and(|s| s.before != self.doc.doc_labels)
            || change
                .note
                .as_ref()
                .is_some_and(|s| s.before != self.doc.note)
        {
            return false;
        }
        if change.linked.is_empty() {
            return true;
        }
        let ends: std::collections::HashSet<&str> = self
            .doc
            .spans
            .iter()
            .zip(gone)
            .filter(|(_, g)| !**g)
            .filter_map(|(s, _)| s.id.as_deref())
            .chain(change.added.iter().filter_map(|a| a.id.as_deref()))
            .collect();
        change.linked.iter().all(|r| {
            ends.contains(r.from.as_str())
                && ends.contains(r.to.as_str())
                && !rels
                    .iter()
                    .any(|o| o.id == r.id && !change.unlinked.contains(o))
        })
    }

    /// Where each of `wanted` is in the sorted spans, each place taken
    /// once (`None`: not there). Found by binary search: a change of many
    /// spans costs what it holds, not that times the document's spans.
    fn places(&self, wanted: &[Span]) -> Vec<Option<usize>> {
        let spans = &self.doc.spans;
        let mut taken = std::collections::HashSet::new();
        wanted
            .iter()
            .map(|w| {
                let mut i = spans.partition_point(|s| Span::order(s, w).is_lt());
                while let Some(s) = spans.get(i) {
                    if Span::order(s, w).is_gt() {
                        break;
                    }
                    if s == w && taken.insert(i) {
                        return Some(i);
                    }
                    i += 1;
                }
                None
            })
            .collect()
    }

    /// A flag per span: whether it is at one of `places`.
    fn marks(&self, places: impl IntoIterator<Item = usize>) -> Vec<bool> {
        let mut marked = vec![false; self.doc.spans.len()];
        for i in places {
            marked[i] = true;
        }
        marked
    }

    /// Steps of tabs that are gone (`live` says which are not) become this
    /// editor's tab's, so that a tab opened after a restart can undo what
    /// the closed one did; whether any did.
    pub fn adopt(&mut self, live: impl Fn(&str) -> bool) -> bool {
        let mut any = false;
        let steps = self.history.done.iter_mut().chain(&mut self.history.undone);
        for s in steps {
            if s.tab != self.tab && !live(&s.tab) {
                s.tab = self.tab.clone();
                any = true;
            }
        }
        any
    }

    /// Spans at exactly these offsets.
    pub fn at(&self, start: usize, end: usize) -> impl Iterator<Item = &Span> {
        self.doc
            .spans
            .iter()
            .filter(move |s| s.start == start && s.end == end)
    }

    /// Applies logged steps in order, as they were first made, each as its
    /// tab's. A change is applied to the spans as they are (tabs edit side
    /// by side: the spans it removes may be gone, a span it adds replaces
    /// what it meets, as [`Editor::add`] does); a step that no longer fits
    /// (an undo with nothing to undo) is skipped, never a panic. Every tab
    /// replaying the same log on the same snapshot ends in the same state.
    pub fn replay(&mut self, entries: &[LogEntry]) {
        for e in entries {
            match e {
                LogEntry::Commit {
                    change, tab, at, ..
                } => {
                    let change = self.rebase(change);
                    self.commit_as(tab, change, *at);
                }
                LogEntry::Undo { tab, at, .. } => {
                    self.turn(tab, true, *at);
                }
                LogEntry::Redo { tab, at, .. } => {
                    self.turn(tab, false, *at);
                }
            }
        }
    }

    /// The change as it applies to the spans now: removing those of its
    /// removed spans still there and whatever its added spans meet, adding
    /// those not there already.
    /// An added span whose id a span that stays holds (two tabs numbered
    /// spans side by side) gets a fresh one: every tab replaying the log
    /// numbers it alike.
    fn rebase(&mut self, change: &Change) -> Change {
        let there = self.places(&change.added);
        let mut added: Vec<Span> = change
            .added
            .iter()
            .zip(&there)
            .filter(|(_, at)| at.is_none())
            .map(|(a, _)| a.clone())
            .collect();
        let named = self.marks(self.places(&change.removed).into_iter().flatten());
        let kept = self.marks(there.into_iter().flatten());
        let reach = Reach::new(added.iter(), self.overlap);
        let gone: Vec<bool> = self
            .doc
            .spans
            .iter()
            .enumerate()
            .map(|(i, s)| !kept[i] && (named[i] || reach.meets(s)))
            .collect();
        let spans = self.doc.spans.iter().zip(&gone);
        let removed = spans.clone().filter(|(_, g)| **g).map(|(s, _)| s.clone());
        let removed = removed.collect();
        let held: std::collections::HashSet<String> = spans
            .filter(|(_, g)| !**g)
            .filter_map(|(s, _)| s.id.clone())
            .collect();
        let mut renamed = std::collections::HashMap::new();
        for a in &mut added {
            if let Some(id) = a.id.clone().filter(|id| held.contains(id)) {
                let fresh = self.fresh_span_id();
                renamed.insert(id, fresh.clone());
                a.id = Some(fresh);
            }
        }
        // Relations: those it removes that are still there; those it adds
        // whose id is free and whose spans are there after it.
        let ends: std::collections::HashSet<&str> = held
            .iter()
            .map(String::as_str)
            .chain(added.iter().filter_map(|a| a.id.as_deref()))
            .collect();
        let unlinked = change
            .unlinked
            .iter()
            .filter(|r| self.doc.relations.contains(r))
            .cloned()
            .collect();
        let linked: Vec<Relation> = change
            .linked
            .iter()
            .map(|r| {
                let mut r = r.clone();
                for end in [&mut r.from, &mut r.to] {
                    if let Some(new) = renamed.get(end.as_str()) {
                        *end = new.clone();
                    }
                }
                r
            })
            .filter(|r| {
                ends.contains(r.from.as_str())
                    && ends.contains(r.to.as_str())
                    && !self.doc.relations.iter().any(|o| o.id == r.id)
            })
            .collect();
        let mut out = Change {
            removed,
            added,
            unlinked,
            linked,
            doc_labels: change.doc_labels.clone(),
            note: change.note.clone(),
        };
        self.unlink_removed(&mut out);
        out
    }

    fn commit(&mut self, mut change: Change) -> Change {
        self.name_added(&mut change);
        self.unlink_removed(&mut change);
        let tab = self.tab.clone();
        self.commit_as(&tab, change, self.now)
    }

    fn commit_as(&mut self, tab: &str, change: Change, at: u64) -> Change {
        if change.is_empty() {
            return change;
        }
        self.apply(&change);
        self.history.done.push(Step {
            tab: tab.to_string(),
            at,
            change: change.clone(),
        });
        self.history.undone.retain(|s| s.tab != tab);
        change
    }

    fn apply(&mut self, change: &Change) {
        if !change.unlinked.is_empty() {
            self.doc.relations.retain(|r| !change.unlinked.contains(r));
        }
        self.doc.relations.extend(change.linked.iter().cloned());
        let newest = next_number('R', change.linked.iter().map(|r| r.id.as_str()));
        self.next_relation = self.next_relation.max(newest);
        if let Some(s) = &change.doc_labels {
            self.doc.doc_labels = s.after.clone();
        }
        if let Some(s) = &change.note {
            self.doc.note = s.after.clone();
        }
        self.apply_spans(change);
    }

    fn apply_spans(&mut self, change: &Change) {
        let gone: Vec<usize> = self.places(&change.removed).into_iter().flatten().collect();
        if !gone.is_empty() {
            let gone = self.marks(gone);
            let mut i = 0;
            self.doc.spans.retain(|_| {
                i += 1;
                !gone[i - 1]
            });
        }
        let newest = next_number('T', change.added.iter().filter_map(|s| s.id.as_deref()));
        self.next_span = self.next_span.max(newest);
        if change.added.len() > 64 {
            // Many (accept all): sorted once, not shifted once each.
            self.doc.spans.extend(change.added.iter().cloned());
            self.doc.sort_spans();
            return;
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

/// Spans a span would meet, found fast: grouped by what they block
/// (everything under [`Overlap::Forbid`], their own label under
/// [`Overlap::Allow`]), each group sorted by start with a running maximum of
/// ends: a span is met when one starting before its end reaches past its
/// start. Under [`Overlap::Nest`] overlapping is not enough (containing is
/// allowed), so the spans starting before its end are each asked.
struct Reach<'a> {
    overlap: Overlap,
    groups: std::collections::HashMap<&'a str, Vec<(usize, usize)>>,
    /// Under [`Overlap::Nest`]: the spans, sorted by start.
    nested: Vec<Span>,
}

impl<'a> Reach<'a> {
    fn new(spans: impl Iterator<Item = &'a Span>, overlap: Overlap) -> Reach<'a> {
        let mut reach = Reach {
            overlap,
            groups: std::collections::HashMap::new(),
            nested: Vec::new(),
        };
        if overlap == Overlap::Nest {
            reach.nested = spans.cloned().collect();
            reach.nested.sort_by_key(|s| s.start);
            return reach;
        }
        for u in spans {
            let k = reach.key(&u.label);
            reach.groups.entry(k).or_default().push((u.start, u.end));
        }
        for g in reach.groups.values_mut() {
            g.sort_unstable();
            let mut most = 0;
            for e in g.iter_mut() {
                most = most.max(e.1);
                e.1 = most;
            }
        }
        reach
    }

    fn key<'l>(&self, label: &'l str) -> &'l str {
        match self.overlap {
            Overlap::Forbid | Overlap::Nest => "",
            Overlap::Allow => label,
        }
    }

    fn meets(&self, s: &Span) -> bool {
        if self.overlap == Overlap::Nest {
            let before = self.nested.partition_point(|u| u.start < s.end);
            return self.nested[..before]
                .iter()
                .any(|u| Overlap::Nest.clashes(u, s.start, s.end, &s.label));
        }
        self.groups.get(self.key(&s.label)).is_some_and(|g| {
            let i = g.partition_point(|&(start, _)| start < s.end);
            i > 0 && g[i - 1].1 > s.start
        })
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

    fn named(start: usize, end: usize, label: &str, id: &str) -> Span {
        Span {
            id: Some(id.into()),
            ..Span::new(start, end, label)
        }
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
    fn nesting_keeps_spans_inside_each_other_and_replaces_crossing_ones() {
        let mut e = Editor::new(Document::new("d", "Bank of China said"), Overlap::Nest);
        e.add(0, 13, "ORG").unwrap();
        e.add(8, 13, "LOC").unwrap();
        e.add(8, 13, "GPE").unwrap();
        assert_eq!(
            shape(&e),
            [
                (0, 13, "ORG", "user"),
                (8, 13, "GPE", "user"),
                (8, 13, "LOC", "user")
            ],
            "inside, and at the same offsets with another label"
        );
        e.add(5, 18, "X").unwrap();
        assert_eq!(
            shape(&e),
            [
                (5, 18, "X", "user"),
                (8, 13, "GPE", "user"),
                (8, 13, "LOC", "user")
            ],
            "crossing ORG replaces it; containing the rest keeps them"
        );
        e.undo().unwrap();
        e.set_suggestions(vec![
            suggestion(0, 13, "ORG"),
            suggestion(0, 4, "ORG"),
            suggestion(10, 16, "MISC"),
        ]);
        let suggested: Vec<_> = e
            .spans()
            .iter()
            .filter(|s| s.source == Source::Model)
            .collect();
        assert_eq!(
            suggested
                .iter()
                .map(|s| (s.start, s.end))
                .collect::<Vec<_>>(),
            [(0, 4)],
            "a repeat and a crossing suggestion are kept out"
        );
    }

    #[test]
    fn every_span_has_an_id_that_stays_through_relabel_resize_accept_and_undo() {
        let mut d = Document::new("d", "Ana Lima met Kofi in Accra");
        d.spans.push(Span::new(0, 3, "PER"));
        let mut e = Editor::new(d, Overlap::Forbid);
        assert_eq!(e.spans()[0].id.as_deref(), Some("T1"), "given on entering");
        e.set_suggestions(vec![suggestion(21, 26, "LOC")]);
        let accra = e.spans()[1].id.clone().unwrap();
        assert_eq!(accra, "T2");
        e.accept(21, 26).unwrap();
        e.relabel(21, 26, "GPE").unwrap();
        assert_eq!(
            e.spans()[1].id.as_deref(),
            Some("T2"),
            "accepted, relabelled: one span"
        );
        e.resize(0, 3, 0, 8).unwrap();
        assert_eq!(e.spans()[0].id.as_deref(), Some("T1"), "resized");
        let c = e.add(13, 17, "PER").unwrap();
        assert_eq!(c.added[0].id.as_deref(), Some("T3"));
        e.remove(13, 17).unwrap();
        e.undo().unwrap();
        assert_eq!(
            e.spans()[1].id.as_deref(),
            Some("T3"),
            "undo brings the same span"
        );
        e.undo().unwrap();
        let c = e.add(9, 12, "X").unwrap();
        assert_eq!(
            c.added[0].id.as_deref(),
            Some("T4"),
            "an id is never handed out twice"
        );
        let back: Editor = serde_json::from_str::<Editor>(&serde_json::to_string(&e).unwrap())
            .unwrap()
            .restored();
        let mut back = back;
        assert_eq!(
            back.add(18, 20, "Y").unwrap().added[0].id.as_deref(),
            Some("T5")
        );
    }

    fn relations(e: &Editor) -> Vec<(&str, &str, &str, &str)> {
        e.doc
            .relations
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.from.as_str(),
                    r.to.as_str(),
                    r.label.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn removing_a_span_removes_its_relations_in_one_step_and_undo_brings_both_back() {
        let mut e = editor("Ana Lima works for Acme in Accra.");
        e.add(0, 8, "PER").unwrap();
        e.add(19, 23, "ORG").unwrap();
        e.add(27, 32, "LOC").unwrap();
        e.add_relation("T1", "T2", "works_for").unwrap();
        e.add_relation("T2", "T3", "based_in").unwrap();
        assert_eq!(
            e.add_relation("T1", "T9", "x"),
            Err(EditError::NoSpanId("T9".into()))
        );
        e.relabel(19, 23, "COMPANY").unwrap();
        assert_eq!(
            relations(&e).len(),
            2,
            "a relabelled span keeps its relations"
        );
        let c = e.remove(19, 23).unwrap();
        assert_eq!(c.unlinked.len(), 2);
        assert!(e.doc.relations.is_empty());
        e.undo().unwrap();
        assert_eq!(
            relations(&e),
            [
                ("R1", "T1", "T2", "works_for"),
                ("R2", "T2", "T3", "based_in")
            ]
        );
        assert_eq!(shape(&e)[1], (19, 23, "COMPANY", "user"));
        e.remove_relation("R1").unwrap();
        assert_eq!(relations(&e), [("R2", "T2", "T3", "based_in")]);
        e.undo().unwrap();
        assert_eq!(relations(&e).len(), 2);
        assert_eq!(
            e.remove_relation("R7"),
            Err(EditError::NoRelation("R7".into()))
        );
        // A span drawn over a related one (no overlap allowed) cuts it too.
        e.add(0, 12, "PER").unwrap();
        assert_eq!(relations(&e), [("R2", "T2", "T3", "based_in")]);
    }

    #[test]
    fn document_labels_and_notes_are_undoable_steps_that_replay() {
        let start = editor("Ana Lima met Kofi.");
        let mut e = tab(&start, "A");
        let mut log = Vec::new();
        e.add(0, 8, "PER").unwrap();
        log.push(commit("A", e.history.done[0].change.clone()));
        let c = e.set_doc_labels(&["sports".into(), "news".into(), "sports".into()]);
        log.push(commit("A", c));
        assert_eq!(e.doc.doc_labels, ["sports", "news"]);
        log.push(commit("A", e.set_note(None, "check the name").unwrap()));
        log.push(commit(
            "A",
            e.set_note(Some("T1"), "Lima or Lina?").unwrap(),
        ));
        assert_eq!(e.spans()[0].note.as_deref(), Some("Lima or Lina?"));
        assert_eq!(
            e.spans()[0].id.as_deref(),
            Some("T1"),
            "a note keeps the span"
        );
        assert!(e.set_note(Some("T1"), "Lima or Lina?").unwrap().is_empty());
        let mut other = tab(&start, "B");
        other.replay(&log);
        assert_eq!((&other.doc, &other.history), (&e.doc, &e.history));
        assert_eq!(other.doc.note.as_deref(), Some("check the name"));
        e.undo().unwrap();
        assert_eq!(e.spans()[0].note, None);
        e.undo().unwrap();
        assert_eq!(e.doc.note, None);
        e.undo().unwrap();
        assert!(e.doc.doc_labels.is_empty());
        e.redo().unwrap();
        assert_eq!(e.doc.doc_labels, ["sports", "news"]);
        // A change of the earlier shape reads with none of these.
        let old: Change = serde_json::from_str(r#"{"removed":[],"added":[]}"#).unwrap();
        assert!(old.is_empty());
        let json = serde_json::to_string(&Change::default()).unwrap();
        assert_eq!(json, r#"{"removed":[],"added":[]}"#);
    }

    #[test]
    fn two_tabs_numbering_side_by_side_replay_to_unique_ids() {
        let start = editor("Ana Lima met Kofi Mensah in Accra.");
        let (mut a, mut b) = (tab(&start, "A"), tab(&start, "B"));
        let ca = commit("A", a.add(0, 8, "PER").unwrap());
        let cb = commit("B", b.add(13, 24, "PER").unwrap());
        let mut stored = start.clone();
        stored.replay(&[ca.clone(), cb.clone()]);
        let ids: Vec<_> = stored
            .spans()
            .iter()
            .map(|s| s.id.clone().unwrap())
            .collect();
        assert_eq!(ids, ["T1", "T2"]);
        let mut again = start.clone();
        again.replay(&[ca, cb]);
        assert_eq!(again, stored, "every tab numbers alike");
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
        let commit = |change| LogEntry::Commit {
            change,
            tab: String::new(),
            base: 0,
            at: 0,
        };
        let undo = LogEntry::Undo {
            tab: String::new(),
            base: 0,
            at: 0,
        };
        let redo = LogEntry::Redo {
            tab: String::new(),
            base: 0,
            at: 0,
        };
        let c = e.add(0, 8, "PER").unwrap();
        log.push(commit(c));
        let c = e.add(13, 24, "PER").unwrap();
        log.push(commit(c));
        e.undo();
        log.push(undo.clone());
        let c = e.accept(28, 33).unwrap();
        log.push(commit(c));
        e.undo();
        log.push(undo.clone());
        e.redo();
        log.push(redo.clone());
        let json = serde_json::to_string(&log).unwrap();
        assert!(
            json.contains(r#"{"op":"undo","tab":"","base":0}"#),
            "{json}"
        );
        // A log of the earlier shape (bare undo and redo, no tab) replays
        // as it did.
        let old = json.replace(r#","tab":"","base":0"#, "");
        assert!(old.contains(r#"{"op":"undo"}"#), "{old}");
        let back: Vec<LogEntry> = serde_json::from_str(&old).unwrap();
        assert_eq!(back, log);
        let mut restored = snapshot;
        restored.replay(&back);
        assert_eq!(restored, e);
        // Extra undos in a damaged log are skipped.
        restored.replay(&[undo.clone(), undo.clone(), undo, redo]);
    }

    fn tab(e: &Editor, tab: &str) -> Editor {
        let mut e = e.clone();
        e.tab = tab.into();
        e
    }

    fn commit(tab: &str, change: Change) -> LogEntry {
        LogEntry::Commit {
            change,
            tab: tab.into(),
            base: 0,
            at: 0,
        }
    }

    fn undo_by(tab: &str) -> LogEntry {
        LogEntry::Undo {
            tab: tab.into(),
            base: 0,
            at: 0,
        }
    }

    #[test]
    fn undo_takes_back_only_this_tabs_own_steps() {
        let start = editor("Ana Lima met Kofi Mensah in Accra.");
        let (mut a, mut b) = (tab(&start, "A"), tab(&start, "B"));
        let mut log = Vec::new();
        log.push(commit("A", a.add(0, 8, "PER").unwrap()));
        b.replay(&log[0..1]);
        log.push(commit("B", b.add(13, 24, "PER").unwrap()));
        a.replay(&log[1..2]);
        // A's undo takes back A's span, not B's later one.
        assert_eq!(
            a.try_undo(),
            Turn::Done(Change {
                removed: vec![named(0, 8, "PER", "T1")],
                added: vec![],
                ..Change::default()
            })
        );
        log.push(undo_by("A"));
        assert_eq!(shape(&a), [(13, 24, "PER", "user")]);
        assert_eq!(a.try_undo(), Turn::Nothing, "B's step is not A's to undo");
        b.replay(&log[2..3]);
        assert_eq!(shape(&b), shape(&a));
        // Every tab's replay of the log from the start gives the same state.
        let mut c = tab(&start, "C");
        c.replay(&log);
        assert_eq!(shape(&c), shape(&a));
        assert!(!c.can_undo(), "C made nothing");
        // B's redo stack is B's own: A's new edit leaves it.
        assert_eq!(
            b.try_undo(),
            Turn::Done(Change {
                removed: vec![named(13, 24, "PER", "T2")],
                added: vec![],
                ..Change::default()
            })
        );
        a.replay(&[undo_by("B")]);
        a.add(28, 33, "LOC").unwrap();
        b.replay(&[commit(
            "A",
            Change {
                removed: vec![],
                added: vec![named(28, 33, "LOC", "T3")],
                ..Change::default()
            },
        )]);
        assert!(b.can_redo());
    }

    #[test]
    fn an_undo_that_no_longer_fits_changes_nothing() {
        let start = editor("Ana Lima met Kofi Mensah in Accra.");
        let (mut a, mut b) = (tab(&start, "A"), tab(&start, "B"));
        let c = a.add(0, 8, "PER").unwrap();
        b.replay(&[commit("A", c)]);
        // B relabels A's span: A's step (add PER 0..8) no longer fits.
        let c = b.relabel(0, 8, "ORG").unwrap();
        a.replay(&[commit("B", c)]);
        let before = a.clone();
        assert!(matches!(a.try_undo(), Turn::Stale(_)));
        assert_eq!(a, before, "nothing changed, the step is kept");
        // Replaying that undo elsewhere changes nothing either.
        b.replay(&[undo_by("A")]);
        assert_eq!(shape(&b), [(0, 8, "ORG", "user")]);
        // A span another tab drew over the place an undo would bring back.
        let mut e = tab(&editor("Ana Lima met Kofi"), "A");
        e.add(0, 3, "PER").unwrap();
        e.remove(0, 3).unwrap();
        e.replay(&[commit(
            "B",
            Change {
                removed: vec![],
                added: vec![Span::new(0, 8, "PER")],
                ..Change::default()
            },
        )]);
        assert!(matches!(e.try_undo(), Turn::Stale(_)));
        assert_eq!(shape(&e), [(0, 8, "PER", "user")]);
    }

    #[test]
    fn concurrent_changes_replay_to_one_state_without_overlap() {
        let start = editor("Bank of New York Mellon said");
        let (mut a, mut b) = (tab(&start, "A"), tab(&start, "B"));
        // Made side by side, neither seeing the other's.
        let ca = commit("A", a.add(0, 4, "ORG").unwrap());
        let cb = commit("B", b.add(0, 23, "ORG").unwrap());
        let mut stored = start.clone();
        stored.replay(&[ca.clone(), cb.clone()]);
        assert_eq!(shape(&stored), [(0, 23, "ORG", "user")], "the later wins");
        // A's undo of its span (gone now) changes nothing.
        let mut a2 = tab(&stored, "A");
        assert!(matches!(a2.try_undo(), Turn::Stale(_)));
        // The same span added by both is there once.
        let mut twice = start.clone();
        let c = tab(&start, "A").add(8, 16, "LOC").unwrap();
        twice.replay(&[commit("A", c.clone()), commit("B", c)]);
        assert_eq!(shape(&twice), [(8, 16, "LOC", "user")]);
    }

    /// Accepting 100,000 suggestions at once, undoing, redoing and another
    /// tab replaying it: each finds the spans by binary search (one at a
    /// time through the whole list took minutes).
    #[test]
    fn a_change_of_many_spans_is_undone_redone_and_replayed_at_once() {
        let n = 100_000;
        let mut e = tab(&editor(&"ab ".repeat(n)), "A");
        e.set_suggestions((0..n).map(|i| suggestion(3 * i, 3 * i + 2, "X")).collect());
        let other = tab(&e, "B");
        let clock = std::time::Instant::now();
        let c = e.accept_all();
        assert_eq!(c.added.len(), n);
        assert!(e.undo().is_some());
        assert!(e.spans().iter().all(|s| s.source == Source::Model));
        assert!(e.redo().is_some());
        let mut replayed = other;
        replayed.replay(&[commit("A", c)]);
        assert_eq!(replayed.spans(), e.spans());
        assert!(
            matches!(replayed.try_undo(), Turn::Nothing),
            "A's step, not B's"
        );
        let took = clock.elapsed();
        assert!(took.as_secs_f64() < 5.0, "{took:?}");
    }

    #[test]
    fn closed_tabs_steps_pass_to_the_next_tab() {
        let mut e = tab(&editor("Ana Lima met Kofi"), "old");
        e.add(0, 8, "PER").unwrap();
        e.add(13, 17, "PER").unwrap();
        e.undo();
        let mut next = tab(&e, "new");
        assert!(!next.can_undo());
        assert!(!next.adopt(|t| t == "old"), "a live tab keeps its steps");
        assert!(next.adopt(|_| false));
        assert!(next.can_undo() && next.can_redo());
        next.redo().unwrap();
        next.undo().unwrap();
        next.undo().unwrap();
        assert!(next.spans().is_empty());
    }

    #[test]
    fn a_history_of_the_earlier_shape_reads_as_nobodys() {
        let json =
            r#"{"done":[{"removed":[],"added":[{"start":0,"end":3,"label":"PER"}]}],"undone":[]}"#;
        let h: History = serde_json::from_str(json).unwrap();
        assert_eq!(h.done[0].tab, "");
        assert_eq!(h.done[0].change.added[0], Span::new(0, 3, "PER"));
        let again = serde_json::to_string(&h).unwrap();
        assert!(!again.contains("tab"), "{again}");
        assert_eq!(serde_json::from_str::<History>(&again).unwrap(), h);
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
