//! What `push`, `pull` and `agree` share: signing in as a team member
//! (`--user`/SPANMARK_USER, SPANMARK_PASSWORD), finding the project, and
//! reading the whole project database in pages.

use super::http::{segment, Server};
use super::names;
use crate::assignment::{self, Assignments};
use crate::sync::{Annotations, Rev, RevTree, Revisions};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The flags every member command takes.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct Connection {
    /// The team server, e.g. http://127.0.0.1:8080
    #[arg(long)]
    pub server: String,
    /// The project (its database's name)
    #[arg(long)]
    pub project: String,
    /// Who signs in (else SPANMARK_USER); the password is SPANMARK_PASSWORD
    #[arg(long)]
    pub user: Option<String>,
}

/// A signed-in member and the project's database path (`/db/<project>`).
pub struct Member {
    pub server: Server,
    pub name: String,
    pub roles: Vec<String>,
    pub project: String,
    pub db: String,
}

impl Member {
    /// Signs in and checks the project exists and may be read.
    pub fn connect(c: &Connection) -> Result<Member, String> {
        names::check_project(&c.project)?;
        let name = c
            .user
            .clone()
            .or_else(|| std::env::var("SPANMARK_USER").ok())
            .filter(|n| !n.is_empty())
            .ok_or("give who signs in with --user or SPANMARK_USER")?;
        let password = std::env::var("SPANMARK_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| format!("set SPANMARK_PASSWORD to the password of {name}"))?;
        let server = Server::as_user(&c.server, &name, &password)?;
        let who = server.send_empty("GET", "/db/_session")?;
        let ctx = &who.body["userCtx"];
        if who.status == 401 || ctx["name"].as_str() != Some(name.as_str()) {
            return Err(format!(
                "{}: the server did not accept the password of {name} ({})",
                server.base(),
                who.reason()
            ));
        }
        let roles = ctx["roles"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let db = format!("/db/{}", segment(&c.project));
        let info = server.send_empty("GET", &db)?;
        match info.status {
            200 => {}
            404 => {
                return Err(format!(
                "{}: there is no project {} (a curator creates it: spanmark team create-project)",
                server.base(),
                c.project
            ))
            }
            _ => return Err(server.refused(&format!("opening the project {}", c.project), &info)),
        }
        Ok(Member {
            server,
            name,
            roles,
            project: c.project.clone(),
            db,
        })
    }

    /// Writes `docs` (each an edit of its `_rev`, or new) in `_bulk_docs`
    /// requests of `chunk`; a refusal names its record.
    pub fn write_all(&self, docs: &[Value], chunk: usize) -> Result<(), String> {
        for part in docs.chunks(chunk.max(1)) {
            let path = format!("{}/_bulk_docs", self.db);
            let answer = self.server.send("POST", &path, &json!({ "docs": part }))?;
            check_bulk(self, &answer)?;
        }
        Ok(())
    }

    pub fn is_curator(&self) -> bool {
        self.roles.iter().any(|r| r == "curator" || r == "_admin")
    }

    /// Every document of the project (design documents aside), by id, with
    /// `_conflicts`, read from `_all_docs` in pages of `page`.
    pub fn all_docs(&self, page: usize) -> Result<Vec<Value>, String> {
        let mut docs = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let mut path = format!(
                "{}/_all_docs?include_docs=true&conflicts=true&limit={}",
                self.db,
                page + 1
            );
            if let Some(s) = &start {
                path.push_str(&format!("&startkey={}", segment(&json!(s).to_string())));
            }
            let answer = self.server.send_empty("GET", &path)?;
            if answer.status != 200 {
                return Err(self
                    .server
                    .refused(&format!("reading the project {}", self.project), &answer));
            }
            let rows = answer.body["rows"].as_array().cloned().unwrap_or_default();
            let more = rows.len() > page;
            for row in rows.iter().take(page) {
                if let Some(d) = row.get("doc").filter(|d| d.is_object()) {
                    let id = d["_id"].as_str().unwrap_or("");
                    if !id.starts_with("_design/") {
                        docs.push(d.clone());
                    }
                }
            }
            if !more {
                return Ok(docs);
            }
            start = rows[page]["id"].as_str().map(String::from);
        }
    }

    /// Every live revision of a record in conflict, with the revision tree
    /// they make (`open_revs=all&revs=true`).
    pub fn leaves(&self, id: &str) -> Result<(RevTree, BTreeMap<Rev, Annotations>), String> {
        let path = format!("{}/{}?open_revs=all&revs=true", self.db, segment(id));
        let answer = self.server.send_empty("GET", &path)?;
        if answer.status != 200 {
            return Err(self
                .server
                .refused(&format!("reading the revisions of {id}"), &answer));
        }
        let mut tree = RevTree::new();
        let mut leaves = BTreeMap::new();
        for leaf in answer.body.as_array().into_iter().flatten() {
            let Some(doc) = leaf.get("ok") else { continue };
            let revisions: Revisions = serde_json::from_value(doc["_revisions"].clone())
                .map_err(|e| format!("{id}: a revision without its ancestry ({e})"))?;
            let deleted = doc["_deleted"].as_bool().unwrap_or(false);
            tree.insert(&revisions, deleted);
            if !deleted {
                let rev: Rev = serde_json::from_value(doc["_rev"].clone())
                    .map_err(|e| format!("{id}: {e}"))?;
                let record: Annotations = serde_json::from_value(doc.clone())
                    .map_err(|e| format!("{id} ({rev}) is not an annotation record: {e}"))?;
                leaves.insert(rev, record);
            }
        }
        Ok((tree, leaves))
    }
}

/// The project as read: document texts and meta by id, labels, and every
/// annotation record (conflicts merged).
pub struct Read {
    /// `doc:` records by document id, in id order.
    pub documents: BTreeMap<String, Value>,
    pub labels: Option<Value>,
    pub records: Vec<Annotations>,
    /// `assign:` records: each document's annotators.
    pub assignments: Assignments,
    /// The current `_rev` of every record read, by `_id` (to write an
    /// update on it).
    pub revs: BTreeMap<String, String>,
}

/// Reads the whole project; a record in conflict is merged with
/// [`crate::sync::merge`] (and said on stderr), and its resolution written
/// back only when `resolve`.
pub fn read_project(m: &Member, page: usize, resolve: bool) -> Result<Read, String> {
    let mut read = Read {
        documents: BTreeMap::new(),
        labels: None,
        records: Vec::new(),
        assignments: Assignments::new(),
        revs: BTreeMap::new(),
    };
    let mut resolutions = Vec::new();
    for doc in m.all_docs(page)? {
        let id = doc["_id"].as_str().unwrap_or("").to_string();
        if let Some(rev) = doc["_rev"].as_str() {
            read.revs.insert(id.clone(), rev.to_string());
        }
        if let Some((doc_id, annotators)) = assignment::read(&doc) {
            read.assignments.insert(doc_id, annotators);
        } else if let Some(doc_id) = id.strip_prefix("doc:") {
            read.documents.insert(doc_id.to_string(), doc);
        } else if id == "labels" {
            read.labels = Some(doc);
        } else if id.starts_with("ann:") {
            let conflicted = doc["_conflicts"].as_array().is_some_and(|c| !c.is_empty());
            if conflicted {
                let (tree, leaves) = m.leaves(&id)?;
                if let Some(r) = crate::sync::resolve(&tree, &leaves, 1000) {
                    eprintln!(
                        "spanmark: {id} has {} conflicting revisions: merged them{}",
                        leaves.len(),
                        if resolve {
                            " and wrote the merge to the server"
                        } else {
                            " (--resolve writes the merge to the server)"
                        }
                    );
                    read.records.push(r.merged);
                    resolutions.extend(r.docs);
                    continue;
                }
            }
            let record: Annotations = serde_json::from_value(doc)
                .map_err(|e| format!("{}: {id} is not an annotation record: {e}", m.project))?;
            read.records.push(record);
        }
    }
    if resolve && !resolutions.is_empty() {
        let edits: Vec<Value> = resolutions.iter().map(as_edit).collect();
        m.write_all(&edits, page)?;
    }
    Ok(read)
}

/// A revision of a resolution ([`crate::sync::resolve`]) as an ordinary
/// edit of its parent (`_rev` the parent, no `_revisions`), which the
/// server signs itself. The embedded engine's validation (pouchdb-validation
/// 4.2) replaces a replicated revision's `_revisions` with the stored
/// document's, so a `new_edits: false` revision on top of an existing one
/// is silently dropped there.
pub fn as_edit(doc: &Value) -> Value {
    let mut doc = doc.clone();
    let parent = doc["_revisions"]["ids"]
        .get(1)
        .and_then(Value::as_str)
        .zip(doc["_revisions"]["start"].as_u64())
        .map(|(hash, start)| format!("{}-{hash}", start - 1));
    if let Value::Object(m) = &mut doc {
        m.remove("_revisions");
        match parent {
            Some(p) => m.insert("_rev".into(), json!(p)),
            None => m.remove("_rev"),
        };
    }
    doc
}

/// The refusals in a `_bulk_docs` answer, each named by its document.
pub fn check_bulk(m: &Member, answer: &super::http::Answer) -> Result<(), String> {
    if answer.status != 201 && answer.status != 200 {
        return Err(m
            .server
            .refused(&format!("writing to the project {}", m.project), answer));
    }
    let refused: Vec<String> = answer
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r.get("error").is_some())
        .map(|r| {
            format!(
                "{}: {}",
                r["id"].as_str().unwrap_or("?"),
                r["reason"]
                    .as_str()
                    .unwrap_or(r["error"].as_str().unwrap_or("refused"))
            )
        })
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}: the project {} refused {} write(s) by {}: {}",
        m.server.base(),
        m.project,
        refused.len(),
        m.name,
        refused.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resolution_is_written_as_an_edit_of_its_parent() {
        let doc = json!({"_id": "ann:d:ana", "_rev": "3-c", "_revisions": {"start": 3, "ids": ["c", "b", "a"]}, "_deleted": true});
        assert_eq!(
            as_edit(&doc),
            json!({"_id": "ann:d:ana", "_rev": "2-b", "_deleted": true})
        );
    }
}
