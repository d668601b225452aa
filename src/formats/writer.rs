//! Exports written a document at a time: [`Writer`] gives a file's opening,
//! then each document's piece, then its end, so that a project of any size
//! is written in pieces (the page's download is a Blob of them; no piece
//! is larger than one document's) and each document costs the same however
//! many came before it. [`super::export_as`] writes a whole project through
//! it, so the two never differ.

use super::{brat, conll, doccano, json, jsonl, labelstudio, prodigy, spacy, tar, util};
use super::{Format, FormatError, Options};
use crate::doc::{Document, Status};
use crate::labels::LabelSet;

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
        })
    }

    fn docbin(&self) -> bool {
        self.format == Format::Spacy && self.options.spacy_binary
    }

    /// The file's opening (the native format's header names the labels).
    pub fn head(&self, labels: &LabelSet) -> Result<Vec<u8>, FormatError> {
        Ok(match self.format {
            Format::Json => json::head(labels, self.options.offsets)?.into_bytes(),
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
                let task = labelstudio::write_task(d, self.written, &self.options)?;
                let task = serde_json::to_string_pretty(&task)
                    .map_err(|e| FormatError::new(e.to_string()))?;
                format!("{sep}{}", indent(&task, "  ")).into_bytes()
            }
            Format::Spacy if self.docbin() => {
                self.docbin.add(d)?;
                Vec::new()
            }
            Format::Spacy => format!("{sep}{}", spacy::json_item(d)?).into_bytes(),
            Format::Jsonl => jsonl::write_doc(d, &self.options)?.into_bytes(),
            Format::Doccano => doccano::write_doc(d, &self.options)?.into_bytes(),
            Format::Prodigy => prodigy::write_doc(d, &self.options)?.into_bytes(),
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
