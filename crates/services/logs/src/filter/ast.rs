//! The parsed form of a filter pattern: unstructured term groups, JSON
//! expressions, or space-delimited field lists.

use regex::Regex;

use super::text::Glob;

#[derive(Debug, Clone)]
pub enum Pattern {
    /// An empty (or blank) pattern: every event matches.
    MatchAll,
    /// Unstructured terms: the event matches when any group matches, and a
    /// group matches when all of its terms do.
    Terms(Vec<Vec<Term>>),
    /// `{ ... }`: an expression over the event parsed as JSON.
    Json(JsonExpr),
    /// `[ ... ]`: fields of a space-delimited event.
    Delimited(Vec<Field>),
}

#[derive(Debug, Clone)]
pub struct Term {
    /// `-term`: the event must not contain it.
    pub negated: bool,
    pub matcher: TermMatch,
}

#[derive(Debug, Clone)]
pub enum TermMatch {
    /// A word or quoted phrase, matched case-sensitively anywhere in the event.
    Text(String),
    /// `%regex%`.
    Regex(Regex),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A value on the right of a comparison.
#[derive(Debug, Clone)]
pub enum Literal {
    /// A number, with its text as written.
    Number(f64, String),
    /// Text with `*` wildcards (quoted or bare).
    Text(Glob),
    /// `%regex%`.
    Regex(Regex),
}

/// One step of a JSON property selector (`$.a.b[0]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
    /// `[*]`: any element.
    AnyIndex,
}

#[derive(Debug, Clone)]
pub enum JsonExpr {
    And(Box<JsonExpr>, Box<JsonExpr>),
    Or(Box<JsonExpr>, Box<JsonExpr>),
    Compare { path: Vec<Step>, op: Op, value: Literal },
    IsNull(Vec<Step>),
    NotExists(Vec<Step>),
    IsBool(Vec<Step>, bool),
}

/// One field of a space-delimited pattern.
#[derive(Debug, Clone)]
pub enum Field {
    /// `...`: any number of event fields.
    Ellipsis,
    /// A named field, optionally with a condition on its value.
    Named { name: String, condition: Option<Condition> },
}

/// A condition on one delimited field (`status = 4* || status = 5*`).
#[derive(Debug, Clone)]
pub enum Condition {
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Compare(Op, Literal),
}
