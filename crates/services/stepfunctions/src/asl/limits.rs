//! A JSONPath Map's numeric limits (`MaxConcurrency`,
//! `ToleratedFailureCount`, `ToleratedFailurePercentage`), given literally
//! or read at run time through their `*Path` fields, validated as AWS does:
//! the causes returned here become the state's `States.Runtime` failure.

use super::scope::Scope;
use serde_json::Value;

/// The value of `name`, or of `namePath` read from `input`: `None` when
/// neither is given; with the path read, for error messages.
fn read(def: &Value, name: &str, input: &Value, scope: &Scope) -> Result<Option<(Value, String)>, String> {
    let path_field = format!("{name}Path");
    match (def.get(name), def.get(&path_field).and_then(Value::as_str)) {
        (Some(v), _) => Ok(Some((v.clone(), String::new()))),
        (None, Some(p)) => Ok(Some((scope.path(input, p)?, p.to_string()))),
        (None, None) => Ok(None),
    }
}

/// AWS quotes a path's value bare when it is a string, as JSON otherwise.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn invalid(name: &str, kind: &str, v: &Value, path: &str) -> String {
    format!("The {name}Path field refers to value \"{}\" which is not a valid {kind}: {path}", shown(v))
}

/// A number, or a string holding one, as `T`.
fn parsed<T: std::str::FromStr>(v: &Value, number: impl Fn(&serde_json::Number) -> Option<T>) -> Option<T> {
    match v {
        Value::Number(n) => number(n),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A non-negative integer limit (`MaxConcurrency`, `ToleratedFailureCount`).
pub fn count(def: &Value, name: &str, input: &Value, scope: &Scope) -> Result<Option<u64>, String> {
    let Some((v, path)) = read(def, name, input, scope)? else { return Ok(None) };
    let n = parsed(&v, serde_json::Number::as_i64).ok_or_else(|| invalid(name, "integer", &v, &path))?;
    u64::try_from(n).map(Some).map_err(|_| format!("{name} cannot be negative."))
}

/// `ToleratedFailurePercentage`, between 0 and 100.
pub fn percentage(def: &Value, input: &Value, scope: &Scope) -> Result<Option<f64>, String> {
    let name = "ToleratedFailurePercentage";
    let Some((v, path)) = read(def, name, input, scope)? else { return Ok(None) };
    let p = parsed(&v, serde_json::Number::as_f64).ok_or_else(|| invalid(name, "float", &v, &path))?;
    if (0.0..=100.0).contains(&p) { Ok(Some(p)) } else { Err(format!("{name} must be between 0 and 100.")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with(def: Value, input: Value, f: impl Fn(&Value, &Value, &Scope) -> String) -> String {
        let vars = serde_json::Map::new();
        let ctx = || json!({});
        let scope = Scope::new(&ctx, &vars);
        f(&def, &input, &scope)
    }

    #[test]
    fn counts_read_through_paths_are_validated() {
        let count = |v: Value| {
            with(json!({ "ToleratedFailureCountPath": "$.c" }), json!({ "c": v }), |d, i, s| {
                format!("{:?}", count(d, "ToleratedFailureCount", i, s))
            })
        };
        assert_eq!(count(json!(2)), "Ok(Some(2))");
        assert_eq!(count(json!("1")), "Ok(Some(1))");
        assert!(count(json!(-1)).contains("cannot be negative"));
        assert!(count(json!({})).contains("refers to value \\\"{}\\\" which is not a valid integer: $.c"));
        assert!(count(json!("x")).contains("refers to value \\\"x\\\""));
    }

    #[test]
    fn percentages_lie_between_0_and_100() {
        let pct = |v: Value| {
            with(json!({ "ToleratedFailurePercentagePath": "$.p" }), json!({ "p": v }), |d, i, s| {
                format!("{:?}", percentage(d, i, s))
            })
        };
        assert_eq!(pct(json!(1.5)), "Ok(Some(1.5))");
        assert!(pct(json!(100.1)).contains("between 0 and 100"));
        assert!(pct(json!("NoNumber")).contains("not a valid float"));
    }
}
