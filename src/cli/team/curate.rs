//! `spanmark team curate --server URL --project NAME [--take-agreed]
//! [DOC...]`: what is left to settle in each document ([`crate::curation`]:
//! the spans some annotators made and others did not), and, with
//! `--take-agreed`, every span all of them agree on written into the
//! document's curated record at once (never over a span the curated record
//! already holds on that text). The rest is settled in the page.

use super::member::{read_project, Connection, Member};
use crate::cli::CliResult;
use crate::curation::{curate, disagreements, take_agreed, Answer, Disagreement, CURATED};
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
            ..Default::default()
        },
    });
    history.undone.clear();
    let status = before.map_or(Status::Todo, |b| b.status);
    Annotations::new(doc_id, CURATED, status, spans, &history, now)
}

/// The curated spans after this run (what the stretches are read against).
fn take_agreed_spans(taking: bool, now: &[Span], agreed: &[Span]) -> Vec<Span> {
    if taking {
        take_agreed(now, agreed).0
    } else {
        now.to_vec()
    }
}

/// One stretch in a line: its text, then each version and who gave it
/// (`-` for nothing there), the one the curated record holds starred.
fn stretch(text: &str, d: &Disagreement) -> String {
    let quote = |s: usize, e: usize| text.chars().skip(s).take(e - s).collect::<String>();
    let versions: Vec<String> = d
        .versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let spans = if v.spans.is_empty() {
                "-".to_string()
            } else {
                v.spans
                    .iter()
                    .map(|s| format!("[{}] {}", quote(s.start, s.end), s.label))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let star = if d.matches == Some(i) { "*" } else { "" };
            format!("{star}{}: {spans}", v.annotators.join(", "))
        })
        .collect();
    format!(
        "{}-{} “{}”  {}",
        d.start,
        d.end,
        quote(d.start, d.end),
        versions.join(" | ")
    )
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
            let text = read.documents[doc_id]["text"].as_str().unwrap_or("");
            let curated_now = take_agreed_spans(args.take_agreed, &now_spans, &c.agreed);
            for d in disagreements(&answers, &curated_now) {
                println!("  {}", stretch(text, &d));
            }
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
    fn a_stretch_quotes_the_text_and_each_version() {
        let text = "Ana Lima met Kofi Mensah in Accra.";
        let d = Disagreement {
            start: 13,
            end: 24,
            versions: vec![
                crate::curation::Version {
                    annotators: vec!["ana".into(), "cy".into()],
                    spans: vec![Span::new(13, 24, "PER")],
                },
                crate::curation::Version {
                    annotators: vec!["ben".into()],
                    spans: vec![],
                },
            ],
            curated: vec![],
            matches: Some(1),
        };
        assert_eq!(
            stretch(text, &d),
            "13-24 “Kofi Mensah”  ana, cy: [Kofi Mensah] PER | *ben: -"
        );
    }

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
