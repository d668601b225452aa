//! CoNLL-2003 style token-per-line files.
//!
//! Export writes the four CoNLL-2003 columns `token POS chunk NER` with `-X-`
//! for the POS and chunk columns spanmark does not have, a
//! `-DOCSTART- -X- -X- O` line and a blank line before every document, and a
//! blank line after every sentence (sentences from [`tokenize::sentences`],
//! never broken inside an entity). Tokens are spanmark's tokens split at every
//! entity edge, whitespace left out. Tags are in the chosen [`Scheme`] (IOB2
//! by default). An entity that covers only whitespace cannot be written and
//! is an error; whitespace at an entity's edges is left out of it.
//!
//! Import reads those files and plain `token TAG` files (any number of
//! columns, separated by tabs when the line has a tab, else by spaces; the
//! first is the token and the last the tag). IOB1, IOB2, BILOU and BIOES are
//! all decoded ([`detect_scheme`] tells which a file uses); a tag that does not
//! continue the entity before it starts a new one (with a warning where the
//! scheme forbids it). CoNLL has no text: import rebuilds it by joining a
//! sentence's tokens with single spaces and sentences with newlines; each
//! `-DOCSTART-` starts a new document (ids `doc-1`, `doc-2`, ...). The format
//! is lossy: a round trip keeps the entities' tokens and labels, not the
//! exact text, ids or meta.

use super::util;
use super::{FormatError, Imported, Options, Scheme};
use crate::doc::{Document, Project, Span};
use crate::text::{OffsetMap, OffsetUnit};
use crate::tokenize;

pub const DOCSTART: &str = "-DOCSTART-";

pub fn export(project: &Project, options: &Options) -> Result<String, FormatError> {
    super::export_text(super::Format::Conll, project, options)
}

/// A document's lines: `-DOCSTART-`, then a token per line.
pub(crate) fn write_doc(d: &Document, options: &Options) -> Result<String, FormatError> {
    let mut out = String::new();
    let map = OffsetMap::new(&d.text);
    let spans = util::spans_in(d, &map, OffsetUnit::Codepoint)?;
    util::no_overlaps(d, &spans, "CoNLL")?;
    let bytes: Vec<(usize, usize)> = spans
        .iter()
        .map(|&(a, b, _)| {
            (
                map.char_to_byte(a).unwrap_or(0),
                map.char_to_byte(b).unwrap_or(0),
            )
        })
        .collect();
    let words: Vec<(usize, usize)> = util::spacy_tokens(&d.text, &bytes)
        .into_iter()
        .filter(|t| !t.is_space(&d.text))
        .map(|t| (t.start, t.end))
        .collect();
    // Which entity each word belongs to.
    let mut owner: Vec<Option<usize>> = vec![None; words.len()];
    let mut w = 0;
    for (k, &(a, b)) in bytes.iter().enumerate() {
        while w < words.len() && words[w].0 < a {
            w += 1;
        }
        let first = w;
        let mut i = w;
        while i < words.len() && words[i].1 <= b {
            owner[i] = Some(k);
            i += 1;
        }
        if i == first {
            let s = spans[k].2;
            return Err(FormatError::new(format!(
                "cannot export: document {:?}, span {} {}..{} covers only whitespace, \
                 which CoNLL cannot hold",
                d.id, s.label, s.start, s.end
            )));
        }
    }
    let tags = encode(
        &owner,
        &spans.iter().map(|s| s.2.label.as_str()).collect::<Vec<_>>(),
        options.scheme,
    );
    // Sentence starts (bytes), except those inside an entity. Both run in
    // text order and entities do not overlap, so one sweep finds them (a
    // search of every entity for every sentence grew with the square of a
    // long document).
    let toks = tokenize::tokenize(&d.text);
    let mut k = 0;
    let mut breaks: Vec<usize> = tokenize::sentences(&d.text, &toks)
        .into_iter()
        .skip(1)
        .filter_map(|r| toks.get(r.start).map(|t| t.start))
        .filter(|&b| {
            while k < bytes.len() && bytes[k].1 <= b {
                k += 1;
            }
            !bytes.get(k).is_some_and(|&(s, e)| s < b && b < e)
        })
        .collect();
    breaks.reverse();
    out.push_str(DOCSTART);
    out.push_str(" -X- -X- O\n\n");
    let mut open = false;
    for (i, &(a, b)) in words.iter().enumerate() {
        let mut new_sentence = false;
        while breaks.last().is_some_and(|&x| x <= a) {
            breaks.pop();
            new_sentence = true;
        }
        if new_sentence && open {
            out.push('\n');
        }
        out.push_str(&d.text[a..b]);
        out.push_str(" -X- -X- ");
        out.push_str(&tags[i]);
        out.push('\n');
        open = true;
    }
    if open {
        out.push('\n');
    }
    Ok(out)
}

/// Tags for words given the entity each belongs to. In IOB1 `B-` marks only
/// an entity that directly follows one of the same type; the caller's
/// sentence breaks never fall inside entities, and an IOB1 `B-` right after a
/// sentence break is harmless.
fn encode(owner: &[Option<usize>], labels: &[&str], scheme: Scheme) -> Vec<String> {
    let mut tags = Vec::with_capacity(owner.len());
    for i in 0..owner.len() {
        let Some(k) = owner[i] else {
            tags.push("O".to_string());
            continue;
        };
        let first = i == 0 || owner[i - 1] != Some(k);
        let last = i + 1 == owner.len() || owner[i + 1] != Some(k);
        let prefix = match scheme {
            Scheme::Iob2 => {
                if first {
                    "B"
                } else {
                    "I"
                }
            }
            Scheme::Iob1 => {
                let follows_same =
                    i > 0 && owner[i - 1].is_some_and(|p| p != k && labels[p] == labels[k]);
                if first && follows_same {
                    "B"
                } else {
                    "I"
                }
            }
            Scheme::Bilou | Scheme::Bioes => {
                let (b, l, u) = if scheme == Scheme::Bilou {
                    ("B", "L", "U")
                } else {
                    ("B", "E", "S")
                };
                match (first, last) {
                    (true, true) => u,
                    (true, false) => b,
                    (false, true) => l,
                    (false, false) => "I",
                }
            }
        };
        tags.push(format!("{prefix}-{}", labels[k]));
    }
    tags
}

/// A tag split into its prefix (`O`, `B`, `I`, `E`, `L`, `S`, `U`) and type.
fn parse_tag(tag: &str) -> Option<(char, &str)> {
    if tag == "O" {
        return Some(('O', ""));
    }
    let mut chars = tag.chars();
    let p = chars.next()?;
    let rest = chars.as_str();
    let ty = rest.strip_prefix('-')?;
    if ty.is_empty() || !"BIELSU".contains(p) {
        return None;
    }
    Some((p, ty))
}

struct Row<'a> {
    token: &'a str,
    prefix: char,
    ty: &'a str,
    line: usize,
}

/// The documents of a file: each a list of sentences of rows.
fn rows(content: &str) -> Result<Vec<Vec<Vec<Row<'_>>>>, FormatError> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let mut docs: Vec<Vec<Vec<Row>>> = Vec::new();
    let mut doc: Vec<Vec<Row>> = Vec::new();
    let mut sentence: Vec<Row> = Vec::new();
    let mut started = false;
    for (i, line) in content.split('\n').enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if !sentence.is_empty() {
                doc.push(std::mem::take(&mut sentence));
            }
            continue;
        }
        if line.trim_start().starts_with(DOCSTART) {
            if !sentence.is_empty() {
                doc.push(std::mem::take(&mut sentence));
            }
            if started || !doc.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            started = true;
            continue;
        }
        let cols: Vec<&str> = if line.contains('\t') {
            line.split('\t')
                .filter(|c| !c.trim().is_empty())
                .map(str::trim)
                .collect()
        } else {
            line.split_whitespace().collect()
        };
        if cols.len() < 2 {
            // Quote a little of the line, not all of a 50 MB one.
            let shown: String = line.trim().chars().take(60).collect();
            let more = if line.trim().chars().nth(60).is_some() {
                "…"
            } else {
                ""
            };
            return Err(FormatError::new(format!(
                "expected a token and a tag (two or more columns), found {shown:?}{more}"
            ))
            .at_line(n));
        }
        let tag = cols[cols.len() - 1];
        let Some((prefix, ty)) = parse_tag(tag) else {
            let col = line.rfind(tag).map_or(1, |b| line[..b].chars().count() + 1);
            return Err(FormatError::new(format!(
                "tag {tag:?} is not O or one of B-, I-, E-, L-, S-, U- followed by a type"
            ))
            .at_line(n)
            .at_column(col));
        };
        sentence.push(Row {
            token: cols[0],
            prefix,
            ty,
            line: n,
        });
    }
    if !sentence.is_empty() {
        doc.push(sentence);
    }
    if started || !doc.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

/// Which scheme a file's tags use; `None` when it has no entity tags (or
/// cannot be read).
pub fn detect_scheme(content: &str) -> Option<Scheme> {
    let docs = rows(content).ok()?;
    let sentences = || docs.iter().flatten();
    let all = || sentences().flatten();
    if all().any(|r| matches!(r.prefix, 'E' | 'S')) {
        return Some(Scheme::Bioes);
    }
    if all().any(|r| matches!(r.prefix, 'L' | 'U')) {
        return Some(Scheme::Bilou);
    }
    let mut any = false;
    for s in sentences() {
        for (i, r) in s.iter().enumerate() {
            if r.prefix == 'O' {
                continue;
            }
            any = true;
            let continues = i > 0 && s[i - 1].prefix != 'O' && s[i - 1].ty == r.ty;
            if r.prefix == 'I' && !continues {
                return Some(Scheme::Iob1);
            }
        }
    }
    any.then_some(Scheme::Iob2)
}

pub fn import(content: &str) -> Result<Imported, FormatError> {
    let scheme = detect_scheme(content).unwrap_or_default();
    let strict_ends = matches!(scheme, Scheme::Bilou | Scheme::Bioes);
    let mut warnings = Vec::new();
    let mut documents = Vec::new();
    for (n, doc) in rows(content)?.into_iter().enumerate() {
        let mut text = String::new();
        let mut chars = 0usize;
        let mut spans: Vec<Span> = Vec::new();
        for (si, sentence) in doc.iter().enumerate() {
            if si > 0 {
                text.push('\n');
                chars += 1;
            }
            // The open entity: start (code points), type.
            let mut open: Option<(usize, &str)> = None;
            let mut last_end = chars;
            for (i, r) in sentence.iter().enumerate() {
                if i > 0 {
                    text.push(' ');
                    chars += 1;
                }
                let start = chars;
                text.push_str(r.token);
                chars += r.token.chars().count();
                let continues = open.is_some_and(|(_, t)| t == r.ty);
                let close = |open: &mut Option<(usize, &str)>, spans: &mut Vec<Span>, end| {
                    if let Some((s, t)) = open.take() {
                        spans.push(Span::new(s, end, t));
                    }
                };
                match r.prefix {
                    'O' => close(&mut open, &mut spans, last_end),
                    'B' | 'S' | 'U' => {
                        close(&mut open, &mut spans, last_end);
                        open = Some((start, r.ty));
                    }
                    _ => {
                        // I, E, L: continue the open entity of the same type.
                        if !continues {
                            if strict_ends {
                                warnings.push(format!(
                                    "line {}: {}-{} does not continue an entity; read as the start of one",
                                    r.line, r.prefix, r.ty
                                ));
                            }
                            close(&mut open, &mut spans, last_end);
                            open = Some((start, r.ty));
                        }
                    }
                }
                last_end = chars;
                if matches!(r.prefix, 'E' | 'L' | 'S' | 'U') {
                    close(&mut open, &mut spans, last_end);
                }
            }
            if let Some((s, t)) = open.take() {
                spans.push(Span::new(s, last_end, t));
            }
        }
        let mut d = Document::new(format!("doc-{}", n + 1), text);
        d.spans = spans;
        documents.push(d);
    }
    util::finish(documents, warnings)
}

/// Whether text looks like a token-per-line file: its first lines (up to 20
/// that are not blank) all end in a tag, with at least one entity tag or a
/// `-DOCSTART-`.
pub fn looks_like_conll(text: &str) -> bool {
    let mut seen = 0;
    let mut entity = false;
    for line in text.lines().filter(|l| !l.trim().is_empty()).take(20) {
        seen += 1;
        if line.trim_start().starts_with(DOCSTART) {
            entity = true;
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 2 {
            return false;
        }
        match parse_tag(cols[cols.len() - 1]) {
            Some(('O', _)) => {}
            Some(_) => entity = true,
            None => return false,
        }
    }
    seen > 0 && entity
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::OffsetMap;

    fn project(docs: Vec<Document>) -> Project {
        let mut p = Project {
            labels: crate::labels::LabelSet::empty(),
            documents: docs,
            ..Default::default()
        };
        p.add_missing_labels();
        p
    }

    #[test]
    fn a_long_document_keeps_every_entity_inside_one_sentence() {
        // An entity across a sentence break ("Lisbon. Then Porto") keeps
        // its sentence open; the other breaks stay, all the way down.
        let unit = "Ana flew to Lisbon. Then Porto. Bo stayed. ";
        let reps = 300;
        let mut d = Document::new("long", unit.repeat(reps));
        for i in 0..reps {
            let at = i * unit.len();
            d.spans.push(Span::new(at, at + 3, "PER"));
            d.spans.push(Span::new(at + 12, at + 30, "LOC"));
            d.spans.push(Span::new(at + 32, at + 34, "PER"));
        }
        let out = export(&project(vec![d]), &Options::default()).unwrap();
        let sentences: Vec<&str> = out
            .trim_end()
            .split("\n\n")
            .skip(1) // -DOCSTART-
            .collect();
        assert_eq!(sentences.len(), 2 * reps, "{}", &out[..600]);
        for s in &sentences {
            assert_eq!(s.contains("Lisbon"), s.contains("Porto"), "{s}");
        }
        assert!(sentences[0].ends_with(". -X- -X- O"), "{}", sentences[0]);
        assert!(
            sentences[0].contains("Porto -X- -X- I-LOC"),
            "{}",
            sentences[0]
        );
        assert!(
            sentences[1].starts_with("Bo -X- -X- B-PER"),
            "{}",
            sentences[1]
        );
    }

    /// (surface without whitespace, label) of every span, in order.
    fn entities(p: &Project) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for d in &p.documents {
            let map = OffsetMap::new(&d.text);
            for s in &d.spans {
                let surface: String = d
                    .surface(&map, s)
                    .unwrap()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                out.push((surface, s.label.clone()));
            }
        }
        out
    }

    fn sample() -> Project {
        let text = "Zoë Ball\r\nflew to 🇫🇷Paris\tand Paris London. Über-Köln\u{301} was XYZ";
        let mut d = Document::new("x", text);
        let cp = |s: &str| text[..text.find(s).unwrap()].chars().count();
        let len = |s: &str| s.chars().count();
        d.spans.push(Span::new(0, 8, "PER"));
        let p1 = cp("🇫🇷Paris") + 2;
        d.spans.push(Span::new(p1, p1 + 5, "LOC"));
        let p2 = cp("Paris London");
        d.spans.push(Span::new(p2, p2 + 5, "LOC"));
        d.spans.push(Span::new(p2 + 6, p2 + 12, "LOC"));
        let k = cp("Köln\u{301}");
        d.spans.push(Span::new(k, k + len("Köln\u{301}"), "LOC"));
        let z = cp("XYZ");
        d.spans.push(Span::new(z, z + 3, "ORG"));
        project(vec![
            d,
            Document::new("empty", ""),
            Document::new("y", "Solo"),
        ])
    }

    #[test]
    fn every_scheme_round_trips_entities() {
        let p = sample();
        for scheme in [Scheme::Iob1, Scheme::Iob2, Scheme::Bilou, Scheme::Bioes] {
            let o = Options {
                scheme,
                ..Options::default()
            };
            let out = export(&p, &o).unwrap();
            let back = import(&out).unwrap();
            assert_eq!(entities(&back.project), entities(&p), "{scheme}\n{out}");
            assert_eq!(back.project.documents.len(), 3);
            assert!(back.warnings.is_empty(), "{:?}", back.warnings);
            if scheme != Scheme::Iob1 {
                assert_eq!(detect_scheme(&out), Some(scheme), "{out}");
            }
        }
    }

    #[test]
    fn iob2_layout() {
        let out = export(&sample(), &Options::default()).unwrap();
        assert!(
            out.starts_with(
                "-DOCSTART- -X- -X- O\n\nZoë -X- -X- B-PER\nBall -X- -X- I-PER\nflew -X- -X- O\n"
            ),
            "{out}"
        );
        // The flag and "Paris" are split apart; adjacent same-type entities
        // each start with B-.
        assert!(out.contains("🇫🇷 -X- -X- O\nParis -X- -X- B-LOC\n"), "{out}");
        assert!(
            out.contains("Paris -X- -X- B-LOC\nLondon -X- -X- B-LOC\n"),
            "{out}"
        );
        assert!(
            out.ends_with("-DOCSTART- -X- -X- O\n\nSolo -X- -X- O\n\n"),
            "{out}"
        );
        let iob1 = export(
            &sample(),
            &Options {
                scheme: Scheme::Iob1,
                ..Options::default()
            },
        )
        .unwrap();
        assert!(
            iob1.contains("Paris -X- -X- I-LOC\nLondon -X- -X- B-LOC\n"),
            "{iob1}"
        );
        assert!(iob1.contains("Zoë -X- -X- I-PER\n"), "{iob1}");
        assert_eq!(detect_scheme(&iob1), Some(Scheme::Iob1));
    }

    #[test]
    fn plain_two_column_files_and_text_rebuilt() {
        let r = import(
            "EU\tB-ORG\nrejects\tO\nGerman\tB-MISC\ncall\tO\n\nPeter U-PER\r\nBlackburn O\n",
        )
        .unwrap();
        let d = &r.project.documents[0];
        assert_eq!(d.text, "EU rejects German call\nPeter Blackburn");
        let map = OffsetMap::new(&d.text);
        let got: Vec<_> = d
            .spans
            .iter()
            .map(|s| (d.surface(&map, s).unwrap(), s.label.as_str()))
            .collect();
        assert_eq!(got, [("EU", "ORG"), ("German", "MISC"), ("Peter", "PER")]);
    }

    #[test]
    fn bad_lines_are_named() {
        let e = import("EU B-ORG\nrejects\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = import("EU B-ORG\nrejects X-FOO\n").unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(9)));
        assert!(e.message.contains("X-FOO"));
        let e = import("EU B-\n").unwrap_err();
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn bilou_warns_on_broken_chunks() {
        let r = import("a B-PER\nb L-PER\nc O\nd L-LOC\n").unwrap();
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].starts_with("line 4"));
        assert_eq!(r.project.documents[0].spans.len(), 2);
    }

    #[test]
    fn whitespace_only_entities_are_refused_and_crossing_ones_cut_to_the_outermost() {
        let mut d = Document::new("w", "a  b");
        d.spans.push(Span::new(1, 3, "X"));
        assert!(export(&project(vec![d]), &Options::default())
            .unwrap_err()
            .message
            .contains("whitespace"));
        let mut d = Document::new("o", "New York City");
        d.spans.push(Span::new(0, 8, "LOC"));
        d.spans.push(Span::new(4, 13, "LOC"));
        let (out, warnings) = crate::formats::export_warned(
            crate::formats::Format::Conll,
            &project(vec![d]),
            &Options::default(),
        )
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("York -X- -X- I-LOC\nCity -X- -X- O"), "{out}");
        assert_eq!(
            warnings,
            ["CoNLL cannot hold spans inside or across another (the outermost were written): 1 left out"]
        );
    }

    #[test]
    fn nested_crossing_and_adjacent_spans_keep_the_outermost_and_count_what_went() {
        let text = "Bank of China sued New York City Hall";
        let mut d = Document::new("n", text);
        let span = |a: usize, b: usize, l: &str, id: &str| {
            let mut s = Span::new(a, b, l);
            s.id = Some(id.into());
            s
        };
        d.spans = vec![
            span(0, 13, "ORG", "T1"),  // Bank of China
            span(8, 13, "LOC", "T2"),  // China, inside T1
            span(19, 27, "LOC", "T3"), // New York
            span(23, 32, "LOC", "T4"), // York City, across T3
            span(33, 37, "ORG", "T5"), // Hall, right after City
        ];
        let rel = |id: &str, from: &str, to: &str| crate::relations::Relation {
            id: id.into(),
            from: from.into(),
            to: to.into(),
            label: "sued".into(),
        };
        d.relations = vec![rel("R1", "T1", "T3"), rel("R2", "T2", "T4")];
        let (out, warnings) = crate::formats::export_warned(
            crate::formats::Format::Conll,
            &project(vec![d]),
            &Options::default(),
        )
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        let tags: Vec<&str> = out
            .lines()
            .filter_map(|l| {
                l.rsplit(' ')
                    .next()
                    .filter(|_| !l.starts_with("-DOCSTART-"))
            })
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(
            tags,
            ["B-ORG", "I-ORG", "I-ORG", "O", "B-LOC", "I-LOC", "O", "B-ORG"],
            "{out}"
        );
        assert_eq!(
            warnings,
            [
                "CoNLL cannot hold spans inside or across another (the outermost were written): 2 left out",
                "CoNLL cannot hold relations: 2 left out",
            ]
        );
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_conll(
            "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\n"
        ));
        assert!(!looks_like_conll("Hello world\nThis is prose.\n"));
        assert!(!looks_like_conll("a O\nb O\n"));
    }
}
