//! Conversions between JS values and the core's types.

use crate::doc::Document;
use crate::edit::History;
use crate::session::record::{Record, Stored};
use crate::session::Error;
use js_sys::{Float64Array, Object, Reflect, Uint32Array};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

pub(super) fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

pub(super) fn session_err(e: Error) -> JsError {
    JsError::new(&e.0)
}

/// A value as a plain JS value: maps as objects, `None` as `null`.
pub(super) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let s = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    value.serialize(&s).map_err(js_err)
}

pub(super) fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(js_err)
}

fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Sets a field of a plain object (which cannot refuse it).
pub(super) fn set(o: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(key), &value.into());
}

/// A stored document, `{id, text, meta, status}` (any `spans` ignored). A
/// text stored before texts were checked at the door may not be Unicode (an
/// unpaired surrogate): it is refused here, naming the place, rather than
/// read with a replacement character that its offsets would not match.
pub(super) fn document(value: JsValue) -> Result<Document, JsError> {
    if let Some(t) = get(&value, "text").dyn_ref::<js_sys::JsString>() {
        text(t, "its text")?;
    }
    #[derive(Deserialize)]
    struct Stored {
        id: String,
        text: String,
        #[serde(default)]
        meta: Option<serde_json::Value>,
        #[serde(default)]
        status: crate::doc::Status,
    }
    let s: Stored = from_js(value)?;
    let mut d = Document::new(s.id, s.text);
    d.meta = s
        .meta
        .filter(|m| !m.is_null())
        .unwrap_or_else(|| serde_json::json!({}));
    d.status = s.status;
    Ok(d)
}

/// A stored annotations record as the page holds it (see
/// `session::record`); `null`/`undefined` is none.
pub(super) fn record(value: JsValue) -> Result<Option<Record>, JsError> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    let doc_id = get(&value, "docId").as_string().unwrap_or_default();
    let preannotated = get(&value, "preannotated").as_bool();
    let rules = get(&value, "rules").as_string();
    let table = get(&value, "table");
    if table.is_undefined() {
        // The earlier shape: spans as objects, the history as an object.
        let spans: Vec<crate::doc::Span> = from_js(get(&value, "spans"))?;
        let history = get(&value, "history");
        let history: History = if history.is_undefined() || history.is_null() {
            History::default()
        } else {
            from_js(history)?
        };
        return Ok(Some(Record::from_objects(
            doc_id,
            &spans,
            history,
            preannotated,
            rules,
        )));
    }
    let labels = get(&value, "labels").as_string().unwrap_or_default();
    let ids = get(&value, "ids")
        .as_string()
        .unwrap_or_else(|| "[]".into());
    let history = get(&value, "history").as_string().unwrap_or_default();
    let rev = get(&value, "rev").as_f64().map(|r| r as u64);
    let suggested_by = get(&value, "suggestedBy").as_f64().map(|n| n as u32);
    let extras = get(&value, "extras").as_string();
    let mut r = Record::from_stored(Stored {
        doc_id,
        table: Uint32Array::new(&table).to_vec(),
        scores: Float64Array::new(&get(&value, "scores")).to_vec(),
        labels_json: &labels,
        ids_json: &ids,
        history_json: &history,
        preannotated,
        rules,
        rev,
        suggested_by,
        extras_json: extras.as_deref(),
    })
    .map_err(session_err)?;
    // A snapshot on its way to storage (`record_to_js` writes it) keeps
    // what it must find there.
    let expect = get(&value, "expect");
    if !expect.is_undefined() && !expect.is_null() {
        r.expect = Some(from_js(expect)?);
    }
    Ok(Some(r))
}

/// A record as the page stores it: typed arrays, which IndexedDB copies.
pub(super) fn record_to_js(r: &Record) -> JsValue {
    let o = Object::new();
    set(&o, "docId", r.doc_id.as_str());
    set(&o, "table", Uint32Array::from(r.spans.table.as_slice()));
    set(&o, "scores", Float64Array::from(r.spans.scores.as_slice()));
    set(&o, "labels", r.labels_json());
    set(&o, "ids", r.ids_json());
    set(&o, "history", r.history_json());
    set(&o, "count", r.count() as u32);
    set(&o, "preannotated", r.preannotated);
    set(&o, "rules", r.rules.as_str());
    set(&o, "rev", r.rev as f64);
    set(&o, "extras", r.extras_json());
    if let Some(n) = r.suggested_by {
        set(&o, "suggestedBy", n);
    }
    // Not stored: what the write checks first (store.js takes it off).
    if let Some(e) = &r.expect {
        let expect = Object::new();
        set(&expect, "rev", e.rev as f64);
        let seqs: js_sys::Array = e.seqs.iter().map(|&s| JsValue::from(s as f64)).collect();
        set(&expect, "seqs", seqs);
        set(&o, "expect", expect);
    }
    o.into()
}

/// A list of strings (document ids, label names).
pub(super) fn strings(value: JsValue) -> Result<Vec<String>, JsError> {
    from_js(value)
}

/// A text from the page, refused (naming the place) when it holds an
/// unpaired surrogate: such a string is not Unicode and has no UTF-8 form.
/// `what` names it in the message ("the text", a file's name).
pub(super) fn text(value: &js_sys::JsString, what: &str) -> Result<String, JsError> {
    if !well_formed(value) {
        let at = crate::text::unpaired_surrogate(value.iter()).unwrap_or(0);
        return Err(JsError::new(&format!(
            "{what} has an unpaired surrogate at UTF-16 offset {at}: it is not valid Unicode text"
        )));
    }
    Ok(String::from(value))
}

/// Whether a string has no unpaired surrogate: the browser's own
/// `isWellFormed` where it has one (`JsString::is_valid_utf16` crosses into
/// JavaScript once per UTF-16 unit: a millisecond per 100 kB of text).
fn well_formed(value: &js_sys::JsString) -> bool {
    thread_local! {
        static NATIVE: bool = Reflect::get(&js_sys::global(), &"String".into())
            .and_then(|string| Reflect::get(&string, &"prototype".into()))
            .and_then(|proto| Reflect::has(&proto, &"isWellFormed".into()))
            .unwrap_or(false);
    }
    if NATIVE.with(|n| *n) {
        value.is_well_formed()
    } else {
        value.is_valid_utf16()
    }
}
