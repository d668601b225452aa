//! `spanmark train`: trains the entity model on CoNLL-2003 data (tag in the
//! last column, IOB1 or IOB2), choosing the epoch by F1 on `--dev`, and writes
//! the model file. Deterministic for the same data, options and seed.
//! `--cv K` instead scores the options by K-fold cross-validation on the
//! training documents and writes nothing.

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
    /// More training data (CoNLL, or UNER's `.iob2`), as `PATH` or
    /// `PATH=LABELS`: LABELS (comma-separated, default all four) are the
    /// model's types the file annotates. Its tags are mapped to PER/ORG/LOC/MISC
    /// (person, organization/corporation, location/GPE); a token outside its
    /// names may be `O` or a type it does not annotate, and a name of a type
    /// with no counterpart (WNUT's `product`) may be anything (partial labels:
    /// trained on the best path the known labels allow). A file with no
    /// document marks (tweets) is one document per sentence
    #[arg(long, value_parser = parse_extra)]
    pub extra: Vec<Extra>,
    /// Where to write the model
    #[arg(long, default_value = "model/ner.bin")]
    pub out: PathBuf,
    /// Most passes over the training data
    #[arg(long, default_value_t = 12)]
    pub epochs: usize,
    /// Seed for the shuffles
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Train this many models, seeds `--seed` onwards, and write the mean of
    /// their weights (an ensemble at no run-time cost; the history
    /// features' jackknifed models stay single)
    #[arg(long, default_value_t = 1)]
    pub seeds: usize,
    /// Jackknife folds for the gazetteer features (1 turns them off)
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Drop weights below this fraction of the largest
    #[arg(long, default_value_t = 0.004)]
    pub prune: f32,
    /// Also train on copies of the training documents in these casings
    /// (comma-separated): `upper` (every word in capitals), `lower`,
    /// `surname` (the last word of person names in capitals), `title`
    /// (all-caps headlines in title case)
    #[arg(long, value_delimiter = ',', value_parser = parse_casing)]
    pub casing: Vec<model::Casing>,
    /// The share of documents copied in the upper and lower casings
    #[arg(long, default_value_t = 1.0)]
    pub casing_share: f64,
    /// Hashed name lists beyond the training data (`tools/gazetteers.py`
    /// writes it)
    #[arg(long, default_value = "model/names.bin")]
    pub names: PathBuf,
    /// Train without the name lists of `--names`
    #[arg(long)]
    pub no_names: bool,
    /// Score these options by K-fold cross-validation on the training
    /// documents (document i is held out in fold i mod K), training each
    /// fold for exactly `--epochs`; writes no model
    #[arg(long)]
    pub cv: Option<usize>,
    /// Prediction history features: what the model labelled the same word
    /// earlier in the document (trains `--folds` more models for them)
    #[arg(long)]
    pub history: bool,
    /// With `--history`: also what the model labelled the same word in the
    /// document's later sentences (Ratinov & Roth's two-stage aggregation:
    /// the model decodes a document twice)
    #[arg(long, requires = "history")]
    pub later: bool,
    /// The gazetteer features hold only `--train`'s names, not those of the
    /// `--extra` corpora
    #[arg(long)]
    pub main_names: bool,
    /// Confidence temperature to write instead of fitting it on `--dev`
    /// (for a model trained on train + dev: the one `--cv` prints)
    #[arg(long)]
    pub temperature: Option<f32>,
    /// Domain adaptation: the `--extra` files of each directory (a corpus)
    /// other than `--train`'s have private copies of their features, not
    /// shipped (Daumé 2007)
    #[arg(long)]
    pub adapt: bool,
    /// Keep at most about this many weighted features (the largest), on top
    /// of `--prune`
    #[arg(long)]
    pub max_features: Option<usize>,
}

/// An `--extra` file and the model's types it annotates (bit `1 << i` of
/// [`model::LABELS`]).
#[derive(Clone, Debug)]
pub struct Extra {
    pub path: PathBuf,
    pub labelled: u8,
}

fn parse_extra(s: &str) -> Result<Extra, String> {
    let Some((path, labels)) = s.rsplit_once('=') else {
        return Ok(Extra {
            path: s.into(),
            labelled: 0b1111,
        });
    };
    let mut labelled = 0u8;
    for l in labels.split(',') {
        let i = model::LABELS
            .iter()
            .position(|x| x.eq_ignore_ascii_case(l))
            .ok_or_else(|| format!("{l:?} is not one of {}", model::LABELS.join(", ")))?;
        labelled |= 1 << i;
    }
    Ok(Extra {
        path: path.into(),
        labelled,
    })
}

fn parse_casing(s: &str) -> Result<model::Casing, String> {
    match s {
        "upper" => Ok(model::Casing::Upper),
        "lower" => Ok(model::Casing::Lower),
        "surname" => Ok(model::Casing::Surname),
        "title" => Ok(model::Casing::Title),
        _ => Err(format!("{s:?} is not upper, lower, surname or title")),
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
pub fn to_train_docs(docs: &[ConllDoc]) -> Vec<TrainDoc> {
    docs.iter()
        .map(|d| TrainDoc {
            sentences: d
                .sentences
                .iter()
                .map(|s| Sentence {
                    words: s.tokens.clone(),
                    entities: chunks(&s.tags)
                        .into_iter()
                        .map(|(l, a, b)| (a, b, l))
                        .collect(),
                    unknown: Vec::new(),
                })
                .collect(),
            unlabelled: 0,
            domain: 0,
        })
        .collect()
}

/// Another corpus's documents as training documents: its types mapped (see
/// [`map_label`]), names of types with no counterpart unknown, and the types
/// it does not annotate (`labelled` lacks their bits) unlabelled. A stray
/// type `O` (`B-O`, as in UNER's first release) is `O`.
pub fn to_partial_docs(docs: &[ConllDoc], labelled: u8, domain: u8) -> Vec<TrainDoc> {
    docs.iter()
        .map(|d| TrainDoc {
            sentences: d
                .sentences
                .iter()
                .map(|s| {
                    let mut sent = Sentence {
                        words: s.tokens.clone(),
                        ..Sentence::default()
                    };
                    for (l, a, b) in chunks(&s.tags) {
                        match map_label(&l) {
                            Some(m) => sent.entities.push((a, b, m.to_string())),
                            None if l.eq_ignore_ascii_case("o") => {}
                            None => sent.unknown.push((a, b)),
                        }
                    }
                    sent
                })
                .collect(),
            unlabelled: !labelled & 0b1111,
            domain,
        })
        .collect()
}

fn load(path: &PathBuf) -> Result<Vec<ConllDoc>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let docs = read_conll(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if text.contains("-DOCSTART-") || text.contains("# newdoc") {
        return Ok(docs);
    }
    // tweets: a file of thousands of sentences is not one document whose
    // names recur (document features, jackknife folds)
    Ok(docs
        .into_iter()
        .flat_map(|d| d.sentences)
        .map(|s| ConllDoc { sentences: vec![s] })
        .collect())
}

/// K-fold cross-validation: per fold, a model trained on the other folds
/// (and any `--extra` documents, which come after `gold`'s in `docs`) for
/// exactly `opts.epochs` tags the held-out documents as `spanmark eval` would;
/// prints each fold's F1, the pooled scores, the mean F1 per epoch (float
/// weights, before the document-level pass) and the mean fitted temperature.
fn cross_validate(
    gold: &[ConllDoc],
    docs: &[TrainDoc],
    k: usize,
    opts: &TrainOptions,
) -> CliResult {
    if k < 2 || k > gold.len() {
        return Err(format!("--cv needs 2 to {} folds", gold.len()));
    }
    let opts = TrainOptions {
        best_epoch: false,
        ..opts.clone()
    };
    let mut pooled = super::eval::Scores::default();
    let mut curve = vec![0f64; opts.epochs.max(1)];
    let mut temperature = 0f32;
    for fold in 0..k {
        let held = |i: &usize| *i < gold.len() && i % k == fold;
        let train: Vec<TrainDoc> = (0..docs.len())
            .filter(|i| !held(i))
            .map(|i| docs[i].clone())
            .collect();
        let test_gold: Vec<ConllDoc> = (0..gold.len())
            .filter(held)
            .map(|i| gold[i].clone())
            .collect();
        let test: Vec<TrainDoc> = (0..gold.len())
            .filter(held)
            .map(|i| docs[i].clone())
            .collect();
        let m = model::train(&train, Some(&test), &opts, &mut |(e, _, f)| {
            curve[e - 1] += f.unwrap_or(0.0) / k as f64;
        })?;
        temperature += m.temperature() / k as f32;
        let pred = super::eval::predict_conll(&m, &test_gold);
        let s = super::eval::score_conll(&test_gold, &pred)?;
        let (g, p, c) = s.micro();
        eprintln!(
            "fold {}: {} documents held out, F1 {:.2}",
            fold + 1,
            test_gold.len(),
            200.0 * c as f64 / (g + p) as f64
        );
        for (l, (g, p, c)) in s.counts {
            let t = pooled.counts.entry(l).or_default();
            *t = (t.0 + g, t.1 + p, t.2 + c);
        }
    }
    let curve: Vec<String> = curve.iter().map(|f| format!("{:.2}", f * 100.0)).collect();
    eprintln!("mean held-out F1 per epoch: {}", curve.join(" "));
    eprintln!("mean fitted temperature: {temperature}");
    eprint!("{k}-fold cross-validation, pooled:\n{}", pooled.to_table());
    Ok(())
}

pub fn run(args: Args) -> CliResult {
    let mut train = to_train_docs(&load(&args.train)?);
    // domain 0: the directory of --train (CoNLL's dev is the same corpus)
    let mut corpora = vec![args.train.parent().map(PathBuf::from)];
    for x in &args.extra {
        let dir = x.path.parent().map(PathBuf::from);
        if !corpora.contains(&dir) {
            corpora.push(dir.clone());
        }
        let domain = corpora.iter().position(|c| *c == dir).unwrap_or(0);
        let domain = u8::try_from(domain).map_err(|_| "too many --extra corpora")?;
        train.extend(to_partial_docs(&load(&x.path)?, x.labelled, domain));
    }
    let listed = if args.no_names {
        Vec::new()
    } else {
        let b = std::fs::read(&args.names)
            .map_err(|e| format!("cannot read {}: {e}", args.names.display()))?;
        model::read_listed_names(&b).map_err(|e| format!("{}: {e}", args.names.display()))?
    };
    let opts = TrainOptions {
        epochs: args.epochs,
        seed: args.seed,
        seeds: args.seeds,
        folds: args.folds,
        prune: args.prune,
        casings: args.casing.clone(),
        casing_share: args.casing_share,
        listed,
        best_epoch: true,
        history: args.history,
        later: args.later,
        main_names: args.main_names,
        temperature: args.temperature,
        adapt: args.adapt,
        max_features: args.max_features,
    };
    if let Some(k) = args.cv {
        return cross_validate(&load(&args.train)?, &train, k, &opts);
    }
    let dev = match &args.dev {
        Some(p) => Some(to_train_docs(&load(p)?)),
        None => None,
    };
    let sentences: usize = train.iter().map(|d| d.sentences.len()).sum();
    eprintln!(
        "training on {} documents, {sentences} sentences",
        train.len()
    );
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
