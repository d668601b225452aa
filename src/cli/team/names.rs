//! The rules for names on a team server: accounts (ours) and projects
//! (CouchDB's database names, since a project is one database).

/// The annotator name of a document's curated record (`ann:<doc>:curated`),
/// so never an account's.
pub const RESERVED_USER: &str = "curated";

const MAX_USER: usize = 64;
const MAX_PROJECT: usize = 238;

/// An account name: 1 to 64 ASCII letters, digits, `.`, `_` or `-`,
/// starting with a letter or digit, and not `curated` (in any case). `:`
/// is out because it separates the parts of a record id
/// (`ann:<doc>:<annotator>`) and of HTTP Basic credentials.
pub fn check_user(name: &str) -> Result<(), String> {
    const RULE: &str = "a user name has 1 to 64 letters (a-z, A-Z), digits, '.', '_' or '-', and starts with a letter or digit";
    let ok = (1..=MAX_USER).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err(format!("{name:?} is not a user name: {RULE}"));
    }
    if name.eq_ignore_ascii_case(RESERVED_USER) {
        return Err(format!(
            "{name:?} is reserved: it names each document's curated record"
        ));
    }
    Ok(())
}

/// A project name, CouchDB's rule for database names:
/// `^[a-z][a-z0-9_$()+/-]*$`, at most 238 characters.
pub fn check_project(name: &str) -> Result<(), String> {
    const RULE: &str = "a project name starts with a lowercase letter (a-z) and has only lowercase letters, digits and _ $ ( ) + - /, at most 238 characters";
    let ok = name.len() <= MAX_PROJECT
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_$()+-/".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a project name: {RULE}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_follow_the_rule() {
        for good in ["ana", "Ana.Lima", "b0b", "x_y-z", "7", &"a".repeat(64)] {
            assert_eq!(check_user(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "-ana",
            ".ana",
            "ana lima",
            "ana:x",
            "anä",
            "a/b",
            &"a".repeat(65),
        ] {
            let e = check_user(bad).unwrap_err();
            assert!(e.contains("is not a user name"), "{bad}: {e}");
        }
    }

    #[test]
    fn curated_is_reserved_in_any_case() {
        for name in ["curated", "Curated", "CURATED"] {
            let e = check_user(name).unwrap_err();
            assert!(e.contains("reserved"), "{name}: {e}");
        }
        assert_eq!(check_user("curated2"), Ok(()));
    }

    #[test]
    fn project_names_follow_couchdbs_rule() {
        for good in [
            "news",
            "a",
            "news-2026",
            "team/news_(v2)+$",
            &"a".repeat(238),
        ] {
            assert_eq!(check_project(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "News",
            "2news",
            "_users",
            "news 2026",
            "news.2026",
            "nouvelles-é",
            &"a".repeat(239),
        ] {
            let e = check_project(bad).unwrap_err();
            assert!(e.contains("starts with a lowercase letter"), "{bad}: {e}");
        }
    }
}
