//! doccano's sequence-labelling JSONL: `{"id","text","label":[[start,end,"LABEL"],...]}`
//! per line, code point offsets (doccano is Python).
//!
//! Import also reads the `entities` variant
//! (`{"text","entities":[{"id","start_offset","end_offset","label"}],"relations":[...]}`,
//! relations ignored with a warning) and the older `"labels"` key. Every other
//! field of a line goes to the document's `meta` (as doccano itself does);
//! export writes meta fields back as top-level fields, except those whose
//! names doccano reserves, which go under `"meta"`. A line says `"offsets"`
//! when not in code points.

use super::util::{self, Where};
use super::{FormatError, Imported, Options};
use crate::doc::{Document, Project, Span};
use crate::text::{OffsetMap, OffsetUnit};
use serde_json::{json, Map, Value};

const RESERVED: [&str; 8] = [
    "id",
    "text",
    "label",
    "labels",
    "entities",
    "relations",
    "offsets",
    "meta",
];

pub fn export(project: &Project, options: &Options) -> Result<String, FormatError> {
    super::export_text(super::Format::Doccano, project, options)
}

/// A document's line (with its newline).
pub(crate) fn write_doc(d: &Document, options: &Options) -> Result<String, FormatError> {
    let map = OffsetMap::new(&d.text);
    let spans = util::spans_in(d, &map, options.offsets)?;
    let mut o = Map::new();
    o.insert("id".into(), json!(d.id));
    o.insert("text".into(), json!(d.text));
    let labels: Vec<Value> = spans
        .iter()
        .map(|&(a, b, s)| json!([a, b, s.label]))
        .collect();
    o.insert("label".into(), Value::Array(labels));
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
    let mut warnings = Vec::new();
    for (n, (at, o)) in util::json_records(content)?.into_iter().enumerate() {
        docs.push(document(at, n + 1, o, &mut warnings)?);
    }
    util::finish(docs, warnings)
}

fn document(
    at: Where,
    n: usize,
    o: Map<String, Value>,
    warnings: &mut Vec<String>,
) -> Result<Document, FormatError> {
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
    let mut spans = Vec::new();
    let mut doc_labels = Vec::new();
    for key in ["label", "labels"] {
        match o.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(_) => doc_labels.push(item.clone()),
                        _ => spans.push(triple(item, &map, unit).map_err(|e| ctx(key, i, e))?),
                    }
                }
            }
            Some(other) => {
                return Err(at.error(format!(
                    "{key:?} is {}, expected an array",
                    util::type_name(other)
                )))
            }
        }
    }
    match o.get("entities") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                spans.push(entity(item, &map, unit).map_err(|e| ctx("entities", i, e))?);
            }
        }
        Some(other) => {
            return Err(at.error(format!(
                "\"entities\" is {}, expected an array",
                util::type_name(other)
            )))
        }
    }
    if let Some(Value::Array(r)) = o.get("relations") {
        if !r.is_empty() {
            warnings.push(format!(
                "document {:?}: {} relation(s) ignored (spanmark keeps entities only)",
                doc.id,
                r.len()
            ));
        }
    }
    if !doc_labels.is_empty() {
        warnings.push(format!(
            "document {:?}: document-level labels {} kept in meta \"label\", not as spans",
            doc.id,
            Value::Array(doc_labels.clone())
        ));
        meta.insert("label".into(), Value::Array(doc_labels));
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
    span.id = util::id_of(o.get("id"));
    Ok(span)
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

    #[test]
    fn entities_variant_and_relations() {
        let line = r#"{"id": 12, "text": "Ada met Bob", "entities": [{"id": 1, "start_offset": 0, "end_offset": 3, "label": "PER"}, {"id": 2, "start_offset": 8, "end_offset": 11, "label": "PER"}], "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "met"}], "Comments": []}"#;
        let r = import(line).unwrap();
        let d = &r.project.documents[0];
        assert_eq!(d.id, "12");
        assert_eq!(d.spans.len(), 2);
        assert_eq!(d.spans[1].id.as_deref(), Some("2"));
        assert_eq!(d.meta, json!({"Comments": []}));
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].contains("relation"));
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
