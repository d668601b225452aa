//! wasm-bindgen surface (being written).
