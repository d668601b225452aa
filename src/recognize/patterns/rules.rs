//! The pattern stage's rules, as regular expressions. Read only by the
//! crate's build script (`build.rs`), which compiles them into the DFA the
//! stage searches with and lists each rule's group, label and score for it;
//! so this file uses nothing but `std`, and is not a module of the crate.

/// One rule: its group name, label, score and regular expression.
pub struct Rule {
    pub group: &'static str,
    pub label: &'static str,
    pub score: f32,
    pub body: String,
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

/// Every rule, in priority order: where two match at one start, the one
/// listed first wins.
pub fn rules() -> Vec<Rule> {
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
    // Also in capitals: headlines ("RECALLS 2 MILLION CARS").
    let scale = "(?i:thousand|million|billion|trillion)";
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
            // Only the opening: `tokenize::url_end` finds the end.
            r"(?:[Hh]ttps?://|HTTPS?://|[Ff]tp://|[Ww]ww\.|WWW\.)".to_string(),
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
                r"{B}(?:(?:{rel})\s(?:{period}|{weekday}|{month})|(?:the\s)?(?:past|last|next|coming|previous)\s(?:few|several|{dur_num})\s(?:days|weeks|months|years|decades)|{dur_num}\s(?:days?|weeks?|months?|years?|decades?)\sago|(?:[Yy]esterday|[Tt]oday|[Tt]omorrow)|(?:fiscal|[Ff]iscal)\s{year}|[Qq][1-4]\s{year}|(?:[Tt]he\s)?(?:first|second|third|fourth|final|last)\s(?:quarter|half)(?:\sof\s(?:{year}|the\syear|this\syear|last\syear|next\syear)|\s{year})?){B}"
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
