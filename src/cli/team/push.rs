//! `spanmark team push FILE --server URL --project NAME [--format F] [--as
//! NAME|curated] [--chunk N]`: a file of any import format into a team
//! project.
//!
//! Each document becomes `doc:<id>` (text, meta) and the file's label set
//! joins the project's `labels`; the file's spans (its own, or the
//! suggestions `annotate` makes when the file has none) become ONE
//! annotator's record `ann:<doc>:<name>`, the signed-in user's unless `--as`
//! names another (a curator importing gold says `--as curated`). A file is
//! one person's answer: pushing it as everyone's would make agreement
//! meaningless.
//!
//! Resumable: every revision is signed from its content
//! ([`crate::sync::rev`]), so a record already on the server is the same
//! revision and `_revs_diff` leaves it out; a run killed midway is rerun
//! and sends only what is missing, and creates no conflict. A record that
//! is on the server with other content gets a new revision on top of the
//! server's (a curator's push of an edited file updates the texts).

use super::member::{check_bulk, Connection, Member};
use crate::cli::convert::{parse_format, read_input};
use crate::cli::CliResult;
use crate::doc::{Project, Source};
use crate::edit::History;
use crate::labels::{Label, LabelSet};
use crate::sync::plan::{bulk_docs_request, outgoing};
use crate::sync::{Annotations, Rev, RevTree};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The file (any format `convert` reads), a brat folder, or "-"
    pub file: String,
    #[command(flatten)]
    pub connection: Connection,
    /// Its format (else from its name and content)
    #[arg(long)]
    pub format: Option<String>,
    /// Whose record the file's spans become: a user name, or `curated`
    /// (the gold record; curators only). Default: who signs in
    #[arg(long = "as")]
    pub annotator: Option<String>,
    /// Documents per `_bulk_docs` request
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..))]
    pub chunk: u64,
    /// Do not pre-annotate a file that has no spans
    #[arg(long)]
    pub no_suggestions: bool,
}

/// One CouchDB document to write: its id and body (with `_id`).
pub type Record = (String, Value);

/// The `doc:` record of a document.
pub fn document_record(d: &crate::doc::Document) -> Record {
    let id = format!("doc:{}", d.id);
    let body = json!({"_id": id, "type": "document", "text": d.text, "meta": d.meta});
    (id, body)
}

/// The `ann:` record of `annotator` for a document: the file's spans and
/// status, no history (nothing was edited here), `updated` 0 (so the same
/// file always makes the same revision).
pub fn annotation_record(d: &crate::doc::Document, annotator: &str) -> Record {
    let a =
        Annotations::new(&d.id, annotator, d.status, &d.spans, &History::default(), 0).holding(d);
    (a.id(), a.body())
}

/// The project's labels joined with the file's: the server's first, as
/// they are, then the file's it lacks.
pub fn joined_labels(server: Option<&Value>, file: &LabelSet) -> Vec<Label> {
    let mut labels: Vec<Label> = server
        .and_then(|v| serde_json::from_value(v["labels"].clone()).ok())
        .unwrap_or_default();
    let known: BTreeSet<String> = labels.iter().map(|l| l.name.clone()).collect();
    let taken: BTreeSet<String> = labels.iter().filter_map(|l| l.key.clone()).collect();
    for l in file.iter().filter(|l| !known.contains(&l.name)) {
        let mut l = l.clone();
        if l.key.as_ref().is_some_and(|k| taken.contains(k)) {
            l.key = None;
        }
        labels.push(l);
    }
    labels
}

pub use crate::sync::replicate::same_content;

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Sends what of `records` the server lacks; returns how many were sent.
fn send(m: &Member, records: &[Record]) -> Result<usize, String> {
    let offered: BTreeMap<&str, Vec<Rev>> = records
        .iter()
        .map(|(id, body)| (id.as_str(), vec![Rev::next(None, body)]))
        .collect();
    let diff = m
        .server
        .send("POST", &format!("{}/_revs_diff", m.db), &json!(offered))?;
    if diff.status != 200 {
        return Err(m
            .server
            .refused(&format!("comparing with the project {}", m.project), &diff));
    }
    let missing: Vec<&Record> = records
        .iter()
        .filter(|(id, _)| diff.body.get(id).is_some())
        .collect();
    if missing.is_empty() {
        return Ok(0);
    }
    let keys: Vec<&str> = missing.iter().map(|(id, _)| id.as_str()).collect();
    let there = m.server.send(
        "POST",
        &format!("{}/_all_docs?include_docs=true", m.db),
        &json!({ "keys": keys }),
    )?;
    if there.status != 200 {
        return Err(m
            .server
            .refused(&format!("reading the project {}", m.project), &there));
    }
    let existing: BTreeMap<&str, &Value> = there.body["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r["id"].as_str()?, r)))
        .filter(|(_, r)| r["value"]["rev"].is_string())
        .collect();
    let mut docs = Vec::new();
    let mut edits = Vec::new();
    for (id, body) in missing {
        let row = existing.get(id.as_str());
        let parent: Option<Rev> = row.and_then(|r| r["value"]["rev"].as_str()?.parse().ok());
        let deleted = row.is_some_and(|r| r["value"]["deleted"] == json!(true));
        let parent = parent.filter(|_| !deleted);
        if !deleted && row.is_some_and(|r| same_content(&r["doc"], body)) {
            continue;
        }
        match parent {
            None => {
                let rev = Rev::next(None, body);
                let mut tree = RevTree::new();
                tree.add(&rev, None, false);
                docs.push(outgoing(id, &rev, body, &tree, 1000));
            }
            Some(p) => {
                // An ordinary edit on the server's revision: the embedded
                // engine drops a replicated (`new_edits: false`) revision
                // on top of an existing one (see `edits_request`).
                let mut body = body.clone();
                if id.starts_with("ann:") {
                    body["updated"] = json!(now_ms());
                }
                body["_rev"] = json!(p);
                edits.push(body);
            }
        }
    }
    let sent = docs.len() + edits.len();
    if !docs.is_empty() {
        let answer = m.server.send(
            "POST",
            &format!("{}/_bulk_docs", m.db),
            &bulk_docs_request(docs),
        )?;
        check_bulk(m, &answer)?;
    }
    if !edits.is_empty() {
        let answer = m.server.send(
            "POST",
            &format!("{}/_bulk_docs", m.db),
            &json!({ "docs": edits }),
        )?;
        check_bulk(m, &answer)?;
    }
    Ok(sent)
}

/// Pre-annotates every document, as `annotate` does, when none has a span.
fn suggest(project: &mut Project) -> bool {
    if project.documents.iter().any(|d| !d.spans.is_empty()) {
        return false;
    }
    let rec = crate::cli::annotate::recognizer_with(crate::model::Model::shipped());
    for d in &mut project.documents {
        let map = crate::text::OffsetMap::new(&d.text);
        d.spans = rec.spans(&d.text, &map);
        debug_assert!(d.spans.iter().all(|s| s.source != Source::User));
    }
    project.add_missing_labels();
    true
}

pub fn run(args: Args) -> CliResult {
    let from = args
        .format
        .as_deref()
        .map(|f| parse_format(f, "--format"))
        .transpose()?;
    // The file first: a bad file is said before anything is sent.
    let (imported, _) = read_input(&args.file, from)?;
    for w in &imported.warnings {
        eprintln!("spanmark: warning: {}: {w}", args.file);
    }
    let mut project = imported.project;
    project.add_missing_labels();
    let annotator = match &args.annotator {
        Some(a) if a == "curated" => a.clone(),
        Some(a) => {
            super::names::check_user(a)?;
            a.clone()
        }
        None => String::new(),
    };
    let m = Member::connect(&args.connection)?;
    let annotator = if annotator.is_empty() {
        m.name.clone()
    } else {
        annotator
    };
    if !args.no_suggestions && suggest(&mut project) {
        eprintln!("spanmark: the file has no spans: pre-annotated it (suggestions to review)");
    }

    let labels = m.server.send_empty("GET", &format!("{}/labels", m.db))?;
    let server_labels = (labels.status == 200).then_some(&labels.body);
    let joined = joined_labels(server_labels, &project.labels);
    let mut sent = 0;
    if m.is_curator() {
        let labels_record = (
            "labels".to_string(),
            json!({"_id": "labels", "type": "labels", "labels": joined}),
        );
        sent += send(&m, &[labels_record])?;
    } else {
        // Only curators write the label set: an annotator's new labels are
        // said, and her spans keep them.
        let known = server_labels.map_or(0, |v| v["labels"].as_array().map_or(0, Vec::len));
        let new: Vec<&str> = joined[known..].iter().map(|l| l.name.as_str()).collect();
        if !new.is_empty() {
            eprintln!(
                "spanmark: warning: the project {} has no label {} (a curator adds labels)",
                m.project,
                new.join(", ")
            );
        }
    }
    let total = project.documents.len();
    let mut done = 0;
    for chunk in project.documents.chunks(args.chunk as usize) {
        let records: Vec<Record> = chunk
            .iter()
            .flat_map(|d| [document_record(d), annotation_record(d, &annotator)])
            .collect();
        sent += send(&m, &records)?;
        done += chunk.len();
        eprintln!("spanmark: pushed {done}/{total} document(s)");
    }
    println!(
        "pushed {total} document(s) of {} to the project {} on {} as the record of {annotator}: {sent} record(s) sent, the rest already there",
        args.file,
        m.project,
        m.server.base()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Document, Span, Status};
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn push_takes_the_connection_and_who_the_spans_belong_to() {
        let a = Cli::try_parse_from([
            "t",
            "f.jsonl",
            "--server",
            "http://x",
            "--project",
            "news",
            "--as",
            "curated",
            "--chunk",
            "2",
        ])
        .unwrap()
        .args;
        assert_eq!(a.annotator.as_deref(), Some("curated"));
        assert_eq!(a.chunk, 2);
        assert_eq!(a.connection.project, "news");
        assert!(Cli::try_parse_from(["t", "f", "--server", "http://x"]).is_err());
        assert!(Cli::try_parse_from([
            "t",
            "f",
            "--server",
            "http://x",
            "--project",
            "p",
            "--chunk",
            "0"
        ])
        .is_err());
    }

    #[test]
    fn the_same_document_makes_the_same_revisions() {
        let mut d = Document::new("d1", "Ana met Bob.");
        d.spans = vec![Span::new(0, 3, "PER")];
        d.status = Status::Done;
        let (id, body) = annotation_record(&d, "ana");
        assert_eq!(id, "ann:d1:ana");
        assert_eq!(body["status"], "done");
        assert_eq!(body["spans"][0]["label"], "PER");
        assert_eq!(
            Rev::next(None, &body),
            Rev::next(None, &annotation_record(&d.clone(), "ana").1)
        );
        let (id, doc) = document_record(&d);
        assert_eq!(id, "doc:d1");
        assert_eq!(doc["text"], "Ana met Bob.");
        assert!(
            doc.get("spans").is_none(),
            "spans live in records, not documents"
        );
    }

    #[test]
    fn an_edit_time_alone_is_not_new_content() {
        let d = Document::new("d1", "x");
        let (_, a) = annotation_record(&d, "ana");
        let mut b = a.clone();
        b["updated"] = json!(5);
        b["_rev"] = json!("1-abc");
        assert!(same_content(&a, &b));
        b["status"] = json!("done");
        assert!(!same_content(&a, &b));
    }

    #[test]
    fn the_file_adds_labels_and_keeps_the_projects() {
        let server = json!({"labels": [{"name": "PER", "color": "#111111", "key": "1"}]});
        let file = LabelSet::from_labels(vec![
            Label {
                name: "PER".into(),
                color: "#222222".into(),
                key: None,
            },
            Label {
                name: "LOC".into(),
                color: "#333333".into(),
                key: Some("1".into()),
            },
        ]);
        let joined = joined_labels(Some(&server), &file);
        assert_eq!(joined.len(), 2);
        assert_eq!(joined[0].color, "#111111");
        assert_eq!(joined[1].name, "LOC");
        assert_eq!(
            joined[1].key, None,
            "a key the project uses is not taken twice"
        );
    }
}
