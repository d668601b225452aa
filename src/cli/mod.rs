//! The CLI's commands, one module each; `src/bin/spanmark.rs` only dispatches.
//! Each `run` returns an error message for the user; the binary prints it and
//! exits non-zero.

pub mod annotate;
pub mod convert;
pub mod eval;
pub mod team;
pub mod train;

/// A message for the person at the terminal.
pub type CliResult = Result<(), String>;
