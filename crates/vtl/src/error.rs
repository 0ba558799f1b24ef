//! The one error type: a template that does not parse, or a render that fails.

use std::fmt;

use crate::ast::Pos;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VtlError {
    pub message: String,
    /// Where in the template the problem is, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Arguments that fit no overload of a Java method: Velocity then finds no method and the
    /// call yields null, so this never leaves the crate.
    no_method: bool,
}

impl VtlError {
    pub(crate) fn at(message: impl Into<String>, pos: Pos) -> Self {
        VtlError { message: message.into(), line: Some(pos.line), column: Some(pos.column), no_method: false }
    }

    pub(crate) fn new(message: impl Into<String>) -> Self {
        VtlError { message: message.into(), line: None, column: None, no_method: false }
    }

    pub(crate) fn no_method() -> Self {
        VtlError { no_method: true, ..VtlError::new("no method for these arguments") }
    }

    pub(crate) fn is_no_method(&self) -> bool {
        self.no_method
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
