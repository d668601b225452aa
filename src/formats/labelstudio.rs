//! stub
use super::{FormatError, Imported, Options};
use crate::doc::Project;
pub fn export(_p: &Project, _o: &Options) -> Result<String, FormatError> {
    Err(FormatError::new("todo"))
}
pub fn import(_c: &str) -> Result<Imported, FormatError> {
    Err(FormatError::new("todo"))
}
