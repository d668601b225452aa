//! `spanmark team ...`: a team server's accounts and projects, through its
//! HTTP API (the CouchDB API at `<server>/db/`, project creation at
//! `<server>/team/projects`; see `tools/team-server.mjs`). Names are checked
//! here before anything is sent, so that a mistake is said at once.

pub mod add_user;
pub mod create_project;
pub mod http;
pub mod names;

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
}

pub fn run(args: Args) -> CliResult {
    match args.command {
        Command::AddUser(a) => add_user::run(a),
        Command::CreateProject(a) => create_project::run(a),
    }
}
