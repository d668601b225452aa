//! The model's tests: tags, decoding, word analysis, training and the file.

use super::decode::viterbi;
use super::features::{analyze, EntityNames, Tok};
use super::tags::allowed;
use super::*;
use proptest::prelude::*;
use std::collections::HashMap;

fn sent(words: &str, ents: &[(usize, usize, &str)]) -> Sentence {
    Sentence {
        words: words.split(' ').map(String::from).collect(),
        entities: ents
            .iter()
            .map(|&(a, b, l)| (a, b, l.to_string()))
            .collect(),
        ..Default::default()
    }
}

fn tiny() -> Vec<TrainDoc> {
    vec![
        TrainDoc {
            sentences: vec![
                sent(
                    "Angela Merkel visited Paris on Monday .",
                    &[(0, 2, "PER"), (3, 4, "LOC")],
                ),
                sent(
                    "The European Union said Merkel will go .",
                    &[(1, 3, "ORG"), (4, 5, "PER")],
                ),
            ],
            ..Default::default()
        },
        TrainDoc {
            sentences: vec![
                sent(
                    "John Smith works for Acme Corp in London .",
                    &[(0, 2, "PER"), (4, 6, "ORG"), (7, 8, "LOC")],
                ),
                sent("He likes German beer .", &[(2, 3, "MISC")]),
            ],
            ..Default::default()
        },
        TrainDoc {
            sentences: vec![sent(
                "Paris and London are big cities , said John .",
                &[(0, 1, "LOC"), (2, 3, "LOC"), (8, 9, "PER")],
            )],
            ..Default::default()
        },
    ]
}

#[test]
fn tag_ids_round_trip() {
    for ty in 0..4 {
        for p in [Part::B, Part::I, Part::L, Part::U] {
            assert_eq!(tag_parts(tag_id(ty, p)), Some((ty, p)));
        }
    }
    assert_eq!(tag_name(0), "O");
    assert_eq!(tag_name(tag_id(2, Part::U)), "U-LOC");
}

#[test]
fn constraints() {
    let b = tag_id(0, Part::B) as usize;
    let i = tag_id(0, Part::I) as usize;
    let l = tag_id(0, Part::L) as usize;
    let u = tag_id(1, Part::U) as usize;
    assert!(allowed(EDGE, b) && allowed(b, i) && allowed(i, l) && allowed(l, u));
    assert!(!allowed(b, 0) && !allowed(EDGE, i) && !allowed(b, EDGE));
    assert!(!allowed(b, tag_id(1, Part::I) as usize));
    assert!(allowed(u, EDGE) && allowed(0, EDGE));
}

#[test]
fn viterbi_output_is_well_formed_even_against_emissions() {
    // emissions that love I-PER everywhere: decoding must still be valid
    let mut em = vec![[0f32; NT]; 5];
    for e in &mut em {
        e[tag_id(0, Part::I) as usize] = 10.0;
    }
    let tr = [[0f32; NT + 1]; NT + 1];
    let (mut scores, mut out) = (Vec::new(), Vec::new());
    viterbi(&em, &tr, &mut scores, &mut out);
    let mut prev = EDGE;
    for &t in &out {
        assert!(allowed(prev, t as usize), "{:?}", out);
        prev = t as usize;
    }
    assert!(allowed(prev, EDGE));
    assert_eq!(spans_from_tags(&out), vec![(0, 5, 0)]);
}

/// Textbook Viterbi over the allowed moves, with a back-pointer per token
/// and tag (the first best predecessor in tag order): what [`viterbi`] must
/// agree with, ties included.
fn viterbi_with_back_pointers(em: &[[f32; NT]], tr: &decode::Trans) -> Vec<u8> {
    // the first best allowed predecessor of `k` under the scores `cur`
    let first_best = |cur: &[f32; NT], k: usize| {
        let (mut best, mut arg) = (f32::NEG_INFINITY, None);
        for p in (0..NT).filter(|&p| allowed(p, k)) {
            let v = cur[p] + tr[p][k];
            if arg.is_none() || v > best {
                (best, arg) = (v, Some(p));
            }
        }
        (best, arg.unwrap_or(0))
    };
    let n = em.len();
    let mut back = vec![[0u8; NT]; n];
    let mut cur = [f32::NEG_INFINITY; NT];
    for k in 0..NT {
        if allowed(EDGE, k) {
            cur[k] = tr[EDGE][k] + em[0][k];
        }
    }
    for t in 1..n {
        let mut next = [f32::NEG_INFINITY; NT];
        for k in 0..NT {
            let (best, arg) = first_best(&cur, k);
            next[k] = best + em[t][k];
            back[t][k] = arg as u8;
        }
        cur = next;
    }
    let mut out = vec![first_best(&cur, EDGE).1 as u8; n];
    for t in (1..n).rev() {
        out[t - 1] = back[t][out[t] as usize];
    }
    out
}

/// The score of a tag path, `None` when it makes a move not allowed.
fn path_score(path: &[u8], em: &[[f32; NT]], tr: &decode::Trans) -> Option<f32> {
    let mut prev = EDGE;
    let mut score = 0f32;
    for (t, &tag) in path.iter().enumerate() {
        let tag = tag as usize;
        if !allowed(prev, tag) {
            return None;
        }
        score += tr[prev][tag] + em[t][tag];
        prev = tag;
    }
    allowed(prev, EDGE).then(|| score + tr[prev][EDGE])
}

proptest! {
    #[test]
    fn spans_from_any_tags_are_well_formed(tags in proptest::collection::vec(0u8..NT as u8, 0..40)) {
        let spans = spans_from_tags(&tags);
        let mut end = 0;
        for &(a, b, ty) in &spans {
            prop_assert!(a >= end && a < b && b <= tags.len() && ty < 4);
            end = b;
        }
        // well-formed spans survive a round trip through tags
        let t2 = tags_from_spans(tags.len(), &spans);
        prop_assert_eq!(spans_from_tags(&t2), spans);
    }

    // Scores of 0 or 1, so that equal paths (ties) are common: the decoder
    // must then pick the one back-pointers kept in tag order give.
    #[test]
    fn viterbi_finds_the_best_allowed_path(
        em in proptest::collection::vec(proptest::array::uniform17(0i8..2), 1..5),
        tr in proptest::collection::vec(0i8..2, (NT + 1) * (NT + 1)),
    ) {
        let em: Vec<[f32; NT]> = em.iter().map(|r| r.map(f32::from)).collect();
        let mut trans = [[0f32; NT + 1]; NT + 1];
        for (i, &x) in tr.iter().enumerate() {
            trans[i / (NT + 1)][i % (NT + 1)] = f32::from(x);
        }
        let (mut scores, mut out) = (Vec::new(), Vec::new());
        viterbi(&em, &trans, &mut scores, &mut out);
        // every allowed path scored, the best kept; the decoder's path must
        // be allowed and score as much
        let n = em.len();
        let mut best = f32::NEG_INFINITY;
        let mut path = vec![0u8; n];
        for code in 0..NT.pow(n as u32) {
            let mut c = code;
            for t in path.iter_mut() {
                *t = (c % NT) as u8;
                c /= NT;
            }
            if let Some(score) = path_score(&path, &em, &trans) {
                best = best.max(score);
            }
        }
        prop_assert_eq!(path_score(&out, &em, &trans), Some(best));
        // and among equal paths, the one back-pointers kept in the forward
        // pass give
        prop_assert_eq!(out, viterbi_with_back_pointers(&em, &trans));
    }

    #[test]
    fn analyze_never_panics(w in "\\PC{0,12}") {
        let _ = analyze(&w);
        let _ = core_of(&w);
    }
}

#[test]
fn word_forms_are_robust_to_tokenization() {
    assert_eq!(analyze("U.S.").0.lw, analyze("U.S").0.lw);
    assert_eq!(analyze("Britain's").0.lw, analyze("Britain").0.lw);
    assert_eq!(analyze("Britain\u{2019}s").0.lw, analyze("britain").0.lw);
    assert_eq!(analyze("1996").0.lw, analyze("2001").0.lw);
    assert_ne!(analyze("Apple").1.form, analyze("apple").1.form);
    assert_eq!(analyze("Apple").0.lw, analyze("APPLE").0.lw);
    assert_eq!(analyze("Xxxx").0.shape, analyze("Merkel").0.shape);
    assert_ne!(analyze("NATO").0.shape, analyze("Nato").0.shape);
    assert_eq!(core_of("'s"), "'s");
    assert_eq!(core_of("."), ".");
}

#[test]
fn gazetteer_marks_bilu_positions() {
    let words = ["the", "New", "York", "Times", "and", "York"];
    let toks: Vec<Tok> = words.iter().map(|w| analyze(w).0).collect();
    let mut map = HashMap::new();
    let lws = |ws: &[&str]| ws.iter().map(|w| analyze(w).0.lw).collect::<Vec<_>>();
    EntityNames::add(&mut map, &lws(&["new", "york"]), 2);
    EntityNames::add(&mut map, &lws(&["New", "York", "Times"]), 1);
    EntityNames::add(&mut map, &lws(&["York"]), 2);
    let g = EntityNames::from_map(&map);
    let mut out = vec![0u32; words.len()];
    g.mark(&toks, 0..words.len(), &mut out);
    assert_eq!(out[0], 0);
    assert_eq!(out[1], (1 << 8) | (1 << 4)); // B-LOC, B-ORG
    assert_eq!(out[2], (1 << 10) | (1 << 5) | (1 << 11)); // L-LOC, I-ORG, U-LOC
    assert_eq!(out[3], 1 << 6); // L-ORG
    assert_eq!(out[5], 1 << 11); // U-LOC
}

fn opts(epochs: usize) -> TrainOptions {
    TrainOptions {
        epochs,
        seed: 7,
        folds: 2,
        prune: 0.0,
        ..TrainOptions::default()
    }
}

#[test]
fn training_is_deterministic_and_learns_the_tiny_set() {
    let docs = tiny();
    let a = train(&docs, Some(&docs), &opts(8), &mut |_| {}).unwrap();
    let b = train(&docs, Some(&docs), &opts(8), &mut |_| {}).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    let words: Vec<&str> = "John Smith visited London .".split(' ').collect();
    let ents = a.entities(&words, &[]);
    let got: Vec<(usize, usize, &str)> = ents
        .iter()
        .map(|e| (e.start, e.end, LABELS[e.label]))
        .collect();
    assert_eq!(got, vec![(0, 2, "PER"), (3, 4, "LOC")]);
    for e in &ents {
        assert!(e.score > 0.0 && e.score <= 1.0, "{e:?}");
    }
    let c = train(
        &docs,
        Some(&docs),
        &TrainOptions { seed: 8, ..opts(8) },
        &mut |_| {},
    )
    .unwrap();
    // another seed is allowed to differ, but must still be a valid model
    assert!(Model::from_bytes(&c.to_bytes()).is_ok());
}

/// Several seeds are one model of their mean weights: as deterministic as
/// one seed, as good on what it learnt, and not the first seed's model.
#[test]
fn a_seed_ensemble_is_deterministic_and_not_its_first_seed() {
    let docs = tiny();
    let o = TrainOptions {
        seeds: 3,
        ..opts(8)
    };
    let a = train(&docs, Some(&docs), &o, &mut |_| {}).unwrap();
    let b = train(&docs, Some(&docs), &o, &mut |_| {}).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    let single = train(&docs, Some(&docs), &opts(8), &mut |_| {}).unwrap();
    assert_ne!(a.to_bytes(), single.to_bytes());
    let words: Vec<&str> = "John Smith visited London .".split(' ').collect();
    let got: Vec<(usize, usize, &str)> = a
        .entities(&words, &[])
        .iter()
        .map(|e| (e.start, e.end, LABELS[e.label]))
        .collect();
    assert_eq!(got, vec![(0, 2, "PER"), (3, 4, "LOC")]);
}

/// A corpus without MISC (tweets, web text) says nothing about MISC: its
/// nationality words outside any name must not unlearn that they are MISC,
/// while its PER, ORG and LOC still teach; and WNUT's `product` spans teach
/// nothing.
#[test]
fn a_corpus_without_misc_does_not_teach_that_misc_is_o() {
    let tagged = |m: &Model, text: &str| -> Vec<(usize, usize, &'static str)> {
        let words: Vec<&str> = text.split(' ').collect();
        m.entities(&words, &[])
            .iter()
            .map(|e| (e.start, e.end, LABELS[e.label]))
            .collect()
    };
    let mut docs = tiny();
    // outnumbering the one MISC sentence: "German" outside any name
    for _ in 0..6 {
        docs.push(TrainDoc {
            sentences: vec![Sentence {
                unknown: vec![(6, 7)],
                ..sent("Anna Meyer likes German beer in Rome .", &[(0, 2, "PER")])
            }],
            unlabelled: 1 << 3,
            ..Default::default()
        });
    }
    let partial = train(&docs, None, &opts(8), &mut |_| {}).unwrap();
    let text = "Anna Meyer likes German beer in Rome .";
    let got = tagged(&partial, text);
    assert!(
        got.contains(&(0, 2, "PER")) && got.contains(&(3, 4, "MISC")),
        "{got:?}"
    );
    // the same documents read as fully labelled teach the opposite
    for d in &mut docs {
        d.unlabelled = 0;
    }
    let full = train(&docs, None, &opts(8), &mut |_| {}).unwrap();
    assert!(!tagged(&full, text).contains(&(3, 4, "MISC")));
}

/// What only another corpus's guidelines say (loan agreements tag the
/// defined term `Borrower` as a person) stays in that corpus's private
/// features with `adapt`, and is not shipped; without it, it is learned.
#[test]
fn adapting_keeps_another_corpus_s_peculiarities_out_of_the_model() {
    let mut docs = tiny();
    docs.push(TrainDoc {
        sentences: vec![sent("The Borrower paid Anna Meyer .", &[(3, 5, "PER")])],
        ..Default::default()
    });
    for _ in 0..6 {
        docs.push(TrainDoc {
            sentences: vec![sent(
                "The Borrower shall pay John Smith .",
                &[(1, 2, "PER"), (4, 6, "PER")],
            )],
            domain: 1,
            ..Default::default()
        });
    }
    let text: Vec<&str> = "The Borrower shall pay Anna Meyer .".split(' ').collect();
    let borrower = |m: &Model| m.entities(&text, &[]).iter().any(|e| e.start == 1);
    let plain = train(&docs, None, &opts(8), &mut |_| {}).unwrap();
    assert!(borrower(&plain));
    let adapted = TrainOptions {
        adapt: true,
        ..opts(8)
    };
    let adapted = train(&docs, None, &adapted, &mut |_| {}).unwrap();
    assert!(!borrower(&adapted));
    let people = adapted.entities(&text, &[]);
    assert!(
        people.iter().any(|e| (e.start, e.end) == (4, 6)),
        "{people:?}"
    );
}

#[test]
fn shipped_model_writes_back_its_own_file() {
    // Every weight survives the packed, biased rows held in memory.
    assert_eq!(Model::shipped().to_bytes(), SHIPPED);
}

#[test]
fn bytes_round_trip() {
    let docs = tiny();
    let m = train(&docs, None, &opts(3), &mut |_| {}).unwrap();
    let bytes = m.to_bytes();
    let m2 = Model::from_bytes(&bytes).unwrap();
    assert_eq!(m2.to_bytes(), bytes);
    assert_eq!(m.sizes(), m2.sizes());
    let words: Vec<&str> = "Merkel met John in Paris".split(' ').collect();
    assert_eq!(m.tag(&words, &[]), m2.tag(&words, &[]));
    // damaged files are refused with a message, never a panic
    assert!(Model::from_bytes(b"nope").is_err());
    for cut in [0, 9, 20, bytes.len() / 2, bytes.len() - 1] {
        assert!(Model::from_bytes(&bytes[..cut]).is_err(), "cut {cut}");
    }
    let mut extra = bytes.clone();
    extra.push(0);
    assert!(Model::from_bytes(&extra).is_err());
}

#[test]
fn shipped_model_loads_and_finds_people_and_places() {
    let m = Model::shipped();
    assert!(m.sizes().0 > 1000);
    let words: Vec<&str> = "Angela Merkel flew to Paris on Tuesday , officials said ."
        .split(' ')
        .collect();
    let ents = m.entities(&words, &[]);
    let got: Vec<(usize, usize, &str)> = ents
        .iter()
        .map(|e| (e.start, e.end, LABELS[e.label]))
        .collect();
    assert_eq!(got, vec![(0, 2, "PER"), (4, 5, "LOC")]);
}

#[test]
fn the_name_lists_hash_names_as_the_model_does() {
    // tools/gazetteers.py hashes in Python what `EntityNames` hashes here: a
    // name the lists hold must be found under the key the model computes.
    let b = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/model/names.bin")).unwrap();
    let listed: HashMap<u32, u8> = read_listed_names(&b).unwrap().into_iter().collect();
    assert!(listed.len() > 10_000, "{} names", listed.len());
    for (name, bits) in [
        ("Kazakhstan", 0x10),
        ("Rio de Janeiro", 0x10),
        ("São Paulo", 0x10),
        ("Ürümqi", 0x10),
        ("Deutsche Börse", 0x20),
        ("Smith & Nephew", 0x20),
        ("McDonald 's", 0x20),
        ("Afghan", 0x40),
    ] {
        let lws: Vec<u64> = name.split(' ').map(|w| analyze(w).0.lw).collect();
        let mut map = HashMap::new();
        EntityNames::add_bits(&mut map, &lws, bits);
        for (k, v) in map {
            assert_eq!(listed.get(&k).map(|&l| l & v), Some(v), "{name}");
        }
    }
    assert!(read_listed_names(&b[..b.len() - 1]).is_err());
}

#[test]
fn history_tells_a_word_what_earlier_sentences_made_of_it() {
    let words = [
        "Smith", "joined", "Apex", ".", "Then", "Smith", "and", "Apex", "met", "apex", ".",
    ];
    let sents = [0..4, 4..11];
    let mut doc = features::DocFeatures::default();
    doc.build(&words, &sents, &EntityNames::default());
    let mut h = features::History::default();
    h.fill(&mut doc, &sents[0]);
    assert!(doc.hist[..4].iter().all(|&x| x == 0), "nothing came before");
    h.record(
        &doc,
        &sents[0],
        &[tag_id(0, Part::U), 0, tag_id(1, Part::U), 0],
    );
    h.fill(&mut doc, &sents[1]);
    assert_eq!(doc.hist[5], 1 << 0, "Smith was a PER");
    assert_eq!(doc.hist[7], 1 << 1, "Apex was an ORG");
    assert_eq!(doc.hist[4], 0, "Then was not seen before");
    assert_eq!(doc.hist[9], 0, "lower-case words get no history");
    // a capitalised word seen outside a name, not first in its sentence
    h.record(&doc, &sents[1], &[0; 7]);
    let mut again = features::DocFeatures::default();
    again.build(&words, &sents, &EntityNames::default());
    h.fill(&mut again, &sents[1]);
    assert_eq!(again.hist[5], (1 << 0) | features::HIST_NONE);
    assert_eq!(again.hist[4], 0, "first in its sentence: says nothing");
}

#[test]
fn later_history_tells_a_word_what_later_sentences_made_of_it() {
    // a headline first: its capitals say little, the story says who is who
    let words = [
        "APEX", "HIRES", "SMITH", "Smith", "joined", "Apex", ".", "Smith", "left", ".",
    ];
    let sents = [0..3, 3..7, 7..10];
    let mut doc = features::DocFeatures::default();
    doc.build(&words, &sents, &EntityNames::default());
    let (per, org) = (tag_id(0, Part::U), tag_id(1, Part::U));
    let tags = [0, 0, 0, per, 0, org, 0, per, 0, 0];
    assert!(features::History::later(&mut doc, &sents, &tags));
    assert_eq!(doc.later[0], 1 << 1, "APEX is an ORG later on");
    assert_eq!(doc.later[2], 1 << 0, "SMITH is a PER later on");
    assert_eq!(doc.later[1], 0, "HIRES never comes again");
    assert_eq!(doc.later[3], 1 << 0, "only later sentences count");
    assert_eq!(doc.later[5], 0, "Apex is not seen after its sentence");
    assert_eq!(doc.later[7], 0, "nothing comes after the last sentence");
    assert_eq!(doc.later[4], 0, "lower-case words get none");
    assert!(
        doc.hist.iter().all(|&h| h == 0),
        "the earlier history is apart"
    );
    let mut one = features::DocFeatures::default();
    one.build(&words[..3], &sents[..1], &EntityNames::default());
    assert!(!features::History::later(&mut one, &sents[..1], &tags[..3]));
}

#[test]
fn a_model_trained_with_later_history_decodes_twice_deterministically() {
    let docs = tiny();
    let o = TrainOptions {
        history: true,
        later: true,
        ..opts(4)
    };
    let a = train(&docs, Some(&docs), &o, &mut |_| {}).unwrap();
    let b = train(&docs, Some(&docs), &o, &mut |_| {}).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    assert!(a.later.is_some(), "it weighs the later history");
    let back = Model::from_bytes(&a.to_bytes()).unwrap();
    assert!(back.later.is_some(), "its file keeps those weights");
    let without = train(
        &docs,
        Some(&docs),
        &TrainOptions { later: false, ..o },
        &mut |_| {},
    )
    .unwrap();
    assert!(without.later.is_none(), "no second decoding without them");
    let words: Vec<&str> = "John Smith visited London . Smith left London ."
        .split(' ')
        .collect();
    let found: Vec<_> = a
        .entities(&words, &[0..5, 5..9])
        .iter()
        .map(|e| (e.start, LABELS[e.label]))
        .collect();
    assert_eq!(found, [(0, "PER"), (3, "LOC"), (5, "PER"), (7, "LOC")]);
    // The second decoding adds only the later-history rows to the first's
    // scores: the same tags as scoring every feature afresh.
    let sents = [0..5, 5..9];
    let view = a.token_view(&words, &sents);
    let hist = a.history(&words, &sents);
    assert!(
        hist.later[..5].iter().any(|&l| l != 0),
        "the first sentence has some"
    );
    let (mut scores, mut out, mut afresh) = (Vec::new(), Vec::new(), Vec::new());
    for s in &sents {
        viterbi(&view.em[s.clone()], &a.trans, &mut scores, &mut out);
        afresh.extend_from_slice(&out);
    }
    assert_eq!(afresh, view.tags);
}

#[test]
fn training_with_history_is_deterministic() {
    let docs = tiny();
    let o = TrainOptions {
        history: true,
        ..opts(4)
    };
    let a = train(&docs, Some(&docs), &o, &mut |_| {}).unwrap();
    let b = train(&docs, Some(&docs), &o, &mut |_| {}).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    let words: Vec<&str> = "John Smith visited London .".split(' ').collect();
    assert_eq!(
        a.entities(&words, &[])
            .iter()
            .map(|e| LABELS[e.label])
            .collect::<Vec<_>>(),
        ["PER", "LOC"]
    );
}

#[test]
fn a_tokens_features_are_its_words_and_its_contexts() {
    // The decoder sums a word's own features once per distinct word and the
    // rest per token: together they must be exactly the features training
    // sees, for every token, and the same for every token of one word.
    let words = [
        "Smith", "joined", "Apex", "Corp.", "in", "Paris", ".", "Smith", "left", "APEX", "“",
        "Paris", "”", "said", "Smith", "’s", "aide", "in", "2024", ".",
    ];
    let sents = [0..7, 7..20];
    let mut doc = features::DocFeatures::default();
    doc.build(&words, &sents, &EntityNames::default());
    assert_eq!(doc.distinct, 15);
    let keys = |s: &std::ops::Range<usize>, i: usize, which| {
        let mut fs = [0u32; features::MAXF];
        let n = doc.features_of(s, i, which, &mut fs);
        let mut v = fs[..n].to_vec();
        v.sort_unstable();
        v
    };
    let mut of_word: HashMap<u32, Vec<u32>> = HashMap::new();
    for s in &sents {
        for i in s.clone() {
            let w = keys(s, i, features::Which::Word);
            let mut split = w.clone();
            split.extend(keys(s, i, features::Which::Context));
            split.sort_unstable();
            assert_eq!(split, keys(s, i, features::Which::All), "token {i}");
            assert_eq!(
                of_word.entry(doc.words[i]).or_insert(w.clone()),
                &w,
                "token {i}"
            );
        }
    }
    assert_eq!(doc.words[0], doc.words[14], "Smith is one word");
}
