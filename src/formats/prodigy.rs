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
//! Relations are written as Prodigy's `rel.manual` saves them:
//! `"relations": [{"head", "child", "head_span", "child_span", "label"}]`,
//! `head` and `child` the index of each span's last token (what spaCy's
//! relation-extraction example reads back, `span_end_to_start[rel["head"]]`),
//! `head_span` and `child_span` the spans themselves. Document labels are
//! written as the choice interface saves them: `"options": [{"id", "text"}]`
//! listing the project's document labels, and `"accept"` the ids chosen.
//! Prodigy has no field for notes: the [`super::Writer`] counts them as left
//! out.
//!
//! Import takes spans by their character offsets (or, lacking those, by
//! `token_start`/`token_end` into `tokens`), marks `accept`ed tasks done and
//! keeps another answer in meta `"answer"`; a relation's ends are found by
//! `head_span`/`child_span` (else the span ending on token `head`/`child`),
//! and one that names no span of its line is refused naming the line and the
//! relation; `accept` names document labels through `options` (every option
//! a label of the project). Prodigy's own fields
//! (`_input_hash`, `_task_hash`, `_view_id`, ...) and any others go to meta.

use super::util::{self, Where};
use super::{FormatError, Imported, Options};
use crate::doc::{Document, Project, Source, Span, Status};
use crate::relations::Relation;
use crate::text::{OffsetMap, OffsetUnit};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const KNOWN: [&str; 10] = [
    "id",
    "text",
    "tokens",
    "spans",
    "answer",
    "meta",
    "offsets",
    "relations",
    "options",
    "accept",
];

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
    doc_labels: &[String],
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
    let mut relations = Vec::with_capacity(d.relations.len());
    if !d.relations.is_empty() {
        let at: HashMap<&str, usize> = spans
            .iter()
            .enumerate()
            .filter_map(|(k, &(_, _, s))| Some((s.id.as_deref()?, k)))
            .collect();
        for r in &d.relations {
            let end = |id: &str| -> Result<(Value, Value), FormatError> {
                let k = *at.get(id).ok_or_else(|| {
                    FormatError::new(format!(
                        "cannot export: document {:?}: relation {} ({}) points to span {id:?}, which is not there",
                        d.id, r.id, r.label
                    ))
                })?;
                let o = &out_spans[k];
                let span = json!({"start": o["start"], "end": o["end"], "token_start": o["token_start"],
                    "token_end": o["token_end"], "label": o["label"]});
                Ok((o["token_end"].clone(), span))
            };
            let (head, head_span) = end(&r.from)?;
            let (child, child_span) = end(&r.to)?;
            relations.push(json!({"head": head, "child": child, "head_span": head_span,
                "child_span": child_span, "label": r.label}));
        }
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
    if !relations.is_empty() {
        out.extend_from_slice(b",\"relations\":");
        serde_json::to_writer(&mut out, &relations).map_err(json_err)?;
    }
    if !doc_labels.is_empty() || !d.doc_labels.is_empty() {
        let mut names: Vec<&String> = doc_labels.iter().collect();
        names.extend(d.doc_labels.iter().filter(|l| !doc_labels.contains(l)));
        let options: Vec<Value> = names
            .into_iter()
            .map(|l| json!({"id": l, "text": l}))
            .collect();
        out.extend_from_slice(b",\"options\":");
        serde_json::to_writer(&mut out, &options).map_err(json_err)?;
        out.extend_from_slice(b",\"accept\":");
        serde_json::to_writer(&mut out, &d.doc_labels).map_err(json_err)?;
    }
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
    let mut offered = Vec::new();
    for (n, (at, o)) in util::json_records(content)?.into_iter().enumerate() {
        docs.push(document(at, n + 1, o, &mut offered)?);
    }
    let mut out = util::finish_linked(docs, Vec::new())?;
    let names = &mut out.project.labels.doc_labels.names;
    for l in offered {
        if !names.contains(&l) {
            names.push(l);
        }
    }
    Ok(out)
}

/// A choice task's options as (id, label), and the labels its `accept`
/// names.
fn choices(o: &Map<String, Value>) -> Result<(Vec<String>, Vec<String>), String> {
    let mut by_id = HashMap::new();
    let mut offered = Vec::new();
    if let Some(Value::Array(opts)) = o.get("options") {
        for (i, opt) in opts.iter().enumerate() {
            let id =
                util::id_of(opt.get("id")).ok_or_else(|| format!("option {i} has no \"id\""))?;
            let text = match opt.get("text") {
                Some(Value::String(t)) => t.clone(),
                _ => id.clone(),
            };
            by_id.insert(id, text.clone());
            offered.push(text);
        }
    }
    let mut chosen = Vec::new();
    match o.get("accept") {
        None | Some(Value::Null) => {}
        Some(Value::Array(ids)) => {
            for (i, id) in ids.iter().enumerate() {
                let id = util::id_of(Some(id))
                    .ok_or_else(|| format!("\"accept\" item {i} is not an option id"))?;
                let label = by_id.get(&id).cloned().unwrap_or(id);
                if !chosen.contains(&label) {
                    chosen.push(label);
                }
            }
        }
        Some(other) => {
            return Err(format!(
                "\"accept\" is {}, expected an array",
                util::type_name(other)
            ))
        }
    }
    Ok((offered, chosen))
}

fn document(
    at: Where,
    n: usize,
    o: Map<String, Value>,
    offered: &mut Vec<String>,
) -> Result<Document, FormatError> {
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
    if let Some(Value::Array(rels)) = o.get("relations") {
        if !rels.is_empty() {
            d.number_ids();
        }
        for (i, r) in rels.iter().enumerate() {
            let rel = relation(r, &d.spans, &map, unit, &tokens)
                .map_err(|e| at.error(format!("document {:?}, relation {i}: {e}", d.id)))?;
            d.relations.push(rel);
        }
    }
    let (options, chosen) = choices(&o).map_err(|e| at.error(e))?;
    offered.extend(options);
    d.doc_labels = chosen;
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

/// One of `rel.manual`'s relations, its ends found among `spans` (which
/// have ids): by `head_span`/`child_span`, else the span ending on token
/// `head`/`child`.
fn relation(
    r: &Value,
    spans: &[Span],
    map: &OffsetMap,
    unit: OffsetUnit,
    tokens: &[&Map<String, Value>],
) -> Result<Relation, String> {
    let o = r
        .as_object()
        .ok_or_else(|| format!("is {}, expected an object", util::type_name(r)))?;
    let label = util::get_str(o, "label")?.to_string();
    let end = |token: &str, span_key: &str| -> Result<String, String> {
        let found = match o.get(span_key) {
            Some(sv @ Value::Object(_)) => {
                let s = span(sv, map, unit, tokens).map_err(|e| format!("{span_key:?}: {e}"))?;
                spans
                    .iter()
                    .find(|x| (x.start, x.end, &x.label) == (s.start, s.end, &s.label))
            }
            _ => {
                let t = util::get_offset(o, token)?;
                let t = tokens.get(t).ok_or_else(|| {
                    format!("{token:?} {t} is past the last token ({})", tokens.len())
                })?;
                let end = util::get_offset(t, "end")?;
                let (_, end) = util::span_from(map, 0, end, unit).unwrap_or((0, usize::MAX));
                spans.iter().find(|x| x.end == end)
            }
        };
        found
            .and_then(|s| s.id.clone())
            .ok_or_else(|| format!("{label:?}: its {token} names no span of this line"))
    };
    Ok(Relation {
        id: String::new(),
        from: end("head", "head_span")?,
        to: end("child", "child_span")?,
        label,
    })
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

    /// A task as `rel.manual` with `--span-label` and a choice block save
    /// it: "Bank of China" holding "China", relations by their spans and
    /// one by its head token only, and the document's choice.
    const REL_TASK: &str = r#"{"text":"Bank of China hired Ada","tokens":[{"text":"Bank","start":0,"end":4,"id":0,"ws":true},{"text":"of","start":5,"end":7,"id":1,"ws":true},{"text":"China","start":8,"end":13,"id":2,"ws":true},{"text":"hired","start":14,"end":19,"id":3,"ws":true},{"text":"Ada","start":20,"end":23,"id":4,"ws":false}],"spans":[{"start":0,"end":13,"token_start":0,"token_end":2,"label":"ORG"},{"start":8,"end":13,"token_start":2,"token_end":2,"label":"LOC"},{"start":20,"end":23,"token_start":4,"token_end":4,"label":"PER"}],"relations":[{"head":4,"child":2,"head_span":{"start":20,"end":23,"token_start":4,"token_end":4,"label":"PER"},"child_span":{"start":0,"end":13,"token_start":0,"token_end":2,"label":"ORG"},"label":"works_for"},{"head":2,"child":4,"label":"hires"}],"options":[{"id":1,"text":"finance"},{"id":2,"text":"sport"}],"accept":[1],"answer":"accept","_view_id":"blocks"}"#;

    #[test]
    fn relations_and_choices_as_rel_manual_and_choice_save_them() {
        let r = import(REL_TASK).unwrap();
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let p = &r.project;
        let d = &p.documents[0];
        let name = |id: &str| {
            let s = d
                .spans
                .iter()
                .find(|s| s.id.as_deref() == Some(id))
                .unwrap();
            (s.start, s.end, s.label.clone())
        };
        let rels: Vec<_> = d
            .relations
            .iter()
            .map(|r| (name(&r.from), name(&r.to), r.label.as_str()))
            .collect();
        assert_eq!(
            rels,
            [
                ((20, 23, "PER".into()), (0, 13, "ORG".into()), "works_for"),
                // Token 2 ends "Bank of China" and "China": the first.
                ((0, 13, "ORG".into()), (20, 23, "PER".into()), "hires"),
            ]
        );
        assert_eq!(d.doc_labels, ["finance"]);
        assert_eq!(p.labels.doc_labels.names, ["finance", "sport"]);
        assert_eq!(d.meta["_view_id"], "blocks");
        let out = export(p, &Options::default()).unwrap();
        let v: Value = serde_json::from_str(out.trim()).unwrap();
        let want: Value = serde_json::from_str(REL_TASK).unwrap();
        assert_eq!(v["relations"][0], want["relations"][0], "{out}");
        assert_eq!(v["relations"][1]["head"], 2, "{out}");
        assert_eq!(
            v["options"],
            json!([{"id": "finance", "text": "finance"}, {"id": "sport", "text": "sport"}])
        );
        assert_eq!(v["accept"], json!(["finance"]));
        assert_eq!(import(&out).unwrap().project, *p);
    }

    #[test]
    fn a_relation_to_no_span_is_refused_naming_line_and_relation() {
        let bad = REL_TASK.replace(
            r#"{"head":2,"child":4,"label":"hires"}"#,
            r#"{"head":3,"child":4,"label":"hires"}"#,
        );
        let e = import(&format!("{{\"text\":\"x\"}}\n{bad}")).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(
            e.message
                .contains("relation 1: \"hires\": its head names no span"),
            "{e}"
        );
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
