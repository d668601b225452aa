//! The `Patterns` stage: regular expressions for DATE, TIME, MONEY, PERCENT,
//! QUANTITY, CARDINAL, ORDINAL, EMAIL and URL.
//!
//! All rules are the patterns of one multi-pattern regex (regex-automata's
//! meta regex, the engine under the `regex` crate), compiled once in
//! [`Patterns::new`]. Its lazy DFA finds the next match in a single pass over
//! the text and says which pattern matched (leftmost-first: at one start, the
//! rule listed first wins, so `20 million euros` is MONEY before it can be
//! CARDINAL), exactly as an alternation of the rules would. (Naming the rule
//! with capture groups instead runs a backtracking engine over every match:
//! that was a third of this stage's time; a separate `RegexSet` would double
//! the compile time, which the page pays before its first highlight.)
//! Word boundaries are ASCII (`(?-u:\b)`) and digits `[0-9]`, which keeps the
//! DFA small and fast; the words matched are English.
//!
//! A match is kept only if it starts and ends on token edges (so `5 kg` is not
//! found inside `15 kg-bags`). Two matches are checked in code: a bare `May`
//! is a DATE only after a preposition ("in May", not "Theresa May"), and a
//! bare year (`1998`) is a DATE after a preposition or before punctuation,
//! else a CARDINAL ("2000 people").

use super::{Candidate, Context, EdgeCursor, Stage, PRIORITY_RULE};
use crate::doc::Source;
use crate::tokenize;
use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_automata::MatchKind;

/// One rule: its group name, label and score.
struct Rule {
    group: &'static str,
    label: &'static str,
    score: f32,
    body: String,
}

/// The regex-rule stage. Build once; `Send + Sync`.
pub struct Patterns {
    /// All rules, pattern `i` being rule `i`.
    re: Regex,
    /// Group name, label and score of each rule, in rule order.
    rules: Vec<(&'static str, &'static str, f32)>,
}

impl Default for Patterns {
    fn default() -> Self {
        Patterns::new()
    }
}

/// `word|Word` for each word (a capitalised form for sentence starts).
fn words(list: &[&str]) -> String {
    let mut v: Vec<String> = Vec::new();
    for w in list {
        v.push(w.to_string());
        let mut cs = w.chars();
        if let Some(c) = cs.next() {
            if c.is_ascii_lowercase() {
                v.push(format!("{}{}", c.to_ascii_uppercase(), cs.as_str()));
            }
        }
    }
    // Longer first, so that an alternation prefers "sixteen" to "six".
    v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    v.join("|")
}

const B: &str = r"(?-u:\b)";

fn rules() -> Vec<Rule> {
    let num = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?";
    let units = words(&[
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ]);
    let wordnum_list = [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "a hundred",
        "a thousand",
        "dozen",
        "a dozen",
        "dozens",
        "hundreds",
        "thousands",
        "millions",
    ];
    let wordnum = format!("(?:(?:{})(?:-(?:{units}))?)", words(&wordnum_list));
    let scale = "(?:thousand|million|billion|trillion)";
    let short_scale = "(?:bn|mn|tn|m|k|b)";
    let month = format!(
        r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December){B}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)"
    );
    let weekday = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
    let day = "(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?";
    let year = "(?:1[5-9][0-9]{2}|20[0-9]{2})";
    let period = "(?:week|month|year|weekend|decade|century|quarter|season|spring|summer|autumn|fall|winter)";
    let ampm = format!(r"(?:[ap]\.m\.|(?:[ap]m|[AP]M){B})");
    let zone = format!(r"(?:\s(?:GMT|UTC|EST|EDT|CST|CDT|PST|PDT|CET|CEST|BST){B})?");
    let currency_words = "(?:dollars?|euros?|pounds?(?:\\ssterling)?|sterling|yen|yuan|renminbi|francs?|marks?|rupees?|pesos?|roubles?|rubles?|cents?|pence|dinars?|rand|lira|liras|kronor|kroner|krona|krone|reais|real|shekels?|ringgit|baht|won|USD|EUR|GBP|JPY|CHF|CNY)";
    let currency_sign =
        "(?:(?:US|A|C|NZ|HK|S|R)\\$|\\$|€|£|¥|₹|₩|₽|(?:USD|EUR|GBP|JPY|CHF|CNY)\\s?)";
    let unit = "(?:km|kilometres?|kilometers?|miles?|metres?|meters?|cm|mm|centimetres?|centimeters?|millimetres?|millimeters?|feet|foot|ft|inches|inch|yards?|kg|kilograms?|kilos?|grams?|tonnes?|tons?|lbs?|ounces?|oz|litres?|liters?|gallons?|barrels?|bpd|acres?|hectares?|sq\\s(?:km|miles?|ft|metres?|meters?)|square\\s(?:kilometres?|kilometers?|miles?|metres?|meters?|feet)|cubic\\s(?:metres?|meters?|feet)|degrees?(?:\\s(?:Celsius|Fahrenheit|C|F))?|mph|km/h|kph|knots?|MW|GW|kW|kWh|megawatts?|gigawatts?|calories|megabytes?|gigabytes?|MB|GB|TB|light\\syears?)";
    let ordinal_words = words(&[
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
        "twentieth",
        "thirtieth",
        "fortieth",
        "fiftieth",
        "hundredth",
        "thousandth",
        "millionth",
    ]);
    let tens_ordinal = format!(
        "(?:{})-(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)",
        words(&["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
    );
    let rel = words(&["last", "next", "this", "early", "late", "earlier", "later"]);
    let dur_num = format!("(?:[0-9]+|{wordnum}|a|an)");

    let r = |group, label, score, body: String| Rule {
        group,
        label,
        score,
        body,
    };
    vec![
        r(
            "email",
            "EMAIL",
            0.99,
            format!(
                r"{B}[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{{2,}}{B}"
            ),
        ),
        r(
            "url",
            "URL",
            0.99,
            r#"(?:[Hh]ttps?://|HTTPS?://|[Ff]tp://|[Ww]ww\.|WWW\.)[^\s<>"“”‘«»]+"#.to_string(),
        ),
        r(
            "date_iso",
            "DATE",
            0.95,
            format!(r"{B}[12][0-9]{{3}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]){B}"),
        ),
        r(
            "date_full",
            "DATE",
            0.9,
            format!(
                r"(?:(?:{weekday},?\s)?{B}{day}\s(?:of\s)?{month}(?:,?\s{year}{B})?|(?:{weekday},?\s)?{month}\s{day}{B}(?:,?\s{year}{B})?|{month}\s{year}{B})"
            ),
        ),
        r(
            "date_rel",
            "DATE",
            0.75,
            format!(
                r"{B}(?:(?:{rel})\s(?:{period}|{weekday}|{month})|(?:the\s)?(?:past|last|next|coming|previous)\s(?:few|several|{dur_num})\s(?:days|weeks|months|years|decades)|{dur_num}\s(?:days?|weeks?|months?|years?|decades?)\sago|(?:[Yy]esterday|[Tt]oday|[Tt]omorrow)|(?:fiscal|[Ff]iscal)\s{year}|[Qq][1-4]\s{year}){B}"
            ),
        ),
        r(
            "date_decade",
            "DATE",
            0.85,
            format!(
                r"(?:(?:[Tt]he\s)?(?:(?:mid-|early\s|late\s)?{B}1[5-9][0-9]0s|{B}20[0-9]0s|'[0-9]0s){B})"
            ),
        ),
        r(
            "time",
            "TIME",
            0.9,
            format!(
                r"{B}(?:(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?(?:\s?{ampm})?{zone}|(?:1[0-2]|[1-9])\s?{ampm}{zone}|(?:[1-9]|1[0-2])\so'clock{B}|(?:[Nn]oon|[Mm]idnight|[Tt]onight|(?:[Ll]ast|[Tt]his)\s(?:night|morning|afternoon|evening)){B})"
            ),
        ),
        r("weekday", "DATE", 0.8, format!(r"{B}{weekday}{B}")),
        r("month", "DATE", 0.6, format!(r"{B}{month}")),
        r(
            "money",
            "MONEY",
            0.9,
            format!(
                r"{currency_sign}\s?(?:{num})(?:\s?{short_scale}{B}|\s{scale}{B}|-{scale}{B}|{B})(?:\s(?:dollars|euros))?|{B}(?:{num}|{wordnum})(?:\s{scale}|{short_scale})?\s(?:{currency_words}){B}"
            ),
        ),
        r(
            "percent",
            "PERCENT",
            0.95,
            format!(
                r"{B}(?:{num}|{wordnum})(?:\s?%|\s(?:percentage\spoints?|percent|per\scent|pct){B})"
            ),
        ),
        r(
            "quantity",
            "QUANTITY",
            0.85,
            format!(r"{B}(?:{num}|{wordnum})(?:\s{scale})?(?:\s|-)?(?:{unit}{B}|°[CF]?)"),
        ),
        r(
            "ordinal",
            "ORDINAL",
            0.75,
            format!(
                r"{B}(?:[0-9]*(?:1st|2nd|3rd|[04-9]th|1[1-3]th)|{tens_ordinal}|{ordinal_words}){B}"
            ),
        ),
        r("year", "DATE", 0.6, format!(r"{B}{year}{B}")),
        r(
            "cardinal",
            "CARDINAL",
            0.6,
            format!(
                r"{B}(?:(?:{num})(?:\s{scale}|{short_scale})?|{wordnum}(?:\s(?:hundred|{scale}))?){B}"
            ),
        ),
    ]
}

impl Patterns {
    pub fn new() -> Patterns {
        let rules = rules();
        let bodies: Vec<&str> = rules.iter().map(|r| r.body.as_str()).collect();
        // What `regex::Regex` configures (UTF-8 text, leftmost-first, its
        // NFA size limit), with a larger lazy-DFA cache for this many rules
        // and only the overall match of each rule kept (the rules' own groups
        // are never read; leaving them out makes a smaller NFA).
        let re = meta::Builder::new()
            .configure(
                meta::Config::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .utf8_empty(true)
                    .nfa_size_limit(Some(10 << 20))
                    .hybrid_cache_capacity(16 << 20)
                    .which_captures(WhichCaptures::Implicit),
            )
            .syntax(syntax::Config::new().utf8(true))
            .build_many(&bodies)
            .expect("the built-in patterns compile");
        let rules = rules.iter().map(|r| (r.group, r.label, r.score)).collect();
        Patterns { re, rules }
    }
}

/// Words after which a bare month or year is a date.
fn is_date_preposition(w: &str) -> bool {
    matches!(
        w,
        "in" | "In"
            | "on"
            | "since"
            | "Since"
            | "until"
            | "till"
            | "by"
            | "By"
            | "from"
            | "From"
            | "of"
            | "through"
            | "to"
            | "during"
            | "During"
            | "before"
            | "after"
            | "early"
            | "late"
            | "mid"
            | "mid-"
            | "last"
            | "next"
            | "this"
            | "and"
            | "or"
            | "between"
            | "end"
            | "Until"
            | "around"
    )
}

impl Stage for Patterns {
    fn name(&self) -> &'static str {
        "patterns"
    }

    fn priority(&self) -> i32 {
        PRIORITY_RULE
    }

    fn find(&self, cx: &Context, out: &mut Vec<Candidate>) {
        let text = cx.text;
        let mut edges = EdgeCursor::new(cx.tokens);
        for m in self.re.find_iter(text) {
            let (group, label, score) = self.rules[m.pattern().as_usize()];
            let start = m.start();
            let mut end = m.end();
            let mut label = label;
            let mut score = score;
            if group == "url" {
                match tokenize::url_end(text, start) {
                    Some(e) => end = e,
                    None => continue,
                }
            }
            let Some(first) = edges.starting_at(start) else {
                continue;
            };
            let Some(last) = edges.ending_at(end) else {
                continue;
            };
            let prev = first.checked_sub(1).map(|i| cx.word(i));
            match group {
                "month" if &text[start..end] == "May" && !prev.is_some_and(is_date_preposition) => {
                    continue;
                }
                "year" => {
                    let next = cx.tokens.get(last + 1).map(|t| t.text(text));
                    let before_punct = match next {
                        None => true,
                        Some(w) => !w.chars().next().is_some_and(char::is_alphanumeric),
                    };
                    if !(prev.is_some_and(is_date_preposition) || before_punct) {
                        label = "CARDINAL";
                        score = 0.5;
                    }
                }
                _ => {}
            }
            out.push(Candidate {
                start,
                end,
                label: label.to_string(),
                source: Source::Rule,
                score,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::{sentences, tokenize};

    fn found(text: &str) -> Vec<(String, &'static str)> {
        thread_local!(static P: Patterns = Patterns::new());
        let tokens = tokenize(text);
        let sents = sentences(text, &tokens);
        let cx = Context {
            text,
            tokens: &tokens,
            sentences: &sents,
        };
        let mut out = Vec::new();
        P.with(|p| p.find(&cx, &mut out));
        out.into_iter()
            .map(|c| {
                let label = match c.label.as_str() {
                    "DATE" => "DATE",
                    "TIME" => "TIME",
                    "MONEY" => "MONEY",
                    "PERCENT" => "PERCENT",
                    "QUANTITY" => "QUANTITY",
                    "CARDINAL" => "CARDINAL",
                    "ORDINAL" => "ORDINAL",
                    "EMAIL" => "EMAIL",
                    "URL" => "URL",
                    _ => "?",
                };
                (text[c.start..c.end].to_string(), label)
            })
            .collect()
    }

    fn has(text: &str, surface: &str, label: &str) {
        let f = found(text);
        assert!(
            f.iter().any(|(s, l)| s == surface && *l == label),
            "{surface:?} as {label} in {text:?}: found {f:?}"
        );
    }

    #[test]
    fn dates() {
        has(
            "The summit opens on 5 March 2024 in Geneva.",
            "5 March 2024",
            "DATE",
        );
        has(
            "It was signed March 5, 2024, in Paris.",
            "March 5, 2024",
            "DATE",
        );
        has("Filed 2024-03-05 by the court.", "2024-03-05", "DATE");
        has("Talks resume on Monday.", "Monday", "DATE");
        has("Prices rose last week.", "last week", "DATE");
        has("Growth slowed in the 1990s.", "the 1990s", "DATE");
        has("Sales fell in March.", "March", "DATE");
        has("It ends on Jan. 5 at noon.", "Jan. 5", "DATE");
        has("The vote is due in May.", "May", "DATE");
        has("She was elected in 1998.", "1998", "DATE");
        has(
            "Shares rose 5 percent on Tuesday, Oct. 3, 2023.",
            "Tuesday, Oct. 3, 2023",
            "DATE",
        );
        has("He left three years ago.", "three years ago", "DATE");
        has("Results for fiscal 2024 are out.", "fiscal 2024", "DATE");
    }

    #[test]
    fn may_the_name_is_not_a_date() {
        let f = found("Prime Minister Theresa May spoke.");
        assert!(f.is_empty(), "{f:?}");
        has("About 2000 people marched.", "2000", "CARDINAL");
    }

    #[test]
    fn times() {
        has(
            "The market opens at 10:30 a.m. in New York.",
            "10:30 a.m.",
            "TIME",
        );
        has("We meet at 3 pm sharp.", "3 pm", "TIME");
        has("Lunch is at noon.", "noon", "TIME");
        has("The blast came at 14:05 GMT.", "14:05 GMT", "TIME");
        has("He spoke last night.", "last night", "TIME");
    }

    #[test]
    fn money() {
        has("The deal is worth $1.5 billion.", "$1.5 billion", "MONEY");
        has("Tickets cost €20 each.", "€20", "MONEY");
        has(
            "A fine of 20 million euros was set.",
            "20 million euros",
            "MONEY",
        );
        has("It raised £3m last year.", "£3m", "MONEY");
        has("The bid was US$5 per share.", "US$5", "MONEY");
        has("It sold for 300 dollars.", "300 dollars", "MONEY");
        has("Costs hit $2bn.", "$2bn", "MONEY");
    }

    #[test]
    fn percent_quantity_numbers() {
        has("Inflation hit 12% in June.", "12%", "PERCENT");
        has("Inflation hit 12 percent.", "12 percent", "PERCENT");
        has("Rates rose 3.5 per cent.", "3.5 per cent", "PERCENT");
        has("The road is 30 km long.", "30 km", "QUANTITY");
        has("A bag of 5 kg was found.", "5 kg", "QUANTITY");
        has("They walked 200 miles.", "200 miles", "QUANTITY");
        has("Exports of 12 tonnes of gold.", "12 tonnes", "QUANTITY");
        has("Some 2,500 people came.", "2,500", "CARDINAL");
        has("Only three people came.", "three", "CARDINAL");
        has("About 1.5 million people voted.", "1.5 million", "CARDINAL");
        has("It is the first time.", "first", "ORDINAL");
        has("The 21st century began.", "21st", "ORDINAL");
        has("Twenty-five people died.", "Twenty-five", "CARDINAL");
    }

    #[test]
    fn email_and_url() {
        has(
            "Write to press@example.org today.",
            "press@example.org",
            "EMAIL",
        );
        has(
            "See https://example.com/news?id=5. Then leave.",
            "https://example.com/news?id=5",
            "URL",
        );
        has("(www.example.co.uk)", "www.example.co.uk", "URL");
    }

    #[test]
    fn matches_stay_on_token_edges() {
        let f = found("In 15kg-bags and X5kg and 3.5.6");
        for (s, _) in &f {
            assert!(!s.is_empty());
        }
        assert!(!f.iter().any(|(s, _)| s == "5kg"), "{f:?}");
        assert!(found("Elections in Ma").is_empty());
    }
}
