//! `spanmark annotate [IN [OUT]]`: pre-annotates documents. IN is JSONL of
//! `{"id","text",...}` (other fields are kept) or a `.txt` file (one document,
//! id = the file stem); OUT is JSONL `{"id","text",...,"spans":[{"start","end",
//! "label"}]}` with code-point offsets into the text exactly as given. `-` or
//! nothing means stdin/stdout. Streams line by line: memory stays flat.
//!
//! A line's own `"spans"` are kept as they are (with their ids, notes and
//! attributes, so that its `"relations"` still point at them); suggestions
//! are added where they overlap none of them. A native project file
//! (`.json`) is read whole and written as one, its spans, relations,
//! document labels and notes kept and suggestions added the same way.

use super::CliResult;
use crate::model::Model;
use crate::recognize::Recognizer;
use crate::text::OffsetMap;
use serde_json::{json, Map, Value};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input: JSONL of {"id","text"} or a .txt file; `-` or none for stdin
    pub input: Option<PathBuf>,
    /// Output JSONL; `-` or none for stdout
    pub output: Option<PathBuf>,
    /// Treat the input as one plain-text document (implied by a .txt name)
    #[arg(long)]
    pub txt: bool,
    /// Add each span's `source` and `score`
    #[arg(long)]
    pub scores: bool,
    /// A model file to use instead of the shipped one (`spanmark train`'s, or
    /// a learned model exported from the page)
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Your own rules: spaCy EntityRuler patterns (JSONL), matched before
    /// everything else (the page's Rules… export writes this file)
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Print `STATS {...}` (documents, tokens, recognition seconds, tokens/s)
    /// as the last line on stderr
    #[arg(long)]
    pub stats: bool,
}

/// The pipeline `annotate` and `eval` use: the standard recognizer with
/// `model` in place of the shipped one.
pub fn recognizer_with(model: Model) -> Recognizer {
    Recognizer::standard()
        .without("model")
        .with_stage(Box::new(model))
}

struct Stats {
    documents: u64,
    tokens: u64,
    time: Duration,
}

fn annotate_one(
    rec: &Recognizer,
    mut obj: Map<String, Value>,
    scores: bool,
    stats: &mut Stats,
    out: &mut impl Write,
) -> Result<(), String> {
    let text = match obj.get("text") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err("needs a string \"text\"".to_string()),
    };
    stats.tokens += crate::tokenize::tokenize(&text).len() as u64;
    let map = OffsetMap::new(&text);
    let t0 = Instant::now();
    let spans = rec.spans(&text, &map);
    stats.time += t0.elapsed();
    stats.documents += 1;
    if obj
        .get("offsets")
        .and_then(Value::as_str)
        .is_some_and(|u| u != "codepoint")
    {
        return Err("annotate reads code point offsets only (the line says \"offsets\")".into());
    }
    let kept: Vec<Value> = match obj.get("spans").cloned() {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(_) => return Err("\"spans\" is not an array".into()),
    };
    let mut taken = Vec::with_capacity(kept.len());
    for s in &kept {
        let get = |k: &str| s.get(k).and_then(Value::as_u64).map(|x| x as usize);
        match (get("start"), get("end")) {
            (Some(a), Some(b)) => taken.push((a, b)),
            _ => return Err(format!("a span needs whole-number start and end: {s}")),
        }
    }
    let added: Vec<(usize, Value)> = spans
        .into_iter()
        .filter(|s| !taken.iter().any(|&(a, b)| s.overlaps(a, b)))
        .map(|s| {
            let mut v = json!({"start": s.start, "end": s.end, "label": s.label});
            if scores {
                v["source"] = json!(s.source.name());
                if let Some(sc) = s.score {
                    v["score"] = json!((sc * 1e4).round() / 1e4);
                }
            }
            (s.start, v)
        })
        .collect();
    let mut all: Vec<(usize, Value)> = taken.iter().map(|t| t.0).zip(kept).collect();
    all.extend(added);
    // Stable: a kept span stays before a suggestion at its start.
    all.sort_by_key(|(start, _)| *start);
    let spans = all.into_iter().map(|(_, v)| v).collect();
    obj.insert("spans".to_string(), Value::Array(spans));
    serde_json::to_writer(&mut *out, &Value::Object(obj)).map_err(|e| e.to_string())?;
    out.write_all(b"\n").map_err(|e| e.to_string())
}

fn open_input(p: &Option<PathBuf>) -> Result<Box<dyn Read>, String> {
    match p {
        Some(p) if p.as_os_str() != "-" => {
            Ok(Box::new(std::fs::File::open(p).map_err(|e| {
                format!("cannot read {}: {e}", p.display())
            })?))
        }
        _ => Ok(Box::new(std::io::stdin().lock())),
    }
}

pub fn run(args: Args) -> CliResult {
    let rec = match &args.model {
        Some(p) => {
            let bytes =
                std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            if crate::recognize::learn::is_learned_model(&bytes) {
                // a model exported from the page's learning, on the shipped one
                crate::recognize::learn::recognizer_from_file(&bytes)
                    .map_err(|e| format!("{}: {e}", p.display()))?
            } else {
                recognizer_with(
                    Model::from_bytes(&bytes).map_err(|e| format!("{}: {e}", p.display()))?,
                )
            }
        }
        None => recognizer_with(Model::shipped()),
    };
    let rec = match &args.rules {
        Some(p) => read_rules(p)?.install(rec),
        None => rec,
    };
    let input = BufReader::with_capacity(1 << 16, open_input(&args.input)?);
    match args.output.as_deref() {
        Some(p) if p.as_os_str() != "-" => {
            // Stream into a temporary file beside OUT and rename it into place
            // only when every document is done: a bad input line leaves no
            // (partial) output, and an existing OUT stays as it was.
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            let tmp = p.with_file_name(format!(
                ".{}.{}.tmp",
                name.as_deref().unwrap_or("out"),
                std::process::id()
            ));
            let file = std::fs::File::create(&tmp)
                .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
            let result = annotate_all(&args, &rec, input, BufWriter::with_capacity(1 << 16, file))
                .and_then(|stats| {
                    std::fs::rename(&tmp, p)
                        .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
                    Ok(stats)
                });
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            report(&args, result?);
        }
        _ => {
            let out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let stats = annotate_all(&args, &rec, input, out)?;
            report(&args, stats);
        }
    }
    Ok(())
}

/// Reads a patterns file; patterns it cannot match faithfully are named on
/// stderr (the rest is used), a broken line is an error.
fn read_rules(p: &Path) -> Result<crate::recognize::rules::Rules, String> {
    let text =
        std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    let imported = crate::recognize::rules::Rules::from_jsonl(&text)
        .map_err(|e| format!("{}: {e}", p.display()))?;
    for (line, why) in &imported.skipped {
        eprintln!("{}: line {line}: skipped: {why}", p.display());
    }
    Ok(imported.rules)
}

fn report(args: &Args, stats: Stats) {
    if args.stats {
        let s = stats.time.as_secs_f64();
        let rate = if s > 0.0 {
            stats.tokens as f64 / s
        } else {
            0.0
        };
        eprintln!(
            "STATS {}",
            json!({"documents": stats.documents, "tokens": stats.tokens, "seconds": s, "tokens_per_s": rate.round()})
        );
    }
}

fn annotate_all(
    args: &Args,
    rec: &Recognizer,
    mut input: impl BufRead,
    mut out: impl Write,
) -> Result<Stats, String> {
    let mut stats = Stats {
        documents: 0,
        tokens: 0,
        time: Duration::ZERO,
    };
    let txt = args.txt
        || args
            .input
            .as_deref()
            .and_then(Path::extension)
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    let native = !txt
        && args
            .input
            .as_deref()
            .and_then(Path::extension)
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if native {
        let mut content = String::new();
        input
            .read_to_string(&mut content)
            .map_err(|e| format!("cannot read the input as UTF-8 text: {e}"))?;
        let mut project = crate::formats::json::import(&content).map_err(|e| e.to_string())?;
        for d in &mut project.documents {
            stats.tokens += crate::tokenize::tokenize(&d.text).len() as u64;
            let map = OffsetMap::new(&d.text);
            let t0 = Instant::now();
            let found = rec.spans(&d.text, &map);
            stats.time += t0.elapsed();
            stats.documents += 1;
            let fresh: Vec<_> = found
                .into_iter()
                .filter(|s| !d.spans.iter().any(|k| s.overlaps(k.start, k.end)))
                .collect();
            d.spans.extend(fresh);
            d.sort_spans();
        }
        project.add_missing_labels();
        let json = crate::formats::json::export(&project).map_err(|e| e.to_string())?;
        out.write_all(json.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| format!("cannot write the output: {e}"))?;
        return Ok(stats);
    }
    if txt {
        let mut text = String::new();
        input
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the input as UTF-8 text: {e}"))?;
        let id = args
            .input
            .as_deref()
            .and_then(Path::file_stem)
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "stdin".to_string());
        let mut obj = Map::new();
        obj.insert("id".into(), Value::String(id));
        obj.insert("text".into(), Value::String(text));
        annotate_one(rec, obj, args.scores, &mut stats, &mut out)?;
    } else {
        let mut line = String::new();
        let mut n = 0usize;
        loop {
            line.clear();
            n += 1;
            let read = input
                .read_line(&mut line)
                .map_err(|e| format!("line {n}: cannot read: {e}"))?;
            if read == 0 {
                break;
            }
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(&line)
                .map_err(|e| format!("line {n}: not a JSON object: {e}"))?;
            let Value::Object(obj) = v else {
                return Err(format!("line {n}: not a JSON object"));
            };
            if !obj.contains_key("id") {
                return Err(format!("line {n}: needs an \"id\""));
            }
            annotate_one(rec, obj, args.scores, &mut stats, &mut out)
                .map_err(|e| format!("line {n}: {e}"))?;
        }
    }
    out.flush()
        .map_err(|e| format!("cannot write the output: {e}"))?;
    Ok(stats)
}
