//! stub
use super::{File, FormatError, Imported, Options};
use crate::doc::Project;
pub fn export_files(_p: &Project, _o: &Options) -> Result<Vec<File>, FormatError> {
    Err(FormatError::new("todo"))
}
pub fn import_files(_f: &[File]) -> Result<Imported, FormatError> {
    Err(FormatError::new("todo"))
}
