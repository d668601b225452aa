//! stub
use super::{File, FormatError};
pub(crate) fn looks_like_tar(_b: &[u8]) -> bool {
    false
}
pub(crate) fn read(_b: &[u8]) -> Result<Vec<File>, FormatError> {
    Err(FormatError::new("todo"))
}
pub(crate) fn write(_f: &[File]) -> Vec<u8> {
    Vec::new()
}
