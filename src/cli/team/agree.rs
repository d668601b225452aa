//! `spanmark team agree --server URL --project NAME [--labels A,B]
//! [--json]`: inter-annotator agreement ([`crate::agreement`]) over every
//! annotator's records of the project.

use super::member::{read_project, Connection, Member};
use crate::agreement::{agreement, Agreement, Annotated};
use crate::cli::CliResult;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub connection: Connection,
    /// Only these labels (comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub labels: Option<Vec<String>>,
    /// Print the automation contract's shape: {annotators, pairs:[{a, b,
    /// documents, f1, kappa, perLabel}]}
    #[arg(long)]
    pub json: bool,
    /// Documents per `_all_docs` page
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub page: u64,
}

pub use crate::agreement::contract_json;

/// Annotators by annotators: F1 and kappa of each pair, and how many
/// documents both marked done.
pub fn table(a: &Agreement) -> String {
    let figure = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
    let width = a
        .annotators
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(22);
    let mut out = format!("{:width$}", "F1 / kappa (documents)");
    for n in &a.annotators {
        out.push_str(&format!("  {n:>width$}"));
    }
    out.push('\n');
    for x in &a.annotators {
        out.push_str(&format!("{x:width$}"));
        for y in &a.annotators {
            let cell = if x == y {
                "".to_string()
            } else {
                a.pairs
                    .iter()
                    .find(|p| (&p.a, &p.b) == (x, y) || (&p.a, &p.b) == (y, x))
                    .map_or(String::new(), |p| {
                        format!("{} / {} ({})", figure(p.f1), figure(p.kappa), p.documents)
                    })
            };
            out.push_str(&format!("  {cell:>width$}"));
        }
        out.push('\n');
    }
    out
}

pub fn run(args: Args) -> CliResult {
    let m = Member::connect(&args.connection)?;
    let read = read_project(&m, args.page as usize, false)?;
    let records: Vec<Annotated> = read
        .records
        .iter()
        .map(|r| Annotated {
            annotator: r.annotator.clone(),
            doc_id: r.doc_id.clone(),
            status: r.status,
            spans: r.spans.clone(),
        })
        .collect();
    let result = agreement(
        &records,
        |id| read.documents.get(id).and_then(|d| d["text"].as_str()),
        args.labels.as_deref(),
    );
    if args.json {
        println!("{}", contract_json(&result));
    } else if result.annotators.len() < 2 {
        println!(
            "the project {} has {} annotator(s): agreement needs two",
            m.project,
            result.annotators.len()
        );
    } else {
        print!("{}", table(&result));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Span, Status};
    use clap::Parser;
    use serde_json::json;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn labels_are_a_comma_list() {
        let a = Cli::try_parse_from([
            "t",
            "--server",
            "http://x",
            "--project",
            "p",
            "--labels",
            "PER,LOC",
            "--json",
        ])
        .unwrap()
        .args;
        assert_eq!(a.labels, Some(vec!["PER".to_string(), "LOC".to_string()]));
        assert!(a.json);
    }

    #[test]
    fn the_json_and_the_table_say_the_pairs_figures() {
        let rec = |who: &str, spans: Vec<Span>| Annotated {
            annotator: who.into(),
            doc_id: "d".into(),
            status: Status::Done,
            spans,
        };
        let records = [
            rec("ana", vec![Span::new(0, 3, "PER")]),
            rec("ben", vec![Span::new(0, 3, "PER")]),
        ];
        let a = agreement(&records, |_| Some("Ana ran ."), None);
        let v = contract_json(&a);
        assert_eq!(v["annotators"], json!(["ana", "ben"]));
        let keys: Vec<&String> = v["pairs"][0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "b", "documents", "f1", "kappa", "perLabel"]);
        assert_eq!(v["pairs"][0]["f1"], json!(1.0));
        let t = table(&a);
        assert!(t.contains("1.000 / 1.000 (1)"), "{t}");
    }
}
