//! `spanmark team add-user NAME --role annotator|curator --server URL
//! [--password P]`: a CouchDB account (`_users`) with one team role. The
//! password comes from `--password` or SPANMARK_PASSWORD (never a prompt, so
//! that scripts can run it), the admin from SPANMARK_ADMIN.

use super::http::{Admin, Server};
use super::names;
use crate::cli::CliResult;
use serde_json::json;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum Role {
    /// Annotates: writes only her own annotation records
    Annotator,
    /// Curates: documents, labels, rules, assignments, curated records
    Curator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Annotator => "annotator",
            Role::Curator => "curator",
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The account's name
    pub name: String,
    /// Its role in every project
    #[arg(long, value_enum)]
    pub role: Role,
    /// The team server, e.g. http://127.0.0.1:8080
    #[arg(long)]
    pub server: String,
    /// The account's password (else SPANMARK_PASSWORD)
    #[arg(long)]
    pub password: Option<String>,
}

pub fn run(args: Args) -> CliResult {
    names::check_user(&args.name)?;
    let password = match args
        .password
        .or_else(|| std::env::var("SPANMARK_PASSWORD").ok())
    {
        Some(p) if !p.is_empty() => p,
        _ => {
            return Err(
                "give the new account's password with --password or SPANMARK_PASSWORD".into(),
            )
        }
    };
    let server = Server::new(&args.server, &Admin::from_env()?)?;
    let id = format!("org.couchdb.user:{}", args.name);
    let user = json!({
        "_id": id,
        "name": args.name,
        "password": password,
        "roles": [args.role.as_str()],
        "type": "user",
    });
    let answer = server.send("PUT", &format!("/db/_users/{id}"), &user)?;
    match answer.status {
        201 | 202 => {
            println!(
                "added {} ({}) on {}",
                args.name,
                args.role.as_str(),
                server.base()
            );
            Ok(())
        }
        409 => Err(format!(
            "{}: the user {} already exists",
            server.base(),
            args.name
        )),
        _ => Err(server.refused("adding the user", &answer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn only_the_two_team_roles_are_accepted() {
        let parse =
            |role: &str| Cli::try_parse_from(["t", "ana", "--role", role, "--server", "http://x"]);
        assert_eq!(parse("annotator").unwrap().args.role, Role::Annotator);
        assert_eq!(parse("curator").unwrap().args.role, Role::Curator);
        for bad in ["admin", "_admin", "Curator", ""] {
            let e = parse(bad).err().unwrap().to_string();
            assert!(
                e.contains("possible values: annotator, curator"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn a_bad_or_reserved_name_is_refused_before_anything_is_sent() {
        // No server listens at this address: the refusal must come first.
        for name in ["curated", "ana:lima"] {
            let args = Args {
                name: name.into(),
                role: Role::Annotator,
                server: "http://127.0.0.1:9".into(),
                password: Some("pw".into()),
            };
            let e = run(args).unwrap_err();
            assert!(
                e.contains("reserved") || e.contains("is not a user name"),
                "{e}"
            );
        }
    }
}
