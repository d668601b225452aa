//! Prodigy's JSONL tasks, as `ner.manual` writes them:
//! `{"id","text","tokens":[{"text","start","end","id","ws"}],"spans":[{"start","end","label","token_start","token_end"}],"answer":"accept"}`
//! per line, code point offsets, `token_end` inclusive.
//!
//! Tokens are spanmark's tokens split at every entity edge, with whitespace
//! handled as spaCy does ([`util::spacy_tokens`]: `ws` is one trailing space,
//! other whitespace is a token), so that every span starts and ends on token
//! edges and the tokens rebuild the text exactly. Suggestions keep their
//! `"source"` and `"score"` on the span; the document's meta goes to
//! `"meta"`; `"offsets"` says the unit when it is not code points (tokens and
//! spans alike). Every document is written with `"answer": "accept"`.
//!
//! Import takes spans by their character offsets (or, lacking those, by
//! `token_start`/`token_end` into `tokens`), marks `accept`ed tasks done and
//! keeps another answer in meta `"answer"`; Prodigy's own fields
//! (`_input_hash`, `_task_hash`, `_view_id`, ...) and any others go to meta.

use super::util::{self, Where};
use super::{FormatError, Imported, Options};
use crate::doc::{Document, Project, Source, Span, Status};
use crate::text::{OffsetMap, OffsetUnit};
use serde_json::{json, Map, Value};

const KNOWN: [&str; 7] = ["id", "text", "tokens", "spans", "answer", "meta", "offsets"];

pub fn export(project: &Project, options: &Options) -> Result<String, FormatError> {
    super::export_text(super::Format::Prodigy, project, options)
}

/// A token as Prodigy writes it.
#[derive(serde::Serialize)]
struct Token<'t> {
    text: &'t str,
    start: usize,
    end: usize,
    id: usize,
    ws: bool,
}

/// A document's task line (with its newline). The tokens, a dozen for
/// every span, are written straight into the line rather than built as JSON
/// values first (which took a gigabyte for a 4 MB text).
pub(crate) fn write_doc(
    d: &Document,
    options: &Options,
    _doc_labels: &[String],
) -> Result<String, FormatError> {
    let unit = options.offsets;
    let map = OffsetMap::new(&d.text);
    let spans = util::spans_in(d, &map, OffsetUnit::Codepoint)?;
    let bytes: Vec<(usize, usize)> = spans
        .iter()
        .map(|&(a, b, _)| {
            (
                map.char_to_byte(a).unwrap_or(0),
                map.char_to_byte(b).unwrap_or(0),
            )
        })
        .collect();
    let toks = util::spacy_tokens(&d.text, &bytes);
    let conv = |b: usize| map.convert(b, OffsetUnit::Byte, unit).unwrap_or(0);
    let mut out_spans = Vec::new();
    for (k, &(a, b, s)) in spans.iter().enumerate() {
        let (ba, bb) = bytes[k];
        let ts = toks.partition_point(|t| t.start < ba);
        let te = toks.partition_point(|t| t.end < bb);
        let mut o = Map::new();
        o.insert("start".into(), json!(conv(ba)));
        o.insert("end".into(), json!(conv(bb)));
        o.insert("label".into(), json!(s.label));
        o.insert("token_start".into(), json!(ts));
        o.insert("token_end".into(), json!(te));
        if s.source != Source::User {
            o.insert("source".into(), json!(s.source.name()));
        }
        if let Some(sc) = s.score {
            o.insert("score".into(), json!(sc));
        }
        if let Some(id) = &s.id {
            o.insert("id".into(), json!(id));
        }
        debug_assert_eq!((a, b), (s.start, s.end));
        out_spans.push(Value::Object(o));
    }
    let json_err = |e: serde_json::Error| FormatError::new(e.to_string());
    let mut out: Vec<u8> = Vec::with_capacity(d.text.len() * 4 + 64);
    out.extend_from_slice(b"{\"id\":");
    serde_json::to_writer(&mut out, &d.id).map_err(json_err)?;
    out.extend_from_slice(b",\"text\":");
    serde_json::to_writer(&mut out, &d.text).map_err(json_err)?;
    out.extend_from_slice(b",\"tokens\":[");
    for (i, t) in toks.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let token = Token {
            text: &d.text[t.start..t.end],
            start: conv(t.start),
            end: conv(t.end),
            id: i,
            ws: t.space,
        };
        serde_json::to_writer(&mut out, &token).map_err(json_err)?;
    }
    out.extend_from_slice(b"],\"spans\":");
    serde_json::to_writer(&mut out, &out_spans).map_err(json_err)?;
    out.extend_from_slice(b",\"answer\":\"accept\"");
    if d.meta != Value::Object(Map::new()) && !d.meta.is_null() {
        out.extend_from_slice(b",\"meta\":");
        serde_json::to_writer(&mut out, &d.meta).map_err(json_err)?;
    }
    if unit != OffsetUnit::Codepoint {
        out.extend_from_slice(b",\"offsets\":");
        serde_json::to_writer(&mut out, unit.name()).map_err(json_err)?;
    }
    out.extend_from_slice(b"}\n");
    String::from_utf8(out).map_err(|e| FormatError::new(e.to_string()))
}

pub fn import(content: &str) -> Result<Imported, FormatError> {
    let mut docs = Vec::new();
    for (n, (at, o)) in util::json_records(content)?.into_iter().enumerate() {
        docs.push(document(at, n + 1, o)?);
    }
    util::finish(docs, Vec::new())
}

fn document(at: Where, n: usize, o: Map<String, Value>) -> Result<Document, FormatError> {
    let text = util::get_str(&o, "text")
        .map_err(|e| at.error(e))?
        .to_string();
    let unit = util::unit_of(&o, OffsetUnit::Codepoint).map_err(|e| at.error(e))?;
    let mut meta = match o.get("meta") {
        Some(Value::Object(m)) => m.clone(),
        Some(Value::Null) | None => Map::new(),
        Some(other) => {
            let mut m = Map::new();
            m.insert("meta".into(), other.clone());
            m
        }
    };
    let id = util::id_of(o.get("id")).unwrap_or_else(|| format!("doc-{n}"));
    let map = OffsetMap::new(&text);
    let mut d = Document::new(id, text);
    let tokens: Vec<&Map<String, Value>> = match o.get("tokens") {
        Some(Value::Array(t)) => t.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    };
    match o.get("spans") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let s = span(item, &map, unit, &tokens)
                    .map_err(|e| at.error(format!("document {:?}, span {i}: {e}", d.id)))?;
                d.spans.push(s);
            }
        }
        Some(other) => {
            return Err(at.error(format!(
                "\"spans\" is {}, expected an array",
                util::type_name(other)
            )))
        }
    }
    match o.get("answer").and_then(Value::as_str) {
        Some("accept") => d.status = Status::Done,
        Some(a) => {
            meta.insert("answer".into(), json!(a));
        }
        None => {}
    }
    for (k, v) in o {
        if !KNOWN.contains(&k.as_str()) {
            meta.insert(k, v);
        }
    }
    d.meta = Value::Object(meta);
    Ok(d)
}

fn span(
    item: &Value,
    map: &OffsetMap,
    unit: OffsetUnit,
    tokens: &[&Map<String, Value>],
) -> Result<Span, String> {
    let so = item
        .as_object()
        .ok_or_else(|| format!("is {}, expected an object", util::type_name(item)))?;
    let label = util::get_str(so, "label")?;
    let (start, end) = if so.contains_key("start") || so.contains_key("end") {
        (util::get_offset(so, "start")?, util::get_offset(so, "end")?)
    } else {
        let ts = util::get_offset(so, "token_start")?;
        let te = util::get_offset(so, "token_end")?;
        let tok = |i: usize| {
            tokens
                .get(i)
                .ok_or_else(|| format!("token {i} is past the last token ({})", tokens.len()))
        };
        (
            util::get_offset(tok(ts)?, "start")?,
            util::get_offset(tok(te)?, "end")?,
        )
    };
    let (a, b) = util::span_from(map, start, end, unit)?;
    let mut s = Span::new(a, b, label);
    s.source = match so.get("source").and_then(Value::as_str) {
        Some("model") => Source::Model,
        Some("rule") => Source::Rule,
        _ => Source::User,
    };
    s.score = so.get("score").and_then(Value::as_f64);
    s.id = util::id_of(so.get("id"));
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Project {
        let text = "XZoëY met 👨‍👩‍👧 in New  York\r\n";
        let cp = |s: &str| text[..text.find(s).unwrap()].chars().count();
        let mut d = Document::new("p1", text);
        d.spans.push(Span::new(1, 4, "PER"));
        d.spans.push(Span::new(cp("👨"), cp("👨") + 5, "MISC"));
        let mut s = Span::new(cp("New"), cp("New") + 9, "LOC").with_source(Source::Model);
        s.score = Some(0.25);
        d.spans.push(s);
        d.status = Status::Done;
        d.meta = json!({"src": "x"});
        let mut p = Project {
            labels: crate::labels::LabelSet::empty(),
            documents: vec![d],
            ..Default::default()
        };
        p.add_missing_labels();
        p
    }

    #[test]
    fn tokens_split_at_entity_edges() {
        let p = sample();
        let out = export(&p, &Options::default()).unwrap();
        let v: Value = serde_json::from_str(out.trim()).unwrap();
        let toks: Vec<&str> = v["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            toks,
            [
                "X",
                "Zoë",
                "Y",
                "met",
                "👨‍👩‍👧",
                "in",
                "New",
                " ",
                "York",
                "\r\n"
            ]
        );
        assert_eq!(
            v["spans"][0],
            json!({"start": 1, "end": 4, "label": "PER", "token_start": 1, "token_end": 1})
        );
        assert_eq!(v["spans"][2]["token_start"], 6);
        assert_eq!(v["spans"][2]["token_end"], 8);
        assert_eq!(v["tokens"][2]["ws"], true);
        assert_eq!(v["answer"], "accept");
        for unit in [OffsetUnit::Codepoint, OffsetUnit::Utf16, OffsetUnit::Byte] {
            let out = export(
                &p,
                &Options {
                    offsets: unit,
                    ..Options::default()
                },
            )
            .unwrap();
            assert_eq!(import(&out).unwrap().project, p, "{out}");
        }
    }

    #[test]
    fn prodigy_fields_go_to_meta_and_token_spans_work() {
        let line = r#"{"text":"Ada met Bob","_input_hash":1,"_task_hash":2,"tokens":[{"text":"Ada","start":0,"end":3,"id":0,"ws":true},{"text":"met","start":4,"end":7,"id":1,"ws":true},{"text":"Bob","start":8,"end":11,"id":2,"ws":false}],"spans":[{"token_start":2,"token_end":2,"label":"PER"}],"answer":"reject"}"#;
        let p = import(line).unwrap().project;
        let d = &p.documents[0];
        assert_eq!((d.spans[0].start, d.spans[0].end), (8, 11));
        assert_eq!(
            d.meta,
            json!({"answer": "reject", "_input_hash": 1, "_task_hash": 2})
        );
        assert_eq!(d.status, Status::Todo);
        let e = import(r#"{"text":"Ada","spans":[{"token_start":0,"token_end":3,"label":"PER"}]}"#)
            .unwrap_err();
        assert!(e.message.contains("past the last token"), "{e}");
        let e = import("{\"text\":\"Ada\",\"spans\":[{\"start\":0,\"end\":4,\"label\":\"PER\"}]}")
            .unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("past the end"));
    }
}
