//! Parsing and validating a filter policy with AWS's error texts, and the
//! complexity limits: at most 5 keys and 150 value combinations per
//! alternative (`$or` branches count separately for keys, summed for
//! combinations).

use super::{AnythingBut, Clause, Cond, FilterError, NumOp, Policy, Rule, Scope};
use serde_json::{Map, Value};

const MAX_KEYS: usize = 5;
const MAX_COMBINATIONS: u64 = 150;

/// Parses and validates `text` as a policy of `scope`.
pub fn parse(text: &str, scope: Scope) -> Result<Policy, FilterError> {
    let value: Value = serde_json::from_str(text).map_err(|e| FilterError::new(jackson_parse_error(text, &e)))?;
    let Value::Object(obj) = value else {
        return Err(FilterError::new("Filter policy must be a JSON object"));
    };
    let policy = policy(&obj)?;
    if scope == Scope::Attributes && has_nested(&policy) {
        return Err(FilterError {
            message: "Filter policy scope MessageAttributes does not support nested filter policy".into(),
            bare: true,
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

fn policy(obj: &Map<String, Value>) -> Result<Policy, FilterError> {
    let mut clauses = Vec::new();
    for (key, value) in obj {
        if key == "$or" {
            let Value::Array(items) = value else {
                return Err(FilterError::new("Or operator must be an array"));
            };
            let mut branches = Vec::new();
            for item in items {
                let Value::Object(o) = item else {
                    return Err(FilterError::new("Or operator must be an array of objects"));
                };
                branches.push(policy(o)?);
            }
            if branches.len() < 2 {
                return Err(FilterError::new("Or operator must have at least two branches"));
            }
            clauses.push(Clause::Or(branches));
            continue;
        }
        let rule = match value {
            Value::Array(items) => Rule::Leaf(conditions(items)?),
            Value::Object(o) => Rule::Nested(policy(o)?),
            _ => return Err(FilterError::new(format!("\"{key}\" must be an object or an array"))),
        };
        clauses.push(Clause::Key(key.clone(), rule));
    }
    Ok(Policy { clauses })
}

fn conditions(items: &[Value]) -> Result<Vec<Cond>, FilterError> {
    if items.is_empty() {
        return Err(FilterError::new("Empty arrays are not allowed"));
    }
    items.iter().map(condition).collect()
}

fn condition(item: &Value) -> Result<Cond, FilterError> {
    match item {
        Value::Array(_) => Err(FilterError::new("Match value must be String, number, true, false, or null")),
        Value::Object(o) => operator(o),
        other => Ok(Cond::Exact(other.clone())),
    }
}

fn must_string<'a>(op: &str, v: &'a Value) -> Result<&'a str, FilterError> {
    v.as_str().ok_or_else(|| FilterError::new(format!("{op} match pattern must be a string")))
}

fn operator(o: &Map<String, Value>) -> Result<Cond, FilterError> {
    if o.len() > 1 {
        return Err(FilterError::new("Only one key allowed in match expression"));
    }
    let Some((op, v)) = o.iter().next() else {
        return Err(FilterError::new("Empty objects are not allowed"));
    };
    match op.as_str() {
        "prefix" => Ok(Cond::Prefix(must_string("prefix", v)?.to_string())),
        "suffix" => Ok(Cond::Suffix(must_string("suffix", v)?.to_string())),
        "equals-ignore-case" => Ok(Cond::EqualsIgnoreCase(must_string("equals-ignore-case", v)?.to_string())),
        "exists" => match v {
            Value::Bool(b) => Ok(Cond::Exists(*b)),
            _ => Err(FilterError::new("exists match pattern must be either true or false.")),
        },
        "cidr" => {
            let s = must_string("prefix", v)?;
            super::Cidr::parse(s).map(Cond::Cidr).map_err(FilterError::new)
        }
        "numeric" => match v {
            Value::Array(items) => numeric(items).map(Cond::Numeric),
            _ => Err(FilterError::new("Value of numeric must be an array.")),
        },
        "anything-but" => anything_but(v).map(Cond::AnythingBut),
        other => Err(FilterError::new(format!("Unrecognized match type {other}"))),
    }
}

fn anything_but(v: &Value) -> Result<AnythingBut, FilterError> {
    match v {
        Value::String(_) | Value::Number(_) => Ok(AnythingBut::Values(vec![v.clone()])),
        Value::Array(items) => {
            for item in items {
                if !(item.is_string() || item.is_number()) {
                    return Err(FilterError::new("Inside anything but list, start|null|boolean is not supported."));
                }
            }
            Ok(AnythingBut::Values(items.clone()))
        }
        Value::Object(o) => {
            if o.len() != 1 {
                return Err(FilterError::new("Only one key allowed in match expression"));
            }
            let Some((op, inner)) = o.iter().next() else {
                return Err(FilterError::new("Empty objects are not allowed"));
            };
            match op.as_str() {
                "prefix" => Ok(AnythingBut::Prefix(must_string("prefix", inner)?.to_string())),
                "suffix" => Ok(AnythingBut::Suffix(must_string("suffix", inner)?.to_string())),
                "equals-ignore-case" => match inner {
                    Value::String(s) => Ok(AnythingBut::EqualsIgnoreCase(vec![s.clone()])),
                    Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => {
                        Ok(AnythingBut::EqualsIgnoreCase(
                            items.iter().filter_map(|i| i.as_str().map(String::from)).collect(),
                        ))
                    }
                    _ => Err(FilterError::new("equals-ignore-case match pattern must be a string")),
                },
                other => Err(FilterError::new(format!("Unsupported anything-but pattern: {other}"))),
            }
        }
        _ => Err(FilterError::new("Value of anything-but must be an array or single string/number value.")),
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

fn numeric(items: &[Value]) -> Result<Vec<(NumOp, f64)>, FilterError> {
    let Some(first) = items.first() else {
        return Err(FilterError::new("Invalid member in numeric match: ]"));
    };
    let Some(op1s) = first.as_str() else {
        return Err(FilterError::new(format!("Invalid member in numeric match: {first}")));
    };
    let op1 = num_op(op1s).ok_or_else(|| FilterError::new(format!("Unrecognized numeric range operator: {op1s}")))?;
    let v1 = items
        .get(1)
        .and_then(Value::as_f64)
        .ok_or_else(|| FilterError::new(format!("Value of {} must be numeric", op_name(op1s))))?;
    if matches!(op1, NumOp::Eq | NumOp::Lt | NumOp::Le) || items.len() == 2 {
        if items.len() > 2 {
            return Err(FilterError::new("Too many elements in numeric expression"));
        }
        return Ok(vec![(op1, v1)]);
    }
    let second = &items[2];
    let Some(op2s) = second.as_str() else {
        return Err(FilterError::new(format!("Bad value in numeric range: {second}")));
    };
    let op2 = match num_op(op2s) {
        Some(op @ (NumOp::Lt | NumOp::Le)) => op,
        _ => return Err(FilterError::new(format!("Bad numeric range operator: {op2s}"))),
    };
    let v2 = items
        .get(3)
        .and_then(Value::as_f64)
        .ok_or_else(|| FilterError::new(format!("Value of {op2s} must be numeric")))?;
    if items.len() > 4 {
        return Err(FilterError::new("Too many terms in numeric range expression"));
    }
    if v1 >= v2 {
        return Err(FilterError::new("Bottom must be less than top"));
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
