//! `spanmark team pull --server URL --project NAME OUT [--annotator
//! NAME|curated] [--to FORMAT] [--resolve]`: a team project to a file, with
//! one annotator's (accepted) spans or the curated ones, in any format
//! `convert` writes, documents in the order of their ids.

use super::member::{read_project, Connection, Member, Read};
use crate::cli::convert::{parse_format, write_project};
use crate::cli::CliResult;
use crate::doc::{Document, Project, Source, Status};
use crate::formats::{Options, Scheme};
use crate::labels::{Label, LabelSet};
use crate::text::OffsetUnit;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub connection: Connection,
    /// Output: a file, a folder (brat), or "-" for stdout
    pub output: String,
    /// Whose spans: an annotator's name, or `curated`. Default: who signs in
    #[arg(long)]
    pub annotator: Option<String>,
    /// Output format (else from OUT's name, as `convert`)
    #[arg(long)]
    pub to: Option<String>,
    /// Write the merge of a record's conflicting revisions to the server
    #[arg(long)]
    pub resolve: bool,
    /// Documents per `_all_docs` page
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub page: u64,
}

/// The project as `annotator` sees it: every document, with her accepted
/// spans and status (none and todo where she has no record).
pub fn project_of(read: &Read, annotator: &str) -> Project {
    let labels: Vec<Label> = read
        .labels
        .as_ref()
        .and_then(|v| serde_json::from_value(v["labels"].clone()).ok())
        .unwrap_or_default();
    let mut project = Project {
        labels: LabelSet::from_labels(labels),
        documents: Vec::new(),
        ..Default::default()
    };
    for (id, doc) in &read.documents {
        let mut d = Document::new(id.clone(), doc["text"].as_str().unwrap_or(""));
        if doc["meta"].is_object() {
            d.meta = doc["meta"].clone();
        }
        if let Some(r) = read
            .records
            .iter()
            .find(|r| r.doc_id == *id && r.annotator == annotator)
        {
            d.status = r.status;
            d.spans = r
                .spans
                .iter()
                .filter(|s| s.source == Source::User)
                .cloned()
                .collect();
        } else {
            d.status = Status::Todo;
        }
        project.documents.push(d);
    }
    project.add_missing_labels();
    project
}

pub fn run(args: Args) -> CliResult {
    let to = args
        .to
        .as_deref()
        .map(|f| parse_format(f, "--to"))
        .transpose()?;
    let m = Member::connect(&args.connection)?;
    let annotator = args.annotator.clone().unwrap_or_else(|| m.name.clone());
    let read = read_project(&m, args.page as usize, args.resolve)?;
    if annotator != "curated" && !read.records.iter().any(|r| r.annotator == annotator) {
        eprintln!(
            "spanmark: warning: {annotator} has no record in the project {}: the documents are written without spans",
            m.project
        );
    }
    let project = project_of(&read, &annotator);
    let options = Options {
        offsets: OffsetUnit::Codepoint,
        scheme: Scheme::Iob2,
        only_done: false,
        spacy_binary: false,
        accepted_only: true,
    };
    let format = write_project(&project, &args.output, to, options)?;
    eprintln!(
        "spanmark: pulled {} document(s) of the project {} with the spans of {annotator} as {format}: {}",
        project.documents.len(),
        m.project,
        if args.output == "-" { "<stdout>" } else { &args.output }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Span;
    use crate::sync::Annotations;
    use clap::Parser;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn pull_takes_the_output_and_whose_spans() {
        let a = Cli::try_parse_from([
            "t",
            "--server",
            "http://x",
            "--project",
            "news",
            "out.conll",
            "--annotator",
            "curated",
        ])
        .unwrap()
        .args;
        assert_eq!(a.output, "out.conll");
        assert_eq!(a.annotator.as_deref(), Some("curated"));
        assert!(!a.resolve);
    }

    #[test]
    fn an_annotators_accepted_spans_and_status_only() {
        let mut documents = BTreeMap::new();
        documents.insert("b".to_string(), json!({"text": "Rome", "meta": {"k": 1}}));
        documents.insert("a".to_string(), json!({"text": "Ana", "meta": {}}));
        let spans = vec![
            Span::new(0, 3, "PER"),
            Span::new(0, 3, "ORG").with_source(Source::Model),
        ];
        let history = crate::edit::History::default();
        let records = vec![
            Annotations::new("a", "ana", Status::Done, &spans, &history, 1),
            Annotations::new(
                "a",
                "ben",
                Status::Done,
                &[Span::new(0, 3, "LOC")],
                &history,
                1,
            ),
        ];
        let read = Read {
            documents,
            labels: None,
            records,
            assignments: Default::default(),
            revs: Default::default(),
        };
        let p = project_of(&read, "ana");
        let ids: Vec<&str> = p.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(p.documents[0].spans, vec![Span::new(0, 3, "PER")]);
        assert_eq!(p.documents[0].status, Status::Done);
        assert!(p.documents[1].spans.is_empty());
        assert_eq!(p.documents[1].meta, json!({"k": 1}));
        assert!(p.labels.get("PER").is_some());
    }
}
