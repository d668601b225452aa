//! `spanmark convert IN OUT [--from F] [--to F] [--offsets U] [--scheme S] [--only-done]
//! [--accepted-only]`
//!
//! Reads IN in one exchange format and writes OUT in another (see
//! `spanmark::formats`). Formats come from `--from`/`--to`, else from the file
//! names and IN's content. IN and OUT may be `-` (stdin, stdout) or, for brat,
//! a folder of `.txt` + `.ann` pairs (a brat folder on stdout is a tar). OUT
//! is written to a temporary file beside it and renamed into place, so a
//! failed conversion leaves no partial file; bad input is reported with the
//! file, line and column (or offset) and a non-zero exit.
//!
//! Output format from OUT's name when `--to` is absent: `.spanmark.json` and
//! `.json` native JSON, `.jsonl` JSONL, `.spacy` spaCy DocBin, `.conll`
//! CoNLL, `.tar` or a folder brat; `<name>.<format>.<ext>` (e.g.
//! `x.doccano.jsonl`, `x.labelstudio.json`, `x.spacy.json`) names any format.
//! With `--to spacy`, OUT ending in `.spacy` gets the DocBin, anything else
//! the training JSON.

use super::CliResult;
use crate::doc::Project;
use crate::formats::{self, File, Format, Imported, Options, Scheme};
use crate::text::OffsetUnit;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input: a file, a brat folder, or "-" for stdin
    pub input: String,
    /// Output: a file, a folder (brat), or "-" for stdout
    pub output: String,
    /// Input format (json, jsonl, doccano, prodigy, spacy, conll, brat, labelstudio)
    #[arg(long)]
    pub from: Option<String>,
    /// Output format (same names)
    #[arg(long)]
    pub to: Option<String>,
    /// Offset unit of JSON-style output: codepoint, utf16 or byte
    #[arg(long, default_value = "codepoint")]
    pub offsets: String,
    /// CoNLL tagging scheme: iob1, iob2, bilou or bioes
    #[arg(long, default_value = "iob2")]
    pub scheme: String,
    /// Write only documents marked done
    #[arg(long)]
    pub only_done: bool,
    /// Leave out suggestions (spans whose source is model or rule); without
    /// it every span read is written, whatever its source
    #[arg(long)]
    pub accepted_only: bool,
}

pub(crate) fn parse_format(name: &str, flag: &str) -> Result<Format, String> {
    Format::from_name(name).ok_or_else(|| {
        let all: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!(
            "{flag} {name:?} is not a format; use one of {}",
            all.join(", ")
        )
    })
}

pub fn run(args: Args) -> CliResult {
    let offsets = OffsetUnit::parse(&args.offsets).ok_or_else(|| {
        format!(
            "--offsets {:?} is not a unit; use codepoint, utf16 or byte",
            args.offsets
        )
    })?;
    let scheme = Scheme::parse(&args.scheme).ok_or_else(|| {
        format!(
            "--scheme {:?} is not a scheme; use iob1, iob2, bilou or bioes",
            args.scheme
        )
    })?;
    let from = args
        .from
        .as_deref()
        .map(|f| parse_format(f, "--from"))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|f| parse_format(f, "--to"))
        .transpose()?;

    let (imported, from) = read_input(&args.input, from)?;
    for w in &imported.warnings {
        eprintln!("spanmark: warning: {}: {w}", shown(&args.input));
    }

    let options = Options {
        offsets,
        scheme,
        only_done: args.only_done,
        spacy_binary: false,
        accepted_only: args.accepted_only,
    };
    let project = &imported.project;
    let to = write_project(project, &args.output, to, options)?;
    let count = if args.only_done {
        project
            .documents
            .iter()
            .filter(|d| d.status == crate::doc::Status::Done)
            .count()
    } else {
        project.documents.len()
    };
    eprintln!(
        "spanmark: converted {count} document(s) from {from} to {to}: {}",
        shown_out(&args.output)
    );
    Ok(())
}

/// Writes `project` to `output` (a file, a folder for brat, or `-`) in
/// `to`, else the format `output`'s name asks for; returns the format. The
/// spaCy DocBin is chosen here, by the name.
pub(crate) fn write_project(
    project: &Project,
    output: &str,
    to: Option<Format>,
    mut options: Options,
) -> Result<Format, String> {
    let out_path = Path::new(output);
    let out_is_dir =
        output != "-" && (out_path.is_dir() || output.ends_with('/') || output.ends_with('\\'));
    let to = match to {
        Some(t) => t,
        None if out_is_dir => Format::Brat,
        None => output_format(output)
            .ok_or_else(|| format!("cannot tell the output format from {output:?}; give --to"))?,
    };
    let lower = output.to_ascii_lowercase();
    options.spacy_binary = to == Format::Spacy && lower.ends_with(".spacy");
    let fail = |e: formats::FormatError| format!("cannot write {}: {e}", shown_out(output));
    if to == Format::Brat && (out_is_dir || (output != "-" && !lower.ends_with(".tar"))) {
        let (files, warnings) =
            formats::export_files_warned(to, project, &options).map_err(fail)?;
        for w in &warnings {
            eprintln!("spanmark: warning: {}: {w}", shown_out(output));
        }
        write_folder(out_path, &files)?;
    } else {
        let (bytes, warnings) = formats::export_warned(to, project, &options).map_err(fail)?;
        for w in &warnings {
            eprintln!("spanmark: warning: {}: {w}", shown_out(output));
        }
        if output == "-" {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|_| out.flush())
                .map_err(|e| format!("cannot write to stdout: {e}"))?;
        } else {
            write_atomic(out_path, &bytes)?;
        }
    }
    Ok(to)
}

fn shown(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

fn shown_out(path: &str) -> &str {
    if path == "-" {
        "<stdout>"
    } else {
        path
    }
}

/// The format an output name asks for.
fn output_format(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    if lower == "-" {
        return None;
    }
    if let Some(f) = Format::detect(&lower, b"") {
        return Some(f);
    }
    if lower.ends_with(".json") {
        return Some(Format::Json);
    }
    if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        return Some(Format::Jsonl);
    }
    None
}

pub(crate) fn read_input(input: &str, from: Option<Format>) -> Result<(Imported, Format), String> {
    let bad = |e: formats::FormatError| format!("{}: {e}", shown(input));
    if input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        let format = from
            .or_else(|| Format::detect("", &bytes))
            .ok_or("cannot tell the format of stdin; give --from")?;
        return Ok((
            formats::import_as(format, "-", &bytes).map_err(bad)?,
            format,
        ));
    }
    let path = Path::new(input);
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, path, &mut files).map_err(|e| format!("cannot read {input}: {e}"))?;
        let format = from.unwrap_or(Format::Brat);
        return Ok((formats::import_files(format, &files).map_err(bad)?, format));
    }
    let bytes = fs::read(path).map_err(|e| format!("cannot read {input}: {e}"))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let format = from
        .or_else(|| Format::detect(&name, &bytes))
        .ok_or_else(|| {
            format!("cannot tell the format of {input} from its name or content; give --from")
        })?;
    if format == Format::Brat && !formats::tar::looks_like_tar(&bytes) {
        // A lone .ann or .txt: read it together with its partner.
        let mut files = vec![File::new(name.clone(), bytes)];
        let stem = path.with_extension("");
        for ext in ["txt", "ann"] {
            let other = stem.with_extension(ext);
            if other != path && other.is_file() {
                let b = fs::read(&other)
                    .map_err(|e| format!("cannot read {}: {e}", other.display()))?;
                let n = other
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                files.push(File::new(n, b));
            }
        }
        return Ok((formats::import_files(format, &files).map_err(bad)?, format));
    }
    Ok((
        formats::import_as(format, &name, &bytes).map_err(bad)?,
        format,
    ))
}

/// Every file under `dir` (not hidden), by sorted relative path.
fn walk(root: &Path, dir: &Path, out: &mut Vec<File>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if p.is_dir() {
            walk(root, &p, out)?;
        } else {
            let rel = p.strip_prefix(root).unwrap_or(&p);
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push(File::new(rel, fs::read(&p)?));
        }
    }
    Ok(())
}

/// A temporary name beside `path`.
fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    path.with_file_name(format!(".{name}.spanmark-{}.tmp", std::process::id()))
}

/// Writes to a temporary file beside `path`, then renames it into place.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = temp_beside(path);
    let result = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()))
        .and_then(|_| fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

/// Writes the files into a new temporary folder beside `dir`, then moves
/// them into `dir` (renaming the whole folder when `dir` does not exist).
fn write_folder(dir: &Path, files: &[File]) -> Result<(), String> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let trimmed = PathBuf::from(dir.to_string_lossy().trim_end_matches(['/', '\\']));
    let dir = if trimmed.as_os_str().is_empty() {
        dir.to_path_buf()
    } else {
        trimmed
    };
    let tmp = temp_beside(&dir);
    let fail = |e: std::io::Error| {
        let _ = fs::remove_dir_all(&tmp);
        format!("cannot write {}: {e}", dir.display())
    };
    fs::create_dir_all(&tmp).map_err(fail)?;
    for f in files {
        let p = tmp.join(&f.path);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(fail)?;
        }
        fs::write(&p, &f.content).map_err(fail)?;
    }
    if !dir.exists() {
        return fs::rename(&tmp, &dir).map_err(fail);
    }
    for f in files {
        let target = dir.join(&f.path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(fail)?;
        }
        fs::rename(tmp.join(&f.path), &target).map_err(fail)?;
    }
    let _ = fs::remove_dir_all(&tmp);
    Ok(())
}
