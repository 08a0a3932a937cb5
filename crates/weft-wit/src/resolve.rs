//! AST → [`Resolve`]. (stub — being written)
use crate::{PackageId, Resolve, Result};

/// Parsed files of one or more packages, ready to resolve.
pub(crate) struct Group;

impl Resolve {
    pub(crate) fn parse_group(&mut self, files: Vec<(String, String)>) -> Result<Group> {
        let _ = files;
        Ok(Group)
    }
    pub(crate) fn push_group(&mut self, group: Group) -> Result<PackageId> {
        let _ = group;
        Err(crate::Error::io("resolver not written yet"))
    }
}
