//! stub
use super::{FormatError, Imported, Options};
use crate::doc::Project;
pub fn export_json(_p: &Project, _o: &Options) -> Result<String, FormatError> {
    Err(FormatError::new("todo"))
}
pub fn export_docbin(_p: &Project, _o: &Options) -> Result<Vec<u8>, FormatError> {
    Err(FormatError::new("todo"))
}
pub fn import(_c: &[u8]) -> Result<Imported, FormatError> {
    Err(FormatError::new("todo"))
}
