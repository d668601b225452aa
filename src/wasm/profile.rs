//! For the benchmark: builds one stage of the standard recognizer, so that
//! the page can time what building the recognizer costs, stage by stage.

use crate::recognize::{Gazetteer, Patterns};
use wasm_bindgen::prelude::*;

/// Builds (and drops) the stage named `patterns`, `gazetteer` or `model`;
/// false for any other name.
#[wasm_bindgen(js_name = buildStageForBench)]
pub fn build_stage_for_bench(name: &str) -> bool {
    match name {
        "patterns" => drop(Patterns::new()),
        "gazetteer" => drop(Gazetteer::standard()),
        "model" => drop(crate::model::Model::shipped()),
        _ => return false,
    }
    true
}
