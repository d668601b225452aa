//! The page's session: the project's labels, rules and learned model, and
//! the one document open in the page, with every decision about it.
//!
//! The page hands the session a user's action and stores and draws what it
//! is told: [`Session::apply`] takes an [`Action`] and answers with an
//! [`Outcome`] (the edit-log entry to store or "store a snapshot", the
//! blocks to draw again, the label counts, a status line). Opening follows
//! one policy ([`Session::open_stored`]): whether the document still owes
//! suggestions, whether it is long enough for a worker, whether its rules
//! are stale, whether an untouched document is suggested again by what the
//! model has learned. What a stored record is lives in [`record`]; the flat
//! tables the page reads in [`tables`]. The wasm layer only converts.
//!
//! Native, so that `cargo test` covers it; see docs/ARCHITECTURE.md.

mod action;
mod bar;
mod learning;
pub mod project;
pub mod record;
pub mod review;
mod rules;
mod structure_labels;
pub mod tables;
mod view;
pub mod worker;

pub use action::{Action, Outcome};
pub use bar::{Bar, BarLabel};
pub use learning::{suggester, Suggesters};
pub use record::{Logged, Record};

use crate::doc::{unique_id, Document, Span, Status};
use crate::edit::{Change, Editor, LogEntry, Overlap};
use crate::labels::{Label, LabelSet};
use crate::recognize::learn;
use crate::recognize::rules::Rules;
use crate::recognize::Recognizer;
use crate::text_index::TextIndex;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
pub use structure_labels::StructureLabel;
use view::View;

/// A text at least this long (UTF-16 units, what the page measures) is
/// pre-annotated by a worker off the main thread; shorter ones at once.
pub const LONG_TEXT: usize = 200_000;

/// Edit-log entries between two snapshots of a document: each edit is stored
/// as a small entry, and every so often the whole document is.
pub const SNAPSHOT_EVERY: usize = 100;

/// Tokens found when a document opens (many screens' worth); the rest by
/// [`Session::prepare_tokens`], a piece per task.
pub const TOKENS_AT_ONCE: usize = 64 * 1024;

/// Why the session refused: shown to the person as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

macro_rules! error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error(e.to_string())
            }
        }
    )*};
}

error_from!(
    String,
    crate::edit::EditError,
    crate::doc::SpanError,
    crate::recognize::rules::RuleError,
    serde_json::Error
);

pub type Result<T> = std::result::Result<T, Error>;

fn err<T>(message: impl Into<String>) -> Result<T> {
    Err(Error(message.into()))
}

/// What a project says besides its span labels: how its spans may sit on
/// each other and the labels relations and whole documents take. The page
/// keeps it as one setting and gives it back on start
/// ([`Session::set_structure`]); an action that changes it says so
/// ([`Outcome::structure`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Structure {
    pub overlap: Overlap,
    pub relations: crate::relations::RelationLabels,
    pub doc_labels: crate::relations::DocLabels,
}

/// The project as the session holds it, and the open document.
pub struct Session {
    labels: LabelSet,
    /// The standard pipeline with the learned model as its model, and the
    /// person's rules installed.
    recognizer: Recognizer,
    learner: learn::Shared,
    rules: Rules,
    /// The page's tab: the steps it makes are its own to undo.
    tab: String,
    /// The time now, as the page last said (see [`Session::set_clock`]).
    now: u64,
    /// How the project's spans may sit on each other.
    overlap: Overlap,
    open: Option<Open>,
}

/// The document open in the page.
struct Open {
    editor: Editor,
    index: TextIndex,
    view: View,
    /// A worker still owes it its suggestions (a long text).
    owed: bool,
    /// Edits stored as log entries since its last snapshot.
    unsnapshotted: usize,
    /// The revision of the stored record it was built on (0: none).
    rev: u64,
    /// The stored edit-log entries it has applied (their `seq`s): the
    /// ones its next snapshot may drop.
    folds: Vec<u64>,
    /// A new document's wanted id (`None` for a stored one), should the id
    /// it got be taken before it is stored.
    wanted: Option<Option<String>>,
    /// Its spans per label, as last counted: kept by [`Session::apply`]
    /// from each change, dropped by every other way in (`open_mut`).
    counts: RefCell<Option<BTreeMap<String, u64>>>,
    /// Which model made its model suggestions (see [`Record::suggested_by`]).
    suggested_by: Option<u32>,
    /// A new short text whose suggestions [`Session::suggest_new`] has yet
    /// to make.
    unsuggested: bool,
}

/// What opening a document decided, for the page to carry out.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Opened {
    pub id: String,
    /// What the page calls the document (its `meta.name`, or its id).
    pub name: String,
    /// A worker must pre-annotate it (the page starts one).
    pub owed: bool,
    /// Store a snapshot now: a first opening, a replayed log to fold in,
    /// suggestions brought up to date.
    pub snapshot: bool,
    /// What a newer model changed in its suggestions on opening, for the
    /// status line (`None`: nothing).
    pub renewed: Option<String>,
}

/// The open document as stored, without its text and spans.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Head {
    pub id: String,
    /// What the page calls it (see [`display_name`]).
    pub name: String,
    pub meta: serde_json::Value,
    pub status: Status,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// A session on the shipped model, the default labels and no rules.
    pub fn new() -> Session {
        let (learner, recognizer) = learning::standard();
        Session {
            labels: LabelSet::default(),
            recognizer,
            learner,
            rules: Rules::default(),
            tab: String::new(),
            now: 0,
            overlap: Overlap::Forbid,
            open: None,
        }
    }

    /// Names the page's tab (an id it keeps across reloads): the steps it
    /// makes from now on are its own, and only they are undone by it.
    pub fn set_tab(&mut self, tab: &str) {
        self.tab = tab.to_string();
        if let Some(o) = self.open.as_mut() {
            o.editor.tab = self.tab.clone();
        }
    }

    /// The time now (milliseconds since 1970), given by the page before
    /// each action: the steps it makes are stamped with it (`edit::Step::at`,
    /// what merging one person's devices goes by). The core has no clock.
    pub fn set_clock(&mut self, ms: u64) {
        self.now = ms;
        if let Some(o) = self.open.as_mut() {
            o.editor.now = ms;
        }
    }

    fn open_doc(&self) -> Result<&Open> {
        self.open
            .as_ref()
            .ok_or_else(|| Error("no document is open".into()))
    }

    /// The open document, to change: its counted labels are dropped, as
    /// anything may change its spans (only `apply` keeps them, see there).
    fn open_mut(&mut self) -> Result<&mut Open> {
        let o = self
            .open
            .as_mut()
            .ok_or_else(|| Error("no document is open".into()))?;
        o.counts.get_mut().take();
        Ok(o)
    }

    fn take_counts(&mut self) -> Option<BTreeMap<String, u64>> {
        self.open.as_mut()?.counts.get_mut().take()
    }

    fn keep_counts(&mut self, counts: BTreeMap<String, u64>) {
        if let Some(o) = self.open.as_mut() {
            *o.counts.get_mut() = Some(counts);
        }
    }

    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    // ---- labels ---------------------------------------------------------

    pub fn labels(&self) -> &LabelSet {
        &self.labels
    }

    /// The span labels (the relation and document labels stay: they are
    /// the [`Structure`]'s).
    pub fn set_labels(&mut self, labels: Vec<Label>) {
        let mut set = LabelSet::from_labels(labels);
        set.relations = std::mem::take(&mut self.labels.relations);
        set.doc_labels = std::mem::take(&mut self.labels.doc_labels);
        self.labels = set;
    }

    pub fn structure(&self) -> Structure {
        Structure {
            overlap: self.overlap,
            relations: self.labels.relations.clone(),
            doc_labels: self.labels.doc_labels.clone(),
        }
    }

    /// The project's structure as stored; the open document (if any)
    /// follows its overlap setting.
    pub fn set_structure(&mut self, s: Structure) {
        self.overlap = s.overlap;
        self.labels.relations = s.relations;
        self.labels.doc_labels = s.doc_labels;
        if let Some(o) = self.open.as_mut() {
            o.editor.overlap = s.overlap;
        }
    }

    /// The label a key assigns, if any.
    pub fn label_for_key(&self, key: &str) -> Option<&str> {
        self.labels.by_key(key).map(|l| l.name.as_str())
    }

    /// Adds a label (next free colour and key); whether it was new.
    pub fn add_label(&mut self, name: &str) -> Result<bool> {
        Ok(self.labels.add(name)?)
    }

    pub fn set_label_color(&mut self, name: &str, color: &str) -> Result<()> {
        Ok(self.labels.set_color(name, color)?)
    }

    /// Sets a label's key (`None` clears it), taking it from any other
    /// label, whose name it returns.
    pub fn set_label_key(&mut self, name: &str, key: Option<&str>) -> Result<Option<String>> {
        Ok(self.labels.set_key(name, key)?)
    }

    /// Renames a label in the set, the learned model and the open document
    /// (the page carries it into the stored ones with [`project::relabel`]).
    pub fn rename_label(&mut self, from: &str, to: &str) -> Result<()> {
        self.labels.rename(from, to)?;
        let to = to.trim();
        self.learner_rename(from, to);
        if let Ok(o) = self.open_mut() {
            crate::relabel::rename(&mut o.editor.doc.spans, &mut o.editor.history, from, to);
            o.view.touch_all();
        }
        Ok(())
    }

    /// Deletes a label from the set and its spans from the open document.
    pub fn delete_label(&mut self, name: &str) -> Result<()> {
        if !self.labels.remove(name) {
            return err(format!("no label {name:?}"));
        }
        if let Ok(o) = self.open_mut() {
            crate::relabel::remove(&mut o.editor.doc.spans, &mut o.editor.history, name);
            crate::relabel::unlink_missing(&mut o.editor.doc);
            o.view.touch_all();
        }
        Ok(())
    }

    /// The project's overlap setting.
    pub fn overlap(&self) -> Overlap {
        self.overlap
    }

    /// Refuses document labels the project's set cannot take: more than
    /// one under single choice; new names join the set (as an import's
    /// span labels do).
    fn check_doc_labels(&mut self, labels: &[String]) -> Result<()> {
        for l in labels {
            crate::labels::check_name(l)?;
        }
        let set = &mut self.labels.doc_labels;
        if !set.multi && labels.len() > 1 {
            return err(format!(
                "a document takes one label here (single choice), not {}",
                labels.len()
            ));
        }
        for l in labels {
            if !set.names.contains(l) {
                set.names.push(l.clone());
            }
        }
        Ok(())
    }

    /// Per-label span counts of the open document (empty when none is).
    pub fn label_counts(&self) -> BTreeMap<String, u64> {
        let Some(o) = self.open.as_ref() else {
            return BTreeMap::new();
        };
        if let Some(counts) = o.counts.borrow().as_ref() {
            return counts.clone();
        }
        // Counted on borrowed names first, among thousands of spans.
        let mut by_name = BTreeMap::<&str, u64>::new();
        for s in &o.editor.doc.spans {
            *by_name.entry(s.label.as_str()).or_default() += 1;
        }
        let counts: BTreeMap<String, u64> = by_name
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        *o.counts.borrow_mut() = Some(counts.clone());
        counts
    }

    // ---- opening and closing -----------------------------------------------

    /// Opens a new document from text, with an id not among `taken`
    /// (`wanted`, or `doc-N`; a duplicate gets a suffix) and `meta`;
    /// pre-annotated here unless it is long (then `owed`: a worker does it).
    /// A new document is always stored at once (`snapshot`).
    pub fn open_text(
        &mut self,
        wanted: Option<&str>,
        taken: &[String],
        text: String,
        meta: serde_json::Value,
    ) -> Result<Opened> {
        self.open_new(wanted, taken, text, meta)?;
        self.suggest_new()
    }

    /// [`Session::open_text`] without its suggestions, which
    /// [`Session::suggest_new`] then adds: the page stores the text (its
    /// `head` and text) while the recognizer runs, instead of after it,
    /// in the same transaction as the record.
    pub fn open_new(
        &mut self,
        wanted: Option<&str>,
        taken: &[String],
        text: String,
        meta: serde_json::Value,
    ) -> Result<Opened> {
        if !meta.is_object() {
            return err("a document's meta must be a JSON object");
        }
        let id = new_id(wanted, taken);
        let mut doc = Document::new(id, text);
        doc.meta = meta;
        doc.check_meta()?;
        let owed = is_long(&doc.text);
        self.install(Editor::new(doc, self.overlap), owed, 0);
        let o = self.open_mut()?;
        o.wanted = Some(wanted.map(str::to_string));
        o.unsuggested = !owed;
        let mut opened = self.opened()?;
        opened.snapshot = true;
        Ok(opened)
    }

    /// Pre-annotates the new document [`Session::open_new`] opened (once;
    /// a long text's suggestions are a worker's).
    pub fn suggest_new(&mut self) -> Result<Opened> {
        if self.open_doc()?.unsuggested {
            let now = self.learned_docs();
            // The index's tokens are the recognizer's: found here at once
            // (instead of a piece at a time after opening) and only once.
            let o = self.open_mut()?;
            o.index.prepare(&o.editor.doc.text, usize::MAX);
            let o = self.open_doc()?;
            let suggestions = self.suggest_in(&o.editor.doc.text, &o.index);
            let o = self.open_mut()?;
            o.editor.set_suggestions(suggestions);
            o.view.touch_all();
            o.unsuggested = false;
            o.suggested_by = Some(now);
        }
        let mut opened = self.opened()?;
        opened.snapshot = true;
        Ok(opened)
    }

    /// Gives the new document, not stored yet, an id not among `taken`
    /// (read again after another tab stored one under its id), by the rule
    /// [`Session::open_text`] used: two tabs creating one id get two
    /// documents, never one written over the other.
    pub fn retake_id(&mut self, taken: &[String]) -> Result<Opened> {
        let o = self.open_mut()?;
        let Some(wanted) = o.wanted.clone() else {
            return err("only a new document changes its id");
        };
        o.editor.doc.id = new_id(wanted.as_deref(), taken);
        // Nothing is stored under the new id: its first snapshot goes over
        // none.
        o.rev = 0;
        self.opened()
    }

    /// Opens a stored document (`doc`, its spans ignored) with its stored
    /// record, if it has one, and the edit log stored since that record.
    ///
    /// The policy: a document without a record, or whose record still owes
    /// suggestions, is pre-annotated now, or by a worker when long; the log
    /// is replayed on the record; suggestions saved under other rules get
    /// the current rules' suggestions; a document nobody has touched is
    /// suggested again once the model has learned something; the history
    /// steps of tabs no longer open (`live` are those that are) become this
    /// tab's. Anything of that is stored as a new snapshot (`snapshot`).
    pub fn open_stored(
        &mut self,
        doc: Document,
        record: Option<Record>,
        log: &[Logged],
        live: &[String],
    ) -> Result<Opened> {
        let long = is_long(&doc.text);
        let had_record = record.is_some();
        let owed = long && record.as_ref().is_none_or(|r| !r.preannotated);
        let stale = record
            .as_ref()
            .is_some_and(|r| r.rules != self.rules.version());
        let rev = record.as_ref().map_or(0, |r| r.rev);
        let suggested_by = match &record {
            Some(r) => r.suggested_by,
            None => Some(self.learned_docs()),
        };
        let editor = self.editor_for(doc, record.as_ref())?;
        self.install(editor, owed, log.len());
        self.open_mut()?.suggested_by = suggested_by;
        let mut changed = false;
        if !log.is_empty() {
            let entries: Vec<LogEntry> = log.iter().map(|l| l.entry.clone()).collect();
            self.replay(&entries)?;
            changed = true;
        }
        let o = self.open_mut()?;
        o.rev = rev;
        o.folds = log.iter().map(|l| l.seq).collect();
        changed |= o.editor.adopt(|t| live.iter().any(|l| l == t));
        if stale {
            changed |= self.apply_rules()?;
        }
        let mut renewed = None;
        if !owed && self.learned_docs() > 0 {
            renewed = self.resuggest_untouched()?;
            changed |= renewed.is_some();
        }
        let mut opened = self.opened()?;
        opened.snapshot = changed || !had_record;
        opened.renewed = renewed;
        Ok(opened)
    }

    /// An editor over a stored document: with its record's spans and
    /// history, or, without one, the suggestions made now (none for a long
    /// text: a worker makes those).
    fn editor_for(&self, mut doc: Document, record: Option<&Record>) -> Result<Editor> {
        let Some(r) = record else {
            let suggestions = if is_long(&doc.text) {
                Vec::new()
            } else {
                self.suggest(&doc.text)
            };
            doc.spans.clear();
            let mut e = Editor::new(doc, self.overlap);
            e.tab = self.tab.clone();
            e.set_suggestions(suggestions);
            return Ok(e);
        };
        r.fill(&mut doc)?;
        doc.validate()?;
        let mut e = Editor::new(doc, self.overlap);
        e.history = r.history.clone();
        // Ids that only the history holds (spans removed, undo may bring
        // them back) are taken too.
        e.count_ids();
        e.tab = self.tab.clone();
        Ok(e)
    }

    fn install(&mut self, mut editor: Editor, owed: bool, unsnapshotted: usize) {
        editor.tab = self.tab.clone();
        editor.now = self.now;
        let mut index = TextIndex::pending(&editor.doc.text);
        index.prepare(&editor.doc.text, TOKENS_AT_ONCE);
        for s in &editor.doc.spans {
            self.labels.ensure(&s.label);
        }
        let view = View::new(&editor, &index);
        self.open = Some(Open {
            editor,
            index,
            view,
            owed,
            unsnapshotted,
            rev: 0,
            folds: Vec::new(),
            wanted: None,
            counts: RefCell::new(None),
            suggested_by: None,
            unsuggested: false,
        });
    }

    fn opened(&self) -> Result<Opened> {
        let o = self.open_doc()?;
        let d = &o.editor.doc;
        Ok(Opened {
            id: d.id.clone(),
            name: display_name(d),
            owed: o.owed,
            snapshot: false,
            renewed: None,
        })
    }

    pub fn close(&mut self) {
        self.open = None;
    }

    /// Applies edit-log entries (oldest first) to the open document: an edit
    /// made again after reopening (it is then part of the next snapshot,
    /// not of the log).
    pub fn replay(&mut self, entries: &[LogEntry]) -> Result<()> {
        let o = self.open_mut()?;
        o.editor.replay(entries);
        o.view.touch_all();
        let labels: Vec<String> = o.editor.doc.spans.iter().map(|s| s.label.clone()).collect();
        for l in labels {
            self.labels.ensure(&l);
        }
        Ok(())
    }

    // ---- the open document --------------------------------------------------

    pub fn head(&self) -> Result<Head> {
        let d = &self.open_doc()?.editor.doc;
        Ok(Head {
            id: d.id.clone(),
            name: display_name(d),
            meta: d.meta.clone(),
            status: d.status,
        })
    }

    /// Renames a stored document (`meta.name`) as a person typed it,
    /// refusing an empty or over-long name; the open document follows when
    /// it is the one. Returns the document to store.
    pub fn rename(&mut self, mut doc: Document, name: &str) -> Result<Document> {
        let name = crate::doc::check_name(name)?;
        doc.set_name(&name);
        if let Some(o) = self.open.as_mut() {
            if o.editor.doc.id == doc.id {
                o.editor.doc.set_name(&name);
            }
        }
        Ok(doc)
    }

    pub fn text(&self) -> Result<&str> {
        Ok(&self.open_doc()?.editor.doc.text)
    }

    pub fn spans(&self) -> &[Span] {
        self.open.as_ref().map_or(&[], |o| &o.editor.doc.spans)
    }

    /// The open document's relations, document labels and note.
    pub fn relations(&self) -> &[crate::relations::Relation] {
        self.open.as_ref().map_or(&[], |o| &o.editor.doc.relations)
    }

    /// A fingerprint of the open document's relations: the page asks for
    /// them again only when it changes (a document with thousands of them
    /// costs milliseconds to hand over, a hash microseconds).
    pub fn relations_key(&self) -> u32 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.open.as_ref().map(|o| &o.editor.doc.id).hash(&mut h);
        for r in self.relations() {
            (&r.id, &r.from, &r.to, &r.label).hash(&mut h);
        }
        h.finish() as u32
    }

    pub fn doc_labels(&self) -> &[String] {
        self.open.as_ref().map_or(&[], |o| &o.editor.doc.doc_labels)
    }

    pub fn note(&self) -> Option<&str> {
        self.open
            .as_ref()
            .and_then(|o| o.editor.doc.note.as_deref())
    }

    /// Whether a worker still owes the open document its suggestions.
    pub fn owed(&self) -> bool {
        self.open.as_ref().is_some_and(|o| o.owed)
    }

    /// The open document's annotations record as it is to be stored now: a
    /// snapshot expecting the revision it was built on and dropping only the
    /// log entries it has applied (see [`record`]). Taking it counts as
    /// storing it: the next edits are logged against it. Should the write
    /// be refused, the page opens the document again.
    pub fn record(&mut self) -> Result<Record> {
        let rules = self.rules.version();
        let o = self.open_mut()?;
        o.unsnapshotted = 0;
        let r = Record::new(
            &o.editor.doc.id,
            &o.editor.doc.spans,
            o.editor.history.clone(),
            !o.owed,
            rules,
        )
        .folding(o.rev, std::mem::take(&mut o.folds))
        .suggested_by(o.suggested_by)
        .holding(&o.editor.doc);
        o.rev = r.rev;
        Ok(r)
    }

    /// The open document's edit-log entry was stored as `seq`: the next
    /// snapshot may drop it.
    pub fn logged(&mut self, seq: u64) {
        if let Ok(o) = self.open_mut() {
            o.folds.push(seq);
        }
    }

    /// The action, applied to the open document; see [`Outcome`].
    pub fn apply(&mut self, action: Action) -> Result<Outcome> {
        action::apply(self, action)
    }

    /// Records what a change did: the labels it brought, the blocks it
    /// touched, and the log entry that stores it.
    fn changed(&mut self, change: Change) -> Option<LogEntry> {
        for s in &change.added {
            self.labels.ensure(&s.label);
        }
        let o = self.open.as_mut()?; // the spans changed by `apply`, which keeps the counts
        o.view.touch(&o.index, &change);
        (!change.is_empty()).then(|| LogEntry::Commit {
            change,
            tab: self.tab.clone(),
            base: o.rev,
            at: o.editor.now,
        })
    }

    // ---- selection, in the page's units -------------------------------------

    /// Finds any tokens still missing, before an answer needs them.
    fn finish_tokens(&mut self) {
        if let Ok(o) = self.open_mut() {
            o.index.prepare(&o.editor.doc.text, usize::MAX);
        }
    }

    /// Tokenizes about `bytes` more of the open document; whether all is
    /// done. The page calls it between frames after opening a long text.
    pub fn prepare_tokens(&mut self, bytes: usize) -> bool {
        match self.open_mut().ok() {
            Some(o) => o.index.prepare(&o.editor.doc.text, bytes),
            None => true,
        }
    }

    /// A selection in UTF-16 units snapped to token edges, in code points.
    pub fn snap(&mut self, start16: usize, end16: usize) -> Option<(usize, usize)> {
        self.finish_tokens();
        self.open.as_ref()?.index.snap_utf16(start16, end16)
    }

    /// `[start, end)` with one edge moved by a token (`grow` widens).
    pub fn step_edge(
        &mut self,
        start: usize,
        end: usize,
        at_start: bool,
        grow: bool,
    ) -> Option<(usize, usize)> {
        self.finish_tokens();
        let index = &self.open.as_ref()?.index;
        if at_start {
            index.step_start(start, end, grow)
        } else {
            index.step_end(start, end, grow)
        }
    }

    /// The token after (or before) code point `from` (`None`: the first or
    /// last), for the keyboard cursor.
    pub fn next_token(&mut self, from: Option<usize>, backwards: bool) -> Option<(usize, usize)> {
        self.finish_tokens();
        self.open.as_ref()?.index.next_token(from, backwards)
    }

    /// The span after (or before) code point `from`, for keyboard review.
    pub fn neighbour_span(&self, from: Option<usize>, backwards: bool) -> Option<(usize, usize)> {
        let spans = &self.open.as_ref()?.editor.doc.spans;
        crate::select::neighbour_span(spans, from, backwards).map(|s| (s.start, s.end))
    }

    pub fn utf16_to_char(&self, u: usize) -> Option<usize> {
        self.open.as_ref()?.index.map().utf16_to_char(u)
    }

    pub fn char_to_utf16(&self, c: usize) -> Option<usize> {
        self.open.as_ref()?.index.map().char_to_utf16(c)
    }

    // ---- what the page draws ------------------------------------------------

    /// The open document's blocks, `[start16, end16]` pairs (see `layout`).
    pub fn blocks(&mut self) -> Result<Vec<u32>> {
        let o = self.open_mut()?;
        Ok(o.view.blocks(&o.editor, &o.index))
    }

    /// What edits since the last call did to the blocks (see
    /// [`tables::block_patch`]); empty when nothing changed.
    pub fn block_patch(&mut self) -> Result<Vec<u32>> {
        let o = self.open_mut()?;
        Ok(o.view.patch(&o.editor, &o.index))
    }

    /// The span table ([`tables::spans`]) of every span of the open document.
    pub fn span_table(&self) -> Result<Vec<u32>> {
        let o = self.open_doc()?;
        Ok(tables::spans(
            o.editor.doc.spans.iter(),
            o.index.map(),
            &self.labels,
        ))
    }

    /// The span table of the spans that start in `[start16, end16)`.
    pub fn span_table_in(&self, start16: usize, end16: usize) -> Result<Vec<u32>> {
        let o = self.open_doc()?;
        let map = o.index.map();
        let (Some(a), Some(b)) = (map.utf16_to_char(start16), map.utf16_to_char(end16)) else {
            return err("block edges must fall between characters");
        };
        let spans = &o.editor.doc.spans;
        let first = spans.partition_point(|s| s.start < a);
        let rows = spans[first..].iter().take_while(|s| s.start < b);
        Ok(tables::spans(rows, map, &self.labels))
    }

    /// Every match of a search in the open document ([`tables::matches`]).
    pub fn find(&self, query: &crate::search::Query) -> Result<Vec<u32>> {
        let o = self.open_doc()?;
        let found = query.find_all(&o.editor.doc.text);
        Ok(tables::matches(&found, o.index.map()))
    }
}

/// The article a first visit opens, so that a new user sees the annotator
/// at work. Compiled in: on a cold start, fetching it separately came after
/// everything else the page loads (about 100 ms late).
pub const DEMO_TEXT: &str = include_str!("demo.txt");

/// A new document's id: `wanted`, or `doc-N`, with a suffix when taken.
fn new_id(wanted: Option<&str>, taken: &[String]) -> String {
    let default = format!("doc-{}", taken.len() + 1);
    unique_id(wanted.unwrap_or(&default), |x| taken.iter().any(|t| t == x))
}

/// Whether a text is pre-annotated by a worker.
pub fn is_long(text: &str) -> bool {
    // UTF-16 units are at least a third of the bytes: most texts are
    // decided without counting.
    text.len() > 3 * LONG_TEXT
        || (text.len() > LONG_TEXT && text.encode_utf16().count() > LONG_TEXT)
}

/// What the page calls a document: its `meta.name` when that is a string,
/// else its id.
pub fn display_name(d: &Document) -> String {
    d.name().to_string()
}

#[cfg(test)]
mod tests;
