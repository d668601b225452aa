//! Label Studio's task JSON (a list of tasks, as its "JSON" export writes and
//! its import reads) for a `<Labels name="label" toName="text">` +
//! `<Text name="text" value="$text">` project:
//!
//! ```json
//! [{"id": 1, "data": {"text": "...", "id": "doc id"}, "meta": {...},
//!   "annotations": [{"result": [{"id", "from_name": "label", "to_name": "text",
//!       "type": "labels", "value": {"start", "end", "text", "labels": ["PER"]}}]}],
//!   "predictions": [{"model_version": "spanmark-model", "result": [... "score"]}]}]
//! ```
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
//! region's `score`. A document gets an annotation when it has accepted spans
//! or is done; import marks a task with an annotation done. Import reads
//! `annotations` (or the older `completions`; the first one not cancelled,
//! with a warning when there are more) and `predictions` (as suggestions,
//! source `rule` when the model version says so). A region with several
//! labels becomes one span per label (with a warning); results of other types
//! (choices, relations, ...) are ignored with a count. A region whose `text`
//! does not match the task text at its offsets gives a warning. The "JSON-MIN"
//! export (`[{"text", "label": [{"start","end","labels"}]}]`) is read too.

use super::util;
use super::{FormatError, Imported, Options};
use crate::doc::{Document, Project, Source, Span, Status};
use crate::text::{slice_chars, OffsetMap, OffsetUnit};
use serde_json::{json, Map, Value};

pub fn export(project: &Project, options: &Options) -> Result<String, FormatError> {
    super::export_text(super::Format::LabelStudio, project, options)
}

/// A document as the `n`th task (from 0) of the list.
pub(crate) fn write_task(
    d: &Document,
    n: usize,
    options: &Options,
    _relation_labels: &crate::relations::RelationLabels,
) -> Result<Value, FormatError> {
    let map = OffsetMap::new(&d.text);
    let spans = util::spans_in(d, &map, options.offsets)?;
    let region = |k: usize, a: usize, b: usize, s: &Span| -> Value {
        let (ca, cb) = (s.start, s.end);
        let mut r = Map::new();
        r.insert(
            "id".into(),
            json!(s.id.clone().unwrap_or_else(|| format!("s{}", k + 1))),
        );
        r.insert("from_name".into(), json!("label"));
        r.insert("to_name".into(), json!("text"));
        r.insert("type".into(), json!("labels"));
        r.insert(
            "value".into(),
            json!({"start": a, "end": b, "text": slice_chars(&d.text, &map, ca, cb), "labels": [s.label]}),
        );
        if let Some(sc) = s.score {
            r.insert("score".into(), json!(sc));
        }
        if s.source != Source::User {
            r.insert("origin".into(), json!("prediction"));
        }
        Value::Object(r)
    };
    let mut accepted = Vec::new();
    let mut model = Vec::new();
    let mut rule = Vec::new();
    for (k, &(a, b, s)) in spans.iter().enumerate() {
        let r = region(k, a, b, s);
        match s.source {
            Source::User => accepted.push(r),
            Source::Model => model.push(r),
            Source::Rule => rule.push(r),
        }
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
    for (n, t) in tasks.into_iter().enumerate() {
        docs.push(task(n + 1, t, &mut warnings)?);
    }
    util::finish(docs, warnings)
}

fn task(n: usize, t: &Value, warnings: &mut Vec<String>) -> Result<Document, FormatError> {
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
    let mut ignored = 0;
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
            &mut ignored,
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
                n,
                &mut d,
                &map,
                unit,
                result,
                score,
                source,
                &mut ignored,
                warnings,
            )?;
        }
    }
    if ignored > 0 {
        warnings.push(format!(
            "task {n} ({:?}): {ignored} result(s) that are not text labels ignored",
            d.id
        ));
    }
    Ok(d)
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
    ignored: &mut usize,
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
        let is_span = matches!(ty, "labels")
            && value.is_some_and(|v| v.get("start").is_some() && v.get("end").is_some());
        if !is_span {
            *ignored += 1;
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
            {"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["pos"]}}
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
