use super::decode::{segment_scores, viterbi, Trans};
use super::features::{analyze, finish, mix, DocFeatures, EntityNames, Histories, F_UPPER, MAXF};
use super::tags::{spans_from_tags, tags_from_spans, EDGE, LABELS, NT};
use super::Model;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// A sentence with its gold entities as token ranges.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sentence {
    pub words: Vec<String>,
    /// `(start, end, label)`; labels outside [`LABELS`] are ignored.
    pub entities: Vec<(usize, usize, String)>,
    /// Token ranges whose labels are unknown (names of a type another
    /// corpus has and the model has not, such as WNUT's `product`): any
    /// tags may stand there.
    pub unknown: Vec<(usize, usize)>,
}

/// A document: the unit of document-level features.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainDoc {
    pub sentences: Vec<Sentence>,
    /// The types of [`LABELS`] (bit `1 << i`) its annotators did not mark:
    /// a token outside its entities may be one of those as well as `O`
    /// (a corpus without MISC does not teach that MISC is `O`).
    pub unlabelled: u8,
    /// The corpus it comes from: 0 for the main one (CoNLL), others for
    /// data of other genres (see [`TrainOptions::adapt`]).
    pub domain: u8,
}

#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Most passes over the data; with dev data, the best pass is kept.
    pub epochs: usize,
    pub seed: u64,
    /// Train with this many seeds (`seed`, `seed + 1`, ...) and keep the
    /// mean of their averaged weights (1: one model).
    pub seeds: usize,
    /// Jackknife folds for the gazetteer features (0 or 1: no gazetteer).
    pub folds: usize,
    /// Drop averaged weights with |w| below this fraction of the largest.
    pub prune: f32,
    /// Also train on copies of every document in other casings (see
    /// [`Casing`]), for headlines, shouting and lower-case web text.
    pub casings: Vec<Casing>,
    /// The share (0..=1) of documents copied in the `Upper` and `Lower`
    /// casings (`Surname` and `Title` copy every document they change):
    /// copying all of them outweighs the text as written.
    pub casing_share: f64,
    /// Names from lists beyond the training data ([`read_listed_names`]
    /// reads `model/names.bin`): gazetteer features the model learns to
    /// trust as far as the training data bears them out.
    ///
    /// [`read_listed_names`]: super::read_listed_names
    pub listed: Vec<(u32, u8)>,
    /// With dev data: keep the epoch with the best dev F1 (else the last;
    /// cross-validation fixes the number of epochs instead).
    pub best_epoch: bool,
    /// Prediction history features (what the model labelled the same word
    /// earlier in the document); in training they come from the decoding of
    /// jackknifed models without them (`folds` of them, trained for at most
    /// [`HISTORY_EPOCHS`]).
    pub history: bool,
    /// With `history`: also what the model labelled the same word in the
    /// document's later sentences (a second decoding at run time; see
    /// `Model::run`).
    pub later: bool,
    /// The gazetteer features hold the names of the main corpus only (not
    /// those of the other genres' documents, `domain` not 0).
    pub main_names: bool,
    /// The confidence temperature to write instead of fitting it on dev
    /// (a model trained on train + dev takes the one cross-validation found).
    pub temperature: Option<f32>,
    /// Domain adaptation by feature augmentation (Daumé 2007, "Frustratingly
    /// easy domain adaptation"): a document of another corpus (`domain` not
    /// 0) also has a private copy of each of its features, which takes up
    /// what is peculiar to that corpus (its guidelines, its genre); only the
    /// shared weights are kept.
    pub adapt: bool,
    /// Keep at most about this many weighted features (those with the
    /// largest weights), for the page's size budget.
    pub max_features: Option<usize>,
}

/// A casing a training document is copied into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Casing {
    /// Every word in capitals, as in headlines and wire-service shouting.
    Upper,
    /// Every word in lower case, as in chat and comments.
    Lower,
    /// The last word of every person's name of two or more words in
    /// capitals (`Sergei SUPINSKY`), as results lists write surnames.
    Surname,
    /// All-caps headlines in title case (`Killer Whales Leave Bay`), as
    /// most news sites write them.
    Title,
}

/// Words a title-case headline leaves in lower case.
const MINOR: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "vs",
];

/// `WORD` as `Word` (`minor` words as `word`).
fn title_case(w: &str, minor: bool) -> String {
    let lower = w.to_lowercase();
    if minor && MINOR.contains(&lower.as_str()) {
        return lower;
    }
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => lower,
    }
}

/// An all-caps headline: at least two words with letters, four in five of
/// them in capitals (as `DocFeatures` tells headlines).
fn all_caps(words: &[String]) -> bool {
    let letters: Vec<&String> = words
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let caps = letters
        .iter()
        .filter(|w| !w.chars().any(char::is_lowercase))
        .count();
    letters.len() >= 2 && caps * 5 >= letters.len() * 4
}

impl Casing {
    /// The copy of `d` in this casing; `None` when it would not differ.
    fn copy(self, d: &TrainDoc) -> Option<TrainDoc> {
        let mut c = d.clone();
        let mut changed = false;
        for s in &mut c.sentences {
            match self {
                Casing::Upper | Casing::Lower => {
                    for w in &mut s.words {
                        let x = if self == Casing::Upper {
                            w.to_uppercase()
                        } else {
                            w.to_lowercase()
                        };
                        changed |= x != *w;
                        *w = x;
                    }
                }
                Casing::Title => {
                    if all_caps(&s.words) {
                        for (i, w) in s.words.iter_mut().enumerate() {
                            let x = title_case(w, i > 0);
                            changed |= x != *w;
                            *w = x;
                        }
                    }
                }
                Casing::Surname => {
                    for (a, b, l) in &s.entities {
                        if l == "PER" && b - a >= 2 {
                            let w = &mut s.words[b - 1];
                            let x = w.to_uppercase();
                            changed |= x != *w;
                            *w = x;
                        }
                    }
                }
            }
        }
        changed.then_some(c)
    }
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 12,
            seed: 1,
            seeds: 1,
            folds: 5,
            prune: 0.004,
            casings: Vec::new(),
            casing_share: 1.0,
            listed: Vec::new(),
            best_epoch: true,
            history: false,
            later: false,
            main_names: false,
            temperature: None,
            adapt: false,
            max_features: None,
        }
    }
}

/// Per epoch: (epoch, train errors, dev F1 when dev data is given).
pub type EpochLog = (usize, usize, Option<f64>);

struct Encoded {
    /// Feature ids per token, flat, with `start[t]..start[t+1]`.
    feats: Vec<u32>,
    start: Vec<u32>,
    sents: Vec<GoldSentence>,
}

/// A sentence as a token range into [`Encoded`]'s flat arrays, with its gold
/// tags and, when partly labelled, the tags each token may have (bit
/// `1 << tag`).
type GoldSentence = (Range<usize>, Vec<u8>, Option<Vec<u32>>);

/// Feature keys and their dense ids; `private`: the keys of other domains'
/// private copies (see [`TrainOptions::adapt`]).
#[derive(Default)]
struct FeatureIds {
    ids: HashMap<u32, u32>,
    keys: Vec<u32>,
    private: HashSet<u32>,
}

fn label_index(l: &str) -> Option<usize> {
    LABELS.iter().position(|&x| x == l)
}

fn doc_words(d: &TrainDoc) -> (Vec<&str>, Vec<Range<usize>>) {
    let mut words = Vec::new();
    let mut sents = Vec::new();
    for s in &d.sentences {
        let a = words.len();
        words.extend(s.words.iter().map(String::as_str));
        sents.push(a..words.len());
    }
    (words, sents)
}

/// The gold tags of a sentence (entities of types the document leaves
/// unlabelled count as unknown), and for a partly labelled sentence the tags
/// each token may have: a known entity's own tag, any tag in an unknown
/// range, else `O` or a tag of an unlabelled type.
fn gold_tags(s: &Sentence, unlabelled: u8) -> (Vec<u8>, Option<Vec<u32>>) {
    let mut unknown = s.unknown.clone();
    let spans: Vec<(usize, usize, usize)> = s
        .entities
        .iter()
        .filter_map(|(a, b, l)| {
            let ty = label_index(l)?;
            if unlabelled & (1 << ty) != 0 {
                unknown.push((*a, *b));
                return None;
            }
            Some((*a, *b, ty))
        })
        .collect();
    let tags = tags_from_spans(s.words.len(), &spans);
    if unlabelled == 0 && unknown.is_empty() {
        return (tags, None);
    }
    let outside = (0..LABELS.len())
        .filter(|ty| unlabelled & (1 << ty) != 0)
        .fold(1u32, |m, ty| m | 0b1111 << (1 + 4 * ty));
    let mut mask: Vec<u32> = tags
        .iter()
        .map(|&t| if t == 0 { outside } else { 1 << t })
        .collect();
    for (a, b) in unknown {
        for m in mask.iter_mut().take(b).skip(a) {
            *m = (1 << NT) - 1;
        }
    }
    (tags, Some(mask))
}

fn build_names<'a>(docs: impl Iterator<Item = &'a TrainDoc>, listed: &[(u32, u8)]) -> EntityNames {
    let mut map: HashMap<u32, u8> = listed.iter().copied().collect();
    for d in docs {
        for s in &d.sentences {
            for (a, b, l) in &s.entities {
                if let Some(ty) = label_index(l).filter(|ty| d.unlabelled & (1 << ty) == 0) {
                    let lws: Vec<u64> = s.words[*a..*b].iter().map(|w| analyze(w).0.lw).collect();
                    EntityNames::add(&mut map, &lws, ty);
                }
            }
        }
    }
    EntityNames::from_map(&map)
}

/// Seeds the keys of the private copies of another domain's features.
const DOMAIN_SEED: u64 = 0xd0_3a11;

/// The emission score of a tag the known labels rule out: far below any
/// real path's score, yet finite so that sums stay ordered.
const FORBIDDEN: f32 = -1e30;

/// Epochs of the models that give the training data its history features.
pub const HISTORY_EPOCHS: usize = 6;

/// The history features of the training documents (each from a model
/// trained without them on the folds that do not hold it) and of the dev
/// documents (from the first of those models).
fn jackknife_history(
    train_docs: &[TrainDoc],
    dev: Option<&[TrainDoc]>,
    opts: &TrainOptions,
) -> Result<(Vec<Histories>, Vec<Histories>), String> {
    let folds = opts.folds.max(2);
    let inner = TrainOptions {
        history: false,
        later: false,
        seeds: 1,
        epochs: opts.epochs.min(HISTORY_EPOCHS),
        best_epoch: false,
        temperature: Some(1.0),
        ..opts.clone()
    };
    let mut hist = vec![Histories::default(); train_docs.len()];
    let mut dev_hist = Vec::new();
    for k in 0..folds {
        let sub: Vec<TrainDoc> = (0..train_docs.len())
            .filter(|i| i % folds != k)
            .map(|i| train_docs[i].clone())
            .collect();
        let m = train(&sub, None, &inner, &mut |_| {})?;
        for (i, d) in train_docs.iter().enumerate() {
            if i % folds == k {
                let (words, sents) = doc_words(d);
                hist[i] = m.history(&words, &sents);
                if !opts.later {
                    hist[i].later.clear();
                }
            }
        }
        if k == 0 {
            for d in dev.unwrap_or(&[]) {
                let (words, sents) = doc_words(d);
                let mut h = m.history(&words, &sents);
                if !opts.later {
                    h.later.clear();
                }
                dev_hist.push(h);
            }
        }
    }
    Ok((hist, dev_hist))
}

/// Extracts features of `docs`, mapping keys to dense ids (new keys get new
/// ids when `grow`, else are dropped). `hist`: each document's history
/// features, or none. With `adapt`, a document of another domain also gets
/// its features' private copies.
fn encode(
    docs: &[&TrainDoc],
    hist: &[&Histories],
    gaz: &dyn Fn(usize) -> usize,
    gazetteers: &[EntityNames],
    f: &mut FeatureIds,
    grow: bool,
    adapt: bool,
) -> Encoded {
    let mut enc = Encoded {
        feats: Vec::new(),
        start: vec![0],
        sents: Vec::new(),
    };
    let mut doc = DocFeatures::default();
    let mut fs = [0u32; MAXF];
    let mut ks = Vec::with_capacity(2 * MAXF);
    for (di, d) in docs.iter().enumerate() {
        let (words, sents) = doc_words(d);
        doc.build(&words, &sents, &gazetteers[gaz(di)]);
        let seed = mix(DOMAIN_SEED, d.domain as u64);
        if let Some(h) = hist.get(di) {
            // a copy in another casing keeps its original's history where
            // its words are still capitalised (as decoding would give it)
            for ((o, &x), t) in doc.hist.iter_mut().zip(&h.earlier).zip(&doc.toks) {
                *o = if t.flags & F_UPPER != 0 { x } else { 0 };
            }
            for ((o, &x), t) in doc.later.iter_mut().zip(&h.later).zip(&doc.toks) {
                *o = if t.flags & F_UPPER != 0 { x } else { 0 };
            }
        }
        let base = enc.start.len() - 1;
        for (s, sent) in sents.iter().zip(&d.sentences) {
            for i in s.clone() {
                let n = doc.features(s, i, &mut fs);
                ks.clear();
                ks.extend_from_slice(&fs[..n]);
                if adapt && d.domain != 0 {
                    for &k in &fs[..n] {
                        let c = finish(mix(seed, k as u64));
                        f.private.insert(c);
                        ks.push(c);
                    }
                }
                for &k in &ks {
                    let id = match f.ids.get(&k) {
                        Some(&id) => Some(id),
                        None if grow => {
                            let id = f.keys.len() as u32;
                            f.keys.push(k);
                            f.ids.insert(k, id);
                            Some(id)
                        }
                        None => None,
                    };
                    if let Some(id) = id {
                        enc.feats.push(id);
                    }
                }
                enc.start.push(enc.feats.len() as u32);
            }
            let (tags, mask) = gold_tags(sent, d.unlabelled);
            enc.sents.push((base + s.start..base + s.end, tags, mask));
        }
    }
    enc
}

/// A small deterministic generator (SplitMix64) for seeded shuffles.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

fn emissions(enc: &Encoded, w: &[f32], r: &Range<usize>, em: &mut Vec<[f32; NT]>) {
    em.clear();
    for t in r.clone() {
        let mut e = [0f32; NT];
        for &f in &enc.feats[enc.start[t] as usize..enc.start[t + 1] as usize] {
            let row = &w[f as usize * NT..f as usize * NT + NT];
            for (o, &x) in e.iter_mut().zip(row) {
                *o += x;
            }
        }
        em.push(e);
    }
}

/// Entity-level F1 of `w`/`tr` on encoded data, and the emission rows and
/// gold tags of every token (for calibrating the confidence temperature).
fn to_trans(v: &[f32]) -> Box<Trans> {
    let mut t = Box::new([[0f32; NT + 1]; NT + 1]);
    for (o, &x) in t.iter_mut().flatten().zip(v) {
        *o = x;
    }
    t
}

fn evaluate(enc: &Encoded, w: &[f32], tr: &Trans) -> f64 {
    let (mut tp, mut np, mut ng) = (0usize, 0usize, 0usize);
    let mut em = Vec::new();
    let mut scores = Vec::new();
    let mut out = Vec::new();
    for (r, gold, _) in &enc.sents {
        emissions(enc, w, r, &mut em);
        viterbi(&em, tr, &mut scores, &mut out);
        let p = spans_from_tags(&out);
        let g = spans_from_tags(gold);
        np += p.len();
        ng += g.len();
        tp += p.iter().filter(|x| g.contains(x)).count();
    }
    f1(tp, np, ng)
}

fn f1(tp: usize, np: usize, ng: usize) -> f64 {
    if tp == 0 {
        0.0
    } else {
        2.0 * tp as f64 / (np + ng) as f64
    }
}

/// Trains a model on `train` (choosing the epoch by F1 on `dev` when given).
/// Deterministic for given data and options.
pub fn train(
    train: &[TrainDoc],
    dev: Option<&[TrainDoc]>,
    opts: &TrainOptions,
    log: &mut dyn FnMut(EpochLog),
) -> Result<Model, String> {
    if train.is_empty() {
        return Err("no training documents".to_string());
    }
    let folds = opts.folds.max(1);
    // gazetteers[0]: from everything (shipped, used on dev); [1 + k]: without fold k
    // (with `main_names`, only the main corpus's names)
    let named = |d: &&TrainDoc| !opts.main_names || d.domain == 0;
    let full = build_names(
        train.iter().filter(|_| folds > 1).filter(named),
        &opts.listed,
    );
    let mut gazetteers = vec![full];
    if folds > 1 {
        for k in 0..folds {
            gazetteers.push(build_names(
                train
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % folds != k)
                    .map(|(_, d)| d)
                    .filter(named),
                &opts.listed,
            ));
        }
    }
    let mut fid = FeatureIds::default();
    // A copy in another casing sees the names of its original's fold (the
    // names are lower-cased, so any other fold would hand it its own).
    let copies: Vec<(usize, TrainDoc)> = opts
        .casings
        .iter()
        .enumerate()
        .flat_map(|(ci, c)| {
            train.iter().enumerate().filter_map(move |(i, d)| {
                // a seeded draw per (casing, document)
                let draw = Rng(opts.seed ^ ((ci as u64) << 32) ^ i as u64).next() % 1_000_000;
                let all = matches!(c, Casing::Surname | Casing::Title);
                (all || (draw as f64) < opts.casing_share * 1e6).then_some(())?;
                Some((i, c.copy(d)?))
            })
        })
        .collect();
    let mut refs: Vec<&TrainDoc> = train.iter().collect();
    let mut original: Vec<usize> = (0..train.len()).collect();
    for (i, d) in &copies {
        refs.push(d);
        original.push(*i);
    }
    let fold_of = |i: usize| {
        if folds > 1 {
            1 + original[i] % folds
        } else {
            0
        }
    };
    let (hist, dev_hist) = if opts.history {
        jackknife_history(train, dev, opts)?
    } else {
        (Vec::new(), Vec::new())
    };
    let ref_hist: Vec<&Histories> = if opts.history {
        original.iter().map(|&i| &hist[i]).collect()
    } else {
        Vec::new()
    };
    let tr_enc = encode(
        &refs,
        &ref_hist,
        &fold_of,
        &gazetteers,
        &mut fid,
        true,
        opts.adapt,
    );
    let dev_enc = dev.map(|d| {
        let refs: Vec<&TrainDoc> = d.iter().collect();
        let dh: Vec<&Histories> = dev_hist.iter().collect();
        encode(&refs, &dh, &|_| 0, &gazetteers, &mut fid, false, false)
    });
    // Several seeds: the mean of their averaged weights (a model ensemble
    // at no run-time cost; the mean keeps the scale `--temperature` fits).
    let seeds = opts.seeds.max(1);
    let (mut aw, mut at) = (Vec::new(), Vec::new());
    for s in 0..seeds as u64 {
        let seed_log = &mut |e: EpochLog| {
            if s == 0 {
                log(e)
            }
        };
        let (w, t) = perceptron(
            &tr_enc,
            dev_enc.as_ref(),
            fid.keys.len(),
            opts,
            opts.seed + s,
            seed_log,
        );
        if s == 0 {
            (aw, at) = (w, t);
        } else {
            aw.iter_mut().zip(&w).for_each(|(a, b)| *a += b);
            at.iter_mut().zip(&t).for_each(|(a, b)| *a += b);
        }
    }
    if seeds > 1 {
        let n = seeds as f32;
        aw.iter_mut().chain(at.iter_mut()).for_each(|x| *x /= n);
    }
    // prune and export
    let max = aw.iter().fold(0f32, |m, &x| m.max(x.abs()));
    let shared: Vec<(u32, [f32; NT], f32)> = fid
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| !fid.private.contains(k))
        .map(|(f, &k)| {
            let row: [f32; NT] = aw[f * NT..f * NT + NT].try_into().unwrap();
            (k, row, row.iter().fold(0f32, |m, &x| m.max(x.abs())))
        })
        .collect();
    let mut cut = max * opts.prune;
    if let Some(n) = opts.max_features.filter(|&n| n > 0 && n < shared.len()) {
        let mut big: Vec<f32> = shared.iter().map(|r| r.2).collect();
        let (_, nth, _) = big.select_nth_unstable_by(n - 1, |a, b| b.total_cmp(a));
        cut = cut.max(*nth);
    }
    let rows: Vec<(u32, [f32; NT])> = shared
        .into_iter()
        .filter(|r| r.2 >= cut && r.2 > 0.0)
        .map(|(k, row, _)| (k, row))
        .collect();
    let temperature = match (opts.temperature, &dev_enc) {
        (Some(t), _) => t,
        (None, Some(d)) => calibrate(d, &aw, &to_trans(&at)),
        (None, None) => max / 4.0,
    };
    let gazetteer = gazetteers.swap_remove(0);
    Ok(Model::build(
        &rows,
        to_trans(&at),
        gazetteer,
        temperature.max(1e-3),
    ))
}

/// One averaged structured perceptron over the encoded sentences, shuffled
/// by `seed`: the averaged emission weights (`nf` rows of [`NT`]) and
/// transitions (with dev data and `best_epoch`, those of the best epoch).
fn perceptron(
    tr_enc: &Encoded,
    dev_enc: Option<&Encoded>,
    nf: usize,
    opts: &TrainOptions,
    seed: u64,
    log: &mut dyn FnMut(EpochLog),
) -> (Vec<f32>, Vec<f32>) {
    let nt = (NT + 1) * (NT + 1);
    let mut w = vec![0f32; nf * NT];
    let mut wa = vec![0f32; nf * NT]; // sum of c * update, for averaging
    let mut tr = vec![0f32; nt];
    let mut tra = vec![0f32; nt];
    let mut c = 1f32;
    let mut order: Vec<usize> = (0..tr_enc.sents.len()).collect();
    let mut rng = Rng(seed ^ 0x5bd1_e995);
    let mut em = Vec::new();
    let mut scores = Vec::new();
    let mut out = Vec::new();
    let mut latent = Vec::new();
    let mut masked = Vec::new();
    let mut best: Option<(f64, Vec<f32>, Vec<f32>)> = None;
    let average = |w: &[f32], wa: &[f32], c: f32| -> Vec<f32> {
        w.iter().zip(wa).map(|(&a, &b)| a - b / c).collect()
    };
    for epoch in 1..=opts.epochs.max(1) {
        rng.shuffle(&mut order);
        let mut errors = 0;
        for &si in &order {
            let (r, gold, mask) = &tr_enc.sents[si];
            emissions(tr_enc, &w, r, &mut em);
            let trans = to_trans(&tr);
            viterbi(&em, &trans, &mut scores, &mut out);
            // Partly labelled: the gold path is the best-scoring one among
            // those the known labels allow (a latent-variable perceptron).
            let gold = match mask {
                None => gold,
                Some(m) => {
                    masked.clear();
                    masked.extend(em.iter().zip(m).map(|(e, &m)| {
                        let mut e = *e;
                        for (k, x) in e.iter_mut().enumerate() {
                            if m & (1 << k) == 0 {
                                *x = FORBIDDEN;
                            }
                        }
                        e
                    }));
                    viterbi(&masked, &trans, &mut scores, &mut latent);
                    &latent
                }
            };
            if out != *gold {
                errors += 1;
                for (j, t) in r.clone().enumerate() {
                    let (g, p) = (gold[j] as usize, out[j] as usize);
                    if g == p {
                        continue;
                    }
                    for &f in &tr_enc.feats[tr_enc.start[t] as usize..tr_enc.start[t + 1] as usize]
                    {
                        let base = f as usize * NT;
                        w[base + g] += 1.0;
                        wa[base + g] += c;
                        w[base + p] -= 1.0;
                        wa[base + p] -= c;
                    }
                }
                let n = gold.len();
                for j in 0..=n {
                    let gp = if j == 0 { EDGE } else { gold[j - 1] as usize };
                    let gn = if j == n { EDGE } else { gold[j] as usize };
                    let pp = if j == 0 { EDGE } else { out[j - 1] as usize };
                    let pn = if j == n { EDGE } else { out[j] as usize };
                    if (gp, gn) != (pp, pn) {
                        tr[gp * (NT + 1) + gn] += 1.0;
                        tra[gp * (NT + 1) + gn] += c;
                        tr[pp * (NT + 1) + pn] -= 1.0;
                        tra[pp * (NT + 1) + pn] -= c;
                    }
                }
            }
            c += 1.0;
        }
        let dev_f1 = dev_enc.map(|d| {
            let aw = average(&w, &wa, c);
            let at = average(&tr, &tra, c);
            let f = evaluate(d, &aw, &to_trans(&at));
            if opts.best_epoch && best.as_ref().is_none_or(|b| f > b.0) {
                best = Some((f, aw, at));
            }
            f
        });
        log((epoch, errors, dev_f1));
    }
    match best {
        Some((_, aw, at)) => (aw, at),
        None => (average(&w, &wa, c), average(&tr, &tra, c)),
    }
}

/// The temperature that makes [`segment_confidence`] a calibrated probability
/// that a predicted entity is right (least log loss over dev predictions, by
/// grid search).
fn calibrate(enc: &Encoded, w: &[f32], tr: &Trans) -> f32 {
    let mut em = Vec::new();
    let mut scores = Vec::new();
    let mut out = Vec::new();
    // (score margin of the predicted type over the others, correct?)
    let mut rows: Vec<([f32; 5], usize, bool)> = Vec::new();
    for (r, gold, _) in &enc.sents {
        emissions(enc, w, r, &mut em);
        viterbi(&em, tr, &mut scores, &mut out);
        let g = spans_from_tags(gold);
        for (a, b, ty) in spans_from_tags(&out) {
            rows.push((
                segment_scores(&em, tr, &out, a, b),
                ty,
                g.contains(&(a, b, ty)),
            ));
        }
    }
    let mut best = (f64::INFINITY, 1.0f32);
    for i in 0..80 {
        let t = 0.25 * 1.1f32.powi(i);
        let loss: f64 = rows
            .iter()
            .map(|(s, ty, ok)| {
                let max = s.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
                let z: f32 = s.iter().map(|&x| ((x - max) / t).exp()).sum();
                let p = (((s[*ty] - max) / t).exp() / z).clamp(1e-6, 1.0 - 1e-6) as f64;
                if *ok {
                    -p.ln()
                } else {
                    -(1.0 - p).ln()
                }
            })
            .sum();
        if loss < best.0 {
            best = (loss, t);
        }
    }
    best.1
}
