//! `spanmark train`: trains the entity model on CoNLL-2003 data (tag in the
//! last column, IOB1 or IOB2), choosing the epoch by F1 on `--dev`, and writes
//! the model file. Deterministic for the same data, options and seed.

use super::eval::{chunks, read_conll, ConllDoc};
use super::CliResult;
use crate::model::{self, Sentence, TrainDoc, TrainOptions};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Training data (CoNLL)
    #[arg(long, default_value = "../shared/data/ner/conll2003/eng.train")]
    pub train: PathBuf,
    /// Development data (CoNLL) to choose the epoch by entity F1
    #[arg(long)]
    pub dev: Option<PathBuf>,
    /// More training data (CoNLL); labels are mapped to PER/ORG/LOC/MISC
    /// (person, organization/corporation, location/GPE) and others dropped
    #[arg(long)]
    pub extra: Vec<PathBuf>,
    /// Where to write the model
    #[arg(long, default_value = "model/ner.bin")]
    pub out: PathBuf,
    /// Most passes over the training data
    #[arg(long, default_value_t = 12)]
    pub epochs: usize,
    /// Seed for the shuffles
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Jackknife folds for the gazetteer features (1 turns them off)
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Drop weights below this fraction of the largest
    #[arg(long, default_value_t = 0.004)]
    pub prune: f32,
    /// Also train on copies of the training documents in these casings
    /// (comma-separated): `upper` (every word in capitals), `lower`,
    /// `surname` (the last word of person names in capitals)
    #[arg(long, value_delimiter = ',', value_parser = parse_casing)]
    pub casing: Vec<model::Casing>,
}

fn parse_casing(s: &str) -> Result<model::Casing, String> {
    match s {
        "upper" => Ok(model::Casing::Upper),
        "lower" => Ok(model::Casing::Lower),
        "surname" => Ok(model::Casing::Surname),
        _ => Err(format!("{s:?} is not upper, lower or surname")),
    }
}

/// Maps another corpus's label onto the model's, if it has a counterpart.
pub fn map_label(l: &str) -> Option<&'static str> {
    match l.to_ascii_lowercase().as_str() {
        "per" | "person" => Some("PER"),
        "org" | "organization" | "organisation" | "corporation" => Some("ORG"),
        "loc" | "location" | "gpe" | "geo-loc" => Some("LOC"),
        "misc" => Some("MISC"),
        _ => None,
    }
}

/// CoNLL documents as training documents (entities chunked as conlleval).
pub fn to_train_docs(docs: &[ConllDoc], map: bool) -> Vec<TrainDoc> {
    docs.iter()
        .map(|d| TrainDoc {
            sentences: d
                .sentences
                .iter()
                .map(|s| Sentence {
                    words: s.tokens.clone(),
                    entities: chunks(&s.tags)
                        .into_iter()
                        .filter_map(|(l, a, b)| {
                            let l = if map { map_label(&l)?.to_string() } else { l };
                            Some((a, b, l))
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

fn load(path: &PathBuf) -> Result<Vec<ConllDoc>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    read_conll(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(args: Args) -> CliResult {
    let mut train = to_train_docs(&load(&args.train)?, false);
    for p in &args.extra {
        train.extend(to_train_docs(&load(p)?, true));
    }
    let dev = match &args.dev {
        Some(p) => Some(to_train_docs(&load(p)?, false)),
        None => None,
    };
    let sentences: usize = train.iter().map(|d| d.sentences.len()).sum();
    eprintln!(
        "training on {} documents, {sentences} sentences",
        train.len()
    );
    let opts = TrainOptions {
        epochs: args.epochs,
        seed: args.seed,
        folds: args.folds,
        prune: args.prune,
        casings: args.casing.clone(),
    };
    let t0 = std::time::Instant::now();
    let m = model::train(
        &train,
        dev.as_deref(),
        &opts,
        &mut |(epoch, errors, f1)| match f1 {
            Some(f) => eprintln!(
                "epoch {epoch}: {errors} sentences wrong, dev F1 {:.2} ({:.0?})",
                f * 100.0,
                t0.elapsed()
            ),
            None => eprintln!(
                "epoch {epoch}: {errors} sentences wrong ({:.0?})",
                t0.elapsed()
            ),
        },
    )?;
    let bytes = m.to_bytes();
    if let Some(dir) = args.out.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
    }
    std::fs::write(&args.out, &bytes)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let (feats, gaz) = m.sizes();
    eprintln!(
        "wrote {} ({} bytes, {feats} features, {gaz} gazetteer entries)",
        args.out.display(),
        bytes.len()
    );
    if let Some(dev) = &args.dev {
        let gold = load(dev)?;
        let pred = super::eval::predict_conll(&m, &gold);
        let s = super::eval::score_conll(&gold, &pred)?;
        eprint!(
            "dev scores of the written (quantised) model:\n{}",
            s.to_table()
        );
    }
    Ok(())
}
