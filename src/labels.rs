//! The project's label set: names, colours and hotkeys.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub name: String,
    pub color: String,
    /// The printable key that assigns this label ("1"), or none.
    #[serde(default)]
    pub key: Option<String>,
}

/// Colours cycled for new labels, chosen (`tools/palette.py`) so that no two
/// are alike: every pair at least 20 apart in CIELAB (the 13 default labels,
/// which take the first 13, at least 24; the old pastels had pairs 3 apart:
/// MONEY looked like ORG), and the page's dark text on each at least 7:1.
const PALETTE: [&str; 16] = [
    "#febbc0", "#8fd6f3", "#b7eba3", "#b79fea", "#cfa45f", "#2ebfaa", "#e98fc0", "#63b1f7",
    "#a7b080", "#ec9577", "#f5d1fd", "#a8ead3", "#4df2fd", "#fbd7ad", "#e4e18f", "#75ba87",
];

/// The longest label name, in characters: a name is shown on every span
/// badge and in the label bar, never a paragraph.
pub const MAX_NAME: usize = 200;

/// Refuses a label name a person could not use: empty, or longer than
/// [`MAX_NAME`] characters.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("a label needs a name".into());
    }
    let n = name.chars().count();
    if n > MAX_NAME {
        let start: String = name.chars().take(20).collect();
        return Err(format!(
            "the label “{start}…” is {n} characters long (at most {MAX_NAME})"
        ));
    }
    Ok(())
}

/// A colour as the page's colour input gives it: `#` and six hex digits.
pub fn check_color(color: &str) -> Result<(), String> {
    let ok = color.len() == 7
        && color.starts_with('#')
        && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        Err(format!("{color:?} is not a colour like #a0d8ef"))
    }
}

/// A key a label may take: one printable character that is no command's.
pub fn check_key(name: &str, k: &str) -> Result<(), String> {
    if k.chars().count() != 1 || k.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{k:?} is not a single printable key"));
    }
    if let Some((_, what)) = COMMAND_KEYS.iter().find(|(c, _)| *c == k) {
        return Err(format!(
            "{k:?} is the key for {what}: choose another key for {name}"
        ));
    }
    Ok(())
}

/// Keys handed out to new labels, in order.
const KEYS: [&str; 10] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];

/// The page's command keys (`www/keys.js`): a label cannot take one, or the
/// key would mean two things (`a` accept, or label with "ACTION"?).
pub const COMMAND_KEYS: [(&str, &str); 20] = [
    ("a", "accept"),
    ("A", "accept all"),
    ("x", "reject"),
    ("e", "label every occurrence"),
    ("E", "label every occurrence in every document"),
    ("d", "done"),
    ("u", "next unchecked suggestion"),
    ("U", "previous unchecked suggestion"),
    ("n", "next match"),
    ("N", "previous match"),
    ("j", "next span"),
    ("k", "previous span"),
    ("/", "search"),
    ("?", "the key sheet"),
    ("[", "previous document"),
    ("]", "next document"),
    (",", "cursor back"),
    (".", "cursor on"),
    ("r", "a relation from the selected span"),
    ("m", "notes"),
];

/// The default labels: the CoNLL-2003 set the shipped model learns, then the
/// pattern-based types.
pub const DEFAULT_LABELS: [&str; 13] = [
    "PER", "ORG", "LOC", "MISC", "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL",
    "ORDINAL", "EMAIL", "URL",
];

/// The label set. Lookups by name and key are hashed and a new label's
/// colour and key are found without scanning the set, so that a project
/// with a hundred thousand labels imports and edits as fast as one with ten.
#[derive(Clone, Debug)]
pub struct LabelSet {
    labels: Vec<Label>,
    /// Name -> position in `labels`.
    by_name: HashMap<String, usize>,
    /// Key -> position in `labels`.
    by_key: HashMap<String, usize>,
    /// How many labels have each palette colour.
    colours: [usize; PALETTE.len()],
    /// The labels relations take.
    pub relations: crate::relations::RelationLabels,
    /// The labels whole documents take.
    pub doc_labels: crate::relations::DocLabels,
}

impl PartialEq for LabelSet {
    fn eq(&self, other: &LabelSet) -> bool {
        self.labels == other.labels
            && self.relations == other.relations
            && self.doc_labels == other.doc_labels
    }
}

impl Eq for LabelSet {}

impl Serialize for LabelSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.labels.serialize(s)
    }
}

impl<'de> Deserialize<'de> for LabelSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<LabelSet, D::Error> {
        Vec::<Label>::deserialize(d).map(LabelSet::from_labels)
    }
}

impl Default for LabelSet {
    fn default() -> LabelSet {
        let mut set = LabelSet::empty();
        for name in DEFAULT_LABELS {
            set.ensure(name);
        }
        set
    }
}

fn palette_index(color: &str) -> Option<usize> {
    PALETTE.iter().position(|c| *c == color)
}

impl LabelSet {
    pub fn empty() -> LabelSet {
        LabelSet {
            labels: Vec::new(),
            by_name: HashMap::new(),
            by_key: HashMap::new(),
            colours: [0; PALETTE.len()],
            relations: Default::default(),
            doc_labels: Default::default(),
        }
    }

    pub fn from_labels(labels: Vec<Label>) -> LabelSet {
        let mut set = LabelSet::empty();
        set.labels = labels;
        set.reindex();
        set
    }

    /// Rebuilds the lookups from `labels` (the first of two labels sharing a
    /// name or key wins, as a scan from the start would find it).
    fn reindex(&mut self) {
        self.by_name.clear();
        self.by_key.clear();
        self.colours = [0; PALETTE.len()];
        for (i, l) in self.labels.iter().enumerate() {
            self.by_name.entry(l.name.clone()).or_insert(i);
            if let Some(k) = &l.key {
                self.by_key.entry(k.clone()).or_insert(i);
            }
            if let Some(c) = palette_index(&l.color) {
                self.colours[c] += 1;
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Label> {
        self.labels.iter()
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The label at a position of the set.
    pub fn at(&self, i: usize) -> Option<&Label> {
        self.labels.get(i)
    }

    pub fn get(&self, name: &str) -> Option<&Label> {
        self.by_name.get(name).map(|&i| &self.labels[i])
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The positions of the labels that have a key.
    pub fn keyed(&self) -> impl Iterator<Item = usize> + '_ {
        self.by_key.values().copied()
    }

    pub fn by_key(&self, key: &str) -> Option<&Label> {
        self.by_key.get(key).map(|&i| &self.labels[i])
    }

    /// Adds `name` if missing, with the next unused colour and key; returns
    /// whether it was added.
    pub fn ensure(&mut self, name: &str) -> bool {
        if self.by_name.contains_key(name) {
            return false;
        }
        let colour = self
            .colours
            .iter()
            .position(|&n| n == 0)
            .unwrap_or(self.labels.len() % PALETTE.len());
        let key = KEYS
            .iter()
            .find(|k| !self.by_key.contains_key(**k))
            .map(|k| k.to_string());
        let i = self.labels.len();
        self.colours[colour] += 1;
        if let Some(k) = &key {
            self.by_key.insert(k.clone(), i);
        }
        self.by_name.insert(name.to_string(), i);
        self.labels.push(Label {
            name: name.to_string(),
            color: PALETTE[colour].to_string(),
            key,
        });
        true
    }
}

impl LabelSet {
    /// Adds a label a person named (trimmed), with the next free colour and
    /// key; refuses an empty name. Returns whether it was new.
    pub fn add(&mut self, name: &str) -> Result<bool, String> {
        let name = name.trim();
        check_name(name)?;
        Ok(self.ensure(name))
    }

    /// Renames a label; refuses an empty name or one already taken.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), String> {
        let to = to.trim();
        check_name(to)?;
        if from != to && self.get(to).is_some() {
            return Err(format!("there is already a label {to:?}"));
        }
        let i = self.position(from)?;
        self.labels[i].name = to.to_string();
        self.by_name.remove(from);
        self.by_name.insert(to.to_string(), i);
        Ok(())
    }

    pub fn remove(&mut self, name: &str) -> bool {
        let Some(i) = self.index_of(name) else {
            return false;
        };
        self.labels.remove(i);
        self.reindex();
        true
    }

    pub fn set_color(&mut self, name: &str, color: &str) -> Result<(), String> {
        check_color(color)?;
        let i = self.position(name)?;
        if let Some(c) = palette_index(&self.labels[i].color) {
            self.colours[c] -= 1;
        }
        self.labels[i].color = color.to_ascii_lowercase();
        if let Some(c) = palette_index(&self.labels[i].color) {
            self.colours[c] += 1;
        }
        Ok(())
    }

    /// Gives `name` the key (one printable character), taking it from any
    /// label that had it, whose name is returned (so that the page can say
    /// so); `None` clears the key. A command key is refused, naming the
    /// command.
    pub fn set_key(&mut self, name: &str, key: Option<&str>) -> Result<Option<String>, String> {
        if let Some(k) = key {
            check_key(name, k)?;
        }
        let i = self.position(name)?;
        let mut taken_from = None;
        if let Some(k) = key {
            if let Some(j) = self.by_key.remove(k) {
                self.labels[j].key = None;
                if j != i {
                    taken_from = Some(self.labels[j].name.clone());
                }
            }
        }
        if let Some(old) = self.labels[i].key.take() {
            self.by_key.remove(&old);
        }
        if let Some(k) = key {
            self.by_key.insert(k.to_string(), i);
        }
        self.labels[i].key = key.map(str::to_string);
        Ok(taken_from)
    }

    fn position(&self, name: &str) -> Result<usize, String> {
        self.index_of(name)
            .ok_or_else(|| format!("no label {name:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_have_keys_one_to_zero_then_none() {
        let set = LabelSet::default();
        assert_eq!(set.len(), 13);
        assert_eq!(set.by_key("1").unwrap().name, "PER");
        assert_eq!(set.by_key("0").unwrap().name, "CARDINAL");
        assert_eq!(set.get("URL").unwrap().key, None);
        let colours: std::collections::HashSet<_> = set.iter().map(|l| &l.color).collect();
        assert_eq!(colours.len(), 13, "every default label has its own colour");
    }

    /// CIELAB of an sRGB `#rrggbb` (D65).
    fn lab(hex: &str) -> [f64; 3] {
        let lin = |i: usize| {
            let c = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let (r, g, b) = (lin(1), lin(3), lin(5));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    fn luminance(hex: &str) -> f64 {
        let [l, _, _] = lab(hex);
        let fy = (l + 16.0) / 116.0;
        if fy.powi(3) > 0.008856 {
            fy.powi(3)
        } else {
            (fy - 16.0 / 116.0) / 7.787
        }
    }

    #[test]
    fn palette_colours_are_far_apart_and_readable() {
        let dist = |a: &str, b: &str| {
            let (p, q) = (lab(a), lab(b));
            ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
        };
        let min_apart = |n: usize| {
            let colours = &PALETTE[..n];
            let mut m = f64::MAX;
            for (i, a) in colours.iter().enumerate() {
                for b in &colours[i + 1..] {
                    m = m.min(dist(a, b));
                }
            }
            m
        };
        assert!(min_apart(DEFAULT_LABELS.len()) >= 24.0, "{}", min_apart(13));
        assert!(min_apart(PALETTE.len()) >= 20.0, "{}", min_apart(16));
        let text = luminance("#1d1d1f");
        for c in PALETTE {
            let contrast = (luminance(c) + 0.05) / (text + 0.05);
            assert!(contrast >= 7.0, "{c}: {contrast:.2}:1");
        }
    }

    #[test]
    fn a_command_key_is_refused_and_a_taken_key_names_its_label() {
        let mut set = LabelSet::default();
        let e = set.set_key("MISC", Some("a")).unwrap_err();
        assert_eq!(
            e,
            "\"a\" is the key for accept: choose another key for MISC"
        );
        assert_eq!(
            set.get("MISC").unwrap().key.as_deref(),
            Some("4"),
            "unchanged"
        );
        assert_eq!(set.set_key("URL", Some("1")), Ok(Some("PER".to_string())));
        assert_eq!(set.get("PER").unwrap().key, None);
        assert_eq!(set.by_key("1").unwrap().name, "URL");
        assert_eq!(set.set_key("URL", Some("1")), Ok(None), "its own key again");
        assert_eq!(set.set_key("URL", Some("w")), Ok(None));
        assert!(
            set.set_key("URL", Some("u")).is_err(),
            "u: the next unchecked suggestion"
        );
    }

    #[test]
    fn ensure_adds_once_with_free_key() {
        let mut set = LabelSet::empty();
        assert!(set.ensure("GENE"));
        assert!(!set.ensure("GENE"));
        assert_eq!(set.get("GENE").unwrap().key.as_deref(), Some("1"));
        assert!(set.ensure("DRUG"));
        assert_eq!(set.index_of("DRUG"), Some(1));
        assert_eq!(set.by_key("2").unwrap().name, "DRUG");
    }

    #[test]
    fn edit_the_set() {
        let mut set = LabelSet::default();
        set.rename("PER", "PERSON").unwrap();
        assert!(set.rename("ORG", "PERSON").is_err());
        assert!(set.rename("ORG", " ").is_err());
        assert!(set.rename("NOPE", "X").is_err());
        set.set_key("URL", Some("1")).unwrap();
        assert_eq!(set.by_key("1").unwrap().name, "URL");
        assert_eq!(set.get("PERSON").unwrap().key, None, "the key moved");
        assert!(set.set_key("URL", Some("ab")).is_err());
        set.set_color("URL", "#ABCDEF").unwrap();
        assert_eq!(set.get("URL").unwrap().color, "#abcdef");
        assert!(set.set_color("URL", "red; background:url(x)").is_err());
        assert!(set.remove("URL"));
        assert!(!set.remove("URL"));
        assert_eq!(set.add("  GENE "), Ok(true));
        assert!(set.get("GENE").is_some(), "trimmed");
        assert_eq!(set.add("GENE"), Ok(false));
        assert!(set.add("   ").is_err());
        assert!(set.add(&"x".repeat(MAX_NAME)).is_ok());
        let e = set.add(&"y".repeat(MAX_NAME + 1)).unwrap_err();
        assert!(e.contains("201 characters long (at most 200)"), "{e}");
        assert!(set.rename("GENE", &"z".repeat(1000)).is_err());
    }

    #[test]
    fn a_hundred_thousand_labels_build_in_linear_time_and_look_up_at_once() {
        let mut set = LabelSet::default();
        let t = std::time::Instant::now();
        for i in 0..100_000 {
            set.ensure(&format!("L{i}"));
        }
        // Quadratic, this took minutes; linear, well under a second even
        // unoptimised. (A loose bound: the point is the order, not the time.)
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
        assert_eq!(set.len(), 100_013);
        assert_eq!(set.index_of("L99999"), Some(100_012));
        assert_eq!(
            set.by_key("1").unwrap().name,
            "PER",
            "keys stay with the first ten"
        );
        let back: LabelSet = serde_json::from_str(&serde_json::to_string(&set).unwrap()).unwrap();
        assert_eq!(back, set);
        assert_eq!(back.get("L5").unwrap().color, set.get("L5").unwrap().color);
    }

    #[test]
    fn lookups_follow_every_change() {
        let mut set = LabelSet::default();
        set.rename("PER", "PERSON").unwrap();
        assert!(set.get("PER").is_none());
        assert_eq!(set.by_key("1").unwrap().name, "PERSON");
        set.set_key("ORG", Some("1")).unwrap();
        assert_eq!(set.by_key("1").unwrap().name, "ORG");
        assert_eq!(set.by_key("2"), None, "ORG's old key is free");
        assert!(set.ensure("NEW"));
        assert_eq!(
            set.get("NEW").unwrap().key.as_deref(),
            Some("2"),
            "the free key is taken"
        );
        assert!(set.remove("LOC"));
        assert_eq!(
            set.index_of("MISC"),
            Some(2),
            "positions after a removal shift"
        );
        assert_eq!(set.by_key("4").unwrap().name, "MISC");
        let loc_colour = LabelSet::default().get("LOC").unwrap().color.clone();
        assert!(set.ensure("AGAIN"));
        assert_eq!(
            set.get("AGAIN").unwrap().color,
            loc_colour,
            "LOC's colour is free again"
        );
    }
}
