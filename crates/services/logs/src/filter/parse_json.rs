//! Parsing JSON filter patterns: `{ $.a.b[0] = "x" && ($.n > 5 || $.c IS NULL) }`.
//!
//! Grammar (`||` binds looser than `&&`):
//! ```text
//! pattern    := '{' or '}'
//! or         := and ('||' and)*
//! and        := unary ('&&' unary)*
//! unary      := '(' or ')' | comparison
//! comparison := selector op literal | selector IS (NULL|TRUE|FALSE) | selector NOT EXISTS
//! selector   := '$' ('.' key | '[' index ']' | '[*]')*
//! ```

use super::ast::{JsonExpr, Step};
use super::cursor::Cursor;
use super::{MAX_DEPTH, PatternError};

/// Characters that end a bare value in a JSON pattern.
const VALUE_STOPS: [char; 5] = [')', '}', '&', '|', '('];

pub fn parse(pattern: &str, regexes: &mut usize) -> Result<JsonExpr, PatternError> {
    let mut cur = Cursor::new(pattern);
    cur.expect("{")?;
    let expr = or(&mut cur, regexes, 0)?;
    cur.expect("}")?;
    cur.skip_ws();
    if !cur.at_end() {
        return Err(PatternError::new("unexpected text after '}'"));
    }
    Ok(expr)
}

fn or(cur: &mut Cursor, regexes: &mut usize, depth: usize) -> Result<JsonExpr, PatternError> {
    let mut left = and(cur, regexes, depth)?;
    loop {
        cur.skip_ws();
        if !cur.eat("||") {
            return Ok(left);
        }
        let right = and(cur, regexes, depth)?;
        left = JsonExpr::Or(Box::new(left), Box::new(right));
    }
}

fn and(cur: &mut Cursor, regexes: &mut usize, depth: usize) -> Result<JsonExpr, PatternError> {
    let mut left = unary(cur, regexes, depth)?;
    loop {
        cur.skip_ws();
        if !cur.eat("&&") {
            return Ok(left);
        }
        let right = unary(cur, regexes, depth)?;
        left = JsonExpr::And(Box::new(left), Box::new(right));
    }
}

fn unary(cur: &mut Cursor, regexes: &mut usize, depth: usize) -> Result<JsonExpr, PatternError> {
    if depth >= MAX_DEPTH {
        return Err(PatternError::new("pattern nests too deeply"));
    }
    cur.skip_ws();
    if cur.eat("(") {
        let inner = or(cur, regexes, depth + 1)?;
        cur.expect(")")?;
        return Ok(inner);
    }
    comparison(cur, regexes)
}

fn comparison(cur: &mut Cursor, regexes: &mut usize) -> Result<JsonExpr, PatternError> {
    let path = selector(cur)?;
    cur.skip_ws();
    if cur.eat_keyword("IS") {
        cur.skip_ws();
        if cur.eat_keyword("NULL") {
            return Ok(JsonExpr::IsNull(path));
        }
        if cur.eat_keyword("TRUE") {
            return Ok(JsonExpr::IsBool(path, true));
        }
        if cur.eat_keyword("FALSE") {
            return Ok(JsonExpr::IsBool(path, false));
        }
        return Err(PatternError::new("expected NULL, TRUE or FALSE after IS"));
    }
    if cur.eat_keyword("NOT") {
        cur.skip_ws();
        if cur.eat_keyword("EXISTS") {
            return Ok(JsonExpr::NotExists(path));
        }
        return Err(PatternError::new("expected EXISTS after NOT"));
    }
    let op = cur.operator().ok_or_else(|| PatternError::new("expected a comparison operator"))?;
    let value = cur.literal(&VALUE_STOPS, regexes)?;
    Ok(JsonExpr::Compare { path, op, value })
}

fn selector(cur: &mut Cursor) -> Result<Vec<Step>, PatternError> {
    cur.skip_ws();
    if !cur.eat("$") {
        return Err(PatternError::new("a JSON property selector must start with '$'"));
    }
    let mut steps = Vec::new();
    loop {
        if cur.eat(".") {
            let key = key(cur);
            if key.is_empty() {
                return Err(PatternError::new("expected a property name after '.'"));
            }
            steps.push(Step::Key(key));
        } else if cur.eat("[") {
            if cur.eat("*") {
                steps.push(Step::AnyIndex);
            } else {
                let digits = cur.bareword(&[']']);
                let index = digits.parse().map_err(|_| PatternError::new("an array index must be a number"))?;
                steps.push(Step::Index(index));
            }
            if !cur.eat("]") {
                return Err(PatternError::new("expected ']'"));
            }
        } else {
            break;
        }
    }
    if steps.is_empty() {
        return Err(PatternError::new("a JSON property selector needs at least one property"));
    }
    Ok(steps)
}

fn key(cur: &mut Cursor) -> String {
    let mut out = String::new();
    while let Some(c) = cur.peek() {
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '@' | '$' | ':') {
            out.push(c);
            cur.bump();
        } else {
            break;
        }
    }
    out
}
