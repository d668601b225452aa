//! The page's replicator, without I/O: it keeps a replica of one project
//! database (every record's revision tree and the bodies of its live
//! leaves), takes the local edits as revisions, and says which request to
//! send next and what each answer means. The page moves the bytes
//! (`fetch`) and stores what it is told to (IndexedDB); a native test drives
//! it against an in-memory server.
//!
//! One round, as the CouchDB replication protocol has it (see [`super::plan`]):
//! push the revisions the server lacks (`_bulk_docs`, `new_edits: false`);
//! read both checkpoints (first round only); read `_changes` since the
//! checkpoint (`style=all_docs`), fetch what this replica lacks
//! (`_bulk_get?revs=true`); write the checkpoint on both sides; push again
//! if a conflict was merged meanwhile.
//!
//! A first sync (from sequence 0: every record is new here) asks the feed
//! for the winning bodies too (`include_docs=true`), so that a project of
//! thousands of records comes in the pages of `_changes` alone, as fast as
//! `_all_docs` would bring it; `_bulk_get` then fetches only what the feed
//! did not carry: the other leaves of a conflicted record (each with its
//! `_revisions`). A winner so taken is known without its ancestry (a root
//! cut as by stemming), which the next revision of it, fetched with
//! `_revisions`, joins on.
//!
//! The signed-in annotator's own records (`ann:<doc>:<me>`) mirror the
//! local annotation records. Each remembers the revision the local record
//! reflects (`mine`): a local change becomes a revision on top of that one,
//! so that a change the server brought meanwhile makes a conflict rather
//! than being written over, and a conflict of one's own record is merged at
//! once ([`super::resolve`]): the merge is written locally and pushed, the
//! losing leaves deleted.

use super::merge::{resolve, Annotations};
use super::plan::{bulk_get_docs, bulk_get_request, outgoing, Change, Checkpoint, Identity};
use super::rev::{canonical, Rev};
use super::tree::{RevTree, Revisions};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// How many revisions of a branch a pushed revision names.
const REVS_LIMIT: usize = 1000;
/// `_changes` rows per request.
const CHANGES_LIMIT: usize = 5000;

/// Two bodies say the same (revision fields aside; for a record, its
/// `updated` too, which only says when).
pub fn same_content(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Value::Object(m) = &mut v {
            m.remove("updated");
        }
        canonical(&v)
    };
    strip(a) == strip(b)
}

/// A request for the project database: `path` is relative to it
/// (`_bulk_docs`, `_changes?...`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// Why a round stopped.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "reason", rename_all = "lowercase")]
pub enum Failure {
    /// 401: the session expired or the password changed.
    Signedout(String),
    /// Any other answer that is not the protocol's.
    Server(String),
}

/// A record as kept locally (the page's `team` store): its revision tree
/// (as the paths of its leaves), the bodies of its live leaves, the
/// revisions the server has not acknowledged, why the server refused them,
/// and for one's own record the revision the local record reflects.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub paths: Vec<Path>,
    pub leaves: BTreeMap<String, Value>,
    #[serde(default)]
    pub unsent: Vec<Rev>,
    #[serde(default)]
    pub refused: Option<String>,
    #[serde(default)]
    pub mine: Option<Mine>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Path {
    pub start: u64,
    pub ids: Vec<String>,
    #[serde(default)]
    pub deleted: bool,
}

/// The revision a local record reflects, with its body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mine {
    pub rev: Rev,
    pub body: Value,
}

#[derive(Clone, Debug, Default)]
struct Record {
    tree: RevTree,
    leaves: BTreeMap<Rev, Value>,
    unsent: BTreeSet<Rev>,
    refused: Option<String>,
    mine: Option<Mine>,
}

impl Record {
    fn from_entry(e: Entry) -> Record {
        let mut tree = RevTree::new();
        for p in &e.paths {
            tree.insert(
                &Revisions {
                    start: p.start,
                    ids: p.ids.clone(),
                },
                p.deleted,
            );
        }
        Record {
            tree,
            leaves: e
                .leaves
                .into_iter()
                .filter_map(|(r, b)| Some((r.parse().ok()?, b)))
                .collect(),
            unsent: e.unsent.into_iter().collect(),
            refused: e.refused,
            mine: e.mine,
        }
    }

    /// The record's entry as a value (the tests compare replicas by it;
    /// the page gets [`Record::entry_ref`]'s JSON).
    #[cfg(test)]
    fn entry(&self, id: &str) -> Entry {
        Entry {
            id: id.into(),
            paths: self.paths(),
            leaves: self
                .leaves
                .iter()
                .map(|(r, b)| (r.to_string(), b.clone()))
                .collect(),
            unsent: self.unsent.iter().cloned().collect(),
            refused: self.refused.clone(),
            mine: self.mine.clone(),
        }
    }

    /// The record's entry, to serialise (as [`Record::entry`] gives it).
    fn entry_ref<'a>(&'a self, id: &'a str) -> EntryRef<'a> {
        EntryRef {
            id,
            paths: self.paths(),
            leaves: &self.leaves,
            unsent: &self.unsent,
            refused: &self.refused,
            mine: &self.mine,
        }
    }

    /// The revision tree as the paths of its leaves.
    fn paths(&self) -> Vec<Path> {
        self.tree
            .leaves()
            .into_iter()
            .filter_map(|l| {
                let r = self.tree.revisions(&l.rev, usize::MAX)?;
                Some(Path {
                    start: r.start,
                    ids: r.ids,
                    deleted: l.deleted,
                })
            })
            .collect()
    }

    /// The winning body (`None`: none, or deleted).
    fn winner(&self) -> Option<(Rev, &Value)> {
        let w = self.tree.winner()?;
        if w.deleted {
            return None;
        }
        Some((w.rev.clone(), self.leaves.get(&w.rev)?))
    }

    /// Keeps the bodies of live leaves only, and unsent revisions that are
    /// still leaves (an older one is sent as the ancestry of its child).
    fn prune(&mut self) {
        let leaves = self.tree.leaves();
        let live: BTreeSet<&Rev> = leaves
            .iter()
            .filter(|l| !l.deleted)
            .map(|l| &l.rev)
            .collect();
        self.leaves.retain(|r, _| live.contains(r));
        let all: BTreeSet<&Rev> = leaves.iter().map(|l| &l.rev).collect();
        self.unsent.retain(|r| all.contains(r));
    }

    /// Joins a revision as `_bulk_get` or a resolution gives it.
    fn join(&mut self, doc: Value) -> Result<Rev, String> {
        let inc = super::plan::Incoming::read(&doc)?;
        inc.join(&mut self.tree);
        if !inc.deleted {
            let mut body = doc;
            if let Value::Object(m) = &mut body {
                m.retain(|k, _| !k.starts_with('_') || k == "_id");
            }
            self.leaves.insert(inc.rev.clone(), body);
        }
        self.prune();
        Ok(inc.rev)
    }
}

/// What the page writes after a step, as JSON texts serialised straight
/// from the records (a first sync's pages carry thousands of bodies: a
/// copy of each, and then of each as a JavaScript value, cost more than
/// the download): `entries`, a JSON array of [`Entry`] for the page's
/// `team` store (`None`: none); `changed`, a JSON array of the records
/// whose winning body changed (to apply locally: documents, labels,
/// rules, one's own annotations; one deleted there as `{_id, _rev,
/// _deleted: true}`, another annotator's as `{_id, _rev}`: its body is
/// read from the replica when needed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Writes {
    pub entries: Option<String>,
    pub changed: String,
    pub checkpoint: Option<Checkpoint>,
}

/// An [`Entry`] serialised from the record it describes, not copied.
#[derive(Serialize)]
struct EntryRef<'a> {
    id: &'a str,
    paths: Vec<Path>,
    leaves: &'a BTreeMap<Rev, Value>,
    unsent: &'a BTreeSet<Rev>,
    refused: &'a Option<String>,
    mine: &'a Option<Mine>,
}

/// A changed record as `Writes::changed` names it.
enum Changed<'a> {
    Deleted(&'a str, Rev),
    /// Another annotator's record: its id only.
    Named(&'a str, Rev),
    Body(&'a Value, Rev),
}

impl Serialize for Changed<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        match self {
            Changed::Deleted(id, rev) => {
                m.serialize_entry("_id", id)?;
                m.serialize_entry("_deleted", &true)?;
                m.serialize_entry("_rev", rev)?;
            }
            Changed::Named(id, rev) => {
                m.serialize_entry("_id", id)?;
                m.serialize_entry("_rev", rev)?;
            }
            Changed::Body(body, rev) => {
                // A kept body has no `_rev` of its own (`Record::join`).
                for (k, v) in body.as_object().into_iter().flatten() {
                    if k != "_rev" {
                        m.serialize_entry(k, v)?;
                    }
                }
                m.serialize_entry("_rev", rev)?;
            }
        }
        m.end()
    }
}

/// A round's end: how many revisions went each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub pushed: usize,
    pub pulled: usize,
}

/// A refusal of one record (403 from the validation).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Refusal {
    pub id: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    Push {
        sent: Vec<(String, Rev)>,
        then: Box<Phase>,
    },
    ReadCheckpoint,
    Changes,
    BulkGet {
        last_seq: Value,
        more: bool,
    },
    WriteCheckpoint {
        last_seq: Value,
    },
    Done,
}

/// The replica of one project for one signed-in annotator.
pub struct Replica {
    me: String,
    /// A curator mirrors the curated records too (edits them, merges
    /// their conflicts), as her own.
    curator: bool,
    records: BTreeMap<String, Record>,
    checkpoint: Option<Checkpoint>,
    checkpoint_id: String,
    server_checkpoint_rev: Option<String>,
    checkpoint_read: bool,
    since: Value,
    /// The feed brings the winning bodies (a first sync).
    include_docs: bool,
    session: String,
    phase: Phase,
    summary: Summary,
    dirty: BTreeSet<String>,
    changed: BTreeSet<String>,
    checkpoint_dirty: bool,
    refusals: Vec<Refusal>,
    /// A feed page's bodies, checked but not yet joined (see
    /// [`Replica::answer_ahead`]).
    undigested: Vec<Value>,
}

impl Replica {
    /// A replica of `project` on `server` for `me`, from the entries and
    /// checkpoint stored; `session` names this run (a new one per page load).
    /// `entries` in the order stored: of several of one record, the last
    /// counts (so that the page may store its writes as a log).
    pub fn new(
        server: &str,
        project: &str,
        me: &str,
        device: &str,
        session: &str,
        entries: Vec<Entry>,
        checkpoint: Option<Checkpoint>,
    ) -> Replica {
        let source = format!("{server}/db/{project}");
        let target = format!("spanmark-page:{device}:{me}");
        let checkpoint_id = Identity {
            source: &source,
            target: &target,
            ..Identity::default()
        }
        .checkpoint_id();
        Replica {
            me: me.into(),
            curator: false,
            records: entries
                .into_iter()
                .map(|e| (e.id.clone(), Record::from_entry(e)))
                .collect(),
            checkpoint,
            checkpoint_id,
            server_checkpoint_rev: None,
            checkpoint_read: false,
            since: json!(0),
            include_docs: false,
            session: session.into(),
            phase: Phase::Idle,
            summary: Summary::default(),
            dirty: BTreeSet::new(),
            changed: BTreeSet::new(),
            checkpoint_dirty: false,
            refusals: Vec::new(),
            undigested: Vec::new(),
        }
    }

    pub fn me(&self) -> &str {
        &self.me
    }

    /// Whether the signed-in person curates (see [`Replica::mirrors`]).
    pub fn set_curator(&mut self, curator: bool) {
        self.curator = curator;
    }

    /// Whether a record is one the local side edits and mirrors: one's
    /// own annotations, and for a curator the curated ones.
    fn mirrors(&self, id: &str) -> bool {
        id.starts_with("ann:")
            && (id.ends_with(&format!(":{}", self.me))
                || (self.curator && id.ends_with(&format!(":{}", crate::curation::CURATED))))
    }

    /// Takes one's own record of a document (see [`Replica::commit`]); a
    /// blank one ([`Annotations::is_blank`]) is not made where there is
    /// none yet, so that opening a document, or a curator's creating the
    /// project from hers, does not list her as its annotator (and in
    /// every pair of the agreement).
    pub fn commit_own(&mut self, record: &Annotations) -> bool {
        self.digest();
        // One's own, or for a curator the curated record.
        let id = format!("ann:{}:{}", record.doc_id, record.annotator);
        let exists = self
            .records
            .get(&id)
            .is_some_and(|r| r.mine.is_some() || r.winner().is_some());
        if record.is_blank() && !exists {
            return false;
        }
        self.commit(&id, record.body())
    }

    /// One's own record id for a document.
    pub fn own_id(&self, doc_id: &str) -> String {
        format!("ann:{doc_id}:{}", self.me)
    }

    /// Takes a local body of a record as the newest: a new revision on the
    /// one the local side reflects when it says something else. Returns
    /// whether it made one. A conflict it makes with what the server sent
    /// meanwhile is merged at once (own records), the merge to apply
    /// locally.
    pub fn commit(&mut self, id: &str, body: Value) -> bool {
        self.digest();
        let own = self.mirrors(id);
        let rec = self.records.entry(id.to_string()).or_default();
        let base = if own {
            rec.mine.clone()
        } else {
            rec.winner().map(|(rev, b)| Mine {
                rev,
                body: b.clone(),
            })
        };
        let mut body = body;
        if let Value::Object(m) = &mut body {
            m.insert("_id".into(), json!(id));
        }
        if base.as_ref().is_some_and(|b| same_content(&b.body, &body)) {
            return false;
        }
        // A deletion (`{"_deleted": true}`) of a record that is not there
        // (or deleted already) is nothing to send.
        let deleted = body["_deleted"] == json!(true);
        if deleted && base.is_none() {
            return false;
        }
        let parent = base
            .as_ref()
            .map(|b| b.rev.clone())
            .filter(|r| rec.tree.contains(r));
        let rev = Rev::next(parent.as_ref(), &body);
        rec.tree.add(&rev, parent.as_ref(), deleted);
        rec.leaves.insert(rev.clone(), body.clone());
        rec.unsent.insert(rev.clone());
        rec.refused = None;
        if own {
            rec.mine = Some(Mine {
                rev: rev.clone(),
                body,
            });
        }
        rec.prune();
        self.dirty.insert(id.into());
        if own {
            self.resolve_own(id);
        }
        true
    }

    /// The local side now reflects revision `rev` of a record (its body
    /// was written locally).
    pub fn applied(&mut self, id: &str, rev: &Rev) {
        self.digest();
        let Some(rec) = self.records.get_mut(id) else {
            return;
        };
        if let Some(body) = rec.leaves.get(rev) {
            rec.mine = Some(Mine {
                rev: rev.clone(),
                body: body.clone(),
            });
            self.dirty.insert(id.into());
        }
    }

    /// Merges a conflict of one's own record: the merge written on the
    /// winner, the other leaves deleted, all to push.
    fn resolve_own(&mut self, id: &str) {
        let Some(rec) = self.records.get_mut(id) else {
            return;
        };
        let leaves: BTreeMap<Rev, Annotations> = rec
            .leaves
            .iter()
            .filter_map(|(r, b)| Some((r.clone(), serde_json::from_value(b.clone()).ok()?)))
            .collect();
        let Some(resolution) = resolve(&rec.tree, &leaves, REVS_LIMIT) else {
            return;
        };
        for doc in resolution.docs {
            if let Ok(rev) = rec.join(doc) {
                rec.unsent.insert(rev);
            }
        }
        rec.prune();
        self.dirty.insert(id.into());
        self.changed.insert(id.into());
    }

    /// The winning body of a record, with its revision.
    pub fn winner(&self, id: &str) -> Option<(Rev, &Value)> {
        self.records.get(id)?.winner()
    }

    /// Every record's winning body whose id starts with `prefix`.
    pub fn bodies(&self, prefix: &str) -> Vec<&Value> {
        self.records
            .range(prefix.to_string()..)
            .take_while(|(id, _)| id.starts_with(prefix))
            .filter_map(|(_, r)| Some(r.winner()?.1))
            .collect()
    }

    /// Every record's entry (what the stored log comes to).
    #[cfg(test)]
    pub fn entries(&self) -> Vec<Entry> {
        self.records.iter().map(|(id, r)| r.entry(id)).collect()
    }

    /// The same as one JSON array, serialised from the records.
    pub fn entries_json(&self) -> String {
        let all: Vec<EntryRef> = self.records.iter().map(|(id, r)| r.entry_ref(id)).collect();
        json_text(&all)
    }

    /// Revisions the server has not acknowledged (refused ones included).
    pub fn pending(&self) -> usize {
        self.records
            .values()
            .filter(|r| !r.unsent.is_empty())
            .count()
    }

    /// Records the server refused, with its reason.
    pub fn refused(&self) -> Vec<Refusal> {
        self.records
            .iter()
            .filter_map(|(id, r)| {
                Some(Refusal {
                    id: id.clone(),
                    reason: r.refused.clone()?,
                })
            })
            .collect()
    }

    /// Refusals said since last asked.
    pub fn take_refusals(&mut self) -> Vec<Refusal> {
        std::mem::take(&mut self.refusals)
    }

    /// What to store (and apply) since last asked.
    pub fn take_writes(&mut self) -> Writes {
        self.digest();
        let dirty = std::mem::take(&mut self.dirty);
        let entries: Vec<EntryRef> = dirty
            .iter()
            .filter_map(|id| Some(self.records.get(id)?.entry_ref(id)))
            .collect();
        // A record deleted on the server comes as `{_id, _rev, _deleted}`;
        // another annotator's as `{_id, _rev}`: the page writes none of
        // them locally, and a first sync's thousands of bodies would cross
        // only to be passed over.
        let changed_ids = std::mem::take(&mut self.changed);
        let changed: Vec<Changed> = changed_ids
            .iter()
            .filter_map(|id| {
                let rec = self.records.get(id)?;
                let w = rec.tree.winner()?;
                Some(if w.deleted {
                    Changed::Deleted(id, w.rev)
                } else if id.starts_with("ann:") && !self.mirrors(id) {
                    Changed::Named(id, w.rev)
                } else {
                    Changed::Body(rec.leaves.get(&w.rev)?, w.rev)
                })
            })
            .collect();
        let entries = (!entries.is_empty()).then(|| json_text(&entries));
        let changed = json_text(&changed);
        let checkpoint = if std::mem::take(&mut self.checkpoint_dirty) {
            self.checkpoint.clone()
        } else {
            None
        };
        Writes {
            entries,
            changed,
            checkpoint,
        }
    }

    /// Starts a round: its first request.
    pub fn start(&mut self) -> Request {
        self.digest();
        self.summary = Summary::default();
        let next = if self.checkpoint_read {
            Phase::Changes
        } else {
            Phase::ReadCheckpoint
        };
        match self.push_then(next) {
            Step::Request(r) => r,
            Step::Done(_) => unreachable!("a round starts with a request"),
        }
    }

    /// Whether a round is under way.
    pub fn busy(&self) -> bool {
        !matches!(self.phase, Phase::Idle | Phase::Done)
    }

    /// Forgets the round under way (the connection failed): the next
    /// starts over; nothing unacknowledged is marked sent.
    pub fn abort(&mut self) {
        self.phase = Phase::Idle;
    }

    /// The push of what the server lacks, then `then`.
    fn push_then(&mut self, then: Phase) -> Step {
        let mut sent = Vec::new();
        let mut docs = Vec::new();
        for (id, rec) in &self.records {
            if rec.refused.is_some() {
                continue;
            }
            for rev in &rec.unsent {
                let body = rec
                    .leaves
                    .get(rev)
                    .cloned()
                    .unwrap_or_else(|| json!({"_deleted": true}));
                docs.push(outgoing(id, rev, &body, &rec.tree, REVS_LIMIT));
                sent.push((id.clone(), rev.clone()));
            }
        }
        if docs.is_empty() {
            return self.go(then);
        }
        self.phase = Phase::Push {
            sent,
            then: Box::new(then),
        };
        Step::Request(Request {
            method: "POST",
            path: "_bulk_docs".into(),
            body: Some(super::plan::bulk_docs_request(docs)),
        })
    }

    fn go(&mut self, phase: Phase) -> Step {
        if phase == Phase::Done {
            self.phase = Phase::Done;
            return Step::Done(self.summary);
        }
        Step::Request(self.enter(phase))
    }

    fn enter(&mut self, phase: Phase) -> Request {
        self.phase = phase;
        match &self.phase {
            Phase::ReadCheckpoint => Request {
                method: "GET",
                path: self.checkpoint_id.clone(),
                body: None,
            },
            Phase::Changes => Request {
                method: "GET",
                path: format!(
                    "_changes?style=all_docs{}&limit={CHANGES_LIMIT}&since={}",
                    if self.include_docs {
                        "&include_docs=true"
                    } else {
                        ""
                    },
                    seq_param(&self.since)
                ),
                body: None,
            },
            Phase::WriteCheckpoint { last_seq } => {
                let cp =
                    Checkpoint::after(self.checkpoint.as_ref(), &self.session, last_seq.clone());
                let mut body = json!(cp);
                if let Some(r) = &self.server_checkpoint_rev {
                    body["_rev"] = json!(r);
                }
                Request {
                    method: "PUT",
                    path: self.checkpoint_id.clone(),
                    body: Some(body),
                }
            }
            _ => unreachable!("a phase without a request"),
        }
    }

    /// Takes the answer to the last request: the next request, or the
    /// round's summary (`Ok(None)` is impossible: `Done` carries it).
    pub fn answer(&mut self, status: u16, body: Value) -> Result<Step, Failure> {
        let step = self.answer_ahead(status, body);
        self.digest();
        step
    }

    /// As [`Replica::answer`], but a `_changes` page's bodies are only
    /// checked, and joined at the next [`Replica::take_writes`] (or any
    /// other change): the page sends the next request first, so that the
    /// server reads a first sync's next page while this one is joined.
    /// Until then the replica's readers do not see them.
    pub fn answer_ahead(&mut self, status: u16, body: Value) -> Result<Step, Failure> {
        self.digest();
        if status == 401 {
            self.phase = Phase::Idle;
            return Err(Failure::Signedout(reason(&body, status)));
        }
        let phase = std::mem::replace(&mut self.phase, Phase::Idle);
        let next = match phase {
            Phase::Push { sent, then } => {
                if status != 201 && status != 200 {
                    return Err(Failure::Server(format!(
                        "sending edits: {}",
                        reason(&body, status)
                    )));
                }
                // A proxy's page is no acknowledgement.
                if !body.is_array() {
                    return Err(Failure::Server(
                        "sending edits: an answer that is not CouchDB's".into(),
                    ));
                }
                // `unauthorized` is not about the record: the request was
                // not taken as hers (the embedded server says so per record
                // where CouchDB answers 401), so she is asked to sign in
                // and the record stays to send, not refused.
                let rows = body.as_array().into_iter().flatten();
                if let Some(r) = rows.clone().find(|r| r["error"] == "unauthorized") {
                    return Err(Failure::Signedout(reason(r, 401)));
                }
                let mut errors: BTreeMap<&str, String> = BTreeMap::new();
                for r in rows {
                    if let (Some(id), Some(e)) = (r["id"].as_str(), r.get("error")) {
                        let why = r["reason"].as_str().or(e.as_str()).unwrap_or("refused");
                        errors.insert(id, why.to_string());
                    }
                }
                for (id, rev) in &sent {
                    let Some(rec) = self.records.get_mut(id) else {
                        continue;
                    };
                    match errors.get(id.as_str()) {
                        Some(why) => {
                            rec.refused = Some(why.clone());
                            self.refusals.push(Refusal {
                                id: id.clone(),
                                reason: why.clone(),
                            });
                        }
                        None => {
                            rec.unsent.remove(rev);
                            self.summary.pushed += 1;
                        }
                    }
                    self.dirty.insert(id.clone());
                }
                self.go(*then)
            }
            Phase::ReadCheckpoint => {
                let theirs = match status {
                    200 => {
                        self.server_checkpoint_rev = body["_rev"].as_str().map(String::from);
                        serde_json::from_value::<Checkpoint>(body).ok()
                    }
                    404 => None,
                    _ => {
                        return Err(Failure::Server(format!(
                            "reading the checkpoint: {}",
                            reason(&body, status)
                        )))
                    }
                };
                self.since = Checkpoint::since(self.checkpoint.as_ref(), theirs.as_ref());
                self.include_docs = self.since == json!(0);
                self.checkpoint_read = true;
                self.go(Phase::Changes)
            }
            Phase::Changes => {
                if status != 200 {
                    return Err(Failure::Server(format!(
                        "reading the changes: {}",
                        reason(&body, status)
                    )));
                }
                let not_changes =
                    |e: String| Failure::Server(format!("a _changes answer that is not one ({e})"));
                let mut body = body;
                let last_seq = body["last_seq"].take();
                let Some(Value::Array(rows)) = body.get_mut("results").map(Value::take) else {
                    return Err(not_changes("no results".into()));
                };
                let more = rows.len() >= CHANGES_LIMIT;
                let mut request: BTreeMap<String, Vec<Rev>> = BTreeMap::new();
                let mut docs = Vec::new();
                for mut row in rows {
                    // Taken out, not copied: a first sync's pages carry megabytes.
                    if let Some(doc) = row.get_mut("doc").map(Value::take) {
                        if doc.is_object() {
                            docs.push(doc);
                        }
                    }
                    let c: Change =
                        serde_json::from_value(row).map_err(|e| not_changes(e.to_string()))?;
                    // Never joined (see `take_docs`): not worth fetching.
                    if c.id.starts_with("_design/") {
                        continue;
                    }
                    let revs = request.entry(c.id).or_default();
                    revs.extend(c.changes.into_iter().map(|r| r.rev));
                }
                // What joining the bodies would refuse is refused now.
                for doc in docs.iter().filter(|d| joinable(d)) {
                    super::plan::Incoming::read(doc).map_err(Failure::Server)?;
                }
                let mut diff =
                    super::plan::revs_diff(&request, |id| self.records.get(id).map(|r| &r.tree));
                // The feed carried these revisions: none to fetch.
                for doc in &docs {
                    let (Some(id), Some(rev)) = (doc["_id"].as_str(), doc["_rev"].as_str()) else {
                        continue;
                    };
                    if let (Some(m), Ok(rev)) = (diff.get_mut(id), rev.parse::<Rev>()) {
                        m.missing.retain(|r| *r != rev);
                    }
                }
                diff.retain(|_, m| !m.missing.is_empty());
                self.undigested = docs;
                if diff.is_empty() {
                    self.after_changes(last_seq, more)
                } else {
                    self.phase = Phase::BulkGet { last_seq, more };
                    return Ok(Step::Request(Request {
                        method: "POST",
                        path: "_bulk_get?revs=true".into(),
                        body: Some(bulk_get_request(&diff)),
                    }));
                }
            }
            Phase::BulkGet { last_seq, more } => {
                if status != 200 || !body["results"].is_array() {
                    return Err(Failure::Server(format!(
                        "fetching revisions: {}",
                        reason(&body, status)
                    )));
                }
                let (docs, failed) = bulk_get_docs(&body);
                if let Some(f) = failed.first() {
                    return Err(Failure::Server(format!(
                        "the server could not give {} ({})",
                        f.id, f.error
                    )));
                }
                self.take_docs(docs)?;
                self.after_changes(last_seq, more)
            }
            Phase::WriteCheckpoint { .. } if status == 409 => {
                // Another run of this page (a tab closed mid-round) wrote it
                // since it was read: read it again, and go on from there.
                self.checkpoint_read = false;
                self.go(Phase::ReadCheckpoint)
            }
            Phase::WriteCheckpoint { last_seq } => {
                if (status != 201 && status != 200) || body["ok"] != json!(true) {
                    return Err(Failure::Server(format!(
                        "writing the checkpoint: {}",
                        reason(&body, status)
                    )));
                }
                self.server_checkpoint_rev = body["rev"].as_str().map(String::from);
                self.checkpoint = Some(Checkpoint::after(
                    self.checkpoint.as_ref(),
                    &self.session,
                    last_seq.clone(),
                ));
                self.checkpoint_dirty = true;
                self.since = last_seq;
                self.include_docs = false;
                // A merge made while pulling goes at once.
                self.push_then(Phase::Done)
            }
            Phase::Idle | Phase::Done => {
                return Err(Failure::Server("an answer with no request".into()))
            }
        };
        Ok(next)
    }

    /// Joins a feed page's bodies taken by [`Replica::answer_ahead`].
    fn digest(&mut self) {
        if self.undigested.is_empty() {
            return;
        }
        let docs = std::mem::take(&mut self.undigested);
        // Checked when taken: joining them cannot fail.
        let joined = self.take_docs(docs);
        debug_assert!(joined.is_ok(), "{joined:?}");
    }

    /// Joins revisions the server gave (`_bulk_get`, or a first sync's
    /// feed); those already here are passed over. One's own record in
    /// conflict is merged at once.
    fn take_docs(&mut self, docs: Vec<Value>) -> Result<(), Failure> {
        let mut touched = BTreeSet::new();
        for doc in docs {
            if !joinable(&doc) {
                continue;
            }
            let id = doc["_id"].as_str().unwrap_or("").to_string();
            let rec = self.records.entry(id.clone()).or_default();
            let known = doc["_rev"]
                .as_str()
                .and_then(|r| r.parse::<Rev>().ok())
                .is_some_and(|r| rec.tree.contains(&r));
            if known {
                continue;
            }
            let before = rec.winner().map(|(r, _)| r);
            // Taken, not copied: a first sync's pages carry megabytes.
            rec.join(doc).map_err(Failure::Server)?;
            self.summary.pulled += 1;
            if rec.winner().map(|(r, _)| r) != before {
                self.changed.insert(id.clone());
            }
            self.dirty.insert(id.clone());
            touched.insert(id);
        }
        for id in touched {
            if self.mirrors(&id) {
                self.resolve_own(&id);
            }
        }
        Ok(())
    }

    fn after_changes(&mut self, last_seq: Value, more: bool) -> Step {
        if more {
            self.since = last_seq;
            return self.go(Phase::Changes);
        }
        if last_seq == self.since && self.checkpoint.is_some() {
            // A merge the page brought goes in this round's push.
            self.digest();
            return self.push_then(Phase::Done);
        }
        self.go(Phase::WriteCheckpoint { last_seq })
    }
}

/// What to do after an answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Step {
    Request(Request),
    Done(Summary),
}

/// A body the replica keeps: design documents are the server's own.
fn joinable(doc: &Value) -> bool {
    doc["_id"]
        .as_str()
        .is_some_and(|id| !id.is_empty() && !id.starts_with("_design/"))
}

/// JSON text of what the replica serialises: values, strings and maps
/// with string keys, which serde_json always writes.
fn json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("JSON of strings, numbers and string-keyed maps")
}

fn reason(body: &Value, status: u16) -> String {
    match (body["error"].as_str(), body["reason"].as_str()) {
        (Some(e), Some(r)) => format!("{status} {e}: {r}"),
        (Some(e), None) => format!("{status} {e}"),
        _ => format!("the server answered {status}"),
    }
}

/// A sequence as a query parameter (a number, or CouchDB's opaque string).
fn seq_param(seq: &Value) -> String {
    let raw = match seq {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = String::new();
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One's own record of a document as the team database holds it, from the
/// local annotations record and the document's status: the same spans
/// (code points), the undo history with its times, `updated` when.
pub fn own_body(
    doc_id: &str,
    me: &str,
    status: crate::doc::Status,
    record: Option<&crate::session::record::Record>,
    updated: u64,
) -> Result<Annotations, String> {
    let (spans, history) = match record {
        Some(r) => (r.spans().map_err(|e| e.0)?, r.history.clone()),
        None => (Vec::new(), Default::default()),
    };
    let mut body = Annotations::new(doc_id, me, status, &spans, &history, updated);
    if let Some(r) = record {
        body.relations = r.extras.relations.clone();
        body.doc_labels = r.extras.doc_labels.clone();
        body.note = r.extras.note.clone();
    }
    Ok(body)
}

/// The local annotations record of a team record: its spans and history
/// over the stored one (at the next revision, so that a tab's snapshot
/// built on the stored one is refused rather than write over it).
pub fn local_record(
    body: &Annotations,
    stored: Option<&crate::session::record::Record>,
) -> crate::session::record::Record {
    use crate::session::record::Record;
    let mut record = match stored {
        Some(r) => r.with(&body.spans, body.undo_history()),
        None => Record::new(
            &body.doc_id,
            &body.spans,
            body.undo_history(),
            true,
            String::new(),
        ),
    };
    record.extras.relations = body.relations.clone();
    record.extras.doc_labels = body.doc_labels.clone();
    record.extras.note = body.note.clone();
    record
}

#[cfg(test)]
mod tests;
