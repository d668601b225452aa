//! `spanmark team create-project NAME --server URL`: a project, created by
//! the server's own route (`POST /team/projects`, see
//! `tools/team/projects.mjs`) as the admin (SPANMARK_ADMIN), so that its
//! database, `_security` and write rule are the ones every project gets.

use super::http::{Admin, Server};
use super::names;
use crate::cli::CliResult;
use serde_json::json;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The project's name (CouchDB's rule for database names)
    pub name: String,
    /// The team server, e.g. http://127.0.0.1:8080
    #[arg(long)]
    pub server: String,
}

pub fn run(args: Args) -> CliResult {
    names::check_project(&args.name)?;
    let server = Server::new(&args.server, &Admin::from_env()?)?;
    let answer = server.send("POST", "/team/projects", &json!({ "name": args.name }))?;
    match answer.status {
        201 => {
            println!(
                "created the project {} on {}: every annotator and curator may open it",
                args.name,
                server.base()
            );
            Ok(())
        }
        409 => Err(format!(
            "{}: the project {} already exists",
            server.base(),
            args.name
        )),
        _ => Err(server.refused("creating the project", &answer)),
    }
}
