//! Exports written a document at a time: [`Writer`] gives a file's opening,
//! then each document's piece, then its end, so that a project of any size
//! is written in pieces (the page's download is a Blob of them; no piece
//! is larger than one document's) and each document costs the same however
//! many came before it. [`super::export_as`] writes a whole project through
//! it, so the two never differ.

use super::{brat, conll, doccano, json, jsonl, labelstudio, prodigy, spacy, tar, util};
use super::{Format, FormatError, Holds, Options};
use crate::doc::{Document, Status};
use crate::edit::Overlap;
use crate::labels::LabelSet;
use crate::relations::RelationLabels;

/// One export in progress.
#[derive(Debug)]
pub struct Writer {
    format: Format,
    options: Options,
    /// Documents written so far (those left out by `only_done` not counted).
    written: usize,
    /// Suggestions left out by `accepted_only`, and written.
    left_out: usize,
    suggestions: usize,
    brat: brat::Names,
    docbin: spacy::DocBin,
    /// What the format could not say, counted over the documents written.
    lost: Lost,
    /// The project's relation and document labels ([`Writer::set_labels`]).
    relation_labels: RelationLabels,
    doc_labels: Vec<String>,
}

/// Counts of what a format left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Lost {
    /// Spans inside or across another (only the outermost were written).
    inner_spans: usize,
    relations: usize,
    doc_labels: usize,
    notes: usize,
}

impl Writer {
    /// An export of a project with these options; an option the format
    /// cannot honour is refused here, before anything is written.
    pub fn new(format: Format, options: Options) -> Result<Writer, FormatError> {
        match format {
            Format::Brat => util::codepoints_only(&options, "brat")?,
            Format::Spacy if !options.spacy_binary => {
                util::codepoints_only(&options, "spaCy training JSON")?
            }
            _ => {}
        }
        Ok(Writer {
            format,
            options,
            written: 0,
            left_out: 0,
            suggestions: 0,
            brat: brat::Names::default(),
            docbin: spacy::DocBin::default(),
            lost: Lost::default(),
            relation_labels: RelationLabels::default(),
            doc_labels: Vec::new(),
        })
    }

    /// The project's relation and document labels, for the formats that
    /// write them besides a document's own: Prodigy's choice `options` and
    /// spaCy's `cats` (0.0 for each label the document lacks) list every
    /// document label, Label Studio writes an undirected relation as `bi`,
    /// doccano writes a project with relation labels in its relation shape.
    pub fn set_labels(&mut self, labels: &LabelSet) {
        self.relation_labels = labels.relations.clone();
        self.doc_labels = labels.doc_labels.names.clone();
    }

    fn docbin(&self) -> bool {
        self.format == Format::Spacy && self.options.spacy_binary
    }

    /// The file's opening (the native format's header names the labels
    /// and the project's overlap setting).
    pub fn head(&self, labels: &LabelSet, overlap: Overlap) -> Result<Vec<u8>, FormatError> {
        if self.format == Format::Brat {
            self.brat.relation_labels(&labels.relations);
        }
        Ok(match self.format {
            Format::Json => json::head(labels, overlap, self.options.offsets)?.into_bytes(),
            Format::LabelStudio => b"[".to_vec(),
            Format::Spacy if !self.docbin() => b"[".to_vec(),
            _ => Vec::new(),
        })
    }

    /// A document's piece of the file (empty when `only_done` leaves it
    /// out, and for a DocBin, which is packed whole at the end). An error
    /// names the document and the span, as a whole export's would.
    pub fn document(&mut self, d: &Document) -> Result<Vec<u8>, FormatError> {
        if self.options.only_done && d.status != Status::Done {
            return Ok(Vec::new());
        }
        let owned;
        let d = if self.options.accepted_only && d.spans.iter().any(|s| s.source.is_suggestion()) {
            let mut kept = d.clone();
            kept.spans.retain(|s| !s.source.is_suggestion());
            self.left_out += d.spans.len() - kept.spans.len();
            owned = kept;
            &owned
        } else {
            d
        };
        let fitted;
        let d = match fit(d, self.format.holds(), &mut self.lost) {
            Some(f) => {
                fitted = f;
                &fitted
            }
            None => d,
        };
        self.suggestions += d.spans.iter().filter(|s| s.source.is_suggestion()).count();
        let first = self.written == 0;
        // Elements of a JSON list after the first follow a comma.
        let sep = if first { "\n" } else { ",\n" };
        let out = match self.format {
            Format::Json => {
                let doc = json::write_doc(d, self.options.offsets)?;
                format!("{sep}{}", indent(&doc, "    ")).into_bytes()
            }
            Format::LabelStudio => {
                let task =
                    labelstudio::write_task(d, self.written, &self.options, &self.relation_labels)?;
                let task = serde_json::to_string_pretty(&task)
                    .map_err(|e| FormatError::new(e.to_string()))?;
                format!("{sep}{}", indent(&task, "  ")).into_bytes()
            }
            Format::Spacy if self.docbin() => {
                self.docbin.add(d, &self.doc_labels)?;
                Vec::new()
            }
            Format::Spacy => {
                format!("{sep}{}", spacy::json_item(d, &self.doc_labels)?).into_bytes()
            }
            Format::Jsonl => jsonl::write_doc(d, &self.options)?.into_bytes(),
            Format::Doccano => {
                let relation_shape = !self.relation_labels.0.is_empty();
                doccano::write_doc(d, &self.options, relation_shape)?.into_bytes()
            }
            Format::Prodigy => prodigy::write_doc(d, &self.options, &self.doc_labels)?.into_bytes(),
            Format::Conll => conll::write_doc(d, &self.options)?.into_bytes(),
            Format::Brat => {
                let [txt, ann] = self.brat.pair(d)?;
                let mut out = tar::entry(&txt);
                out.extend(tar::entry(&ann));
                out
            }
        };
        self.written += 1;
        Ok(out)
    }

    /// How many documents were written so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// How many suggestions `accepted_only` left out so far.
    pub fn left_out(&self) -> usize {
        self.left_out
    }

    /// How many suggestions were written so far.
    pub fn suggestions(&self) -> usize {
        self.suggestions
    }

    /// What the format could not say, one sentence per kind ("CoNLL
    /// cannot hold relations: 12 left out"), for the person exporting.
    pub fn warnings(&self) -> Vec<String> {
        let title = self.format.title();
        let Lost {
            inner_spans,
            relations,
            doc_labels,
            notes,
        } = self.lost;
        [
            (
                inner_spans,
                "spans inside or across another (the outermost were written)",
            ),
            (relations, "relations"),
            (doc_labels, "document labels"),
            (notes, "notes"),
        ]
        .into_iter()
        .filter(|&(n, _)| n > 0)
        .map(|(n, what)| format!("{title} cannot hold {what}: {n} left out"))
        .collect()
    }

    /// The file's end (a DocBin: the whole file).
    pub fn finish(&mut self) -> Result<Vec<u8>, FormatError> {
        let empty = self.written == 0;
        Ok(match self.format {
            Format::Json if empty => b"]\n}\n".to_vec(),
            Format::Json => b"\n  ]\n}\n".to_vec(),
            Format::Spacy if self.docbin() => std::mem::take(&mut self.docbin).finish()?,
            Format::LabelStudio | Format::Spacy if empty => b"]\n".to_vec(),
            Format::LabelStudio | Format::Spacy => b"\n]\n".to_vec(),
            Format::Brat => {
                let mut out = tar::entry(&self.brat.conf());
                out.extend(tar::end());
                out
            }
            _ => Vec::new(),
        })
    }
}

/// Pretty JSON moved right by `by` (as an element inside a pretty list).
/// A JSON string never holds a raw line break, so every one is between
/// values.
fn indent(pretty: &str, by: &str) -> String {
    let mut out = String::with_capacity(pretty.len() + pretty.len() / 8);
    out.push_str(by);
    for (i, line) in pretty.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(by);
        }
        out.push_str(line);
    }
    out
}

/// The document cut to what a format holds (`None`: it holds all of it),
/// counting what was cut.
fn fit(d: &Document, holds: Holds, lost: &mut Lost) -> Option<Document> {
    let crossed = !holds.overlap && {
        let mut order: Vec<(usize, usize)> = d.spans.iter().map(|s| (s.start, s.end)).collect();
        order.sort_unstable();
        order.windows(2).any(|w| w[1].0 < w[0].1)
    };
    let cut_relations = !holds.relations && !d.relations.is_empty();
    let cut_labels = !holds.doc_labels && !d.doc_labels.is_empty();
    let cut_doc_note = !holds.doc_note && d.note.is_some();
    let cut_span_notes = !holds.span_notes && d.spans.iter().any(|s| s.note.is_some());
    if !(crossed || cut_relations || cut_labels || cut_doc_note || cut_span_notes) {
        return None;
    }
    let mut out = d.clone();
    if crossed {
        // In text order (start, then the longer first) the outermost of a
        // nest comes before what it holds.
        out.sort_spans();
        let mut kept: Vec<crate::doc::Span> = Vec::with_capacity(out.spans.len());
        for s in std::mem::take(&mut out.spans) {
            match kept.last() {
                Some(k) if s.start < k.end => lost.inner_spans += 1,
                _ => kept.push(s),
            }
        }
        out.spans = kept;
        let ids: std::collections::HashSet<&str> =
            out.spans.iter().filter_map(|s| s.id.as_deref()).collect();
        let before = out.relations.len();
        let relations = std::mem::take(&mut out.relations);
        out.relations = relations
            .into_iter()
            .filter(|r| ids.contains(r.from.as_str()) && ids.contains(r.to.as_str()))
            .collect();
        // Counted whether or not the format holds relations: a relation
        // that lost a span is lost either way.
        lost.relations += before - out.relations.len();
    }
    if !holds.relations {
        lost.relations += out.relations.len();
        out.relations.clear();
    }
    if cut_labels {
        lost.doc_labels += out.doc_labels.len();
        out.doc_labels.clear();
    }
    if cut_doc_note {
        lost.notes += 1;
        out.note = None;
    }
    if cut_span_notes {
        for s in &mut out.spans {
            lost.notes += usize::from(s.note.take().is_some());
        }
    }
    Some(out)
}
