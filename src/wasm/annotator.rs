//! The page's session (`session::Session`), method by method.

use super::convert::{self, from_js, session_err, to_js};
use crate::labels::Label;
use crate::session::review::Listed;
use crate::session::{Action, Session};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
#[derive(Default)]
pub struct Annotator {
    session: Session,
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

fn pair(p: Option<(usize, usize)>) -> Option<Vec<u32>> {
    p.map(|(a, b)| vec![a as u32, b as u32])
}

fn at(from: f64) -> Option<usize> {
    (from >= 0.0).then_some(from as usize)
}

/// The article a first visit opens.
#[wasm_bindgen(js_name = demoText)]
pub fn demo_text() -> String {
    crate::session::DEMO_TEXT.to_string()
}

#[wasm_bindgen]
impl Annotator {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Annotator {
        Annotator::default()
    }

    // ---- labels ----

    /// The label set, `[{name, color, key}]`.
    pub fn labels(&self) -> Result<JsValue, JsError> {
        to_js(self.session.labels())
    }

    #[wasm_bindgen(js_name = setLabels)]
    pub fn set_labels(&mut self, labels: JsValue) -> Result<(), JsError> {
        let labels: Vec<Label> = from_js(labels)?;
        self.session.set_labels(labels);
        Ok(())
    }

    #[wasm_bindgen(js_name = labelForKey)]
    pub fn label_for_key(&self, key: &str) -> Option<String> {
        self.session.label_for_key(key).map(str::to_string)
    }

    #[wasm_bindgen(js_name = addLabel)]
    pub fn add_label(&mut self, name: &str) -> Result<bool, JsError> {
        self.session.add_label(name).map_err(session_err)
    }

    #[wasm_bindgen(js_name = setLabelColor)]
    pub fn set_label_color(&mut self, name: &str, color: &str) -> Result<(), JsError> {
        self.session
            .set_label_color(name, color)
            .map_err(session_err)
    }

    /// Sets a label's key (`""` clears it); the label it was taken from, if any.
    #[wasm_bindgen(js_name = setLabelKey)]
    pub fn set_label_key(&mut self, name: &str, key: &str) -> Result<Option<String>, JsError> {
        let key = (!key.is_empty()).then_some(key);
        self.session.set_label_key(name, key).map_err(session_err)
    }

    #[wasm_bindgen(js_name = renameLabel)]
    pub fn rename_label(&mut self, from: &str, to: &str) -> Result<(), JsError> {
        self.session.rename_label(from, to).map_err(session_err)
    }

    #[wasm_bindgen(js_name = deleteLabel)]
    pub fn delete_label(&mut self, name: &str) -> Result<(), JsError> {
        self.session.delete_label(name).map_err(session_err)
    }

    // ---- relation and document labels (the project's structure) ----

    /// Renames a relation label in the set and the open document; how many
    /// of its relations that renamed.
    #[wasm_bindgen(js_name = renameRelationLabel)]
    pub fn rename_relation_label(&mut self, from: &str, to: &str) -> Result<u32, JsError> {
        let n = self.session.rename_relation_label(from, to);
        Ok(n.map_err(session_err)? as u32)
    }

    /// Deletes a relation label and the open document's relations with it;
    /// how many went.
    #[wasm_bindgen(js_name = deleteRelationLabel)]
    pub fn delete_relation_label(&mut self, name: &str) -> Result<u32, JsError> {
        let n = self.session.delete_relation_label(name);
        Ok(n.map_err(session_err)? as u32)
    }

    #[wasm_bindgen(js_name = setRelationLabelColor)]
    pub fn set_relation_label_color(&mut self, name: &str, color: &str) -> Result<(), JsError> {
        let done = self.session.set_relation_label_color(name, color);
        done.map_err(session_err)
    }

    /// Sets a relation label's key (`""` clears it); the relation label it
    /// was taken from, if any.
    #[wasm_bindgen(js_name = setRelationLabelKey)]
    pub fn set_relation_label_key(
        &mut self,
        name: &str,
        key: &str,
    ) -> Result<Option<String>, JsError> {
        let key = (!key.is_empty()).then_some(key);
        let taken = self.session.set_relation_label_key(name, key);
        taken.map_err(session_err)
    }

    #[wasm_bindgen(js_name = setRelationLabelDirected)]
    pub fn set_relation_label_directed(
        &mut self,
        name: &str,
        directed: bool,
    ) -> Result<(), JsError> {
        let done = self.session.set_relation_label_directed(name, directed);
        done.map_err(session_err)
    }

    /// Renames a document label in the set and the open document.
    #[wasm_bindgen(js_name = renameDocLabel)]
    pub fn rename_doc_label(&mut self, from: &str, to: &str) -> Result<(), JsError> {
        self.session
            .rename_doc_label(from, to)
            .map_err(session_err)?;
        Ok(())
    }

    #[wasm_bindgen(js_name = deleteDocLabel)]
    pub fn delete_doc_label(&mut self, name: &str) -> Result<(), JsError> {
        self.session.delete_doc_label(name).map_err(session_err)?;
        Ok(())
    }

    /// How many labels the set holds.
    #[wasm_bindgen(js_name = labelCount)]
    pub fn label_count(&self) -> u32 {
        self.session.labels().len() as u32
    }

    /// The labels the bar shows: `{labels: [{name, color, key, count}], hidden}`.
    #[wasm_bindgen(js_name = labelBar)]
    pub fn label_bar(&self, query: &str, limit: u32) -> Result<JsValue, JsError> {
        to_js(&self.session.label_bar(query, limit as usize))
    }

    /// Spans per label in the open document, `{PER: 3, ...}`.
    #[wasm_bindgen(js_name = labelCounts)]
    pub fn label_counts(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.label_counts())
    }

    // ---- opening ----

    /// Opens a new document without its suggestions, which `suggestNew`
    /// then adds (see `Session::open_new`): `wanted` id or null, the ids
    /// `taken`, the text and its `meta`. Resolves to what was decided,
    /// `{id, name, owed, snapshot}`.
    #[wasm_bindgen(js_name = openNew)]
    pub fn open_new(
        &mut self,
        wanted: Option<String>,
        taken: JsValue,
        text: js_sys::JsString,
        meta: JsValue,
    ) -> Result<JsValue, JsError> {
        let text = convert::text(&text, "the text")?;
        let taken = convert::strings(taken)?;
        let meta = meta_of(meta)?;
        let opened = self
            .session
            .open_new(wanted.as_deref(), &taken, text, meta)
            .map_err(session_err)?;
        to_js(&opened)
    }

    #[wasm_bindgen(js_name = suggestNew)]
    pub fn suggest_new(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.session.suggest_new().map_err(session_err)?)
    }

    /// Opens a stored document with its record (or null), the edit log
    /// stored since (`[{seq, entry}]`) and the ids of the tabs open now (see
    /// `Session::open_stored`).
    #[wasm_bindgen(js_name = openStored)]
    pub fn open_stored(
        &mut self,
        doc: JsValue,
        record: JsValue,
        log: JsValue,
        live: JsValue,
    ) -> Result<JsValue, JsError> {
        let doc = convert::document(doc)?;
        let record = convert::record(record)?;
        let log: Vec<crate::session::Logged> = from_js(log)?;
        let live = convert::strings(live)?;
        let opened = self
            .session
            .open_stored(doc, record, &log, &live)
            .map_err(session_err)?;
        to_js(&opened)
    }

    /// A stored document (`{id, text, meta, status}`) renamed as a person
    /// typed it, to store (see `Session::rename`); an empty or over-long
    /// name is refused.
    #[wasm_bindgen(js_name = renameDocument)]
    pub fn rename_document(&mut self, doc: JsValue, name: &str) -> Result<JsValue, JsError> {
        let doc = convert::document(doc)?;
        to_js(&self.session.rename(doc, name).map_err(session_err)?)
    }

    /// Names this page's tab (see `Session::set_tab`).
    #[wasm_bindgen(js_name = setTab)]
    pub fn set_tab(&mut self, tab: &str) {
        self.session.set_tab(tab);
    }

    /// The open document's edit-log entry was stored as `seq`.
    pub fn logged(&mut self, seq: f64) {
        self.session.logged(seq as u64);
    }

    /// A new id for the new, unstored document, its id having been taken
    /// meanwhile (see `Session::retake_id`); `{id, name, owed, snapshot}`.
    #[wasm_bindgen(js_name = retakeId)]
    pub fn retake_id(&mut self, taken: JsValue) -> Result<JsValue, JsError> {
        let taken = convert::strings(taken)?;
        to_js(&self.session.retake_id(&taken).map_err(session_err)?)
    }

    /// Applies edit-log entries to the open document.
    pub fn replay(&mut self, entries: JsValue) -> Result<(), JsError> {
        let entries: Vec<crate::edit::LogEntry> = from_js(entries)?;
        self.session.replay(&entries).map_err(session_err)
    }

    // ---- the open document ----

    /// `{id, meta, status}` of the open document.
    pub fn head(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.head().map_err(session_err)?)
    }

    /// The open document's spans, `[{start, end, label, source, ...}]`.
    pub fn spans(&self) -> Result<JsValue, JsError> {
        to_js(self.session.spans())
    }

    /// The open document's relations, `[{id, from, to, label}]`.
    pub fn relations(&self) -> Result<JsValue, JsError> {
        to_js(self.session.relations())
    }

    /// Changes whenever the open document's relations do (see
    /// `Session::relations_key`).
    #[wasm_bindgen(js_name = relationsKey)]
    pub fn relations_key(&self) -> u32 {
        self.session.relations_key()
    }

    #[wasm_bindgen(js_name = docLabels)]
    pub fn doc_labels(&self) -> Result<JsValue, JsError> {
        to_js(self.session.doc_labels())
    }

    /// The open document's note (null: none).
    pub fn note(&self) -> Option<String> {
        self.session.note().map(str::to_string)
    }

    /// The project's structure (`session::Structure`): overlap setting,
    /// relation labels, document labels.
    pub fn structure(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.structure())
    }

    #[wasm_bindgen(js_name = setStructure)]
    pub fn set_structure(&mut self, structure: JsValue) -> Result<(), JsError> {
        self.session.set_structure(from_js(structure)?);
        Ok(())
    }

    #[wasm_bindgen(js_name = spanCount)]
    pub fn span_count(&self) -> u32 {
        self.session.spans().len() as u32
    }

    /// Whether a worker still owes the open document its suggestions.
    pub fn owed(&self) -> bool {
        self.session.owed()
    }

    /// The open document's record to store now (see `session::record`).
    pub fn record(&mut self) -> Result<JsValue, JsError> {
        Ok(convert::record_to_js(
            &self.session.record().map_err(session_err)?,
        ))
    }

    /// One user action (`{op, ...}`); its outcome (see `session::Outcome`).
    pub fn apply(&mut self, action: JsValue) -> Result<JsValue, JsError> {
        let action: Action = from_js(action)?;
        self.session.set_clock(js_sys::Date::now() as u64);
        to_js(&self.session.apply(action).map_err(session_err)?)
    }

    // ---- selection ----

    #[wasm_bindgen(js_name = prepareTokens)]
    pub fn prepare_tokens(&mut self, bytes: u32) -> bool {
        self.session.prepare_tokens(bytes as usize)
    }

    /// A selection in UTF-16 units snapped to tokens: `[start, end]` in code
    /// points, or nothing when it holds no token.
    pub fn snap(&mut self, start16: u32, end16: u32) -> Option<Vec<u32>> {
        pair(self.session.snap(start16 as usize, end16 as usize))
    }

    #[wasm_bindgen(js_name = stepEdge)]
    pub fn step_edge(&mut self, start: u32, end: u32, edge: &str, grow: bool) -> Option<Vec<u32>> {
        pair(
            self.session
                .step_edge(start as usize, end as usize, edge == "start", grow),
        )
    }

    /// The token after (or before) code point `from` (-1: none yet).
    #[wasm_bindgen(js_name = nextToken)]
    pub fn next_token(&mut self, from: f64, backwards: bool) -> Option<Vec<u32>> {
        pair(self.session.next_token(at(from), backwards))
    }

    /// One step of review from code point `from` (-1: the start) among
    /// the project's `docs` (`[{id, name, status}]` in the list's order):
    /// `{select, open, status}` (see `session::review::Step`).
    #[wasm_bindgen(js_name = reviewStep)]
    pub fn review_step(
        &self,
        from: f64,
        backwards: bool,
        docs: JsValue,
    ) -> Result<JsValue, JsError> {
        let docs: Vec<Listed> = from_js(docs)?;
        to_js(&self.session.review_step(at(from), backwards, &docs))
    }

    /// The unchecked suggestion after (or before) code point `from` (-1:
    /// from the start, or the end).
    #[wasm_bindgen(js_name = nextUnchecked)]
    pub fn next_unchecked(&self, from: f64, backwards: bool) -> Option<Vec<u32>> {
        pair(
            self.session
                .next_unchecked(at(from), backwards)
                .map(|[a, b]| (a, b)),
        )
    }

    /// A selection of text in the status line's words.
    #[wasm_bindgen(js_name = describeSelection)]
    pub fn describe_selection(&self, start: u32, end: u32) -> String {
        self.session
            .describe_selection(start as usize, end as usize)
    }

    /// A selected span in the status line's words.
    #[wasm_bindgen(js_name = describeSpan)]
    pub fn describe_span(&self, start: u32, end: u32) -> String {
        self.session.describe_span(start as usize, end as usize)
    }

    /// The span after (or before) code point `from` (-1: none yet).
    #[wasm_bindgen(js_name = neighbourSpan)]
    pub fn neighbour_span(&self, from: f64, backwards: bool) -> Option<Vec<u32>> {
        pair(self.session.neighbour_span(at(from), backwards))
    }

    #[wasm_bindgen(js_name = utf16ToChar)]
    pub fn utf16_to_char(&self, u: u32) -> Option<u32> {
        self.session.utf16_to_char(u as usize).map(|c| c as u32)
    }

    #[wasm_bindgen(js_name = charToUtf16)]
    pub fn char_to_utf16(&self, c: u32) -> Option<u32> {
        self.session.char_to_utf16(c as usize).map(|u| u as u32)
    }

    // ---- drawing ----

    pub fn blocks(&mut self) -> Result<Vec<u32>, JsError> {
        self.session.blocks().map_err(session_err)
    }

    #[wasm_bindgen(js_name = blockPatch)]
    pub fn block_patch(&mut self) -> Result<Vec<u32>, JsError> {
        self.session.block_patch().map_err(session_err)
    }

    #[wasm_bindgen(js_name = spanTable)]
    pub fn span_table(&self) -> Result<Vec<u32>, JsError> {
        self.session.span_table().map_err(session_err)
    }

    #[wasm_bindgen(js_name = spanTableIn)]
    pub fn span_table_in(&self, start16: u32, end16: u32) -> Result<Vec<u32>, JsError> {
        self.session
            .span_table_in(start16 as usize, end16 as usize)
            .map_err(session_err)
    }

    pub fn find(&self, finder: &Finder) -> Result<Vec<u32>, JsError> {
        self.session.find(&finder.query).map_err(session_err)
    }

    // ---- learning ----

    #[wasm_bindgen(js_name = learnFromDocument)]
    pub fn learn_from_document(&mut self) -> Result<u32, JsError> {
        self.session.learn_from_document().map_err(session_err)
    }

    #[wasm_bindgen(js_name = learnedDocs)]
    pub fn learned_docs(&self) -> u32 {
        self.session.learned_docs()
    }

    #[wasm_bindgen(js_name = learnedModel)]
    pub fn learned_model(&self) -> Result<Vec<u8>, JsError> {
        self.session.learned_model().map_err(session_err)
    }

    #[wasm_bindgen(js_name = loadLearnedModel)]
    pub fn load_learned_model(&mut self, bytes: &[u8]) -> Result<u32, JsError> {
        self.session.load_learned_model(bytes).map_err(session_err)
    }

    #[wasm_bindgen(js_name = resetLearnedModel)]
    pub fn reset_learned_model(&mut self) -> Result<(), JsError> {
        self.session.reset_learned_model().map_err(session_err)
    }

    /// Suggests the open document afresh if untouched: the status line
    /// saying what changed, or `undefined` when nothing did.
    #[wasm_bindgen(js_name = resuggestUntouched)]
    pub fn resuggest_untouched(&mut self) -> Result<Option<String>, JsError> {
        self.session.resuggest_untouched().map_err(session_err)
    }

    /// Who made the open document's suggestions: `{model, rule}`, in words.
    pub fn suggesters(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.suggesters())
    }

    /// A slice of a worker's suggestion table, label codes indexing
    /// `labels` (names); `first` replaces the suggestions there, `last`
    /// settles what was owed.
    #[wasm_bindgen(js_name = addSuggestions)]
    pub fn add_suggestions(
        &mut self,
        table: &[u32],
        labels: JsValue,
        first: bool,
        last: bool,
    ) -> Result<(), JsError> {
        let labels = convert::strings(labels)?;
        self.session
            .add_suggestions(table, &labels, first, last)
            .map_err(session_err)
    }

    // ---- rules ----

    /// Replaces the rules (EntityRuler JSONL): `{rules, labels, skipped}`.
    #[wasm_bindgen(js_name = setRules)]
    pub fn set_rules(&mut self, jsonl: &str) -> Result<JsValue, JsError> {
        to_js(&self.session.set_rules(jsonl).map_err(session_err)?)
    }

    #[wasm_bindgen(js_name = rulesJsonl)]
    pub fn rules_jsonl(&self) -> String {
        self.session.rules_jsonl()
    }

    #[wasm_bindgen(js_name = rulesVersion)]
    pub fn rules_version(&self) -> String {
        self.session.rules_version()
    }

    /// The rules per label, as the panel shows them.
    #[wasm_bindgen(js_name = rulesGroups)]
    pub fn rules_groups(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.rules_groups())
    }

    /// The panel's lists as JSONL for `setRules`.
    #[wasm_bindgen(js_name = rulesFromGroups)]
    pub fn rules_from_groups(&self, groups: JsValue) -> Result<String, JsError> {
        let groups: Vec<crate::recognize::rules::LabelRules> = from_js(groups)?;
        self.session.rules_from_groups(&groups).map_err(session_err)
    }

    /// Another stored document's record (`doc`, its record, its log
    /// since) as the snapshot that folds the log in: what a project-wide
    /// change is then made to. The record as it is when the log is empty.
    #[wasm_bindgen(js_name = foldLog)]
    pub fn fold_log(
        &self,
        doc: JsValue,
        record: JsValue,
        log: JsValue,
    ) -> Result<JsValue, JsError> {
        let doc = convert::document(doc)?;
        let Some(record) = convert::record(record)? else {
            return Err(JsError::new("foldLog: no record to fold the log into"));
        };
        let log: Vec<crate::session::Logged> = from_js(log)?;
        let folded = self
            .session
            .fold_log(doc, record, &log)
            .map_err(session_err)?;
        Ok(convert::record_to_js(&folded))
    }

    /// Labels every occurrence of `text` in another stored document (its
    /// record or null, and its log): `{count, record}` (record null when
    /// nothing was added).
    #[wasm_bindgen(js_name = labelTextIn)]
    pub fn label_text_in(
        &self,
        doc: JsValue,
        record: JsValue,
        log: JsValue,
        text: &str,
        label: &str,
    ) -> Result<JsValue, JsError> {
        let doc = convert::document(doc)?;
        let record = convert::record(record)?;
        let log: Vec<crate::session::Logged> = from_js(log)?;
        let (count, record) = self
            .session
            .label_text_in(doc, record, &log, text, label)
            .map_err(session_err)?;
        let o = js_sys::Object::new();
        convert::set(&o, "count", count as u32);
        convert::set(
            &o,
            "record",
            record.as_ref().map_or(JsValue::NULL, convert::record_to_js),
        );
        Ok(o.into())
    }
}

/// A new document's meta as the page gives it (none: `{}`).
fn meta_of(meta: JsValue) -> Result<serde_json::Value, JsError> {
    if meta.is_undefined() || meta.is_null() {
        Ok(serde_json::json!({}))
    } else {
        from_js(meta)
    }
}
