//! Finding text: every occurrence of a query in a document, case-insensitive
//! by Unicode case folding (through the regex crate, which folds without
//! changing lengths or offsets, unlike lowercasing the text first).

use regex::{Regex, RegexBuilder};

/// A compiled query.
pub struct Query {
    re: Option<Regex>,
}

impl Query {
    /// A literal query; `whole_words` keeps only matches whose edges are not
    /// inside a word.
    pub fn new(query: &str, case_insensitive: bool, whole_words: bool) -> Query {
        if query.is_empty() {
            return Query { re: None };
        }
        let escaped = regex::escape(query);
        let pattern = if whole_words {
            // \b only where the query itself begins or ends with a word character.
            let first = query.chars().next().is_some_and(is_word);
            let last = query.chars().last().is_some_and(is_word);
            format!(
                "{}{escaped}{}",
                if first { r"\b" } else { "" },
                if last { r"\b" } else { "" }
            )
        } else {
            escaped
        };
        let re = RegexBuilder::new(&pattern)
            .case_insensitive(case_insensitive)
            .size_limit(1 << 20)
            .build()
            .ok();
        Query { re }
    }

    /// Byte ranges of every non-overlapping match, in order.
    pub fn find_all(&self, text: &str) -> Vec<(usize, usize)> {
        match &self.re {
            Some(re) => re.find_iter(text).map(|m| (m.start(), m.end())).collect(),
            None => Vec::new(),
        }
    }

    pub fn count(&self, text: &str) -> usize {
        self.re.as_ref().map_or(0, |re| re.find_iter(text).count())
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_case_insensitively_with_exact_offsets() {
        let text = "İstanbul and ISTANBUL; Straße and STRASSE; Zoë ZOË";
        let q = Query::new("zoë", true, false);
        let hits = q.find_all(text);
        assert_eq!(hits.len(), 2);
        for (a, b) in hits {
            assert_eq!(text[a..b].to_lowercase(), "zoë");
        }
        assert_eq!(Query::new("istanbul", true, false).count(text), 1);
    }

    #[test]
    fn whole_words_and_literal_queries() {
        let text = "Paris, Parisian and (Paris) a.b.c";
        assert_eq!(Query::new("Paris", false, true).count(text), 2);
        assert_eq!(Query::new("Paris", false, false).count(text), 3);
        assert_eq!(
            Query::new("(Paris)", false, true).find_all(text),
            vec![(20, 27)]
        );
        assert_eq!(
            Query::new("a.b", false, false).count(text),
            1,
            "dots are literal"
        );
        assert_eq!(Query::new("", true, true).count(text), 0);
    }
}
