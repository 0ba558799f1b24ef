//! JSONPath filter expressions, `[?(@.price > 10 && @.type == 'dog')]`: comparisons
//! (`== != < <= > >=`) of `@`/`$` paths and literals, `&&`, `||`, `!`, parentheses, and a bare
//! path that tests whether the value exists.

use serde_json::Value as Json;

use super::{Path, Selection};
use crate::ast::BinOp as Op;

pub enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare(Operand, Op, Operand),
    Exists(Operand),
}

pub enum Operand {
    /// `@...` (relative to the item) or `$...` (from the document root).
    Path {
        relative: bool,
        path: Path,
    },
    Literal(Json),
}

/// How deep parentheses and `!` may nest in one filter.
const MAX_NESTING: usize = 32;

/// Parses the text between `?(` and its `)` (`depth` filters deep); None when it is not a
/// filter this supports.
pub fn parse(text: &str, depth: usize) -> Option<Filter> {
    let chars: Vec<char> = text.chars().collect();
    let mut parser = FilterParser { chars, i: 0, depth, nesting: 0 };
    let filter = parser.or()?;
    parser.skip_ws();
    (parser.i == parser.chars.len()).then_some(filter)
}

struct FilterParser {
    chars: Vec<char>,
    i: usize,
    depth: usize,
    nesting: usize,
}

impl FilterParser {
    fn skip_ws(&mut self) {
        while self.chars.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        let matched = token.chars().enumerate().all(|(k, c)| self.chars.get(self.i + k) == Some(&c));
        if matched {
            self.i += token.chars().count();
        }
        matched
    }

    fn or(&mut self) -> Option<Filter> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Some(left)
    }

    fn and(&mut self) -> Option<Filter> {
        let mut left = self.unary()?;
        while self.eat("&&") {
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Some(left)
    }

    fn unary(&mut self) -> Option<Filter> {
        self.nesting += 1;
        let result = if self.nesting > MAX_NESTING { None } else { self.unary_inner() };
        self.nesting -= 1;
        result
    }

    fn unary_inner(&mut self) -> Option<Filter> {
        if self.eat("(") {
            let inner = self.or()?;
            return self.eat(")").then_some(inner);
        }
        if self.chars.get(self.i) == Some(&'!') && self.chars.get(self.i + 1) != Some(&'=') && self.eat("!") {
            return Some(Filter::Not(Box::new(self.unary()?)));
        }
        let left = self.operand()?;
        const OPS: [(&str, Op); 6] =
            [("==", Op::Eq), ("!=", Op::Ne), ("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt)];
        for (token, op) in OPS {
            if self.eat(token) {
                return Some(Filter::Compare(left, op, self.operand()?));
            }
        }
        Some(Filter::Exists(left))
    }

    fn operand(&mut self) -> Option<Operand> {
        self.skip_ws();
        let start = self.i;
        match self.chars.get(self.i)? {
            '@' | '$' => {
                let relative = self.chars[start] == '@';
                let mut depth = 0;
                let mut quote = None;
                while let Some(&c) = self.chars.get(self.i) {
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') => quote = Some(c),
                        (None, '[') => depth += 1,
                        (None, ']') => depth -= 1,
                        (None, c) if depth == 0 && (c.is_whitespace() || "=!<>&|)".contains(c)) => break,
                        _ => {}
                    }
                    self.i += 1;
                }
                let text: String = std::iter::once('$').chain(self.chars[start + 1..self.i].iter().copied()).collect();
                Some(Operand::Path { relative, path: Path::parse_at(&text, self.depth).ok()? })
            }
            '\'' | '"' => {
                let quote = self.chars[start];
                let end = (start + 1..self.chars.len()).find(|k| self.chars[*k] == quote)?;
                self.i = end + 1;
                Some(Operand::Literal(Json::String(self.chars[start + 1..end].iter().collect())))
            }
            _ => {
                while self.chars.get(self.i).is_some_and(|c| c.is_alphanumeric() || "+-.".contains(*c)) {
                    self.i += 1;
                }
                let word: String = self.chars[start..self.i].iter().collect();
                serde_json::from_str::<Json>(&word)
                    .ok()
                    .filter(|v| !v.is_array() && !v.is_object())
                    .map(Operand::Literal)
            }
        }
    }
}

impl Filter {
    /// Whether `item` (a member of the filtered array or object) passes.
    pub fn accepts(&self, item: &Json, root: &Json) -> bool {
        match self {
            Filter::Or(a, b) => a.accepts(item, root) || b.accepts(item, root),
            Filter::And(a, b) => a.accepts(item, root) && b.accepts(item, root),
            Filter::Not(inner) => !inner.accepts(item, root),
            Filter::Exists(operand) => operand.value(item, root).is_some(),
            Filter::Compare(left, op, right) => match (left.value(item, root), right.value(item, root)) {
                (Some(a), Some(b)) => compare(&a, *op, &b),
                _ => false,
            },
        }
    }
}

impl Operand {
    fn value(&self, item: &Json, root: &Json) -> Option<Json> {
        match self {
            Operand::Literal(json) => Some(json.clone()),
            Operand::Path { relative, path } => match path.select(if *relative { item } else { root }) {
                Selection::One(one) => one.cloned(),
                Selection::Many(many) => Some(Json::Array(many.into_iter().cloned().collect())),
            },
        }
    }
}

fn compare(a: &Json, op: Op, b: &Json) -> bool {
    let ordering = match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()),
        (Json::String(x), Json::String(y)) => Some(x.cmp(y)),
        _ => None,
    };
    match op {
        Op::Eq => ordering.map_or(a == b, |o| o.is_eq()),
        Op::Ne => !ordering.map_or(a == b, |o| o.is_eq()),
        Op::Lt => ordering.is_some_and(|o| o.is_lt()),
        Op::Le => ordering.is_some_and(|o| o.is_le()),
        Op::Gt => ordering.is_some_and(|o| o.is_gt()),
        _ => ordering.is_some_and(|o| o.is_ge()),
    }
}
