//! The shipped model as a library and as a recognizer stage.

use spanmark::model::{Model, LABELS};
use spanmark::recognize::{Recognizer, Stage};
use spanmark::text::OffsetMap;

#[test]
fn shipped_model_round_trips_and_is_small() {
    let m = Model::shipped();
    let bytes = m.to_bytes();
    assert!(bytes.len() < 5 * 1024 * 1024);
    let m2 = Model::from_bytes(&bytes).unwrap();
    assert_eq!(m2.to_bytes(), bytes);
    assert_eq!(m.name(), "model");
}

#[test]
fn stage_spans_slice_to_their_surface_on_emoji_and_crlf() {
    let texts = [
        "👨‍👩‍👧‍👦 Angela Merkel met Emmanuel Macron in Paris.\r\nThe European Union said Britain's exports rose.",
        "e\u{301} 🇩🇪 Zoë Ball works for Vodafone in Berlin 😀.\r\n\r\nNEW YORK 1996-08-22",
        "",
        "   \r\n ",
        "😀",
    ];
    let rec = Recognizer::new(vec![Box::new(Model::shipped())]);
    for text in texts {
        let map = OffsetMap::new(text);
        let cands = rec.recognize(text);
        for c in &cands {
            let surface = &text[c.start..c.end];
            assert!(!surface.is_empty() && surface.trim() == surface, "{c:?}");
            assert!(!surface.ends_with("'s"), "{c:?}");
            assert!(LABELS.contains(&c.label.as_str()));
            assert!((0.0..=1.0).contains(&c.score));
        }
        for s in rec.spans(text, &map) {
            let b0 = map.char_to_byte(s.start).unwrap();
            let b1 = map.char_to_byte(s.end).unwrap();
            assert!(cands
                .iter()
                .any(|c| c.start == b0 && c.end == b1 && c.label == s.label));
        }
    }
    let text = texts[0];
    let got: Vec<(String, &str)> = rec
        .recognize(text)
        .iter()
        .map(|c| (c.label.clone(), &text[c.start..c.end]))
        .collect();
    for want in [
        "Angela Merkel",
        "Emmanuel Macron",
        "Paris",
        "European Union",
        "Britain",
    ] {
        assert!(got.iter().any(|g| g.1 == want), "{want} not in {got:?}");
    }
}

#[test]
fn dev_f1_on_conll_when_present() {
    // next to the repository, or to the checkout a worktree sits in
    let root = env!("CARGO_MANIFEST_DIR");
    let Some(text) = ["../shared", "../../shared"]
        .iter()
        .map(|p| format!("{root}/{p}/data/ner/conll2003/eng.testa"))
        .find_map(|p| std::fs::read_to_string(p).ok())
    else {
        println!("skipped: conll2003/eng.testa is not in ../shared or ../../shared");
        return;
    };
    let gold = spanmark::cli::eval::read_conll(&text).unwrap();
    let pred = spanmark::cli::eval::predict_conll(&Model::shipped(), &gold);
    let s = spanmark::cli::eval::score_conll(&gold, &pred).unwrap();
    let (g, p, c) = s.micro();
    let f1 = 2.0 * c as f64 / (g + p) as f64;
    println!("eng.testa micro F1 {:.2}", f1 * 100.0);
    assert!(f1 > 0.90, "dev F1 fell to {f1}");
}
