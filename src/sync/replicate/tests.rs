//! The replicator against an in-memory server that keeps revision trees
//! as CouchDB does: full rounds between devices, conflicts merged, and
//! refusals and failures that leave the local state as it was.

use super::*;
use crate::doc::{Source, Span, Status};
use crate::edit::{Change as EditChange, History, Step as EditStep};
use crate::session::record::Record as LocalRecord;
use crate::sync::plan::Incoming;

/// A CouchDB database, in memory: `_bulk_docs` (`new_edits: false`),
/// `_changes` (`style=all_docs`, `include_docs`), `_bulk_get?revs=true`
/// and `_local/`.
#[derive(Default)]
struct Server {
    docs: BTreeMap<String, (RevTree, BTreeMap<Rev, Value>, u64)>,
    locals: BTreeMap<String, (u64, Value)>,
    seq: u64,
    /// Who may write `doc:` records.
    curators: Vec<String>,
    /// The next answers, instead of the database's (faults).
    faults: Vec<(u16, Value)>,
    /// Every request's path, and the revisions each `_bulk_get` asked for.
    asked: Vec<String>,
    fetched: Vec<(String, Rev)>,
}

impl Server {
    fn handle(&mut self, who: &str, r: &Request) -> (u16, Value) {
        if !self.faults.is_empty() {
            return self.faults.remove(0);
        }
        self.asked.push(r.path.clone());
        let (path, query) = r.path.split_once('?').unwrap_or((&r.path, ""));
        match (r.method, path) {
            ("POST", "_bulk_docs") => {
                let body = r.body.as_ref().unwrap();
                assert_eq!(body["new_edits"], json!(false));
                let mut out = Vec::new();
                for doc in body["docs"].as_array().unwrap() {
                    let id = doc["_id"].as_str().unwrap().to_string();
                    // As the design document judges: by the id's owner.
                    let own = id.starts_with("ann:") && id.ends_with(&format!(":{who}"));
                    let curator = self.curators.iter().any(|c| c == who);
                    if !(curator || own) {
                        out.push(json!({"id": id, "error": "forbidden", "reason": format!("{who} may not write {id}")}));
                        continue;
                    }
                    let inc = Incoming::read(doc).unwrap();
                    self.seq += 1;
                    let e = self.docs.entry(id).or_default();
                    inc.join(&mut e.0);
                    if !inc.deleted {
                        e.1.insert(inc.rev.clone(), doc.clone());
                    }
                    e.2 = self.seq;
                }
                (201, json!(out))
            }
            ("GET", "_changes") => {
                let since: u64 = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("since="))
                    .unwrap()
                    .parse()
                    .unwrap();
                let mut rows: Vec<(u64, Value)> = self
                    .docs
                    .iter()
                    .filter(|(_, (_, _, s))| *s > since)
                    .map(|(id, (t, bodies, s))| {
                        let changes: Vec<Value> =
                            t.leaves().iter().map(|l| json!({"rev": l.rev})).collect();
                        let mut row = json!({"seq": s, "id": id, "changes": changes});
                        // As CouchDB: the winner, with `_rev` but no `_revisions`.
                        if query.split('&').any(|kv| kv == "include_docs=true") {
                            let w = t.winner().unwrap();
                            let mut doc = if w.deleted {
                                json!({"_id": id, "_deleted": true})
                            } else {
                                let mut d = bodies[&w.rev].clone();
                                d.as_object_mut().unwrap().remove("_revisions");
                                d
                            };
                            doc["_rev"] = json!(w.rev);
                            row["doc"] = doc;
                        }
                        (*s, row)
                    })
                    .collect();
                rows.sort_by_key(|r| r.0);
                // A page: the feed's last sequence is then its last row's.
                let limit = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("limit="))
                    .map_or(usize::MAX, |l| l.parse().unwrap());
                let last_seq = if rows.len() > limit {
                    rows.truncate(limit);
                    rows[limit - 1].0
                } else {
                    self.seq
                };
                let results: Vec<Value> = rows.into_iter().map(|r| r.1).collect();
                (200, json!({"results": results, "last_seq": last_seq}))
            }
            ("POST", "_bulk_get") => {
                let mut results = Vec::new();
                for want in r.body.as_ref().unwrap()["docs"].as_array().unwrap() {
                    let id = want["id"].as_str().unwrap();
                    let rev: Rev = want["rev"].as_str().unwrap().parse().unwrap();
                    self.fetched.push((id.to_string(), rev.clone()));
                    let (tree, bodies, _) = &self.docs[id];
                    let deleted = tree.leaves().iter().any(|l| l.rev == rev && l.deleted);
                    let mut doc = if deleted {
                        json!({"_id": id, "_deleted": true})
                    } else {
                        bodies[&rev].clone()
                    };
                    doc["_rev"] = json!(rev);
                    doc["_revisions"] = json!(tree.revisions(&rev, 1000).unwrap());
                    results.push(json!({"id": id, "docs": [{"ok": doc}]}));
                }
                (200, json!({ "results": results }))
            }
            ("GET", p) if p.starts_with("_local/") => match self.locals.get(p) {
                Some((n, v)) => {
                    let mut v = v.clone();
                    v["_rev"] = json!(format!("0-{n}"));
                    (200, v)
                }
                None => (404, json!({"error": "not_found", "reason": "missing"})),
            },
            ("PUT", p) if p.starts_with("_local/") => {
                let current = self.locals.get(p).map(|(n, _)| format!("0-{n}"));
                let given = r.body.as_ref().unwrap()["_rev"].as_str().map(String::from);
                if current != given {
                    return (
                        409,
                        json!({"error": "conflict", "reason": "Document update conflict."}),
                    );
                }
                let n = self.locals.get(p).map_or(1, |(n, _)| n + 1);
                self.locals
                    .insert(p.to_string(), (n, r.body.clone().unwrap()));
                (201, json!({"ok": true, "id": p, "rev": format!("0-{n}")}))
            }
            other => panic!("the fake server has no {other:?}"),
        }
    }

    fn conflicts(&self) -> usize {
        self.docs
            .values()
            .map(|(t, _, _)| t.conflicts().len())
            .sum()
    }

    fn winner(&self, id: &str) -> Value {
        let (t, b, _) = &self.docs[id];
        b[&t.winner().unwrap().rev].clone()
    }
}

/// A device: a replica and the local records it stands for.
struct Device {
    replica: Replica,
    me: String,
    local: BTreeMap<String, Annotations>,
    stored: Vec<Entry>,
}

impl Device {
    fn new(me: &str, device: &str) -> Device {
        Device {
            replica: Replica::new("http://t", "p", me, device, device, Vec::new(), None),
            me: me.into(),
            local: BTreeMap::new(),
            stored: Vec::new(),
        }
    }

    /// A round against the server, as the page runs it: local changes
    /// committed, requests answered (the next one decided before the
    /// answer's bodies are joined), the writes applied after each.
    fn sync(&mut self, server: &mut Server) -> Result<Summary, Failure> {
        for body in self.local.values() {
            self.replica.commit_own(body);
        }
        let mut req = self.replica.start();
        let summary = loop {
            let (status, body) = server.handle(&self.me, &req);
            match self.replica.answer_ahead(status, body) {
                Ok(Step::Request(r)) => {
                    req = r;
                    self.apply();
                }
                Ok(Step::Done(s)) => break s,
                Err(e) => {
                    self.replica.abort();
                    return Err(e);
                }
            }
        };
        self.apply();
        Ok(summary)
    }

    fn apply(&mut self) {
        let writes = self.replica.take_writes();
        self.stored.extend(writes.entry_list());
        for body in writes.changed_list() {
            let id = body["_id"].as_str().unwrap().to_string();
            if id == self.replica.own_id(body["doc_id"].as_str().unwrap_or("")) {
                let rev: Rev = body["_rev"].as_str().unwrap().parse().unwrap();
                let a: Annotations = serde_json::from_value(body).unwrap();
                self.local.insert(a.doc_id.clone(), a);
                self.replica.applied(&id, &rev);
            }
        }
    }

    fn edit(&mut self, doc: &str, at: u64, add: &[Span], remove: &[Span]) {
        let me = self.me.clone();
        let r = self.local.entry(doc.into()).or_insert_with(|| {
            Annotations::new(doc, &me, Status::Todo, &[], &History::default(), 0)
        });
        r.spans.retain(|s| !remove.contains(s));
        r.spans.extend(add.iter().cloned());
        r.spans.sort_by(Span::order);
        r.history.push(super::super::merge::Entry {
            step: EditStep {
                tab: String::new(),
                at,
                change: EditChange {
                    removed: remove.to_vec(),
                    added: add.to_vec(),
                    ..Default::default()
                },
            },
            undone: false,
        });
        r.updated = at;
    }

    fn spans_of(&self, doc: &str, who: &str) -> Vec<(usize, usize, String)> {
        let id = format!("ann:{doc}:{who}");
        let Some((_, body)) = self.replica.winner(&id) else {
            return Vec::new();
        };
        body["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["start"].as_u64().unwrap() as usize,
                    s["end"].as_u64().unwrap() as usize,
                    s["label"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn span(start: usize, end: usize, label: &str) -> Span {
    Span::new(start, end, label)
}

#[test]
fn two_annotators_see_each_others_records_after_a_round_each() {
    let mut server = Server {
        curators: vec!["ced".into()],
        ..Server::default()
    };
    let mut ced = Device::new("ced", "c1");
    ced.replica.commit(
        "doc:d1",
        json!({"type": "document", "text": "Ana met Bob.", "meta": {}}),
    );
    ced.sync(&mut server).unwrap();
    let mut ana = Device::new("ana", "a1");
    let mut ben = Device::new("ben", "b1");
    let first = ana.sync(&mut server).unwrap();
    assert_eq!(first.pulled, 1, "the document came");
    assert!(ana.replica.winner("doc:d1").is_some());
    ana.edit("d1", 10, &[span(0, 3, "PER")], &[]);
    ben.edit("d1", 11, &[span(8, 11, "PER")], &[]);
    assert_eq!(ana.sync(&mut server).unwrap().pushed, 1);
    ben.sync(&mut server).unwrap();
    ana.sync(&mut server).unwrap();
    assert_eq!(ana.spans_of("d1", "ben"), [(8, 11, "PER".to_string())]);
    assert_eq!(ben.spans_of("d1", "ana"), [(0, 3, "PER".to_string())]);
    // Nothing more to do: a round moves nothing.
    assert_eq!(ana.sync(&mut server).unwrap(), Summary::default());
    assert_eq!(ana.replica.pending(), 0);
    // The state survives being stored and read back (a reload): the writes
    // as a log, where the last entry of a record counts, or as one entry a
    // record.
    ana.edit("d1", 12, &[span(4, 7, "LOC")], &[]);
    ana.sync(&mut server).unwrap();
    assert!(ana.stored.iter().filter(|e| e.id == "ann:d1:ana").count() > 1);
    let again = Replica::new(
        "http://t",
        "p",
        "ana",
        "a1",
        "s2",
        ana.stored.clone(),
        ana.replica.take_writes().checkpoint,
    );
    assert_eq!(again.winner("ann:d1:ben"), ana.replica.winner("ann:d1:ben"));
    assert_eq!(again.winner("ann:d1:ana"), ana.replica.winner("ann:d1:ana"));
    assert_eq!(again.entries(), ana.replica.entries());
    // Compacted as the page does it: every entry in one JSON text.
    let all: Vec<Entry> = serde_json::from_str(&again.entries_json()).unwrap();
    let compacted = Replica::new("http://t", "p", "ana", "a1", "s3", all, None);
    assert_eq!(compacted.entries(), ana.replica.entries());
}

#[test]
fn a_curator_deletes_a_document_and_every_replica_hears_of_it() {
    let mut server = Server {
        curators: vec!["ced".into()],
        ..Server::default()
    };
    let mut ced = Device::new("ced", "c1");
    for d in ["d1", "d2"] {
        ced.replica.commit(
            &format!("doc:{d}"),
            json!({"type": "document", "text": "Ana met Bob.", "meta": {}}),
        );
    }
    ced.sync(&mut server).unwrap();
    let mut ana = Device::new("ana", "a1");
    ana.sync(&mut server).unwrap();
    ana.edit("d2", 10, &[span(0, 3, "PER")], &[]);
    ana.sync(&mut server).unwrap();

    assert!(ced.replica.commit("doc:d2", json!({"_deleted": true})));
    assert!(
        !ced.replica.commit("doc:d2", json!({"_deleted": true})),
        "deleted already: nothing more to send"
    );
    assert!(!ced.replica.commit("doc:nope", json!({"_deleted": true})));
    assert_eq!(ced.sync(&mut server).unwrap().pushed, 1);
    assert!(server.docs["doc:d2"].0.winner().unwrap().deleted);
    assert!(ced.replica.winner("doc:d2").is_none());

    // Ana's replica: the deletion among what changed; her record of it
    // stays on the server.
    let mut req = ana.replica.start();
    loop {
        let (status, body) = server.handle("ana", &req);
        match ana.replica.answer(status, body).unwrap() {
            Step::Request(r) => req = r,
            Step::Done(_) => break,
        }
    }
    let changed = ana.replica.take_writes().changed_list();
    let gone: Vec<&Value> = changed.iter().filter(|b| b["_id"] == "doc:d2").collect();
    assert_eq!(gone.len(), 1, "{changed:?}");
    assert_eq!(gone[0]["_deleted"], json!(true));
    assert!(gone[0]["_rev"].as_str().unwrap().starts_with("2-"));
    assert!(ana.replica.winner("doc:d2").is_none());
    assert!(ana.replica.winner("doc:d1").is_some());
    assert!(server.winner("ann:d2:ana")["spans"].is_array());
}

#[test]
fn a_document_only_opened_makes_no_record_of_its_annotator() {
    let mut server = Server::default();
    let mut ana = Device::new("ana", "a1");
    let mut suggestion = span(0, 3, "PER");
    suggestion.source = Source::Model;
    let opened = Annotations::new(
        "d1",
        "ana",
        Status::Todo,
        &[suggestion],
        &History::default(),
        5,
    );
    assert!(opened.is_blank());
    ana.local.insert("d1".into(), opened);
    assert_eq!(ana.sync(&mut server).unwrap().pushed, 0);
    assert!(ana.replica.winner("ann:d1:ana").is_none());
    // Her first edit makes it; from then on every change goes, back to
    // blank included (all undone is still her say).
    ana.edit("d1", 10, &[span(4, 7, "PER")], &[]);
    assert_eq!(ana.sync(&mut server).unwrap().pushed, 1);
    let done = Annotations::new("d2", "ana", Status::Done, &[], &History::default(), 6);
    assert!(
        !done.is_blank(),
        "marked done with nothing in it is an answer"
    );
}

#[test]
fn the_same_annotator_on_two_devices_converges_to_the_merge() {
    let mut server = Server::default();
    let (mut a, mut b) = (Device::new("ana", "x"), Device::new("ana", "y"));
    a.edit("d1", 1, &[span(0, 3, "PER")], &[]);
    a.sync(&mut server).unwrap();
    b.sync(&mut server).unwrap();
    assert_eq!(b.local["d1"].spans, [span(0, 3, "PER")], "written locally");
    // Both apart: a adds one span and removes the first; b adds another.
    a.edit("d1", 5, &[span(8, 11, "LOC")], &[span(0, 3, "PER")]);
    b.edit("d1", 6, &[span(4, 7, "ORG")], &[]);
    a.sync(&mut server).unwrap();
    b.sync(&mut server).unwrap();
    a.sync(&mut server).unwrap();
    b.sync(&mut server).unwrap();
    let want = [span(4, 7, "ORG"), span(8, 11, "LOC")];
    assert_eq!(a.local["d1"].spans, want, "the removal is an edit too");
    assert_eq!(b.local["d1"].spans, want);
    assert_eq!(a.local["d1"].history.len(), 3, "both histories kept");
    assert_eq!(server.conflicts(), 0, "the losing leaves deleted");
    assert_eq!(server.winner("ann:d1:ana")["spans"], json!(want));
    assert_eq!(a.replica.pending() + b.replica.pending(), 0);
}

#[test]
fn a_change_pulled_while_the_page_edited_is_merged_not_written_over() {
    let mut server = Server::default();
    let (mut a, mut b) = (Device::new("ana", "x"), Device::new("ana", "y"));
    a.edit("d1", 1, &[span(0, 3, "PER")], &[]);
    a.sync(&mut server).unwrap();
    b.sync(&mut server).unwrap();
    a.edit("d1", 2, &[span(4, 7, "ORG")], &[]);
    a.sync(&mut server).unwrap();
    // b's pull brings a's change; b edits before it is applied: its commit
    // builds on what b's record reflects, so the two meet as a conflict.
    b.edit("d1", 3, &[span(8, 11, "LOC")], &[]);
    let id = b.replica.own_id("d1");
    b.replica.commit(&id, json!(b.local["d1"]));
    let mut req = b.replica.start();
    while let Ok(Step::Request(r)) = {
        let (s, body) = server.handle("ana", &req);
        b.replica.answer(s, body)
    } {
        req = r;
    }
    b.apply();
    let want = [span(0, 3, "PER"), span(4, 7, "ORG"), span(8, 11, "LOC")];
    assert_eq!(b.local["d1"].spans, want);
    a.sync(&mut server).unwrap();
    assert_eq!(a.local["d1"].spans, want);
    assert_eq!(server.conflicts(), 0);
}

#[test]
fn refusals_and_failures_leave_the_local_state_as_it_was() {
    let mut server = Server::default();
    let mut ana = Device::new("ana", "x");
    ana.edit("d1", 1, &[span(0, 3, "PER")], &[]);
    // A document of her own: refused (403 per record), said, kept.
    ana.replica
        .commit("doc:mine", json!({"type": "document", "text": "x"}));
    ana.sync(&mut server).unwrap();
    let refused = ana.replica.take_refusals();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].id, "doc:mine");
    assert!(refused[0].reason.contains("may not write"), "{refused:?}");
    assert_eq!(ana.replica.refused().len(), 1, "still refused");
    assert!(ana.replica.winner("doc:mine").is_some(), "kept locally");
    assert!(!server.docs.contains_key("doc:mine"));
    assert!(server.docs.contains_key("ann:d1:ana"), "the rest went");

    ana.edit("d1", 2, &[span(4, 7, "ORG")], &[]);
    let id = ana.replica.own_id("d1");
    ana.replica.commit(&id, json!(ana.local["d1"]));
    for (status, body, signed_out) in [
        (
            401,
            json!({"error": "unauthorized", "reason": "session expired"}),
            true,
        ),
        (
            500,
            json!({"error": "unknown_error", "reason": "boom"}),
            false,
        ),
        (200, Value::String("<html>proxy</html>".into()), false),
        // The embedded server's answer to a push with a cookie run out:
        // every record "unauthorized" (CouchDB 3 answers 401 to it all).
        (
            201,
            json!([{"id": "ann:d1:ana", "error": "unauthorized", "reason": "You are not authorized to access this db."}]),
            true,
        ),
    ] {
        let before = ana.replica.records[&"ann:d1:ana".to_string()].entry("ann:d1:ana");
        server.faults.push((status, body));
        let e = ana.sync(&mut server).unwrap_err();
        assert_eq!(matches!(e, Failure::Signedout(_)), signed_out, "{e:?}");
        let after = ana.replica.records[&"ann:d1:ana".to_string()].entry("ann:d1:ana");
        assert_eq!(before.unsent, after.unsent, "nothing marked sent");
        assert_eq!(ana.local["d1"].spans.len(), 2, "the local record kept");
        assert_eq!(ana.replica.pending(), 2);
        assert_eq!(ana.replica.refused().len(), 1, "no record taken as refused");
    }
    ana.sync(&mut server).unwrap();
    assert_eq!(
        server.winner("ann:d1:ana")["spans"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(ana.replica.pending(), 1, "only the refused document");
}

#[test]
fn the_record_mapping_keeps_code_point_offsets_and_the_history() {
    let text = "Zoë 🙂 met\r\nBob 🙂🙂 in Łódź.\r\n";
    let cp = |needle: &str| {
        let b = text.find(needle).unwrap();
        let s = text[..b].chars().count();
        (s, s + needle.chars().count())
    };
    let (b0, b1) = cp("Bob");
    let (l0, l1) = cp("Łódź");
    let spans = vec![
        span(b0, b1, "PER"),
        span(l0, l1, "LOC").with_source(Source::Model),
    ];
    let mut history = History::default();
    history.done.push(EditStep {
        tab: "t1".into(),
        at: 1_700_000_000_123,
        change: EditChange {
            removed: vec![],
            added: vec![spans[0].clone()],
            ..Default::default()
        },
    });
    let mut local = LocalRecord::new("d1", &spans, history.clone(), true, "r".into());
    local.extras.relations = vec![crate::relations::Relation {
        id: "R1".into(),
        from: "T1".into(),
        to: "T2".into(),
        label: "lives_in".into(),
    }];
    local.extras.doc_labels = vec!["travel".into()];
    local.extras.note = Some("check <the> spelling".into());
    let body = own_body("d1", "ana", Status::Done, Some(&local), 42).unwrap();
    let json = serde_json::to_value(body.body()).unwrap();
    assert_eq!(json["relations"][0]["label"], "lives_in");
    assert_eq!(json["doc_labels"][0], "travel");
    assert_eq!(json["note"], "check <the> spelling");
    assert_eq!(json["_id"], "ann:d1:ana");
    assert_eq!(json["status"], "done");
    assert_eq!(json["updated"], 42);
    assert_eq!(json["history"][0]["at"], 1_700_000_000_123u64);
    let back: Annotations = serde_json::from_value(json).unwrap();
    let again = local_record(&back, Some(&local));
    assert_eq!(again.spans().unwrap(), spans);
    assert_eq!(
        again.extras, local.extras,
        "relations, labels and note come back"
    );
    // The team record keeps each step but not the tab that made it (a
    // browser's own, see `Annotations::new`).
    history.done[0].tab.clear();
    assert_eq!(again.history, history);
    assert_eq!(again.rev, local.rev + 1, "over the stored revision");
    let chars: Vec<char> = text.chars().collect();
    let s = &again.spans().unwrap()[1];
    assert_eq!(chars[s.start..s.end].iter().collect::<String>(), "Łódź");
    let fresh = local_record(&back, None);
    assert_eq!(fresh.spans().unwrap(), spans);
}

#[test]
fn a_checkpoint_written_meanwhile_by_another_run_is_read_again() {
    let mut server = Server::default();
    let mut a = Device::new("ana", "x");
    a.edit("d1", 1, &[span(0, 3, "PER")], &[]);
    a.sync(&mut server).unwrap();
    // The same device's next page load (same checkpoint id), while the
    // first keeps running: the first's checkpoint revision is stale then.
    let mut b = Device::new("ana", "x");
    b.sync(&mut server).unwrap();
    a.edit("d1", 2, &[span(4, 7, "ORG")], &[]);
    a.sync(&mut server).unwrap();
    a.edit("d1", 3, &[span(8, 11, "LOC")], &[]);
    a.sync(&mut server).unwrap();
    assert_eq!(
        server.winner("ann:d1:ana")["spans"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn curators_mirror_the_curated_record_and_merge_its_conflicts_annotators_do_not() {
    let mut server = Server {
        curators: vec!["ced".into(), "cid".into()],
        ..Server::default()
    };
    let (mut ced, mut cid, mut ana) = (
        Device::new("ced", "x"),
        Device::new("cid", "y"),
        Device::new("ana", "z"),
    );
    ced.replica.set_curator(true);
    cid.replica.set_curator(true);
    // A curator's edit of the curated record, as her page commits it.
    let edit = |body: &mut Annotations, at: u64, add: Span| {
        body.spans.push(add.clone());
        body.spans.sort_by(Span::order);
        body.history.push(super::super::merge::Entry {
            step: EditStep {
                tab: String::new(),
                at,
                change: EditChange {
                    removed: Vec::new(),
                    added: vec![add],
                    ..Default::default()
                },
            },
            undone: false,
        });
        body.updated = at;
    };
    let id = "ann:d1:curated";
    let mut mine = Annotations::new(
        "d1",
        crate::curation::CURATED,
        Status::Todo,
        &[],
        &History::default(),
        0,
    );
    edit(&mut mine, 1, span(0, 3, "PER"));
    assert!(ced.replica.commit_own(&mine));
    ced.sync(&mut server).unwrap();
    cid.sync(&mut server).unwrap();
    ana.sync(&mut server).unwrap();
    let (rev, body) = cid.replica.winner(id).unwrap();
    let mut theirs: Annotations = serde_json::from_value(body.clone()).unwrap();
    cid.replica.applied(id, &rev);
    // Both curators edit it apart: a conflict, which each merges.
    edit(&mut mine, 5, span(4, 7, "ORG"));
    assert!(ced.replica.commit_own(&mine));
    edit(&mut theirs, 6, span(8, 11, "LOC"));
    assert!(cid.replica.commit_own(&theirs));
    for _ in 0..2 {
        ced.sync(&mut server).unwrap();
        cid.sync(&mut server).unwrap();
    }
    ana.sync(&mut server).unwrap();
    let want = vec![
        (0, 3, "PER".to_string()),
        (4, 7, "ORG".to_string()),
        (8, 11, "LOC".to_string()),
    ];
    assert_eq!(server.conflicts(), 0, "the losing leaf deleted");
    assert_eq!(ced.spans_of("d1", "curated"), want);
    assert_eq!(cid.spans_of("d1", "curated"), want);
    assert_eq!(ana.spans_of("d1", "curated"), want);
    // An annotator never writes a merge of it (the server would refuse).
    assert_eq!(ana.replica.pending(), 0);
    assert!(ana.replica.refused().is_empty());
}

#[test]
fn a_first_sync_takes_the_bodies_from_the_feed_and_fetches_only_conflicting_leaves() {
    let mut server = Server {
        curators: vec!["ced".into()],
        ..Server::default()
    };
    let mut ced = Device::new("ced", "c");
    for d in ["d1", "d2", "d3"] {
        ced.replica
            .commit(&format!("doc:{d}"), json!({"type": "document", "text": d}));
    }
    ced.sync(&mut server).unwrap();
    // The same annotator on two devices, apart, each with her record of
    // d1 on the server before either hears of the other: a conflict there.
    let (mut x, mut y) = (Device::new("ana", "x"), Device::new("ana", "y"));
    x.edit("d1", 1, &[span(0, 2, "PER")], &[]);
    y.edit("d1", 2, &[span(3, 5, "LOC")], &[]);
    x.replica.commit_own(&x.local["d1"]);
    y.replica.commit_own(&y.local["d1"]);
    for dev in [&mut x, &mut y] {
        let req = dev.replica.start();
        assert_eq!(req.path, "_bulk_docs");
        server.handle("ana", &req);
    }
    assert_eq!(server.conflicts(), 1);

    // Ben's first sync: the feed carries every winner; the losing leaf alone
    // is fetched, with its ancestry.
    let mut ben = Device::new("ben", "b");
    server.asked.clear();
    server.fetched.clear();
    ben.sync(&mut server).unwrap();
    let feed: Vec<&String> = server
        .asked
        .iter()
        .filter(|p| p.starts_with("_changes"))
        .collect();
    assert!(feed[0].contains("include_docs=true"), "{feed:?}");
    let loser = server.docs["ann:d1:ana"].0.conflicts();
    let want: Vec<(String, Rev)> = loser
        .into_iter()
        .map(|r| ("ann:d1:ana".to_string(), r))
        .collect();
    assert_eq!(server.fetched, want, "only the leaf the feed did not carry");
    for d in ["d1", "d2", "d3"] {
        let id = format!("doc:{d}");
        assert_eq!(ben.replica.winner(&id).unwrap().1["text"], json!(d));
    }
    let mine = &ben.replica.records["ann:d1:ana"];
    assert_eq!(mine.tree.leaves().len(), 2, "both leaves known");
    assert_eq!(
        mine.tree.winner().unwrap().rev,
        server.docs["ann:d1:ana"].0.winner().unwrap().rev,
        "the same winner as the server's"
    );

    // Ana's third device joins: her conflict arrives on a first sync and is
    // merged at once, and her other devices come round to the merge.
    let mut z = Device::new("ana", "z");
    z.sync(&mut server).unwrap();
    assert_eq!(server.conflicts(), 0, "the losing leaf deleted");
    let both = [span(0, 2, "PER"), span(3, 5, "LOC")];
    assert_eq!(z.local["d1"].spans, both);
    for dev in [&mut x, &mut y] {
        dev.sync(&mut server).unwrap();
        dev.sync(&mut server).unwrap();
        assert_eq!(dev.local["d1"].spans, both);
    }
    assert_eq!(server.winner("ann:d1:ana")["spans"], json!(both));
    assert_eq!(server.conflicts(), 0);

    // Later rounds ask for what changed only, with `_revisions`.
    server.asked.clear();
    x.edit("d1", 9, &[span(6, 8, "ORG")], &[]);
    x.sync(&mut server).unwrap();
    ben.sync(&mut server).unwrap();
    assert!(server
        .asked
        .iter()
        .filter(|p| p.starts_with("_changes"))
        .all(|p| !p.contains("include_docs")));
    assert_eq!(
        ben.spans_of("d1", "ana").len(),
        3,
        "the next revision joins the winner taken without ancestry"
    );
    assert_eq!(
        ben.replica.records["ann:d1:ana"].tree.leaves(),
        server.docs["ann:d1:ana"].0.leaves(),
        "the same tree ends as the server's"
    );
}

#[test]
fn a_first_sync_asks_for_the_next_page_before_joining_this_one() {
    let mut server = Server {
        curators: vec!["ced".into()],
        ..Server::default()
    };
    let docs = CHANGES_LIMIT + 10;
    let mut ced = Device::new("ced", "c");
    for i in 0..docs {
        ced.replica.commit(
            &format!("doc:d{i}"),
            json!({"type": "document", "text": format!("text {i}")}),
        );
    }
    ced.sync(&mut server).unwrap();
    let mut ben = Device::new("ben", "b");
    ben.edit("d1", 1, &[span(0, 4, "PER")], &[]);
    ben.sync(&mut server).unwrap();

    let mut ana = Device::new("ana", "a");
    let mut req = ana.replica.start();
    // Her checkpoint (none yet), then the feed's first page.
    let (status, body) = server.handle("ana", &req);
    req = match ana.replica.answer_ahead(status, body).unwrap() {
        Step::Request(r) => r,
        done => panic!("{done:?}"),
    };
    assert!(req.path.starts_with("_changes"), "{}", req.path);
    let (status, body) = server.handle("ana", &req);
    let next = match ana.replica.answer_ahead(status, body).unwrap() {
        Step::Request(r) => r,
        done => panic!("{done:?}"),
    };
    // The next page is asked for from where this one ends, while none of
    // its bodies is joined yet.
    assert!(
        next.path.ends_with(&format!("since={CHANGES_LIMIT}")),
        "{}",
        next.path
    );
    assert!(ana.replica.winner("doc:d0").is_none());
    let mut changed = ana.replica.take_writes().changed_list();
    assert_eq!(changed.len(), CHANGES_LIMIT);
    assert_eq!(ana.replica.winner("doc:d0").unwrap().1["text"], "text 0");
    let doc = changed.iter().find(|b| b["_id"] == "doc:d0").unwrap();
    assert_eq!(doc["text"], "text 0", "a document comes with its body");

    // The rest of the round: everything, once, and another annotator's
    // record named without its body (the page writes none locally).
    let mut req = next;
    loop {
        let (status, body) = server.handle("ana", &req);
        let step = ana.replica.answer_ahead(status, body).unwrap();
        changed.extend(ana.replica.take_writes().changed_list());
        match step {
            Step::Request(r) => req = r,
            Step::Done(s) => {
                assert_eq!(s.pulled, docs + 1);
                break;
            }
        }
    }
    assert_eq!(changed.len(), docs + 1);
    let bens = changed.iter().find(|b| b["_id"] == "ann:d1:ben").unwrap();
    assert!(bens.get("spans").is_none(), "{bens}");
    assert!(bens["_rev"].as_str().unwrap().starts_with("1-"));
    assert_eq!(ana.spans_of("d1", "ben"), [(0, 4, "PER".to_string())]);
    assert_eq!(ana.replica.entries().len(), docs + 1);
}

impl Writes {
    /// The entries as the page reads them from the text.
    fn entry_list(&self) -> Vec<Entry> {
        self.entries
            .as_deref()
            .map_or_else(Vec::new, |e| serde_json::from_str(e).unwrap())
    }

    fn changed_list(&self) -> Vec<Value> {
        serde_json::from_str(&self.changed).unwrap()
    }
}
