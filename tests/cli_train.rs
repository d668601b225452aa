//! `spanmark train` on a tiny hand-made corpus: deterministic, and the model
//! it writes loads and scores with `eval --model`.

mod common;

use common::{assert_success, spanmark, stderr, Scratch};

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
    let dir = Scratch::new();
    let train = dir.write("train.conll", corpus());
    let out_a = dir.join("a.bin");
    let out_b = dir.join("b.bin");
    for out in [&out_a, &out_b] {
        let r = spanmark()
            .arg("train")
            .arg("--train")
            .arg(&train)
            .arg("--dev")
            .arg(&train)
            .args(["--epochs", "4", "--seed", "3", "--folds", "2", "--out"])
            .arg(out)
            .output()
            .unwrap();
        assert_success(&r);
        assert!(stderr(&r).contains("epoch 4"));
    }
    let a = std::fs::read(&out_a).unwrap();
    assert_eq!(a, std::fs::read(&out_b).unwrap(), "same seed, same bytes");
    let r = spanmark()
        .args(["eval", "--json", "--model"])
        .arg(&out_a)
        .arg(&train)
        .output()
        .unwrap();
    assert_success(&r);
    let j: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert!(j["micro"]["f1"].as_f64().unwrap() > 0.95, "{j}");
    // a model file that is not one is refused with a message
    let bogus = dir.write("bogus.bin", b"hello");
    let r = spanmark()
        .args(["eval", "--model"])
        .arg(&bogus)
        .arg(&train)
        .output()
        .unwrap();
    assert!(!r.status.success());
    assert!(stderr(&r).contains("not a spanmark"));
}

#[test]
fn missing_training_file_is_an_error() {
    let r = spanmark()
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
    assert!(stderr(&r).contains("cannot read"));
}

#[test]
fn cross_validation_scores_the_options_and_writes_nothing() {
    let dir = Scratch::new();
    let train = dir.write("train.conll", corpus());
    let out = dir.join("never.bin");
    let r = spanmark()
        .arg("train")
        .arg("--train")
        .arg(&train)
        .args([
            "--epochs",
            "3",
            "--folds",
            "2",
            "--cv",
            "3",
            "--history",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&r);
    let err = stderr(&r);
    for want in [
        "fold 1:",
        "fold 3:",
        "mean held-out F1 per epoch",
        "3-fold cross-validation, pooled",
        "micro",
    ] {
        assert!(err.contains(want), "{want:?} not in {err}");
    }
    assert!(!out.exists(), "--cv writes no model");
    let r = spanmark()
        .arg("train")
        .arg("--train")
        .arg(&train)
        .args(["--cv", "1"])
        .output()
        .unwrap();
    assert!(!r.status.success(), "one fold is no cross-validation");
}

#[test]
fn other_corpora_train_with_their_label_sets() {
    let dir = Scratch::new();
    let train = dir.write("train.conll", corpus());
    // tweets: no document marks, no MISC, a type the model has not
    let tweets = dir.write(
        "tweets.conll",
        "Anna\tB-PER\nloves\tO\nGerman\tO\nbeer\tO\n\n \tO\nHooli\tB-product\nin\tO\nRome\tB-LOC\n",
    );
    let extra = format!("{}=PER,ORG,LOC", tweets.display());
    let run = |out: &std::path::Path| {
        spanmark()
            .arg("train")
            .arg("--train")
            .arg(&train)
            .args(["--extra", &extra, "--adapt", "--max-features", "40"])
            .args(["--epochs", "3", "--folds", "2", "--out"])
            .arg(out)
            .output()
            .unwrap()
    };
    let (a, b) = (dir.join("a.bin"), dir.join("b.bin"));
    for out in [&a, &b] {
        let r = run(out);
        assert_success(&r);
        // the corpus's 6 documents, and one per tweet
        assert!(
            stderr(&r).contains("training on 8 documents"),
            "{}",
            stderr(&r)
        );
        assert!(stderr(&r).contains(" 40 features"), "{}", stderr(&r));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let r = spanmark()
        .arg("train")
        .arg("--train")
        .arg(&train)
        .args(["--extra", "x.conll=PER,FOO"])
        .output()
        .unwrap();
    assert!(!r.status.success());
    assert!(
        stderr(&r).contains("\"FOO\" is not one of PER, ORG, LOC, MISC"),
        "{}",
        stderr(&r)
    );
}
