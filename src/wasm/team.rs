//! The page's replicator (`sync::replicate`): the page loads the stored
//! entries into it, moves its requests with `fetch`, hands the answers back
//! as text, and stores what it says to store.

use super::convert::{self, from_js, js_err, to_js};
use crate::agreement::{agreement, contract_json, Agreement, Annotated};
use crate::assignment;
use crate::curation::{self, Answer};
use crate::doc::{Document, Source, Span, Status};
use crate::sync::replicate::{self, Entry, Failure, Replica, Step};
use crate::sync::{plan::Checkpoint, Annotations, Rev};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Team {
    replica: Replica,
}

/// A request as the page sends it: the body already JSON text.
#[derive(Serialize)]
struct Outgoing {
    kind: &'static str,
    method: &'static str,
    path: String,
    body: Option<String>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Said {
    Done { pushed: usize, pulled: usize },
    Signedout { reason: String },
    Server { reason: String },
}

fn request(r: replicate::Request) -> Result<JsValue, JsError> {
    to_js(&Outgoing {
        kind: "request",
        method: r.method,
        path: r.path,
        body: r.body.map(|b| b.to_string()),
    })
}

#[wasm_bindgen]
impl Team {
    /// `records`: the `team` store's records in key order (see
    /// [`stored_entries`]); `checkpoint` the stored one (or null).
    #[wasm_bindgen(constructor)]
    pub fn new(
        server: &str,
        project: &str,
        me: &str,
        device: &str,
        session: &str,
        records: JsValue,
        checkpoint: JsValue,
    ) -> Result<Team, JsError> {
        let mut entries = Vec::new();
        for record in js_sys::Array::from(&records).iter() {
            entries.extend(stored_entries(record)?);
        }
        let checkpoint: Option<Checkpoint> = if checkpoint.is_null() || checkpoint.is_undefined() {
            None
        } else {
            Some(from_js(checkpoint)?)
        };
        Ok(Team {
            replica: Replica::new(server, project, me, device, session, entries, checkpoint),
        })
    }

    /// Takes a stored document's annotations record (or null) as the
    /// signed-in annotator's record of it; whether that made a revision.
    #[wasm_bindgen(js_name = commitOwn)]
    pub fn commit_own(&mut self, doc: JsValue, record: JsValue, now: f64) -> Result<bool, JsError> {
        let doc = convert::document(doc)?;
        let record = convert::record(record)?;
        let body = replicate::own_body(
            &doc.id,
            self.replica.me(),
            doc.status,
            record.as_ref(),
            now as u64,
        )
        .map_err(js_err)?;
        Ok(self.replica.commit_own(&body))
    }

    /// Takes a record the curator writes (`doc:<id>`, `labels`, `rules`).
    pub fn commit(&mut self, id: &str, body: JsValue) -> Result<bool, JsError> {
        let body: Value = from_js(body)?;
        Ok(self.replica.commit(id, body))
    }

    /// The first request of a round.
    pub fn start(&mut self) -> Result<JsValue, JsError> {
        request(self.replica.start())
    }

    /// The answer to the last request (its status and body, as the bytes
    /// received: a first sync's pages are megabytes, which as a string would
    /// be decoded to UTF-16 by the browser and encoded back to UTF-8 here):
    /// the next request, `{kind: 'done', pushed, pulled}`, or why the round
    /// stopped (`signedout` or `server`, with a reason).
    pub fn answer(&mut self, status: u16, body: &[u8]) -> Result<JsValue, JsError> {
        // Not JSON (a proxy's page): no answer of the protocol's.
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        // The page sends the next request before `takeWrites` joins the
        // page's bodies (replicator.js).
        match self.replica.answer_ahead(status, body) {
            Ok(Step::Request(r)) => request(r),
            Ok(Step::Done(s)) => to_js(&Said::Done {
                pushed: s.pushed,
                pulled: s.pulled,
            }),
            Err(e) => {
                self.replica.abort();
                to_js(&match e {
                    Failure::Signedout(reason) => Said::Signedout { reason },
                    Failure::Server(reason) => Said::Server { reason },
                })
            }
        }
    }

    /// The round under way failed (no answer): forgotten.
    pub fn abort(&mut self) {
        self.replica.abort();
    }

    /// `{entries, changed, checkpoint}` to store and apply since last
    /// asked; `entries` is one JSON text (null for none), the `team`
    /// store's record of them (see [`stored_entries`]).
    #[wasm_bindgen(js_name = takeWrites)]
    pub fn take_writes(&mut self) -> Result<JsValue, JsError> {
        let w = self.replica.take_writes();
        // As JSON text for the browser's parser: a first sync's thousands of
        // bodies crossed value by value (serde-wasm-bindgen) took seconds.
        let checkpoint = serde_json::to_string(&w.checkpoint).map_err(js_err)?;
        let text = format!(r#"{{"changed":{},"checkpoint":{checkpoint}}}"#, w.changed);
        let out =
            js_sys::JSON::parse(&text).map_err(|_| JsError::new("the writes are not JSON"))?;
        // A string of its own, not one inside the JSON (escaped, then read).
        let entries = w.entries.map_or(JsValue::NULL, |e| JsValue::from_str(&e));
        convert::set(out.unchecked_ref(), "entries", entries);
        Ok(out)
    }

    /// Every record's entry as one JSON text: the `team` store's record
    /// that takes the place of all those read and written so far.
    #[wasm_bindgen(js_name = allEntries)]
    pub fn all_entries(&self) -> String {
        self.replica.entries_json()
    }

    /// The local side now reflects revision `rev` of record `id`.
    pub fn applied(&mut self, id: &str, rev: &str) -> Result<(), JsError> {
        let rev: Rev = rev.parse().map_err(js_err)?;
        self.replica.applied(id, &rev);
        Ok(())
    }

    /// `{record, status}`: the local annotations record of one's own team
    /// record (over the stored `record`, or null), and the document's status.
    #[wasm_bindgen(js_name = localRecord)]
    pub fn local_record(&self, body: JsValue, stored: JsValue) -> Result<JsValue, JsError> {
        let body: Annotations = from_js(body)?;
        let stored = convert::record(stored)?;
        let record = replicate::local_record(&body, stored.as_ref());
        let o = js_sys::Object::new();
        convert::set(&o, "record", convert::record_to_js(&record));
        convert::set(&o, "status", to_js(&body.status)?);
        Ok(o.into())
    }

    /// A record's winning body with its `_rev`, or null.
    pub fn winner(&self, id: &str) -> Result<JsValue, JsError> {
        match self.replica.winner(id) {
            Some((rev, body)) => {
                let mut body = body.clone();
                body["_rev"] = serde_json::json!(rev);
                to_js(&body)
            }
            None => Ok(JsValue::NULL),
        }
    }

    /// Records with revisions the server has not acknowledged.
    pub fn pending(&self) -> u32 {
        self.replica.pending() as u32
    }

    /// `[{id, reason}]`: the records the server refused.
    pub fn refused(&self) -> Result<JsValue, JsError> {
        to_js(&self.replica.refused())
    }

    /// The project's document ids (its `doc:` records), in id order.
    #[wasm_bindgen(js_name = documentIds)]
    pub fn document_ids(&self) -> Vec<String> {
        self.replica
            .bodies("doc:")
            .iter()
            .filter_map(|b| Some(b["_id"].as_str()?.strip_prefix("doc:")?.to_string()))
            .collect()
    }

    /// An annotator's (or `curated`) accepted spans of a document as last
    /// synced: `[{start, end, label}]`.
    #[wasm_bindgen(js_name = annotationsOf)]
    pub fn annotations_of(&self, doc_id: &str, annotator: &str) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Out<'a> {
            start: usize,
            end: usize,
            label: &'a str,
        }
        let record = self.record(doc_id, annotator)?;
        let spans: Vec<Out> = record
            .iter()
            .flat_map(|r| &r.spans)
            .filter(|s| s.source == Source::User)
            .map(|s| Out {
                start: s.start,
                end: s.end,
                label: &s.label,
            })
            .collect();
        to_js(&spans)
    }

    /// Agreement of every pair of annotators over the documents both marked
    /// done, in the contract's shape (that of `spanmark team agree --json`).
    pub fn agreement(&self, labels: JsValue) -> Result<JsValue, JsError> {
        to_js(&contract_json(&self.agreement_of(labels)?))
    }

    /// The same with, per pair, the documents where the two differ most
    /// (the page's agreement matrix).
    #[wasm_bindgen(js_name = agreementWithDifferences)]
    pub fn agreement_with_differences(&self, labels: JsValue) -> Result<JsValue, JsError> {
        to_js(&self.agreement_of(labels)?)
    }
}

/// The entries of one record of the page's `team` store. The store is a
/// log: each record holds the entries one write brought, as one JSON text
/// (`{id, entries}`, `id` its place in the log), and of several entries
/// of one CouchDB record the last counts ([`Replica::new`]). A record per
/// entry cost IndexedDB a quarter of a millisecond each: a first sync's
/// 20,000 took seconds. A page before the log stored each entry as its own
/// record (the entry's object, keyed by its id): read as the log's oldest.
fn stored_entries(record: JsValue) -> Result<Vec<Entry>, JsError> {
    let text = js_sys::Reflect::get(&record, &JsValue::from_str("entries"))
        .ok()
        .and_then(|e| e.as_string());
    match text {
        Some(text) => serde_json::from_str(&text).map_err(js_err),
        None => Ok(vec![from_js(record)?]),
    }
}

impl Team {
    fn agreement_of(&self, labels: JsValue) -> Result<Agreement, JsError> {
        let labels: Option<Vec<String>> = if labels.is_null() || labels.is_undefined() {
            None
        } else {
            Some(from_js(labels)?)
        };
        let records: Vec<Annotated> = self
            .replica
            .bodies("ann:")
            .into_iter()
            .filter_map(|b| serde_json::from_value::<Annotations>(b.clone()).ok())
            .map(|r| Annotated {
                annotator: r.annotator,
                doc_id: r.doc_id,
                status: r.status,
                spans: r.spans,
            })
            .collect();
        let result = agreement(
            &records,
            |id| {
                self.replica
                    .winner(&format!("doc:{id}"))
                    .and_then(|(_, b)| b["text"].as_str())
            },
            labels.as_deref(),
        );
        Ok(result)
    }
}

#[wasm_bindgen]
impl Team {
    /// A project document (`{id, text, meta, status}`) with an annotator's
    /// record of it as a local annotations record (`{doc, record}`), for
    /// exports; `record` null when she has none.
    #[wasm_bindgen(js_name = documentOf)]
    pub fn document_of(&self, doc_id: &str, annotator: &str) -> Result<JsValue, JsError> {
        let Some((_, body)) = self.replica.winner(&format!("doc:{doc_id}")) else {
            return Err(JsError::new(&format!(
                "the project has no document {doc_id}"
            )));
        };
        let mut doc = Document::new(doc_id, body["text"].as_str().unwrap_or(""));
        doc.meta = body
            .get("meta")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
        let record = self.record(doc_id, annotator)?;
        doc.status = record.as_ref().map_or(Status::Todo, |r| r.status);
        let o = js_sys::Object::new();
        convert::set(&o, "doc", to_js(&doc)?);
        let local = record.map(|r| convert::record_to_js(&replicate::local_record(&r, None)));
        convert::set(&o, "record", local.unwrap_or(JsValue::NULL));
        Ok(o.into())
    }
}

impl Team {
    fn record(&self, doc_id: &str, annotator: &str) -> Result<Option<Annotations>, JsError> {
        self.replica
            .winner(&format!("ann:{doc_id}:{annotator}"))
            .map(|(_, b)| serde_json::from_value(b.clone()).map_err(js_err))
            .transpose()
    }
}

/// Curation and assignment (docs/ARCHITECTURE.md, "Curation").
#[wasm_bindgen]
impl Team {
    /// Whether the signed-in person curates: then the curated records are
    /// hers to edit and merge too.
    #[wasm_bindgen(js_name = setCurator)]
    pub fn set_curator(&mut self, curator: bool) {
        self.replica.set_curator(curator);
    }

    /// Takes a document's curated record as the local side holds it (the
    /// stored `record`, edited in curation); whether that made a revision.
    /// `doc` is the project's document (its own id) with the curated
    /// record's status (done: the gold is settled).
    #[wasm_bindgen(js_name = commitCurated)]
    pub fn commit_curated(
        &mut self,
        doc: JsValue,
        record: JsValue,
        now: f64,
    ) -> Result<bool, JsError> {
        let doc = convert::document(doc)?;
        let record = convert::record(record)?;
        let body = replicate::own_body(
            &doc.id,
            curation::CURATED,
            doc.status,
            record.as_ref(),
            now as u64,
        )
        .map_err(js_err)?;
        Ok(self.replica.commit_own(&body))
    }

    /// What the curator of a document sees, over the curated spans she
    /// holds now (`curated`: the open record's spans): `{curation,
    /// disagreements}` (`curation::curate`, `curation::disagreements`).
    pub fn curation(&self, doc_id: &str, curated: JsValue) -> Result<JsValue, JsError> {
        let curated: Vec<Span> = from_js::<Vec<Span>>(curated)?
            .into_iter()
            .filter(|s| s.source == Source::User)
            .collect();
        let answers: Vec<Answer> = self
            .replica
            .bodies(&format!("ann:{doc_id}:"))
            .into_iter()
            .filter_map(|b| serde_json::from_value::<Annotations>(b.clone()).ok())
            .filter(|r| r.doc_id == doc_id && r.annotator != curation::CURATED)
            .map(|r| Answer {
                annotator: r.annotator,
                status: r.status,
                spans: r.spans,
            })
            .collect();
        #[derive(Serialize)]
        struct Out {
            curation: curation::Curation,
            disagreements: Vec<curation::Disagreement>,
            left: usize,
        }
        let disagreements = curation::disagreements(&answers, &curated);
        let left = curation::left_to_settle(&disagreements);
        to_js(&Out {
            curation: curation::curate(&answers, &curated),
            disagreements,
            left,
        })
    }

    /// The project's assignments (its `assign:` records): `{docId: [names]}`.
    pub fn assignments(&self) -> Result<JsValue, JsError> {
        to_js(&self.assigned())
    }

    /// `ids` (the list's order) with `me`'s assigned documents first.
    pub fn queue(&self, ids: Vec<String>, me: &str) -> Vec<String> {
        let assigned = self.assigned();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        assignment::queue(&refs, &assigned, me)
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// Gives every project document not yet assigned to `each` of
    /// `among` (`assignment::spread`), as `assign:` records to push; the
    /// number of documents assigned.
    pub fn spread(&mut self, each: u32, among: Vec<String>) -> Result<u32, JsError> {
        let existing = self.assigned();
        let given = assignment::spread(&self.document_ids(), &among, each as usize, &existing)
            .map_err(js_err)?;
        for (doc, names) in &given {
            self.put_assignment(doc, names);
        }
        Ok(given.len() as u32)
    }

    /// Adds `to` to the annotators of each of `docs`; the number of
    /// records that changed.
    #[wasm_bindgen(js_name = assignTo)]
    pub fn assign_to(&mut self, docs: Vec<String>, to: &str) -> Result<u32, JsError> {
        let changed = assignment::assign_to(&self.assigned(), &self.document_ids(), &docs, to)
            .map_err(js_err)?;
        for (doc, names) in &changed {
            self.put_assignment(doc, names);
        }
        Ok(changed.len() as u32)
    }
}

impl Team {
    fn assigned(&self) -> assignment::Assignments {
        self.replica
            .bodies("assign:")
            .into_iter()
            .filter_map(assignment::read)
            .collect()
    }

    fn put_assignment(&mut self, doc: &str, names: &[String]) {
        self.replica
            .commit(&assignment::record_id(doc), assignment::record(doc, names));
    }
}
