//! The wasm-bindgen surface for the page: every method converts its
//! arguments, calls the [`crate::session`] and converts the result, as
//! regex's top crate does over its engines. No decision is made here.
//!
//! Structured values (actions, outcomes, labels, documents) cross with
//! serde-wasm-bindgen; bulk tables (spans, blocks, suggestions, stored span
//! columns) as typed arrays. See docs/ARCHITECTURE.md.

use wasm_bindgen::prelude::*;

mod annotator;
mod convert;
mod profile;
mod project;
mod team;
mod worker;

#[wasm_bindgen(start)]
fn start() {
    // A panic is a bug, never the user's doing; the page must hear of it to
    // stop using this instance and keep the saved work (see app.js).
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let global = js_sys::global();
        if let Ok(f) = js_sys::Reflect::get(&global, &JsValue::from_str("spanmarkPanic")) {
            if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                let _ = f.call1(&JsValue::NULL, &JsValue::from_str(&info.to_string()));
            }
        }
    }));
}

/// Panics on purpose, so that tests can check how the page takes a panic.
#[wasm_bindgen(js_name = panicForTests)]
pub fn panic_for_tests() {
    panic!("a deliberate panic (panicForTests)");
}
