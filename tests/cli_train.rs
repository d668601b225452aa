//! `spanmark train` on a tiny hand-made corpus: deterministic, and the model
//! it writes loads and scores with `eval --model`.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spanmark"))
}

fn corpus() -> String {
    let first = ["John", "Mary", "Peter", "Anna", "Tom", "Lisa"];
    let last = ["Smith", "Jones", "Brown", "Miller", "Clark", "Evans"];
    let city = ["Paris", "London", "Berlin", "Madrid", "Rome", "Vienna"];
    let org = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay"];
    let mut s = String::new();
    for d in 0..6 {
        s.push_str("-DOCSTART- -X- -X- O\n\n");
        for i in 0..8 {
            let k = (d * 8 + i) % 6;
            let j = (d + i * 5) % 6;
            s.push_str(&format!(
                "{} I-PER\n{} I-PER\nvisited O\n{} I-LOC\nfor O\n{} I-ORG\nCorp I-ORG\n. O\n\n",
                first[k],
                last[j],
                city[(k + j) % 6],
                org[j]
            ));
            s.push_str(&format!(
                "The O\n{} I-ORG\nteam O\nsaid O\n{} I-PER\nwas O\nin O\n{} I-LOC\n. O\n\n",
                org[k], last[k], city[j]
            ));
        }
    }
    s
}

#[test]
fn training_is_deterministic_and_the_model_evaluates() {
    let dir = std::env::temp_dir().join(format!("spanmark-cli-train-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let train = dir.join("train.conll");
    std::fs::write(&train, corpus()).unwrap();
    let out_a: PathBuf = dir.join("a.bin");
    let out_b: PathBuf = dir.join("b.bin");
    for out in [&out_a, &out_b] {
        let r = bin()
            .arg("train")
            .arg("--train")
            .arg(&train)
            .arg("--dev")
            .arg(&train)
            .args(["--epochs", "4", "--seed", "3", "--folds", "2", "--out"])
            .arg(out)
            .output()
            .unwrap();
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        assert!(String::from_utf8_lossy(&r.stderr).contains("epoch 4"));
    }
    let a = std::fs::read(&out_a).unwrap();
    assert_eq!(a, std::fs::read(&out_b).unwrap(), "same seed, same bytes");
    let r = bin()
        .args(["eval", "--json", "--model"])
        .arg(&out_a)
        .arg(&train)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let j: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert!(j["micro"]["f1"].as_f64().unwrap() > 0.95, "{j}");
    // a model file that is not one is refused with a message
    let bogus = dir.join("bogus.bin");
    std::fs::write(&bogus, b"hello").unwrap();
    let r = bin()
        .args(["eval", "--model"])
        .arg(&bogus)
        .arg(&train)
        .output()
        .unwrap();
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("not a spanmark"));
}

#[test]
fn missing_training_file_is_an_error() {
    let r = bin()
        .args([
            "train",
            "--train",
            "/nonexistent/eng.train",
            "--out",
            "/tmp/never.bin",
        ])
        .output()
        .unwrap();
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("cannot read"));
}
