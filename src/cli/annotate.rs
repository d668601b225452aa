//! `spanmark annotate` (not yet written).

use super::CliResult;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> CliResult {
    Err("`annotate` is not implemented yet".to_string())
}
