//! Label Studio's task JSON (a list of tasks, as its "JSON" export writes and
//! its import reads) for a project labelled with
//!
//! ```xml
//! <View>
//!   <Relations><Relation value="works_for"/></Relations>
//!   <Labels name="label" toName="text"><Label value="PER"/></Labels>
//!   <Text name="text" value="$text"/>
//!   <Choices name="category" toName="text" choice="multiple"><Choice value="news"/></Choices>
//!   <TextArea name="note" toName="text"/>
//!   <TextArea name="span_note" toName="text" perRegion="true"/>
//! </View>
//! ```
//!
//! ```json
//! [{"id": 1, "data": {"text": "...", "id": "doc id"}, "meta": {...},
//!   "annotations": [{"result": [
//!       {"id": "T1", "from_name": "label", "to_name": "text", "type": "labels",
//!        "value": {"start", "end", "text", "labels": ["PER"]}},
//!       {"id": "T1", "from_name": "span_note", "to_name": "text", "type": "textarea",
//!        "value": {"start", "end", "text": ["a span's note"]}},
//!       {"id": "R1", "from_id": "T1", "to_id": "T2", "type": "relation",
//!        "direction": "right", "labels": ["works_for"]},
//!       {"id": "category", "from_name": "category", "to_name": "text", "type": "choices",
//!        "value": {"choices": ["news"]}},
//!       {"id": "note", "from_name": "note", "to_name": "text", "type": "textarea",
//!        "value": {"text": ["the document's note"]}}]}],
//!   "predictions": [{"model_version": "spanmark-model", "result": [... "score"]}]}]
//! ```
//!
//! (Label Studio's task format, labelstud.io/guide/task_format; a per-region
//! control's result carries its region's `id`, a relation's `from_id` and
//! `to_id` name regions, `direction` is `right`, `left` or `bi`.)
//!
//! Offsets are code points. Label Studio's Text tag counted UTF-16 units
//! before its emoji fix (label-studio-frontend #308, 2022, "store code points
//! instead of JS length"); since then its exports and imports use code points
//! (issue #4988 shows the export right and only the highlight drawn off), and
//! that is what this module writes. `--offsets` writes another unit and says
//! so in a top-level `"offsets"` key of each task, which Label Studio itself
//! does not read.
//!
//! Accepted spans (source `user`) go to one annotation; suggestions go to one
//! prediction per source (`spanmark-model`, `spanmark-rule`) with each
//! region's `score`. A span's note goes with it, a relation with its `from`
//! span; document labels and the note go to the annotation. A document gets
//! an annotation when it has any of these or is done; import marks a task
//! with an annotation done. Import reads `annotations` (or the older
//! `completions`; the first one not cancelled, with a warning when there
//! are more) and `predictions` (as suggestions, source `rule` when the model
//! version says so): text labels, relations (a `left` one turned round, a
//! `bi` one's label made undirected; one relation per label, `relation`
//! when it has none), choices as document labels, a text area as the
//! document's note or, when it has a region's id, that span's note. A
//! relation to a region that is not in the task is refused naming the task.
//! A region with several labels becomes one span per label (with a warning);
//! results of other types are ignored with a count. A region whose `text`
//! does not match the task text at its offsets gives a warning. The
//! "JSON-MIN" export (`[{"text", "label": [{"start","end","labels"}]}]`) is
//! read too.

use super::util;
use super::{FormatError, Imported, Options};
use crate::doc::{Document, Project, Source, Span, Status};
use crate::relations::{Relation, RelationLabels};
use crate::text::{slice_chars, OffsetMap, OffsetUnit};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

pub fn export(project: &Project, options: &Options) -> Result<String, FormatError> {
    super::export_text(super::Format::LabelStudio, project, options)
}

/// A document as the `n`th task (from 0) of the list.
pub(crate) fn write_task(
    d: &Document,
    n: usize,
    options: &Options,
    relation_labels: &RelationLabels,
) -> Result<Value, FormatError> {
    let map = OffsetMap::new(&d.text);
    let spans = util::spans_in(d, &map, options.offsets)?;
    // Results by where they go: the annotation, the model's and the rules'
    // predictions.
    let mut groups: [Vec<Value>; 3] = Default::default();
    let group = |s: Source| match s {
        Source::User => 0,
        Source::Model => 1,
        Source::Rule => 2,
    };
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for (k, &(a, b, s)) in spans.iter().enumerate() {
        let id = s.id.clone().unwrap_or_else(|| format!("s{}", k + 1));
        let mut r = Map::new();
        r.insert("id".into(), json!(id));
        r.insert("from_name".into(), json!("label"));
        r.insert("to_name".into(), json!("text"));
        r.insert("type".into(), json!("labels"));
        r.insert(
            "value".into(),
            json!({"start": a, "end": b, "text": slice_chars(&d.text, &map, s.start, s.end), "labels": [s.label]}),
        );
        if let Some(sc) = s.score {
            r.insert("score".into(), json!(sc));
        }
        if s.source != Source::User {
            r.insert("origin".into(), json!("prediction"));
        }
        let g = &mut groups[group(s.source)];
        g.push(Value::Object(r));
        if let Some(note) = &s.note {
            g.push(
                json!({"id": id, "from_name": "span_note", "to_name": "text", "type": "textarea",
                "value": {"start": a, "end": b, "text": [note]}}),
            );
        }
        if let Some(id) = s.id.as_deref() {
            group_of.insert(id, group(s.source));
        }
    }
    for r in &d.relations {
        let direction = match relation_labels.get(&r.label) {
            Some(l) if !l.directed => "bi",
            _ => "right",
        };
        let g = group_of.get(r.from.as_str()).copied().unwrap_or(0);
        groups[g].push(
            json!({"id": r.id, "from_id": r.from, "to_id": r.to, "type": "relation",
            "direction": direction, "labels": [r.label]}),
        );
    }
    let [mut accepted, model, rule] = groups;
    if !d.doc_labels.is_empty() {
        accepted.push(
            json!({"id": "category", "from_name": "category", "to_name": "text",
            "type": "choices", "value": {"choices": d.doc_labels}}),
        );
    }
    if let Some(note) = &d.note {
        accepted.push(json!({"id": "note", "from_name": "note", "to_name": "text",
            "type": "textarea", "value": {"text": [note]}}));
    }
    let mut t = Map::new();
    t.insert("id".into(), json!(n + 1));
    t.insert("data".into(), json!({"text": d.text, "id": d.id}));
    if d.meta != Value::Object(Map::new()) && !d.meta.is_null() {
        t.insert("meta".into(), d.meta.clone());
    }
    let annotations = if accepted.is_empty() && d.status != Status::Done {
        vec![]
    } else {
        vec![json!({"result": accepted})]
    };
    t.insert("annotations".into(), Value::Array(annotations));
    let mut predictions = Vec::new();
    for (version, result) in [("spanmark-model", model), ("spanmark-rule", rule)] {
        if !result.is_empty() {
            predictions.push(json!({"model_version": version, "result": result}));
        }
    }
    t.insert("predictions".into(), Value::Array(predictions));
    if options.offsets != OffsetUnit::Codepoint {
        t.insert("offsets".into(), json!(options.offsets.name()));
    }
    Ok(Value::Object(t))
}

pub fn import(content: &str) -> Result<Imported, FormatError> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let v: Value = serde_json::from_str(content).map_err(|e| FormatError::from_json(&e))?;
    let tasks: Vec<&Value> = match &v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![&v],
        other => {
            return Err(FormatError::new(format!(
                "expected a JSON list of Label Studio tasks, found {}",
                util::type_name(other)
            )))
        }
    };
    let mut docs = Vec::new();
    let mut warnings = Vec::new();
    let mut undirected = HashSet::new();
    for (n, t) in tasks.into_iter().enumerate() {
        docs.push(task(n + 1, t, &mut warnings, &mut undirected)?);
    }
    let mut out = util::finish_linked(docs, warnings)?;
    for l in &mut out.project.labels.relations.0 {
        if undirected.contains(&l.name) {
            l.directed = false;
        }
    }
    Ok(out)
}

/// What a task's results say besides its spans, joined to the spans once
/// every result is read (a relation may come before its regions).
#[derive(Default)]
struct Links {
    /// (id, from region, to region, label).
    relations: Vec<(String, String, String, String)>,
    /// (result id, text) of each text area.
    notes: Vec<(Option<String>, String)>,
    doc_labels: Vec<String>,
    /// Results of other kinds, not read.
    ignored: usize,
}

fn task(
    n: usize,
    t: &Value,
    warnings: &mut Vec<String>,
    undirected: &mut HashSet<String>,
) -> Result<Document, FormatError> {
    let err = |m: String| FormatError::new(format!("task {n}: {m}"));
    let t = t
        .as_object()
        .ok_or_else(|| err(format!("is {}, expected an object", util::type_name(t))))?;
    let unit = util::unit_of(t, OffsetUnit::Codepoint).map_err(err)?;
    // A task without "data" is its own data (Label Studio's import rule and
    // the JSON-MIN export).
    let data = match t.get("data") {
        Some(Value::Object(d)) => d,
        Some(other) => {
            return Err(err(format!(
                "\"data\" is {}, expected an object",
                util::type_name(other)
            )))
        }
        None => t,
    };
    let text = match data.get("text") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(err(format!(
                "\"data.text\" is {}, expected a string",
                util::type_name(other)
            )))
        }
        None => return Err(err("no \"text\" in \"data\"".into())),
    };
    let id = util::id_of(data.get("id"))
        .filter(|_| t.get("data").is_some())
        .or_else(|| util::id_of(t.get("id")))
        .unwrap_or_else(|| format!("doc-{n}"));
    let map = OffsetMap::new(&text);
    let mut d = Document::new(id, text);
    if let Some(m) = t.get("meta").filter(|m| !m.is_null()) {
        d.meta = m.clone();
    }
    let mut links = Links::default();
    // Accepted annotations.
    let mut annotations: Vec<&Value> = Vec::new();
    for key in ["annotations", "completions"] {
        if let Some(Value::Array(a)) = t.get(key) {
            annotations.extend(
                a.iter()
                    .filter(|x| x.get("was_cancelled").and_then(Value::as_bool) != Some(true)),
            );
        }
    }
    if annotations.len() > 1 {
        warnings.push(format!(
            "task {n} ({:?}): {} annotations; the first is used",
            d.id,
            annotations.len()
        ));
    }
    if let Some(a) = annotations.first() {
        d.status = Status::Done;
        let result = a.get("result").unwrap_or(&Value::Null);
        read_results(
            n,
            &mut d,
            &map,
            unit,
            result,
            None,
            Source::User,
            &mut links,
            undirected,
            warnings,
        )?;
    }
    if t.get("data").is_none() {
        // JSON-MIN: regions under "label".
        if let Some(Value::Array(items)) = t.get("label") {
            for (i, item) in items.iter().enumerate() {
                let spans = region_spans(&map, unit, item, &d.text)
                    .map_err(|m| err(format!("region {i}: {m}")))?;
                push_spans(n, &mut d, spans, Source::User, None, None, warnings);
            }
        }
    }
    if let Some(Value::Array(preds)) = t.get("predictions") {
        for p in preds {
            let version = p.get("model_version").and_then(Value::as_str).unwrap_or("");
            let source = if version.contains("rule") {
                Source::Rule
            } else {
                Source::Model
            };
            let score = p.get("score").and_then(Value::as_f64);
            let result = p.get("result").unwrap_or(&Value::Null);
            read_results(
                n, &mut d, &map, unit, result, score, source, &mut links, undirected, warnings,
            )?;
        }
    }
    let ignored = links.ignored;
    if ignored > 0 {
        warnings.push(format!(
            "task {n} ({:?}): {ignored} result(s) that are not text labels, relations, choices or text areas ignored",
            d.id
        ));
    }
    join_links(n, &mut d, links)?;
    Ok(d)
}

/// Puts a task's relations, notes and document labels on its document.
fn join_links(n: usize, d: &mut Document, links: Links) -> Result<(), FormatError> {
    let regions: HashSet<&str> = d.spans.iter().filter_map(|s| s.id.as_deref()).collect();
    for (id, from, to, label) in &links.relations {
        for end in [from, to] {
            if !regions.contains(end.as_str()) {
                return Err(FormatError::new(format!(
                    "task {n} ({:?}): relation {from} → {to} ({label}) points to region {end:?}, \
                     which is not in the task",
                    d.id
                )));
            }
        }
        d.relations.push(Relation {
            id: id.clone(),
            from: from.clone(),
            to: to.clone(),
            label: label.clone(),
        });
    }
    let mut doc_notes = Vec::new();
    for (id, text) in links.notes {
        let span = id.and_then(|id| d.spans.iter_mut().find(|s| s.id.as_deref() == Some(&id)));
        match span {
            Some(s) => s.note = Some(text),
            None => doc_notes.push(text),
        }
    }
    if !doc_notes.is_empty() {
        d.note = Some(doc_notes.join("\n\n"));
    }
    d.doc_labels = links.doc_labels;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn read_results(
    n: usize,
    d: &mut Document,
    map: &OffsetMap,
    unit: OffsetUnit,
    result: &Value,
    score: Option<f64>,
    source: Source,
    links: &mut Links,
    undirected: &mut HashSet<String>,
    warnings: &mut Vec<String>,
) -> Result<(), FormatError> {
    let items = match result {
        Value::Array(a) => a,
        Value::Null => return Ok(()),
        other => {
            return Err(FormatError::new(format!(
                "task {n}: \"result\" is {}, expected a list",
                util::type_name(other)
            )))
        }
    };
    for (i, r) in items.iter().enumerate() {
        let ty = r.get("type").and_then(Value::as_str).unwrap_or("labels");
        let value = r.get("value");
        let strings = |v: Option<&Value>| -> Vec<String> {
            match v {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect(),
                _ => Vec::new(),
            }
        };
        match ty {
            "relation" => {
                let (Some(from), Some(to)) =
                    (util::id_of(r.get("from_id")), util::id_of(r.get("to_id")))
                else {
                    return Err(FormatError::new(format!(
                        "task {n} ({:?}), result {i}: a relation without \"from_id\" and \"to_id\"",
                        d.id
                    )));
                };
                let direction = r
                    .get("direction")
                    .and_then(Value::as_str)
                    .unwrap_or("right");
                let (from, to) = if direction == "left" {
                    (to, from)
                } else {
                    (from, to)
                };
                let mut labels = strings(r.get("labels"));
                if labels.is_empty() {
                    labels.push("relation".into());
                }
                for label in labels {
                    if direction == "bi" {
                        undirected.insert(label.clone());
                    }
                    let id = util::id_of(r.get("id")).unwrap_or_default();
                    links.relations.push((id, from.clone(), to.clone(), label));
                }
                continue;
            }
            "choices" => {
                for c in strings(value.and_then(|v| v.get("choices"))) {
                    if !links.doc_labels.contains(&c) {
                        links.doc_labels.push(c);
                    }
                }
                continue;
            }
            "textarea" => {
                let lines = strings(value.and_then(|v| v.get("text")));
                if !lines.is_empty() {
                    links
                        .notes
                        .push((util::id_of(r.get("id")), lines.join("\n")));
                }
                continue;
            }
            _ => {}
        }
        let is_span = matches!(ty, "labels")
            && value.is_some_and(|v| v.get("start").is_some() && v.get("end").is_some());
        if !is_span {
            links.ignored += 1;
            continue;
        }
        let spans = region_spans(map, unit, value.unwrap_or(&Value::Null), &d.text)
            .map_err(|m| FormatError::new(format!("task {n} ({:?}), result {i}: {m}", d.id)))?;
        let id = util::id_of(r.get("id"));
        let score = r.get("score").and_then(Value::as_f64).or(score);
        push_spans(n, d, spans, source, id, score, warnings);
    }
    Ok(())
}

/// Spans of one region's value, with the warnings it raises.
fn region_spans(
    map: &OffsetMap,
    unit: OffsetUnit,
    v: &Value,
    text: &str,
) -> Result<(Vec<Span>, Vec<String>), String> {
    let o = v
        .as_object()
        .ok_or_else(|| format!("value is {}, expected an object", util::type_name(v)))?;
    if o.get("start").is_some_and(Value::is_string) {
        return Err("offsets are strings (an HTML/XPath region), not Text offsets".into());
    }
    let start = util::get_offset(o, "start")?;
    let end = util::get_offset(o, "end")?;
    let (a, b) = util::span_from(map, start, end, unit)?;
    let labels: Vec<&str> = match o.get("labels") {
        Some(Value::Array(l)) => l.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => return Err("no \"labels\"".into()),
    };
    if labels.is_empty() {
        return Err("\"labels\" is empty".into());
    }
    let mut notes = Vec::new();
    if let Some(Value::String(t)) = o.get("text") {
        let actual = slice_chars(text, map, a, b);
        if actual != t {
            notes.push(format!(
                "region {start}..{end} says its text is {t:?} but the task text there is \
                 {actual:?} (offsets in another unit?); the offsets are kept"
            ));
        }
    }
    if labels.len() > 1 {
        notes.push(format!(
            "region {start}..{end} has {} labels; imported as one span per label",
            labels.len()
        ));
    }
    Ok((
        labels.into_iter().map(|l| Span::new(a, b, l)).collect(),
        notes,
    ))
}

fn push_spans(
    n: usize,
    d: &mut Document,
    (spans, notes): (Vec<Span>, Vec<String>),
    source: Source,
    id: Option<String>,
    score: Option<f64>,
    warnings: &mut Vec<String>,
) {
    for note in notes {
        warnings.push(format!("task {n} ({:?}): {note}", d.id));
    }
    for mut s in spans {
        s.source = source;
        s.id = id.clone();
        s.score = score;
        d.spans.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Project {
        let text = "👨‍👩‍👧 Zoë Ball\r\nflew to Paris 🇫🇷";
        let mut d = Document::new("a-1", text);
        let mut s = Span::new(6, 14, "PER");
        s.id = Some("r1".into());
        d.spans.push(s);
        let mut m = Span::new(24, 29, "LOC").with_source(Source::Model);
        m.score = Some(0.75);
        m.id = Some("m1".into());
        d.spans.push(m);
        let mut r = Span::new(30, 32, "MISC").with_source(Source::Rule);
        r.id = Some("q1".into());
        d.spans.push(r);
        d.status = Status::Done;
        d.meta = json!({"k": [1, 2]});
        let mut p = Project {
            labels: crate::labels::LabelSet::empty(),
            documents: vec![d, Document::new("b", "nothing here")],
            ..Default::default()
        };
        p.add_missing_labels();
        p
    }

    #[test]
    fn round_trip_with_predictions() {
        let p = sample();
        for unit in [OffsetUnit::Codepoint, OffsetUnit::Utf16, OffsetUnit::Byte] {
            let out = export(
                &p,
                &Options {
                    offsets: unit,
                    ..Options::default()
                },
            )
            .unwrap();
            let back = import(&out).unwrap();
            assert_eq!(back.project, p, "{out}");
            assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        }
        let out = export(&p, &Options::default()).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        let r = &v[0]["annotations"][0]["result"][0];
        assert_eq!(
            r["value"],
            json!({"start": 6, "end": 14, "text": "Zoë Ball", "labels": ["PER"]})
        );
        assert_eq!(r["from_name"], "label");
        assert_eq!(v[0]["predictions"][0]["model_version"], "spanmark-model");
        assert_eq!(v[0]["predictions"][0]["result"][0]["score"], 0.75);
        assert_eq!(v[1]["annotations"], json!([]));
    }

    #[test]
    fn label_studio_export_with_utf16_offsets_warns() {
        // A task as an old Label Studio wrote it: offsets in UTF-16 units.
        let t = r#"[{"id": 9, "data": {"text": "😀 Paris is big"}, "annotations": [{"result": [
            {"id": "x", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 3, "end": 8, "text": "Paris", "labels": ["LOC", "GPE"]}},
            {"id": "c", "from_name": "sentiment", "to_name": "text", "type": "rating", "value": {"rating": 4}}
        ]}, {"result": []}]}]"#;
        let r = import(t).unwrap();
        let d = &r.project.documents[0];
        assert_eq!(d.id, "9");
        assert_eq!(d.spans.len(), 2);
        let all = r.warnings.join("\n");
        assert!(all.contains("2 annotations"), "{all}");
        assert!(all.contains("another unit"), "{all}");
        assert!(all.contains("2 labels"), "{all}");
        assert!(all.contains("1 result(s)"), "{all}");
    }

    /// A task as Label Studio exports it from the project in the module's
    /// header: a nested region, relations written both ways and
    /// undirected, choices, a note and a region's note, a prediction with
    /// its own relation.
    const LINKED: &str = r#"[{"id": 4, "data": {"text": "Bank of China hired Ada Lima"},
      "annotations": [{"id": 1, "result": [
        {"id": "a1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 0, "end": 13, "text": "Bank of China", "labels": ["ORG"]}},
        {"id": "a2", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 8, "end": 13, "text": "China", "labels": ["LOC"]}},
        {"id": "a3", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 20, "end": 28, "text": "Ada Lima", "labels": ["PER"]}},
        {"from_id": "a1", "to_id": "a3", "type": "relation", "direction": "left", "labels": ["works_for"]},
        {"from_id": "a2", "to_id": "a1", "type": "relation", "direction": "bi", "labels": ["near"]},
        {"id": "a3", "from_name": "span_note", "to_name": "text", "type": "textarea",
         "value": {"start": 20, "end": 28, "text": ["new hire", "<b>check</b>"]}},
        {"id": "zz", "from_name": "category", "to_name": "text", "type": "choices",
         "value": {"choices": ["finance", "people"]}},
        {"id": "nn", "from_name": "note", "to_name": "text", "type": "textarea",
         "value": {"text": ["seen twice"]}}]}],
      "predictions": [{"model_version": "m", "result": [
        {"id": "p1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 14, "end": 19, "text": "hired", "labels": ["EVENT"]}, "score": 0.5},
        {"from_id": "p1", "to_id": "a3", "type": "relation", "direction": "right", "labels": []}]}]}]"#;

    #[test]
    fn relations_choices_and_notes_in_annotations_and_predictions() {
        let r = import(LINKED).unwrap();
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let p = &r.project;
        let d = &p.documents[0];
        let rel: Vec<(&str, &str, &str)> = d
            .relations
            .iter()
            .map(|r| (r.from.as_str(), r.to.as_str(), r.label.as_str()))
            .collect();
        assert_eq!(
            rel,
            [
                ("a3", "a1", "works_for"),
                ("a2", "a1", "near"),
                ("p1", "a3", "relation")
            ]
        );
        assert_eq!(d.doc_labels, ["finance", "people"]);
        assert_eq!(d.note.as_deref(), Some("seen twice"));
        let ada = d.spans.iter().find(|s| s.label == "PER").unwrap();
        assert_eq!(ada.note.as_deref(), Some("new hire\n<b>check</b>"));
        assert_eq!(p.overlap, crate::edit::Overlap::Nest);
        assert!(!p.labels.relations.get("near").unwrap().directed);
        assert!(p.labels.relations.get("works_for").unwrap().directed);
        // Written back: the suggestion's relation in its prediction, the
        // undirected one as "bi", and read again the same.
        let out = export(p, &Options::default()).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        let pred = &v[0]["predictions"][0]["result"];
        assert_eq!(pred[1]["type"], "relation", "{out}");
        assert_eq!(pred[1]["from_id"], "p1", "{out}");
        let ann = v[0]["annotations"][0]["result"].as_array().unwrap();
        assert!(ann
            .iter()
            .any(|r| r["direction"] == "bi" && r["labels"] == json!(["near"])));
        let back = import(&out).unwrap();
        assert_eq!(back.project, *p);
    }

    #[test]
    fn a_relation_to_a_missing_region_is_refused_naming_the_task() {
        let bad = LINKED.replace(
            r#""to_id": "a3", "type": "relation", "direction": "right""#,
            r#""to_id": "gone", "type": "relation", "direction": "right""#,
        );
        let e = import(&bad).unwrap_err();
        assert!(
            e.message.starts_with("task 1 (\"4\")") && e.message.contains("\"gone\""),
            "{e}"
        );
    }

    #[test]
    fn json_min_and_errors() {
        let r = import(r#"[{"text": "Ada Lovelace", "id": 3, "label": [{"start": 0, "end": 12, "text": "Ada Lovelace", "labels": ["PER"]}]}]"#).unwrap();
        assert_eq!(r.project.documents[0].spans[0].end, 12);
        assert_eq!(r.project.documents[0].id, "3");
        let e = import(r#"[{"data": {"text": "abc"}, "annotations": [{"result": [{"type": "labels", "value": {"start": 1, "end": 7, "labels": ["X"]}}]}]}]"#).unwrap_err();
        assert!(
            e.message.starts_with("task 1") && e.message.contains("past the end"),
            "{e}"
        );
        let e = import(r#"[{"data": {"txt": "abc"}}]"#).unwrap_err();
        assert!(e.message.contains("no \"text\""), "{e}");
        let e = import("[{\"data\": \n{\"text\": \"abc\"}").unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
