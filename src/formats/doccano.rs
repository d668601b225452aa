//! doccano's JSONL, one document a line, code point offsets (doccano is
//! Python), in the shapes its exports write (doccano's
//! `backend/data_export/models.py` and `tests/test_task.py`):
//!
//! - sequence labelling: `{"id","text","label":[[start,end,"LABEL"],...]}`;
//! - relation extraction: `{"id","text","entities":[{"id","label","start_offset",
//!   "end_offset"}],"relations":[{"id","from_id","to_id","type"}]}`, entity and
//!   relation ids integers;
//! - intent detection and slot filling: `{"text","entities":[[start,end,"LABEL"]],
//!   "cats":["LABEL"]}`; text classification: `{"text","label":["LABEL"]}`;
//! - comments: `"Comments": ["text", ...]`.
//!
//! Export writes the relation shape for a document with relations, or when
//! the project has relation labels (a relation project reads `entities`,
//! not `label`), else the sequence-labelling shape; document labels as
//! `cats`, the document's note as its one comment. Our `T<n>` span ids are
//! doccano's entity id `n` (and `R<n>` its relation id `n`); any other id
//! gets the next free number. Import reads every shape above (and the older
//! `"labels"` key): entity `n` becomes span `T<n>`, string items of
//! `label`/`labels` and `cats` are document labels, comments joined by a
//! blank line the note; a relation to an entity the line does not have is
//! refused naming the line and the relation. Every other field of a line
//! goes to the document's `meta` (as doccano itself does); export writes
//! meta fields back as top-level fields, except those whose names doccano
//! reserves, which go under `"meta"`. A line says `"offsets"` when not in
//! code points.

use super::util::{self, Where};
use super::{FormatError, Imported, Options};
use crate::doc::{Document, Project, Span};
use crate::relations::{self, Relation};
use crate::text::{OffsetMap, OffsetUnit};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const RESERVED: [&str; 10] = [
    "id",
    "text",
    "label",
    "labels",
    "entities",
    "relations",
    "cats",
    "Comments",
    "offsets",
    "meta",
];

pub fn export(project: &Project, options: &Options) -> Result<String, FormatError> {
    super::export_text(super::Format::Doccano, project, options)
}

/// doccano's integer for each id of the form `<prefix><n>` (`n`), the
/// others numbered after the largest.
fn numbers<'a>(prefix: char, ids: impl Iterator<Item = Option<&'a str>> + Clone) -> Vec<u64> {
    let mut next = relations::next_number(prefix, ids.clone().flatten());
    ids.map(|id| {
        id.and_then(|id| relations::number(prefix, id))
            .unwrap_or_else(|| {
                next += 1;
                next - 1
            })
    })
    .collect()
}

/// A document's line (with its newline).
pub(crate) fn write_doc(
    d: &Document,
    options: &Options,
    relation_shape: bool,
) -> Result<String, FormatError> {
    let map = OffsetMap::new(&d.text);
    let spans = util::spans_in(d, &map, options.offsets)?;
    let mut o = Map::new();
    o.insert("id".into(), json!(d.id));
    o.insert("text".into(), json!(d.text));
    if relation_shape || !d.relations.is_empty() {
        let ids = numbers('T', spans.iter().map(|&(_, _, s)| s.id.as_deref()));
        let entity_of: HashMap<&str, u64> = spans
            .iter()
            .zip(&ids)
            .filter_map(|(&(_, _, s), &n)| Some((s.id.as_deref()?, n)))
            .collect();
        let entities: Vec<Value> = spans
            .iter()
            .zip(&ids)
            .map(|(&(a, b, s), n)| {
                json!({"id": n, "label": s.label, "start_offset": a, "end_offset": b})
            })
            .collect();
        let rel_ids = numbers('R', d.relations.iter().map(|r| Some(r.id.as_str())));
        let mut rels = Vec::with_capacity(d.relations.len());
        for (r, n) in d.relations.iter().zip(rel_ids) {
            let end = |id: &str| {
                entity_of.get(id).copied().ok_or_else(|| {
                    FormatError::new(format!(
                        "cannot export: document {:?}: relation {} ({}) points to span {id:?}, which is not there",
                        d.id, r.id, r.label
                    ))
                })
            };
            rels.push(
                json!({"id": n, "from_id": end(&r.from)?, "to_id": end(&r.to)?, "type": r.label}),
            );
        }
        o.insert("entities".into(), Value::Array(entities));
        o.insert("relations".into(), Value::Array(rels));
    } else {
        let labels: Vec<Value> = spans
            .iter()
            .map(|&(a, b, s)| json!([a, b, s.label]))
            .collect();
        o.insert("label".into(), Value::Array(labels));
    }
    if !d.doc_labels.is_empty() {
        o.insert("cats".into(), json!(d.doc_labels));
    }
    if let Some(note) = &d.note {
        o.insert("Comments".into(), json!([note]));
    }
    let mut nested = Map::new();
    for (k, v) in util::meta_object(&d.meta) {
        if RESERVED.contains(&k.as_str()) {
            nested.insert(k, v);
        } else {
            o.insert(k, v);
        }
    }
    if !nested.is_empty() {
        o.insert("meta".into(), Value::Object(nested));
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
    util::finish_linked(docs, Vec::new())
}

/// Our id for a doccano id: `<prefix><n>` for a whole number `n`, any other
/// string as it is.
fn our_id(prefix: char, v: Option<&Value>) -> Option<String> {
    let id = util::id_of(v)?;
    Some(match id.parse::<u64>() {
        Ok(n) => format!("{prefix}{n}"),
        Err(_) => id,
    })
}

fn document(at: Where, n: usize, o: Map<String, Value>) -> Result<Document, FormatError> {
    let text = util::get_str(&o, "text")
        .map_err(|e| at.error(e))?
        .to_string();
    let id = util::id_of(o.get("id")).unwrap_or_else(|| format!("doc-{n}"));
    let unit = util::unit_of(&o, OffsetUnit::Codepoint).map_err(|e| at.error(e))?;
    let map = OffsetMap::new(&text);
    let mut doc = Document::new(id, text);
    let mut meta = Map::new();
    let ctx = |key: &str, i: usize, e: String| {
        at.error(format!("document {:?}, {key:?} item {i}: {e}", doc.id))
    };
    let array = |key: &str| -> Result<&[Value], FormatError> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(at.error(format!(
                "{key:?} is {}, expected an array",
                util::type_name(other)
            ))),
        }
    };
    let mut spans = Vec::new();
    let mut doc_labels: Vec<String> = Vec::new();
    for key in ["label", "labels", "cats"] {
        for (i, item) in array(key)?.iter().enumerate() {
            match item {
                Value::String(l) => {
                    if !doc_labels.contains(l) {
                        doc_labels.push(l.clone());
                    }
                }
                _ if key == "cats" => {
                    return Err(ctx(
                        key,
                        i,
                        format!("is {}, expected a label", util::type_name(item)),
                    ))
                }
                _ => spans.push(triple(item, &map, unit).map_err(|e| ctx(key, i, e))?),
            }
        }
    }
    for (i, item) in array("entities")?.iter().enumerate() {
        let span = if item.is_array() {
            triple(item, &map, unit)
        } else {
            entity(item, &map, unit)
        };
        spans.push(span.map_err(|e| ctx("entities", i, e))?);
    }
    for (i, item) in array("relations")?.iter().enumerate() {
        let r = relation(item, &spans).map_err(|e| ctx("relations", i, e))?;
        doc.relations.push(r);
    }
    let mut comments = Vec::new();
    for (i, c) in array("Comments")?.iter().enumerate() {
        match c {
            Value::String(t) => comments.push(t.clone()),
            Value::Object(c) => match c.get("text") {
                Some(Value::String(t)) => comments.push(t.clone()),
                _ => return Err(ctx("Comments", i, "has no \"text\"".into())),
            },
            other => {
                return Err(ctx(
                    "Comments",
                    i,
                    format!("is {}, expected a comment", util::type_name(other)),
                ))
            }
        }
    }
    if !comments.is_empty() {
        doc.note = Some(comments.join("\n\n"));
    }
    for (k, v) in o {
        if k == "meta" {
            if let Value::Object(m) = v {
                meta.extend(m);
            } else if !v.is_null() {
                meta.insert(k, v);
            }
        } else if !RESERVED.contains(&k.as_str()) {
            meta.insert(k, v);
        }
    }
    doc.spans = spans;
    doc.doc_labels = doc_labels;
    doc.meta = Value::Object(meta);
    Ok(doc)
}

/// `[start, end, "LABEL"]`.
fn triple(item: &Value, map: &OffsetMap, unit: OffsetUnit) -> Result<Span, String> {
    let a = item
        .as_array()
        .ok_or_else(|| format!("is {}, expected [start, end, label]", util::type_name(item)))?;
    if a.len() < 3 {
        return Err(format!(
            "has {} element(s), expected [start, end, label]",
            a.len()
        ));
    }
    let start = util::as_offset(&a[0], "start")?;
    let end = util::as_offset(&a[1], "end")?;
    let label = a[2]
        .as_str()
        .ok_or_else(|| format!("label is {}, expected a string", util::type_name(&a[2])))?;
    let (s, e) = util::span_from(map, start, end, unit)?;
    Ok(Span::new(s, e, label))
}

/// `{"id","start_offset","end_offset","label"}`.
fn entity(item: &Value, map: &OffsetMap, unit: OffsetUnit) -> Result<Span, String> {
    let o = item
        .as_object()
        .ok_or_else(|| format!("is {}, expected an object", util::type_name(item)))?;
    let start = util::get_offset(o, "start_offset")?;
    let end = util::get_offset(o, "end_offset")?;
    let label = util::get_str(o, "label")?;
    let (s, e) = util::span_from(map, start, end, unit)?;
    let mut span = Span::new(s, e, label);
    span.id = our_id('T', o.get("id"));
    Ok(span)
}

/// `{"id","from_id","to_id","type"}`, between entities of the same line.
fn relation(item: &Value, spans: &[Span]) -> Result<Relation, String> {
    let o = item
        .as_object()
        .ok_or_else(|| format!("is {}, expected an object", util::type_name(item)))?;
    let label = util::get_str(o, "type")?.to_string();
    let id = our_id('R', o.get("id")).unwrap_or_default();
    let end = |key: &str| -> Result<String, String> {
        let v = o.get(key).ok_or_else(|| format!("missing {key:?}"))?;
        let ours = our_id('T', Some(v))
            .ok_or_else(|| format!("{key:?} is {}, expected an entity id", util::type_name(v)))?;
        if spans.iter().any(|s| s.id.as_deref() == Some(ours.as_str())) {
            Ok(ours)
        } else {
            Err(format!(
                "relation {} ({label}): {key:?} {v} is no entity of this line",
                util::id_of(o.get("id")).unwrap_or_else(|| "without id".into())
            ))
        }
    };
    Ok(Relation {
        id,
        from: end("from_id")?,
        to: end("to_id")?,
        label,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_meta_and_units() {
        let mut d = Document::new("n1", "Straße in 🇩🇪 Köln\r\n\tund Zoë");
        d.spans.push(Span::new(0, 6, "LOC"));
        d.spans.push(Span::new(10, 12, "MISC"));
        d.spans.push(Span::new(13, 17, "LOC"));
        d.spans.push(Span::new(24, 27, "PER"));
        d.meta = json!({"source": "x", "text": "clash"});
        let mut p = Project {
            labels: crate::labels::LabelSet::empty(),
            documents: vec![d],
            ..Default::default()
        };
        p.add_missing_labels();
        for unit in [OffsetUnit::Codepoint, OffsetUnit::Utf16, OffsetUnit::Byte] {
            let o = Options {
                offsets: unit,
                ..Options::default()
            };
            let out = export(&p, &o).unwrap();
            let back = import(&out).unwrap();
            assert_eq!(back.project, p, "{out}");
            assert!(back.warnings.is_empty());
        }
        let out = export(&p, &Options::default()).unwrap();
        assert!(
            out.contains(r#""label":[[0,6,"LOC"],[10,12,"MISC"]"#),
            "{out}"
        );
        assert!(
            out.contains(r#""source":"x","meta":{"text":"clash"}"#),
            "{out}"
        );
    }

    /// A line as doccano's relation export writes it, with a nested entity,
    /// plus the text classification and comment columns.
    const RELATION_LINE: &str = r#"{"id": 12, "text": "Bank of China hired Ada", "entities": [{"id": 7, "label": "ORG", "start_offset": 0, "end_offset": 13}, {"id": 8, "label": "LOC", "start_offset": 8, "end_offset": 13}, {"id": 9, "label": "PER", "start_offset": 20, "end_offset": 23}], "relations": [{"id": 3, "from_id": 9, "to_id": 7, "type": "works_for"}], "cats": ["finance", "hiring"], "Comments": ["check the <b>date</b>"], "source": "wire"}"#;

    #[test]
    fn relations_cats_and_comments_are_kept_with_doccano_ids() {
        let r = import(RELATION_LINE).unwrap();
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let p = &r.project;
        let d = &p.documents[0];
        assert_eq!(d.id, "12");
        let ids: Vec<&str> = d.spans.iter().filter_map(|s| s.id.as_deref()).collect();
        assert_eq!(ids, ["T7", "T8", "T9"]);
        assert_eq!(
            d.relations,
            [Relation {
                id: "R3".into(),
                from: "T9".into(),
                to: "T7".into(),
                label: "works_for".into()
            }]
        );
        assert_eq!(d.doc_labels, ["finance", "hiring"]);
        assert_eq!(d.note.as_deref(), Some("check the <b>date</b>"));
        assert_eq!(d.meta, json!({"source": "wire"}));
        assert_eq!(p.overlap, crate::edit::Overlap::Nest);
        assert!(p.labels.relations.get("works_for").is_some());
        assert_eq!(p.labels.doc_labels.names, ["finance", "hiring"]);
        assert!(p.labels.doc_labels.multi);
        // Written back in the relation shape with the same numbers.
        let out = export(p, &Options::default()).unwrap();
        let v: Value = serde_json::from_str(out.trim()).unwrap();
        let want: Value = serde_json::from_str(RELATION_LINE).unwrap();
        for key in ["entities", "relations", "cats", "Comments", "source"] {
            assert_eq!(v[key], want[key], "{key}: {out}");
        }
        assert_eq!(import(&out).unwrap().project, *p);
    }

    #[test]
    fn a_relation_to_a_missing_entity_is_refused_naming_line_and_relation() {
        let bad = RELATION_LINE.replace(r#""to_id": 7"#, r#""to_id": 70"#);
        let e = import(&format!("{{\"text\": \"x\"}}\n{bad}")).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(
            e.message.contains("relation 3 (works_for)") && e.message.contains("\"to_id\" 70"),
            "{e}"
        );
    }

    #[test]
    fn intent_and_classification_shapes_give_document_labels() {
        let r = import(
            "{\"text\": \"book a flight to Paris\", \"entities\": [[17, 22, \"LOC\"]], \"cats\": [\"travel\"]}\n\
             {\"text\": \"great\", \"label\": [\"positive\"]}",
        )
        .unwrap();
        let d = &r.project.documents;
        assert_eq!(
            (d[0].spans.len(), d[0].doc_labels.as_slice()),
            (1, &["travel".to_string()][..])
        );
        assert_eq!(d[1].doc_labels, ["positive"]);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        // Span ids that are not T<n> still get doccano numbers.
        let mut p = r.project.clone();
        p.documents[0].spans[0].id = Some("city".into());
        p.labels.relations.ensure("in");
        let out = export(&p, &Options::default()).unwrap();
        assert!(
            out.contains(r#""entities":[{"id":1,"label":"LOC","start_offset":17,"end_offset":22}],"relations":[],"cats":["travel"]"#),
            "{out}"
        );
    }

    #[test]
    fn errors_name_line_and_item() {
        let e = import(
            "{\"text\":\"abc\",\"label\":[[0,1,\"X\"]]}\n{\"text\":\"abc\",\"label\":[[0,1]]}",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("\"label\" item 0"), "{e}");
        let e = import("{\"text\":\"abc\",\"label\":[[0,\"1\",\"X\"]]}").unwrap_err();
        assert!(e.message.contains("end is a string"), "{e}");
        let e = import("{\"text\":\"abc\",\"label\":[[2,9,\"X\"]]}").unwrap_err();
        assert!(e.message.contains("past the end"), "{e}");
    }
}
