//! The native `.spanmark.json` project file (README.md, "The native JSON format"; docs/ARCHITECTURE.md, "Data model").
//!
//! Export is byte-stable: the same project always gives the same bytes, and
//! importing an export gives back the same project.

use super::FormatError;
use crate::doc::{unique_id, Document, Project, Span};
use crate::edit::Overlap;
use crate::labels::{Label, LabelSet};
use crate::relations::{DocLabels, Relation, RelationLabels};
use crate::text::{OffsetMap, OffsetUnit};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub const FORMAT_NAME: &str = "spanmark";
/// The version written; version 1 (flat spans, no header `overlap`) is
/// still read.
pub const VERSION: u32 = 2;

/// The file's header: everything but its documents.
#[derive(Serialize)]
struct Head<'a> {
    format: &'static str,
    version: u32,
    offsets: OffsetUnit,
    overlap: Overlap,
    labels: &'a LabelSet,
    #[serde(skip_serializing_if = "no_relation_labels")]
    relation_labels: &'a RelationLabels,
    #[serde(skip_serializing_if = "no_doc_labels")]
    doc_labels: &'a DocLabels,
}

fn no_relation_labels(l: &&RelationLabels) -> bool {
    l.0.is_empty()
}

fn no_doc_labels(l: &&DocLabels) -> bool {
    l.names.is_empty()
}

#[derive(Deserialize)]
struct FileIn {
    format: String,
    version: u32,
    #[serde(default)]
    offsets: Option<String>,
    /// Absent (version 1): the strictest setting the spans allow.
    #[serde(default)]
    overlap: Option<Overlap>,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    relation_labels: RelationLabels,
    #[serde(default)]
    doc_labels: DocLabels,
    documents: Vec<DocIn>,
}

#[derive(Deserialize)]
struct DocIn {
    #[serde(default)]
    id: Option<String>,
    text: String,
    #[serde(default)]
    meta: Option<serde_json::Value>,
    #[serde(default)]
    status: crate::doc::Status,
    #[serde(default)]
    spans: Vec<Span>,
    #[serde(default)]
    relations: Vec<Relation>,
    #[serde(default)]
    doc_labels: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

/// Writes the project with code point offsets.
pub fn export(project: &Project) -> Result<String, FormatError> {
    export_in(project, OffsetUnit::Codepoint)
}

/// Writes the project with offsets in `unit` (named in the file's header).
/// Every span is checked against its text first; nothing is written on error.
pub fn export_in(project: &Project, unit: OffsetUnit) -> Result<String, FormatError> {
    let options = super::Options {
        offsets: unit,
        ..Default::default()
    };
    super::export_text(super::Format::Json, project, &options)
}

/// The file up to the `[` that opens its documents (written one by one
/// after it, each by [`write_doc`]).
pub(crate) fn head(
    labels: &LabelSet,
    overlap: Overlap,
    unit: OffsetUnit,
) -> Result<String, FormatError> {
    let head = Head {
        format: FORMAT_NAME,
        version: VERSION,
        offsets: unit,
        overlap,
        labels,
        relation_labels: &labels.relations,
        doc_labels: &labels.doc_labels,
    };
    let mut out =
        serde_json::to_string_pretty(&head).map_err(|e| FormatError::new(e.to_string()))?;
    // The pretty object ends with "\n}": the documents go before that.
    out.truncate(out.len() - 2);
    out.push_str(",\n  \"documents\": [");
    Ok(out)
}

/// A document as the file holds it (pretty, not yet indented): spans in
/// order, offsets in `unit`.
pub(crate) fn write_doc(d: &Document, unit: OffsetUnit) -> Result<String, FormatError> {
    d.validate().map_err(|e| FormatError::new(e.to_string()))?;
    let mut d = d.clone();
    d.sort_spans();
    if unit != OffsetUnit::Codepoint {
        let map = OffsetMap::new(&d.text);
        for s in &mut d.spans {
            let (a, b) = map
                .convert_range(s.start, s.end, OffsetUnit::Codepoint, unit)
                .map_err(|e| FormatError::new(format!("document {:?}: {e}", d.id)))?;
            s.start = a;
            s.end = b;
        }
    }
    serde_json::to_string_pretty(&d).map_err(|e| FormatError::new(e.to_string()))
}

/// Reads a native project file (version 1 or 2). Offsets in another unit
/// than code points are converted exactly; a span that does not fit its
/// text is an error naming the document and span, as is a relation to a
/// span that is not there, or spans crossing or repeating each other under
/// `overlap: nested`. Labels (span, relation,
/// document) used but missing from the header are added; duplicate
/// document ids get a suffix.
pub fn import(content: &str) -> Result<Project, FormatError> {
    let file: FileIn = serde_json::from_str(content).map_err(|e| FormatError::from_json(&e))?;
    if file.format != FORMAT_NAME {
        return Err(FormatError::new(format!(
            "\"format\" is {:?}, expected {FORMAT_NAME:?}",
            file.format
        )));
    }
    if !(1..=VERSION).contains(&file.version) {
        return Err(FormatError::new(format!(
            "version {} is not supported (this build reads versions 1 to {VERSION})",
            file.version
        )));
    }
    let unit = match &file.offsets {
        None => OffsetUnit::Codepoint,
        Some(s) => OffsetUnit::parse(s)
            .ok_or_else(|| FormatError::new(format!("unknown offset unit {s:?}")))?,
    };
    let mut seen = HashSet::new();
    let mut documents = Vec::with_capacity(file.documents.len());
    for (n, d) in file.documents.into_iter().enumerate() {
        let wanted = d.id.unwrap_or_else(|| format!("doc-{}", n + 1));
        let id = unique_id(&wanted, |x| seen.contains(x));
        seen.insert(id.clone());
        let meta = match d.meta {
            None | Some(serde_json::Value::Null) => serde_json::Value::Object(Default::default()),
            Some(m) => m,
        };
        let mut doc = Document {
            id,
            text: d.text,
            meta,
            status: d.status,
            spans: d.spans,
            relations: d.relations,
            doc_labels: d.doc_labels,
            note: d.note,
        };
        let map = OffsetMap::new(&doc.text);
        for (i, s) in doc.spans.iter_mut().enumerate() {
            let (a, b) = map
                .convert_range(s.start, s.end, unit, OffsetUnit::Codepoint)
                .map_err(|e| {
                    FormatError::new(format!("document {} ({:?}), span {i}: {e}", n + 1, doc.id))
                })?;
            s.start = a;
            s.end = b;
        }
        doc.validate()
            .map_err(|e| FormatError::new(e.to_string()))?;
        super::util::check_relations(&doc).map_err(FormatError::new)?;
        if file.overlap == Some(Overlap::Nest) {
            doc.check_overlap(Overlap::Nest).map_err(FormatError::new)?;
        }
        doc.sort_spans();
        documents.push(doc);
    }
    let mut labels = LabelSet::from_labels(file.labels);
    labels.relations = file.relation_labels;
    labels.doc_labels = file.doc_labels;
    // `none` over spans that overlap (the page's export does not yet say
    // its setting) opens as what they need: refusing would lose the work.
    let overlap = match file.overlap {
        None | Some(Overlap::Forbid) => crate::relations::overlap_needed(&documents),
        Some(set) => set,
    };
    let mut project = Project {
        labels,
        documents,
        overlap,
    };
    project.add_missing_labels();
    Ok(project)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Source, Status};

    fn sample() -> Project {
        let mut d1 = Document::new("a", "👨‍👩‍👧 Zoë Ball\r\nflew to Paris.");
        d1.spans.push(Span::new(6, 14, "PER"));
        d1.spans
            .push(Span::new(24, 29, "LOC").with_source(Source::Model));
        d1.spans[1].score = Some(0.875);
        d1.meta = serde_json::json!({"source": "wire", "n": [1, 2], "z": null, "a": 1});
        d1.status = Status::Done;
        let d2 = Document::new("b", "");
        Project {
            labels: LabelSet::default(),
            documents: vec![d1, d2],
            ..Default::default()
        }
    }

    #[test]
    fn round_trip_is_lossless_and_byte_stable() {
        let p = sample();
        let out = export(&p).unwrap();
        let back = import(&out).unwrap();
        assert_eq!(back, p);
        assert_eq!(export(&back).unwrap(), out);
        assert!(out.starts_with(
            "{\n  \"format\": \"spanmark\",\n  \"version\": 2,\n  \"offsets\": \"codepoint\",\n  \"overlap\": \"none\",\n  \"labels\""
        ));
    }

    #[test]
    fn other_units_convert_exactly() {
        let p = sample();
        for unit in [OffsetUnit::Utf16, OffsetUnit::Byte] {
            let out = export_in(&p, unit).unwrap();
            assert!(out.contains(&format!("\"offsets\": \"{}\"", unit.name())));
            assert_eq!(import(&out).unwrap(), p, "{unit}");
        }
        // The ZWJ family is 5 code points, 8 UTF-16 units, 18 bytes.
        let out = export_in(&p, OffsetUnit::Utf16).unwrap();
        assert!(out.contains("\"start\": 9"), "{out}");
    }

    #[test]
    fn labels_missing_from_the_set_are_added() {
        let p = import(r#"{"format":"spanmark","version":1,"labels":[],
            "documents":[{"id":"x","text":"Ebola","spans":[{"start":0,"end":5,"label":"VIRUS"}]}]}"#)
        .unwrap();
        assert_eq!(p.labels.get("VIRUS").unwrap().key.as_deref(), Some("1"));
        assert_eq!(p.documents[0].spans[0].source, Source::User);
    }

    #[test]
    fn bad_files_name_the_problem() {
        let e = import("{\"format\":\"spanmark\",\n\"version\":1,\n\"documents\":[{\"text\": 5}]}")
            .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        let e = import(r#"{"format":"brat","version":1,"documents":[]}"#).unwrap_err();
        assert!(e.message.contains("expected \"spanmark\""));
        let e = import(r#"{"format":"spanmark","version":3,"documents":[]}"#).unwrap_err();
        assert!(e.message.contains("version 3"), "{e}");
        let e = import(r#"{"format":"spanmark","version":1,"documents":[{"id":"q","text":"abc","spans":[{"start":1,"end":9,"label":"X"}]}]}"#).unwrap_err();
        assert!(
            e.message.contains("\"q\"") && e.message.contains("past the end"),
            "{e}"
        );
        let e = import(r#"{"format":"spanmark","version":1,"offsets":"utf16","documents":[{"text":"😀b","spans":[{"start":1,"end":3,"label":"X"}]}]}"#).unwrap_err();
        assert!(e.message.contains("inside a character"), "{e}");
    }

    #[test]
    fn duplicate_ids_get_suffixes() {
        let p = import(r#"{"format":"spanmark","version":1,"documents":[{"id":"a","text":"x"},{"id":"a","text":"y"},{"text":"z"}]}"#).unwrap();
        let ids: Vec<_> = p.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "a-2", "doc-3"]);
    }

    #[test]
    fn export_refuses_spans_that_do_not_fit() {
        let mut p = sample();
        p.documents[1].spans.push(Span::new(0, 1, "PER"));
        assert!(export(&p).is_err());
    }

    /// A project with what version 2 adds: a nested span, a relation, a
    /// document label, notes with line breaks, quotes and markup.
    fn structured() -> Project {
        let mut d = Document::new("n", "Bank of China hired Ana.");
        let mut bank = Span::new(0, 13, "ORG");
        bank.id = Some("T1".into());
        bank.note = Some("\"full\" name\n<script>x</script>".into());
        let mut china = Span::new(8, 13, "LOC");
        china.id = Some("T2".into());
        let mut ana = Span::new(20, 23, "PER");
        ana.id = Some("T3".into());
        d.spans = vec![bank, china, ana];
        d.relations.push(Relation {
            id: "R1".into(),
            from: "T3".into(),
            to: "T1".into(),
            label: "works_for".into(),
        });
        d.doc_labels = vec!["business".into()];
        d.note = Some("checked\tonce 🙂".into());
        let mut p = Project {
            labels: LabelSet::empty(),
            documents: vec![d],
            overlap: Overlap::Nest,
        };
        p.add_missing_labels();
        p.labels.relations.0[0].directed = false;
        p
    }

    #[test]
    fn version_2_keeps_relations_nesting_document_labels_and_notes() {
        let p = structured();
        let out = export(&p).unwrap();
        assert!(out.contains("\"overlap\": \"nested\""), "{out}");
        assert!(out.contains("\"relation_labels\": ["), "{out}");
        assert!(out.contains("\"doc_labels\": {"), "{out}");
        let back = import(&out).unwrap();
        assert_eq!(back, p);
        let ids: Vec<_> = back.documents[0]
            .spans
            .iter()
            .map(|s| s.id.clone())
            .collect();
        assert_eq!(
            ids,
            [Some("T1".into()), Some("T2".into()), Some("T3".into())]
        );
        assert_eq!(export(&back).unwrap(), out, "byte-stable");
        let flat = export(&sample()).unwrap();
        assert!(
            !flat.contains("relation_labels") && !flat.contains("doc_labels"),
            "{flat}"
        );
    }

    #[test]
    fn version_1_files_still_read() {
        let p = import(r##"{"format":"spanmark","version":1,"offsets":"codepoint","labels":[{"name":"ORG","color":"#fff","key":"1"}],
            "documents":[{"id":"a","text":"Bank of China","status":"done","spans":[{"start":0,"end":13,"label":"ORG"},{"start":8,"end":13,"label":"LOC","source":"model"}]}]}"##)
        .unwrap();
        assert_eq!(p.documents[0].spans.len(), 2);
        assert_eq!(p.overlap, Overlap::Nest, "what its spans need");
        assert!(p.labels.get("LOC").is_some());
    }

    #[test]
    fn labels_used_but_not_declared_are_added() {
        let p = import(r#"{"format":"spanmark","version":2,"labels":[],"documents":[{"id":"a","text":"Ana met Bo",
            "spans":[{"start":0,"end":3,"label":"PER","id":"T1"},{"start":8,"end":10,"label":"PER","id":"T2"}],
            "relations":[{"id":"R1","from":"T1","to":"T2","label":"met"}],"doc_labels":["social","news"]}]}"#)
        .unwrap();
        assert!(p.labels.relations.get("met").is_some_and(|l| l.directed));
        assert_eq!(p.labels.doc_labels.names, ["social", "news"]);
        assert!(p.labels.doc_labels.multi, "a document holds two");
        assert_eq!(p.overlap, Overlap::Forbid);
    }

    #[test]
    fn a_broken_link_or_a_crossing_under_nested_is_refused_naming_it() {
        let mut p = structured();
        p.documents[0].relations[0].to = "T9".into();
        let e = import(&export(&p).unwrap()).unwrap_err();
        assert!(
            e.message.contains("\"n\"") && e.message.contains("R1") && e.message.contains("\"T9\""),
            "{e}"
        );
        let mut p = structured();
        p.documents[0].spans[1] = Span {
            start: 10,
            end: 18,
            ..p.documents[0].spans[1].clone()
        };
        let out = export(&p).unwrap();
        let e = import(&out).unwrap_err();
        assert!(
            e.message.contains("\"n\"")
                && e.message.contains("T1 (0..13 ORG)")
                && e.message.contains("T2 (10..18 LOC)"),
            "{e}"
        );
        let any = out.replace("\"overlap\": \"nested\"", "\"overlap\": \"any\"");
        assert_eq!(import(&any).unwrap().overlap, Overlap::Allow);
        let none = out.replace("\"overlap\": \"nested\"", "\"overlap\": \"none\"");
        assert_eq!(
            import(&none).unwrap().overlap,
            Overlap::Allow,
            "what the crossing spans need"
        );
    }
}
