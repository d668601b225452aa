//! `spanmark eval` on hand-made fixtures with known scores.

mod common;

use common::{assert_success, spanmark, stderr, Scratch};
use serde_json::Value;
use std::path::Path;

// Gold (IOB1, as eng.train): PER "John Smith", LOC "Paris", ORG "Acme Corp", MISC "German"
const GOLD: &str = "-DOCSTART- -X- -X- O

John NNP I-NP I-PER
Smith NNP I-NP I-PER
visited VBD I-VP O
Paris NNP I-NP I-LOC
. . O O

Acme NNP I-NP I-ORG
Corp NNP I-NP I-ORG
sells VBZ I-VP O
German JJ I-NP I-MISC
beer NN I-NP O
";

// Predictions (IOB2): PER right; "Paris" as ORG (wrong type); "Acme" alone
// (wrong boundary); "German" right; "beer" a spurious MISC.
const PRED: &str = "John B-PER
Smith I-PER
visited O
Paris B-ORG
. O

Acme B-ORG
Corp O
sells O
German B-MISC
beer B-MISC
";

fn eval_json(gold: &Path, pred: &Path) -> Value {
    let out = spanmark()
        .args(["eval", "--json", "--pred"])
        .arg(pred)
        .arg(gold)
        .output()
        .unwrap();
    assert_success(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn conll_scores_are_exact_match() {
    let dir = Scratch::new();
    let gold = dir.write("gold.conll", GOLD);
    let pred = dir.write("pred.conll", PRED);
    let j = eval_json(&gold, &pred);
    // gold 4 entities; predicted 5 (PER, ORG Paris, ORG Acme, MISC German, MISC beer); correct 2
    let m = &j["micro"];
    assert_eq!(m["support"], 4);
    assert_eq!(m["predicted"], 5);
    assert_eq!(m["correct"], 2);
    assert!((m["precision"].as_f64().unwrap() - 0.4).abs() < 1e-12);
    assert!((m["recall"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert!((m["f1"].as_f64().unwrap() - 2.0 * 0.4 * 0.5 / 0.9).abs() < 1e-12);
    assert_eq!(j["labels"]["PER"]["f1"], 1.0);
    assert_eq!(j["labels"]["LOC"]["recall"], 0.0);
    assert_eq!(j["labels"]["ORG"]["predicted"], 2);
    assert_eq!(j["labels"]["MISC"]["precision"], 0.5);
    // text output has per-label rows and a micro row
    let out = spanmark()
        .args(["eval", "--pred"])
        .arg(&pred)
        .arg(&gold)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("micro") && text.contains("MISC"), "{text}");
    assert!(text.contains("40.00") && text.contains("50.00"), "{text}");
}

#[test]
fn gold_against_itself_is_perfect_and_model_runs_on_conll() {
    let dir = Scratch::new();
    let gold = dir.write("self.conll", GOLD);
    let j = eval_json(&gold, &gold);
    assert_eq!(j["micro"]["f1"], 1.0);
    // without --pred the shipped model tags the gold tokens
    let out = spanmark()
        .args(["eval", "--json"])
        .arg(&gold)
        .output()
        .unwrap();
    assert!(out.status.success());
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["micro"]["support"], 4);
    assert!(j["speed"]["tokens"] == 10);
    assert!(j["micro"]["f1"].as_f64().unwrap() >= 0.5, "{j}");
}

#[test]
fn jsonl_gold_and_predictions_by_id() {
    let dir = Scratch::new();
    let gold = dir.write(
        "gold.jsonl",
        r#"{"id":"d1","text":"Zoë 😀 met Bob in Paris.","spans":[{"start":0,"end":3,"label":"PER"},{"start":10,"end":13,"label":"PER"},{"start":17,"end":22,"label":"LOC"}]}
{"id":"d2","text":"Nothing here.","spans":[]}
"#,
    );
    let pred = dir.write(
        "pred.jsonl",
        r#"{"id":"d2","text":"Nothing here.","spans":[{"start":0,"end":7,"label":"ORG"}]}
{"id":"d1","text":"Zoë 😀 met Bob in Paris.","spans":[{"start":0,"end":3,"label":"PER"},{"start":17,"end":22,"label":"ORG"}]}
"#,
    );
    let j = eval_json(&gold, &pred);
    assert_eq!(j["micro"]["support"], 3);
    assert_eq!(j["micro"]["predicted"], 3);
    assert_eq!(j["micro"]["correct"], 1);
    // the recognizer on JSONL gold, restricted to the model's labels
    let out = spanmark()
        .args(["eval", "--json", "--labels", "PER,ORG,LOC,MISC"])
        .arg(&gold)
        .output()
        .unwrap();
    assert_success(&out);
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["micro"]["support"], 3);
}

#[test]
fn mismatched_tokens_and_bad_files_are_errors() {
    let dir = Scratch::new();
    let gold = dir.write("g2.conll", GOLD);
    let other = dir.write("p2.conll", "John B-PER\n");
    let out = spanmark()
        .args(["eval", "--pred"])
        .arg(&other)
        .arg(&gold)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("sentences"));
    let bad = dir.write("bad.conll", "John B-PER\nlonely\n");
    let out = spanmark().arg("eval").arg(&bad).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("line 2"));
}
