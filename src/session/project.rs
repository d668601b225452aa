//! What the page does to the whole project rather than the open document:
//! importing files, carrying a label change into every stored record,
//! labelling a string in another document, finding inconsistencies,
//! exporting. Each takes and gives stored records ([`Record`]), never the
//! page's own objects.

use super::{Error, Record, Result, Session};
use crate::doc::Document;
use crate::edit::{LogEntry, Overlap};
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
    /// The project's structure with the file's: its relation and document
    /// labels added, and the overlap setting loosened as far as the file's
    /// spans need (a file with nested entities makes the project `nested`).
    pub structure: super::Structure,
}

/// A file in any supported format (detected by name and content) as new
/// documents of a project with `labels` and the document ids `taken`. A bad
/// file is an error naming the file; nothing is returned to store.
pub fn import_file(
    name: &str,
    content: &[u8],
    taken: &[String],
    labels: LabelSet,
    structure: &super::Structure,
) -> Result<Import> {
    let mut imported =
        formats::import_detected(name, content).map_err(|e| Error(format!("{name}: {e}")))?;
    number_ids(&mut imported);
    check(&imported).map_err(|e| Error(format!("{name}: {e}")))?;
    name_after_file(&mut imported.project.documents, name);
    Ok(merge(imported, taken, labels, structure))
}

/// Files picked together read as one project (brat's `.txt` + `.ann`
/// pairs; see [`formats::brat_parts`]).
pub fn import_brat(
    files: &[formats::File],
    taken: &[String],
    labels: LabelSet,
    structure: &super::Structure,
) -> Result<Import> {
    let mut imported =
        formats::import_files(Format::Brat, files).map_err(|e| Error(e.to_string()))?;
    number_ids(&mut imported);
    check(&imported)?;
    Ok(merge(imported, taken, labels, structure))
}

/// Names the documents read from one file, each by what it brings or,
/// lacking that, by the file and its place there: a record's own `name` or
/// `title` (a string in its meta); a record with an id of its own keeps
/// that as its name; any other is `news.jsonl #3` (the third document of
/// the file: its line in JSONL, its `-DOCSTART-` section in CoNLL), or the
/// file's name when it holds one document.
pub fn name_after_file(documents: &mut [Document], file: &str) {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let alone = documents.len() == 1;
    for (k, d) in documents.iter_mut().enumerate() {
        let own = |key: &str| {
            d.meta
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        if own("name").is_some() {
            continue;
        }
        if let Some(title) = own("title") {
            let short: String = title.chars().take(crate::doc::NAME_MAX).collect();
            d.set_name(&short);
        } else if d.id == format!("doc-{}", k + 1) && d.meta.is_object() {
            d.set_name(&if alone {
                base.to_string()
            } else {
                format!("{base} #{}", k + 1)
            });
        }
    }
}

/// What a project is called after the file or folder it was first
/// imported from: a folder's name (`news/a.txt`: `news`), else the file's
/// name without its format's endings (`news.doccano.jsonl`: `news`).
pub fn project_name_from_file(path: &str) -> String {
    let path = path.trim_matches(['/', '\\']);
    if let Some((folder, _)) = path.split_once(['/', '\\']) {
        return folder.to_string();
    }
    let mut stem = path;
    while let Some((s, ext)) = stem.rsplit_once('.') {
        let known = [
            "json", "jsonl", "ndjson", "txt", "conll", "conllx", "iob", "iob1", "iob2", "bio",
            "bilou", "bioes", "spacy", "docbin", "ann", "tar", "spanmark",
        ]
        .contains(&ext.to_ascii_lowercase().as_str())
            || Format::from_name(ext).is_some();
        if s.is_empty() || !known {
            break;
        }
        stem = s;
    }
    stem.to_string()
}

/// An export's file name: the project's name (else, when the project is
/// one document, that document's name; else `project`) made safe for any
/// file system, and the format's ending.
pub fn export_file_name(
    project: Option<&str>,
    documents: usize,
    current: Option<&str>,
    extension: &str,
) -> String {
    let wanted = project
        .filter(|p| !p.trim().is_empty())
        .or(current.filter(|_| documents == 1))
        .unwrap_or("project");
    let mut stem = String::new();
    for c in wanted.chars() {
        let keep =
            c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '(' | ')' | '#' | ',' | '+');
        let c = if keep { c } else { '_' };
        let repeated = matches!(c, '_' | ' ') && stem.ends_with(c);
        if !repeated {
            stem.push(c);
        }
    }
    let stem: String = stem.trim_matches([' ', '_']).chars().take(80).collect();
    let stem = stem.trim_end();
    format!(
        "{}{extension}",
        if stem.is_empty() { "project" } else { stem }
    )
}

/// Every span of the file gets an id `T<n>`, a repeated one renumbered with
/// a warning (before the checks: a relation names its spans by these ids).
fn number_ids(imported: &mut formats::Imported) {
    for d in &mut imported.project.documents {
        let w = d.number_ids();
        imported.warnings.extend(w);
        d.renumber_foreign_ids();
    }
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
        for r in &d.relations {
            crate::labels::check_name(&r.label)?;
        }
        d.check_links()?;
        if p.overlap == Overlap::Nest {
            d.check_overlap(p.overlap)?;
        }
    }
    Ok(())
}

fn merge(
    imported: formats::Imported,
    taken: &[String],
    labels: LabelSet,
    current: &super::Structure,
) -> Import {
    let formats::Imported {
        mut project,
        mut warnings,
    } = imported;
    let mut structure = current.clone();
    structure.overlap = structure.overlap.looser(project.overlap);
    if structure.overlap != current.overlap {
        warnings.push(match structure.overlap {
            Overlap::Nest => "spans may now nest inside each other, as in the file".into(),
            _ => "spans may now overlap, as in the file".into(),
        });
    }
    for r in &project.labels.relations.0 {
        if structure.relations.get(&r.name).is_none() {
            structure.relations.0.push(r.clone());
        }
    }
    for d in &project.documents {
        for r in &d.relations {
            structure.relations.ensure(&r.label);
        }
    }
    let doc_labels = &mut structure.doc_labels;
    doc_labels.multi |=
        project.labels.doc_labels.multi || project.documents.iter().any(|d| d.doc_labels.len() > 1);
    let used = project.documents.iter().flat_map(|d| &d.doc_labels);
    for name in project.labels.doc_labels.names.iter().chain(used) {
        if !doc_labels.names.contains(name) {
            doc_labels.names.push(name.clone());
        }
    }
    project.merge_into(taken, labels);
    let mut records = Vec::new();
    for d in &mut project.documents {
        let extras = !d.relations.is_empty() || !d.doc_labels.is_empty() || d.note.is_some();
        if !d.spans.is_empty() || extras {
            records.push(Record::imported(&d.id, &d.spans).holding(d));
        }
        d.spans.clear();
        d.relations.clear();
        d.doc_labels.clear();
        d.note = None;
    }
    Import {
        labels: project.labels,
        documents: project.documents,
        records,
        warnings,
        structure,
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

/// A stored record with the relation or document label `from` renamed to
/// `to` (`None`: deleted, with its relations), and how many relations or
/// document labels that touched; `None` when nothing changed (neither the
/// document nor its history).
pub fn relabel_structure(
    record: &Record,
    kind: super::StructureLabel,
    from: &str,
    to: Option<&str>,
) -> Result<Option<(Record, usize)>> {
    use super::StructureLabel;
    let mut doc = Document::new(record.doc_id.clone(), "");
    record.fill(&mut doc)?;
    let mut history = record.history.clone();
    let to = to.map(str::trim);
    let count = match (kind, to) {
        (StructureLabel::Relation, Some(to)) => {
            crate::relabel::rename_relations(&mut doc, &mut history, from, to)
        }
        (StructureLabel::Relation, None) => {
            crate::relabel::remove_relations(&mut doc, &mut history, from)
        }
        (StructureLabel::Document, to) => usize::from(crate::relabel::relabel_document(
            &mut doc,
            &mut history,
            from,
            to,
        )),
    };
    if count == 0 && history == record.history {
        return Ok(None);
    }
    let out = record.with(&doc.spans, history).holding(&doc);
    Ok(Some((out, count)))
}

/// Why a stored document could not take the overlap setting `mode` (its
/// spans named), or `None` when it can: what the page asks of every stored
/// record before [`super::Action::SetOverlap`] makes a setting stricter.
pub fn overlap_breach(record: &Record, mode: Overlap) -> Result<Option<String>> {
    let mut doc = Document::new(record.doc_id.clone(), "");
    doc.spans = record.spans()?;
    Ok(doc.check_overlap(mode).err())
}

/// How to export: every field optional.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExportOptions {
    pub offsets: Option<String>,
    pub scheme: Option<String>,
    pub only_done: bool,
    pub binary: bool,
    /// Write suggestions too where the format cannot mark them (by
    /// default such a format gets accepted spans only; a format that marks
    /// them always gets them, marked).
    pub suggestions: bool,
}

impl ExportOptions {
    fn parse(&self, format: Format) -> Result<formats::Options> {
        let mut out = formats::Options {
            only_done: self.only_done,
            spacy_binary: self.binary,
            accepted_only: !format.marks_suggestions() && !self.suggestions,
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
        let options = options.parse(format)?;
        let writer =
            formats::Writer::new(format, options.clone()).map_err(|e| Error(e.to_string()))?;
        Ok(ExportStream {
            writer,
            format,
            options,
            skipped: Vec::new(),
        })
    }

    /// The file's opening: the project's labels and its structure
    /// (relation and document labels, the overlap setting).
    pub fn head(&mut self, labels: Vec<Label>, structure: &super::Structure) -> Result<Vec<u8>> {
        let mut set = LabelSet::from_labels(labels);
        set.relations = structure.relations.clone();
        set.doc_labels = structure.doc_labels.clone();
        self.writer.set_labels(&set);
        self.writer
            .head(&set, structure.overlap)
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

    /// What the export wrote, in words, for the status line: how many
    /// documents, and what became of the suggestions.
    pub fn summary(&self) -> String {
        let n = self.writer.written();
        let docs = format!(
            "{n}{} document{}",
            if self.options.only_done { " done" } else { "" },
            plural(n)
        );
        let (left, kept) = (self.writer.left_out(), self.writer.suggestions());
        let what = if self.options.accepted_only {
            match left {
                0 => "accepted spans only; there were no suggestions".to_string(),
                _ => format!(
                    "accepted spans only; {left} suggestion{} left out",
                    plural(left)
                ),
            }
        } else if kept == 0 {
            "no suggestions among the spans".to_string()
        } else if self.format.marks_suggestions() {
            format!(
                "{kept} suggestion{} included, marked as suggestions",
                plural(kept)
            )
        } else {
            format!(
                "{kept} unchecked suggestion{} included as if accepted",
                plural(kept)
            )
        };
        let mut summary = format!("Exported {docs} as {} ({what})", self.format.title());
        for w in self.writer.warnings() {
            summary.push_str("; ");
            summary.push_str(&w);
        }
        summary
    }

    pub fn media_type(&self) -> &'static str {
        self.format.media_type(&self.options)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A stored document with its spans from its record (none without one).
pub fn joined(mut doc: Document, record: Option<&Record>) -> Result<Document> {
    match record {
        Some(r) => r.fill(&mut doc)?,
        None => doc.spans.clear(),
    }
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
        let suggested_by = match &record {
            Some(r) => r.suggested_by,
            None => Some(self.learned_docs()),
        };
        let mut editor = self.editor_for(doc, record.as_ref())?;
        replay(&mut editor, log);
        let done = crate::occurrences::label_text(&mut editor, text, label)?;
        if done.count == 0 {
            return Ok((0, None));
        }
        let snapshot =
            snapshot_of(editor, preannotated, rules, rev, log).suggested_by(suggested_by);
        Ok((done.count, Some(snapshot)))
    }

    /// A stored document's record with its log since (entries another tab
    /// or an earlier visit wrote, not yet in a snapshot) folded in: the
    /// snapshot to write in place of both, so that a project-wide change
    /// made to it is not undone by the log replayed over it later. The
    /// record itself when the log is empty.
    pub fn fold_log(&self, doc: Document, record: Record, log: &[super::Logged]) -> Result<Record> {
        if log.is_empty() {
            return Ok(record);
        }
        let mut editor = self.editor_for(doc, Some(&record))?;
        replay(&mut editor, log);
        let suggested_by = record.suggested_by;
        Ok(
            snapshot_of(editor, record.preannotated, record.rules, record.rev, log)
                .suggested_by(suggested_by),
        )
    }
}

fn replay(editor: &mut crate::edit::Editor, log: &[super::Logged]) {
    let entries: Vec<LogEntry> = log.iter().map(|l| l.entry.clone()).collect();
    editor.replay(&entries);
}

/// The record of what `editor` holds, as the snapshot over revision `rev`
/// that folds in the entries of `log`; the document's relations, labels
/// and note with its spans.
fn snapshot_of(
    editor: crate::edit::Editor,
    preannotated: bool,
    rules: String,
    rev: u64,
    log: &[super::Logged],
) -> Record {
    Record::new(
        &editor.doc.id,
        &editor.doc.spans,
        editor.history,
        preannotated,
        rules,
    )
    .holding(&editor.doc)
    .folding(rev, log.iter().map(|l| l.seq).collect())
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
    fn a_stored_documents_relations_labels_and_note_reach_the_export() {
        let r = stored_with_structure();
        let bare = doc("d", "Ana Lima flew to Lisbon.");
        let (json, _) = export(
            "json",
            &ExportOptions::default(),
            &[(bare.clone(), r.clone())],
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let out = &v["documents"][0];
        assert_eq!(out["relations"][0]["label"], "flew_to");
        assert_eq!(out["doc_labels"][0], "travel");
        assert_eq!(out["note"], "check the date");
        // CoNLL cannot say them: the summary names what was left out.
        let (_, summary) = export("conll", &ExportOptions::default(), &[(bare, r)]);
        assert!(
            summary.contains("CoNLL cannot hold relations: 1 left out")
                && summary.contains("document labels: 1 left out"),
            "{summary}"
        );
    }

    /// "Ana Lima flew to Lisbon." with a relation `flew_to`, the document
    /// label `travel`, a note on Ana and a note on the document, stored.
    fn stored_with_structure() -> Record {
        let mut d = doc("d", "Ana Lima flew to Lisbon.");
        let mut ana = Span::new(0, 8, "PER");
        ana.id = Some("T1".into());
        ana.note = Some("Lina?".into());
        let mut lisbon = Span::new(17, 23, "LOC");
        lisbon.id = Some("T2".into());
        d.spans = vec![ana, lisbon];
        d.relations = vec![crate::relations::Relation {
            id: "R1".into(),
            from: "T1".into(),
            to: "T2".into(),
            label: "flew_to".into(),
        }];
        d.doc_labels = vec!["travel".into()];
        d.note = Some("check the date".into());
        record(&d, &d.spans).holding(&d)
    }

    #[test]
    fn labelling_a_word_in_another_document_keeps_its_relations_labels_and_note() {
        let before = stored_with_structure();
        let s = Session::new();
        let text = doc("d", "Ana Lima flew to Lisbon.");
        let (n, after) = s
            .label_text_in(text, Some(before.clone()), &[], "flew", "EVENT")
            .unwrap();
        assert_eq!(n, 1);
        let (was, now) = (filled(&before), filled(&after.unwrap()));
        assert_eq!(now.spans.len(), 3);
        assert_eq!(now.relations, was.relations);
        assert_eq!(now.doc_labels, ["travel"]);
        assert_eq!(now.note.as_deref(), Some("check the date"));
    }

    fn filled(r: &Record) -> Document {
        let mut d = doc("d", "");
        r.fill(&mut d).unwrap();
        d
    }

    #[test]
    fn a_stored_records_relation_and_document_labels_are_renamed_and_deleted() {
        use crate::session::StructureLabel::{Document as Doc, Relation};
        let r = stored_with_structure();
        let (renamed, n) = relabel_structure(&r, Relation, "flew_to", Some(" went_to "))
            .unwrap()
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            renamed.rev,
            r.rev + 1,
            "a project-wide change is a new revision"
        );
        let d = filled(&renamed);
        assert_eq!(d.relations[0].label, "went_to");
        // Everything else stays: spans with their ids and notes, the labels, the note.
        assert_eq!(d.spans.len(), 2);
        assert_eq!(d.spans[0].note.as_deref(), Some("Lina?"));
        assert_eq!(d.doc_labels, ["travel"]);
        assert_eq!(d.note.as_deref(), Some("check the date"));
        // A label the record does not hold changes nothing: nothing to store.
        assert!(relabel_structure(&r, Relation, "knows", None)
            .unwrap()
            .is_none());
        assert!(relabel_structure(&r, Doc, "sport", Some("x"))
            .unwrap()
            .is_none());
        let (gone, n) = relabel_structure(&renamed, Relation, "went_to", None)
            .unwrap()
            .unwrap();
        assert_eq!(n, 1);
        assert!(filled(&gone).relations.is_empty());
        assert_eq!(
            filled(&gone).spans.len(),
            2,
            "deleting a relation label keeps the spans"
        );
        let (economy, _) = relabel_structure(&r, Doc, "travel", Some("economy"))
            .unwrap()
            .unwrap();
        assert_eq!(filled(&economy).doc_labels, ["economy"]);
        let (none, n) = relabel_structure(&economy, Doc, "economy", None)
            .unwrap()
            .unwrap();
        assert_eq!(n, 1);
        assert!(filled(&none).doc_labels.is_empty());
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
            let mut out = stream.head(labels.clone(), &Default::default()).unwrap();
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
                ..Default::default()
            };
            let whole = formats::export_as(
                format_named(format).unwrap(),
                &rest,
                &ExportOptions::default()
                    .parse(format_named(format).unwrap())
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(out, whole, "{format}");
        }
    }

    #[test]
    fn spans_a_flat_format_cannot_hold_are_left_out_and_named() {
        let d = doc("d", "Ana Lima flew.");
        let r = record(&d, &[Span::new(0, 8, "PER"), Span::new(4, 13, "LOC")]);
        let mut stream = ExportStream::new("conll", &ExportOptions::default()).unwrap();
        let out = stream.document(d, Some(&r)).unwrap().unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("Ana -X- -X- B-PER\nLima -X- -X- I-PER\nflew -X- -X- O"),
            "{out}"
        );
        let summary = stream.summary();
        assert!(
            summary.contains("CoNLL cannot hold spans inside or across another")
                && summary.contains("1 left out"),
            "{summary}"
        );
    }

    /// The whole export through a stream, with its summary.
    fn export(
        format: &str,
        options: &ExportOptions,
        docs: &[(Document, Record)],
    ) -> (String, String) {
        let mut stream = ExportStream::new(format, options).unwrap();
        let mut set = LabelSet::empty();
        set.ensure("PER");
        set.ensure("LOC");
        let mut out = stream
            .head(set.iter().cloned().collect(), &Default::default())
            .unwrap();
        for (d, r) in docs {
            out.extend(stream.document(d.clone(), Some(r)).unwrap().unwrap());
        }
        out.extend(stream.finish().unwrap());
        (String::from_utf8_lossy(&out).into_owned(), stream.summary())
    }

    fn checked_and_suggested() -> Vec<(Document, Record)> {
        let a = doc("a", "Ana Lima flew to Lisbon.");
        let sa = [
            Span::new(0, 8, "PER"),
            Span::new(17, 23, "LOC").with_source(crate::doc::Source::Model),
        ];
        let b = doc("b", "Bo met Cy in Rome.");
        let sb = [
            Span::new(7, 9, "PER").with_source(crate::doc::Source::Rule),
            Span::new(13, 17, "LOC").with_source(crate::doc::Source::Model),
        ];
        vec![(a.clone(), record(&a, &sa)), (b.clone(), record(&b, &sb))]
    }

    #[test]
    fn formats_that_cannot_mark_a_suggestion_export_accepted_spans_unless_asked() {
        let docs = checked_and_suggested();
        for format in ["doccano", "prodigy", "spacy", "conll", "brat"] {
            let (out, summary) = export(format, &ExportOptions::default(), &docs);
            assert!(out.contains("Ana"), "{format}: {out}");
            for suggested in ["Lisbon", "Rome", "Cy"] {
                let labelled = match format {
                    "conll" => format!("{suggested} -X- -X- B-"),
                    "brat" => format!("\t{suggested}"),
                    _ => String::new(),
                };
                if !labelled.is_empty() {
                    assert!(!out.contains(&labelled), "{format}: {out}");
                }
            }
            assert!(
                summary.ends_with("(accepted spans only; 3 suggestions left out)"),
                "{format}: {summary}"
            );
            assert!(summary.starts_with("Exported 2 documents as "), "{summary}");
            let all = ExportOptions {
                suggestions: true,
                ..Default::default()
            };
            let (out, summary) = export(format, &all, &docs);
            if format == "conll" {
                assert!(
                    out.contains("Lisbon -X- -X- B-LOC") && out.contains("Cy -X- -X- B-PER"),
                    "{out}"
                );
            }
            assert!(
                summary.ends_with("(3 unchecked suggestions included as if accepted)"),
                "{summary}"
            );
        }
        let (doccano, summary) = export("doccano", &ExportOptions::default(), &docs);
        assert_eq!(
            doccano
                .lines()
                .map(|l| l.matches("\"PER\"").count() + l.matches("\"LOC\"").count())
                .collect::<Vec<_>>(),
            [1, 0],
            "{doccano}"
        );
        assert_eq!(
            summary,
            "Exported 2 documents as doccano (accepted spans only; 3 suggestions left out)"
        );
    }

    #[test]
    fn formats_that_mark_suggestions_export_them_marked() {
        let docs = checked_and_suggested();
        for format in ["json", "jsonl", "labelstudio"] {
            let (out, summary) = export(format, &ExportOptions::default(), &docs);
            assert!(
                out.matches("\"model\"").count() + out.matches("spanmark-model").count() >= 2,
                "{format}: {out}"
            );
            assert!(
                summary.ends_with("(3 suggestions included, marked as suggestions)"),
                "{format}: {summary}"
            );
            let asked = ExportOptions {
                suggestions: true,
                ..Default::default()
            };
            assert_eq!(
                export(format, &asked, &docs).0,
                out,
                "{format}: the same file"
            );
        }
        let only = ExportOptions {
            only_done: true,
            ..Default::default()
        };
        assert_eq!(
            export("doccano", &only, &docs).1,
            "Exported 0 done documents as doccano (accepted spans only; there were no suggestions)"
        );
    }

    #[test]
    fn an_import_numbers_its_spans_and_warns_of_repeated_ids() {
        let jsonl = concat!(
            "{\"text\":\"Ana met Bo and Cy.\",\"spans\":[",
            "{\"start\":0,\"end\":3,\"label\":\"PER\",\"id\":\"a\"},",
            "{\"start\":8,\"end\":10,\"label\":\"PER\",\"id\":\"a\"},",
            "{\"start\":15,\"end\":17,\"label\":\"PER\"}]}\n"
        );
        let i = import_file(
            "x.jsonl",
            jsonl.as_bytes(),
            &[],
            LabelSet::default(),
            &Default::default(),
        )
        .unwrap();
        let spans = i.records[0].spans().unwrap();
        let ids: Vec<&str> = spans.iter().map(|s| s.id.as_deref().unwrap()).collect();
        // `a` is not of the page's form: the next number after the others.
        assert_eq!(ids, ["T3", "T1", "T2"]);
        assert_eq!(i.warnings.len(), 1, "{:?}", i.warnings);
        assert!(
            i.warnings[0].contains("a (0..3 PER)") && i.warnings[0].contains("8..10 PER"),
            "{}",
            i.warnings[0]
        );
    }

    fn names(i: &Import) -> Vec<String> {
        i.documents.iter().map(|d| d.name().to_string()).collect()
    }

    #[test]
    fn imported_documents_are_named_after_the_file_and_their_place_or_their_own_name() {
        let jsonl = concat!(
            "{\"text\":\"Ana Lima flew.\"}\n",
            "{\"id\":\"memo-7\",\"text\":\"Bo met Cy.\"}\n",
            "{\"text\":\"Di.\",\"title\":\"Field notes\"}\n",
            "{\"text\":\"Ed.\",\"meta\":{\"name\":\"Kept\"}}\n",
            "{\"text\":\"Fy.\"}\n"
        );
        let taken = ["doc-1".to_string()];
        let i = import_file(
            "in/news.jsonl",
            jsonl.as_bytes(),
            &taken,
            LabelSet::default(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(
            names(&i),
            [
                "news.jsonl #1",
                "memo-7",
                "Field notes",
                "Kept",
                "news.jsonl #5"
            ]
        );
        assert_eq!(i.documents[0].id, "doc-1-2", "ids are still made unique");
        let conll = "-DOCSTART- -X- -X- O\n\nEU B-ORG\n\n-DOCSTART- -X- -X- O\n\nBo B-PER\n";
        let i = import_file(
            "news.conll",
            conll.as_bytes(),
            &[],
            LabelSet::default(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(names(&i), ["news.conll #1", "news.conll #2"]);
        let i = import_file(
            "one.conll",
            b"EU B-ORG\n",
            &[],
            LabelSet::default(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(names(&i), ["one.conll"]);
        let i = import_file(
            "notes/Report 1.txt",
            b"Plain.",
            &[],
            LabelSet::default(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(names(&i), ["Report 1"], "the file's id is its name");
    }

    #[test]
    fn a_native_export_imported_again_keeps_its_names() {
        let mut d = doc("doc-1", "Ana.");
        d.set_name("Ana's note");
        let p = Project {
            labels: LabelSet::default(),
            documents: vec![d, doc("doc-2", "Bo.")],
            ..Default::default()
        };
        let json = formats::export_as(Format::Json, &p, &Default::default()).unwrap();
        let i = import_file(
            "x.spanmark.json",
            &json,
            &[],
            LabelSet::default(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(names(&i), ["Ana's note", "x.spanmark.json #2"]);
    }

    #[test]
    fn a_project_is_named_after_its_first_file_and_its_exports_after_it() {
        assert_eq!(project_name_from_file("news.doccano.jsonl"), "news");
        assert_eq!(project_name_from_file("Corpus v2.json"), "Corpus v2");
        assert_eq!(project_name_from_file("ann_folder/a.ann"), "ann_folder");
        assert_eq!(
            project_name_from_file("2026.12.report.txt"),
            "2026.12.report"
        );
        assert_eq!(
            export_file_name(Some("news"), 9, Some("x"), ".conll"),
            "news.conll"
        );
        assert_eq!(
            export_file_name(
                None,
                1,
                Some("Demo: WHO signs vaccine deal"),
                ".doccano.jsonl"
            ),
            "Demo_ WHO signs vaccine deal.doccano.jsonl"
        );
        assert_eq!(
            export_file_name(None, 2, Some("x"), ".jsonl"),
            "project.jsonl"
        );
        assert_eq!(
            export_file_name(Some("../../etc/passwd"), 2, None, ".json"),
            "etc_passwd.json"
        );
        assert_eq!(
            export_file_name(Some(" / "), 3, None, ".json"),
            "project.json"
        );
        assert_eq!(
            export_file_name(Some(&"é".repeat(300)), 3, None, ".json")
                .chars()
                .count(),
            85
        );
    }
}
