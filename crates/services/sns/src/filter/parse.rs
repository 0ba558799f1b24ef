//! Parsing and validating a filter policy with AWS's error texts, and the
//! complexity limits: at most 5 keys and 150 value combinations per
//! alternative (`$or` branches count separately for keys, summed for
//! combinations).

use super::location::{At, Index, Seg, suffix};
use super::{AnythingBut, Clause, Cond, FilterError, NumOp, Policy, Rule, Scope};
use serde_json::{Map, Value};

type Path = Vec<Seg>;

fn child(path: &Path, seg: Seg) -> Path {
    let mut p = path.clone();
    p.push(seg);
    p
}

fn key(path: &Path, k: &str) -> Path {
    child(path, Seg::Key(k.to_string()))
}

fn idx(path: &Path, i: usize) -> Path {
    child(path, Seg::Idx(i))
}

/// An error AWS reports with the parser's position.
fn located(message: impl Into<String>, path: Path, at: At) -> FilterError {
    FilterError { message: message.into(), bare: false, at: Some((path, at)) }
}

const MAX_KEYS: usize = 5;
const MAX_COMBINATIONS: u64 = 150;

/// Parses and validates `text` as a policy of `scope`.
pub fn parse(text: &str, scope: Scope) -> Result<Policy, FilterError> {
    let value: Value = serde_json::from_str(text).map_err(|e| FilterError::new(jackson_parse_error(text, &e)))?;
    let Value::Object(obj) = value else {
        return Err(FilterError::new("Filter policy must be a JSON object"));
    };
    let policy = policy(&obj, &Vec::new()).map_err(|mut e| {
        if let Some((path, at)) = e.at.take()
            && let Some(pos) = Index::new(text).and_then(|i| i.at(&path, at))
        {
            e.message.push_str(&suffix(text, pos));
        }
        e
    })?;
    if scope == Scope::Attributes && has_nested(&policy) {
        return Err(FilterError {
            message: "Filter policy scope MessageAttributes does not support nested filter policy".into(),
            bare: true,
            at: None,
        });
    }
    let alternatives = complexity(&policy);
    if alternatives.iter().any(|(keys, _)| *keys > MAX_KEYS) {
        return Err(FilterError::new("Filter policy can not have more than 5 keys"));
    }
    let total: u64 = alternatives.iter().fold(0u64, |acc, (_, c)| acc.saturating_add(*c));
    if total > MAX_COMBINATIONS {
        return Err(FilterError::new("Filter policy is too complex"));
    }
    Ok(policy)
}

/// A JSON syntax error worded like AWS's (Jackson's) parser where we can.
pub fn jackson_parse_error(text: &str, e: &serde_json::Error) -> String {
    const SOURCE: &str = "at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)";
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    if i < chars.len() && chars[i].is_ascii_alphabetic() {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        if !["true", "false", "null"].contains(&token.as_str()) {
            return format!(
                "failed to parse JSON. Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n {SOURCE}; line: 1, column: {}]",
                i + 1
            );
        }
    }
    if i < chars.len() && chars[i] == '{' {
        let mut j = i + 1;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        if let Some(&c) = chars.get(j)
            && c != '"'
            && c != '}'
        {
            return format!(
                "failed to parse JSON. Unexpected character ('{c}' (code {})): was expecting double-quote to start field name\n {SOURCE}; line: 1, column: {}]",
                c as u32,
                j + 1
            );
        }
    }
    format!("failed to parse JSON. {e}")
}

fn policy(obj: &Map<String, Value>, path: &Path) -> Result<Policy, FilterError> {
    let mut clauses = Vec::new();
    for (name, value) in obj {
        let here = key(path, name);
        if name == "$or" {
            let Value::Array(items) = value else {
                return Err(located("Or operator must be an array", here, At::Fetched));
            };
            let mut branches = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let Value::Object(o) = item else {
                    return Err(located("Or operator must be an array of objects", idx(&here, i), At::Fetched));
                };
                branches.push(policy(o, &idx(&here, i))?);
            }
            if branches.len() < 2 {
                return Err(FilterError::new("Or operator must have at least two branches"));
            }
            clauses.push(Clause::Or(branches));
            continue;
        }
        let rule = match value {
            Value::Array(items) => Rule::Leaf(conditions(items, &here)?),
            Value::Object(o) => Rule::Nested(policy(o, &here)?),
            _ => return Err(located(format!("\"{name}\" must be an object or an array"), here, At::Fetched)),
        };
        clauses.push(Clause::Key(name.clone(), rule));
    }
    Ok(Policy { clauses })
}

fn conditions(items: &[Value], path: &Path) -> Result<Vec<Cond>, FilterError> {
    if items.is_empty() {
        return Err(located("Empty arrays are not allowed", path.clone(), At::End));
    }
    items.iter().enumerate().map(|(i, item)| condition(item, &idx(path, i))).collect()
}

fn condition(item: &Value, path: &Path) -> Result<Cond, FilterError> {
    match item {
        Value::Array(_) => {
            Err(located("Match value must be String, number, true, false, or null", path.clone(), At::Fetched))
        }
        Value::Object(o) => operator(o, path),
        other => Ok(Cond::Exact(other.clone())),
    }
}

fn must_string<'a>(op: &str, v: &'a Value, path: Path) -> Result<&'a str, FilterError> {
    v.as_str().ok_or_else(|| located(format!("{op} match pattern must be a string"), path, At::Fetched))
}

fn second_key(path: &Path, o: &Map<String, Value>) -> Path {
    key(path, o.keys().nth(1).map(String::as_str).unwrap_or(""))
}

fn operator(o: &Map<String, Value>, path: &Path) -> Result<Cond, FilterError> {
    if o.len() > 1 {
        return Err(located("Only one key allowed in match expression", second_key(path, o), At::Fetched));
    }
    let Some((op, v)) = o.iter().next() else {
        return Err(located("Empty objects are not allowed", path.clone(), At::End));
    };
    let here = key(path, op);
    match op.as_str() {
        "prefix" => Ok(Cond::Prefix(must_string("prefix", v, here)?.to_string())),
        "suffix" => Ok(Cond::Suffix(must_string("suffix", v, here)?.to_string())),
        "equals-ignore-case" => Ok(Cond::EqualsIgnoreCase(must_string("equals-ignore-case", v, here)?.to_string())),
        "exists" => match v {
            Value::Bool(b) => Ok(Cond::Exists(*b)),
            _ => Err(located("exists match pattern must be either true or false.", here, At::Fetched)),
        },
        "cidr" => {
            let s = must_string("prefix", v, here)?;
            super::Cidr::parse(s).map(Cond::Cidr).map_err(FilterError::new)
        }
        "numeric" => match v {
            Value::Array(items) => numeric(items, &here).map(Cond::Numeric),
            _ => Err(located("Value of numeric must be an array.", here, At::Fetched)),
        },
        "anything-but" => anything_but(v, &here).map(Cond::AnythingBut),
        other => Err(located(format!("Unrecognized match type {other}"), here, At::Fetched)),
    }
}

fn anything_but(v: &Value, path: &Path) -> Result<AnythingBut, FilterError> {
    match v {
        Value::String(_) | Value::Number(_) => Ok(AnythingBut::Values(vec![v.clone()])),
        Value::Array(items) => {
            if let Some(i) = items.iter().position(|item| !(item.is_string() || item.is_number())) {
                return Err(located(
                    "Inside anything but list, start|null|boolean is not supported.",
                    idx(path, i),
                    At::Fetched,
                ));
            }
            Ok(AnythingBut::Values(items.clone()))
        }
        Value::Object(o) => {
            if o.len() > 1 {
                return Err(located("Only one key allowed in match expression", second_key(path, o), At::Fetched));
            }
            let Some((op, inner)) = o.iter().next() else {
                return Err(located("Empty objects are not allowed", path.clone(), At::End));
            };
            let here = key(path, op);
            match op.as_str() {
                "prefix" => Ok(AnythingBut::Prefix(must_string("prefix", inner, here)?.to_string())),
                "suffix" => Ok(AnythingBut::Suffix(must_string("suffix", inner, here)?.to_string())),
                "equals-ignore-case" => match inner {
                    Value::String(s) => Ok(AnythingBut::EqualsIgnoreCase(vec![s.clone()])),
                    Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => {
                        Ok(AnythingBut::EqualsIgnoreCase(
                            items.iter().filter_map(|i| i.as_str().map(String::from)).collect(),
                        ))
                    }
                    _ => Err(located("equals-ignore-case match pattern must be a string", here, At::Fetched)),
                },
                other => Err(located(format!("Unsupported anything-but pattern: {other}"), here, At::Fetched)),
            }
        }
        _ => Err(located(
            "Value of anything-but must be an array or single string/number value.",
            path.clone(),
            At::Fetched,
        )),
    }
}

fn num_op(s: &str) -> Option<NumOp> {
    Some(match s {
        "=" => NumOp::Eq,
        "<" => NumOp::Lt,
        "<=" => NumOp::Le,
        ">" => NumOp::Gt,
        ">=" => NumOp::Ge,
        _ => return None,
    })
}

fn op_name(s: &str) -> &str {
    if s == "=" { "equals" } else { s }
}

/// The element `i` of a numeric expression as fetched, or the end of the
/// array when there is none.
fn elem(path: &Path, items: &[Value], i: usize) -> (Path, At) {
    if i < items.len() { (idx(path, i), At::Fetched) } else { (path.clone(), At::End) }
}

fn numeric(items: &[Value], path: &Path) -> Result<Vec<(NumOp, f64)>, FilterError> {
    let fail = |message: String, (p, at): (Path, At)| located(message, p, at);
    let Some(first) = items.first() else {
        return Err(located("Invalid member in numeric match: ]", path.clone(), At::End));
    };
    let Some(op1s) = first.as_str() else {
        return Err(fail(format!("Invalid member in numeric match: {first}"), elem(path, items, 0)));
    };
    let op1 = num_op(op1s)
        .ok_or_else(|| fail(format!("Unrecognized numeric range operator: {op1s}"), elem(path, items, 1)))?;
    let v1 = items
        .get(1)
        .and_then(Value::as_f64)
        .ok_or_else(|| fail(format!("Value of {} must be numeric", op_name(op1s)), elem(path, items, 1)))?;
    if matches!(op1, NumOp::Eq | NumOp::Lt | NumOp::Le) || items.len() == 2 {
        if items.len() > 2 {
            return Err(fail("Too many elements in numeric expression".into(), elem(path, items, 2)));
        }
        return Ok(vec![(op1, v1)]);
    }
    let second = &items[2];
    let Some(op2s) = second.as_str() else {
        return Err(fail(format!("Bad value in numeric range: {second}"), elem(path, items, 2)));
    };
    let op2 = match num_op(op2s) {
        Some(op @ (NumOp::Lt | NumOp::Le)) => op,
        _ => return Err(located(format!("Bad numeric range operator: {op2s}"), idx(path, 2), At::Read)),
    };
    let v2 = items
        .get(3)
        .and_then(Value::as_f64)
        .ok_or_else(|| fail(format!("Value of {op2s} must be numeric"), elem(path, items, 3)))?;
    if items.len() > 4 {
        return Err(fail("Too many terms in numeric range expression".into(), elem(path, items, 4)));
    }
    if v1 >= v2 {
        return Err(located("Bottom must be less than top", path.clone(), At::End));
    }
    Ok(vec![(op1, v1), (op2, v2)])
}

fn has_nested(p: &Policy) -> bool {
    p.clauses.iter().any(|c| match c {
        Clause::Key(_, Rule::Nested(_)) => true,
        Clause::Key(_, Rule::Leaf(_)) => false,
        Clause::Or(branches) => branches.iter().any(has_nested),
    })
}

/// Every alternative of the policy as `(keys, combinations)`.
fn complexity(p: &Policy) -> Vec<(usize, u64)> {
    let mut alts: Vec<(usize, u64)> = vec![(0, 1)];
    for clause in &p.clauses {
        let options: Vec<(usize, u64)> = match clause {
            Clause::Key(_, Rule::Leaf(conds)) => vec![(1, conds.len() as u64)],
            Clause::Key(_, Rule::Nested(inner)) => complexity(inner),
            Clause::Or(branches) => branches.iter().flat_map(complexity).collect(),
        };
        let mut next = Vec::with_capacity(alts.len() * options.len());
        for (k, c) in &alts {
            for (k2, c2) in &options {
                next.push((k + k2, c.saturating_mul(*c2)));
            }
        }
        next.truncate(10_000);
        alts = next;
    }
    alts
}
