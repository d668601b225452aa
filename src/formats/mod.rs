//! Exchange formats, one module each.

pub mod json;

use std::fmt;

/// Why a file could not be read or written: what is wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub message: String,
    /// 1-based line (and column) in the input, where known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl FormatError {
    pub fn new(message: impl Into<String>) -> FormatError {
        FormatError {
            message: message.into(),
            line: None,
            column: None,
        }
    }

    pub fn at_line(mut self, line: usize) -> FormatError {
        self.line = Some(line);
        self
    }

    pub fn from_json(e: &serde_json::Error) -> FormatError {
        // serde_json appends " at line L column C"; keep only the message part.
        let full = e.to_string();
        let message = match full.rfind(" at line ") {
            Some(i) => full[..i].to_string(),
            None => full,
        };
        FormatError {
            message,
            line: Some(e.line()),
            column: Some(e.column()),
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for FormatError {}
