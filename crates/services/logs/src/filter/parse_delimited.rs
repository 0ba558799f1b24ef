//! Parsing space-delimited filter patterns:
//! `[ip, user, ..., status = 4* || status = 5*, bytes > 1000]`.
//!
//! Each comma-separated field is `...` (any number of event fields), a name,
//! or a condition on a name; one field's condition may only name that field.

use super::ast::{Condition, Field};
use super::cursor::Cursor;
use super::{MAX_DEPTH, PatternError};

/// Characters that end a bare value in a delimited pattern.
const VALUE_STOPS: [char; 5] = [',', ']', '&', '|', ')'];

pub fn parse(pattern: &str, regexes: &mut usize) -> Result<Vec<Field>, PatternError> {
    let mut cur = Cursor::new(pattern);
    cur.expect("[")?;
    let mut fields = Vec::new();
    cur.skip_ws();
    if !cur.eat("]") {
        loop {
            fields.push(field(&mut cur, regexes)?);
            cur.skip_ws();
            if cur.eat("]") {
                break;
            }
            if !cur.eat(",") {
                return Err(PatternError::new("expected ',' or ']'"));
            }
        }
    }
    cur.skip_ws();
    if !cur.at_end() {
        return Err(PatternError::new("unexpected text after ']'"));
    }
    Ok(fields)
}

fn field(cur: &mut Cursor, regexes: &mut usize) -> Result<Field, PatternError> {
    cur.skip_ws();
    if cur.eat("...") {
        return Ok(Field::Ellipsis);
    }
    let mut name = None;
    let condition = or(cur, regexes, &mut name, 0)?;
    let name = name.ok_or_else(|| PatternError::new("expected a field name"))?;
    Ok(Field::Named { name, condition })
}

/// A field's name and optional condition. Returns `None` for a bare name.
fn or(
    cur: &mut Cursor,
    regexes: &mut usize,
    name: &mut Option<String>,
    depth: usize,
) -> Result<Option<Condition>, PatternError> {
    let Some(mut left) = and(cur, regexes, name, depth)? else {
        return Ok(None);
    };
    loop {
        cur.skip_ws();
        if !cur.eat("||") {
            return Ok(Some(left));
        }
        let right =
            and(cur, regexes, name, depth)?.ok_or_else(|| PatternError::new("expected a condition after '||'"))?;
        left = Condition::Or(Box::new(left), Box::new(right));
    }
}

fn and(
    cur: &mut Cursor,
    regexes: &mut usize,
    name: &mut Option<String>,
    depth: usize,
) -> Result<Option<Condition>, PatternError> {
    let Some(mut left) = unary(cur, regexes, name, depth)? else {
        return Ok(None);
    };
    loop {
        cur.skip_ws();
        if !cur.eat("&&") {
            return Ok(Some(left));
        }
        let right =
            unary(cur, regexes, name, depth)?.ok_or_else(|| PatternError::new("expected a condition after '&&'"))?;
        left = Condition::And(Box::new(left), Box::new(right));
    }
}

fn unary(
    cur: &mut Cursor,
    regexes: &mut usize,
    name: &mut Option<String>,
    depth: usize,
) -> Result<Option<Condition>, PatternError> {
    if depth >= MAX_DEPTH {
        return Err(PatternError::new("pattern nests too deeply"));
    }
    cur.skip_ws();
    if cur.eat("(") {
        let inner = or(cur, regexes, name, depth + 1)?;
        cur.expect(")")?;
        return inner.map(Some).ok_or_else(|| PatternError::new("expected a condition inside parentheses"));
    }
    let word = field_name(cur);
    if word.is_empty() {
        return Err(PatternError::new("expected a field name"));
    }
    match name {
        Some(existing) if *existing != word => {
            return Err(PatternError::new(format!("field '{existing}' cannot test another field ('{word}')")));
        }
        Some(_) => {}
        None => *name = Some(word),
    }
    match cur.operator() {
        Some(op) => Ok(Some(Condition::Compare(op, cur.literal(&VALUE_STOPS, regexes)?))),
        None => Ok(None),
    }
}

fn field_name(cur: &mut Cursor) -> String {
    let mut out = String::new();
    while let Some(c) = cur.peek() {
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '$' | '.' | '@') {
            out.push(c);
            cur.bump();
        } else {
            break;
        }
    }
    out
}
