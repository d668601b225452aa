//! Throughput of the tokenizer, each stage and the whole standard pipeline on
//! ~5 MB of generated news-like text (sentences written for this example) or
//! on a file you give.
//!
//! `cargo run --release --example recognize_speed [FILE]` (or `build` to time only
//! the construction of each stage, as the page pays it before its first
//! highlight).

use spanmark::model::Model;
use spanmark::recognize::{Context, Gazetteer, Patterns, Recognizer, Stage};
use spanmark::tokenize::{sentences, tokenize};
use std::time::Instant;

pub const SENTENCES: &[&str] = &[
    "German Chancellor Angela Merkel met French President Emmanuel Macron in Paris on Monday.",
    "Shares of Acme Corp. rose 12% to $45.20 after the company said it would hire 2,500 workers.",
    "\"We are very happy with the result,\" Mr. Smith told reporters at 10:30 a.m. in New York.",
    "The European Commission said the $1.5 billion plan would lift growth by 0.5 percent next year.",
    "However, analysts at Deutsche Bank were cautious about the outlook for the U.S. economy.",
    "BERLIN (Reuters) - Police arrested three men near the Brandenburg Gate late on Friday.",
    "Brazilian striker Ronaldo Nazario scored twice as Real Madrid beat Valencia 3-1 on Sunday.",
    "The first shipment of 12 tonnes of wheat left Odessa for Cairo last week, officials said.",
    "Prices for crude oil fell 3.5 per cent to 80 dollars a barrel in London trading on 5 March 2024.",
    "Contact press@example.org or visit https://www.example.org/news for the full report.",
    "Kowalczyk said the University of Warsaw would open a new campus in 2026.",
    "It's a state-of-the-art plant, and the company's chief executive, Jean-Pierre Dupont, didn't disagree.",
    "The typhoon killed at least 40 people and cut power to 1.2 million homes in the Philippines 🌀.",
    "Inflation in Turkey reached 61.5% in March, the highest since the late 1990s.",
];

/// Fastest and median of `runs` timings of `f`, in milliseconds (on a busy
/// machine the fastest is the steadier figure).
fn min_median_ms(runs: usize, f: &mut dyn FnMut()) -> (f64, f64) {
    let mut v: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    (v[0], v[runs / 2])
}

fn construction() {
    // The first build pays for page faults and cold caches, as a fresh page
    // does; later ones show the steady cost.
    let first = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64() * 1e3
    };
    let mut p = || {
        std::hint::black_box(Patterns::new());
    };
    let mut g = || drop(std::hint::black_box(Gazetteer::standard()));
    let mut m = || drop(std::hint::black_box(Model::shipped()));
    let mut all = || drop(std::hint::black_box(Recognizer::standard()));
    let stages: [(&str, &mut dyn FnMut()); 4] = [
        ("Patterns::new", &mut p),
        ("Gazetteer::standard", &mut g),
        ("Model::shipped", &mut m),
        ("Recognizer::standard", &mut all),
    ];
    for (name, f) in stages {
        let once = first(f);
        let (min, median) = min_median_ms(21, f);
        println!("build {name:<21} first {once:6.2} ms, of 21 more: fastest {min:6.2} ms, median {median:6.2} ms");
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("build") {
        construction();
        return;
    }
    let text = match std::env::args().nth(1) {
        // A corpus of your own, e.g. bench/corpus.mjs's articles.
        Some(path) => std::fs::read_to_string(&path).expect("a readable UTF-8 file"),
        None => generated(),
    };
    let mb = text.len() as f64 / 1e6;

    let best = |f: &mut dyn FnMut() -> usize| {
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            n = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        (n, best)
    };
    let line = |what: &str, n: usize, unit: &str, secs: f64, ntok: usize| {
        println!(
            "{what:<22} {n:>8} {unit:<10} {:8.1} ms  {:6.2} M tokens/s",
            secs * 1e3,
            ntok as f64 / secs / 1e6
        );
    };

    let (ntok, secs) = best(&mut || tokenize(&text).len());
    println!("{mb:.2} MB, {ntok} tokens; best of 5 runs each");
    line("tokenize", ntok, "tokens", secs, ntok);
    let tokens = tokenize(&text);
    let (nsent, secs) = best(&mut || sentences(&text, &tokens).len());
    line("sentences", nsent, "sentences", secs, ntok);
    let sents = sentences(&text, &tokens);
    let cx = Context {
        text: &text,
        tokens: &tokens,
        sentences: &sents,
    };
    let stages: [(&str, Box<dyn Stage>); 3] = [
        ("patterns find", Box::new(Patterns::new())),
        ("gazetteer find", Box::new(Gazetteer::standard())),
        ("model find", Box::new(Model::shipped())),
    ];
    for (name, stage) in &stages {
        let (nc, secs) = best(&mut || {
            let mut out = Vec::new();
            stage.find(&cx, &mut out);
            out.len()
        });
        line(name, nc, "candidates", secs, ntok);
    }
    let r = Recognizer::standard();
    let (nc, secs) = best(&mut || r.recognize_in(&cx).len());
    line("stages + merge", nc, "spans", secs, ntok);
    let (nc, secs) = best(&mut || r.recognize(&text).len());
    line("recognize (all)", nc, "spans", secs, ntok);
}

/// ~5 MB of the sentences above in a scrambled order.
fn generated() -> String {
    let mut text = String::with_capacity(5_200_000);
    let mut i = 0usize;
    while text.len() < 5_000_000 {
        text.push_str(SENTENCES[i % SENTENCES.len()]);
        text.push_str(if i % 7 == 6 { "\n\n" } else { " " });
        i = i.wrapping_mul(31).wrapping_add(17) % 1_000_003;
    }
    text
}
