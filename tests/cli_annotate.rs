//! `spanmark annotate`: JSONL and .txt in, JSONL out, exact code-point offsets.

mod common;

use common::{assert_success, spanmark, stderr, CommandExt, Scratch};
use serde_json::Value;

fn run_stdin(args: &[&str], input: &str) -> std::process::Output {
    spanmark().args(args).output_with_stdin(input)
}

/// Every span's code-point offsets slice the text to a non-empty surface
/// without surrounding whitespace.
fn check_spans(doc: &Value) -> Vec<(String, String)> {
    let text = doc["text"].as_str().unwrap();
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut last_end = 0;
    for s in doc["spans"].as_array().unwrap() {
        let (a, b) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert!(
            a < b && b <= chars.len() && a >= last_end,
            "{s} in {text:?}"
        );
        last_end = b;
        let surface: String = chars[a..b].iter().collect();
        assert_eq!(surface.trim(), surface, "{s}");
        out.push((s["label"].as_str().unwrap().to_string(), surface));
    }
    out
}

const DOCS: &str = "{\"id\":\"a\",\"text\":\"😀 Angela Merkel met Emmanuel Macron in Paris.\\r\\nThe European Union said Britain's exports rose.\",\"meta\":{\"k\":1}}\n\
\n\
{\"id\":2,\"text\":\"👨‍👩‍👧 Zoë Ball flew to Berlin with Vodafone staff on Monday.\\r\\n\"}\n";

#[test]
fn jsonl_stdin_to_stdout_keeps_text_and_fields() {
    let out = run_stdin(&["annotate"], DOCS);
    assert_success(&out);
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[1]["id"], 2);
    assert_eq!(lines[0]["meta"]["k"], 1);
    assert_eq!(
        lines[0]["text"],
        "😀 Angela Merkel met Emmanuel Macron in Paris.\r\nThe European Union said Britain's exports rose."
    );
    let spans = check_spans(&lines[0]);
    for want in [
        ("PER", "Angela Merkel"),
        ("PER", "Emmanuel Macron"),
        ("LOC", "Paris"),
        ("ORG", "European Union"),
        ("LOC", "Britain"),
    ] {
        assert!(
            spans.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} not in {spans:?}"
        );
    }
    let spans = check_spans(&lines[1]);
    assert!(
        spans.contains(&("LOC".into(), "Berlin".into())),
        "{spans:?}"
    );
    // only start, end, label unless --scores
    let s = &lines[0]["spans"][0];
    assert_eq!(s.as_object().unwrap().len(), 3);
}

#[test]
fn files_dash_scores_and_stats() {
    let dir = Scratch::new();
    let input = dir.write("in.jsonl", DOCS);
    let output = dir.join("out.jsonl");
    let out = spanmark()
        .arg("annotate")
        .arg(&input)
        .arg(&output)
        .args(["--scores", "--stats"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&output).unwrap();
    let first: Value = serde_json::from_str(written.lines().next().unwrap()).unwrap();
    check_spans(&first);
    for s in first["spans"].as_array().unwrap() {
        let sc = s["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&sc), "{s}");
        assert!(s["source"] == "model" || s["source"] == "rule", "{s}");
    }
    let err = String::from_utf8(out.stderr).unwrap();
    let last = err.lines().last().unwrap();
    let stats: Value = serde_json::from_str(last.strip_prefix("STATS ").unwrap()).unwrap();
    assert_eq!(
        stats.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["documents", "tokens", "seconds", "tokens_per_s"]
    );
    assert_eq!(stats["documents"], 2);
    let tokens: usize = ["😀 Angela Merkel met Emmanuel Macron in Paris.\r\nThe European Union said Britain's exports rose.",
        "👨‍👩‍👧 Zoë Ball flew to Berlin with Vodafone staff on Monday.\r\n"]
        .iter()
        .map(|t| spanmark::tokenize::tokenize(t).len())
        .sum();
    assert_eq!(stats["tokens"], tokens);
    // "-" is stdin/stdout
    let out = run_stdin(&["annotate", "-", "-", "--scores"], DOCS);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), written);
}

#[test]
fn txt_file_is_one_document_named_by_its_stem() {
    let dir = Scratch::new();
    let text = "LONDON 1996-08-30\r\n\r\nWest Indian all-rounder Phil Simmons took four for 38 on Friday as Leicestershire beat Somerset.\r\n";
    let p = dir.write("Reuters-note.txt", text);
    let out = spanmark().arg("annotate").arg(&p).output().unwrap();
    assert_success(&out);
    let v: Value = serde_json::from_str(String::from_utf8(out.stdout).unwrap().trim_end()).unwrap();
    assert_eq!(v["id"], "Reuters-note");
    assert_eq!(v["text"], text);
    let spans = check_spans(&v);
    assert!(
        spans.contains(&("PER".into(), "Phil Simmons".into())),
        "{spans:?}"
    );
    assert!(
        spans.contains(&("LOC".into(), "LONDON".into())),
        "{spans:?}"
    );
}

#[test]
fn bad_lines_name_their_number() {
    let input = "{\"id\":\"a\",\"text\":\"fine\"}\n\n{\"id\":\"b\",\"text\":\n";
    let out = run_stdin(&["annotate"], input);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 3"), "{err}");
    let out = run_stdin(&["annotate"], "{\"id\":\"a\",\"text\":5}\n");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("line 1"));
    let out = run_stdin(&["annotate"], "[1,2]\n");
    assert!(!out.status.success());
    let out = run_stdin(&["annotate"], "{\"text\":\"no id\"}\n");
    assert!(stderr(&out).contains("\"id\""));
}

#[test]
fn rules_file_patterns_win_and_bad_files_are_refused() {
    let dir = Scratch::new();
    let rules = dir.write(
        "patterns.jsonl",
        "{\"label\":\"PRODUCT\",\"pattern\":\"Widget 9\"}\n\
         {\"label\":\"CITY\",\"pattern\":[{\"LOWER\":\"paris\"}]}\n\
         {\"label\":\"X\",\"pattern\":[{\"POS\":\"NOUN\"}]}\n",
    );
    let input = "{\"id\":\"a\",\"text\":\"😀 Ana sold the Widget 9 in PARIS and Paris.\"}\n";
    let out = run_stdin(
        &["annotate", "--scores", "--rules", rules.to_str().unwrap()],
        input,
    );
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("line 3: skipped"), "{err}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let spans = check_spans(&doc);
    for want in [
        ("PRODUCT", "Widget 9"),
        ("CITY", "PARIS"),
        ("CITY", "Paris"),
    ] {
        assert!(
            spans.contains(&(want.0.to_string(), want.1.to_string())),
            "{spans:?}"
        );
    }
    let rule_spans = doc["spans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["label"] == "CITY")
        .all(|s| s["source"] == "rule" && s["score"] == 1.0);
    assert!(rule_spans);

    dir.write(
        "patterns.jsonl",
        "{\"label\":\"T\",\"pattern\":[{\"TEXT\":{\"REGEX\":\"(\"}}]}\n",
    );
    let out = run_stdin(&["annotate", "--rules", rules.to_str().unwrap()], input);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("patterns.jsonl: line 1: T: the pattern"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn existing_spans_relations_document_labels_and_notes_are_kept() {
    let line = r#"{"id":"r","text":"Angela Merkel met Emmanuel Macron in Paris.","spans":[{"start":0,"end":13,"label":"PER","id":"T1","note":"the chancellor"},{"start":18,"end":33,"label":"PER","id":"T2"}],"relations":[{"id":"R1","from":"T1","to":"T2","label":"met"}],"doc_labels":["politics"],"note":"checked"}"#;
    let out = run_stdin(&["annotate"], &format!("{line}\n"));
    assert_success(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let spans = doc["spans"].as_array().unwrap();
    assert_eq!(
        spans[0],
        serde_json::json!({"start":0,"end":13,"label":"PER","id":"T1","note":"the chancellor"})
    );
    assert_eq!(spans[1]["id"], "T2");
    assert!(
        spans
            .iter()
            .any(|s| s["label"] == "LOC" && s["start"] == 37 && s["end"] == 42),
        "a suggestion added: {spans:?}"
    );
    assert_eq!(doc["relations"][0]["from"], "T1");
    assert_eq!(doc["doc_labels"][0], "politics");
    assert_eq!(doc["note"], "checked");

    // A native project file is read and written whole, the same way.
    let dir = Scratch::new();
    let input = dir.write(
        "in.json",
        format!(
            r#"{{"format":"spanmark","version":2,"overlap":"nested","labels":[],"documents":[{line}]}}"#
        ),
    );
    let out = spanmark()
        .arg("annotate")
        .arg(&input)
        .arg(dir.join("out.json"))
        .output()
        .unwrap();
    assert_success(&out);
    let j: Value = serde_json::from_str(&dir.read("out.json")).unwrap();
    assert_eq!(j["version"], 2);
    assert_eq!(j["overlap"], "nested");
    let d = &j["documents"][0];
    assert_eq!(d["spans"][0]["note"], "the chancellor");
    assert_eq!(d["relations"][0]["to"], "T2");
    assert_eq!(d["doc_labels"][0], "politics");
    assert_eq!(d["note"], "checked");
    let paris = d["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["start"] == 37)
        .unwrap_or_else(|| panic!("{d}"));
    assert_eq!(paris["label"], "LOC");
    assert_ne!(paris["source"], "user", "marked as a suggestion");
}
