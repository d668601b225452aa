//! `spanmark team assign --server URL --project NAME (--each K --among
//! A,B,C | --to NAME [DOC...])`: a curator gives documents to annotators
//! (`assign:<doc>` records, [`crate::assignment`]); each annotator's list
//! in the page shows her queue first.

use super::member::{read_project, Connection, Member};
use crate::assignment::{self, Assignments};
use crate::cli::CliResult;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub connection: Connection,
    /// Give every document not yet assigned to this many annotators (for
    /// overlap), those with the fewest documents first
    #[arg(long, requires = "among", conflicts_with = "to")]
    pub each: Option<usize>,
    /// The annotators `--each` chooses from (comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub among: Option<Vec<String>>,
    /// Add this annotator to the documents named (every document if none)
    #[arg(long)]
    pub to: Option<String>,
    /// The documents for `--to` (ids)
    pub docs: Vec<String>,
    /// Documents per `_all_docs` page
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub page: u64,
}

/// The new assignments of `--to`: `name` added to each of `docs` (every
/// document when empty) that does not have her yet.
fn add_to(
    name: &str,
    docs: &[String],
    all: &[String],
    existing: &Assignments,
) -> Result<Assignments, String> {
    if let Some(unknown) = docs.iter().find(|d| !all.contains(d)) {
        return Err(format!("the project has no document {unknown:?}"));
    }
    let chosen = if docs.is_empty() { all } else { docs };
    Ok(chosen
        .iter()
        .filter_map(|d| {
            let mut given = existing.get(d).cloned().unwrap_or_default();
            if given.iter().any(|n| n == name) {
                return None;
            }
            given.push(name.to_string());
            given.sort();
            Some((d.clone(), given))
        })
        .collect())
}

/// How many documents each annotator now has.
fn loads(all: &Assignments) -> String {
    let mut l: BTreeMap<&str, usize> = BTreeMap::new();
    for given in all.values() {
        for n in given {
            *l.entry(n).or_default() += 1;
        }
    }
    l.iter()
        .map(|(n, c)| format!("{n} {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(args: Args) -> CliResult {
    let m = Member::connect(&args.connection)?;
    if !m.is_curator() {
        return Err(format!(
            "{}: only a curator assigns documents ({} is not one)",
            m.project, m.name
        ));
    }
    let read = read_project(&m, args.page as usize, false)?;
    let all: Vec<String> = read.documents.keys().cloned().collect();
    let new = match (&args.each, &args.to) {
        (Some(k), _) => assignment::spread(
            &all,
            args.among.as_deref().unwrap_or(&[]),
            *k,
            &read.assignments,
        )?,
        (None, Some(name)) => add_to(name, &args.docs, &all, &read.assignments)?,
        (None, None) => return Err("say how: --each K --among A,B or --to NAME [DOC...]".into()),
    };
    let docs: Vec<Value> = new
        .iter()
        .map(|(doc, given)| {
            let mut body = assignment::record(doc, given);
            if let Some(rev) = read.revs.get(&assignment::record_id(doc)) {
                body["_rev"] = json!(rev);
            }
            body
        })
        .collect();
    m.write_all(&docs, args.page as usize)?;
    let mut now = read.assignments.clone();
    now.extend(new.clone());
    println!(
        "assigned {} of {} documents; each annotator's documents now: {}",
        new.len(),
        all.len(),
        loads(&now)
    );
    Ok(())
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

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_needs_whom_among_and_excludes_to() {
        let base = ["x", "--server", "http://h", "--project", "p"];
        let parse = |more: &[&str]| Cli::try_parse_from(base.iter().chain(more));
        assert!(parse(&["--each", "2"]).is_err());
        assert!(parse(&["--each", "2", "--among", "a,b", "--to", "c"]).is_err());
        let ok = parse(&["--each", "2", "--among", "a,b"]).unwrap();
        assert_eq!(ok.args.among, Some(names(&["a", "b"])));
        let to = parse(&["--to", "ana", "d1", "d2"]).unwrap();
        assert_eq!(to.args.docs, names(&["d1", "d2"]));
    }

    #[test]
    fn to_adds_her_where_she_is_missing_and_names_an_unknown_document() {
        let all = names(&["d1", "d2", "d3"]);
        let mut existing = Assignments::new();
        existing.insert("d1".into(), names(&["ben"]));
        existing.insert("d2".into(), names(&["ana"]));
        let new = add_to("ana", &[], &all, &existing).unwrap();
        assert_eq!(new.len(), 2);
        assert_eq!(new["d1"], ["ana", "ben"]);
        assert_eq!(new["d3"], ["ana"]);
        let e = add_to("ana", &names(&["d9"]), &all, &existing).unwrap_err();
        assert!(e.contains("\"d9\""), "{e}");
    }
}
