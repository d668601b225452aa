//! Whole-project calls (`session::project`): imports, label changes
//! carried into stored records, inconsistencies, exports.

use super::convert::{self, from_js, session_err, set, to_js};
use crate::doc::Document;
use crate::formats;
use crate::labels::{Label, LabelSet};
use crate::session::project::{self, ExportOptions, Import};
use crate::session::review::{self, Listed};
use crate::session::Structure;
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

/// `{labels, documents, records, warnings}`: what the page stores.
fn import_to_js(i: &Import) -> Result<JsValue, JsError> {
    let o = Object::new();
    set(&o, "labels", to_js(&i.labels)?);
    set(&o, "documents", to_js(&i.documents)?);
    let records: Array = i.records.iter().map(convert::record_to_js).collect();
    set(&o, "records", records);
    set(&o, "warnings", to_js(&i.warnings)?);
    set(&o, "structure", to_js(&i.structure)?);
    Ok(o.into())
}

/// Several files picked together, read as one project (brat's `.txt` +
/// `.ann` pairs).
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

/// Which of the files picked together (names) are read as one brat project.
#[wasm_bindgen(js_name = bratParts)]
pub fn brat_parts(names: JsValue) -> Result<Vec<u8>, JsError> {
    let names = convert::strings(names)?;
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(formats::brat_parts(&refs)
        .into_iter()
        .map(u8::from)
        .collect())
}

/// A file (its content as text or bytes) in any supported format as new
/// documents for a project with the document ids `taken` and `labels`.
#[wasm_bindgen(js_name = importFile)]
pub fn import_file(
    name: &str,
    content: JsValue,
    taken: JsValue,
    labels: JsValue,
    structure: JsValue,
) -> Result<JsValue, JsError> {
    let content = match content.dyn_ref::<js_sys::JsString>() {
        Some(text) => convert::text(text, name)?.into_bytes(),
        None => js_sys::Uint8Array::new(&content).to_vec(),
    };
    let content = content.as_slice();
    let taken = convert::strings(taken)?;
    let labels: Vec<Label> = from_js(labels)?;
    let structure: Structure = from_js(structure)?;
    let i = project::import_file(
        name,
        content,
        &taken,
        LabelSet::from_labels(labels),
        &structure,
    )
    .map_err(session_err)?;
    import_to_js(&i)
}

/// Brat pairs (and lone `.txt` files) picked together.
#[wasm_bindgen(js_name = importBrat)]
pub fn import_brat(
    set: &FileSet,
    taken: JsValue,
    labels: JsValue,
    structure: JsValue,
) -> Result<JsValue, JsError> {
    let taken = convert::strings(taken)?;
    let labels: Vec<Label> = from_js(labels)?;
    let structure: Structure = from_js(structure)?;
    let i = project::import_brat(
        &set.files,
        &taken,
        LabelSet::from_labels(labels),
        &structure,
    )
    .map_err(session_err)?;
    import_to_js(&i)
}

/// A stored record with a label renamed (`to` a name) or deleted (`to`
/// null): `{record, count}`, or null when nothing changed.
#[wasm_bindgen(js_name = relabelRecord)]
pub fn relabel_record(record: JsValue, from: &str, to: Option<String>) -> Result<JsValue, JsError> {
    let Some(record) = convert::record(record)? else {
        return Ok(JsValue::NULL);
    };
    let out = project::relabel(&record, from, to.as_deref());
    Ok(relabelled(out.map_err(session_err)?))
}

/// `{record, count}` of a relabelled record, or null when nothing changed.
fn relabelled(out: Option<(crate::session::Record, usize)>) -> JsValue {
    match out {
        None => JsValue::NULL,
        Some((r, count)) => {
            let o = Object::new();
            set(&o, "record", convert::record_to_js(&r));
            set(&o, "count", JsValue::from(count as u32));
            o.into()
        }
    }
}

/// A stored record with a relation label (`kind` "relation") or a
/// document label (`kind` "document") renamed (`to` a name) or deleted
/// (`to` null, with its relations): `{record, count}`, or null when nothing
/// changed.
#[wasm_bindgen(js_name = relabelRecordStructure)]
pub fn relabel_record_structure(
    record: JsValue,
    kind: &str,
    from: &str,
    to: Option<String>,
) -> Result<JsValue, JsError> {
    let kind = crate::session::StructureLabel::from_name(kind).map_err(session_err)?;
    let Some(record) = convert::record(record)? else {
        return Ok(JsValue::NULL);
    };
    let out = project::relabel_structure(&record, kind, from, to.as_deref());
    Ok(relabelled(out.map_err(session_err)?))
}

/// Why a stored record's spans cannot stand under the overlap setting
/// `mode`, naming them; null when they can.
#[wasm_bindgen(js_name = overlapBreach)]
pub fn overlap_breach(record: JsValue, mode: &str) -> Result<Option<String>, JsError> {
    let Some(mode) = crate::edit::Overlap::from_name(mode) else {
        return Err(JsError::new(&format!(
            "no overlap setting {mode:?} (none, nested or any)"
        )));
    };
    let Some(record) = convert::record(record)? else {
        return Ok(None);
    };
    project::overlap_breach(&record, mode).map_err(session_err)
}

/// A stored document with its record's spans (for exports and the
/// project-wide panels): `{id, text, meta, status, spans}`.
#[wasm_bindgen(js_name = joinRecord)]
pub fn join_record(doc: JsValue, record: JsValue) -> Result<JsValue, JsError> {
    let doc = convert::document(doc)?;
    let record = convert::record(record)?;
    to_js(&project::joined(doc, record.as_ref()).map_err(session_err)?)
}

/// Whether a snapshot written with `expect` (`{rev, seqs}`, see
/// `session::record`) may replace its document's stored record of
/// revision `stored_rev` and drop the log entries `logged` (their seqs).
#[wasm_bindgen(js_name = snapshotAdmitted)]
pub fn snapshot_admitted(
    expect: JsValue,
    stored_rev: f64,
    logged: Vec<f64>,
) -> Result<bool, JsError> {
    let expect: crate::session::record::Expect = from_js(expect)?;
    let logged: Vec<u64> = logged.into_iter().map(|s| s as u64).collect();
    Ok(expect.admits(stored_rev as u64, &logged))
}

/// The strings a project labels inconsistently (documents with their
/// spans); with `unlabeled`, also strings left unlabeled somewhere.
#[wasm_bindgen]
pub fn inconsistencies(documents: JsValue, unlabeled: bool) -> Result<JsValue, JsError> {
    let docs: Vec<Document> = from_js(documents)?;
    to_js(&crate::occurrences::inconsistencies(&docs, unlabeled))
}

/// After the document `current` was marked done, among the project's
/// `docs` (`[{id, name, status}]`, the list's order): `{open, status}`.
#[wasm_bindgen(js_name = afterDone)]
pub fn after_done(docs: JsValue, current: &str) -> Result<JsValue, JsError> {
    let docs: Vec<Listed> = from_js(docs)?;
    to_js(&review::after_done(&docs, current))
}

/// The status line once the document `id` is opened from the list.
#[wasm_bindgen(js_name = openedStatus)]
pub fn opened_status(docs: JsValue, id: &str) -> Result<String, JsError> {
    let docs: Vec<Listed> = from_js(docs)?;
    Ok(review::opened(&docs, id))
}

/// An export written a stored document at a time (`session::project::
/// ExportStream`): `head(labels)`, then `document(doc, record)` for each,
/// then `finish()`, each giving bytes. A stored document that cannot be
/// read gives `undefined` and is named in `skipped()`.
#[wasm_bindgen]
pub struct ExportWriter {
    stream: project::ExportStream,
}

#[wasm_bindgen]
impl ExportWriter {
    #[wasm_bindgen(constructor)]
    pub fn new(format: &str, options: JsValue) -> Result<ExportWriter, JsError> {
        let options: ExportOptions = if options.is_undefined() || options.is_null() {
            ExportOptions::default()
        } else {
            from_js(options)?
        };
        let stream = project::ExportStream::new(format, &options).map_err(session_err)?;
        Ok(ExportWriter { stream })
    }

    /// The file's opening, from the project's labels and structure
    /// (`session::Structure`).
    pub fn head(&mut self, labels: JsValue, structure: JsValue) -> Result<Vec<u8>, JsError> {
        let labels: Vec<Label> = from_js(labels)?;
        let structure: Structure = from_js(structure)?;
        self.stream.head(labels, &structure).map_err(session_err)
    }

    pub fn document(&mut self, doc: JsValue, record: JsValue) -> Result<Option<Vec<u8>>, JsError> {
        let id = js_sys::Reflect::get(&doc, &JsValue::from_str("id"))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let read = convert::document(doc).and_then(|d| Ok((d, convert::record(record)?)));
        match read {
            Ok((d, r)) => self.stream.document(d, r.as_ref()).map_err(session_err),
            Err(e) => {
                self.stream.skip(id, error_text(e));
                Ok(None)
            }
        }
    }

    pub fn finish(&mut self) -> Result<Vec<u8>, JsError> {
        self.stream.finish().map_err(session_err)
    }

    /// `[{id, reason}]`: the stored documents left out.
    pub fn skipped(&self) -> Result<JsValue, JsError> {
        #[derive(serde::Serialize)]
        struct Skipped<'a> {
            id: &'a str,
            reason: &'a str,
        }
        let list: Vec<Skipped> = self
            .stream
            .skipped()
            .iter()
            .map(|(id, reason)| Skipped { id, reason })
            .collect();
        to_js(&list)
    }

    /// What was written, in words (see `ExportStream::summary`).
    pub fn summary(&self) -> String {
        self.stream.summary()
    }

    #[wasm_bindgen(getter)]
    pub fn extension(&self) -> String {
        self.stream.extension().to_string()
    }

    #[wasm_bindgen(getter, js_name = mediaType)]
    pub fn media_type(&self) -> String {
        self.stream.media_type().to_string()
    }
}

/// A `JsError`'s message (it has no other way out on this side).
fn error_text(e: JsError) -> String {
    let v: JsValue = e.into();
    js_sys::Reflect::get(&v, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "it cannot be read".to_string())
}

/// The names of every export format.
#[wasm_bindgen(js_name = formatNames)]
pub fn format_names() -> Vec<String> {
    formats::Format::names()
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// A project's name after the first file (or folder) imported into it.
#[wasm_bindgen(js_name = projectNameFromFile)]
pub fn project_name_from_file(path: &str) -> String {
    project::project_name_from_file(path)
}

/// An export's file name (see `session::project::export_file_name`).
#[wasm_bindgen(js_name = exportFileName)]
pub fn export_file_name(
    project: Option<String>,
    documents: u32,
    current: Option<String>,
    extension: &str,
) -> String {
    project::export_file_name(
        project.as_deref(),
        documents as usize,
        current.as_deref(),
        extension,
    )
}

/// A pasted text's name: its first words.
#[wasm_bindgen(js_name = nameFromWords)]
pub fn name_from_words(text: &str) -> String {
    crate::doc::name_from_words(text)
}
