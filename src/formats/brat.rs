//! brat standoff: a folder with one `<name>.txt` (the exact text) and one
//! `<name>.ann` per document, plus an `annotation.conf` naming the entity
//! types so that brat shows them.
//!
//! `.ann` lines are `T1\tLABEL start end\tsurface`, offsets in code points of
//! the `.txt` content (brat is Python), end exclusive. Export names each pair
//! by the document's id made safe as a file name (letters, digits, `.`, `_`,
//! `-`; other characters become `_`, at most 80 bytes, duplicates get `-2`),
//! keeps span ids of the form `T<n>` and numbers the others; a newline in a
//! surface is written as a space (the offsets stay exact). Labels with
//! whitespace cannot be brat types and are refused.
//!
//! Import reads `.txt` + `.ann` pairs (a `.txt` alone is a document without
//! spans; an `.ann` without its `.txt` is an error). The document id is the
//! path without `.txt`. A discontinuous entity (`start end;start end`) becomes
//! one span per fragment (ids `T3`, `T3-2`, ...) with a warning; relations,
//! events, attributes and notes (`R`, `E`, `A`, `M`, `N`, `#` lines) are
//! ignored with a count in a warning; a surface that does not match the text
//! at its offsets gives a warning. Note that brat under Python 3 reads `.txt`
//! files with universal newlines, so a text with CRLF line ends is shown
//! shifted there; the offsets written here are those of the exact file.

use super::util;
use super::{File, FormatError, Imported, Options};
use crate::doc::{Document, Project, Span};
use crate::text::{slice_chars, OffsetMap, OffsetUnit};
use std::collections::{BTreeSet, HashMap, HashSet};

/// A safe file name (without extension) for a document id.
pub fn file_name(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with('.') {
        s.replace_range(0..1, "_");
    }
    s.truncate(80);
    if s.is_empty() {
        s.push_str("doc");
    }
    s
}

pub fn export_files(project: &Project, options: &Options) -> Result<Vec<File>, FormatError> {
    util::codepoints_only(options, "brat")?;
    let mut names = Names::default();
    let mut files = Vec::new();
    for d in &project.documents {
        files.extend(names.pair(d)?);
    }
    files.push(names.conf());
    Ok(files)
}

/// What an export written document by document carries from one document
/// to the next: the file names taken and the labels used (for
/// `annotation.conf`, written last).
#[derive(Debug, Default)]
pub struct Names {
    taken: HashSet<String>,
    labels: BTreeSet<String>,
}

impl Names {
    /// A document's `.txt` and `.ann` files.
    pub fn pair(&mut self, d: &Document) -> Result<[File; 2], FormatError> {
        if self.taken.is_empty() {
            self.taken.insert("annotation".into());
        }
        let map = OffsetMap::new(&d.text);
        let spans = util::spans_in(d, &map, OffsetUnit::Codepoint)?;
        let base = file_name(&d.id);
        let name = crate::doc::unique_id(&base, |x| self.taken.contains(&x.to_lowercase()));
        self.taken.insert(name.to_lowercase());
        let mut used: HashSet<&str> = HashSet::new();
        for &(_, _, s) in &spans {
            if let Some(id) = s.id.as_deref().filter(|i| is_t_id(i)) {
                used.insert(id);
            }
        }
        let mut next = 1;
        let mut ann = String::new();
        let mut written: HashSet<String> = HashSet::new();
        for &(a, b, s) in &spans {
            if s.label.is_empty() || s.label.chars().any(char::is_whitespace) {
                return Err(FormatError::new(format!(
                    "cannot export: document {:?}, span {} {a}..{b}: brat labels cannot contain \
                     whitespace",
                    d.id, s.label
                )));
            }
            if !self.labels.contains(&s.label) {
                self.labels.insert(s.label.clone());
            }
            let id = match s
                .id
                .as_deref()
                .filter(|i| is_t_id(i) && !written.contains(*i))
            {
                Some(i) => i.to_string(),
                None => loop {
                    let t = format!("T{next}");
                    next += 1;
                    if !used.contains(t.as_str()) && !written.contains(&t) {
                        break t;
                    }
                },
            };
            let surface: String = slice_chars(&d.text, &map, a, b)
                .chars()
                .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
                .collect();
            ann.push_str(&format!("{id}\t{} {a} {b}\t{surface}\n", s.label));
            written.insert(id);
        }
        Ok([
            File::new(format!("{name}.txt"), d.text.as_bytes()),
            File::new(format!("{name}.ann"), ann.into_bytes()),
        ])
    }

    /// `annotation.conf`, naming every label the pairs so far used.
    pub fn conf(&self) -> File {
        let mut conf = String::from("[entities]\n");
        for l in &self.labels {
            conf.push_str(l);
            conf.push('\n');
        }
        conf.push_str("\n[relations]\n\n[events]\n\n[attributes]\n");
        File::new("annotation.conf", conf.into_bytes())
    }
}

fn is_t_id(s: &str) -> bool {
    s.len() > 1 && s.starts_with('T') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

fn split_ext(path: &str) -> (&str, &str) {
    match path.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.contains('/') => (stem, ext),
        _ => (path, ""),
    }
}

pub fn import_files(files: &[File]) -> Result<Imported, FormatError> {
    let mut texts: Vec<(&str, &File)> = Vec::new();
    let mut anns: HashMap<&str, &File> = HashMap::new();
    let mut warnings = Vec::new();
    for f in files {
        let (stem, ext) = split_ext(&f.path);
        match ext.to_ascii_lowercase().as_str() {
            "txt" => texts.push((stem, f)),
            "ann" => {
                anns.insert(stem, f);
            }
            "conf" => {}
            _ => warnings.push(format!("{}: not a brat .txt or .ann file; ignored", f.path)),
        }
    }
    let text_stems: HashSet<&str> = texts.iter().map(|(s, _)| *s).collect();
    let mut orphans: Vec<&str> = anns
        .keys()
        .filter(|s| !text_stems.contains(*s))
        .copied()
        .collect();
    orphans.sort();
    if let Some(o) = orphans.first() {
        return Err(FormatError::new(format!(
            "{o}.ann has no {o}.txt beside it: brat offsets point into the .txt, so give both"
        )));
    }
    let mut docs = Vec::new();
    for (stem, f) in texts {
        let text = util::utf8(&f.content).map_err(|e| util::in_file(e, &f.path))?;
        let text = if f.content.starts_with(b"\xef\xbb\xbf") {
            format!("\u{feff}{text}")
        } else {
            text.to_string()
        };
        let id = stem.trim_start_matches("./").to_string();
        let mut d = Document::new(id, text);
        if let Some(a) = anns.get(stem) {
            let content = util::utf8(&a.content).map_err(|e| util::in_file(e, &a.path))?;
            d.spans = read_ann(&d.text, content, &a.path, &mut warnings)
                .map_err(|e| util::in_file(e, &a.path))?;
        }
        docs.push(d);
    }
    util::finish(docs, warnings)
}

/// The T lines of one `.ann` file as spans.
fn read_ann(
    text: &str,
    content: &str,
    path: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<Span>, FormatError> {
    let map = OffsetMap::new(text);
    let mut spans = Vec::new();
    let mut ignored = 0;
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, line) in content.split('\n').enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        match line.as_bytes()[0] {
            b'T' => {}
            b'R' | b'E' | b'A' | b'M' | b'N' | b'#' | b'*' => {
                ignored += 1;
                continue;
            }
            _ => {
                return Err(FormatError::new(format!(
                    "not a brat annotation line: {:?}",
                    line.chars().take(40).collect::<String>()
                ))
                .at_line(n))
            }
        }
        let mut parts = line.splitn(3, '\t');
        let id = parts.next().unwrap_or_default();
        if let Some(first) = seen.insert(id, n) {
            return Err(FormatError::new(format!(
                "{id}: the id is used twice (first on line {first})"
            ))
            .at_line(n));
        }
        let body = parts.next().ok_or_else(|| {
            FormatError::new(format!(
                "{id}: expected \"{id}<TAB>TYPE START END<TAB>TEXT\""
            ))
            .at_line(n)
        })?;
        let surface = parts.next();
        let (label, ranges) = body.split_once(' ').ok_or_else(|| {
            FormatError::new(format!("{id}: expected a type and offsets, found {body:?}"))
                .at_line(n)
        })?;
        let col = id.chars().count() + 2 + label.chars().count() + 1;
        let mut frags = Vec::new();
        for r in ranges.split(';') {
            let mut it = r.split_whitespace();
            let (Some(s), Some(e), None) = (it.next(), it.next(), it.next()) else {
                return Err(
                    FormatError::new(format!("{id}: offsets {r:?} are not \"START END\""))
                        .at_line(n)
                        .at_column(col),
                );
            };
            let num = |x: &str| -> Result<usize, FormatError> {
                x.parse::<usize>().map_err(|_| {
                    let why = if x.starts_with('-') {
                        "negative"
                    } else {
                        "not a whole number"
                    };
                    FormatError::new(format!("{id}: offset {x:?} is {why}"))
                        .at_line(n)
                        .at_column(col)
                })
            };
            let (s, e) = (num(s)?, num(e)?);
            let (a, b) = util::span_from(&map, s, e, OffsetUnit::Codepoint).map_err(|m| {
                FormatError::new(format!("{id}: {m}"))
                    .at_line(n)
                    .at_column(col)
            })?;
            frags.push((a, b));
        }
        if frags.len() > 1 {
            warnings.push(format!(
                "{path}, line {n}: {id} is discontinuous ({} fragments); imported as {} separate \
                 {label} spans",
                frags.len(),
                frags.len()
            ));
        }
        if let Some(surface) = surface {
            let actual: Vec<String> = frags
                .iter()
                .map(|&(a, b)| {
                    slice_chars(text, &map, a, b)
                        .chars()
                        .map(|c| if c.is_whitespace() { ' ' } else { c })
                        .collect()
                })
                .collect();
            let norm: String = surface
                .chars()
                .map(|c| if c.is_whitespace() { ' ' } else { c })
                .collect();
            if actual.join(" ") != norm {
                warnings.push(format!(
                    "{path}, line {n}: {id}'s text {surface:?} differs from the .txt at its \
                     offsets ({:?}); the offsets are kept",
                    actual.join(" ")
                ));
            }
        }
        for (k, (a, b)) in frags.into_iter().enumerate() {
            let mut s = Span::new(a, b, label);
            s.id = Some(if k == 0 {
                id.to_string()
            } else {
                format!("{id}-{}", k + 1)
            });
            spans.push(s);
        }
    }
    if ignored > 0 {
        warnings.push(format!(
            "{path}: {ignored} relation, event, attribute or note line(s) ignored (spanmark keeps \
             entities only)"
        ));
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Project {
        let text = "Zoë Ball\r\nflew to 🇫🇷 Paris\n\nand\tNew\nYork 👨‍👩‍👧 e\u{301}";
        let cp = |s: &str| text[..text.find(s).unwrap()].chars().count();
        let mut d = Document::new("news/2024 #1", text);
        d.spans.push(Span::new(0, 8, "PER"));
        let mut s = Span::new(cp("🇫🇷"), cp("🇫🇷") + 2, "MISC");
        s.id = Some("T7".into());
        d.spans.push(s);
        d.spans.push(Span::new(cp("Paris"), cp("Paris") + 5, "LOC"));
        d.spans.push(Span::new(cp("New"), cp("New") + 8, "LOC"));
        d.spans.push(Span::new(cp("👨"), cp("👨") + 7, "MISC"));
        let mut p = Project {
            labels: crate::labels::LabelSet::empty(),
            documents: vec![
                d,
                Document::new("news/2024 #1", "dup"),
                Document::new("", ""),
            ],
            ..Default::default()
        };
        p.add_missing_labels();
        p
    }

    #[test]
    fn round_trip_through_files_and_tar() {
        let p = sample();
        let files = export_files(&p, &Options::default()).unwrap();
        let names: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            names,
            [
                "news_2024__1.txt",
                "news_2024__1.ann",
                "news_2024__1-2.txt",
                "news_2024__1-2.ann",
                "doc.txt",
                "doc.ann",
                "annotation.conf"
            ]
        );
        let ann = String::from_utf8(files[1].content.clone()).unwrap();
        assert!(ann.starts_with("T1\tPER 0 8\tZoë Ball\nT7\tMISC 18 20\t🇫🇷\nT2\tLOC 21 26\tParis\nT3\tLOC 32 40\tNew York\n"), "{ann}");
        let back = import_files(&files).unwrap();
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        let d = &back.project.documents[0];
        assert_eq!(d.id, "news_2024__1");
        assert_eq!(d.text, p.documents[0].text);
        let got: Vec<_> = d
            .spans
            .iter()
            .map(|s| (s.start, s.end, s.label.as_str()))
            .collect();
        let want: Vec<_> = p.documents[0]
            .spans
            .iter()
            .map(|s| (s.start, s.end, s.label.as_str()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(d.spans[1].id.as_deref(), Some("T7"));
        let tar =
            super::super::export_as(super::super::Format::Brat, &p, &Options::default()).unwrap();
        let again = super::super::import_as(super::super::Format::Brat, "x.tar", &tar).unwrap();
        assert_eq!(again.project, back.project);
    }

    #[test]
    fn discontinuous_and_other_lines_warn() {
        let files = [
            File::new("d.txt", "New York and Boston"),
            File::new(
                "d.ann",
                "T1\tLOC 0 3;4 8\tNew York\nT2\tLOC 13 19\tBostn\nR1\tnear Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes T1\tbig\n",
            ),
        ];
        let r = import_files(&files).unwrap();
        let d = &r.project.documents[0];
        let got: Vec<_> = d
            .spans
            .iter()
            .map(|s| (s.start, s.end, s.id.clone().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (0, 3, "T1".into()),
                (4, 8, "T1-2".into()),
                (13, 19, "T2".into())
            ]
        );
        assert_eq!(r.warnings.len(), 3, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("discontinuous"));
        assert!(r.warnings[1].contains("differs"));
        assert!(r.warnings[2].contains("2 relation"));
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = import_files(&[File::new("d.ann", "T1\tX 0 1\ta")]).unwrap_err();
        assert!(e.message.contains("no d.txt"), "{e}");
        let e = import_files(&[
            File::new("d.txt", "abc"),
            File::new("d.ann", "T1\tX 0 1\ta\nT2\tX 1 9\tbc\n"),
        ])
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.starts_with("d.ann: T2") && e.message.contains("past the end"),
            "{e}"
        );
        let e = import_files(&[
            File::new("d.txt", "abc"),
            File::new("d.ann", "T1\tX -1 2\ta"),
        ])
        .unwrap_err();
        assert!(e.message.contains("negative"), "{e}");
        let e =
            import_files(&[File::new("d.txt", "abc"), File::new("d.ann", "hello")]).unwrap_err();
        assert!(e.message.contains("not a brat annotation line"), "{e}");
        let mut p = sample();
        p.documents[1].spans.push(Span::new(0, 1, "TWO WORDS"));
        assert!(export_files(&p, &Options::default()).is_err());
    }
}
