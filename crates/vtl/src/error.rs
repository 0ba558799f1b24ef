//! The one error type: a template that does not parse, or a render that fails.

use std::fmt;

use crate::ast::Pos;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VtlError {
    pub message: String,
    /// Where in the template the problem is, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl VtlError {
    pub(crate) fn at(message: impl Into<String>, pos: Pos) -> Self {
        VtlError { message: message.into(), line: Some(pos.line), column: Some(pos.column) }
    }

    pub(crate) fn new(message: impl Into<String>) -> Self {
        VtlError { message: message.into(), line: None, column: None }
    }
}

impl fmt::Display for VtlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{} at line {line}, column {column}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for VtlError {}
