//! Throughput of the tokenizer and of the standard rule pipeline on ~5 MB of
//! generated news-like text (sentences written for this example).
//!
//! `cargo run --release --example recognize_speed`

use spanmark::recognize::Recognizer;
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

fn main() {
    let mut text = String::with_capacity(5_200_000);
    let mut i = 0usize;
    while text.len() < 5_000_000 {
        text.push_str(SENTENCES[i % SENTENCES.len()]);
        text.push_str(if i % 7 == 6 { "\n\n" } else { " " });
        i = i.wrapping_mul(31).wrapping_add(17) % 1_000_003;
    }
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

    let (ntok, secs) = best(&mut || tokenize(&text).len());
    println!(
        "tokenize:            {ntok} tokens in {mb:.1} MB, {:.2} M tokens/s ({:.0} MB/s)",
        ntok as f64 / secs / 1e6,
        mb / secs
    );
    let tokens = tokenize(&text);
    let (nsent, secs) = best(&mut || sentences(&text, &tokens).len());
    println!(
        "sentences:           {nsent} sentences, {:.2} M tokens/s",
        ntok as f64 / secs / 1e6
    );
    let t = Instant::now();
    let r = Recognizer::standard();
    println!(
        "Recognizer::standard built in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let (nc, secs) = best(&mut || r.recognize(&text).len());
    println!(
        "recognize (standard): {nc} spans, {:.2} M tokens/s ({:.1} MB/s)",
        ntok as f64 / secs / 1e6,
        mb / secs
    );
    for name in ["patterns", "gazetteer", "heuristic"] {
        let others: Vec<_> = ["patterns", "gazetteer", "heuristic"]
            .into_iter()
            .filter(|n| *n != name)
            .collect();
        let only = others
            .iter()
            .fold(Recognizer::standard(), |r, n| r.without(n));
        let (nc, secs) = best(&mut || only.recognize(&text).len());
        println!(
            "  only {name:<10} {nc} spans, {:.2} M tokens/s (including tokenize + sentences)",
            ntok as f64 / secs / 1e6
        );
    }
}
