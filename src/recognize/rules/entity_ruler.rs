//! spaCy's EntityRuler patterns (JSONL), read into [`Rules`] and written
//! from them.
//!
//! One JSON object a line, `{"label", "pattern", "id"?}`. Imported:
//! - `"pattern": "Apple Inc."` (a phrase pattern) -> a case-sensitive phrase;
//! - a token pattern of `ORTH`/`TEXT` strings -> a case-sensitive phrase, of
//!   `LOWER` strings -> a case-insensitive phrase, the tokens joined as
//!   spaCy's tokenizer splits them (a space between words, none before
//!   closing punctuation or after opening brackets and currency signs, none
//!   around a lone hyphen or slash: see [`join_tokens`]);
//! - a one-token pattern `{"TEXT": {"REGEX": r}}` (or `ORTH`) -> a regex rule;
//!   spaCy searches `r` inside one token, we keep matches on token edges, so
//!   anchored patterns (`^…$`) behave the same in both (the anchors are
//!   dropped on import, as our matches are on token edges anyway).
//!
//! A line that is not JSON, lacks a label, or has a pattern of the wrong shape
//! or an invalid regex is an error naming the line, and nothing is imported.
//! A well-formed spaCy pattern we cannot match faithfully (other token
//! attributes such as `POS` or `SHAPE`, operators `OP`, a regex over several
//! tokens, ...) is skipped and reported with its line: a patterns file written
//! for spaCy usually holds a few of those, and the rest is still worth having.
//!
//! Exported: case-sensitive phrases as phrase patterns, case-insensitive ones
//! as `LOWER` token patterns (tokens by our tokenizer), regex rules as
//! `[{"TEXT": {"REGEX": "^(?:r)$"}}]`; ids are kept.

use super::{compile, regex_problem, Kind, Rule, RuleError, Rules};
use serde_json::{json, Map, Value};

/// What an import read: the rules, and the lines skipped (line number and
/// why).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub rules: Rules,
    pub skipped: Vec<(usize, String)>,
}

impl Rules {
    /// Reads spaCy EntityRuler patterns (JSONL); see the module documentation.
    pub fn from_jsonl(input: &str) -> Result<Imported, RuleError> {
        let mut rules = Vec::new();
        let mut skipped = Vec::new();
        for (i, line) in input.lines().enumerate() {
            let n = i + 1;
            let line = line.trim_start_matches('\u{feff}');
            if line.trim().is_empty() {
                continue;
            }
            match pattern_line(line) {
                Ok(Some(r)) => rules.push(r),
                Ok(None) => {}
                Err(LineProblem::Bad(why)) => return Err(RuleError(format!("line {n}: {why}"))),
                Err(LineProblem::Unsupported(why)) => skipped.push((n, why)),
            }
        }
        // Every regex was checked with its line number above.
        let rules = Rules::new(rules)?;
        Ok(Imported { rules, skipped })
    }

    /// Writes spaCy EntityRuler patterns (JSONL, one pattern a line, each
    /// line ending in a newline).
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for r in &self.rules {
            let pattern = match r.kind {
                Kind::Phrase => Value::String(r.text.clone()),
                Kind::PhraseIgnoreCase => {
                    let tokens = crate::tokenize::tokenize(&r.text);
                    Value::Array(
                        tokens
                            .iter()
                            .map(|t| json!({"LOWER": t.text(&r.text).to_lowercase()}))
                            .collect(),
                    )
                }
                Kind::Regex => json!([{"TEXT": {"REGEX": format!("^(?:{})$", r.text)}}]),
            };
            let mut o = Map::new();
            o.insert("label".into(), Value::String(r.label.clone()));
            o.insert("pattern".into(), pattern);
            if let Some(id) = &r.id {
                o.insert("id".into(), Value::String(id.clone()));
            }
            out.push_str(&Value::Object(o).to_string());
            out.push('\n');
        }
        out
    }
}

enum LineProblem {
    /// The line is broken: the whole import is refused.
    Bad(String),
    /// A valid spaCy pattern we cannot match faithfully: skipped.
    Unsupported(String),
}

fn pattern_line(line: &str) -> Result<Option<Rule>, LineProblem> {
    let v: Value = serde_json::from_str(line)
        .map_err(|e| LineProblem::Bad(format!("not a JSON object: {e}")))?;
    let Value::Object(o) = v else {
        return Err(LineProblem::Bad("not a JSON object".into()));
    };
    let label = match o.get("label") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(_) => {
            return Err(LineProblem::Bad(
                "\"label\" must be a non-empty string".into(),
            ))
        }
        None => return Err(LineProblem::Bad("needs a \"label\"".into())),
    };
    let id = match o.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(LineProblem::Bad("\"id\" must be a string".into())),
    };
    let (kind, text) = match o.get("pattern") {
        Some(Value::String(s)) => {
            if s.trim().is_empty() {
                return Err(LineProblem::Bad("\"pattern\" is empty".into()));
            }
            (Kind::Phrase, s.clone())
        }
        Some(Value::Array(tokens)) => token_pattern(tokens)?,
        Some(_) => {
            return Err(LineProblem::Bad(
                "\"pattern\" must be a string or a list of token patterns".into(),
            ))
        }
        None => return Err(LineProblem::Bad("needs a \"pattern\"".into())),
    };
    if kind == Kind::Regex {
        if let Err(e) = compile(&text, false) {
            return Err(LineProblem::Bad(format!(
                "{label}: the pattern {text:?} is not a valid regular expression: {}",
                regex_problem(&e)
            )));
        }
    }
    Ok(Some(Rule {
        label,
        kind,
        text,
        id,
    }))
}

/// A token pattern as a phrase or a regex rule (see the module documentation).
fn token_pattern(tokens: &[Value]) -> Result<(Kind, String), LineProblem> {
    if tokens.is_empty() {
        return Err(LineProblem::Bad("the token pattern is empty".into()));
    }
    let mut words = Vec::new();
    let mut lower = None;
    for t in tokens {
        let Value::Object(t) = t else {
            return Err(LineProblem::Bad(
                "a token pattern must be a list of objects".into(),
            ));
        };
        if t.len() != 1 {
            let keys: Vec<&str> = t.keys().map(String::as_str).collect();
            return Err(LineProblem::Unsupported(format!(
                "a token with {} (only one of ORTH, TEXT, LOWER is supported)",
                if keys.is_empty() {
                    "no attribute".to_string()
                } else {
                    keys.join(" and ")
                }
            )));
        }
        let (attr, value) = t.iter().next().expect("one entry");
        let attr = attr.to_ascii_uppercase();
        let is_lower = match attr.as_str() {
            "ORTH" | "TEXT" => false,
            "LOWER" => true,
            other => {
                return Err(LineProblem::Unsupported(format!(
                    "the token attribute {other} is not supported"
                )))
            }
        };
        match value {
            Value::String(s) => {
                if lower.is_some_and(|l| l != is_lower) {
                    return Err(LineProblem::Unsupported(
                        "LOWER mixed with ORTH/TEXT in one pattern is not supported".into(),
                    ));
                }
                lower = Some(is_lower);
                words.push(if is_lower {
                    s.to_lowercase()
                } else {
                    s.clone()
                });
            }
            Value::Object(m) if m.len() == 1 && m.contains_key("REGEX") => {
                let Some(Value::String(r)) = m.get("REGEX") else {
                    return Err(LineProblem::Bad("REGEX must be a string".into()));
                };
                if tokens.len() != 1 {
                    return Err(LineProblem::Unsupported(
                        "REGEX in a pattern of several tokens is not supported".into(),
                    ));
                }
                if is_lower {
                    return Err(LineProblem::Unsupported(
                        "LOWER with REGEX is not supported (use TEXT)".into(),
                    ));
                }
                return Ok((Kind::Regex, unanchor(r)));
            }
            Value::Object(m) => {
                let ops: Vec<&str> = m.keys().map(String::as_str).collect();
                return Err(LineProblem::Unsupported(format!(
                    "{attr} with {} is not supported",
                    ops.join(", ")
                )));
            }
            _ => return Err(LineProblem::Bad(format!("{attr} must be a string"))),
        }
    }
    let kind = if lower == Some(true) {
        Kind::PhraseIgnoreCase
    } else {
        Kind::Phrase
    };
    let text = join_tokens(&words);
    if text.trim().is_empty() {
        return Err(LineProblem::Bad("the token pattern matches no text".into()));
    }
    Ok((kind, text))
}

/// Drops the `^…$` anchors of a spaCy token regex (ours match on token edges
/// anyway), including the `^(?:…)$` our export writes. Left as is when the
/// inner part does not stand alone as a regex (`^a)|(b$`).
fn unanchor(r: &str) -> String {
    let stands_alone = |s: &str| !s.is_empty() && compile(s, false).is_ok();
    if let Some(inner) = r.strip_prefix("^(?:").and_then(|s| s.strip_suffix(")$")) {
        if stands_alone(inner) {
            return inner.to_string();
        }
    }
    if let Some(inner) = r.strip_prefix('^').and_then(|s| s.strip_suffix('$')) {
        if !inner.ends_with('\\') && stands_alone(inner) && !has_top_level_alternation(inner) {
            return inner.to_string();
        }
    }
    r.to_string()
}

/// Whether `|` occurs outside any group or class (then `^a|b$` is not `a|b`
/// anchored, and the anchors must stay).
fn has_top_level_alternation(r: &str) -> bool {
    let mut depth = 0i32;
    let mut in_class = false;
    let mut escaped = false;
    for c in r.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth -= 1,
            '|' if !in_class && depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// Joins token texts as spaCy's tokenizer would have split them: a space
/// between words, none before closing punctuation and clitics (`.` `,` `)`
/// `'s` `n't`), none after opening brackets and currency signs, none around a
/// lone hyphen or slash.
pub fn join_tokens(words: &[String]) -> String {
    fn closing(w: &str) -> bool {
        let lower = w.to_lowercase();
        w.chars().all(|c| ".,;:!?)]}%…".contains(c))
            || ["'s", "’s", "n't", "n’t", "'re", "'ve", "'ll", "'d", "'m"].contains(&lower.as_str())
    }
    fn opening(w: &str) -> bool {
        w.chars().all(|c| "([{$€£¥#@".contains(c))
    }
    fn glue(w: &str) -> bool {
        matches!(w, "-" | "/" | "–" | "—")
    }
    let mut out = String::new();
    let mut prev: Option<&str> = None;
    for w in words {
        if let Some(p) = prev {
            if !(closing(w) || opening(p) || glue(w) || glue(p)) {
                out.push(' ');
            }
        }
        out.push_str(w);
        prev = Some(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_tokens_spaces_like_spacy() {
        let j = |w: &[&str]| join_tokens(&w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(j(&["san", "francisco"]), "san francisco");
        assert_eq!(j(&["acme", "inc", "."]), "acme inc.");
        assert_eq!(j(&["apple", ",", "inc"]), "apple, inc");
        assert_eq!(j(&["apple", "'s"]), "apple's");
        assert_eq!(j(&["$", "5"]), "$5");
        assert_eq!(j(&["new", "-", "york"]), "new-york");
    }

    #[test]
    fn unanchor_only_when_faithful() {
        assert_eq!(unanchor("^(?:[A-Z]+-\\d+)$"), "[A-Z]+-\\d+");
        assert_eq!(unanchor("^[A-Z]+$"), "[A-Z]+");
        assert_eq!(unanchor("^a|b$"), "^a|b$");
        assert_eq!(unanchor("^(?:a)|(?:b)$"), "^(?:a)|(?:b)$");
        assert_eq!(unanchor("foo"), "foo");
        assert_eq!(unanchor("^a\\$"), "^a\\$");
    }
}
