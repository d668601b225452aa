//! `spanmark team ...`: a team server's accounts and projects, through its
//! HTTP API (the CouchDB API at `<server>/db/`, project creation at
//! `<server>/team/projects`; see `tools/team-server.mjs`). Names are checked
//! here before anything is sent, so that a mistake is said at once.

pub mod add_user;
pub mod agree;
pub mod assign;
pub mod create_project;
pub mod curate;
pub mod http;
pub mod member;
pub mod names;
pub mod pull;
pub mod push;

use super::CliResult;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Create an account with the role annotator or curator (as the server
    /// admin: SPANMARK_ADMIN=name:password)
    AddUser(add_user::Args),
    /// Create a project: its database, who may read it, who may write what
    /// (as the server admin: SPANMARK_ADMIN=name:password)
    CreateProject(create_project::Args),
    /// Send a file's documents, labels and spans to a project (as
    /// SPANMARK_USER with SPANMARK_PASSWORD; the spans become one person's
    /// record: yours, or `--as curated`)
    Push(push::Args),
    /// Write a project's documents with one annotator's (or the curated)
    /// spans to a file, in any export format
    Pull(pull::Args),
    /// Agreement between every pair of annotators (F1, token kappa)
    Agree(agree::Args),
    /// Give documents to annotators (as a curator): every document to k of
    /// them, or some to one
    Assign(assign::Args),
    /// What is left to settle per document; with --take-agreed, the spans
    /// every annotator agrees on into the curated records (as a curator)
    Curate(curate::Args),
}

pub fn run(args: Args) -> CliResult {
    match args.command {
        Command::AddUser(a) => add_user::run(a),
        Command::CreateProject(a) => create_project::run(a),
        Command::Push(a) => push::run(a),
        Command::Pull(a) => pull::run(a),
        Command::Agree(a) => agree::run(a),
        Command::Assign(a) => assign::run(a),
        Command::Curate(a) => curate::run(a),
    }
}
