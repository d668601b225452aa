//! The wasm-bindgen surface for the page. It converts between JS values and
//! the core's types and holds no logic of its own: offsets are converted by
//! `text`, edits made by `edit`, files read and written by `formats`.
//!
//! Large results cross as flat typed arrays (see TOOLCHAIN.md: objects via
//! serde cost eight times the work); small structured values cross as JSON
//! strings, which the page stores in IndexedDB as they are.

use crate::doc::{unique_id, Document, Project, Span, Status};
use crate::edit::{Change, Editor, History, LogEntry, Overlap};
use crate::formats;
use crate::labels::{Label, LabelSet};
use crate::recognize::Recognizer;
use crate::select::Selector;
use crate::snapshot::source_code;
use crate::text::OffsetMap;
use crate::text::OffsetUnit;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

mod blocks;
mod learn;
mod occurrences;
mod persist;
mod prepare;
mod profile;
mod rules;

#[wasm_bindgen(start)]
fn start() {
    // A panic is a bug, never the user's doing; the page must hear of it to
    // stop using this instance and keep the saved work (see app.js).
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let global = js_sys::global();
        if let Ok(f) = js_sys::Reflect::get(&global, &JsValue::from_str("spanmarkPanic")) {
            if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                let _ = f.call1(&JsValue::NULL, &JsValue::from_str(&info.to_string()));
            }
        }
    }));
}

/// Panics on purpose, so that tests can check how the page takes a panic.
#[wasm_bindgen(js_name = panicForTests)]
pub fn panic_for_tests() {
    panic!("a deliberate panic (panicForTests)");
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// What the page stores per document besides its text: the spans and the
/// undo history.
#[derive(Serialize, Deserialize)]
pub(crate) struct Annotations {
    spans: Vec<Span>,
    #[serde(default)]
    history: History,
}

/// The size past which a long line is cut into blocks: a few screen lines.
const BLOCK_BYTES: usize = 2048;

/// The page's working state: the project's labels and the open document.
#[wasm_bindgen]
pub struct Annotator {
    labels: LabelSet,
    /// The standard pipeline with the learned model (`learn`) as its model.
    recognizer: Recognizer,
    learner: crate::recognize::learn::Shared,
    editor: Option<Editor>,
    selector: Selector,
    /// The open document's blocks (see `layout`), and what edits changed
    /// in them since the page last asked (`blockPatch`).
    layout: crate::layout::Layout,
    dirty: blocks::Dirty,
    /// The edit-log entry of the last edit, for the page to store.
    last: Option<LogEntry>,
    /// The person's rules, also installed in `recognizer` (see wasm/rules.rs).
    rules: crate::recognize::rules::Rules,
}

impl Annotator {
    fn editor(&self) -> Result<&Editor, JsError> {
        self.editor
            .as_ref()
            .ok_or_else(|| JsError::new("no document is open"))
    }

    fn editor_mut(&mut self) -> Result<&mut Editor, JsError> {
        self.editor
            .as_mut()
            .ok_or_else(|| JsError::new("no document is open"))
    }

    /// An editor over a stored document (`{"id","text","meta","status"}`)
    /// and its stored annotations (`{"spans","history"}`); with none stored,
    /// pre-annotated when `preannotate` is set.
    fn stored_editor(
        &self,
        doc_json: &str,
        annotations_json: &str,
        preannotate: bool,
    ) -> Result<Editor, JsError> {
        let mut doc: Document = serde_json::from_str(doc_json).map_err(js_err)?;
        if annotations_json.is_empty() {
            let suggestions = if preannotate {
                self.suggest(&doc.text)
            } else {
                Vec::new()
            };
            let mut e = Editor::new(doc, Overlap::Forbid);
            e.set_suggestions(suggestions);
            return Ok(e);
        }
        let a: Annotations = serde_json::from_str(annotations_json).map_err(js_err)?;
        doc.spans = a.spans;
        Self::checked_editor(doc, a.history)
    }

    /// A stored document (JSON) with annotations read some other way.
    fn editor_from(&self, doc_json: &str, a: Annotations) -> Result<Editor, JsError> {
        let mut doc: Document = serde_json::from_str(doc_json).map_err(js_err)?;
        doc.spans = a.spans;
        Self::checked_editor(doc, a.history)
    }

    fn checked_editor(doc: Document, history: History) -> Result<Editor, JsError> {
        doc.validate().map_err(js_err)?;
        let mut e = Editor::new(doc, Overlap::Forbid);
        e.history = history;
        Ok(e)
    }

    fn set_editor(&mut self, editor: Editor) {
        self.selector = Selector::pending(&editor.doc.text);
        self.selector
            .prepare(&editor.doc.text, prepare::TOKENS_AT_ONCE);
        for s in &editor.doc.spans {
            self.labels.ensure(&s.label);
        }
        self.editor = Some(editor);
        self.lay_out();
    }

    fn table<'a>(&self, spans: impl Iterator<Item = &'a Span>) -> Vec<u32> {
        let map = self.selector.map();
        let mut out = Vec::new();
        for s in spans {
            let label = self.labels.index_of(&s.label).unwrap_or(usize::MAX) as u32;
            out.extend_from_slice(&[
                s.start as u32,
                s.end as u32,
                map.char_to_utf16(s.start).unwrap_or(0) as u32,
                map.char_to_utf16(s.end).unwrap_or(0) as u32,
                label,
                source_code(s.source),
            ]);
        }
        out
    }

    fn changed(&mut self, change: Result<Change, crate::edit::EditError>) -> Result<bool, JsError> {
        let change = change.map_err(js_err)?;
        for s in &change.added {
            self.labels.ensure(&s.label);
        }
        let changed = !change.is_empty();
        self.touch(&change);
        self.last = changed.then_some(LogEntry::Commit { change });
        Ok(changed)
    }
}

impl Default for Annotator {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Annotator {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Annotator {
        let (learner, recognizer) = learn::standard();
        Annotator {
            labels: LabelSet::default(),
            recognizer,
            learner,
            editor: None,
            selector: Selector::new(""),
            layout: Default::default(),
            dirty: Default::default(),
            last: None,
            rules: Default::default(),
        }
    }

    /// The label set as JSON `[{"name","color","key"}]`.
    #[wasm_bindgen(js_name = labelsJson)]
    pub fn labels_json(&self) -> String {
        serde_json::to_string(&self.labels).unwrap_or_else(|_| "[]".into())
    }

    #[wasm_bindgen(js_name = setLabelsJson)]
    pub fn set_labels_json(&mut self, json: &str) -> Result<(), JsError> {
        let labels: Vec<Label> = serde_json::from_str(json).map_err(js_err)?;
        self.labels = LabelSet::from_labels(labels);
        Ok(())
    }

    /// The label a key assigns, if any.
    #[wasm_bindgen(js_name = labelForKey)]
    pub fn label_for_key(&self, key: &str) -> Option<String> {
        self.labels.by_key(key).map(|l| l.name.clone())
    }

    /// A document id not among `taken` (a JSON array of strings).
    #[wasm_bindgen(js_name = uniqueId)]
    pub fn unique_id(wanted: &str, taken_json: &str) -> Result<String, JsError> {
        let taken: Vec<String> = serde_json::from_str(taken_json).map_err(js_err)?;
        Ok(unique_id(wanted, |x| taken.iter().any(|t| t == x)))
    }

    /// Opens a new document from text, pre-annotated here unless
    /// `preannotate` is false (a worker does it for long texts; see
    /// `addSuggestionsTableIn`).
    #[wasm_bindgen(js_name = openText)]
    pub fn open_text(
        &mut self,
        id: &str,
        text: String,
        meta_json: &str,
        preannotate: bool,
    ) -> Result<(), JsError> {
        let mut doc = Document::new(id, text);
        doc.meta = serde_json::from_str(meta_json).map_err(js_err)?;
        let suggestions = if preannotate {
            self.suggest(&doc.text)
        } else {
            Vec::new()
        };
        let mut editor = Editor::new(doc, Overlap::Forbid);
        editor.set_suggestions(suggestions);
        self.set_editor(editor);
        Ok(())
    }

    /// Opens a stored document (`{"id","text","meta","status"}`) with its
    /// stored annotations (`{"spans","history"}`), or pre-annotates it when
    /// `annotations_json` is empty and `preannotate` is set.
    #[wasm_bindgen(js_name = openStored)]
    pub fn open_stored(
        &mut self,
        doc_json: &str,
        annotations_json: &str,
        preannotate: bool,
    ) -> Result<(), JsError> {
        let editor = self.stored_editor(doc_json, annotations_json, preannotate)?;
        self.set_editor(editor);
        Ok(())
    }

    /// The open document without spans, as stored: `{"id","text","meta","status"}`.
    #[wasm_bindgen(js_name = documentJson)]
    pub fn document_json(&self) -> Result<String, JsError> {
        let mut d = self.editor()?.doc.clone();
        d.spans.clear();
        let mut v = serde_json::to_value(&d).map_err(js_err)?;
        if let Some(o) = v.as_object_mut() {
            o.remove("spans");
        }
        Ok(v.to_string())
    }

    /// How many spans the open document has.
    #[wasm_bindgen(js_name = spanCount)]
    pub fn span_count(&self) -> u32 {
        self.editor.as_ref().map_or(0, |e| e.doc.spans.len() as u32)
    }

    /// The open document's spans as JSON `[{"start","end","label","source"}]`
    /// in code points (the contract's `spans()`).
    #[wasm_bindgen(js_name = spansJson)]
    pub fn spans_json(&self) -> Result<String, JsError> {
        serde_json::to_string(&self.editor()?.doc.spans).map_err(js_err)
    }

    /// Every span as six numbers: start and end in code points, start and end
    /// in UTF-16 units, label index in `labelsJson()`, source (0 user, 1 model,
    /// 2 rule). Sorted by start, parents before nested spans.
    #[wasm_bindgen(js_name = spanTable)]
    pub fn span_table(&self) -> Result<Vec<u32>, JsError> {
        Ok(self.table(self.editor()?.doc.spans.iter()))
    }

    /// The span table (see `spanTable`) of the spans that start in
    /// `[start16, end16)`.
    #[wasm_bindgen(js_name = spanTableIn)]
    pub fn span_table_in(&self, start16: u32, end16: u32) -> Result<Vec<u32>, JsError> {
        let e = self.editor()?;
        let map = self.selector.map();
        let (Some(a), Some(b)) = (
            map.utf16_to_char(start16 as usize),
            map.utf16_to_char(end16 as usize),
        ) else {
            return Err(JsError::new("block edges must fall between characters"));
        };
        let first = e.doc.spans.partition_point(|s| s.start < a);
        let rows = e.doc.spans[first..].iter().take_while(|s| s.start < b);
        Ok(self.table(rows))
    }

    /// Snaps a selection given in UTF-16 units to token edges; returns
    /// `[start, end]` in code points, or nothing when it holds no token.
    pub fn snap(&mut self, start16: u32, end16: u32) -> Option<Vec<u32>> {
        self.finish_tokens();
        let (s, e) = self.selector.snap_utf16(start16 as usize, end16 as usize)?;
        Some(vec![s as u32, e as u32])
    }

    /// `[start, end)` with one edge moved by a token (`edge` "start" or
    /// "end"; `grow` widens), for keyboard resizing; nothing if it cannot move.
    #[wasm_bindgen(js_name = stepEdge)]
    pub fn step_edge(&mut self, start: u32, end: u32, edge: &str, grow: bool) -> Option<Vec<u32>> {
        self.finish_tokens();
        let (s, e) = if edge == "start" {
            self.selector.step_start(start as usize, end as usize, grow)
        } else {
            self.selector.step_end(start as usize, end as usize, grow)
        }?;
        Some(vec![s as u32, e as u32])
    }

    /// The token after (or before) code point `from` (-1: none yet), for the
    /// keyboard cursor.
    #[wasm_bindgen(js_name = nextToken)]
    pub fn next_token(&mut self, from: f64, backwards: bool) -> Option<Vec<u32>> {
        self.finish_tokens();
        let at = (from >= 0.0).then_some(from as usize);
        let (s, e) = self.selector.next_token(at, backwards)?;
        Some(vec![s as u32, e as u32])
    }

    /// Code point offset of a UTF-16 offset (for clicks), if on a boundary.
    #[wasm_bindgen(js_name = utf16ToChar)]
    pub fn utf16_to_char(&self, u: u32) -> Option<u32> {
        self.selector
            .map()
            .utf16_to_char(u as usize)
            .map(|c| c as u32)
    }

    /// UTF-16 offset of a code point offset.
    #[wasm_bindgen(js_name = charToUtf16)]
    pub fn char_to_utf16(&self, c: u32) -> Option<u32> {
        self.selector
            .map()
            .char_to_utf16(c as usize)
            .map(|u| u as u32)
    }

    pub fn add(&mut self, start: u32, end: u32, label: &str) -> Result<bool, JsError> {
        let change = self.editor_mut()?.add(start as usize, end as usize, label);
        self.changed(change)
    }

    pub fn remove(&mut self, start: u32, end: u32) -> Result<bool, JsError> {
        let change = self.editor_mut()?.remove(start as usize, end as usize);
        self.changed(change)
    }

    pub fn relabel(&mut self, start: u32, end: u32, label: &str) -> Result<bool, JsError> {
        let change = self
            .editor_mut()?
            .relabel(start as usize, end as usize, label);
        self.changed(change)
    }

    pub fn resize(
        &mut self,
        start: u32,
        end: u32,
        new_start: u32,
        new_end: u32,
    ) -> Result<bool, JsError> {
        let change = self.editor_mut()?.resize(
            start as usize,
            end as usize,
            new_start as usize,
            new_end as usize,
        );
        self.changed(change)
    }

    pub fn accept(&mut self, start: u32, end: u32) -> Result<bool, JsError> {
        let change = self.editor_mut()?.accept(start as usize, end as usize);
        self.changed(change)
    }

    pub fn reject(&mut self, start: u32, end: u32) -> Result<bool, JsError> {
        let change = self.editor_mut()?.reject(start as usize, end as usize);
        self.changed(change)
    }

    #[wasm_bindgen(js_name = acceptAll)]
    pub fn accept_all(&mut self) -> Result<bool, JsError> {
        let change = Ok(self.editor_mut()?.accept_all());
        self.changed(change)
    }

    #[wasm_bindgen(js_name = rejectAll)]
    pub fn reject_all(&mut self) -> Result<bool, JsError> {
        let change = Ok(self.editor_mut()?.reject_all());
        self.changed(change)
    }

    pub fn undo(&mut self) -> Result<bool, JsError> {
        let change = self.editor_mut()?.undo();
        let done = change.as_ref().map(|c| self.touch(c)).is_some();
        self.last = done.then_some(LogEntry::Undo);
        Ok(done)
    }

    pub fn redo(&mut self) -> Result<bool, JsError> {
        let change = self.editor_mut()?.redo();
        let done = change.as_ref().map(|c| self.touch(c)).is_some();
        self.last = done.then_some(LogEntry::Redo);
        Ok(done)
    }

    /// The edit-log entry of the last edit that changed something, as JSON
    /// (`{"op":"commit","change":{...}}`, `{"op":"undo"}`, `{"op":"redo"}`).
    #[wasm_bindgen(js_name = lastLogEntry)]
    pub fn last_log_entry(&self) -> Option<String> {
        self.last
            .as_ref()
            .and_then(|e| serde_json::to_string(e).ok())
    }

    /// Applies stored edit-log entries (a JSON array, oldest first) to the
    /// open document, after `openStored` gave it its last snapshot.
    pub fn replay(&mut self, entries_json: &str) -> Result<(), JsError> {
        let entries: Vec<LogEntry> = serde_json::from_str(entries_json).map_err(js_err)?;
        self.editor_mut()?.replay(&entries);
        self.dirty = blocks::Dirty::All;
        let labels: Vec<String> = self
            .editor()?
            .doc
            .spans
            .iter()
            .map(|s| s.label.clone())
            .collect();
        for l in labels {
            self.labels.ensure(&l);
        }
        Ok(())
    }

    #[wasm_bindgen(js_name = setDone)]
    pub fn set_done(&mut self, done: bool) -> Result<(), JsError> {
        self.editor_mut()?.doc.status = if done { Status::Done } else { Status::Todo };
        Ok(())
    }

    /// The span after (or, with `backwards`, before) code point `from`, as
    /// `[start, end]`; for keyboard navigation.
    #[wasm_bindgen(js_name = neighbourSpan)]
    pub fn neighbour_span(&self, from: f64, backwards: bool) -> Option<Vec<u32>> {
        let spans = &self.editor.as_ref()?.doc.spans;
        let hit = if backwards {
            spans.iter().rev().find(|s| (s.start as f64) < from)
        } else {
            spans.iter().find(|s| (s.start as f64) > from)
        }?;
        Some(vec![hit.start as u32, hit.end as u32])
    }
}

/// Several files picked together, read as one project (brat's `.txt` +
/// `.ann` pairs, or a folder of `.txt` files).
#[wasm_bindgen]
#[derive(Default)]
pub struct FileSet {
    files: Vec<formats::File>,
}

#[wasm_bindgen]
impl FileSet {
    #[wasm_bindgen(constructor)]
    pub fn new() -> FileSet {
        FileSet::default()
    }

    pub fn add(&mut self, path: &str, content: &[u8]) {
        self.files.push(formats::File::new(path, content));
    }
}

/// Imports brat pairs (and lone `.txt` files) picked together; the result is
/// shaped as `importFile`'s.
#[wasm_bindgen(js_name = importBrat)]
pub fn import_brat(set: &FileSet, taken_json: &str, labels_json: &str) -> Result<String, JsError> {
    let imported = formats::import_files(formats::Format::Brat, &set.files).map_err(js_err)?;
    merge_imported(imported, taken_json, labels_json)
}

/// Parses a file in any supported format into stored records:
/// `{"labels":[...],"documents":[{"id","text","meta","status","spans"}],"warnings":[...]}`.
/// Ids already `taken` (JSON array) get a suffix; `labels_json` is the current
/// label set, to which the file's labels are added.
#[wasm_bindgen(js_name = importFile)]
pub fn import_file(
    name: &str,
    content: &[u8],
    taken_json: &str,
    labels_json: &str,
) -> Result<String, JsError> {
    let imported = formats::import_detected(name, content)
        .map_err(|e| JsError::new(&format!("{name}: {e}")))?;
    merge_imported(imported, taken_json, labels_json)
}

/// Gives imported documents ids not yet `taken` and adds their labels to the
/// current set; the JSON the page stores.
fn merge_imported(
    imported: formats::Imported,
    taken_json: &str,
    labels_json: &str,
) -> Result<String, JsError> {
    let taken: Vec<String> = serde_json::from_str(taken_json).map_err(js_err)?;
    let current: Vec<Label> = serde_json::from_str(labels_json).map_err(js_err)?;
    let formats::Imported {
        mut project,
        warnings,
    } = imported;
    let mut labels = LabelSet::from_labels(current);
    for l in project.labels.iter() {
        if labels.get(&l.name).is_none() {
            labels.ensure(&l.name);
        }
    }
    let mut used: Vec<String> = taken;
    for d in &mut project.documents {
        d.id = unique_id(&d.id, |x| used.iter().any(|t| t == x));
        used.push(d.id.clone());
        for s in &d.spans {
            labels.ensure(&s.label);
        }
    }
    project.labels = labels;
    #[derive(Serialize)]
    struct Out<'a> {
        labels: &'a LabelSet,
        documents: &'a [Document],
        warnings: Vec<String>,
    }
    serde_json::to_string(&Out {
        labels: &project.labels,
        documents: &project.documents,
        warnings,
    })
    .map_err(js_err)
}

/// How the page asks for an export: `{"offsets","scheme","onlyDone","binary"}`,
/// every field optional.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ExportOptions {
    offsets: Option<String>,
    scheme: Option<String>,
    only_done: bool,
    binary: bool,
}

impl ExportOptions {
    fn parse(json: &str) -> Result<formats::Options, JsError> {
        let o: ExportOptions = if json.is_empty() {
            ExportOptions::default()
        } else {
            serde_json::from_str(json).map_err(js_err)?
        };
        let mut out = formats::Options {
            only_done: o.only_done,
            spacy_binary: o.binary,
            ..Default::default()
        };
        if let Some(u) = o.offsets {
            out.offsets = OffsetUnit::parse(&u)
                .ok_or_else(|| JsError::new(&format!("unknown offset unit {u:?}")))?;
        }
        if let Some(s) = o.scheme {
            out.scheme = formats::Scheme::parse(&s)
                .ok_or_else(|| JsError::new(&format!("unknown tagging scheme {s:?}")))?;
        }
        Ok(out)
    }
}

fn project_from_json(project_json: &str) -> Result<Project, JsError> {
    #[derive(Deserialize)]
    struct In {
        labels: Vec<Label>,
        documents: Vec<Document>,
    }
    let p: In = serde_json::from_str(project_json).map_err(js_err)?;
    let mut project = Project {
        labels: LabelSet::from_labels(p.labels),
        documents: p.documents,
    };
    project.add_missing_labels();
    Ok(project)
}

fn format_named(name: &str) -> Result<formats::Format, JsError> {
    formats::Format::from_name(name).ok_or_else(|| {
        JsError::new(&format!(
            "unknown format {name:?} (one of json, jsonl, doccano, prodigy, spacy, conll, brat, labelstudio)"
        ))
    })
}

/// Writes a project (`{"labels":[...],"documents":[...]}` as stored) in a
/// format, as text (the contract's `exportAs`).
#[wasm_bindgen(js_name = exportProject)]
pub fn export_project(
    format: &str,
    project_json: &str,
    options_json: &str,
) -> Result<String, JsError> {
    let project = project_from_json(project_json)?;
    let options = ExportOptions::parse(options_json)?;
    let bytes = formats::export_as(format_named(format)?, &project, &options).map_err(js_err)?;
    String::from_utf8(bytes)
        .map_err(|_| JsError::new(&format!("{format} with these options is binary")))
}

/// Writes a project as a file to download: its bytes; `exportExtension`
/// gives the name's ending.
#[wasm_bindgen(js_name = exportBytes)]
pub fn export_bytes(
    format: &str,
    project_json: &str,
    options_json: &str,
) -> Result<Vec<u8>, JsError> {
    let project = project_from_json(project_json)?;
    let options = ExportOptions::parse(options_json)?;
    formats::export_as(format_named(format)?, &project, &options).map_err(js_err)
}

/// The file name ending of an export (`.spanmark.json`, `.conll`, ...).
#[wasm_bindgen(js_name = exportExtension)]
pub fn export_extension(format: &str, options_json: &str) -> Result<String, JsError> {
    let options = ExportOptions::parse(options_json)?;
    Ok(format_named(format)?.extension(&options).to_string())
}

/// A compiled search query, reused over many documents.
#[wasm_bindgen]
pub struct Finder {
    query: crate::search::Query,
}

#[wasm_bindgen]
impl Finder {
    #[wasm_bindgen(constructor)]
    pub fn new(query: &str, case_insensitive: bool, whole_words: bool) -> Finder {
        Finder {
            query: crate::search::Query::new(query, case_insensitive, whole_words),
        }
    }

    pub fn count(&self, text: &str) -> u32 {
        self.query.count(text) as u32
    }
}

#[wasm_bindgen]
impl Annotator {
    /// Every match of `finder` in the open document, four numbers each: start
    /// and end in code points, then in UTF-16 units.
    pub fn find(&self, finder: &Finder) -> Result<Vec<u32>, JsError> {
        let e = self.editor()?;
        let map = self.selector.map();
        let mut out = Vec::new();
        for (a, b) in finder.query.find_all(&e.doc.text) {
            let (Some(ca), Some(cb)) = (map.byte_to_char(a), map.byte_to_char(b)) else {
                continue;
            };
            out.extend_from_slice(&[
                ca as u32,
                cb as u32,
                map.char_to_utf16(ca).unwrap_or(0) as u32,
                map.char_to_utf16(cb).unwrap_or(0) as u32,
            ]);
        }
        Ok(out)
    }

    /// Renames a label in the set and in the open document.
    #[wasm_bindgen(js_name = renameLabel)]
    pub fn rename_label(&mut self, from: &str, to: &str) -> Result<(), JsError> {
        self.labels.rename(from, to).map_err(js_err)?;
        self.learner_rename(from, to.trim());
        if let Some(e) = self.editor.as_mut() {
            crate::relabel::rename(&mut e.doc.spans, &mut e.history, from, to.trim());
        }
        Ok(())
    }

    /// Deletes a label from the set and its spans from the open document.
    #[wasm_bindgen(js_name = deleteLabel)]
    pub fn delete_label(&mut self, name: &str) -> Result<(), JsError> {
        if !self.labels.remove(name) {
            return Err(JsError::new(&format!("no label {name:?}")));
        }
        if let Some(e) = self.editor.as_mut() {
            crate::relabel::remove(&mut e.doc.spans, &mut e.history, name);
            self.dirty = blocks::Dirty::All;
        }
        Ok(())
    }

    #[wasm_bindgen(js_name = setLabelColor)]
    pub fn set_label_color(&mut self, name: &str, color: &str) -> Result<(), JsError> {
        self.labels.set_color(name, color).map_err(js_err)
    }

    /// Sets a label's key (`""` clears it), taking it from any other label.
    #[wasm_bindgen(js_name = setLabelKey)]
    pub fn set_label_key(&mut self, name: &str, key: &str) -> Result<(), JsError> {
        let key = (!key.is_empty()).then_some(key);
        self.labels.set_key(name, key).map_err(js_err)
    }

    /// Adds a label (with the next free colour and key).
    #[wasm_bindgen(js_name = addLabel)]
    pub fn add_label(&mut self, name: &str) -> Result<bool, JsError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(JsError::new("a label needs a name"));
        }
        Ok(self.labels.ensure(name))
    }

    /// Per-label span counts of the open document, JSON `{"PER": 3, ...}`.
    #[wasm_bindgen(js_name = labelCounts)]
    pub fn label_counts(&self) -> Result<String, JsError> {
        // Counted on borrowed names: redrawn after every edit, among
        // thousands of spans.
        let mut counts = std::collections::BTreeMap::<&str, u64>::new();
        for s in &self.editor()?.doc.spans {
            *counts.entry(s.label.as_str()).or_default() += 1;
        }
        serde_json::to_string(&counts).map_err(js_err)
    }
}

/// A stored annotations record (`{"spans","history"}`) with a label renamed
/// (`to` non-empty) or deleted (`to` empty): `{"record": {...}, "count": n}`.
#[wasm_bindgen(js_name = relabelRecord)]
pub fn relabel_record(record_json: &str, from: &str, to: &str) -> Result<String, JsError> {
    let mut a: Annotations = serde_json::from_str(record_json).map_err(js_err)?;
    let count = if to.is_empty() {
        crate::relabel::remove(&mut a.spans, &mut a.history, from)
    } else {
        crate::relabel::rename(&mut a.spans, &mut a.history, from, to.trim())
    };
    Ok(serde_json::json!({ "record": a, "count": count }).to_string())
}

/// The labels `preannotate` may report, in the order its label codes index.
#[wasm_bindgen(js_name = preannotateLabels)]
pub fn preannotate_labels() -> Vec<String> {
    crate::labels::DEFAULT_LABELS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Pre-annotates a text with the standard recognizer, for a worker or a
/// benchmark: five numbers per suggestion: start and end in code points,
/// label code (an index into `preannotateLabels()`), source (1 model, 2
/// rule) and score in thousandths.
#[wasm_bindgen]
pub fn preannotate(text: &str) -> Vec<u32> {
    thread_local! {
        static RECOGNIZER: Recognizer = Recognizer::standard();
    }
    let map = OffsetMap::new(text);
    RECOGNIZER.with(|r| {
        let mut out = Vec::new();
        for c in r.recognize(text) {
            let Some(label) = crate::labels::DEFAULT_LABELS
                .iter()
                .position(|l| *l == c.label)
            else {
                continue;
            };
            let (Some(a), Some(b)) = (map.byte_to_char(c.start), map.byte_to_char(c.end)) else {
                continue;
            };
            out.extend_from_slice(&[
                a as u32,
                b as u32,
                label as u32,
                source_code(c.source),
                (c.score.clamp(0.0, 1.0) * 1000.0).round() as u32,
            ]);
        }
        out
    })
}

/// Where a long text may be cut for pre-annotation in pieces (after a line
/// break, or after a space in a line longer than `target` bytes; pieces are
/// at least `target` bytes): pairs of UTF-16 offset and code point
/// offset of each piece's start, the text's end last.
#[wasm_bindgen(js_name = pieceStarts)]
pub fn piece_starts(text: &str, target: u32) -> Vec<u32> {
    let map = OffsetMap::new(text);
    let mut out = vec![0, 0];
    let mut last = 0;
    for cut in crate::layout::cut_points(text, target as usize) {
        if cut - last >= target as usize {
            out.push(map.byte_to_utf16(cut).unwrap_or(0) as u32);
            out.push(map.byte_to_char(cut).unwrap_or(0) as u32);
            last = cut;
        }
    }
    out.push(map.len(crate::text::OffsetUnit::Utf16) as u32);
    out.push(map.len(crate::text::OffsetUnit::Codepoint) as u32);
    out
}
