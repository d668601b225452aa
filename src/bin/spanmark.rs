//! The command-line tool: batch pre-annotation, format conversion, training,
//! evaluation, and a team server's accounts and projects. Each command lives
//! in its own module of `spanmark::cli`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "spanmark",
    version,
    about = "Named-entity pre-annotation and format conversion"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Pre-annotate documents (JSONL of {"id","text"} or a .txt file)
    Annotate(spanmark::cli::annotate::Args),
    /// Convert between annotation formats
    Convert(spanmark::cli::convert::Args),
    /// Train the entity model
    Train(spanmark::cli::train::Args),
    /// Score predictions against gold annotations
    Eval(spanmark::cli::eval::Args),
    /// A team server's accounts and projects
    Team(spanmark::cli::team::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Annotate(a) => spanmark::cli::annotate::run(a),
        Command::Convert(a) => spanmark::cli::convert::run(a),
        Command::Train(a) => spanmark::cli::train::run(a),
        Command::Eval(a) => spanmark::cli::eval::run(a),
        Command::Team(a) => spanmark::cli::team::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("spanmark: {e}");
            ExitCode::FAILURE
        }
    }
}
