//! Subscription filter policies: parsing and validation with AWS's messages
//! (`parse`), the complexity limits (5 keys, 150 combinations), and matching
//! against message attributes or a JSON message body (`matcher`).

mod cidr;
mod location;
mod matcher;
mod parse;

#[cfg(test)]
mod tests;

pub use cidr::Cidr;
pub use matcher::{attributes_document, matches};
pub use parse::{jackson_parse_error, parse};

/// Where a policy looks: `MessageAttributes` (default) or `MessageBody`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Attributes,
    Body,
}

impl Scope {
    /// The scope named by a `FilterPolicyScope` attribute value.
    pub fn from_attr(value: Option<&str>) -> Scope {
        match value {
            Some("MessageBody") => Scope::Body,
            _ => Scope::Attributes,
        }
    }
}

/// A parsed policy: every clause must match.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// `"key": [...]` or `"key": {nested}`.
    Key(String, Rule),
    /// `"$or": [policy, policy, ...]`: one of them must match.
    Or(Vec<Policy>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// A list of conditions, one of which must hold.
    Leaf(Vec<Cond>),
    /// A nested object (message-body policies only).
    Nested(Policy),
}

/// One condition on a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Exact(serde_json::Value),
    Prefix(String),
    Suffix(String),
    EqualsIgnoreCase(String),
    AnythingBut(AnythingBut),
    /// `(operator, bound)` pairs, all of which must hold.
    Numeric(Vec<(NumOp, f64)>),
    Exists(bool),
    Cidr(Cidr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum AnythingBut {
    Values(Vec<serde_json::Value>),
    Prefix(String),
    Suffix(String),
    EqualsIgnoreCase(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A policy that failed validation: the text after `FilterPolicy: `, or a
/// whole message AWS words differently (`scoped`).
#[derive(Debug, Clone, PartialEq)]
pub struct FilterError {
    pub message: String,
    /// True when the message is AWS's whole text, without the `FilterPolicy:` prefix.
    pub bare: bool,
    /// Where AWS's parser reports the error (path and position kind).
    pub at: Option<(Vec<location::Seg>, location::At)>,
}

impl FilterError {
    pub fn new(message: impl Into<String>) -> FilterError {
        FilterError { message: message.into(), bare: false, at: None }
    }
}
