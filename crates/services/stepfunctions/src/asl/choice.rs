//! Choice rules in JSONPath mode: comparisons of a `Variable` with a literal
//! or with another path (`…Path` operators), type tests (`IsPresent`,
//! `IsNull`, …), `StringMatches`, and `And`/`Or`/`Not`.

use super::scope::Scope;
use serde_json::Value;
use std::cmp::Ordering;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Whether `rule` holds for `input`; `Err` carries AWS's cause text.
pub fn matches(rule: &Value, input: &Value, scope: &Scope) -> Result<bool, String> {
    if let Some(all) = rule.get("And").and_then(Value::as_array) {
        for r in all {
            if !matches(r, input, scope)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if let Some(any) = rule.get("Or").and_then(Value::as_array) {
        for r in any {
            if matches(r, input, scope)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(not) = rule.get("Not") {
        return Ok(!matches(not, input, scope)?);
    }
    let var = rule.get("Variable").and_then(Value::as_str).ok_or("A choice rule has no Variable")?;
    let Some((op, operand)) = operator(rule) else {
        return Err(format!("A choice rule on '{var}' has no comparison operator"));
    };
    if op == "IsPresent" {
        let present = scope.path(input, var).is_ok_and(|v| !(is_indefinite_empty(var, &v)));
        return Ok(present == operand.as_bool().unwrap_or(false));
    }
    let value = scope
        .path(input, var)
        .map_err(|_| format!("Invalid path '{var}': The choice state's condition path references an invalid value."))?;
    let (base, is_path) = match op.strip_suffix("Path") {
        Some(b) if op != "TimestampPath" => (b, true),
        _ => (op, false),
    };
    let operand = if is_path {
        let p = operand.as_str().ok_or("A …Path operator needs a path")?;
        scope.path(input, p).map_err(|_| {
            format!("Invalid path '{p}': The choice state's condition path references an invalid value.")
        })?
    } else {
        operand.clone()
    };
    Ok(compare(base, &value, &operand))
}

fn is_indefinite_empty(path: &str, v: &Value) -> bool {
    !super::path::is_definite(path) && v.as_array().is_some_and(Vec::is_empty)
}

/// The rule's operator key and operand.
fn operator(rule: &Value) -> Option<(&str, &Value)> {
    rule.as_object()?
        .iter()
        .find(|(k, _)| *k != "Variable" && *k != "Next" && *k != "Comment" && *k != "Assign")
        .map(|(k, v)| (k.as_str(), v))
}

fn compare(op: &str, value: &Value, operand: &Value) -> bool {
    let want = operand.as_bool().unwrap_or(false);
    match op {
        "IsNull" => value.is_null() == want,
        "IsBoolean" => value.is_boolean() == want,
        "IsNumeric" => value.is_number() == want,
        "IsString" => value.is_string() == want,
        "IsTimestamp" => value.as_str().and_then(timestamp).is_some() == want,
        "BooleanEquals" => value.is_boolean() && value == operand,
        "StringMatches" => match (value.as_str(), operand.as_str()) {
            (Some(s), Some(p)) => wildcard(s, p),
            _ => false,
        },
        _ => {
            let (kind, rel) = split(op);
            let ord = match kind {
                "String" => value.as_str().zip(operand.as_str()).map(|(a, b)| a.cmp(b)),
                "Numeric" => value.as_f64().zip(operand.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
                "Timestamp" => {
                    value.as_str().and_then(timestamp).zip(operand.as_str().and_then(timestamp)).map(|(a, b)| a.cmp(&b))
                }
                _ => None,
            };
            ord.is_some_and(|o| relation(rel, o))
        }
    }
}

/// `NumericGreaterThanEquals` → (`Numeric`, `GreaterThanEquals`).
fn split(op: &str) -> (&str, &str) {
    for kind in ["String", "Numeric", "Timestamp"] {
        if let Some(rel) = op.strip_prefix(kind) {
            return (kind, rel);
        }
    }
    ("", op)
}

fn relation(rel: &str, o: Ordering) -> bool {
    match rel {
        "Equals" => o == Ordering::Equal,
        "LessThan" => o == Ordering::Less,
        "GreaterThan" => o == Ordering::Greater,
        "LessThanEquals" => o != Ordering::Greater,
        "GreaterThanEquals" => o != Ordering::Less,
        _ => false,
    }
}

/// An RFC 3339 timestamp, as ASL requires (an uppercase `T`, an offset).
pub fn timestamp(s: &str) -> Option<OffsetDateTime> {
    if s.contains('t') || s.contains('z') || s.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// `*` matches any run of characters; `\*` and `\\` are literal.
fn wildcard(s: &str, pattern: &str) -> bool {
    let mut tokens: Vec<Option<char>> = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => tokens.push(chars.next()),
            '*' => tokens.push(None),
            other => tokens.push(Some(other)),
        }
    }
    let text: Vec<char> = s.chars().collect();
    let (mut t, mut p, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while t < text.len() {
        if p < tokens.len() && tokens[p].is_some_and(|c| c == text[t]) {
            t += 1;
            p += 1;
        } else if p < tokens.len() && tokens[p].is_none() {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(sp) = star {
            p = sp + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    while p < tokens.len() && tokens[p].is_none() {
        p += 1;
    }
    p == tokens.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, json};

    fn check(rule: Value, input: Value) -> Result<bool, String> {
        let (ctx, vars) = (|| json!({}), Map::new());
        matches(&rule, &input, &Scope::new(&ctx, &vars))
    }

    #[test]
    fn compares_and_combines() {
        let input = json!({"n": 5, "s": "log-2024.txt", "t": "2024-01-01T00:00:00Z", "m": 7});
        assert_eq!(check(json!({"Variable": "$.n", "NumericGreaterThan": 3}), input.clone()), Ok(true));
        assert_eq!(check(json!({"Variable": "$.n", "NumericLessThanPath": "$.m"}), input.clone()), Ok(true));
        assert_eq!(check(json!({"Variable": "$.s", "StringMatches": "log-*.txt"}), input.clone()), Ok(true));
        assert_eq!(check(json!({"Variable": "$.t", "IsTimestamp": true}), input.clone()), Ok(true));
        assert_eq!(check(json!({"Variable": "$.x", "IsPresent": false}), input.clone()), Ok(true));
        let rule = json!({"And": [{"Not": {"Variable": "$.n", "NumericEquals": 4}}, {"Variable": "$.s", "StringEquals": "x"}]});
        assert_eq!(check(rule, input.clone()), Ok(false));
        assert!(check(json!({"Variable": "$.x", "NumericEquals": 1}), input).is_err());
    }
}
