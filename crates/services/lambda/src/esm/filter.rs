//! Event filtering for event source mappings: the EventBridge-style pattern
//! language of `FilterCriteria.Filters[].Pattern` — exact values, `prefix`,
//! `suffix`, `anything-but` (values, prefix, suffix, equals-ignore-case),
//! `numeric` comparisons, `exists`, `equals-ignore-case`, `wildcard` and
//! `$or` — checked when a mapping is written and matched against each
//! record. A record passes when any filter matches it.

use serde_json::{Map, Value};

/// AWS's message for any pattern it cannot accept.
pub const INVALID: &str = "Invalid filter pattern definition.";

/// Parses and checks one `Pattern` string.
pub fn parse(pattern: &str) -> Result<Value, &'static str> {
    let v: Value = serde_json::from_str(pattern).map_err(|_| INVALID)?;
    check_object(&v)?;
    Ok(v)
}

/// Whether `record` passes the filters (no filters pass everything).
pub fn passes(filters: &[Value], record: &Value) -> bool {
    filters.is_empty() || filters.iter().any(|f| matches(f, record))
}

fn check_object(v: &Value) -> Result<(), &'static str> {
    let obj = v.as_object().ok_or(INVALID)?;
    for (k, rule) in obj {
        if k == "$or" {
            let alts = rule.as_array().ok_or(INVALID)?;
            if alts.len() < 2 {
                return Err(INVALID);
            }
            for a in alts {
                check_object(a)?;
            }
            continue;
        }
        match rule {
            Value::Object(_) => check_object(rule)?,
            Value::Array(items) if !items.is_empty() => {
                for item in items {
                    check_matcher(item)?;
                }
            }
            _ => return Err(INVALID),
        }
    }
    Ok(())
}

fn check_matcher(m: &Value) -> Result<(), &'static str> {
    let Value::Object(op) = m else {
        // Literals: strings, numbers, booleans and null.
        return if m.is_array() { Err(INVALID) } else { Ok(()) };
    };
    if op.len() != 1 {
        return Err(INVALID);
    }
    let (name, arg) = op.iter().next().ok_or(INVALID)?;
    match name.as_str() {
        "prefix" | "suffix" => check_text_arg(arg, true),
        "equals-ignore-case" | "wildcard" => arg.as_str().map(|_| ()).ok_or(INVALID),
        "exists" => arg.as_bool().map(|_| ()).ok_or(INVALID),
        "numeric" => check_numeric(arg),
        "cidr" => arg.as_str().filter(|s| s.contains('/')).map(|_| ()).ok_or(INVALID),
        "anything-but" => match arg {
            Value::Object(inner) => {
                let (n, a) = single(inner)?;
                match n {
                    "prefix" | "suffix" => check_text_arg(a, false),
                    "equals-ignore-case" => match a {
                        Value::String(_) => Ok(()),
                        Value::Array(xs) if !xs.is_empty() && xs.iter().all(Value::is_string) => Ok(()),
                        _ => Err(INVALID),
                    },
                    _ => Err(INVALID),
                }
            }
            Value::Array(xs) if !xs.is_empty() && xs.iter().all(|x| x.is_string() || x.is_number()) => Ok(()),
            Value::String(_) | Value::Number(_) => Ok(()),
            _ => Err(INVALID),
        },
        _ => Err(INVALID),
    }
}

fn single(m: &Map<String, Value>) -> Result<(&str, &Value), &'static str> {
    if m.len() != 1 {
        return Err(INVALID);
    }
    m.iter().next().map(|(k, v)| (k.as_str(), v)).ok_or(INVALID)
}

/// `prefix`/`suffix` take a string, or `{"equals-ignore-case": string}`.
fn check_text_arg(arg: &Value, allow_ignore_case: bool) -> Result<(), &'static str> {
    match arg {
        Value::String(_) => Ok(()),
        Value::Object(o) if allow_ignore_case => match single(o)? {
            ("equals-ignore-case", Value::String(_)) => Ok(()),
            _ => Err(INVALID),
        },
        _ => Err(INVALID),
    }
}

fn check_numeric(arg: &Value) -> Result<(), &'static str> {
    let xs = arg.as_array().ok_or(INVALID)?;
    if xs.is_empty() || xs.len() % 2 != 0 || xs.len() > 4 {
        return Err(INVALID);
    }
    for pair in xs.chunks(2) {
        let op = pair[0].as_str().ok_or(INVALID)?;
        if !matches!(op, "=" | "<" | "<=" | ">" | ">=") || !pair[1].is_number() {
            return Err(INVALID);
        }
    }
    Ok(())
}

/// Whether `record` matches one (already checked) pattern.
pub fn matches(pattern: &Value, record: &Value) -> bool {
    let Some(obj) = pattern.as_object() else { return false };
    obj.iter().all(|(k, rule)| {
        if k == "$or" {
            return rule.as_array().is_some_and(|alts| alts.iter().any(|a| matches(a, record)));
        }
        let field = record.get(k);
        match rule {
            Value::Object(_) => field.is_some_and(|f| f.is_object() && matches(rule, f)),
            Value::Array(items) => items.iter().any(|m| leaf(m, field)),
            _ => false,
        }
    })
}

/// One matcher against a field (absent, a value, or an array of values).
fn leaf(m: &Value, field: Option<&Value>) -> bool {
    if let Value::Object(op) = m
        && let Some(Value::Bool(want)) = op.get("exists")
    {
        let present = field.is_some_and(|f| !f.is_object() && !matches!(f, Value::Array(a) if a.is_empty()));
        return present == *want;
    }
    match field {
        None => false,
        Some(Value::Array(items)) => {
            if is_anything_but(m) {
                // anything-but fails if any element is excluded.
                !items.is_empty() && items.iter().all(|i| one(m, i))
            } else {
                items.iter().any(|i| one(m, i))
            }
        }
        Some(v) => one(m, v),
    }
}

fn is_anything_but(m: &Value) -> bool {
    m.get("anything-but").is_some()
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// One matcher against one scalar value.
fn one(m: &Value, v: &Value) -> bool {
    let Value::Object(op) = m else { return same(m, v) };
    let Some((name, arg)) = op.iter().next() else { return false };
    let text = v.as_str();
    match name.as_str() {
        "prefix" => text.is_some_and(|t| text_op(arg, t, |t, p| t.starts_with(p))),
        "suffix" => text.is_some_and(|t| text_op(arg, t, |t, p| t.ends_with(p))),
        "equals-ignore-case" => text.zip(arg.as_str()).is_some_and(|(t, a)| t.to_lowercase() == a.to_lowercase()),
        "wildcard" => text.zip(arg.as_str()).is_some_and(|(t, a)| wildcard(a, t)),
        "numeric" => v.as_f64().is_some_and(|n| numeric(arg, n)),
        "cidr" => text.zip(arg.as_str()).is_some_and(|(t, a)| cidr(a, t)),
        "anything-but" => !excluded(arg, v),
        _ => false,
    }
}

/// `prefix`/`suffix` with a plain string or `{"equals-ignore-case": …}`.
fn text_op(arg: &Value, text: &str, f: fn(&str, &str) -> bool) -> bool {
    match arg {
        Value::String(p) => f(text, p),
        Value::Object(o) => o
            .get("equals-ignore-case")
            .and_then(Value::as_str)
            .is_some_and(|p| f(&text.to_lowercase(), &p.to_lowercase())),
        _ => false,
    }
}

/// Whether `anything-but`'s argument excludes `v`.
fn excluded(arg: &Value, v: &Value) -> bool {
    match arg {
        Value::Array(xs) => xs.iter().any(|x| same(x, v)),
        Value::Object(o) => {
            let Some(t) = v.as_str() else { return false };
            match o.iter().next() {
                Some((k, Value::String(p))) if k == "prefix" => t.starts_with(p.as_str()),
                Some((k, Value::String(p))) if k == "suffix" => t.ends_with(p.as_str()),
                Some((k, Value::String(p))) if k == "equals-ignore-case" => t.to_lowercase() == p.to_lowercase(),
                Some((k, Value::Array(ps))) if k == "equals-ignore-case" => {
                    ps.iter().filter_map(Value::as_str).any(|p| t.to_lowercase() == p.to_lowercase())
                }
                _ => false,
            }
        }
        other => same(other, v),
    }
}

fn numeric(arg: &Value, n: f64) -> bool {
    let Some(xs) = arg.as_array() else { return false };
    xs.chunks(2).all(|pair| {
        let (Some(op), Some(x)) = (pair[0].as_str(), pair.get(1).and_then(Value::as_f64)) else { return false };
        match op {
            "=" => n == x,
            "<" => n < x,
            "<=" => n <= x,
            ">" => n > x,
            ">=" => n >= x,
            _ => false,
        }
    })
}

/// `*` matches any run of characters.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// IPv4 CIDR containment.
fn cidr(block: &str, ip: &str) -> bool {
    let Some((net, bits)) = block.split_once('/') else { return false };
    let (Ok(net), Ok(addr), Ok(bits)) =
        (net.parse::<std::net::Ipv4Addr>(), ip.parse::<std::net::Ipv4Addr>(), bits.parse::<u32>())
    else {
        return false;
    };
    if bits > 32 {
        return false;
    }
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    u32::from(net) & mask == u32::from(addr) & mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(pattern: &str, record: Value) -> bool {
        matches(&parse(pattern).expect("valid pattern"), &record)
    }

    #[test]
    fn exact_values_nested_fields_and_arrays() {
        let r = json!({"body": {"kind": "order", "n": 5, "tags": ["a", "b"], "ok": true, "none": null}});
        assert!(m(r#"{"body": {"kind": ["order"]}}"#, r.clone()));
        assert!(!m(r#"{"body": {"kind": ["refund"]}}"#, r.clone()));
        assert!(m(r#"{"body": {"n": [5]}}"#, r.clone()));
        assert!(m(r#"{"body": {"n": [5.0]}}"#, r.clone()));
        assert!(m(r#"{"body": {"tags": ["b"]}}"#, r.clone()));
        assert!(m(r#"{"body": {"ok": [true]}}"#, r.clone()));
        assert!(m(r#"{"body": {"none": [null]}}"#, r.clone()));
        assert!(!m(r#"{"body": {"missing": ["x"]}}"#, r.clone()));
        assert!(!m(r#"{"body": {"kind": {"deeper": ["x"]}}}"#, r));
    }

    #[test]
    fn prefix_suffix_and_ignore_case() {
        let r = json!({"eventName": "INSERT", "key": "user-42.json"});
        assert!(m(r#"{"key": [{"prefix": "user-"}]}"#, r.clone()));
        assert!(!m(r#"{"key": [{"prefix": "admin-"}]}"#, r.clone()));
        assert!(m(r#"{"key": [{"suffix": ".json"}]}"#, r.clone()));
        assert!(m(r#"{"key": [{"prefix": {"equals-ignore-case": "USER-"}}]}"#, r.clone()));
        assert!(m(r#"{"eventName": [{"equals-ignore-case": "insert"}]}"#, r.clone()));
        assert!(m(r#"{"key": [{"wildcard": "user-*.json"}]}"#, r.clone()));
        assert!(!m(r#"{"key": [{"wildcard": "user-*.xml"}]}"#, r));
    }

    #[test]
    fn anything_but_in_every_form() {
        let r = json!({"state": "shipped", "n": 3, "list": ["a", "b"]});
        assert!(m(r#"{"state": [{"anything-but": "pending"}]}"#, r.clone()));
        assert!(!m(r#"{"state": [{"anything-but": ["pending", "shipped"]}]}"#, r.clone()));
        assert!(!m(r#"{"n": [{"anything-but": 3}]}"#, r.clone()));
        assert!(!m(r#"{"state": [{"anything-but": {"prefix": "ship"}}]}"#, r.clone()));
        assert!(m(r#"{"state": [{"anything-but": {"suffix": "ing"}}]}"#, r.clone()));
        assert!(!m(r#"{"state": [{"anything-but": {"equals-ignore-case": "SHIPPED"}}]}"#, r.clone()));
        assert!(!m(r#"{"list": [{"anything-but": "b"}]}"#, r.clone()));
        assert!(!m(r#"{"missing": [{"anything-but": "x"}]}"#, r));
    }

    #[test]
    fn numeric_ranges_and_exists() {
        let r = json!({"price": 10.5, "qty": 0, "obj": {"a": 1}});
        assert!(m(r#"{"price": [{"numeric": [">", 10]}]}"#, r.clone()));
        assert!(m(r#"{"price": [{"numeric": [">=", 10, "<", 11]}]}"#, r.clone()));
        assert!(!m(r#"{"price": [{"numeric": ["<", 10]}]}"#, r.clone()));
        assert!(m(r#"{"qty": [{"numeric": ["=", 0]}]}"#, r.clone()));
        assert!(m(r#"{"price": [{"exists": true}]}"#, r.clone()));
        assert!(m(r#"{"gone": [{"exists": false}]}"#, r.clone()));
        assert!(!m(r#"{"price": [{"exists": false}]}"#, r.clone()));
        assert!(!m(r#"{"obj": [{"exists": true}]}"#, r));
        assert!(m(r#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#, json!({"ip": "10.1.2.3"})));
        assert!(!m(r#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#, json!({"ip": "11.1.2.3"})));
    }

    #[test]
    fn or_combines_alternatives() {
        let p = r#"{"$or": [{"a": ["x"]}, {"b": [{"numeric": [">", 5]}]}]}"#;
        assert!(m(p, json!({"a": "x"})));
        assert!(m(p, json!({"b": 9})));
        assert!(!m(p, json!({"a": "y", "b": 1})));
        let nested = r#"{"body": {"$or": [{"a": ["x"]}, {"b": ["y"]}]}, "c": ["z"]}"#;
        assert!(m(nested, json!({"body": {"b": "y"}, "c": "z"})));
        assert!(!m(nested, json!({"body": {"b": "y"}, "c": "q"})));
    }

    #[test]
    fn any_filter_passes_and_none_passes_all() {
        let fs = vec![json!({"a": ["1"]}), json!({"a": ["2"]})];
        assert!(passes(&fs, &json!({"a": "2"})));
        assert!(!passes(&fs, &json!({"a": "3"})));
        assert!(passes(&[], &json!({})));
    }

    #[test]
    fn invalid_patterns_are_rejected_with_aws_message() {
        for bad in [
            "not json",
            "[]",
            r#""text""#,
            r#"{"a": "x"}"#,
            r#"{"a": []}"#,
            r#"{"a": [[1]]}"#,
            r#"{"a": [{"prefix": 1}]}"#,
            r#"{"a": [{"numeric": [">"]}]}"#,
            r#"{"a": [{"numeric": ["~", 1]}]}"#,
            r#"{"a": [{"exists": "yes"}]}"#,
            r#"{"a": [{"bogus": 1}]}"#,
            r#"{"a": [{"prefix": "x", "suffix": "y"}]}"#,
            r#"{"$or": [{"a": ["x"]}]}"#,
            r#"{"a": [{"anything-but": {"numeric": [">", 1]}}]}"#,
        ] {
            assert_eq!(parse(bad), Err(INVALID), "{bad}");
        }
        assert!(parse(r#"{"body": {"a": [{"anything-but": ["x", 1]}]}}"#).is_ok());
    }
}
