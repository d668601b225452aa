//! The learned model outside the page: `spanmark annotate --model` takes a
//! model exported from the page's learning, and refuses a damaged one.

mod common;

use common::{assert_success, spanmark, stderr, CommandExt, Scratch};
use spanmark::model::Model;
use spanmark::recognize::learn::Learner;
use std::sync::Arc;

fn annotate(model: &std::path::Path, input: &str) -> std::process::Output {
    spanmark()
        .args(["annotate", "--model"])
        .arg(model)
        .output_with_stdin(input)
}

#[test]
fn annotate_uses_a_learned_model_file() {
    let mut l = Learner::new(Arc::new(Model::shipped()));
    let t = "I love my new iPhone, said Ana Lima.";
    l.learn_text(t, &[(14, 20, "GADGET"), (27, 35, "PER")]);
    let dir = Scratch::new();
    let good = dir.write("model.spanmark-model", l.to_bytes());

    let out = annotate(
        &good,
        "{\"id\":\"a\",\"text\":\"Her iPhone fell into the lake on Monday.\"}\n",
    );
    assert_success(&out);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let spans: Vec<(u64, u64, &str)> = doc["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap(),
                s["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(spans.contains(&(4, 10, "GADGET")), "{spans:?}");
    assert!(
        spans.iter().any(|s| s.2 == "DATE"),
        "patterns still run: {spans:?}"
    );

    let bytes = l.to_bytes();
    let cut = dir.write("cut.spanmark-model", &bytes[..bytes.len() - 3]);
    let out = annotate(&cut, "{\"id\":\"a\",\"text\":\"x\"}\n");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("cut.spanmark-model") && err.contains("truncated"),
        "{err}"
    );
}
