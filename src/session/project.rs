//! What the page does to the whole project rather than the open document:
//! importing files, carrying a label change into every stored record,
//! labelling a string in another document, finding inconsistencies,
//! exporting. Each takes and gives stored records ([`Record`]), never the
//! page's own objects.

use super::{Error, Record, Result, Session};
use crate::doc::Document;
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

/// An export written a stored document at a time (the page's download:
/// a Blob of the pieces, built in a worker with a progress bar). A stored
/// document that cannot be read (a meta nested too deep, a record that does
/// not decode, a text that is not Unicode) is left out and named with the
/// reason; the rest is written. A document the format cannot hold (e.g.
/// overlapping spans in CoNLL) fails the export, as a whole export would.
pub struct ExportStream {
    writer: formats::Writer,
    format: Format,
    options: formats::Options,
    skipped: Vec<(String, String)>,
}

impl ExportStream {
    pub fn new(format: &str, options: &ExportOptions) -> Result<ExportStream> {
        let format = format_named(format)?;
        let options = options.parse()?;
        let writer =
            formats::Writer::new(format, options.clone()).map_err(|e| Error(e.to_string()))?;
        Ok(ExportStream {
            writer,
            format,
            options,
            skipped: Vec::new(),
        })
    }

    /// The file's opening.
    pub fn head(&self, labels: Vec<Label>) -> Result<Vec<u8>> {
        self.writer
            .head(&LabelSet::from_labels(labels))
            .map_err(|e| Error(e.to_string()))
    }

    /// A stored document's piece, with its record's spans; `None` when it
    /// cannot be read (it is then in [`ExportStream::skipped`]).
    pub fn document(&mut self, doc: Document, record: Option<&Record>) -> Result<Option<Vec<u8>>> {
        let id = doc.id.clone();
        // A span that does not fit its text is a damaged record too, not
        // something the format cannot hold.
        let joined = doc
            .check_meta()
            .map_err(Error)
            .and_then(|()| joined(doc, record))
            .and_then(|d| d.validate().map(|()| d).map_err(|e| Error(e.to_string())));
        match joined {
            Ok(d) => self
                .writer
                .document(&d)
                .map(Some)
                .map_err(|e| Error(e.to_string())),
            Err(e) => {
                self.skip(id, e.0);
                Ok(None)
            }
        }
    }

    /// Leaves a stored document out, saying why.
    pub fn skip(&mut self, id: String, reason: String) {
        self.skipped.push((id, reason));
    }

    /// The documents left out, each with the reason.
    pub fn skipped(&self) -> &[(String, String)] {
        &self.skipped
    }

    /// The file's end.
    pub fn finish(&mut self) -> Result<Vec<u8>> {
        self.writer.finish().map_err(|e| Error(e.to_string()))
    }

    pub fn extension(&self) -> &'static str {
        self.format.extension(&self.options)
    }

    pub fn media_type(&self) -> &'static str {
        self.format.media_type(&self.options)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Project, Span};

    fn doc(id: &str, text: &str) -> Document {
        Document::new(id, text)
    }

    fn record(d: &Document, spans: &[Span]) -> Record {
        Record::imported(&d.id, spans)
    }

    #[test]
    fn a_damaged_document_is_left_out_with_its_reason_and_the_rest_exported() {
        let good = doc("good", "Ana Lima flew to Lisbon.");
        let good_spans = [Span::new(0, 8, "PER"), Span::new(17, 23, "LOC")];
        let mut deep = doc("deep", "Bo went home.");
        let mut meta = serde_json::json!(1);
        for _ in 0..40 {
            meta = serde_json::json!([meta]);
        }
        deep.meta = meta;
        let past = doc("past", "Short.");
        let past_spans = [Span::new(0, 60, "PER")];
        let last = doc("last", "Cy met Di.");
        for format in ["json", "conll", "labelstudio", "brat", "spacy"] {
            let mut stream = ExportStream::new(format, &ExportOptions::default()).unwrap();
            let mut set = LabelSet::empty();
            set.ensure("PER");
            set.ensure("LOC");
            let labels: Vec<Label> = set.iter().cloned().collect();
            let mut out = stream.head(labels.clone()).unwrap();
            for (d, r) in [
                (good.clone(), Some(record(&good, &good_spans))),
                (deep.clone(), None),
                (past.clone(), Some(record(&past, &past_spans))),
                (last.clone(), None),
            ] {
                if let Some(piece) = stream.document(d, r.as_ref()).unwrap() {
                    out.extend(piece);
                }
            }
            out.extend(stream.finish().unwrap());
            let reasons: Vec<&str> = stream.skipped().iter().map(|(id, _)| id.as_str()).collect();
            assert_eq!(reasons, ["deep", "past"], "{format}");
            assert!(
                stream.skipped()[0].1.contains("nested"),
                "{:?}",
                stream.skipped()
            );
            assert!(
                stream.skipped()[1].1.contains("past the end"),
                "{:?}",
                stream.skipped()
            );
            let mut with_spans = good.clone();
            with_spans.spans = good_spans.to_vec();
            let rest = Project {
                labels: LabelSet::from_labels(labels),
                documents: vec![with_spans, last.clone()],
            };
            let whole = formats::export_as(
                format_named(format).unwrap(),
                &rest,
                &ExportOptions::default().parse().unwrap(),
            )
            .unwrap();
            assert_eq!(out, whole, "{format}");
        }
    }

    #[test]
    fn a_span_the_format_cannot_hold_fails_the_export() {
        let d = doc("d", "Ana Lima flew.");
        let r = record(&d, &[Span::new(0, 8, "PER"), Span::new(4, 13, "LOC")]);
        let mut stream = ExportStream::new("conll", &ExportOptions::default()).unwrap();
        let e = stream.document(d, Some(&r)).unwrap_err();
        assert!(e.0.contains("overlap"), "{e:?}");
    }
}
