//! CloudWatch Logs filter patterns (the syntax metric filters, subscription
//! filters, FilterLogEvents and Live Tail share): parsing into
//! [`FilterPattern`] and matching event messages against it.
//!
//! - `parse`, `parse_json`, `parse_delimited`: the three grammars;
//! - `cursor`: their shared lexing; `text`: globs, regexes, numbers;
//! - `eval`: matching; `fields` and `split`: space-delimited events.

mod ast;
mod cursor;
mod eval;
mod fields;
mod parse;
mod parse_delimited;
mod parse_json;
mod split;
mod text;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

/// Most regular expressions one pattern may hold (AWS's quota).
pub(crate) const MAX_REGEXES: usize = 2;
/// Deepest parenthesis nesting accepted (keeps recursion bounded).
pub(crate) const MAX_DEPTH: usize = 32;

/// A parsed filter pattern.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    pattern: ast::Pattern,
}

/// Why a pattern did not parse (for logs; AWS's message is generic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

impl PatternError {
    pub(crate) fn new(detail: impl Into<String>) -> PatternError {
        PatternError(detail.into())
    }
}

impl FilterPattern {
    /// Parses `pattern`; an empty or blank pattern matches every event.
    pub fn parse(pattern: &str) -> Result<FilterPattern, PatternError> {
        Ok(FilterPattern { pattern: parse::parse(pattern)? })
    }

    /// True when the event message matches.
    pub fn matches(&self, message: &str) -> bool {
        eval::matches(&self.pattern, message)
    }

    /// On a match, the values the pattern extracts (`$field` → value for
    /// space-delimited patterns); `None` when the message does not match.
    pub fn extract(&self, message: &str) -> Option<BTreeMap<String, String>> {
        eval::extract(&self.pattern, message)
    }

    /// True for JSON and space-delimited patterns, the kinds whose metric
    /// filters may publish dimensions.
    pub fn is_structured(&self) -> bool {
        matches!(self.pattern, ast::Pattern::Json(_) | ast::Pattern::Delimited(_))
    }
}
