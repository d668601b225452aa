//! The learned model outside the page: `spanmark annotate --model` takes a
//! model exported from the page's learning, and refuses a damaged one.

use spanmark::model::Model;
use spanmark::recognize::learn::Learner;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;

fn annotate(model: &std::path::Path, input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spanmark"))
        .args(["annotate", "--model"])
        .arg(model)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn annotate_uses_a_learned_model_file() {
    let mut l = Learner::new(Arc::new(Model::shipped()));
    let t = "I love my new iPhone, said Ana Lima.";
    l.learn_text(t, &[(14, 20, "GADGET"), (27, 35, "PER")]);
    let dir = std::env::temp_dir().join(format!("spanmark-cli-learn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("model.spanmark-model");
    std::fs::write(&good, l.to_bytes()).unwrap();

    let out = annotate(
        &good,
        "{\"id\":\"a\",\"text\":\"Her iPhone fell into the lake on Monday.\"}\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let cut = dir.join("cut.spanmark-model");
    std::fs::write(&cut, &bytes[..bytes.len() - 3]).unwrap();
    let out = annotate(&cut, "{\"id\":\"a\",\"text\":\"x\"}\n");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cut.spanmark-model") && err.contains("truncated"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
