//! `spanmark eval GOLD [--pred PRED] [--json]`: entity-level precision, recall
//! and F1, per label and micro-averaged, with conlleval's exact-match rules (an
//! entity counts only if its type and both boundaries match).
//!
//! GOLD is CoNLL (token first column, tag last column; IOB1, IOB2 or IOBES,
//! chunked exactly as conlleval / seqeval's default mode do; or UNER's `.iob2`
//! layout, index, token, tag, read when every token line starts with its index)
//! or gold JSONL (`{"id","text","spans":[{"start","end","label"}]}`, code
//! points). Without `--pred` the shipped model tags the gold tokens (CoNLL) or
//! the recognizer annotates the text (JSONL, as `spanmark annotate` would).
//! `--raw` scores CoNLL gold the second way: each document's tokens are put
//! back into running text (see [`raw_text`]) and annotated as a whole.
//!
//! Gold may also be a native project file (`.spanmark.json`). When the gold
//! (JSON or JSONL, with `--pred` in the same format, documents matched by
//! id) has relations, they are scored too: a relation is right when both
//! its spans (offsets and label) and its label match, in the same direction
//! unless the gold's label set calls the label undirected. When it has
//! document labels: the share of documents whose labels are exactly the
//! gold's, and precision, recall and F1 per label. Both follow the entity
//! table (and are `"relations"` and `"doc_labels"` in `--json`).

use super::CliResult;
use crate::doc::{Document, Project};
use crate::formats::{self, Format};
use crate::model::{self, Model};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Gold annotations: CoNLL (tag in the last column) or JSONL
    pub gold: PathBuf,
    /// Predictions in the same format (CoNLL with the same tokens, or JSONL
    /// matched by id); without it the shipped model predicts
    #[arg(long)]
    pub pred: Option<PathBuf>,
    /// A model file to use instead of the shipped one
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Print the scores as JSON
    #[arg(long)]
    pub json: bool,
    /// Score only these labels (comma-separated), e.g. `PER,ORG,LOC,MISC`
    /// when JSONL gold has only those but the recognizer also finds dates
    #[arg(long, value_delimiter = ',')]
    pub labels: Vec<String>,
    /// With CoNLL gold: also write `token gold predicted` lines (conlleval's
    /// input format) to this file
    #[arg(long)]
    pub write_pred: Option<PathBuf>,
    /// With CoNLL gold: rebuild each document's running text from its tokens
    /// and annotate it with the whole pipeline, as `spanmark annotate` would
    /// (scored on the model's labels unless `--labels` says otherwise)
    #[arg(long)]
    pub raw: bool,
}

// ------------------------------------------------------------ CoNLL reading

/// One CoNLL sentence: tokens and their tags (last column).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConllSentence {
    pub tokens: Vec<String>,
    pub tags: Vec<String>,
}

/// A CoNLL document (split at `-DOCSTART-` lines).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConllDoc {
    pub sentences: Vec<ConllSentence>,
}

/// Reads CoNLL text: whitespace-separated columns, token first, tag last;
/// blank lines end sentences, `-DOCSTART-` lines end documents; `#` comment
/// lines (`# key = value`) are skipped, but `# newdoc` ends a document. When
/// every token line starts with its 1-based index in its sentence (UNER's
/// `.iob2`, CoNLL-U's way) the token is the second column and the tag the
/// third. A line with one column is an error.
pub fn read_conll(text: &str) -> Result<Vec<ConllDoc>, String> {
    let indexed = is_indexed(text);
    let mut docs = vec![ConllDoc::default()];
    let mut cur = ConllSentence::default();
    fn end_sentence(docs: &mut [ConllDoc], cur: &mut ConllSentence) {
        if !cur.tokens.is_empty() {
            docs.last_mut().unwrap().sentences.push(std::mem::take(cur));
        }
    }
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        let mut cols = line.split_whitespace();
        let Some(first) = cols.next() else {
            end_sentence(&mut docs, &mut cur);
            continue;
        };
        if first == "-DOCSTART-" || (first == "#" && line.starts_with("# newdoc")) {
            end_sentence(&mut docs, &mut cur);
            if !docs.last().unwrap().sentences.is_empty() {
                docs.push(ConllDoc::default());
            }
            continue;
        }
        if line.starts_with("# ") && line.contains(" = ") {
            // a CoNLL-U style comment line (`# sent_id = ...`)
            continue;
        }
        if line.split('\t').next().is_some_and(|t| t.trim().is_empty()) && line.contains('\t') {
            // a tab-separated token that is only white space (tweets have
            // them): not a token
            continue;
        }
        let (token, tag) = if indexed {
            let token = cols.next().unwrap_or_default();
            (token, cols.next())
        } else {
            (first, cols.last())
        };
        let Some(tag) = tag else {
            return Err(format!(
                "line {}: expected a token and a tag, found one column: {line:?}",
                n + 1
            ));
        };
        if !valid_tag(tag) {
            let col = line.rfind(tag).map_or(1, |b| line[..b].chars().count() + 1);
            return Err(format!(
                "line {}, column {col}: tag {tag:?} is not O or B-/I-/E-/S-/L-/U- and a type",
                n + 1
            ));
        }
        cur.tokens.push(token.to_string());
        cur.tags.push(tag.to_string());
    }
    end_sentence(&mut docs, &mut cur);
    docs.retain(|d| !d.sentences.is_empty());
    Ok(docs)
}

/// Whether every token line has at least three columns, the first its
/// 1-based index in the sentence.
fn is_indexed(text: &str) -> bool {
    let mut next = 1u64;
    let mut any = false;
    for line in text.lines() {
        let mut cols = line.split_whitespace();
        let Some(first) = cols.next() else {
            next = 1;
            continue;
        };
        if first == "-DOCSTART-" || line.starts_with('#') {
            continue;
        }
        if first.parse::<u64>() != Ok(next) || cols.count() < 2 {
            return false;
        }
        next += 1;
        any = true;
    }
    any
}

/// Running text from a document's tokens, as a person would have typed it,
/// and the gold entities as code-point spans of that text. Tokens are joined
/// by a space but for none before closing punctuation and clitics and none
/// after opening brackets, straight double quotes alternate opening and
/// closing; a sentence follows the one before on the same line when that one
/// ends in `.`, `!` or `?` (else, like a headline or a dateline, on the next).
pub fn raw_text(doc: &ConllDoc) -> (String, Entities) {
    let mut text = String::new();
    let mut chars = 0usize;
    let mut spans = Vec::new();
    let mut open_quote = false;
    let mut line_ended = true;
    for s in &doc.sentences {
        if !text.is_empty() {
            let sep = if line_ended { "\n" } else { " " };
            text.push_str(sep);
            chars += 1;
        }
        let mut at = Vec::with_capacity(s.tokens.len());
        let mut glue_next = true;
        for tok in &s.tokens {
            let t = tok.as_str();
            let closing = matches!(t, "," | "." | ";" | ":" | "!" | "?" | ")" | "]" | "}" | "%")
                || (t == "\"" && open_quote)
                || matches!(
                    t.to_ascii_lowercase().as_str(),
                    "'s" | "n't" | "'re" | "'ve" | "'ll" | "'d" | "'m" | "'"
                );
            if !glue_next && !closing {
                text.push(' ');
                chars += 1;
            }
            at.push(chars);
            text.push_str(t);
            chars += t.chars().count();
            glue_next = matches!(t, "(" | "[" | "{") || (t == "\"" && !open_quote);
            if t == "\"" {
                open_quote = !open_quote;
            }
        }
        for (label, a, b) in chunks(&s.tags) {
            let end = at[b - 1] + s.tokens[b - 1].chars().count();
            spans.push((label, (at[a], end)));
        }
        let last = s.tokens.iter().rev().find(|t| *t != "\"");
        line_ended = !last.is_some_and(|t| matches!(t.as_str(), "." | "!" | "?"));
    }
    (text, spans)
}

// ------------------------------------------------------------ chunking

/// `O`, or a chunk tag (B, I, E, S, or BILOU's L and U) and a non-empty type.
pub fn valid_tag(t: &str) -> bool {
    t == "O"
        || t.split_once('-')
            .is_some_and(|(p, ty)| matches!(p, "B" | "I" | "E" | "S" | "L" | "U") && !ty.is_empty())
}

/// Splits a tag like seqeval's default mode: the first character is the chunk
/// tag (B, I, E, S, O, ...), the type is what follows the first `-` (`_` when
/// there is none).
fn split_tag(t: &str) -> (char, &str) {
    let mut chars = t.chars();
    // BILOU's L and U are IOBES's E and S
    let tag = match chars.next().unwrap_or('O') {
        'L' => 'E',
        'U' => 'S',
        c => c,
    };
    let rest = chars.as_str();
    let ty = match rest.split_once('-') {
        Some((_, ty)) => ty,
        None => rest,
    };
    (tag, if ty.is_empty() { "_" } else { ty })
}

fn end_of_chunk(pt: char, t: char, pty: &str, ty: &str) -> bool {
    matches!(pt, 'E' | 'S')
        || (matches!(pt, 'B' | 'I') && matches!(t, 'B' | 'S' | 'O'))
        || (pt != 'O' && pt != '.' && pty != ty)
}

fn start_of_chunk(pt: char, t: char, pty: &str, ty: &str) -> bool {
    matches!(t, 'B' | 'S')
        || (matches!(pt, 'E' | 'S' | 'O') && matches!(t, 'E' | 'I'))
        || (t != 'O' && t != '.' && pty != ty)
}

/// Chunks `(type, start, end_exclusive)` of one sentence's tags, exactly as
/// conlleval and seqeval (default mode) find them, for IOB1, IOB2 and IOBES
/// (BILOU too, read as IOBES).
pub fn chunks(tags: &[impl AsRef<str>]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let (mut pt, mut pty) = ('O', "");
    let mut begin = 0;
    for i in 0..=tags.len() {
        let (t, ty) = if i < tags.len() {
            split_tag(tags[i].as_ref())
        } else {
            ('O', "_")
        };
        if end_of_chunk(pt, t, pty, ty) {
            out.push((pty.to_string(), begin, i));
        }
        if start_of_chunk(pt, t, pty, ty) {
            begin = i;
        }
        pt = t;
        pty = ty;
    }
    out
}

// ------------------------------------------------------------ scoring

/// Counts per label: gold entities, predicted entities, correct ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    pub counts: BTreeMap<String, (usize, usize, usize)>,
}

fn prf(gold: usize, pred: usize, correct: usize) -> (f64, f64, f64) {
    let p = if pred == 0 {
        0.0
    } else {
        correct as f64 / pred as f64
    };
    let r = if gold == 0 {
        0.0
    } else {
        correct as f64 / gold as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

impl Scores {
    /// Adds one unit (a sentence, a document) of gold and predicted entities,
    /// each `(label, start, end)`.
    pub fn add<K: std::hash::Hash + Eq + Clone>(
        &mut self,
        gold: &[(String, K)],
        pred: &[(String, K)],
    ) {
        let g: HashSet<&(String, K)> = gold.iter().collect();
        let p: HashSet<&(String, K)> = pred.iter().collect();
        for e in &g {
            self.counts.entry(e.0.clone()).or_default().0 += 1;
        }
        for e in &p {
            let c = self.counts.entry(e.0.clone()).or_default();
            c.1 += 1;
            if g.contains(e) {
                c.2 += 1;
            }
        }
    }

    pub fn micro(&self) -> (usize, usize, usize) {
        self.counts
            .values()
            .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2))
    }

    pub fn to_json(&self) -> Value {
        let one = |(g, p, c): (usize, usize, usize)| {
            let (pr, r, f) = prf(g, p, c);
            json!({"precision": pr, "recall": r, "f1": f, "support": g, "predicted": p, "correct": c})
        };
        let labels: serde_json::Map<String, Value> = self
            .counts
            .iter()
            .map(|(l, &c)| (l.clone(), one(c)))
            .collect();
        json!({"labels": labels, "micro": one(self.micro())})
    }

    pub fn to_table(&self) -> String {
        let mut s = format!(
            "{:<10} {:>9} {:>9} {:>9} {:>8} {:>9}\n",
            "label", "precision", "recall", "f1", "gold", "predicted"
        );
        let mut row = |name: &str, (g, p, c): (usize, usize, usize)| {
            let (pr, r, f) = prf(g, p, c);
            s.push_str(&format!(
                "{:<10} {:>9.2} {:>9.2} {:>9.2} {:>8} {:>9}\n",
                name,
                pr * 100.0,
                r * 100.0,
                f * 100.0,
                g,
                p
            ));
        };
        for (l, &c) in &self.counts {
            row(l, c);
        }
        row("micro", self.micro());
        s
    }
}

/// Scores predicted against gold CoNLL documents sentence by sentence; the
/// token sequences must be the same.
pub fn score_conll(gold: &[ConllDoc], pred: &[ConllDoc]) -> Result<Scores, String> {
    let gs: Vec<&ConllSentence> = gold.iter().flat_map(|d| &d.sentences).collect();
    let ps: Vec<&ConllSentence> = pred.iter().flat_map(|d| &d.sentences).collect();
    if gs.len() != ps.len() {
        return Err(format!(
            "gold has {} sentences, predictions have {}",
            gs.len(),
            ps.len()
        ));
    }
    let mut scores = Scores::default();
    for (k, (g, p)) in gs.iter().zip(&ps).enumerate() {
        if g.tokens != p.tokens {
            return Err(format!(
                "sentence {} differs in its tokens between gold and predictions",
                k + 1
            ));
        }
        scores.add(&keyed(chunks(&g.tags)), &keyed(chunks(&p.tags)));
    }
    Ok(scores)
}

fn keyed(c: Vec<(String, usize, usize)>) -> Vec<(String, (usize, usize))> {
    c.into_iter().map(|(l, a, b)| (l, (a, b))).collect()
}

/// Tags every sentence of `docs` with the model (document by document, so its
/// document features see the same context as in training), as IOB2 tags.
pub fn predict_conll(m: &Model, docs: &[ConllDoc]) -> Vec<ConllDoc> {
    with_tags(docs, &tag_conll(m, docs))
}

/// The model's tag ids for every token of every document (one `Vec` per
/// document, sentences concatenated).
pub fn tag_conll(m: &Model, docs: &[ConllDoc]) -> Vec<Vec<u8>> {
    let mut words: Vec<&str> = Vec::new();
    let mut sents = Vec::new();
    docs.iter()
        .map(|d| {
            words.clear();
            sents.clear();
            for s in &d.sentences {
                let a = words.len();
                words.extend(s.tokens.iter().map(String::as_str));
                sents.push(a..words.len());
            }
            m.tag(&words, &sents)
        })
        .collect()
}

/// The documents with their tags replaced by `tags` (from [`tag_conll`]).
pub fn with_tags(docs: &[ConllDoc], tags: &[Vec<u8>]) -> Vec<ConllDoc> {
    docs.iter()
        .zip(tags)
        .map(|(d, tags)| {
            let mut at = 0;
            ConllDoc {
                sentences: d
                    .sentences
                    .iter()
                    .map(|s| {
                        let n = s.tokens.len();
                        at += n;
                        ConllSentence {
                            tokens: s.tokens.clone(),
                            tags: iob2(&tags[at - n..at]),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// BILOU tag ids as IOB2 tag names.
pub fn iob2(tags: &[u8]) -> Vec<String> {
    let mut out = vec!["O".to_string(); tags.len()];
    for (a, b, ty) in model::spans_from_tags(tags) {
        out[a] = format!("B-{}", model::LABELS[ty]);
        for o in &mut out[a + 1..b] {
            *o = format!("I-{}", model::LABELS[ty]);
        }
    }
    out
}

// ------------------------------------------------------------ JSONL

/// Entities of one document: `(label, (start, end))`.
pub type Entities = Vec<(String, (usize, usize))>;
type JsonlDocs = Vec<(String, Entities, String)>;

/// Reads gold/predicted JSONL: per line `{"id","text","spans":[...]}`.
fn read_jsonl(text: &str, what: &str) -> Result<JsonlDocs, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .map_err(|e| format!("{what} line {}: not JSON: {e}", n + 1))?;
        let id = match v.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(x)) => x.to_string(),
            _ => return Err(format!("{what} line {}: no \"id\"", n + 1)),
        };
        let text = match v.get("text") {
            Some(Value::String(t)) => t.clone(),
            _ => return Err(format!("{what} line {}: needs a string \"text\"", n + 1)),
        };
        let mut spans = Vec::new();
        if let Some(ss) = v.get("spans").and_then(Value::as_array) {
            for s in ss {
                let get = |k: &str| s.get(k).and_then(Value::as_u64);
                match (
                    get("start"),
                    get("end"),
                    s.get("label").and_then(Value::as_str),
                ) {
                    (Some(a), Some(b), Some(l)) => {
                        let len = text.chars().count() as u64;
                        if a >= b || b > len {
                            return Err(format!(
                                "{what} line {}: span [{a}, {b}) is empty, reversed or past the end of the text ({len} code points)",
                                n + 1
                            ));
                        }
                        spans.push((l.to_string(), (a as usize, b as usize)))
                    }
                    _ => {
                        return Err(format!(
                            "{what} line {}: a span needs start, end and label",
                            n + 1
                        ))
                    }
                }
            }
        }
        out.push((id, spans, text));
    }
    Ok(out)
}

/// Whether the text is a native project file (not JSON lines).
fn is_native(text: &str) -> bool {
    Format::detect("", text.as_bytes()) == Some(Format::Json)
}

/// A native project file or spanmark JSONL read as a project.
fn read_project(text: &str, path: &Path) -> Result<Project, String> {
    let format = if is_native(text) {
        Format::Json
    } else {
        Format::Jsonl
    };
    let name = path.display().to_string();
    formats::import_as(format, &name, text.as_bytes())
        .map(|i| i.project)
        .map_err(|e| format!("{name}: {e}"))
}

/// A project's documents as `read_jsonl` gives them.
fn project_docs(p: &Project) -> JsonlDocs {
    p.documents
        .iter()
        .map(|d| {
            let spans = d
                .spans
                .iter()
                .map(|s| (s.label.clone(), (s.start, s.end)))
                .collect();
            (d.id.clone(), spans, d.text.clone())
        })
        .collect()
}

/// A span as a relation's end is matched: offsets and label.
type End = (usize, usize, String);

/// A document's relations as `(label, (from, to))`, an undirected one's
/// ends in offset order (so that either direction matches).
fn relation_keys(d: &Document, undirected: &HashSet<&str>) -> Vec<(String, (End, End))> {
    let by_id: HashMap<&str, &crate::doc::Span> = d
        .spans
        .iter()
        .filter_map(|s| Some((s.id.as_deref()?, s)))
        .collect();
    d.relations
        .iter()
        .filter_map(|r| {
            let end = |id: &str| by_id.get(id).map(|s| (s.start, s.end, s.label.clone()));
            let (a, b) = (end(&r.from)?, end(&r.to)?);
            let ends = if undirected.contains(r.label.as_str()) && b < a {
                (b, a)
            } else {
                (a, b)
            };
            Some((r.label.clone(), ends))
        })
        .collect()
}

/// Relation and document-label scores of predicted against gold projects
/// (documents matched by id); each `None` when the gold has none.
pub struct StructureScores {
    pub relations: Option<Scores>,
    /// Per-label scores, documents labelled exactly right, documents.
    pub doc_labels: Option<(Scores, usize, usize)>,
}

pub fn score_structure(gold: &Project, pred: &Project) -> StructureScores {
    let undirected: HashSet<&str> = gold
        .labels
        .relations
        .0
        .iter()
        .filter(|l| !l.directed)
        .map(|l| l.name.as_str())
        .collect();
    let preds: HashMap<&str, &Document> =
        pred.documents.iter().map(|d| (d.id.as_str(), d)).collect();
    let has_relations = gold.documents.iter().any(|d| !d.relations.is_empty());
    let has_labels = !gold.labels.doc_labels.names.is_empty()
        || gold.documents.iter().any(|d| !d.doc_labels.is_empty());
    let mut relations = Scores::default();
    let mut labels = Scores::default();
    let mut exact = 0;
    for g in &gold.documents {
        let p = preds.get(g.id.as_str());
        let p_rel = p.map(|p| relation_keys(p, &undirected)).unwrap_or_default();
        relations.add(&relation_keys(g, &undirected), &p_rel);
        let gl: Vec<(String, ())> = g.doc_labels.iter().map(|l| (l.clone(), ())).collect();
        let pl: Vec<(String, ())> = p
            .map(|p| p.doc_labels.iter().map(|l| (l.clone(), ())).collect())
            .unwrap_or_default();
        labels.add(&gl, &pl);
        let set = |v: &[(String, ())]| v.iter().map(|x| x.0.clone()).collect::<HashSet<_>>();
        exact += usize::from(set(&gl) == set(&pl));
    }
    StructureScores {
        relations: has_relations.then_some(relations),
        doc_labels: has_labels.then_some((labels, exact, gold.documents.len())),
    }
}

/// Whether a JSONL text names relations or document labels at all (only
/// then is it read a second time, as a project).
fn mentions_structure(text: &str) -> bool {
    text.contains("\"relations\"") || text.contains("\"doc_labels\"")
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn is_jsonl(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with('{'))
}

pub fn run(args: Args) -> CliResult {
    let gold_text = read(&args.gold)?;
    if gold_text.trim().is_empty() {
        return Err(format!("{}: the gold file is empty", args.gold.display()));
    }
    let m = match &args.model {
        Some(p) => Model::from_bytes(
            &std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        )
        .map_err(|e| format!("{}: {e}", p.display()))?,
        None => Model::shipped(),
    };
    // (tokens, seconds) of model tagging, for CoNLL gold without --pred
    let mut speed: Option<(usize, f64)> = None;
    let mut structure: Option<StructureScores> = None;
    let raw = args.raw && !is_jsonl(&gold_text);
    let mut labels = args.labels.clone();
    if raw && labels.is_empty() {
        labels = model::LABELS.iter().map(|l| l.to_string()).collect();
    }
    let scores = if is_jsonl(&gold_text) || raw {
        let gold = if raw {
            if args.pred.is_some() {
                return Err("--raw annotates the text itself: give no --pred".into());
            }
            read_conll(&gold_text)?
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let (text, spans) = raw_text(d);
                    (i.to_string(), spans, text)
                })
                .collect()
        } else if is_native(&gold_text) {
            project_docs(&read_project(&gold_text, &args.gold)?)
        } else {
            read_jsonl(&gold_text, "gold")?
        };
        let pred: HashMap<String, Entities> = match &args.pred {
            Some(p) => {
                let text = read(p)?;
                let docs = if is_native(&text) {
                    project_docs(&read_project(&text, p)?)
                } else {
                    read_jsonl(&text, "predictions")?
                };
                if !raw && (is_native(&gold_text) || mentions_structure(&gold_text)) {
                    structure = Some(score_structure(
                        &read_project(&gold_text, &args.gold)?,
                        &read_project(&text, p)?,
                    ));
                }
                docs.into_iter().map(|(id, s, _)| (id, s)).collect()
            }
            None => {
                let rec = super::annotate::recognizer_with(m);
                gold.iter()
                    .map(|(id, _, text)| {
                        let map = crate::text::OffsetMap::new(text);
                        let spans = rec
                            .spans(text, &map)
                            .into_iter()
                            .map(|s| (s.label, (s.start, s.end)))
                            .collect();
                        (id.clone(), spans)
                    })
                    .collect()
            }
        };
        let mut scores = Scores::default();
        for (id, g, _) in &gold {
            scores.add(g, pred.get(id).map(Vec::as_slice).unwrap_or(&[]));
        }
        scores
    } else {
        let gold = read_conll(&gold_text)?;
        let pred = match &args.pred {
            Some(p) => {
                let t = read(p)?;
                if is_jsonl(&t) {
                    return Err("with CoNLL gold, --pred must be CoNLL with the same tokens".into());
                }
                read_conll(&t)?
            }
            None => {
                let t0 = std::time::Instant::now();
                let tags = tag_conll(&m, &gold);
                let secs = t0.elapsed().as_secs_f64();
                let pred = with_tags(&gold, &tags);
                let tokens: usize = gold
                    .iter()
                    .flat_map(|d| &d.sentences)
                    .map(|s| s.tokens.len())
                    .sum();
                speed = Some((tokens, secs));
                pred
            }
        };
        if let Some(path) = &args.write_pred {
            let mut out = String::new();
            for (g, p) in gold
                .iter()
                .flat_map(|d| &d.sentences)
                .zip(pred.iter().flat_map(|d| &d.sentences))
            {
                for ((tok, gt), pt) in g.tokens.iter().zip(&g.tags).zip(&p.tags) {
                    out.push_str(&format!("{tok} {gt} {pt}\n"));
                }
                out.push('\n');
            }
            std::fs::write(path, out)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        score_conll(&gold, &pred)?
    };
    let speed = speed.map(|(tokens, secs)| {
        json!({"tokens": tokens, "seconds": secs, "tokens_per_s": (tokens as f64 / secs.max(1e-9)).round()})
    });
    let mut scores = scores;
    if !labels.is_empty() {
        scores.counts.retain(|l, _| labels.contains(l));
    }
    let structure = structure.unwrap_or(StructureScores {
        relations: None,
        doc_labels: None,
    });
    if args.json {
        let mut j = scores.to_json();
        if let Some(sp) = speed {
            j["speed"] = sp;
        }
        if let Some(r) = &structure.relations {
            j["relations"] = r.to_json();
        }
        if let Some((l, exact, n)) = &structure.doc_labels {
            let mut o = l.to_json();
            o["accuracy"] = json!(*exact as f64 / (*n).max(1) as f64);
            o["documents"] = json!(n);
            j["doc_labels"] = o;
        }
        println!("{j}");
    } else {
        print!("{}", scores.to_table());
        if let Some(r) = &structure.relations {
            print!("\nrelations\n{}", r.to_table());
        }
        if let Some((l, exact, n)) = &structure.doc_labels {
            print!(
                "\ndocument labels: accuracy {:.2} ({exact} of {n} documents exactly right)\n{}",
                *exact as f64 * 100.0 / (*n).max(1) as f64,
                l.to_table()
            );
        }
        if let Some(sp) = speed {
            println!(
                "model: {} tokens in {:.3} s, {} tokens/s (one thread, features + decoding)",
                sp["tokens"],
                sp["seconds"].as_f64().unwrap_or(0.0),
                sp["tokens_per_s"]
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(tags: &str) -> Vec<(String, usize, usize)> {
        let t: Vec<&str> = tags.split(' ').collect();
        chunks(&t)
    }

    #[test]
    fn chunks_iob1_iob2_iobes() {
        let s = |v: &[(&str, usize, usize)]| {
            v.iter()
                .map(|&(l, a, b)| (l.to_string(), a, b))
                .collect::<Vec<_>>()
        };
        // IOB1: I after O starts; B only separates neighbours of one type
        assert_eq!(
            c("I-PER I-PER B-PER O I-LOC"),
            s(&[("PER", 0, 2), ("PER", 2, 3), ("LOC", 4, 5)])
        );
        // IOB2
        assert_eq!(
            c("B-ORG I-ORG O B-MISC"),
            s(&[("ORG", 0, 2), ("MISC", 3, 4)])
        );
        // type change inside a chunk splits it
        assert_eq!(c("B-ORG I-PER"), s(&[("ORG", 0, 1), ("PER", 1, 2)]));
        // IOBES, and BILOU read as IOBES
        assert_eq!(c("S-LOC B-PER E-PER"), s(&[("LOC", 0, 1), ("PER", 1, 3)]));
        assert_eq!(c("U-LOC B-PER L-PER"), s(&[("LOC", 0, 1), ("PER", 1, 3)]));
    }

    #[test]
    fn reads_conll_documents_and_sentences() {
        let t = "-DOCSTART- -X- -X- O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter I-PER\r\n\n-DOCSTART- -X- O\n\nBonn I-LOC\n";
        let d = read_conll(t).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].sentences.len(), 2);
        assert_eq!(d[0].sentences[0].tags, ["I-ORG", "O"]);
        assert_eq!(d[1].sentences[0].tokens, ["Bonn"]);
        assert!(read_conll("lonely\n").unwrap_err().contains("line 1"));
        let e = read_conll("Ada B-PER\nBo X-PER\n").unwrap_err();
        assert!(e.contains("line 2, column 4") && e.contains("X-PER"), "{e}");
        assert!(read_conll("Ada U-PER\nBo L-LOC\nx S-ORG\ny E-ORG\n").is_ok());
        // a token of white space in a tab-separated file is skipped
        let d = read_conll("Ada\tB-PER\n \tO\n\tO\nsmiles\tO\n").unwrap();
        assert_eq!(d[0].sentences[0].tokens, ["Ada", "smiles"]);
    }

    #[test]
    fn reads_the_indexed_layout_with_the_tag_in_the_third_column() {
        let t = "# newdoc id = a\n# text = Ada went\n1\tAda\tB-PER\t-\t-\n2\twent\tO\t-\t-\n\n# newdoc id = b\n1\tOslo\tB-LOC\t-\t-\n";
        let d = read_conll(t).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].sentences[0].tokens, ["Ada", "went"]);
        assert_eq!(d[0].sentences[0].tags, ["B-PER", "O"]);
        assert_eq!(d[1].sentences[0].tags, ["B-LOC"]);
        // a token that is a number is not an index when the next line is not 2
        let d = read_conll("1 CD B-NP O\nhorse NN I-NP O\n").unwrap();
        assert_eq!(d[0].sentences[0].tokens, ["1", "horse"]);
    }

    #[test]
    fn raw_text_reads_as_typed_and_keeps_the_gold_spans() {
        let d = read_conll(
            "-DOCSTART- O\n\nRAIN O\nHITS O\nOSLO B-LOC\n\nAda B-PER\n's O\nbook O\n( O\nnew O\n) O\nsaid O\n, O\n\" O\nHi O\n\" O\n. O\n\nBo B-PER\nLi I-PER\nleft O\n. O\n",
        )
        .unwrap();
        let (text, spans) = raw_text(&d[0]);
        assert_eq!(
            text,
            "RAIN HITS OSLO\nAda's book (new) said, \"Hi\". Bo Li left."
        );
        let got: Vec<(&str, String)> = spans
            .iter()
            .map(|(l, (a, b))| (l.as_str(), text.chars().skip(*a).take(b - a).collect()))
            .collect();
        assert_eq!(
            got,
            [
                ("LOC", "OSLO".into()),
                ("PER", "Ada".into()),
                ("PER", "Bo Li".into())
            ]
        );
    }

    #[test]
    fn known_scores() {
        let gold = read_conll("a B-PER\nb I-PER\nc O\nd B-LOC\n\ne B-ORG\nf O\n").unwrap();
        let pred = read_conll("a B-PER\nb I-PER\nc O\nd B-ORG\n\ne B-ORG\nf B-ORG\n").unwrap();
        let s = score_conll(&gold, &pred).unwrap();
        // gold: PER, LOC, ORG; pred: PER, ORG(d), ORG(e), ORG(f); correct: PER, ORG(e)
        assert_eq!(s.micro(), (3, 4, 2));
        let j = s.to_json();
        assert_eq!(j["micro"]["precision"], 0.5);
        assert!((j["micro"]["recall"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(j["labels"]["LOC"]["recall"], 0.0);
        assert_eq!(j["labels"]["ORG"]["precision"].as_f64().unwrap(), 1.0 / 3.0);
    }
}
