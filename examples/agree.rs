//! The agreement figures for tests/interop/test_agreement.py, which checks
//! them against scikit-learn and seqeval. Not part of the CLI.
//!
//! `agree tokens`: reads `{"documents": [{"id", "text"}]}` on stdin and
//! writes each document's tokens as `[start, end]` code points;
//! `agree`: reads `{"documents", "records": [ann: records], "labels"?}` and
//! writes `spanmark::agreement::agreement` of them.

use spanmark::agreement::{agreement, Annotated};
use spanmark::text_index::TextIndex;
use std::collections::BTreeMap;
use std::io::Read;

#[derive(serde::Deserialize)]
struct Input {
    documents: Vec<Doc>,
    #[serde(default)]
    records: Vec<Annotated>,
    labels: Option<Vec<String>>,
}

#[derive(serde::Deserialize)]
struct Doc {
    id: String,
    text: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut raw = String::new();
    std::io::stdin().read_to_string(&mut raw)?;
    let input: Input = serde_json::from_str(&raw)?;
    let texts: BTreeMap<&str, &str> = input
        .documents
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();
    let out = if std::env::args().nth(1).as_deref() == Some("tokens") {
        let tokens: BTreeMap<&str, Vec<(usize, usize)>> = texts
            .iter()
            .map(|(id, text)| {
                let index = TextIndex::new(text);
                let t = index.tokens().iter().map(|t| index.token_chars(t));
                (*id, t.collect())
            })
            .collect();
        serde_json::to_string(&tokens)?
    } else {
        let a = agreement(
            &input.records,
            |id| texts.get(id).copied(),
            input.labels.as_deref(),
        );
        serde_json::to_string(&a)?
    };
    println!("{out}");
    Ok(())
}
