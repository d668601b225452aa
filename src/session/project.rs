//! What the page does to the whole project rather than the open document:
//! importing files, carrying a label change into every stored record,
//! labelling a string in another document, finding inconsistencies,
//! exporting. Each takes and gives stored records ([`Record`]), never the
//! page's own objects.

use super::{Error, Record, Result, Session};
use crate::doc::{Document, Project};
use crate::edit::LogEntry;
use crate::formats::{self, Format};
use crate::labels::{Label, LabelSet};
use crate::text::OffsetUnit;

/// What the page stores for an import: the project's new label set, the
/// new documents (spans left out: they are in `records`) and a record for
/// each document that came with spans.
#[derive(Debug)]
pub struct Import {
    pub labels: LabelSet,
    pub documents: Vec<Document>,
    pub records: Vec<Record>,
    pub warnings: Vec<String>,
}

/// A file in any supported format (detected by name and content) as new
/// documents of a project with `labels` and the document ids `taken`. A bad
/// file is an error naming the file; nothing is returned to store.
pub fn import_file(
    name: &str,
    content: &[u8],
    taken: &[String],
    labels: LabelSet,
) -> Result<Import> {
    let imported =
        formats::import_detected(name, content).map_err(|e| Error(format!("{name}: {e}")))?;
    check(&imported).map_err(|e| Error(format!("{name}: {e}")))?;
    Ok(merge(imported, taken, labels))
}

/// Files picked together read as one project (brat's `.txt` + `.ann`
/// pairs; see [`formats::brat_parts`]).
pub fn import_brat(files: &[formats::File], taken: &[String], labels: LabelSet) -> Result<Import> {
    let imported = formats::import_files(Format::Brat, files).map_err(|e| Error(e.to_string()))?;
    check(&imported)?;
    Ok(merge(imported, taken, labels))
}

/// Refuses a file whose documents cannot stand in a project: a meta nested
/// too deep, a label name too long.
fn check(imported: &formats::Imported) -> Result<()> {
    let p = &imported.project;
    for l in p.labels.iter() {
        crate::labels::check_name(&l.name)?;
    }
    for d in &p.documents {
        d.check_meta()?;
        for s in &d.spans {
            crate::labels::check_name(&s.label)?;
        }
    }
    Ok(())
}

fn merge(imported: formats::Imported, taken: &[String], labels: LabelSet) -> Import {
    let formats::Imported {
        mut project,
        warnings,
    } = imported;
    project.merge_into(taken, labels);
    let mut records = Vec::new();
    for d in &mut project.documents {
        if !d.spans.is_empty() {
            records.push(Record::imported(&d.id, &d.spans));
        }
        d.spans.clear();
    }
    Import {
        labels: project.labels,
        documents: project.documents,
        records,
        warnings,
    }
}

/// A stored record with label `from` renamed to `to` (`None`: its spans
/// deleted), and how many spans that touched; `None` when nothing changed
/// (neither the spans nor the history), so that nothing need be stored.
pub fn relabel(record: &Record, from: &str, to: Option<&str>) -> Result<Option<(Record, usize)>> {
    let mut spans = record.spans()?;
    let mut history = record.history.clone();
    let count = match to {
        Some(to) => crate::relabel::rename(&mut spans, &mut history, from, to.trim()),
        None => crate::relabel::remove(&mut spans, &mut history, from),
    };
    if count == 0 && history == record.history {
        return Ok(None);
    }
    Ok(Some((record.with(&spans, history), count)))
}

/// How to export: every field optional.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExportOptions {
    pub offsets: Option<String>,
    pub scheme: Option<String>,
    pub only_done: bool,
    pub binary: bool,
}

impl ExportOptions {
    fn parse(&self) -> Result<formats::Options> {
        let mut out = formats::Options {
            only_done: self.only_done,
            spacy_binary: self.binary,
            ..Default::default()
        };
        if let Some(u) = &self.offsets {
            out.offsets =
                OffsetUnit::parse(u).ok_or_else(|| Error(format!("unknown offset unit {u:?}")))?;
        }
        if let Some(s) = &self.scheme {
            out.scheme = formats::Scheme::parse(s)
                .ok_or_else(|| Error(format!("unknown tagging scheme {s:?}")))?;
        }
        Ok(out)
    }
}

pub fn format_named(name: &str) -> Result<Format> {
    Format::from_name(name).ok_or_else(|| {
        Error(format!(
            "unknown format {name:?} (one of {})",
            Format::names().join(", ")
        ))
    })
}

/// An export of the project, as a file: its bytes, name ending and media
/// type.
pub struct Exported {
    pub bytes: Vec<u8>,
    pub extension: &'static str,
    pub media_type: &'static str,
}

/// Writes the project (its label set, its documents with their spans) in
/// a format.
pub fn export(
    format: &str,
    labels: Vec<Label>,
    documents: Vec<Document>,
    options: &ExportOptions,
) -> Result<Exported> {
    let format = format_named(format)?;
    let options = options.parse()?;
    let mut project = Project {
        labels: LabelSet::from_labels(labels),
        documents,
    };
    project.add_missing_labels();
    let bytes = formats::export_as(format, &project, &options).map_err(|e| Error(e.to_string()))?;
    Ok(Exported {
        bytes,
        extension: format.extension(&options),
        media_type: format.media_type(&options),
    })
}

/// A stored document with its spans from its record (none without one).
pub fn joined(mut doc: Document, record: Option<&Record>) -> Result<Document> {
    doc.spans = match record {
        Some(r) => r.spans()?,
        None => Vec::new(),
    };
    Ok(doc)
}

impl Session {
    /// Labels every occurrence of `text` with `label` in another stored
    /// document (its record and log since, or none: then it is
    /// pre-annotated first unless long), as one undoable change there.
    /// Returns how many spans that added and the record to store (`None`
    /// when it added nothing).
    pub fn label_text_in(
        &self,
        doc: Document,
        record: Option<Record>,
        log: &[super::Logged],
        text: &str,
        label: &str,
    ) -> Result<(usize, Option<Record>)> {
        let long = super::is_long(&doc.text);
        let (preannotated, rules) = match &record {
            Some(r) => (r.preannotated, r.rules.clone()),
            None => (!long, self.rules_version()),
        };
        let rev = record.as_ref().map_or(0, |r| r.rev);
        let mut editor = self.editor_for(doc, record.as_ref())?;
        let entries: Vec<LogEntry> = log.iter().map(|l| l.entry.clone()).collect();
        editor.replay(&entries);
        let done = crate::occurrences::label_text(&mut editor, text, label)?;
        if done.count == 0 {
            return Ok((0, None));
        }
        Ok((
            done.count,
            Some(
                Record::new(
                    &editor.doc.id,
                    &editor.doc.spans,
                    editor.history,
                    preannotated,
                    rules,
                )
                .folding(rev, log.iter().map(|l| l.seq).collect()),
            ),
        ))
    }
}
