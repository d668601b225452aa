//! Exchange formats, one module each, and the dispatcher that the CLI and the
//! page call with a file's name and content.
//!
//! | name          | module          | file                         | offsets in the file                    |
//! |---------------|-----------------|------------------------------|----------------------------------------|
//! | `json`        | [`json`]        | `.spanmark.json`             | header `"offsets"`, code points default |
//! | `jsonl`       | [`jsonl`]       | `.jsonl`                     | code points; a line's `"offsets"` key says otherwise |
//! | `doccano`     | [`doccano`]     | `.jsonl`                     | code points; a line's `"offsets"` key says otherwise |
//! | `prodigy`     | [`prodigy`]     | `.jsonl`                     | code points; a line's `"offsets"` key says otherwise |
//! | `spacy`       | [`spacy`]       | `.json` (training JSON), `.spacy` (DocBin) | code points only (JSON); tokens (DocBin) |
//! | `conll`       | [`conll`]       | `.conll`                     | none: tokens, one per line             |
//! | `brat`        | [`brat`]        | folder of `.txt` + `.ann`    | code points only (what brat reads)     |
//! | `labelstudio` | [`labelstudio`] | `.json` task list            | code points (what Label Studio stores since its emoji fix); a task's `"offsets"` key says otherwise |
//!
//! Formats whose readers only understand code points (spaCy JSON, brat) refuse
//! another `--offsets` unit rather than write a file their consumer misreads.
//!
//! Files: every format but brat is one file, read by [`import_as`] and written
//! by [`export_as`]. brat is a folder of `<id>.txt` + `<id>.ann` pairs: use
//! [`import_files`] and [`export_files`] with a list of [`File`]s (relative
//! path, bytes). For a single-file channel (the page's download, stdin and
//! stdout) a brat folder travels as one POSIX tar archive of those pairs;
//! [`import_as`] also takes a tar, and [`import_files`] takes an `.ann` given
//! together with its `.txt` (a `.txt` alone is a document without spans).
//!
//! Import returns [`Imported`]: the project and warnings about what was read
//! but could not be kept as it was (brat discontinuous spans split into
//! fragments, events ignored, ...). Nothing is dropped without a warning.
//! Every exporter checks each span against its text before writing anything;
//! a project that fails is never written, and the error names the document
//! and the span.

pub mod brat;
pub mod conll;
pub mod doccano;
pub mod json;
pub mod jsonl;
pub mod labelstudio;
pub mod prodigy;
pub mod spacy;
mod spacy_symbols;
pub(crate) mod tar;
pub(crate) mod util;
mod writer;

pub use writer::Writer;

use crate::doc::Project;
use crate::text::OffsetUnit;
use std::fmt;

/// Why a file could not be read or written: what is wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub message: String,
    /// 1-based line (and column) in the input, where known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl FormatError {
    /// A message longer than a few lines (it quotes the input, which may be
    /// a 50 MB line) is cut short: the place it names says where to look.
    pub fn new(message: impl Into<String>) -> FormatError {
        const MAX_CHARS: usize = 300;
        let mut message = message.into();
        if let Some((cut, _)) = message.char_indices().nth(MAX_CHARS) {
            message.truncate(cut);
            message.push('…');
        }
        FormatError {
            message,
            line: None,
            column: None,
        }
    }

    pub fn at_line(mut self, line: usize) -> FormatError {
        self.line = Some(line);
        self
    }

    pub fn at_column(mut self, column: usize) -> FormatError {
        self.column = Some(column);
        self
    }

    pub fn from_json(e: &serde_json::Error) -> FormatError {
        // serde_json appends " at line L column C"; keep only the message part.
        let full = e.to_string();
        let message = match full.rfind(" at line ") {
            Some(i) => full[..i].to_string(),
            None => full,
        };
        FormatError {
            message,
            line: Some(e.line()),
            column: Some(e.column()),
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for FormatError {}

/// A tagging scheme for token-per-line formats (CoNLL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Scheme {
    /// `I-` everywhere, `B-` only where an entity directly follows another of
    /// the same type (the original CoNLL-2003 files).
    Iob1,
    /// `B-` opens every entity, `I-` continues it.
    #[default]
    Iob2,
    /// `B-`, `I-`, `L-` (last), `U-` (unit, one token).
    Bilou,
    /// `B-`, `I-`, `E-` (end), `S-` (single): BILOU under other names.
    Bioes,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Iob1 => "iob1",
            Scheme::Iob2 => "iob2",
            Scheme::Bilou => "bilou",
            Scheme::Bioes => "bioes",
        }
    }

    pub fn parse(s: &str) -> Option<Scheme> {
        match s.to_ascii_lowercase().as_str() {
            "iob1" | "iob" => Some(Scheme::Iob1),
            "iob2" | "bio" => Some(Scheme::Iob2),
            "bilou" => Some(Scheme::Bilou),
            "bioes" | "iobes" => Some(Scheme::Bioes),
            _ => None,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to write a project.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Options {
    /// Offset unit of JSON-style exports (code points by default).
    pub offsets: OffsetUnit,
    /// Tagging scheme for CoNLL (IOB2 by default).
    pub scheme: Scheme,
    /// Write only documents marked done.
    pub only_done: bool,
    /// spaCy: write the binary DocBin (`.spacy`) instead of the training JSON.
    pub spacy_binary: bool,
    /// Leave out suggestions (spans whose source is not `user`): for a file
    /// that cannot mark them, so that what it holds is what a person
    /// checked. Off by default (the CLI's `convert` writes what it read);
    /// the page's exports decide it per format ([`Format::marks_suggestions`]).
    pub accepted_only: bool,
}

/// One file of a multi-file format: a relative path (`/`-separated) and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub content: Vec<u8>,
}

impl File {
    pub fn new(path: impl Into<String>, content: impl Into<Vec<u8>>) -> File {
        File {
            path: path.into(),
            content: content.into(),
        }
    }
}

/// What an import gives: the project, and what could not be kept as it was.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Imported {
    pub project: Project,
    pub warnings: Vec<String>,
}

/// What a format can say besides flat, non-overlapping spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Holds {
    /// Spans inside or across each other (else: the outermost are written).
    pub overlap: bool,
    pub relations: bool,
    pub doc_labels: bool,
    /// A document's note.
    pub doc_note: bool,
    /// A span's note.
    pub span_notes: bool,
}

/// The formats spanmark reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Jsonl,
    Doccano,
    Prodigy,
    Spacy,
    Conll,
    Brat,
    LabelStudio,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Json,
        Format::Jsonl,
        Format::Doccano,
        Format::Prodigy,
        Format::Spacy,
        Format::Conll,
        Format::Brat,
        Format::LabelStudio,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Doccano => "doccano",
            Format::Prodigy => "prodigy",
            Format::Spacy => "spacy",
            Format::Conll => "conll",
            Format::Brat => "brat",
            Format::LabelStudio => "labelstudio",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        let n = name.trim().to_ascii_lowercase();
        let n = match n.as_str() {
            "spanmark" => "json",
            "label-studio" | "label_studio" | "ls" => "labelstudio",
            "conll2003" | "iob" | "bio" => "conll",
            "standoff" => "brat",
            other => other,
        };
        Format::ALL.into_iter().find(|f| f.name() == n)
    }

    /// The names of every format, as `from_name` takes them.
    pub fn names() -> Vec<&'static str> {
        Format::ALL.iter().map(|f| f.name()).collect()
    }

    /// Whether the format tells a suggestion from an accepted span: the
    /// native JSON and JSONL keep each span's `source`, Label Studio puts
    /// suggestions in `predictions`. The others would pass a suggestion off
    /// as checked.
    pub fn marks_suggestions(self) -> bool {
        matches!(self, Format::Json | Format::Jsonl | Format::LabelStudio)
    }

    /// What of a document beyond flat spans the format can say; the
    /// [`Writer`] leaves out the rest and counts it ([`Writer::warnings`]).
    pub fn holds(self) -> Holds {
        match self {
            Format::Brat => Holds {
                overlap: true,
                relations: true,
                span_notes: true,
                ..Holds::default()
            },
            Format::Json | Format::Jsonl => Holds {
                overlap: true,
                relations: true,
                doc_labels: true,
                doc_note: true,
                span_notes: true,
            },
            Format::Doccano => Holds {
                overlap: true,
                relations: true,
                doc_labels: true,
                doc_note: true,
                span_notes: false,
            },
            Format::LabelStudio => Holds {
                overlap: true,
                relations: true,
                doc_labels: true,
                doc_note: true,
                span_notes: true,
            },
            Format::Prodigy => Holds {
                overlap: true,
                relations: true,
                doc_labels: true,
                ..Holds::default()
            },
            Format::Spacy => Holds {
                overlap: true,
                doc_labels: true,
                ..Holds::default()
            },
            Format::Conll => Holds::default(),
        }
    }

    /// The format's name as a person reads it ("doccano", "Label Studio").
    pub fn title(self) -> &'static str {
        match self {
            Format::Json => "spanmark JSON",
            Format::Jsonl => "JSONL",
            Format::Doccano => "doccano",
            Format::Prodigy => "Prodigy",
            Format::Spacy => "spaCy",
            Format::Conll => "CoNLL",
            Format::Brat => "brat",
            Format::LabelStudio => "Label Studio",
        }
    }

    /// The media type of an export's file.
    pub fn media_type(self, options: &Options) -> &'static str {
        match self {
            Format::Spacy if options.spacy_binary => "application/octet-stream",
            Format::Brat => "application/x-tar",
            Format::Jsonl | Format::Doccano | Format::Prodigy => "application/jsonl",
            Format::Conll => "text/plain",
            _ => "application/json",
        }
    }

    /// The usual file name ending of an export (`.spacy` when
    /// `options.spacy_binary`; brat's is the tar bundle).
    pub fn extension(self, options: &Options) -> &'static str {
        match self {
            Format::Json => ".spanmark.json",
            Format::Jsonl => ".jsonl",
            Format::Doccano => ".doccano.jsonl",
            Format::Prodigy => ".prodigy.jsonl",
            Format::Spacy if options.spacy_binary => ".spacy",
            Format::Spacy => ".spacy.json",
            Format::Conll => ".conll",
            Format::Brat => ".brat.tar",
            Format::LabelStudio => ".labelstudio.json",
        }
    }

    /// Guesses a file's format from its name, then its content; `None` when
    /// neither says. A name alone decides only where it is unambiguous
    /// (`.spacy`, `.ann`, `.conll`, `.spanmark.json`); `.json` and `.jsonl`
    /// are told apart by their content.
    pub fn detect(name: &str, content: &[u8]) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        for f in Format::ALL {
            let hint = format!(".{}.", f.name());
            if lower.contains(&hint) && f != Format::Json {
                return Some(f);
            }
        }
        if lower.ends_with(".spanmark.json") {
            return Some(Format::Json);
        }
        match ext {
            "spacy" | "docbin" => return Some(Format::Spacy),
            "ann" | "tar" => return Some(Format::Brat),
            "conll" | "conllx" | "iob" | "iob1" | "iob2" | "bio" | "bilou" | "bioes" => {
                return Some(Format::Conll)
            }
            _ => {}
        }
        // Content that cannot be sniffed (broken, not UTF-8) goes to the
        // reader its extension names, which then says what is wrong.
        sniff(content).or(match ext {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            _ => None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Content sniffing: the first non-blank bytes, then the keys of the first
/// record.
fn sniff(content: &[u8]) -> Option<Format> {
    if content.len() >= 2 && content[0] == 0x78 && matches!(content[1], 0x01 | 0x5e | 0x9c | 0xda) {
        return Some(Format::Spacy);
    }
    if tar::looks_like_tar(content) {
        return Some(Format::Brat);
    }
    let text = std::str::from_utf8(content).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let v: serde_json::Value = serde_json::from_str(trimmed).ok()?;
        let first = v.as_array()?.first()?;
        if first.is_array() {
            return Some(Format::Spacy);
        }
        if first.get("data").is_some() {
            return Some(Format::LabelStudio);
        }
        return None;
    }
    if trimmed.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(trimmed) {
            if v.get("format").and_then(|f| f.as_str()) == Some(json::FORMAT_NAME) {
                return Some(Format::Json);
            }
            if v.get("data").is_some() {
                return Some(Format::LabelStudio);
            }
        }
        let line = trimmed.lines().next()?;
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        let has = |k: &str| v.get(k).is_some();
        return if has("tokens") || has("answer") || has("_input_hash") {
            Some(Format::Prodigy)
        } else if has("label") || has("entities") || has("labels") {
            Some(Format::Doccano)
        } else if has("text") {
            Some(Format::Jsonl)
        } else {
            None
        };
    }
    if conll::looks_like_conll(text) {
        return Some(Format::Conll);
    }
    None
}

/// Reads one file in `format`. `name` is the file's name (it picks DocBin
/// against JSON for spaCy where the content does not, and names brat's one
/// document when a lone `.txt` is given).
pub fn import_as(format: Format, name: &str, content: &[u8]) -> Result<Imported, FormatError> {
    refuse_empty(content)?;
    match format {
        Format::Json => Ok(Imported {
            project: json::import(util::utf8(content)?)?,
            warnings: Vec::new(),
        }),
        Format::Jsonl => jsonl::import(util::utf8(content)?),
        Format::Doccano => doccano::import(util::utf8(content)?),
        Format::Prodigy => prodigy::import(util::utf8(content)?),
        Format::Spacy => spacy::import(content),
        Format::Conll => conll::import(util::utf8(content)?),
        Format::LabelStudio => labelstudio::import(util::utf8(content)?),
        Format::Brat => {
            if tar::looks_like_tar(content) {
                brat::import_files(&tar::read(content)?)
            } else {
                brat::import_files(&[File::new(name, content)])
            }
        }
    }
}

/// Reads one file whatever its format: detected from its name and content;
/// a `.json` that fits no format is read as native JSON (so that its error
/// says what is wrong), and plain text (`.txt`, or no extension) is one
/// document named after the file.
pub fn import_detected(name: &str, content: &[u8]) -> Result<Imported, FormatError> {
    refuse_empty(content)?;
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    let format = match Format::detect(name, content) {
        Some(f) => f,
        None if base.ends_with(".json") => Format::Json,
        None if base.ends_with(".txt") || !base.contains('.') => {
            let text = util::utf8(content)?;
            let stem = name.rsplit(['/', '\\']).next().unwrap_or(name);
            let id = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
            let id = if id.is_empty() { "document" } else { id };
            return Ok(Imported {
                project: Project {
                    labels: crate::labels::LabelSet::empty(),
                    documents: vec![crate::doc::Document::new(id, text)],
                    ..Default::default()
                },
                warnings: Vec::new(),
            });
        }
        None => {
            return Err(FormatError::new(
                "cannot tell which format this is (spanmark JSON, JSONL, doccano, Prodigy, \
                 spaCy, CoNLL, brat, Label Studio or plain text)",
            ))
        }
    };
    import_as(format, name, content)
}

/// An empty (or blank) file is an error, not a project of no documents: a
/// person who picked it picked the wrong file.
fn refuse_empty(content: &[u8]) -> Result<(), FormatError> {
    let body = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(FormatError::new("the file is empty: there are no documents in it").at_line(1));
    }
    Ok(())
}

/// Which of the files picked together (by name) are read as one brat
/// project: the `.ann`, `.txt` and `.conf` files, when there is any `.ann`
/// among them; none otherwise (each file is then imported on its own).
pub fn brat_parts(names: &[&str]) -> Vec<bool> {
    let ends = |n: &str, e: &str| n.to_ascii_lowercase().ends_with(e);
    if !names.iter().any(|n| ends(n, ".ann")) {
        return vec![false; names.len()];
    }
    names
        .iter()
        .map(|n| [".ann", ".txt", ".conf"].iter().any(|e| ends(n, e)))
        .collect()
}

/// Reads several files as one project: brat's `.txt` + `.ann` pairs (or a
/// tar of them); for any other format each file in turn, one after another.
pub fn import_files(format: Format, files: &[File]) -> Result<Imported, FormatError> {
    if format == Format::Brat {
        let mut all = Vec::new();
        for f in files {
            if tar::looks_like_tar(&f.content) {
                all.extend(tar::read(&f.content).map_err(|e| util::in_file(e, &f.path))?);
            } else {
                all.push(f.clone());
            }
        }
        return brat::import_files(&all);
    }
    let mut out = Imported {
        project: Project {
            labels: crate::labels::LabelSet::empty(),
            documents: Vec::new(),
            ..Default::default()
        },
        warnings: Vec::new(),
    };
    for f in files {
        let one = import_as(format, &f.path, &f.content).map_err(|e| util::in_file(e, &f.path))?;
        util::merge_into(&mut out, one);
    }
    Ok(out)
}

/// Writes the project as one file's bytes (brat: a tar of its pairs),
/// through a [`Writer`], document by document.
pub fn export_as(
    format: Format,
    project: &Project,
    options: &Options,
) -> Result<Vec<u8>, FormatError> {
    export_warned(format, project, options).map(|(bytes, _)| bytes)
}

/// [`export_as`], and what the format could not say ([`Writer::warnings`]).
pub fn export_warned(
    format: Format,
    project: &Project,
    options: &Options,
) -> Result<(Vec<u8>, Vec<String>), FormatError> {
    let mut w = Writer::new(format, options.clone())?;
    w.set_labels(&project.labels);
    let mut out = w.head(&project.labels, project.overlap)?;
    for d in &project.documents {
        out.extend(w.document(d)?);
    }
    out.extend(w.finish()?);
    Ok((out, w.warnings()))
}

/// An export of a text format as text.
pub(crate) fn export_text(
    format: Format,
    project: &Project,
    options: &Options,
) -> Result<String, FormatError> {
    let bytes = export_as(format, project, options)?;
    String::from_utf8(bytes).map_err(|e| FormatError::new(e.to_string()))
}

/// Writes the project as files: brat's pairs, or for any other format one
/// file named `project<extension>`.
pub fn export_files(
    format: Format,
    project: &Project,
    options: &Options,
) -> Result<Vec<File>, FormatError> {
    export_files_warned(format, project, options).map(|(files, _)| files)
}

/// [`export_files`], and what the format could not say: brat's folder is
/// its tar export unpacked, so that the two never differ.
pub fn export_files_warned(
    format: Format,
    project: &Project,
    options: &Options,
) -> Result<(Vec<File>, Vec<String>), FormatError> {
    let (bytes, warnings) = export_warned(format, project, options)?;
    let files = if format == Format::Brat {
        tar::read(&bytes)?
    } else {
        vec![File::new(
            format!("project{}", format.extension(options)),
            bytes,
        )]
    };
    Ok((files, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_detected_reads_plain_text_and_explains_bad_json() {
        let t = import_detected("notes/Report 1.txt", "Zoë met Bo.\r\n".as_bytes()).unwrap();
        assert_eq!(t.project.documents[0].id, "Report 1");
        assert_eq!(t.project.documents[0].text, "Zoë met Bo.\r\n");
        let e = import_detected(
            "x.json",
            b"{\"format\":\"spanmark\",\n\"version\":1,\"documents\":[{\"text\":5}]}",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(import_detected("x.bin", &[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn files_read_together_keep_the_looser_overlap_and_every_label() {
        let flat = File::new("a.jsonl", "{\"id\":\"a\",\"text\":\"Ana\",\"spans\":[{\"start\":0,\"end\":3,\"label\":\"PER\"}]}\n");
        let nested = File::new(
            "b.jsonl",
            "{\"id\":\"b\",\"text\":\"Bank of China\",\"spans\":[{\"start\":0,\"end\":13,\"label\":\"ORG\",\"id\":\"T1\"},\
             {\"start\":8,\"end\":13,\"label\":\"LOC\",\"id\":\"T2\"}],\
             \"relations\":[{\"id\":\"R1\",\"from\":\"T2\",\"to\":\"T1\",\"label\":\"part_of\"}],\"doc_labels\":[\"finance\"]}\n",
        );
        let p = import_files(Format::Jsonl, &[flat, nested])
            .unwrap()
            .project;
        assert_eq!(p.overlap, crate::edit::Overlap::Nest);
        assert!(p.labels.relations.get("part_of").is_some());
        assert_eq!(p.labels.doc_labels.names, ["finance"]);
        let json = json::export(&p).unwrap();
        assert_eq!(
            json::import(&json).unwrap(),
            p,
            "the project file reads back"
        );
    }

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::names().len(), Format::ALL.len());
        assert_eq!(Format::from_name("Label-Studio"), Some(Format::LabelStudio));
        assert_eq!(Format::from_name("xml"), None);
    }

    #[test]
    fn detect_by_name_then_content() {
        let d = |n: &str, c: &str| Format::detect(n, c.as_bytes());
        assert_eq!(d("a.spanmark.json", ""), Some(Format::Json));
        assert_eq!(
            d("a.json", r#"{"format":"spanmark","version":1}"#),
            Some(Format::Json)
        );
        assert_eq!(
            d("a.json", r#"[["text", {"entities": []}]]"#),
            Some(Format::Spacy)
        );
        assert_eq!(
            d("a.json", r#"[{"data": {"text": "x"}}]"#),
            Some(Format::LabelStudio)
        );
        assert_eq!(
            d("a.jsonl", "{\"text\":\"x\",\"spans\":[]}\n"),
            Some(Format::Jsonl)
        );
        assert_eq!(
            d("a.jsonl", "{\"text\":\"x\",\"label\":[]}\n"),
            Some(Format::Doccano)
        );
        assert_eq!(
            d("a.jsonl", "{\"text\":\"x\",\"entities\":[]}\n"),
            Some(Format::Doccano)
        );
        assert_eq!(
            d("a.jsonl", "{\"text\":\"x\",\"tokens\":[]}\n"),
            Some(Format::Prodigy)
        );
        assert_eq!(
            d("x.prodigy.jsonl", "{\"text\":\"x\"}"),
            Some(Format::Prodigy)
        );
        assert_eq!(d("a.spacy", ""), Some(Format::Spacy));
        assert_eq!(d("a.ann", ""), Some(Format::Brat));
        assert_eq!(d("a.conll", ""), Some(Format::Conll));
        assert_eq!(d("a.txt", "EU B-ORG\nrejects O\n\n"), Some(Format::Conll));
        assert_eq!(d("a.txt", "Just some prose.\nAnother line."), None);
        assert_eq!(
            d("noext", "{\"text\":\"x\"}\n{\"text\":\"y\"}"),
            Some(Format::Jsonl)
        );
    }

    #[test]
    fn brat_parts_are_picked_only_when_an_ann_file_is_there() {
        assert_eq!(brat_parts(&["a.txt", "b.jsonl"]), [false, false]);
        assert_eq!(
            brat_parts(&["a.txt", "a.ANN", "annotation.conf", "b.jsonl"]),
            [true, true, true, false]
        );
    }
}
