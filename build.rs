//! Compiles the pattern stage's rules (src/recognize/patterns/rules.rs) into
//! one anchored, minimised DFA and writes its bytes to `$OUT_DIR/patterns.dfa`,
//! which the stage embeds and reads in place (why: src/recognize/patterns/mod.rs),
//! and each rule's group, label and score, in pattern order, to
//! `$OUT_DIR/pattern_rules.rs`, so that the stage never builds the rules' text.

use regex_automata::dfa::{dense, StartKind};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::syntax;
use regex_automata::MatchKind;
use std::path::PathBuf;

#[path = "src/recognize/patterns/rules.rs"]
mod rules;

fn main() {
    println!("cargo:rerun-if-changed=src/recognize/patterns/rules.rs");
    println!("cargo:rerun-if-changed=build.rs");
    let rules = rules::rules();
    let bodies: Vec<&str> = rules.iter().map(|r| r.body.as_str()).collect();
    let dfa = dense::Builder::new()
        .syntax(syntax::Config::new().utf8(true))
        // Only where a match ends is read, never a group.
        .thompson(thompson::Config::new().which_captures(WhichCaptures::None))
        .configure(
            dense::Config::new()
                .match_kind(MatchKind::LeftmostFirst)
                .start_kind(StartKind::Anchored)
                .minimize(true),
        )
        .build_many(&bodies)
        .expect("the pattern rules compile to a DFA");
    let (bytes, pad) = match std::env::var("CARGO_CFG_TARGET_ENDIAN").as_deref() {
        Ok("big") => dfa.to_bytes_big_endian(),
        _ => dfa.to_bytes_little_endian(),
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("patterns.dfa"), &bytes[pad..]).expect("OUT_DIR is writable");
    let table: Vec<String> = rules
        .iter()
        .map(|r| format!("({:?}, {:?}, {:?})", r.group, r.label, r.score))
        .collect();
    std::fs::write(
        out.join("pattern_rules.rs"),
        format!("[{}]\n", table.join(",\n")),
    )
    .expect("OUT_DIR is writable");
}
