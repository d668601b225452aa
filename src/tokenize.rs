//! Tokens and sentences for English news text.
//!
//! Tokens start from Unicode word boundaries (UAX #29, via `unicode-segmentation`),
//! which already keep `2,500`, `3.14`, `don't`, `U.S` (without its final dot),
//! emoji ZWJ sequences and flag pairs together. One pass over those segments then
//! adjusts them for news text, with no allocation per token:
//!
//! - whitespace (and invisible joiners/BOMs standing alone) is never a token;
//! - abbreviations take their dot: titles and other listed words (`Mr.`, `Inc.`,
//!   `Jan.`, `etc.`), dotted letters (`U.S.`, `e.g.`, `a.m.`, `Ph.D.`) and single
//!   capital initials (`F.` in `John F. Kennedy`); `No.` only before a number;
//! - hyphenated words stay whole (`Jean-Pierre`, `state-of-the-art`, `U.S.-led`,
//!   `2024-05-01`, `1990-91`), as do `10:30`, `24/7`, `AT&T`, runs of dots
//!   (`...`) and of hyphens (`--`);
//! - clitics split off as in the Penn Treebank and CoNLL: `Apple's` -> `Apple`
//!   `'s`, `don't` -> `do` `n't`, `we're` -> `we` `'re` (straight or curly
//!   apostrophe);
//! - URLs (`http://`, `https://`, `ftp://`, `www.`) run to the next space, less
//!   trailing punctuation and unbalanced closing brackets; e-mail addresses
//!   (ASCII) are one token;
//! - currency signs, `%`, quotes and brackets are tokens of their own.
//!
//! [`sentences`] splits the tokens into sentences, after stops and at blank
//! lines; the rules are at the top of `tokenize/sentences.rs`.

mod sentences;
mod word_bounds;

pub use sentences::sentences;

/// A token: `[start, end)` in UTF-8 bytes of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// Splits `text` into tokens (whitespace is never a token). Tokens are sorted,
/// non-empty, non-overlapping and lie on character boundaries.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5 + 4);
    tokenize_into(text, &mut out);
    out
}

/// [`tokenize`] appending to `out` (reuse a buffer across documents).
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    let base = out.len();
    let mut t = Tokenizer {
        text,
        bytes: text.as_bytes(),
        out,
        base,
    };
    let mut skip_until = 0usize;
    for (i, seg) in word_bounds::word_bound_indices(text) {
        let e = i + seg.len();
        if e <= skip_until {
            continue;
        }
        let mut s = i.max(skip_until);
        // Trim leading blanks: a space may carry a combining mark or a ZWJ.
        while s < e {
            let b = t.bytes[s];
            if b < 0x80 {
                if b.is_ascii_whitespace() || b == 0x0b {
                    s += 1;
                    continue;
                }
                break;
            }
            let c = text[s..].chars().next().unwrap_or('x');
            if is_blank(c) {
                s += c.len_utf8();
            } else {
                break;
            }
        }
        if s < e {
            if let Some(end) = t.segment(s, e) {
                skip_until = end;
            }
        }
    }
}

/// Whitespace, or an invisible character that should not stand as a token.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

struct Tokenizer<'a, 'o> {
    text: &'a str,
    bytes: &'a [u8],
    out: &'o mut Vec<Token>,
    /// Tokens before this index belong to an earlier call; never merged into.
    base: usize,
}

impl Tokenizer<'_, '_> {
    fn last(&self) -> Option<Token> {
        if self.out.len() > self.base {
            self.out.last().copied()
        } else {
            None
        }
    }

    fn push(&mut self, start: usize, end: usize) {
        self.out.push(Token { start, end });
    }

    /// Handles one UAX #29 segment `[s, e)` (leading blanks trimmed). Returns the
    /// end of a URL or e-mail token that swallowed the following segments.
    fn segment(&mut self, s: usize, e: usize) -> Option<usize> {
        let b = self.bytes[s];
        if matches!(b, b'h' | b'H' | b'w' | b'W' | b'f' | b'F') {
            if let Some(end) = url_end(self.text, s) {
                self.push(s, end);
                return Some(end);
            }
        }
        if e - s == 1 {
            match b {
                b'.' => {
                    if let Some(last) = self.last() {
                        if last.end == s {
                            let w = &self.text[last.start..last.end];
                            if w.bytes().all(|c| c == b'.') || self.takes_dot(w, e) {
                                self.extend_last(e);
                                return None;
                            }
                        }
                    }
                }
                b'-' => {
                    if let Some(last) = self.last() {
                        if last.end == s
                            && self.bytes[last.start..last.end].iter().all(|&c| c == b'-')
                        {
                            self.extend_last(e);
                            return None;
                        }
                    }
                }
                b'@' => {
                    if let Some(end) = self.email(s) {
                        return Some(end);
                    }
                }
                _ => {}
            }
            if !b.is_ascii_alphanumeric() {
                self.push(s, e);
                return None;
            }
        }
        if !starts_alphanumeric(self.text, s) {
            self.push(s, e);
            return None;
        }
        // A word: split off a clitic, join across a hyphen, colon, slash or '&'.
        let split = clitic_start(self.bytes, s, e);
        let core_end = split.unwrap_or(e);
        if !self.join(s, core_end) {
            self.push(s, core_end);
        }
        if let Some(k) = split {
            self.push(k, e);
        }
        None
    }

    fn extend_last(&mut self, end: usize) {
        if let Some(t) = self.out.last_mut() {
            t.end = end;
        }
    }

    /// Whether the word `w`, directly followed by a dot ending at `dot_end`,
    /// is an abbreviation that takes the dot.
    fn takes_dot(&self, w: &str, dot_end: usize) -> bool {
        match abbreviation_kind(w) {
            Some(Abbrev::Numero) => {
                // "No. 5" but not "said no."
                let rest = &self.bytes[dot_end..];
                let k = rest.iter().position(|&c| c != b' ').unwrap_or(rest.len());
                k > 0 && rest.get(k).is_some_and(u8::is_ascii_digit)
            }
            Some(_) => true,
            None => false,
        }
    }

    /// Joins the word `[s, e)` onto `X J` when the last two tokens are a word and
    /// a joiner directly before it (`Jean` `-` + `Pierre`, `10` `:` + `30`).
    fn join(&mut self, s: usize, e: usize) -> bool {
        let n = self.out.len();
        if n < self.base + 2 {
            return false;
        }
        let j = self.out[n - 1];
        let x = self.out[n - 2];
        if j.end != s
            || x.end != j.start
            || (j.len() != 1 && &self.text[j.start..j.end] != "\u{2010}")
        {
            return false;
        }
        let xw = &self.text[x.start..x.end];
        let yw = &self.text[s..e];
        let ok = match self.bytes[j.start] {
            b'-' | 0xE2 => {
                let last = xw.chars().next_back().unwrap_or(' ');
                last.is_alphanumeric()
                    || (last == '.'
                        && xw.len() > 1
                        && abbreviation_kind(&xw[..xw.len() - 1]).is_some())
            }
            b':' | b'/' => {
                all_digits(xw.split([':', '/']).next_back().unwrap_or(""))
                    && all_digits(yw)
                    && xw.as_bytes()[0].is_ascii_digit()
            }
            b'&' => {
                xw.len() <= 3
                    && yw.len() <= 3
                    && xw.bytes().all(|c| c.is_ascii_uppercase())
                    && yw.as_bytes()[0].is_ascii_uppercase()
            }
            _ => false,
        };
        if ok {
            self.out.truncate(n - 1);
            self.extend_last(e);
        }
        ok
    }

    /// At an '@' segment starting at `at`: an e-mail address made of the
    /// adjacent tokens before it and the domain after it.
    fn email(&mut self, at: usize) -> Option<usize> {
        let mut k = self.out.len();
        let mut start = at;
        while k > self.base {
            let t = self.out[k - 1];
            if t.end != start || !self.bytes[t.start..t.end].iter().all(|&c| is_local_byte(c)) {
                break;
            }
            start = t.start;
            k -= 1;
        }
        if start == at {
            return None;
        }
        let rest = &self.bytes[at + 1..];
        let mut d = rest
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || c == b'.' || c == b'-'))
            .unwrap_or(rest.len());
        while d > 0 && matches!(rest[d - 1], b'.' | b'-') {
            d -= 1;
        }
        let domain = &rest[..d];
        let dot = domain.iter().rposition(|&c| c == b'.')?;
        let tld = &domain[dot + 1..];
        if dot == 0
            || !domain[0].is_ascii_alphanumeric()
            || tld.len() < 2
            || !tld.iter().all(u8::is_ascii_alphabetic)
        {
            return None;
        }
        let end = at + 1 + d;
        self.out.truncate(k);
        self.push(start, end);
        Some(end)
    }
}

fn is_local_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

fn starts_alphanumeric(text: &str, s: usize) -> bool {
    let b = text.as_bytes()[s];
    if b < 0x80 {
        b.is_ascii_alphanumeric()
    } else {
        text[s..].chars().next().is_some_and(char::is_alphanumeric)
    }
}

/// Where a clitic (`'s`, `n't`, `'re`, `'ve`, `'ll`, `'d`, `'m`, with a straight
/// or curly apostrophe) starts at the end of the word `[s, e)`, if the word has
/// something before it.
fn clitic_start(bytes: &[u8], s: usize, e: usize) -> Option<usize> {
    let w = &bytes[s..e];
    if w.len() < 3 {
        return None;
    }
    let tail = &w[w.len().saturating_sub(6)..];
    if !tail.iter().any(|&c| c == b'\'' || c == 0x99) {
        return None;
    }
    // Position of an apostrophe ending just before `k` (its start), if any.
    let apostrophe_before = |k: usize| -> Option<usize> {
        if k >= 1 && w[k - 1] == b'\'' {
            Some(k - 1)
        } else if k >= 3 && w[k - 3..k] == [0xE2, 0x80, 0x99] {
            Some(k - 3)
        } else {
            None
        }
    };
    let lower = |c: u8| c.to_ascii_lowercase();
    let n = w.len();
    // n't
    if lower(w[n - 1]) == b't' {
        if let Some(a) = apostrophe_before(n - 1) {
            if a >= 2 && lower(w[a - 1]) == b'n' {
                return Some(s + a - 1);
            }
        }
    }
    for suffix in [&b"s"[..], b"d", b"m", b"re", b"ve", b"ll"] {
        let k = n - suffix.len();
        if k >= 2 && w[k..].iter().zip(suffix).all(|(&c, &x)| lower(c) == x) {
            if let Some(a) = apostrophe_before(k) {
                if a >= 1 {
                    return Some(s + a);
                }
            }
        }
    }
    None
}

/// The end of a URL starting at byte `s`, if one starts there.
pub fn url_end(text: &str, s: usize) -> Option<usize> {
    let rest = &text.as_bytes()[s..];
    let prefix = ["https://", "http://", "ftp://", "www."]
        .into_iter()
        .find(|p| rest.len() > p.len() && rest[..p.len()].eq_ignore_ascii_case(p.as_bytes()))?;
    if s > 0 {
        // Not inside a word ("awww.").
        let before = text[..s].chars().next_back().unwrap_or(' ');
        if before.is_alphanumeric() {
            return None;
        }
    }
    let mut end = s + prefix.len();
    for (i, c) in text[end..].char_indices() {
        if c.is_whitespace()
            || matches!(
                c,
                '<' | '>' | '"' | '“' | '”' | '‘' | '«' | '»' | '\u{200B}' | '\u{FEFF}'
            )
        {
            break;
        }
        end = s + prefix.len() + i + c.len_utf8();
    }
    // Trim trailing punctuation and unbalanced closing brackets.
    let bytes = text.as_bytes();
    loop {
        if end <= s + prefix.len() {
            return None;
        }
        let c = text[..end].chars().next_back().unwrap_or(' ');
        let drop = match c {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '’' | '*' => true,
            ')' | ']' | '}' => {
                let (open, close) = match c {
                    ')' => (b'(', b')'),
                    ']' => (b'[', b']'),
                    _ => (b'{', b'}'),
                };
                let u = &bytes[s..end];
                u.iter().filter(|&&b| b == open).count() < u.iter().filter(|&&b| b == close).count()
            }
            _ => false,
        };
        if !drop {
            break;
        }
        end -= c.len_utf8();
    }
    let body = &text[s + prefix.len()..end];
    if prefix == "www." && !body.contains('.') {
        return None;
    }
    if !body.chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    Some(end)
}

/// What kind of abbreviation a word is (without its final dot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Abbrev {
    /// `Mr`, `Dr`, `Gen`: never ends a sentence.
    Title,
    /// `Jan`, `Sept`: never ends a sentence.
    Month,
    /// `No` before a number.
    Numero,
    /// `Inc`, `U.S`, `etc`, `F`: ends a sentence before a common opener.
    Other,
}

fn abbreviation_kind(w: &str) -> Option<Abbrev> {
    let kind = match w {
        "Mr" | "Mrs" | "Ms" | "Messrs" | "Mme" | "Mlle" | "Dr" | "Prof" | "Sr" | "Jr" | "St"
        | "Mt" | "Ft" | "Gen" | "Gov" | "Sen" | "Rep" | "Rev" | "Hon" | "Lt" | "Col" | "Maj"
        | "Capt" | "Cmdr" | "Cdr" | "Sgt" | "Adm" | "Brig" | "Cpl" | "Pvt" | "Supt" | "Insp"
        | "Det" | "Pres" | "Gov't" | "Fr" | "Msgr" | "Sens" | "Reps" => Abbrev::Title,
        "Jan" | "Feb" | "Mar" | "Apr" | "Jun" | "Jul" | "Aug" | "Sep" | "Sept" | "Oct" | "Nov"
        | "Dec" => Abbrev::Month,
        "No" | "Nos" | "no" | "nos" => Abbrev::Numero,
        "Inc" | "Corp" | "Ltd" | "Co" | "Bros" | "Cos" | "Assn" | "Dept" | "Univ" | "Ave"
        | "Blvd" | "Rd" | "Hwy" | "etc" | "vs" | "approx" | "est" | "cf" | "al" | "fig" | "Fig"
        | "vol" | "Vol" | "pp" | "ed" | "eds" | "Ed" | "Eds" | "min" | "max" | "Calif" | "Mass"
        | "Penn" | "Fla" | "Ariz" | "Conn" | "Ill" | "Mich" | "Minn" | "Tenn" | "Wash" | "Wis"
        | "Colo" | "Okla" | "Ore" => Abbrev::Other,
        _ => {
            let b = w.as_bytes();
            if b.is_empty() {
                return None;
            }
            // A single capital initial: "F" (any script).
            let mut cs = w.chars();
            let c0 = cs.next()?;
            if cs.next().is_none() {
                return c0.is_uppercase().then_some(Abbrev::Other);
            }
            // Dotted letters: "U.S", "e.g", "a.m", "Ph.D" (parts of 1-3 letters).
            if !b.contains(&b'.') || b.len() > 16 {
                return None;
            }
            let ok = w.split('.').all(|p| {
                !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_alphabetic())
            });
            return ok.then_some(Abbrev::Other);
        }
    };
    Some(kind)
}

/// Whether `word` is a person's title with its period (`Mr.`, `Dr.`,
/// `Gen.`): the titles of [`abbreviation_kind`] but those of places
/// (`St.`, `Mt.`, `Ft.`) and name suffixes (`Jr.`, `Sr.`). CoNLL and
/// OntoNotes leave it out of the name it comes before.
pub fn is_personal_title(word: &str) -> bool {
    word.strip_suffix('.').is_some_and(|w| {
        !matches!(w, "St" | "Mt" | "Ft" | "Jr" | "Sr" | "Gov't")
            && matches!(abbreviation_kind(w), Some(Abbrev::Title))
    })
}

/// The index of the token that starts exactly at byte `b`, if any.
pub fn starting_at(tokens: &[Token], b: usize) -> Option<usize> {
    tokens.binary_search_by(|t| t.start.cmp(&b)).ok()
}

/// The index of the token that ends exactly at byte `b`, if any.
pub fn ending_at(tokens: &[Token], b: usize) -> Option<usize> {
    tokens.binary_search_by(|t| t.end.cmp(&b)).ok()
}

/// The index of the first token that starts at or after byte `b`.
pub fn first_at_or_after(tokens: &[Token], b: usize) -> usize {
    tokens.partition_point(|t| t.start < b)
}

/// Widens the byte range `[start, end)` to the edges of the tokens it touches;
/// `None` when it touches no token (only whitespace). A collapsed selection
/// (`start == end`) snaps to the token containing byte `start` (a caret just
/// before a word selects that word). Reversed ranges are taken in order.
/// `O(log n)`: tokens are sorted.
pub fn snap(tokens: &[Token], start: usize, end: usize) -> Option<(usize, usize)> {
    let (start, end) = if start <= end {
        (start, end)
    } else {
        (end, start)
    };
    let end = end.max(start + 1);
    let first = tokens.partition_point(|t| t.end <= start);
    let t0 = tokens.get(first)?;
    if t0.start >= end {
        return None;
    }
    let last = tokens.partition_point(|t| t.start < end) - 1;
    Some((t0.start, tokens[last].end))
}

#[cfg(test)]
mod tests {

    #[test]
    fn personal_titles_are_those_before_a_persons_name() {
        for t in [
            "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Gen.", "Sen.", "Capt.",
        ] {
            assert!(is_personal_title(t), "{t}");
        }
        for t in ["Mr", "St.", "Mt.", "Jr.", "Inc.", "U.S.", "Smith.", "Dec."] {
            assert!(!is_personal_title(t), "{t}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    fn toks(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| t.text(text)).collect()
    }

    fn check_invariants(text: &str, tokens: &[Token]) {
        let mut prev_end = 0;
        for t in tokens {
            assert!(t.start < t.end, "empty token {t:?} in {text:?}");
            assert!(t.start >= prev_end, "overlap/unsorted at {t:?} in {text:?}");
            assert!(
                text.is_char_boundary(t.start) && text.is_char_boundary(t.end),
                "{t:?} in {text:?}"
            );
            let s = t.text(text);
            assert!(
                !s.chars().next().unwrap().is_whitespace(),
                "token starts with whitespace {s:?}"
            );
            assert!(!s.chars().all(is_blank), "blank token {s:?}");
            prev_end = t.end;
        }
        let ss = sentences(text, tokens);
        let mut next = 0;
        for r in &ss {
            assert_eq!(r.start, next, "sentences must be contiguous in {text:?}");
            assert!(r.start < r.end, "empty sentence in {text:?}");
            next = r.end;
        }
        assert_eq!(
            next,
            tokens.len(),
            "sentences must cover all tokens in {text:?}"
        );
    }

    #[test]
    fn table_of_tricky_tokens() {
        let cases: &[(&str, &[&str])] = &[
            (
                "Mr. Smith met Dr. Jones.",
                &["Mr.", "Smith", "met", "Dr.", "Jones", "."],
            ),
            (
                "the U.S. and the U.K.",
                &["the", "U.S.", "and", "the", "U.K."],
            ),
            (
                "Apple Inc. and Acme Corp. said",
                &["Apple", "Inc.", "and", "Acme", "Corp.", "said"],
            ),
            (
                "on Jan. 5, e.g. today",
                &["on", "Jan.", "5", ",", "e.g.", "today"],
            ),
            ("John F. Kennedy", &["John", "F.", "Kennedy"]),
            ("i.e. this", &["i.e.", "this"]),
            ("at 10 a.m. sharp", &["at", "10", "a.m.", "sharp"]),
            (
                "No. 10 and said no.",
                &["No.", "10", "and", "said", "no", "."],
            ),
            (
                "2,500 people, 1.5 and 3.14",
                &["2,500", "people", ",", "1.5", "and", "3.14"],
            ),
            ("$1.5 billion", &["$", "1.5", "billion"]),
            ("50% of £3m", &["50", "%", "of", "£", "3m"]),
            (
                "at 10:30 on 2024-05-01",
                &["at", "10:30", "on", "2024-05-01"],
            ),
            ("open 24/7 in 1990-91", &["open", "24/7", "in", "1990-91"]),
            (
                "Jean-Pierre of Hewlett-Packard",
                &["Jean-Pierre", "of", "Hewlett-Packard"],
            ),
            (
                "a state-of-the-art U.S.-led plan",
                &["a", "state-of-the-art", "U.S.-led", "plan"],
            ),
            (
                "Apple's and Reuters’s",
                &["Apple", "'s", "and", "Reuters", "’s"],
            ),
            (
                "don't can't won’t",
                &["do", "n't", "ca", "n't", "wo", "n’t"],
            ),
            (
                "we're I'm they've she'll I'd",
                &[
                    "we", "'re", "I", "'m", "they", "'ve", "she", "'ll", "I", "'d",
                ],
            ),
            ("O'Neill's", &["O'Neill", "'s"]),
            (
                "\"Yes,\" he said.",
                &["\"", "Yes", ",", "\"", "he", "said", "."],
            ),
            (
                "“Yes” (no) [x] ‘y’",
                &[
                    "“", "Yes", "”", "(", "no", ")", "[", "x", "]", "‘", "y", "’",
                ],
            ),
            (
                "AT&T and S&P but rock & roll",
                &["AT&T", "and", "S&P", "but", "rock", "&", "roll"],
            ),
            ("wait... what -- no", &["wait", "...", "what", "--", "no"]),
            (
                "see https://example.com/a?b=1&c=(2). Then",
                &["see", "https://example.com/a?b=1&c=(2)", ".", "Then"],
            ),
            ("(www.reuters.com)", &["(", "www.reuters.com", ")"]),
            (
                "mail j.smith+x@mail.co.uk.",
                &["mail", "j.smith+x@mail.co.uk", "."],
            ),
            ("@user and a@b", &["@", "user", "and", "a", "@", "b"]),
            ("👨‍👩‍👧 🇩🇪🇫🇷 👍🏽x", &["👨‍👩‍👧", "🇩🇪", "🇫🇷", "👍🏽", "x"]),
            ("a\r\n\r\nb \t c", &["a", "b", "c"]),
            ("Zoë e\u{301}x", &["Zoë", "e\u{301}x"]),
            ("a \u{301}b", &["a", "\u{301}", "b"]),
            ("\u{FEFF}Hi\u{200B} there", &["Hi", "there"]),
            ("1990s '90s 21st", &["1990s", "'", "90s", "21st"]),
            ("-5 degrees", &["-", "5", "degrees"]),
        ];
        for (text, want) in cases {
            assert_eq!(&toks(text), want, "tokenizing {text:?}");
            check_invariants(text, &tokenize(text));
        }
    }

    #[test]
    fn snap_widens_to_token_edges() {
        let text = "Angela Merkel  visited Paris.";
        let t = tokenize(text);
        assert_eq!(snap(&t, 2, 9), Some((0, 13))); // "gela Me" -> "Angela Merkel"
        assert_eq!(snap(&t, 0, 6), Some((0, 6)));
        assert_eq!(snap(&t, 3, 3), Some((0, 6))); // caret inside a word
        assert_eq!(snap(&t, 7, 7), Some((7, 13))); // caret at a word's start
        assert_eq!(snap(&t, 13, 15), None); // only whitespace
        assert_eq!(snap(&t, 14, 14), None);
        assert_eq!(snap(&t, 13, 16), Some((15, 22)));
        assert_eq!(snap(&t, 9, 2), Some((0, 13))); // reversed
        assert_eq!(snap(&t, 23, 29), Some((23, 29)));
        assert_eq!(snap(&t, 29, 29), None); // past the end
        assert_eq!(snap(&t, 100, 200), None);
        assert_eq!(snap(&[], 0, 5), None);
    }

    #[test]
    fn helpers_find_token_edges() {
        let text = "in New York.";
        let t = tokenize(text);
        assert_eq!(starting_at(&t, 3), Some(1));
        assert_eq!(starting_at(&t, 4), None);
        assert_eq!(ending_at(&t, 11), Some(2));
        assert_eq!(first_at_or_after(&t, 4), 2);
    }

    #[test]
    fn url_edges() {
        assert_eq!(url_end("http://x.org/a_(b)),", 0), Some(18));
        assert_eq!(url_end("www.", 0), None);
        assert_eq!(url_end("wwwx", 0), None);
        assert_eq!(url_end("https://", 0), None);
        assert_eq!(url_end("https://.", 0), None);
        assert_eq!(url_end("awww.x.com", 1), None);
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Mr.".to_string()),
            Just("U.S.".to_string()),
            Just(". ".to_string()),
            Just("\r\n".to_string()),
            Just("\n\n".to_string()),
            Just("\u{200D}".to_string()),
            Just("\u{301}".to_string()),
            Just("👨‍👩‍👧".to_string()),
            Just("🇩🇪".to_string()),
            Just("😀".to_string()),
            Just("'s".to_string()),
            Just("n't".to_string()),
            Just("’".to_string()),
            Just("-".to_string()),
            Just("@".to_string()),
            Just("http://".to_string()),
            Just("www.".to_string()),
            Just(":".to_string()),
            Just("&".to_string()),
            Just("\"".to_string()),
            Just("。".to_string()),
            Just("\u{FEFF}".to_string()),
            "[a-zA-Z0-9]{1,6}",
            "[ .,;:!?()\\-'/@&]{1,3}",
            any::<char>().prop_map(String::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]

        #[test]
        fn any_pieces_keep_invariants(parts in prop::collection::vec(piece(), 0..40)) {
            let text: String = parts.concat();
            let t = tokenize(&text);
            check_invariants(&text, &t);
        }

        #[test]
        fn any_string_keeps_invariants(text in any::<String>()) {
            let t = tokenize(&text);
            check_invariants(&text, &t);
        }

        #[test]
        fn snap_lands_on_token_edges(parts in prop::collection::vec(piece(), 1..20), a in 0usize..200, b in 0usize..200) {
            let text: String = parts.concat();
            let t = tokenize(&text);
            if let Some((s, e)) = snap(&t, a, b) {
                prop_assert!(t.iter().any(|x| x.start == s));
                prop_assert!(t.iter().any(|x| x.end == e));
                prop_assert!(s < e);
                let (lo, hi) = (a.min(b), a.max(b).max(a.min(b) + 1));
                // Linear reference: the tokens the range touches.
                let touched: Vec<_> = t.iter().filter(|x| x.end > lo && x.start < hi).collect();
                prop_assert_eq!(Some((touched[0].start, touched[touched.len() - 1].end)), Some((s, e)));
            } else {
                let (lo, hi) = (a.min(b), a.max(b).max(a.min(b) + 1));
                prop_assert!(!t.iter().any(|x| x.end > lo && x.start < hi));
            }
        }
    }
}
