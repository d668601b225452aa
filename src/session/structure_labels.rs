//! The project's relation and document labels managed as its span labels
//! are (the Labels… drawer): renamed, recoloured, given keys, made directed
//! or not, deleted. A rename or deletion reaches the open document and its
//! history here, and every stored record through
//! [`super::project::relabel_structure`].

use super::{err, Result, Session};
use crate::relabel;

/// Which of the project's structure labels a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StructureLabel {
    Relation,
    Document,
}

impl StructureLabel {
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "relation" => Ok(Self::Relation),
            "document" => Ok(Self::Document),
            _ => err(format!("no kind of label {name:?} (relation or document)")),
        }
    }
}

impl Session {
    /// Renames the relation label `from` in the set and the open document
    /// (relations and history, so undo keeps the new name); how many of
    /// the open document's relations it renamed.
    pub fn rename_relation_label(&mut self, from: &str, to: &str) -> Result<usize> {
        let to = self.labels.relations.rename_checked(from, to)?;
        Ok(self.open_mut().map_or(0, |o| {
            relabel::rename_relations(&mut o.editor.doc, &mut o.editor.history, from, &to)
        }))
    }

    /// Deletes the relation label and its relations from the open
    /// document; how many relations went.
    pub fn delete_relation_label(&mut self, name: &str) -> Result<usize> {
        if !self.labels.relations.remove(name) {
            return err(format!("no relation label {name:?}"));
        }
        Ok(self.open_mut().map_or(0, |o| {
            relabel::remove_relations(&mut o.editor.doc, &mut o.editor.history, name)
        }))
    }

    pub fn set_relation_label_color(&mut self, name: &str, color: &str) -> Result<()> {
        Ok(self.labels.relations.set_color(name, color)?)
    }

    /// Sets the key that finishes a relation with `name` (`None` clears
    /// it), taking it from another relation label, whose name it returns.
    pub fn set_relation_label_key(
        &mut self,
        name: &str,
        key: Option<&str>,
    ) -> Result<Option<String>> {
        Ok(self.labels.relations.set_key(name, key)?)
    }

    pub fn set_relation_label_directed(&mut self, name: &str, directed: bool) -> Result<()> {
        Ok(self.labels.relations.set_directed(name, directed)?)
    }

    /// Renames a document label in the set and the open document (with
    /// its history); whether the open document had it.
    pub fn rename_doc_label(&mut self, from: &str, to: &str) -> Result<bool> {
        let to = self.labels.doc_labels.rename(from, to)?;
        Ok(self.open_mut().is_ok_and(|o| {
            relabel::relabel_document(&mut o.editor.doc, &mut o.editor.history, from, Some(&to))
        }))
    }

    /// Deletes a document label from the set and the open document;
    /// whether the open document had it.
    pub fn delete_doc_label(&mut self, name: &str) -> Result<bool> {
        if !self.labels.doc_labels.remove(name) {
            return err(format!("no document label {name:?}"));
        }
        Ok(self.open_mut().is_ok_and(|o| {
            relabel::relabel_document(&mut o.editor.doc, &mut o.editor.history, name, None)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Session;
    use crate::session::Action;

    /// "Acme hired Bo Li": Acme and Bo Li, a relation `hired` between them
    /// and the document label `business`; the two spans' ids.
    fn session_with_relation() -> (Session, String, String) {
        let mut s = Session::new();
        s.open_text(None, &[], "Acme hired Bo Li".into(), serde_json::json!({}))
            .unwrap();
        for (start, end, label) in [(0, 4, "ORG"), (11, 16, "PER")] {
            let label = label.into();
            s.apply(Action::Add { start, end, label }).unwrap();
        }
        let id = |s: &Session, start| {
            let span = s.spans().iter().find(|x| x.start == start);
            span.and_then(|x| x.id.clone()).unwrap()
        };
        let (acme, bo) = (id(&s, 0), id(&s, 11));
        link(&mut s, &acme, &bo, "hired");
        let labels = vec!["business".into()];
        s.apply(Action::SetDocLabels { labels }).unwrap();
        (s, acme, bo)
    }

    fn link(s: &mut Session, from: &str, to: &str, label: &str) {
        let (from, to, label) = (from.into(), to.into(), label.into());
        s.apply(Action::AddRelation { from, to, label }).unwrap();
    }

    #[test]
    fn a_relation_label_renamed_stays_renamed_through_undo_and_redo() {
        let (mut s, acme, bo) = session_with_relation();
        assert_eq!(s.rename_relation_label("hired", " employs ").unwrap(), 1);
        assert_eq!(s.structure().relations.0[0].name, "employs");
        s.apply(Action::Undo).unwrap(); // the document label
        s.apply(Action::Undo).unwrap(); // the relation
        assert!(s.relations().is_empty());
        s.apply(Action::Redo).unwrap();
        assert_eq!(s.relations()[0].label, "employs");
        // A name in use, an empty one or an unknown label: refused, nothing changed.
        link(&mut s, &bo, &acme, "knows");
        assert!(s
            .rename_relation_label("employs", "knows")
            .unwrap_err()
            .0
            .contains("already"));
        assert!(s.rename_relation_label("employs", "  ").is_err());
        assert!(s
            .rename_relation_label("nope", "x")
            .unwrap_err()
            .0
            .contains("nope"));
        let labels: Vec<_> = s.relations().iter().map(|r| r.label.clone()).collect();
        assert_eq!(labels, ["employs", "knows"]);
    }

    #[test]
    fn a_relation_label_deleted_takes_its_relations_only() {
        let (mut s, acme, bo) = session_with_relation();
        link(&mut s, &bo, &acme, "knows");
        assert_eq!(s.delete_relation_label("hired").unwrap(), 1);
        let left: Vec<_> = s.relations().iter().map(|r| r.label.clone()).collect();
        assert_eq!(left, ["knows"]);
        assert!(s.structure().relations.get("hired").is_none());
        assert!(s.delete_relation_label("hired").is_err());
        assert_eq!(s.spans().len(), 2, "the spans stay");
    }

    #[test]
    fn relation_label_colour_key_and_direction() {
        let (mut s, acme, bo) = session_with_relation();
        link(&mut s, &bo, &acme, "knows");
        s.set_relation_label_color("hired", "#A0D8EF").unwrap();
        assert!(s.set_relation_label_color("hired", "red").is_err());
        assert_eq!(s.set_relation_label_key("hired", Some("h")).unwrap(), None);
        assert_eq!(
            s.set_relation_label_key("knows", Some("h"))
                .unwrap()
                .as_deref(),
            Some("hired")
        );
        assert!(s
            .set_relation_label_key("knows", Some("a"))
            .unwrap_err()
            .0
            .contains("accept"));
        s.set_relation_label_directed("knows", false).unwrap();
        let set = s.structure().relations;
        let hired = set.get("hired").unwrap();
        let knows = set.get("knows").unwrap();
        assert_eq!(
            (hired.color.as_str(), hired.key.as_deref(), hired.directed),
            ("#a0d8ef", None, true)
        );
        assert_eq!((knows.key.as_deref(), knows.directed), (Some("h"), false));
    }

    #[test]
    fn document_labels_renamed_and_deleted_in_the_set_and_the_open_document() {
        let (mut s, _, _) = session_with_relation();
        assert!(s.rename_doc_label("business", "economy").unwrap());
        assert_eq!(s.doc_labels(), ["economy"]);
        assert_eq!(s.structure().doc_labels.names, ["economy"]);
        s.apply(Action::Undo).unwrap();
        s.apply(Action::Redo).unwrap();
        assert_eq!(s.doc_labels(), ["economy"], "redo brings the new name");
        assert!(s.delete_doc_label("economy").unwrap());
        assert!(s.doc_labels().is_empty() && s.structure().doc_labels.names.is_empty());
        assert!(s.delete_doc_label("economy").is_err());
    }
}
