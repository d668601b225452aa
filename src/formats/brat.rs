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
//! Beyond entities, both ways: relations as `R1\tLabel Arg1:T1 Arg2:T3`
//! (ids `R<n>` kept), an undirected relation label as equivalence lines
//! (`*\tLabel T1 T2`; a chain `T1 T2 T3` is read as T1–T2, T2–T3), span
//! attributes as `A1\tNegated T1` (the value `true`) and `A2\tConfidence
//! T1 High` (`M` lines read as `A`), a span's note as `#1\tAnnotatorNotes
//! T1\ttext`, one line each (a note of several lines is several `#`
//! lines, joined with line breaks on import). `annotation.conf` declares
//! the relations, attributes and the `<OVERLAP>` nested or crossing
//! entities need. A document's labels and note have no place in brat: the
//! [`super::Writer`] counts them as left out.
//!
//! Import reads `.txt` + `.ann` pairs (a `.txt` alone is a document without
//! spans; an `.ann` without its `.txt` is an error). The document id is the
//! path without `.txt`. A discontinuous entity (`start end;start end`) becomes
//! one span per fragment (ids `T3`, `T3-2`, ...; relations, attributes and
//! notes go to the first) with a warning; events and normalizations (`E`,
//! `N` lines), and relations, attributes or notes of anything but an entity,
//! are left out with a warning; a relation to an id the file lacks is an
//! error naming the line. A surface that does not match the text
//! at its offsets gives a warning. Note that brat under Python 3 reads `.txt`
//! files with universal newlines, so a text with CRLF line ends is shown
//! shifted there; the offsets written here are those of the exact file.

use super::util;
use super::{File, FormatError, Imported, Options};
use crate::doc::{Document, Project, Span};
use crate::edit::Overlap;
use crate::relations::{next_number, number, overlap_breach, Relation, RelationLabels};
use crate::text::{slice_chars, OffsetMap, OffsetUnit};
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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

/// The pairs and `annotation.conf`, as the tar export unpacked: the same
/// fit to what brat holds, the same warnings ([`super::export_files_warned`]).
pub fn export_files(project: &Project, options: &Options) -> Result<Vec<File>, FormatError> {
    super::export_files(super::Format::Brat, project, options)
}

/// What an export written document by document carries from one document
/// to the next: the file names taken, and what `annotation.conf` (written
/// last) must declare for brat to show the documents.
#[derive(Debug, Default)]
pub struct Names {
    taken: HashSet<String>,
    labels: BTreeSet<String>,
    /// Relation labels written as `*` (equivalence) lines: the undirected
    /// ones of the project's labels (set once, by the export's head).
    undirected: OnceCell<HashSet<String>>,
    /// Relation labels used, and whether as `*` lines.
    relations: BTreeMap<String, bool>,
    /// Attribute names used, with their values other than a flag's `true`.
    attributes: BTreeMap<String, BTreeSet<String>>,
    /// The loosest overlap setting the documents so far need.
    overlap: Overlap,
}

/// brat's lines cut at whitespace: a type, attribute or value with some
/// cannot be written.
fn one_word(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_whitespace)
}

fn looseness(o: Overlap) -> u8 {
    match o {
        Overlap::Forbid => 0,
        Overlap::Nest => 1,
        Overlap::Allow => 2,
    }
}

impl Names {
    /// Takes the undirected relation labels from the project's set (only
    /// the first call counts: one export, one label set).
    pub fn relation_labels(&self, labels: &RelationLabels) {
        let undirected = labels
            .0
            .iter()
            .filter(|l| !l.directed)
            .map(|l| l.name.clone())
            .collect();
        let _ = self.undirected.set(undirected);
    }

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
        // A span's id in the document -> its T id in the file.
        let mut t_of: HashMap<&str, String> = HashMap::new();
        let mut t_ids = Vec::with_capacity(spans.len());
        for &(a, b, s) in &spans {
            if !one_word(&s.label) {
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
            if let Some(own) = s.id.as_deref() {
                t_of.entry(own).or_insert_with(|| id.clone());
            }
            written.insert(id.clone());
            t_ids.push(id);
        }
        let mut n = 1;
        for (&(a, b, s), t) in spans.iter().zip(&t_ids) {
            for (k, v) in &s.attrs {
                if !one_word(k) || !one_word(v) {
                    return Err(FormatError::new(format!(
                        "cannot export: document {:?}, span {} {a}..{b}: brat attributes and \
                         their values cannot contain whitespace ({k:?}: {v:?})",
                        d.id, s.label
                    )));
                }
                let values = self.attributes.entry(k.clone()).or_default();
                if v == "true" {
                    ann.push_str(&format!("A{n}\t{k} {t}\n"));
                } else {
                    values.insert(v.clone());
                    ann.push_str(&format!("A{n}\t{k} {t} {v}\n"));
                }
                n += 1;
            }
        }
        self.relation_lines(d, &t_of, &mut ann)?;
        let mut n = 1;
        for (&(_, _, s), t) in spans.iter().zip(&t_ids) {
            // brat's notes are one line each: a note of several lines is
            // several notes on the span, joined again on import.
            for line in s.note.iter().flat_map(|note| note.split('\n')) {
                ann.push_str(&format!("#{n}\tAnnotatorNotes {t}\t{line}\n"));
                n += 1;
            }
        }
        let need = if overlap_breach(&d.spans, Overlap::Forbid).is_none() {
            Overlap::Forbid
        } else if overlap_breach(&d.spans, Overlap::Nest).is_none() {
            Overlap::Nest
        } else {
            Overlap::Allow
        };
        if looseness(need) > looseness(self.overlap) {
            self.overlap = need;
        }
        Ok([
            File::new(format!("{name}.txt"), d.text.as_bytes()),
            File::new(format!("{name}.ann"), ann.into_bytes()),
        ])
    }

    /// The document's relations as `R` lines (keeping `R<n>` ids), the
    /// undirected ones as `*` lines.
    fn relation_lines(
        &mut self,
        d: &Document,
        t_of: &HashMap<&str, String>,
        ann: &mut String,
    ) -> Result<(), FormatError> {
        let used: HashSet<&str> = d
            .relations
            .iter()
            .map(|r| r.id.as_str())
            .filter(|i| number('R', i).is_some())
            .collect();
        let mut written: HashSet<String> = HashSet::new();
        let mut next = 1;
        let undirected = self.undirected.get();
        for r in &d.relations {
            let end = |id: &str| {
                t_of.get(id).ok_or_else(|| {
                    FormatError::new(format!(
                        "cannot export: document {:?}: relation {} ({}) points to span {id:?}, \
                         which is not there",
                        d.id, r.id, r.label
                    ))
                })
            };
            let (from, to) = (end(&r.from)?, end(&r.to)?);
            if !one_word(&r.label) {
                return Err(FormatError::new(format!(
                    "cannot export: document {:?}: relation {} ({:?}): brat relation types \
                     cannot contain whitespace",
                    d.id, r.id, r.label
                )));
            }
            let equiv = undirected.is_some_and(|u| u.contains(&r.label));
            self.relations.insert(r.label.clone(), equiv);
            if equiv {
                ann.push_str(&format!("*\t{} {from} {to}\n", r.label));
                continue;
            }
            let id = if number('R', &r.id).is_some() && !written.contains(&r.id) {
                r.id.clone()
            } else {
                loop {
                    let id = format!("R{next}");
                    next += 1;
                    if !used.contains(id.as_str()) && !written.contains(&id) {
                        break id;
                    }
                }
            };
            ann.push_str(&format!("{id}\t{} Arg1:{from} Arg2:{to}\n", r.label));
            written.insert(id);
        }
        Ok(())
    }

    /// `annotation.conf`, declaring every label, relation and attribute
    /// the pairs so far used, and the overlap of entities they need.
    pub fn conf(&self) -> File {
        let mut conf = String::from("[entities]\n");
        for l in &self.labels {
            conf.push_str(l);
            conf.push('\n');
        }
        conf.push_str("\n[relations]\n");
        let any = "Arg1:<ENTITY>, Arg2:<ENTITY>";
        match self.overlap {
            Overlap::Forbid => {}
            Overlap::Nest => {
                conf.push_str(&format!("<OVERLAP>\t{any}, <OVL-TYPE>:contain|equal\n"));
            }
            Overlap::Allow => conf.push_str(&format!("<OVERLAP>\t{any}, <OVL-TYPE>:<ANY>\n")),
        }
        for (label, &equiv) in &self.relations {
            if equiv {
                conf.push_str(&format!(
                    "{label}\t{any}, <REL-TYPE>:symmetric-transitive\n"
                ));
            } else {
                conf.push_str(&format!("{label}\t{any}\n"));
            }
        }
        conf.push_str("\n[events]\n\n[attributes]\n");
        for (name, values) in &self.attributes {
            if values.is_empty() {
                conf.push_str(&format!("{name}\tArg:<ENTITY>\n"));
            } else {
                let list: Vec<&str> = values.iter().map(String::as_str).collect();
                conf.push_str(&format!("{name}\tArg:<ENTITY>, Value:{}\n", list.join("|")));
            }
        }
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
    let mut undirected = BTreeSet::new();
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
            read_ann(&mut d, content, &a.path, &mut warnings, &mut undirected)
                .map_err(|e| util::in_file(e, &a.path))?;
        }
        docs.push(d);
    }
    let mut imported = util::finish(docs, warnings)?;
    for l in &mut imported.project.labels.relations.0 {
        if undirected.contains(&l.name) {
            l.directed = false;
        }
    }
    Ok(imported)
}

/// One `.ann` file into its document: `T` lines as spans, then (whatever
/// their order in the file) `R` and `*` lines as relations (the labels of
/// `*` lines added to `undirected`), `A`/`M` lines as span attributes and
/// `#` lines as span notes.
fn read_ann(
    d: &mut Document,
    content: &str,
    path: &str,
    warnings: &mut Vec<String>,
    undirected: &mut BTreeSet<String>,
) -> Result<(), FormatError> {
    let map = OffsetMap::new(&d.text);
    let mut spans = Vec::new();
    let mut ignored = 0;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut rest: Vec<(usize, &str)> = Vec::new();
    for (i, line) in content.split('\n').enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        match line.as_bytes()[0] {
            b'T' => {}
            b'E' | b'N' => {
                ignored += 1;
                continue;
            }
            b'R' | b'A' | b'M' | b'#' | b'*' => {
                rest.push((n, line));
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
                    slice_chars(&d.text, &map, a, b)
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
    // A `T` id names its first fragment.
    let at: HashMap<String, usize> = spans
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((s.id.clone()?, i)))
        .collect();
    let mut relations: Vec<(usize, Relation)> = Vec::new();
    let mut dropped: Vec<String> = Vec::new();
    let mut rel_lines: HashMap<&str, usize> = HashMap::new();
    for (n, line) in rest {
        let bad = |what: &str| {
            FormatError::new(format!(
                "{what}: {:?}",
                line.chars().take(60).collect::<String>()
            ))
            .at_line(n)
        };
        let mut parts = line.splitn(3, '\t');
        let id = parts.next().unwrap_or_default();
        let body = parts
            .next()
            .ok_or_else(|| bad("expected a tab after the id"))?;
        // An id of an event, relation or another annotation: brat allows
        // these as targets, spanmark keeps entities' only.
        let target = |t: &str| -> Result<Option<usize>, FormatError> {
            match at.get(t) {
                Some(&i) => Ok(Some(i)),
                None if t.starts_with(['E', 'R', 'A', 'M', 'N', '#']) => Ok(None),
                None => Err(FormatError::new(format!(
                    "{id} points to {t}, which is not in the file"
                ))
                .at_line(n)),
            }
        };
        match line.as_bytes()[0] {
            b'R' => {
                if let Some(first) = rel_lines.insert(id, n) {
                    return Err(FormatError::new(format!(
                        "{id}: the id is used twice (first on line {first})"
                    ))
                    .at_line(n));
                }
                let mut words = body.split_whitespace();
                let label = words
                    .next()
                    .ok_or_else(|| bad("a relation without a type"))?;
                let args: Vec<&str> = words
                    .map(|w| w.split_once(':').map_or(w, |(_, t)| t))
                    .collect();
                let [from, to] = args[..] else {
                    return Err(bad("expected \"R<n>\\tTYPE Arg1:T<a> Arg2:T<b>\""));
                };
                match (target(from)?, target(to)?) {
                    (Some(a), Some(b)) => relations.push((
                        n,
                        Relation {
                            id: id.to_string(),
                            from: spans[a].id.clone().unwrap_or_default(),
                            to: spans[b].id.clone().unwrap_or_default(),
                            label: label.to_string(),
                        },
                    )),
                    _ => dropped.push(format!("{id} (a relation to an event or relation)")),
                }
            }
            b'*' => {
                let mut words = body.split_whitespace();
                let label = words
                    .next()
                    .ok_or_else(|| bad("an equivalence without a type"))?;
                let members: Vec<&str> = words.collect();
                if members.len() < 2 {
                    return Err(bad("an equivalence needs two or more entities"));
                }
                undirected.insert(label.to_string());
                for w in members.windows(2) {
                    if let (Some(a), Some(b)) = (target(w[0])?, target(w[1])?) {
                        relations.push((
                            n,
                            Relation {
                                id: String::new(),
                                from: spans[a].id.clone().unwrap_or_default(),
                                to: spans[b].id.clone().unwrap_or_default(),
                                label: label.to_string(),
                            },
                        ));
                    } else {
                        dropped.push(format!("{label} between {} and {}", w[0], w[1]));
                    }
                }
            }
            b'A' | b'M' => {
                let words: Vec<&str> = body.split_whitespace().collect();
                let (name, on, value) = match words[..] {
                    [name, on] => (name, on, "true"),
                    [name, on, value] => (name, on, value),
                    _ => return Err(bad("expected \"A<n>\\tNAME T<n> [VALUE]\"")),
                };
                match target(on)? {
                    Some(i) => {
                        spans[i].attrs.insert(name.to_string(), value.to_string());
                    }
                    None => dropped.push(format!("{id} (an attribute of {on})")),
                }
            }
            _ => {
                let on = body.split_whitespace().nth(1).unwrap_or_default();
                let text = parts.next().unwrap_or_default();
                match target(on)? {
                    Some(i) => match &mut spans[i].note {
                        Some(note) => {
                            note.push('\n');
                            note.push_str(text);
                        }
                        None => spans[i].note = Some(text.to_string()),
                    },
                    None => dropped.push(format!("{id} (a note on {on})")),
                }
            }
        }
    }
    // `*` lines carry no ids: theirs follow the file's largest `R<n>`.
    let mut next = next_number('R', relations.iter().map(|(_, r)| r.id.as_str()));
    relations.sort_by_key(|&(n, _)| n);
    for (_, r) in &mut relations {
        if r.id.is_empty() {
            r.id = format!("R{next}");
            next += 1;
        }
    }
    if !dropped.is_empty() {
        warnings.push(format!(
            "{path}: {} left out (spanmark keeps relations, attributes and notes of entities \
             only): {}",
            dropped.len(),
            dropped.join(", ")
        ));
    }
    if ignored > 0 {
        warnings.push(format!(
            "{path}: {ignored} event or normalization line(s) ignored (spanmark keeps entities, \
             their relations, attributes and notes)"
        ));
    }
    d.spans = spans;
    d.relations = relations.into_iter().map(|(_, r)| r).collect();
    Ok(())
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
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("discontinuous"));
        assert!(r.warnings[1].contains("differs"));
        let rel = &d.relations[0];
        assert_eq!(
            (rel.id.as_str(), rel.from.as_str(), rel.to.as_str()),
            ("R1", "T1", "T2")
        );
        assert_eq!(d.spans[0].note.as_deref(), Some("big"));
    }

    /// A document with nested entities, a directed relation, an undirected
    /// one, attributes and a note of two lines.
    fn structured() -> Project {
        let text = "Bank of China hired Ana Lima.\nAna works there.";
        let mut d = Document::new("d", text);
        let span = |a: usize, b: usize, l: &str, id: &str| {
            let mut s = Span::new(a, b, l);
            s.id = Some(id.into());
            s
        };
        d.spans = vec![
            span(0, 13, "ORG", "T1"),
            span(8, 13, "LOC", "T2"),
            span(20, 28, "PER", "T3"),
            span(30, 33, "PER", "T4"),
        ];
        d.spans[2].attrs.insert("Negated".into(), "true".into());
        d.spans[2].attrs.insert("Confidence".into(), "High".into());
        d.spans[2].note = Some("first\tline \"quoted\"\n<script>2</script> 🙂".into());
        let rel = |id: &str, from: &str, to: &str, label: &str| Relation {
            id: id.into(),
            from: from.into(),
            to: to.into(),
            label: label.into(),
        };
        d.relations = vec![
            rel("R1", "T3", "T1", "works_for"),
            rel("R2", "T3", "T4", "same_as"),
        ];
        let mut p = Project {
            labels: crate::labels::LabelSet::empty(),
            documents: vec![d],
            overlap: Overlap::Nest,
        };
        p.add_missing_labels();
        p.labels.relations.0[1].directed = false;
        p
    }

    #[test]
    fn relations_equivalences_attributes_and_notes_round_trip() {
        let p = structured();
        let (files, warnings) =
            super::super::export_files_warned(super::super::Format::Brat, &p, &Options::default())
                .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let ann = String::from_utf8(files[1].content.clone()).unwrap();
        for line in [
            "A1\tConfidence T3 High\n",
            "A2\tNegated T3\n",
            "R1\tworks_for Arg1:T3 Arg2:T1\n",
            "*\tsame_as T3 T4\n",
            "#1\tAnnotatorNotes T3\tfirst\tline \"quoted\"\n",
            "#2\tAnnotatorNotes T3\t<script>2</script> 🙂\n",
        ] {
            assert!(ann.contains(line), "{line:?} in\n{ann}");
        }
        let conf = String::from_utf8(files[2].content.clone()).unwrap();
        for line in [
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:contain|equal\n",
            "works_for\tArg1:<ENTITY>, Arg2:<ENTITY>\n",
            "same_as\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive\n",
            "Negated\tArg:<ENTITY>\n",
            "Confidence\tArg:<ENTITY>, Value:High\n",
        ] {
            assert!(conf.contains(line), "{line:?} in\n{conf}");
        }
        let back = import_files(&files).unwrap();
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        assert_eq!(back.project, p);
    }

    #[test]
    fn document_labels_and_notes_are_counted_as_left_out() {
        let mut p = structured();
        p.documents[0].doc_labels = vec!["business".into()];
        p.documents[0].note = Some("whole".into());
        p.add_missing_labels();
        let (_, warnings) =
            super::super::export_files_warned(super::super::Format::Brat, &p, &Options::default())
                .unwrap();
        assert_eq!(
            warnings,
            [
                "brat cannot hold document labels: 1 left out",
                "brat cannot hold notes: 1 left out"
            ]
        );
    }

    #[test]
    fn what_cannot_be_kept_warns_and_a_missing_target_is_refused() {
        let text = File::new("d.txt", "Ana met Bo");
        let r = import_files(&[
            text.clone(),
            File::new(
                "d.ann",
                "T1\tPER 0 3\tAna\nT2\tPER 8 10\tBo\nE1\tMeet:T1 A:T2\nR1\tmet Arg1:T1 Arg2:T2\n\
                 #1\tAnnotatorNotes R1\tabout the relation\nA1\tSure R1\nR2\tcause Arg1:E1 Arg2:T2\n",
            ),
        ])
        .unwrap();
        let d = &r.project.documents[0];
        assert_eq!(d.relations.len(), 1);
        assert!(d
            .spans
            .iter()
            .all(|s| s.note.is_none() && s.attrs.is_empty()));
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
        assert!(
            r.warnings[0].contains("3 left out")
                && r.warnings[0].contains("#1")
                && r.warnings[0].contains("A1")
                && r.warnings[0].contains("R2"),
            "{}",
            r.warnings[0]
        );
        assert!(r.warnings[1].contains("1 event"), "{}", r.warnings[1]);
        let e = import_files(&[
            text,
            File::new("d.ann", "T1\tPER 0 3\tAna\nR1\tmet Arg1:T1 Arg2:T9\n"),
        ])
        .unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(
            e.message.starts_with("d.ann: R1") && e.message.contains("T9"),
            "{e}"
        );
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
