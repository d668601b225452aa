//! `spanmark team curate --server URL --project NAME [--take-agreed]
//! [DOC...]`: what is left to settle in each document ([`crate::curation`]:
//! the spans some annotators made and others did not), and, with
//! `--take-agreed`, every span all of them agree on written into the
//! document's curated record at once (never over a span the curated record
//! already holds on that text). The rest is settled in the page.

use super::member::{read_project, Connection, Member};
use crate::cli::CliResult;
use crate::curation::{curate, take_agreed, Answer, CURATED};
use crate::doc::{Span, Status};
use crate::edit::{Change, Step};
use crate::sync::Annotations;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub connection: Connection,
    /// Write the spans every annotator agrees on into the curated records
    #[arg(long)]
    pub take_agreed: bool,
    /// Only these documents (ids; all when none)
    pub docs: Vec<String>,
    /// Documents per `_all_docs` page and per write
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub page: u64,
}

/// The curated record after taking `added` into `before` (or a new one),
/// the taking one step of its history, made at `now`.
fn curated_after(
    doc_id: &str,
    before: Option<&Annotations>,
    spans: &[Span],
    added: Vec<Span>,
    now: u64,
) -> Annotations {
    let mut history = before.map(Annotations::undo_history).unwrap_or_default();
    history.done.push(Step {
        tab: String::new(),
        at: now,
        change: Change {
            removed: Vec::new(),
            added,
        },
    });
    history.undone.clear();
    let status = before.map_or(Status::Todo, |b| b.status);
    Annotations::new(doc_id, CURATED, status, spans, &history, now)
}

pub fn run(args: Args) -> CliResult {
    let m = Member::connect(&args.connection)?;
    if args.take_agreed && !m.is_curator() {
        return Err(format!(
            "{}: only a curator writes the curated records ({} is not one)",
            m.project, m.name
        ));
    }
    let read = read_project(&m, args.page as usize, false)?;
    if let Some(unknown) = args.docs.iter().find(|d| !read.documents.contains_key(*d)) {
        return Err(format!(
            "the project {} has no document {unknown:?}",
            m.project
        ));
    }
    let mut by_doc: BTreeMap<&str, Vec<&Annotations>> = BTreeMap::new();
    for r in &read.records {
        by_doc.entry(&r.doc_id).or_default().push(r);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut writes: Vec<Value> = Vec::new();
    let (mut taken, mut left, mut unsettled) = (0, 0, 0);
    for doc_id in read.documents.keys() {
        if !args.docs.is_empty() && !args.docs.contains(doc_id) {
            continue;
        }
        let records = by_doc.get(doc_id.as_str()).cloned().unwrap_or_default();
        let curated = records.iter().find(|r| r.annotator == CURATED).copied();
        let answers: Vec<Answer> = records
            .iter()
            .filter(|r| r.annotator != CURATED)
            .map(|r| Answer {
                annotator: r.annotator.clone(),
                status: r.status,
                spans: r.spans.clone(),
            })
            .collect();
        if answers.is_empty() {
            continue;
        }
        let now_spans = curated.map(|c| c.spans.clone()).unwrap_or_default();
        let c = curate(&answers, &now_spans);
        if args.take_agreed {
            let (spans, added) = take_agreed(&now_spans, &c.agreed);
            if added > 0 {
                let new: Vec<Span> = spans
                    .iter()
                    .filter(|s| !now_spans.contains(s))
                    .cloned()
                    .collect();
                let record = curated_after(doc_id, curated, &spans, new, now);
                let mut body = record.body();
                if let Some(rev) = read.revs.get(&record.id()) {
                    body["_rev"] = json!(rev);
                }
                writes.push(body);
                taken += added;
            }
        }
        if c.differences > 0 {
            left += c.differences;
            unsettled += 1;
            println!(
                "{doc_id}: {} difference(s) among {}",
                c.differences,
                c.voters.join(", ")
            );
        }
    }
    m.write_all(&writes, args.page as usize)?;
    if args.take_agreed {
        println!(
            "took {taken} agreed span(s) into the curated records of {} document(s)",
            writes.len()
        );
    }
    println!("{left} difference(s) left to settle in {unsettled} document(s)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taking_is_one_undoable_step_on_top_of_the_curated_history() {
        let before = curated_after(
            "d",
            None,
            &[Span::new(0, 3, "PER")],
            vec![Span::new(0, 3, "PER")],
            5,
        );
        let spans = [Span::new(0, 3, "PER"), Span::new(9, 14, "LOC")];
        let after = curated_after("d", Some(&before), &spans, vec![Span::new(9, 14, "LOC")], 9);
        let h = after.undo_history();
        assert_eq!(h.done.len(), 2);
        assert_eq!(h.done[1].change.added, [Span::new(9, 14, "LOC")]);
        assert_eq!(h.done[1].at, 9);
        assert_eq!(after.annotator, "curated");
        assert_eq!(after.spans, spans);
        assert_eq!(after.updated, 9);
    }
}
