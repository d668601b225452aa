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

// Gold: two documents; relations (one directed, one of an undirected
// label) and document labels (multi-choice).
const GOLD_STRUCTURED: &str = r##"{"format":"spanmark","version":2,"overlap":"none","labels":[],
"relation_labels":[{"name":"works_for","color":"#000","directed":true},{"name":"sibling","color":"#111","directed":false}],
"doc_labels":{"names":["business","family"],"multi":true},
"documents":[
 {"id":"a","text":"Ana works for Acme with Bo.","spans":[
   {"start":0,"end":3,"label":"PER","id":"T1"},{"start":14,"end":18,"label":"ORG","id":"T2"},{"start":24,"end":26,"label":"PER","id":"T3"}],
  "relations":[{"id":"R1","from":"T1","to":"T2","label":"works_for"},{"id":"R2","from":"T1","to":"T3","label":"sibling"}],
  "doc_labels":["business","family"]},
 {"id":"b","text":"Cy joined Dex.","spans":[
   {"start":0,"end":2,"label":"PER","id":"T1"},{"start":10,"end":13,"label":"ORG","id":"T2"}],
  "relations":[{"id":"R1","from":"T1","to":"T2","label":"works_for"}],
  "doc_labels":["business"]}
]}"##;

// Predictions: in "a" the sibling relation the other way round (right: the
// label is undirected) and works_for right; in "b" works_for reversed
// (wrong: directed) and a spurious family label. Span ids differ from the
// gold's: spans are matched by offsets and label.
const PRED_STRUCTURED: &str = r##"{"format":"spanmark","version":2,"labels":[],"documents":[
 {"id":"b","text":"Cy joined Dex.","spans":[
   {"start":0,"end":2,"label":"PER","id":"T8"},{"start":10,"end":13,"label":"ORG","id":"T9"}],
  "relations":[{"id":"R1","from":"T9","to":"T8","label":"works_for"}],
  "doc_labels":["business","family"]},
 {"id":"a","text":"Ana works for Acme with Bo.","spans":[
   {"start":0,"end":3,"label":"PER","id":"T5"},{"start":14,"end":18,"label":"ORG","id":"T6"},{"start":24,"end":26,"label":"PER","id":"T7"}],
  "relations":[{"id":"R1","from":"T5","to":"T6","label":"works_for"},{"id":"R2","from":"T7","to":"T5","label":"sibling"}],
  "doc_labels":["business","family"]}
]}"##;

#[test]
fn relations_and_document_labels_are_scored_when_the_gold_has_them() {
    let dir = Scratch::new();
    let gold = dir.write("gold.spanmark.json", GOLD_STRUCTURED);
    let pred = dir.write("pred.spanmark.json", PRED_STRUCTURED);
    let j = eval_json(&gold, &pred);
    assert_eq!(j["micro"]["f1"], 1.0, "entities all right: {j}");
    let r = &j["relations"];
    // gold 3; predicted 3; right: works_for in a, sibling (either way) in a
    assert_eq!(
        (
            &r["micro"]["support"],
            &r["micro"]["predicted"],
            &r["micro"]["correct"]
        ),
        (&3.into(), &3.into(), &2.into()),
        "{r}"
    );
    assert_eq!(r["labels"]["sibling"]["f1"], 1.0);
    assert_eq!(r["labels"]["works_for"]["recall"], 0.5);
    let l = &j["doc_labels"];
    assert_eq!(l["documents"], 2);
    assert_eq!(l["accuracy"], 0.5, "{l}");
    assert_eq!(l["labels"]["business"]["f1"], 1.0);
    assert_eq!(l["labels"]["family"]["precision"], 0.5);
    assert_eq!(l["labels"]["family"]["recall"], 1.0);
    // The text report prints both after the entity table.
    let out = spanmark()
        .args(["eval", "--pred"])
        .arg(&pred)
        .arg(&gold)
        .output()
        .unwrap();
    assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s:?} in {text}"));
    assert!(
        at("micro") < at("relations") && at("relations") < at("document labels: accuracy 50.00")
    );
    assert!(
        text.contains("works_for") && text.contains("family"),
        "{text}"
    );

    // JSONL gold and predictions, the same way; gold without relations or
    // document labels prints neither.
    let jsonl = |v: &str| {
        let p: Value = serde_json::from_str(v).unwrap();
        p["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{d}\n"))
            .collect::<String>()
    };
    let gold = dir.write("gold.jsonl", jsonl(GOLD_STRUCTURED));
    let pred = dir.write("pred.jsonl", jsonl(PRED_STRUCTURED));
    let j = eval_json(&gold, &pred);
    // Without a label set every relation label is directed: sibling reversed is wrong.
    assert_eq!(j["relations"]["micro"]["correct"], 1, "{j}");
    assert_eq!(j["doc_labels"]["accuracy"], 0.5);
    let flat = dir.write("flat.jsonl", "{\"id\":\"b\",\"text\":\"Cy joined Dex.\",\"spans\":[{\"start\":0,\"end\":2,\"label\":\"PER\"}]}\n");
    let j = eval_json(&flat, &pred);
    assert!(
        j.get("relations").is_none() && j.get("doc_labels").is_none(),
        "{j}"
    );
}
