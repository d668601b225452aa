//! JSON lines, one document per line:
//! `{"id","text","spans":[{"start","end","label"}]}` with code point offsets.
//!
//! Export adds, only where they say something: a span's `"source"` (when not
//! `user`), `"score"`, `"id"`, `"note"` and `"attrs"` (an object of
//! strings); the document's `"relations"` (`[{"id","from","to","label"}]`,
//! by span id), `"doc_labels"`, `"note"`, `"meta"` (when not empty) and
//! `"status": "done"`; and `"offsets"` naming the unit when it is not
//! `codepoint` (per line, so that lines can be split and joined freely).
//! Import reads all of these; any other field of a line is kept in the
//! document's `meta`. A file that is one JSON array of such objects is read
//! too.

use super::util::{self, Where};
use super::{FormatError, Imported, Options};
use crate::doc::{Document, Project, Source, Span, Status};
use crate::text::{OffsetMap, OffsetUnit};
use serde_json::{json, Map, Value};

const KNOWN: [&str; 9] = [
    "id",
    "text",
    "spans",
    "meta",
    "status",
    "offsets",
    "relations",
    "doc_labels",
    "note",
];

pub fn export(project: &Project, options: &Options) -> Result<String, FormatError> {
    super::export_text(super::Format::Jsonl, project, options)
}

/// A document's line (with its newline).
pub(crate) fn write_doc(d: &Document, options: &Options) -> Result<String, FormatError> {
    let map = OffsetMap::new(&d.text);
    let spans = util::spans_in(d, &map, options.offsets)?;
    let mut o = Map::new();
    o.insert("id".into(), json!(d.id));
    o.insert("text".into(), json!(d.text));
    let spans: Vec<Value> = spans
        .iter()
        .map(|&(a, b, s)| {
            let mut so = Map::new();
            so.insert("start".into(), json!(a));
            so.insert("end".into(), json!(b));
            so.insert("label".into(), json!(s.label));
            if s.source != Source::User {
                so.insert("source".into(), json!(s.source.name()));
            }
            if let Some(sc) = s.score {
                so.insert("score".into(), json!(sc));
            }
            if let Some(id) = &s.id {
                so.insert("id".into(), json!(id));
            }
            if let Some(note) = &s.note {
                so.insert("note".into(), json!(note));
            }
            if !s.attrs.is_empty() {
                so.insert("attrs".into(), json!(s.attrs));
            }
            Value::Object(so)
        })
        .collect();
    o.insert("spans".into(), Value::Array(spans));
    if !d.relations.is_empty() {
        o.insert("relations".into(), json!(d.relations));
    }
    if !d.doc_labels.is_empty() {
        o.insert("doc_labels".into(), json!(d.doc_labels));
    }
    if let Some(note) = &d.note {
        o.insert("note".into(), json!(note));
    }
    if d.meta != Value::Object(Map::new()) {
        o.insert("meta".into(), d.meta.clone());
    }
    if d.status == Status::Done {
        o.insert("status".into(), json!("done"));
    }
    if options.offsets != OffsetUnit::Codepoint {
        o.insert("offsets".into(), json!(options.offsets.name()));
    }
    let mut out = util::line(&Value::Object(o))?;
    out.push('\n');
    Ok(out)
}

pub fn import(content: &str) -> Result<Imported, FormatError> {
    let mut docs = Vec::new();
    for (n, (at, o)) in util::json_records(content)?.into_iter().enumerate() {
        docs.push(document(at, n + 1, o)?);
    }
    util::finish(docs, Vec::new())
}

fn document(at: Where, n: usize, mut o: Map<String, Value>) -> Result<Document, FormatError> {
    let text = util::get_str(&o, "text")
        .map_err(|e| at.error(e))?
        .to_string();
    let id = util::id_of(o.get("id")).unwrap_or_else(|| format!("doc-{n}"));
    let unit = util::unit_of(&o, OffsetUnit::Codepoint).map_err(|e| at.error(e))?;
    let map = OffsetMap::new(&text);
    let mut doc = Document::new(id, text);
    let context = |i: usize, e: String| at.error(format!("document {:?}, span {i}: {e}", doc.id));
    match o.get("spans") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let s = span(item, &map, unit).map_err(|e| context(i, e))?;
                doc.spans.push(s);
            }
        }
        Some(other) => {
            return Err(at.error(format!(
                "\"spans\" is {}, expected an array",
                util::type_name(other)
            )))
        }
    }
    if let Some(v) = o.get("relations").filter(|v| !v.is_null()) {
        doc.relations = serde_json::from_value(v.clone()).map_err(|e| {
            at.error(format!(
                "\"relations\": {e} (expected [{{\"id\", \"from\", \"to\", \"label\"}}])"
            ))
        })?;
    }
    if let Some(v) = o.get("doc_labels").filter(|v| !v.is_null()) {
        doc.doc_labels = serde_json::from_value(v.clone())
            .map_err(|_| at.error("\"doc_labels\" is not a list of strings"))?;
    }
    doc.note = match o.get("note") {
        None | Some(Value::Null) => None,
        Some(Value::String(n)) => Some(n.clone()),
        Some(v) => {
            return Err(at.error(format!(
                "\"note\" is {}, expected a string",
                util::type_name(v)
            )))
        }
    };
    util::check_relations(&doc).map_err(|e| at.error(e))?;
    doc.status = match o.get("status") {
        None | Some(Value::Null) => Status::Todo,
        Some(Value::String(s)) if s == "done" => Status::Done,
        Some(Value::String(s)) if s == "todo" => Status::Todo,
        Some(other) => {
            return Err(at.error(format!(
                "\"status\" is {other}, expected \"todo\" or \"done\""
            )))
        }
    };
    let meta = o.remove("meta");
    let extra: Vec<(String, Value)> = o
        .into_iter()
        .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
        .collect();
    doc.meta = match meta {
        Some(Value::Object(mut m)) => {
            m.extend(extra);
            Value::Object(m)
        }
        None | Some(Value::Null) => Value::Object(extra.into_iter().collect()),
        Some(other) if extra.is_empty() => other,
        Some(other) => {
            let mut m: Map<String, Value> = extra.into_iter().collect();
            m.insert("meta".into(), other);
            Value::Object(m)
        }
    };
    Ok(doc)
}

fn span(item: &Value, map: &OffsetMap, unit: OffsetUnit) -> Result<Span, String> {
    let so = item
        .as_object()
        .ok_or_else(|| format!("is {}, expected an object", util::type_name(item)))?;
    let start = util::get_offset(so, "start")?;
    let end = util::get_offset(so, "end")?;
    let label = util::get_str(so, "label")?;
    let (a, b) = util::span_from(map, start, end, unit)?;
    let mut s = Span::new(a, b, label);
    s.source = match so.get("source") {
        None | Some(Value::Null) => Source::User,
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|_| format!("\"source\" is {v}, expected \"user\", \"model\" or \"rule\""))?,
    };
    s.score = match so.get("score") {
        None | Some(Value::Null) => None,
        Some(Value::Number(x)) => x.as_f64(),
        Some(v) => {
            return Err(format!(
                "\"score\" is {}, expected a number",
                util::type_name(v)
            ))
        }
    };
    s.id = util::id_of(so.get("id"));
    s.note = match so.get("note") {
        None | Some(Value::Null) => None,
        Some(Value::String(n)) => Some(n.clone()),
        Some(v) => {
            return Err(format!(
                "\"note\" is {}, expected a string",
                util::type_name(v)
            ))
        }
    };
    if let Some(v) = so.get("attrs").filter(|v| !v.is_null()) {
        s.attrs = serde_json::from_value(v.clone())
            .map_err(|_| "\"attrs\" is not an object of strings".to_string())?;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Project;

    fn sample() -> Project {
        let mut d = Document::new("a", "👨‍👩‍👧 Zoë Ball\r\nflew\tto Paris 🇫🇷");
        d.spans.push(Span::new(6, 14, "PER"));
        let mut s = Span::new(24, 29, "LOC").with_source(Source::Model);
        s.score = Some(0.5);
        d.spans.push(s);
        d.spans.push(Span::new(30, 32, "MISC"));
        d.meta = json!({"source": "wire"});
        d.status = Status::Done;
        let mut e = Document::new("b", "e\u{301}clair");
        e.spans.push(Span::new(0, 7, "MISC"));
        let mut p = Project {
            labels: crate::labels::LabelSet::empty(),
            documents: vec![d, e],
            ..Default::default()
        };
        p.add_missing_labels();
        p
    }

    #[test]
    fn round_trip_in_every_unit() {
        let p = sample();
        for unit in [OffsetUnit::Codepoint, OffsetUnit::Utf16, OffsetUnit::Byte] {
            let o = Options {
                offsets: unit,
                ..Options::default()
            };
            let out = export(&p, &o).unwrap();
            assert_eq!(out.contains("\"offsets\""), unit != OffsetUnit::Codepoint);
            let back = import(&out).unwrap();
            assert_eq!(back.project, p, "{unit}\n{out}");
        }
        let out = export(&p, &Options::default()).unwrap();
        assert!(out.starts_with(r#"{"id":"a","text":"#), "{out}");
        assert!(
            out.contains(r#"{"start":6,"end":14,"label":"PER"}"#),
            "{out}"
        );
    }

    #[test]
    fn extra_fields_go_to_meta() {
        let p = import("{\"text\":\"Oslo\",\"spans\":[{\"start\":0,\"end\":4,\"label\":\"LOC\"}],\"source\":\"x\",\"meta\":{\"k\":1}}\n\n{\"id\":7,\"text\":\"\"}\n")
            .unwrap()
            .project;
        assert_eq!(p.documents[0].meta, json!({"k": 1, "source": "x"}));
        assert_eq!(p.documents[0].id, "doc-1");
        assert_eq!(p.documents[1].id, "7");
        assert_eq!(p.labels.get("LOC").map(|l| l.name.as_str()), Some("LOC"));
    }

    #[test]
    fn errors_name_line_and_span() {
        let bad = |s: &str| import(s).unwrap_err();
        let e = bad("{\"text\":\"ab\"}\n{\"text\":\"abc\",\"spans\":[{\"start\":1,\"end\":9,\"label\":\"X\"}]}");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.contains("span 0") && e.message.contains("past the end"),
            "{e}"
        );
        let e = bad("{\"text\":\"abc\",\"spans\":[{\"start\":-1,\"end\":2,\"label\":\"X\"}]}");
        assert!(e.message.contains("negative"), "{e}");
        let e = bad("{\"text\":\"abc\",\"spans\":[{\"start\":2,\"end\":1,\"label\":\"X\"}]}");
        assert!(e.message.contains("after its end"), "{e}");
        let e = bad("{\"text\":\"a😀\",\"offsets\":\"utf16\",\"spans\":[{\"start\":0,\"end\":2,\"label\":\"X\"}]}");
        assert!(e.message.contains("inside a character"), "{e}");
        let e = bad("{\"text\":\"abc\"}\n{\"text\":\"ab");
        assert_eq!(e.line, Some(2));
        assert!(e.column.is_some());
        let e = bad("{\"text\":5}");
        assert!(e.message.contains("\"text\" is a number"), "{e}");
        let e = bad("[1]");
        assert!(e.message.contains("record 1"), "{e}");
        let e = bad("{\"text\":\"abc\",\"spans\":[{\"start\":0,\"end\":1,\"label\":\"X\",\"source\":\"robot\"}]}");
        assert!(e.message.contains("source"), "{e}");
    }

    #[test]
    fn export_refuses_bad_spans() {
        let mut p = sample();
        p.documents[1].spans.push(Span::new(3, 99, "X"));
        let e = export(&p, &Options::default()).unwrap_err();
        assert!(e.message.contains("\"b\""), "{e}");
    }

    #[test]
    fn relations_document_labels_notes_and_attributes_round_trip() {
        let mut d = Document::new("r", "Ana met Bo.\n");
        let mut ana = Span::new(0, 3, "PER");
        ana.id = Some("T1".into());
        ana.note = Some("line one\nline \"two\" <b>".into());
        ana.attrs.insert("Negated".into(), "true".into());
        let mut bo = Span::new(8, 10, "PER");
        bo.id = Some("T2".into());
        d.spans = vec![ana, bo];
        d.relations.push(crate::relations::Relation {
            id: "R1".into(),
            from: "T1".into(),
            to: "T2".into(),
            label: "met".into(),
        });
        d.doc_labels = vec!["social".into()];
        d.note = Some("tab\there 🙂".into());
        let mut p = Project {
            labels: crate::labels::LabelSet::empty(),
            documents: vec![d],
            ..Default::default()
        };
        p.add_missing_labels();
        let out = export(&p, &Options::default()).unwrap();
        assert_eq!(out.lines().count(), 1, "{out}");
        let back = import(&out).unwrap();
        assert_eq!(back.project, p, "{out}");
        assert_eq!(
            back.project.documents[0].meta,
            json!({}),
            "nothing left over"
        );
        assert_eq!(export(&back.project, &Options::default()).unwrap(), out);
    }

    #[test]
    fn a_relation_to_a_missing_span_is_refused_naming_it() {
        let e = import("{\"text\":\"ab\"}\n{\"id\":\"q\",\"text\":\"Ana\",\"spans\":[{\"start\":0,\"end\":3,\"label\":\"PER\",\"id\":\"T1\"}],\"relations\":[{\"id\":\"R4\",\"from\":\"T1\",\"to\":\"T2\",\"label\":\"x\"}]}")
            .unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(
            e.message.contains("\"q\"") && e.message.contains("R4") && e.message.contains("\"T2\""),
            "{e}"
        );
    }
}
