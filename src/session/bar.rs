//! Which labels the label bar shows: all of them in an ordinary project,
//! and in one with thousands, the ones a person reaches for (those with a
//! key, then those used most in the open document) and any that match what
//! they type, so that drawing the bar never depends on the set's size.

use super::Session;
use serde::Serialize;

/// A label as the bar draws it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BarLabel {
    pub name: String,
    pub color: String,
    pub key: Option<String>,
    /// Its spans in the open document.
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bar {
    pub labels: Vec<BarLabel>,
    /// Labels left out (the bar's search finds them).
    pub hidden: usize,
}

impl Session {
    /// At most `limit` labels for the bar: with a `query`, those whose name
    /// holds it (ignoring case); else those with a key, then by use in the
    /// open document, then in the set's order. Shown in the set's order.
    pub fn label_bar(&self, query: &str, limit: usize) -> Bar {
        let counts = self.label_counts();
        let query = query.trim().to_lowercase();
        let candidates: Vec<usize> = if query.is_empty() {
            // Every label but those with a key or a span here has count 0
            // and ranks by its place in the set: beyond these, only the
            // first `limit` can make the bar. So an edit's redraw never
            // walks a set of a hundred thousand labels.
            let mut c: Vec<usize> = self.labels.keyed().collect();
            c.extend(counts.keys().filter_map(|name| self.labels.index_of(name)));
            c.extend(0..limit.min(self.labels.len()));
            c.sort_unstable();
            c.dedup();
            c
        } else {
            (0..self.labels.len())
                .filter(|&i| {
                    self.labels
                        .at(i)
                        .is_some_and(|l| l.name.to_lowercase().contains(&query))
                })
                .collect()
        };
        let mut picked: Vec<(usize, u64, bool)> = candidates
            .into_iter()
            .filter_map(|i| {
                let l = self.labels.at(i)?;
                Some((
                    i,
                    counts.get(&l.name).copied().unwrap_or(0),
                    l.key.is_some(),
                ))
            })
            .collect();
        if picked.len() > limit {
            // Labels with keys first, then the most used, then set order.
            let first = |a: &(usize, u64, bool), b: &(usize, u64, bool)| {
                b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0))
            };
            if limit > 0 {
                picked.select_nth_unstable_by(limit - 1, first);
            }
            picked.truncate(limit);
            picked.sort_by_key(|p| p.0);
        }
        Bar {
            hidden: self.labels.len() - picked.len(),
            labels: picked
                .into_iter()
                .filter_map(|(i, count, _)| {
                    let l = self.labels.at(i)?;
                    Some(BarLabel {
                        name: l.name.clone(),
                        color: l.color.clone(),
                        key: l.key.clone(),
                        count,
                    })
                })
                .collect(),
        }
    }
}
