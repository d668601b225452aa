//! The project's label set: names, colours and hotkeys.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub name: String,
    pub color: String,
    /// The printable key that assigns this label ("1"), or none.
    #[serde(default)]
    pub key: Option<String>,
}

/// Colours that stay readable under dark text, cycled for new labels.
const PALETTE: [&str; 16] = [
    "#ffb3ba", "#a0d8ef", "#b5e7a0", "#ffd59e", "#d7bde2", "#f9e79f", "#aed6f1", "#f5b7b1",
    "#a3e4d7", "#fad7a0", "#d2b4de", "#abebc6", "#f8c471", "#85c1e9", "#e6b0aa", "#c8e6c9",
];

/// Keys handed out to new labels, in order.
const KEYS: [&str; 10] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];

/// The default labels: the CoNLL-2003 set the shipped model learns, then the
/// pattern-based types.
pub const DEFAULT_LABELS: [&str; 13] = [
    "PER", "ORG", "LOC", "MISC", "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL",
    "ORDINAL", "EMAIL", "URL",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LabelSet {
    labels: Vec<Label>,
}

impl Default for LabelSet {
    fn default() -> LabelSet {
        let mut set = LabelSet { labels: Vec::new() };
        for name in DEFAULT_LABELS {
            set.ensure(name);
        }
        set
    }
}

impl LabelSet {
    pub fn empty() -> LabelSet {
        LabelSet { labels: Vec::new() }
    }

    pub fn from_labels(labels: Vec<Label>) -> LabelSet {
        LabelSet { labels }
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

    pub fn get(&self, name: &str) -> Option<&Label> {
        self.labels.iter().find(|l| l.name == name)
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.labels.iter().position(|l| l.name == name)
    }

    pub fn by_key(&self, key: &str) -> Option<&Label> {
        self.labels.iter().find(|l| l.key.as_deref() == Some(key))
    }

    /// Adds `name` if missing, with the next unused colour and key; returns
    /// whether it was added.
    pub fn ensure(&mut self, name: &str) -> bool {
        if self.get(name).is_some() {
            return false;
        }
        let color = PALETTE
            .iter()
            .find(|c| !self.labels.iter().any(|l| &l.color == *c))
            .unwrap_or(&PALETTE[self.labels.len() % PALETTE.len()]);
        let key = KEYS
            .iter()
            .find(|k| self.by_key(k).is_none())
            .map(|k| k.to_string());
        self.labels.push(Label {
            name: name.to_string(),
            color: color.to_string(),
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
        if name.is_empty() {
            return Err("a label needs a name".into());
        }
        Ok(self.ensure(name))
    }

    /// Renames a label; refuses an empty name or one already taken.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), String> {
        let to = to.trim();
        if to.is_empty() {
            return Err("a label needs a name".into());
        }
        if from != to && self.get(to).is_some() {
            return Err(format!("there is already a label {to:?}"));
        }
        let l = self.find_mut(from)?;
        l.name = to.to_string();
        Ok(())
    }

    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.labels.len();
        self.labels.retain(|l| l.name != name);
        before != self.labels.len()
    }

    pub fn set_color(&mut self, name: &str, color: &str) -> Result<(), String> {
        let ok = color.len() == 7
            && color.starts_with('#')
            && color[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !ok {
            return Err(format!("{color:?} is not a colour like #a0d8ef"));
        }
        self.find_mut(name)?.color = color.to_ascii_lowercase();
        Ok(())
    }

    /// Gives `name` the key (one printable character), taking it from any
    /// label that had it; `None` clears the key.
    pub fn set_key(&mut self, name: &str, key: Option<&str>) -> Result<(), String> {
        if let Some(k) = key {
            if k.chars().count() != 1 || k.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(format!("{k:?} is not a single printable key"));
            }
        }
        self.find_mut(name)?;
        if let Some(k) = key {
            for l in &mut self.labels {
                if l.key.as_deref() == Some(k) {
                    l.key = None;
                }
            }
        }
        self.find_mut(name)?.key = key.map(str::to_string);
        Ok(())
    }

    fn find_mut(&mut self, name: &str) -> Result<&mut Label, String> {
        self.labels
            .iter_mut()
            .find(|l| l.name == name)
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
    }
}
