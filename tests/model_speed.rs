//! Throughput of the shipped model alone (features + decoding), one thread.
//! Run: `cargo test --release --test model_speed -- --ignored --nocapture`.
//! Uses CoNLL-2003 dev tokens from ../shared when present, else generated text.

use spanmark::model::Model;
use std::time::Instant;

fn corpus() -> Vec<(Vec<String>, Vec<std::ops::Range<usize>>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/ner/conll2003/eng.testa"
    );
    if let Ok(text) = std::fs::read_to_string(path) {
        let docs = spanmark::cli::eval::read_conll(&text).unwrap();
        return docs
            .iter()
            .map(|d| {
                let mut words = Vec::new();
                let mut sents = Vec::new();
                for s in &d.sentences {
                    let a = words.len();
                    words.extend(s.tokens.iter().cloned());
                    sents.push(a..words.len());
                }
                (words, sents)
            })
            .collect();
    }
    println!("(../shared absent: using generated sentences)");
    let names = [
        "Angela", "Merkel", "Paris", "Reuters", "Smith", "Bank", "of", "Japan",
    ];
    let common = [
        "the", "said", "on", "a", "in", "to", "was", "market", ",", ".",
    ];
    let mut x = 12345u64;
    (0..200)
        .map(|_| {
            let mut words = Vec::new();
            let mut sents = Vec::new();
            for _ in 0..15 {
                let a = words.len();
                for _ in 0..16 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let w = if x.is_multiple_of(5) {
                        names[(x >> 8) as usize % names.len()]
                    } else {
                        common[(x >> 8) as usize % common.len()]
                    };
                    words.push(w.to_string());
                }
                sents.push(a..words.len());
            }
            (words, sents)
        })
        .collect()
}

#[test]
#[ignore]
fn model_tokens_per_second() {
    let m = Model::shipped();
    let docs = corpus();
    let docs: Vec<(Vec<&str>, _)> = docs
        .iter()
        .map(|(w, s)| (w.iter().map(String::as_str).collect(), s.clone()))
        .collect();
    let tokens: usize = docs.iter().map(|d| d.0.len()).sum();
    let mut best = f64::INFINITY;
    let mut sink = 0usize;
    for _ in 0..7 {
        let t0 = Instant::now();
        for (w, s) in &docs {
            sink += m.tag(w, s).len();
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    assert!(sink > 0);
    println!(
        "model: {tokens} tokens, best of 7: {:.4} s, {:.0} tokens/s",
        best,
        tokens as f64 / best
    );
}
