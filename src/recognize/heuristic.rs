//! The `Heuristic` stage: PER / ORG / LOC / MISC guesses on runs of
//! capitalised tokens (`Source::Model`), a self-contained stand-in until a
//! trained model replaces it.
//!
//! Per sentence, a *run* is a maximal sequence of capitalised tokens, joined
//! across name particles (`de`, `van`, `von der`, ...), `&` (`Procter & Gamble`)
//! and `of` after an organisation or place word (`Bank of England`). A run is
//! cut into *segments* at titles (`President`, `Mr.`, `Chancellor`, which are
//! dropped) and at nationality words at its start (`German`, unless the segment
//! ends like an organisation: `German Football Association`). Each segment
//! loses leading common words (`The`, `However`, months, weekdays), then is
//! classified by the first rule that applies:
//!
//! | evidence                                              | label | score |
//! |-------------------------------------------------------|-------|-------|
//! | ends with an organisation word (`Inc.`, `Bank`, ...) | ORG   | 0.7   |
//! | follows a title (`President Joe Biden`)              | PER   | 0.8   |
//! | ends with a place word (`River`, `Street`)            | LOC   | 0.6   |
//! | starts with a known first name                        | PER   | 0.75  |
//! | a dateline (`BERLIN (Reuters) -`)                     | LOC   | 0.6   |
//! | after `in`, `from`, `near`, ... (`in Ruritania`)      | LOC   | 0.5   |
//! | followed by `said`, `told`, ... (1-3 tokens)          | PER   | 0.5   |
//! | an acronym of 2-5 capitals (`ACME`), not a common one | ORG   | 0.4   |
//! | 2-3 unknown words mid-sentence, none a known place    | PER   | 0.3   |
//!
//! A single word at the start of a sentence with no evidence is not tagged
//! (it is usually just a capitalised common word). Finally, document memory:
//! a single unlabelled word that is the last word of a person found elsewhere
//! in the text (`Merkel` after `Angela Merkel`), or the name part of an
//! organisation (`Acme` after `Acme Corp.`), gets that label (score 0.6).
//! Sentences that are mostly capitals (headlines) get only the dateline rule.

use super::gazetteer::{COUNTRIES, DEMONYMS, PLACES, US_STATES};
use super::{Candidate, Context, Stage};
use crate::doc::Source;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: a fast hash for short words (the default SipHash is slower and
/// its flood resistance is not needed for fixed built-in keys).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

// Word classes (bit flags).
const TITLE: u32 = 1;
const ORG_WORD: u32 = 1 << 1;
const LOC_WORD: u32 = 1 << 2;
const FIRST_NAME: u32 = 1 << 3;
const COMMON: u32 = 1 << 4;
const CALENDAR: u32 = 1 << 5;
const DEMONYM: u32 = 1 << 6;
const PLACE: u32 = 1 << 7;
const NOT_ACRONYM: u32 = 1 << 8;
const LOC_PREP: u32 = 1 << 9;
const SPEECH: u32 = 1 << 10;
const PARTICLE: u32 = 1 << 11;
/// Words after which `of` joins a run (`Bank of`, `Gulf of`).
const OF_HEAD: u32 = 1 << 12;

/// The capitalised-run stage. Build once; `Send + Sync`.
pub struct Heuristic {
    words: FnvMap<&'static str, u32>,
}

impl Default for Heuristic {
    fn default() -> Self {
        Heuristic::new()
    }
}

impl Heuristic {
    pub fn new() -> Heuristic {
        let mut words: FnvMap<&'static str, u32> = FnvMap::default();
        let mut add = |list: &[&'static str], flag: u32| {
            for &w in list {
                *words.entry(w).or_insert(0) |= flag;
            }
        };
        add(TITLES, TITLE);
        add(ORG_WORDS, ORG_WORD);
        add(LOC_WORDS, LOC_WORD);
        add(FIRST_NAMES, FIRST_NAME);
        add(COMMON_WORDS, COMMON);
        add(CALENDAR_WORDS, CALENDAR);
        add(NOT_ACRONYMS, NOT_ACRONYM);
        add(LOC_PREPS, LOC_PREP);
        add(SPEECH_VERBS, SPEECH);
        add(PARTICLES, PARTICLE);
        add(OF_HEADS, OF_HEAD);
        for &p in DEMONYMS {
            if !p.contains(' ') {
                *words.entry(p).or_insert(0) |= DEMONYM;
            }
        }
        for &p in COUNTRIES.iter().chain(PLACES).chain(US_STATES) {
            for w in p.split(' ') {
                if w.chars().next().is_some_and(char::is_uppercase) {
                    *words.entry(w).or_insert(0) |= PLACE;
                }
            }
        }
        Heuristic { words }
    }

    fn flags(&self, w: &str) -> u32 {
        self.words.get(w).copied().unwrap_or(0)
    }
}

/// A token's shape, as far as runs are concerned.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Starts with an uppercase letter and has a lowercase one, or is an
    /// initial / dotted abbreviation (`F.`, `U.S.`).
    Cap,
    /// Only capitals (and digits, dots, hyphens), two letters or more.
    Upper,
    Other,
}

fn shape(w: &str) -> Shape {
    let mut chars = w.chars();
    let Some(c0) = chars.next() else {
        return Shape::Other;
    };
    if !c0.is_uppercase() {
        return Shape::Other;
    }
    let mut lower = false;
    let mut letters = 1;
    for c in chars {
        if c.is_lowercase() {
            lower = true;
            break;
        }
        if c.is_alphabetic() {
            letters += 1;
        } else if !(c.is_ascii_digit() || matches!(c, '.' | '-' | '&' | '\'' | '’')) {
            return Shape::Other;
        }
    }
    if lower || w.ends_with('.') || letters == 1 {
        Shape::Cap
    } else {
        Shape::Upper
    }
}

fn is_acronym(w: &str) -> bool {
    (2..=5).contains(&w.len())
        && w.bytes().all(|b| b.is_ascii_uppercase())
        && !w
            .bytes()
            .all(|b| matches!(b, b'I' | b'V' | b'X' | b'L' | b'C'))
}

struct Emit {
    first: usize,
    last: usize, // inclusive
    label: &'static str,
    score: f32,
}

impl Stage for Heuristic {
    fn name(&self) -> &'static str {
        "heuristic"
    }

    fn find(&self, cx: &Context, out: &mut Vec<Candidate>) {
        let t = self.classify(cx);
        let mut emitted: Vec<Emit> = Vec::new();
        // Single words left without a label: (token index) for document memory.
        let mut loose: Vec<usize> = Vec::new();
        for sent in cx.sentences {
            self.sentence(cx, &t, sent.start, sent.end, &mut emitted, &mut loose);
        }
        // Document memory.
        if !loose.is_empty() && !emitted.is_empty() {
            let mut memory: FnvMap<&str, &'static str> = FnvMap::default();
            for e in &emitted {
                if e.label == "PER" && e.last > e.first {
                    memory.entry(cx.word(e.last)).or_insert("PER");
                } else if e.label == "ORG" && e.last > e.first && t.flags[e.last] & ORG_WORD != 0 {
                    memory.entry(cx.word(e.first)).or_insert("ORG");
                }
            }
            for &i in &loose {
                if let Some(&label) = memory.get(cx.word(i)) {
                    emitted.push(Emit {
                        first: i,
                        last: i,
                        label,
                        score: 0.6,
                    });
                }
            }
        }
        for e in emitted {
            out.push(Candidate {
                start: cx.tokens[e.first].start,
                end: cx.tokens[e.last].end,
                label: e.label.to_string(),
                source: Source::Model,
                score: e.score,
            });
        }
    }
}

/// Shape and word classes of every token of a document, computed once. Word
/// classes are looked up only for capitalised tokens and their neighbours
/// (the only ones the rules ask about); other tokens get 0.
struct Tokens {
    shape: Vec<Shape>,
    flags: Vec<u32>,
}

impl Heuristic {
    fn classify(&self, cx: &Context) -> Tokens {
        let n = cx.tokens.len();
        let shape: Vec<Shape> = (0..n).map(|i| shape(cx.word(i))).collect();
        let mut flags = vec![0u32; n];
        for i in 0..n {
            let near_cap = shape[i] != Shape::Other
                || (i > 0 && shape[i - 1] != Shape::Other)
                || (i + 1 < n && shape[i + 1] != Shape::Other);
            if near_cap {
                flags[i] = self.flags(cx.word(i));
            }
        }
        Tokens { shape, flags }
    }

    #[allow(clippy::too_many_arguments)]
    fn sentence(
        &self,
        cx: &Context,
        t: &Tokens,
        s: usize,
        e: usize,
        emitted: &mut Vec<Emit>,
        loose: &mut Vec<usize>,
    ) {
        if s >= e {
            return;
        }
        // Headlines: mostly capitals.
        let (mut upper, mut wordy) = (0, 0);
        for i in s..e {
            match t.shape[i] {
                Shape::Upper => {
                    upper += 1;
                    wordy += 1
                }
                Shape::Cap => wordy += 1,
                Shape::Other => {
                    if cx.word(i).chars().next().is_some_and(char::is_alphabetic) {
                        wordy += 1;
                    }
                }
            }
        }
        let headline = wordy >= 3 && upper * 2 > wordy;
        // Dateline: "BERLIN (Reuters) -", "NEW YORK 1996-08-22".
        {
            let mut j = s;
            while j < e && t.shape[j] == Shape::Upper && cx.word(j).len() >= 3 {
                j += 1;
            }
            if j > s && j < e && j - s <= 3 {
                let next = cx.word(j);
                let dash = matches!(next, "-" | "--" | "–" | "—");
                if next == "(" || (dash && !headline) || next.as_bytes()[0].is_ascii_digit() {
                    emitted.push(Emit {
                        first: s,
                        last: j - 1,
                        label: "LOC",
                        score: 0.6,
                    });
                }
            }
        }
        if headline {
            return;
        }
        let mut i = s;
        while i < e {
            if t.shape[i] == Shape::Other {
                i += 1;
                continue;
            }
            // Grow a run [i, j).
            let mut j = i + 1;
            loop {
                if j < e && t.shape[j] != Shape::Other {
                    j += 1;
                    continue;
                }
                // A joiner followed by a capitalised word.
                if j + 1 < e && t.shape[j + 1] != Shape::Other {
                    let w = cx.word(j);
                    let f = t.flags[j];
                    let join = w == "&"
                        || (f & PARTICLE != 0)
                        || (w == "of" && t.flags[j - 1] & OF_HEAD != 0);
                    if join {
                        j += 2;
                        continue;
                    }
                }
                // "von der Leyen": two particles.
                if j + 2 < e
                    && t.flags[j] & PARTICLE != 0
                    && t.flags[j + 1] & PARTICLE != 0
                    && t.shape[j + 2] != Shape::Other
                {
                    j += 3;
                    continue;
                }
                break;
            }
            self.run(cx, t, s, e, i, j, emitted, loose);
            i = j;
        }
    }

    /// Splits the run `[a, b)` of sentence `[s, e)` into segments and classifies them.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        cx: &Context,
        t: &Tokens,
        s: usize,
        e: usize,
        a: usize,
        b: usize,
        emitted: &mut Vec<Emit>,
        loose: &mut Vec<usize>,
    ) {
        let prev_flags = if a > s { t.flags[a - 1] } else { 0 };
        let mut after_title = prev_flags & TITLE != 0;
        // Start of the titles just passed, within the run.
        let mut titles_from: Option<usize> = None;
        let mut k = a;
        while k < b {
            // Titles split the run and mark what follows as a person.
            if t.flags[k] & TITLE != 0 {
                after_title = true;
                titles_from.get_or_insert(k);
                k += 1;
                continue;
            }
            let mut m = k;
            while m < b && t.flags[m] & TITLE == 0 {
                m += 1;
            }
            match titles_from {
                // "General Electric": a "title" that starts an organisation name.
                Some(from) if t.flags[m - 1] & ORG_WORD != 0 => {
                    self.segment(cx, t, s, e, from, m, false, emitted, loose)
                }
                _ => self.segment(cx, t, s, e, k, m, after_title, emitted, loose),
            }
            after_title = false;
            titles_from = None;
            k = m;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn segment(
        &self,
        cx: &Context,
        t: &Tokens,
        s: usize,
        e: usize,
        mut a: usize,
        b: usize,
        after_title: bool,
        emitted: &mut Vec<Emit>,
        loose: &mut Vec<usize>,
    ) {
        // Leading common words, months and weekdays.
        while a < b && t.flags[a] & (COMMON | CALENDAR) != 0 {
            a += 1;
        }
        // Trailing particles or joiners left over.
        let mut b = b;
        while b > a && t.shape[b - 1] == Shape::Other {
            b -= 1;
        }
        if a >= b {
            return;
        }
        let last_flags = t.flags[b - 1];
        let org_end = last_flags & ORG_WORD != 0;
        // A leading nationality word stands alone unless the segment is an
        // organisation ("German Football Association").
        if !org_end && b - a > 1 && t.flags[a] & DEMONYM != 0 {
            a += 1;
            while a < b && t.flags[a] & (COMMON | CALENDAR | DEMONYM) != 0 {
                a += 1;
            }
            if a >= b {
                return;
            }
        }
        let n = b - a;
        let first = cx.word(a);
        let ff = t.flags[a];
        let sentence_start =
            a == s || (a > s && matches!(cx.word(a - 1), "\"" | "“" | "'" | "‘" | "(" | "-" | "—"));
        let prev = if a > s { t.flags[a - 1] } else { 0 };
        let next = if b < e { t.flags[b] } else { 0 };
        let all_flags = (a..b).fold(0, |acc, i| acc | t.flags[i]);
        let emit = |label, score, emitted: &mut Vec<Emit>| {
            emitted.push(Emit {
                first: a,
                last: b - 1,
                label,
                score,
            })
        };
        if org_end && (n > 1 || (shape(first) == Shape::Cap && !sentence_start)) {
            return emit("ORG", 0.7, emitted);
        }
        // "Bank of England", "Gulf of Aden": the word before "of" decides.
        if let Some(i) = (a..b - 1).find(|&i| cx.word(i + 1) == "of") {
            let f = t.flags[i];
            if f & ORG_WORD != 0 {
                return emit("ORG", 0.65, emitted);
            }
            if f & LOC_WORD != 0 {
                return emit("LOC", 0.6, emitted);
            }
        }
        if after_title {
            return emit("PER", 0.8, emitted);
        }
        if n > 1 && last_flags & LOC_WORD != 0 {
            return emit("LOC", 0.6, emitted);
        }
        if ff & FIRST_NAME != 0 && (n > 1 || !sentence_start || next & SPEECH != 0) {
            return emit("PER", 0.75, emitted);
        }
        if prev & LOC_PREP != 0 && n <= 3 && ff & DEMONYM == 0 {
            return emit("LOC", 0.5, emitted);
        }
        if next & SPEECH != 0
            && n <= 3
            && t.shape[a] == Shape::Cap
            && all_flags & (PLACE | DEMONYM) == 0
        {
            return emit("PER", 0.5, emitted);
        }
        if n == 1 && is_acronym(first) && ff & (NOT_ACRONYM | PLACE) == 0 {
            return emit("ORG", 0.4, emitted);
        }
        if (2..=3).contains(&n)
            && !sentence_start
            && all_flags & (PLACE | DEMONYM | CALENDAR | COMMON) == 0
        {
            return emit("PER", 0.3, emitted);
        }
        if n == 1 && ff & (PLACE | DEMONYM) == 0 {
            loose.push(a);
        }
    }
}

/// Titles and roles before a person's name (capitalised or not).
#[rustfmt::skip]
const TITLES: &[&str] = &[
    "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Miss", "Dr", "Dr.", "Prof", "Prof.", "Professor",
    "Sir", "Dame", "Lord", "Lady", "President", "president", "Vice", "Prime", "Minister",
    "minister", "Chancellor", "chancellor", "Secretary", "secretary", "Senator", "senator", "Sen.",
    "Rep.", "Representative", "Congressman", "Congresswoman", "Governor", "governor", "Gov.",
    "Mayor", "mayor", "Judge", "judge", "Justice", "King", "Queen", "Prince", "Princess", "Pope",
    "Cardinal", "Archbishop", "Bishop", "Rev.", "Reverend", "Father", "Sister", "General", "Gen.",
    "Colonel", "Col.", "Lt.", "Lieutenant", "Captain", "Capt.", "Sgt.", "Sergeant", "Admiral",
    "Adm.", "Commander", "Marshal", "Chief", "chief", "Director", "director", "Chairman",
    "chairman", "Chairwoman", "chairwoman", "Chair", "CEO", "CFO", "spokesman", "spokeswoman",
    "spokesperson", "Spokesman", "coach", "Coach", "manager", "striker", "midfielder", "defender",
    "goalkeeper", "captain", "Ambassador", "ambassador", "envoy", "Envoy", "Inspector", "Detective",
    "Deputy", "deputy", "Speaker", "Premier", "premier", "Sheikh", "Emir", "Ayatollah", "Crown",
    "Officer", "Agent", "Mme", "Mme.", "Herr", "Frau", "Monsieur", "Madame", "Senor", "Señor",
    "Pres.", "Sheik", "Mullah", "Rabbi", "Imam", "Rev", "leader", "Leader", "founder", "champion",
    "Champion",
];

/// Words that end (or head, before `of`) an organisation name.
#[rustfmt::skip]
const ORG_WORDS: &[&str] = &[
    "Inc", "Inc.", "Corp", "Corp.", "Corporation", "Co", "Co.", "Ltd", "Ltd.", "LLC", "PLC", "plc",
    "AG", "SA", "S.A.", "GmbH", "NV", "N.V.", "SE", "SpA", "Group", "Holdings", "Holding", "Bank",
    "Bancorp", "Airlines", "Airways", "Motors", "Systems", "Technologies", "Partners", "Capital",
    "Securities", "Investments", "Industries", "Enterprises", "Association", "Federation", "Union",
    "Council", "Committee", "Commission", "Agency", "Authority", "Ministry", "Department", "Party",
    "Parliament", "Assembly", "Court", "University", "College", "Institute", "School", "Academy",
    "Foundation", "Fund", "Trust", "Exchange", "Club", "United", "FC", "Rovers", "Wanderers",
    "Athletic", "Times", "Post", "Journal", "News", "Herald", "Tribune", "Press", "Gazette",
    "Organization", "Organisation", "Institution", "Service", "Services", "Board", "Bureau",
    "Police", "Army", "Navy", "Guard", "Movement", "Front", "Alliance", "League", "Church",
    "Hospital", "Network", "Telecom", "Energy", "Oil", "Petroleum", "Pharmaceuticals", "Labs",
    "Laboratories", "Media", "Studios", "Records", "Airport", "Railways", "Brothers", "Bros.",
    "Society", "Office", "Cabinet", "Senate", "Congress", "Reuters", "Agencies", "Consortium",
    "Coalition", "Brigade", "Brigades", "Forces", "Corps", "Co-operative", "Cooperative",
    "Insurance", "Electric", "Steel", "Chemicals", "Mining", "Motor", "Automotive", "Software",
    "Solutions", "Communications", "Broadcasting", "Television", "Radio", "House",
];

/// Words that end a place name.
#[rustfmt::skip]
const LOC_WORDS: &[&str] = &[
    "River", "Mountains", "Mountain", "Mount", "Lake", "Sea", "Ocean", "Island", "Islands",
    "Valley", "Street", "Avenue", "Road", "Square", "Bridge", "Province", "Region", "County",
    "State", "Gulf", "Bay", "Strait", "Straits", "Peninsula", "Desert", "Coast", "Canal", "Park",
    "Hills", "Heights", "Plain", "Plateau", "Falls", "Harbour", "Harbor", "Beach", "Forest",
    "Delta", "District", "Prefecture", "Oblast", "Territory", "Republic", "Kingdom", "Emirate",
    "Cape", "Isle",
];

/// Words after which `of` continues a name.
#[rustfmt::skip]
const OF_HEADS: &[&str] = &[
    "Bank", "University", "Ministry", "Department", "Institute", "Council", "Federation",
    "Association", "Church", "Court", "House", "Board", "Academy", "College", "School", "Museum",
    "Chamber", "Office", "League", "Union", "Organization", "Organisation", "Society", "Party",
    "Gulf", "Bay", "Isle", "Republic", "Kingdom", "Sea", "Strait", "Straits", "Cape", "Duke",
    "Duchess", "Prince", "Princess", "Queen", "King", "Province", "State", "City", "Port", "Mount",
    "Lake", "Commonwealth", "Emirate", "Sultanate", "Bishop", "Archbishop", "Secretary",
];

/// Common first names (a modest, international list).
#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "John", "James", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul",
    "Andrew", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Edward", "Ronald", "Timothy",
    "Jason", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan", "Stephen", "Larry",
    "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory", "Frank", "Alexander", "Raymond",
    "Patrick", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "Jose", "José", "Adam", "Henry",
    "Nathan", "Douglas", "Peter", "Kyle", "Walter", "Ethan", "Jeremy", "Harold", "Keith", "Roger",
    "Noah", "Gerald", "Carl", "Terry", "Sean", "Arthur", "Lawrence", "Jesse", "Bryan", "Joe",
    "Billy", "Bruce", "Albert", "Gabriel", "Alan", "Juan", "Wayne", "Roy", "Ralph", "Randy",
    "Eugene", "Vincent", "Russell", "Louis", "Bobby", "Philip", "Johnny", "Mary", "Patricia",
    "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Nancy",
    "Lisa", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly", "Emily", "Donna", "Michelle",
    "Dorothy", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura",
    "Cynthia", "Kathleen", "Amy", "Helen", "Anna", "Brenda", "Pamela", "Nicole", "Emma", "Samantha",
    "Katherine", "Christine", "Rachel", "Catherine", "Carolyn", "Janet", "Ruth", "Maria", "Heather",
    "Diane", "Julie", "Joyce", "Victoria", "Olivia", "Kelly", "Christina", "Lauren", "Joan",
    "Evelyn", "Judith", "Megan", "Andrea", "Hannah", "Martha", "Jacqueline", "Gloria", "Ann",
    "Anne", "Teresa", "Theresa", "Kathryn", "Sara", "Alice", "Julia", "Judy", "Grace", "Denise",
    "Marilyn", "Danielle", "Sophia", "Marie", "Diana", "Natalie", "Isabella", "Charlotte", "Rose",
    "Angela", "Emmanuel", "Vladimir", "Xi", "Narendra", "Boris", "Jacques", "François", "Francois",
    "Helmut", "Gerhard", "Olaf", "Friedrich", "Wolfgang", "Hans", "Klaus", "Jürgen", "Juergen",
    "Pierre", "Jean", "Nicolas", "Silvio", "Mario", "Giuseppe", "Luigi", "Carlos", "Luis", "Miguel",
    "Pedro", "Manuel", "Jorge", "Pablo", "Fernando", "Javier", "Antonio", "Francisco", "Diego",
    "Ahmed", "Ahmad", "Mohammed", "Mohammad", "Muhammad", "Mohamed", "Ali", "Hassan", "Hussein",
    "Omar", "Abdullah", "Yasser", "Moshe", "Ehud", "Ariel", "Yitzhak", "Shimon", "Sergei", "Sergey",
    "Dmitry", "Dmitri", "Mikhail", "Alexei", "Alexey", "Igor", "Yuri", "Ivan", "Nikolai", "Viktor",
    "Volodymyr", "Recep", "Shinzo", "Lars", "Sven", "Erik", "Anders", "Jens", "Karl", "Franz",
    "Heinz", "Dieter", "Ursula", "Hillary", "Barack", "Kamala", "Bernie", "Elon", "Jeff", "Bill",
    "Steve", "Tim", "Warren", "Tony", "Gordon", "Rishi", "Keir", "Liz", "Theo", "Hugo", "Leo",
    "Marco", "Paolo", "Giorgio", "Stefan", "Andreas", "Thomas", "Michel", "Alain", "Philippe",
    "Jan", "Piet", "Willem", "Wim", "Joao", "João", "Rafael", "Roberto", "Ricardo", "Alejandro",
    "Sofia", "Elena", "Olga", "Natalia", "Tatiana", "Irina", "Svetlana", "Yulia", "Fatima", "Aisha",
    "Mustafa", "Ibrahim", "Khalid", "Saddam", "Osama", "Benazir", "Nawaz", "Imran", "Indira",
    "Rahul", "Sonia", "Akira", "Hiroshi", "Takeshi", "Yuki", "Kenji", "Wang", "Zhang", "Kofi",
    "Nelson", "Thabo", "Jacob", "Cyril", "Robert", "Morgan", "Magnus", "Nils", "Per",
];

/// Capitalised words that are usually not (the start of) a name.
#[rustfmt::skip]
const COMMON_WORDS: &[&str] = &[
    "The", "A", "An", "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We", "I",
    "You", "His", "Her", "Their", "Our", "My", "Your", "But", "And", "Or", "Nor", "So", "Yet", "If",
    "When", "While", "Where", "Why", "How", "What", "Who", "Whom", "Which", "After", "Before",
    "During", "Since", "Until", "As", "At", "In", "On", "Of", "For", "From", "To", "With",
    "Without", "By", "About", "Under", "Over", "Between", "Among", "Through", "Despite", "However",
    "Meanwhile", "Also", "Although", "Though", "Because", "Yesterday", "Today", "Tomorrow", "Last",
    "Next", "Earlier", "Later", "Now", "Then", "There", "Here", "Some", "Many", "Most", "More",
    "Few", "All", "Both", "Each", "Every", "Other", "Another", "Such", "No", "Not", "Only", "Even",
    "Still", "Just", "Please", "Thank", "Thanks", "Yes", "Oh", "Well", "According", "Asked",
    "Officials", "Analysts", "Shares", "Prices", "Police", "Sources", "Experts", "Critics",
    "Residents", "Witnesses", "People", "Investors", "Traders", "Dealers", "Authorities", "Under",
    "Following", "Including", "Once", "Instead", "Indeed", "Unlike", "Like", "Over", "Against",
    "Within", "Without", "Across", "Around", "Amid", "Toward", "Towards", "Once", "Almost",
    "Several", "One", "Two", "Three", "First", "Second", "Third", "New", "Former", "Top", "Senior",
    "Both", "Whether", "Do", "Does", "Did", "Is", "Are", "Was", "Were", "Will", "Would", "Can",
    "Could", "Should", "May", "Might", "Must", "Has", "Have", "Had", "Let", "Says", "Said", "Asked",
    "Mr", "Mrs", "Ms", "OK", "Okay", "Sunday", "Local", "National", "International", "Federal",
    "Chief", "Executive", "Government", "Opposition", "Western", "Eastern", "Northern", "Southern",
];

/// Months and weekdays (the patterns stage labels them).
#[rustfmt::skip]
const CALENDAR_WORDS: &[&str] = &[
    "January", "February", "March", "April", "June", "July", "August", "September", "October",
    "November", "December", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.",
    "Oct.", "Nov.", "Dec.", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
    "Sunday", "Christmas", "Easter",
];

/// All-capital words that are not organisations.
#[rustfmt::skip]
const NOT_ACRONYMS: &[&str] = &[
    "CEO", "CFO", "COO", "CTO", "GDP", "TV", "PM", "AM", "OK", "ID", "AI", "IT", "DNA", "HIV",
    "AIDS", "USD", "EUR", "GBP", "JPY", "CHF", "CNY", "ET", "GMT", "UTC", "EST", "PST", "BST",
    "CET", "MP", "MPs", "PhD", "VAT", "IPO", "ETF", "LNG", "GPS", "SUV", "CD", "DVD", "PC", "FM",
    "AP", "Q1", "Q2", "Q3", "Q4", "H1", "H2", "A", "I", "OF", "THE", "AND", "TO", "IN", "ON", "AT",
    "BY", "FOR", "NO", "YES", "AD", "BC", "CV", "ICU", "UFO", "USB", "SMS", "PDF", "URL", "FAQ",
    "RSS", "LED", "LCD", "CCTV", "NGO", "NGOs", "COVID", "SARS", "MERS", "PPE", "GMO", "CPI", "PMI",
    "EPS", "ROI", "YOY", "MW", "GW", "KW", "KM", "KG", "MB", "GB", "TB",
];

/// Prepositions before a place.
#[rustfmt::skip]
const LOC_PREPS: &[&str] = &[
    "in", "from", "near", "across", "outside", "throughout", "toward", "towards", "into", "via",
    "at", "around", "inside", "visited", "visiting", "visit", "to",
];

/// Verbs of speech after a person.
#[rustfmt::skip]
const SPEECH_VERBS: &[&str] = &[
    "said", "says", "told", "added", "announced", "wrote", "argued", "stated", "insisted",
    "explained", "warned", "asked", "replied", "noted", "admitted", "denied", "claimed", "urged",
    "tweeted", "testified", "recalled", "remarked",
];

/// Lowercase particles inside names.
#[rustfmt::skip]
const PARTICLES: &[&str] = &[
    "de", "da", "di", "del", "della", "dos", "das", "du", "van", "von", "der", "den", "ter", "le",
    "la", "bin", "ibn", "al", "al-", "el", "y", "zu", "af",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::{sentences, tokenize};

    fn found(text: &str) -> Vec<(String, String)> {
        let h = Heuristic::new();
        let tokens = tokenize(text);
        let sents = sentences(text, &tokens);
        let cx = Context {
            text,
            tokens: &tokens,
            sentences: &sents,
        };
        let mut out = Vec::new();
        h.find(&cx, &mut out);
        out.sort_by_key(|c| c.start);
        out.into_iter()
            .map(|c| (text[c.start..c.end].to_string(), c.label))
            .collect()
    }

    fn has(text: &str, surface: &str, label: &str) {
        let f = found(text);
        assert!(
            f.iter().any(|(s, l)| s == surface && l == label),
            "{surface:?} as {label} in {text:?}: found {f:?}"
        );
    }

    fn lacks(text: &str, surface: &str) {
        let f = found(text);
        assert!(
            !f.iter().any(|(s, _)| s == surface),
            "{surface:?} should not be tagged in {text:?}: {f:?}"
        );
    }

    #[test]
    fn titles_make_people() {
        has(
            "Yesterday President Joe Biden met reporters.",
            "Joe Biden",
            "PER",
        );
        has("He spoke to Mr. Smith on the phone.", "Smith", "PER");
        has(
            "German Chancellor Angela Merkel arrived.",
            "Angela Merkel",
            "PER",
        );
        has(
            "The company's chairman Hans Dietrich resigned.",
            "Hans Dietrich",
            "PER",
        );
        has("Dr. Wanjiru Kamau led the study.", "Wanjiru Kamau", "PER");
        lacks(
            "German Chancellor Angela Merkel arrived.",
            "German Chancellor Angela Merkel",
        );
    }

    #[test]
    fn suffixes_make_organisations() {
        has("Shares of Acme Corp. fell sharply.", "Acme Corp.", "ORG");
        has(
            "He studied at the University of Leeds last year.",
            "University of Leeds",
            "ORG",
        );
        has(
            "The Bank of Ruritania raised rates.",
            "Bank of Ruritania",
            "ORG",
        );
        has(
            "A deal with Hewlett-Packard Co. was signed.",
            "Hewlett-Packard Co.",
            "ORG",
        );
        has("The Green Party won seats.", "Green Party", "ORG");
        has(
            "Procter & Gamble Co. said profits rose.",
            "Procter & Gamble Co.",
            "ORG",
        );
    }

    #[test]
    fn context_makes_places_and_people() {
        has("The disaster agency AFAD said so.", "AFAD", "ORG");
        has(
            "The talks were held in Ruritania on Friday.",
            "Ruritania",
            "LOC",
        );
        has(
            "Troops moved near Zaporizhzhia overnight.",
            "Zaporizhzhia",
            "LOC",
        );
        has("Mary Okafor won the race.", "Mary Okafor", "PER");
        has("The report, Kowalczyk said, was late.", "Kowalczyk", "PER");
        has("BERLIN (Reuters) - Talks began.", "BERLIN", "LOC");
        has(
            "Investors sold shares of XYZQ after the report.",
            "XYZQ",
            "ORG",
        );
        has(
            "They flew along the Orinoco River to the coast.",
            "Orinoco River",
            "LOC",
        );
        has(
            "It was Ursula von der Leyen who spoke.",
            "Ursula von der Leyen",
            "PER",
        );
    }

    #[test]
    fn sentence_initial_common_words_are_not_tagged() {
        let f = found(
            "The economy grew. However, prices rose. Analysts expect more. Yesterday it rained.",
        );
        assert!(f.is_empty(), "{f:?}");
        lacks("Officials said the CEO left.", "CEO");
        lacks("Stocks fell on Monday.", "Stocks");
        lacks("In March the GDP rose.", "March");
    }

    #[test]
    fn may_as_a_name() {
        has("Prime Minister Theresa May spoke.", "Theresa May", "PER");
        lacks("The vote is due in May.", "May");
        lacks("May I ask a question?", "May");
    }

    #[test]
    fn nationalities_split_off() {
        lacks(
            "Brazilian Ronaldo Nazario scored.",
            "Brazilian Ronaldo Nazario",
        );
        has(
            "The German Football Association said so.",
            "German Football Association",
            "ORG",
        );
    }

    #[test]
    fn document_memory() {
        has(
            "Angela Merkel arrived. Merkel said little.",
            "Merkel",
            "PER",
        );
        has(
            "Acme Corp. reported profits. Acme shares rose.",
            "Acme",
            "ORG",
        );
    }

    #[test]
    fn headlines_are_left_alone() {
        let f = found("SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .");
        assert!(f.is_empty(), "{f:?}");
        has("NEW YORK 1996-08-22", "NEW YORK", "LOC");
    }
}
