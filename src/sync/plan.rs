//! What a replication moves, one `_changes` page at a time, as the CouchDB
//! replication protocol lays it out: read the checkpoints of both sides to
//! know where to start, ask the target which of the changed revisions it
//! lacks (`_revs_diff`), fetch those from the source with their ancestry
//! (`_bulk_get` with `revs=true`), write them to the target as they are
//! (`_bulk_docs` with `new_edits: false`), then record the checkpoint on
//! both sides (`_local/<replication id>`). The page or the CLI does the
//! requests; what goes in them, and what the answers mean, is decided here.

use super::rev::Rev;
use super::tree::{Missing, RevTree, Revisions};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// How many sessions a checkpoint remembers (PouchDB keeps five).
const HISTORY: usize = 5;

/// One row of a `_changes` feed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Change {
    /// Opaque: a number from PouchDB, a string from CouchDB 2 and later.
    pub seq: Value,
    pub id: String,
    pub changes: Vec<ChangedRev>,
    #[serde(default)]
    pub deleted: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ChangedRev {
    pub rev: Rev,
}

/// A page of a `_changes` feed (`style=all_docs`, so that every leaf of a
/// conflicted document is named).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ChangesPage {
    pub results: Vec<Change>,
    pub last_seq: Value,
}

impl ChangesPage {
    /// The body of the `_revs_diff` request to the target: every revision
    /// the page names, per document.
    pub fn revs_diff_request(&self) -> BTreeMap<String, Vec<Rev>> {
        let mut req: BTreeMap<String, Vec<Rev>> = BTreeMap::new();
        for c in &self.results {
            let revs = req.entry(c.id.clone()).or_default();
            revs.extend(c.changes.iter().map(|r| r.rev.clone()));
            revs.sort();
            revs.dedup();
        }
        req
    }
}

/// The `_revs_diff` answer of a target whose revision trees are at hand
/// (the local side, when pulling): what it lacks of each document.
pub fn revs_diff<'a>(
    request: &BTreeMap<String, Vec<Rev>>,
    tree: impl Fn(&str) -> Option<&'a RevTree>,
) -> BTreeMap<String, Missing> {
    let empty = RevTree::new();
    request
        .iter()
        .filter_map(|(id, revs)| {
            let m = tree(id).unwrap_or(&empty).revs_diff(revs);
            (!m.missing.is_empty()).then(|| (id.clone(), m))
        })
        .collect()
}

/// The body of the `_bulk_get?revs=true` request to the source: every
/// missing revision.
pub fn bulk_get_request(diff: &BTreeMap<String, Missing>) -> Value {
    let docs: Vec<Value> = diff
        .iter()
        .flat_map(|(id, m)| m.missing.iter().map(move |r| json!({"id": id, "rev": r})))
        .collect();
    json!({ "docs": docs })
}

/// A revision the source could not give (deleted since by compaction, or
/// refused): named, so that the page can say so rather than drop it.
#[derive(Clone, Debug, PartialEq)]
pub struct Failed {
    pub id: String,
    pub rev: Option<String>,
    pub error: String,
}

/// The documents of a `_bulk_get` answer (`{results: [{id, docs: [{ok} |
/// {error}]}]}`), and those that failed.
pub fn bulk_get_docs(answer: &Value) -> (Vec<Value>, Vec<Failed>) {
    let mut docs = Vec::new();
    let mut failed = Vec::new();
    let results = answer["results"].as_array().map_or(&[][..], |a| a);
    for r in results {
        for d in r["docs"].as_array().map_or(&[][..], |a| a) {
            if d["ok"].is_object() {
                docs.push(d["ok"].clone());
            } else {
                let e = &d["error"];
                failed.push(Failed {
                    id: e["id"].as_str().or(r["id"].as_str()).unwrap_or("").into(),
                    rev: e["rev"].as_str().map(String::from),
                    error: format!(
                        "{}: {}",
                        e["error"].as_str().unwrap_or("error"),
                        e["reason"].as_str().unwrap_or("")
                    ),
                });
            }
        }
    }
    (docs, failed)
}

/// The body of the `_bulk_docs` request that writes replicated revisions
/// as they are: the target keeps their ids and joins them to its trees.
pub fn bulk_docs_request(docs: Vec<Value>) -> Value {
    json!({ "docs": docs, "new_edits": false })
}

/// A replicated revision of a document, as `_bulk_get` and `_bulk_docs`
/// carry it: its id, revision, ancestry and whether it is deleted.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    pub id: String,
    pub rev: Rev,
    pub revisions: Revisions,
    pub deleted: bool,
}

impl Incoming {
    pub fn read(doc: &Value) -> Result<Incoming, String> {
        let id = doc["_id"].as_str().ok_or("a document without _id")?;
        let rev: Rev = doc["_rev"]
            .as_str()
            .ok_or_else(|| format!("{id}: no _rev"))?
            .parse()?;
        let revisions = match doc.get("_revisions") {
            Some(r) => serde_json::from_value::<Revisions>(r.clone())
                .map_err(|e| format!("{id}: _revisions: {e}"))?,
            None => Revisions {
                start: rev.pos,
                ids: vec![rev.hash.clone()],
            },
        };
        if revisions.start != rev.pos || revisions.ids.first() != Some(&rev.hash) {
            return Err(format!("{id}: _revisions does not end at _rev {rev}"));
        }
        Ok(Incoming {
            id: id.into(),
            rev,
            revisions,
            deleted: doc["_deleted"].as_bool().unwrap_or(false),
        })
    }

    /// Joins it to the document's tree.
    pub fn join(&self, tree: &mut RevTree) {
        tree.insert(&self.revisions, self.deleted);
    }
}

/// A local revision as it is sent with `new_edits: false`: its body with
/// `_id`, `_rev` and `_revisions` (the ancestry the tree knows).
pub fn outgoing(id: &str, rev: &Rev, body: &Value, tree: &RevTree, revs_limit: usize) -> Value {
    let mut doc = body.clone();
    if let Value::Object(m) = &mut doc {
        m.insert("_id".into(), json!(id));
        m.insert("_rev".into(), json!(rev));
        if let Some(r) = tree.revisions(rev, revs_limit) {
            m.insert("_revisions".into(), json!(r));
        }
    }
    doc
}

/// A replication's checkpoint document, as kept on both sides under
/// `_local/<replication id>` (PouchDB's shape: the last sequence done and
/// the sessions before).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub session_id: String,
    pub last_seq: Value,
    #[serde(default)]
    pub history: Vec<Session>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub session_id: String,
    pub last_seq: Value,
}

impl Checkpoint {
    /// Where a replication resumes, from the checkpoints the source and the
    /// target hold: the same session's sequence when they agree; else the
    /// newest session both remember; else from the start (`0`). A
    /// checkpoint written on one side only (a crash between the two writes)
    /// is never trusted alone.
    pub fn since(source: Option<&Checkpoint>, target: Option<&Checkpoint>) -> Value {
        let (Some(s), Some(t)) = (source, target) else {
            return json!(0);
        };
        if s.session_id == t.session_id {
            return s.last_seq.clone();
        }
        let sessions = |c: &Checkpoint| {
            let mut all = vec![Session {
                session_id: c.session_id.clone(),
                last_seq: c.last_seq.clone(),
            }];
            all.extend(c.history.iter().cloned());
            all
        };
        let theirs = sessions(t);
        sessions(s)
            .into_iter()
            .find(|a| theirs.iter().any(|b| b.session_id == a.session_id))
            .map_or(json!(0), |a| a.last_seq)
    }

    /// The checkpoint after a batch of session `session_id` has been
    /// written up to `last_seq`, over the previous one.
    pub fn after(previous: Option<&Checkpoint>, session_id: &str, last_seq: Value) -> Checkpoint {
        let mut history = vec![Session {
            session_id: session_id.into(),
            last_seq: last_seq.clone(),
        }];
        if let Some(p) = previous {
            let older = std::iter::once(Session {
                session_id: p.session_id.clone(),
                last_seq: p.last_seq.clone(),
            })
            .chain(p.history.iter().cloned())
            .filter(|s| s.session_id != session_id);
            history.extend(older);
        }
        history.truncate(HISTORY);
        Checkpoint {
            session_id: session_id.into(),
            last_seq,
            history,
        }
    }
}

/// What makes two replications the same one (and so share a checkpoint):
/// the two databases' ids and whatever narrows the feed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Identity<'a> {
    /// For a CouchDB server: its `uuid` followed by the database's name
    /// (what PouchDB uses); for the page's store: an id it keeps.
    pub source: &'a str,
    pub target: &'a str,
    pub filter: &'a str,
    /// The filter's query parameters, as JSON with sorted keys ("" none).
    pub query_params: &'a str,
    /// The replicated document ids, as JSON ("" all).
    pub doc_ids: &'a str,
}

impl Identity<'_> {
    /// The checkpoint document's id, derived as PouchDB derives it: the
    /// MD5 of the identity's parts, in base64 with `/` and `+` made
    /// URL-safe.
    pub fn checkpoint_id(&self) -> String {
        let mut md5 = Md5::new();
        for part in [
            self.source,
            self.target,
            self.filter,
            self.query_params,
            self.doc_ids,
        ] {
            md5.update(part.as_bytes());
        }
        let b64 = base64(&md5.finalize());
        format!("_local/{}", b64.replace('/', ".").replace('+', "_"))
    }
}

/// Standard base64 with padding: sixteen bytes here, not worth a crate.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(s: &str) -> Rev {
        s.parse().unwrap()
    }

    #[test]
    fn the_checkpoint_id_is_pouchdbs() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        // md5("") is d41d8cd98f00b204e9800998ecf8427e, 1B2M2Y8AsgTpgAmY7PhCfg== in base64.
        assert_eq!(
            Identity::default().checkpoint_id(),
            "_local/1B2M2Y8AsgTpgAmY7PhCfg=="
        );
        let a = Identity {
            source: "uuid1team",
            target: "local-7",
            ..Identity::default()
        };
        let id = a.checkpoint_id();
        assert!(
            id.starts_with("_local/") && !id[7..].contains(['/', '+']),
            "{id}"
        );
        let b = Identity {
            source: "local-7",
            target: "uuid1team",
            ..Identity::default()
        };
        assert_ne!(id, b.checkpoint_id(), "pull and push keep apart");
    }

    #[test]
    fn a_changes_page_asks_for_what_the_target_lacks_and_fetches_only_that() {
        let page: ChangesPage = serde_json::from_value(json!({
            "results": [
                {"seq": 3, "id": "doc:a", "changes": [{"rev": "2-b"}, {"rev": "2-c"}]},
                {"seq": 4, "id": "ann:a:ana", "changes": [{"rev": "1-x"}]},
                {"seq": 5, "id": "labels", "changes": [{"rev": "3-y"}], "deleted": true}
            ],
            "last_seq": 5
        }))
        .unwrap();
        let req = page.revs_diff_request();
        assert_eq!(req["doc:a"], [rev("2-b"), rev("2-c")]);
        let mut have = RevTree::new();
        have.add(&rev("1-a"), None, false);
        have.add(&rev("2-b"), Some(&rev("1-a")), false);
        let mut labels = RevTree::new();
        labels.add(&rev("3-y"), None, true);
        let diff = revs_diff(&req, |id| match id {
            "doc:a" => Some(&have),
            "labels" => Some(&labels),
            _ => None,
        });
        assert_eq!(diff.len(), 2, "labels is up to date: {diff:?}");
        assert_eq!(diff["doc:a"].missing, [rev("2-c")]);
        assert_eq!(
            bulk_get_request(&diff),
            json!({"docs": [
                {"id": "ann:a:ana", "rev": "1-x"},
                {"id": "doc:a", "rev": "2-c"}
            ]})
        );
        let answer = json!({"results": [
            {"id": "doc:a", "docs": [{"ok": {"_id": "doc:a", "_rev": "2-c",
                "_revisions": {"start": 2, "ids": ["c", "a"]}, "text": "t"}}]},
            {"id": "ann:a:ana", "docs": [{"error": {"id": "ann:a:ana", "rev": "1-x",
                "error": "not_found", "reason": "missing"}}]}
        ]});
        let (docs, failed) = bulk_get_docs(&answer);
        assert_eq!(docs.len(), 1);
        assert_eq!(failed[0].error, "not_found: missing");
        let inc = Incoming::read(&docs[0]).unwrap();
        inc.join(&mut have);
        assert_eq!(
            have.conflicts(),
            [rev("2-b")],
            "2-c wins, 2-b is its conflict"
        );
        assert_eq!(have.revs_diff(&req["doc:a"]), Missing::default());
        let body = bulk_docs_request(docs);
        assert_eq!(body["new_edits"], json!(false));
        let bad = json!({"_id": "d", "_rev": "2-c", "_revisions": {"start": 2, "ids": ["q"]}});
        assert!(Incoming::read(&bad).is_err());
    }

    #[test]
    fn an_outgoing_revision_carries_its_ancestry() {
        let mut t = RevTree::new();
        t.add(&rev("1-a"), None, false);
        t.add(&rev("2-b"), Some(&rev("1-a")), false);
        let doc = outgoing("doc:x", &rev("2-b"), &json!({"text": "hi"}), &t, 1000);
        assert_eq!(doc["_revisions"], json!({"start": 2, "ids": ["b", "a"]}));
        let back = Incoming::read(&doc).unwrap();
        assert_eq!((back.id.as_str(), back.rev), ("doc:x", rev("2-b")));
    }

    #[test]
    fn a_replication_resumes_where_both_sides_agree() {
        assert_eq!(Checkpoint::since(None, None), json!(0));
        let one = Checkpoint::after(None, "s1", json!(10));
        assert_eq!(Checkpoint::since(Some(&one), Some(&one)), json!(10));
        assert_eq!(
            Checkpoint::since(Some(&one), None),
            json!(0),
            "one side only"
        );
        // The source got session 2's checkpoint, the target did not (a crash
        // between the two writes): resume from session 1.
        let two = Checkpoint::after(Some(&one), "s2", json!(20));
        assert_eq!(Checkpoint::since(Some(&two), Some(&one)), json!(10));
        assert_eq!(Checkpoint::since(Some(&one), Some(&two)), json!(10));
        let mut c = two.clone();
        for i in 3..10 {
            c = Checkpoint::after(Some(&c), &format!("s{i}"), json!(i * 10));
        }
        assert_eq!(c.history.len(), HISTORY);
        assert_eq!(c.history[0].session_id, "s9");
        // A session writing again keeps one entry for itself.
        let again = Checkpoint::after(Some(&c), "s9", json!(95));
        assert_eq!(
            again
                .history
                .iter()
                .filter(|s| s.session_id == "s9")
                .count(),
            1
        );
        let json = serde_json::to_value(&again).unwrap();
        assert_eq!(json["last_seq"], json!(95));
    }
}
