//! The intrinsic functions themselves, applied to evaluated arguments.

use crate::asl::failure::Failure;
use base64::Engine;
use serde_json::{Map, Number, Value};
use sha2::Digest;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
/// The most elements ArrayRange may produce.
const MAX_RANGE: usize = 1000;
/// The longest input Base64Encode, Base64Decode and Hash accept.
const MAX_DATA: usize = 10_000;

fn fail(message: impl Into<String>) -> Failure {
    Failure::new("States.IntrinsicFailure", message)
}

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), Failure> {
    if args.len() < min || args.len() > max {
        let expected = if min == max { min.to_string() } else { format!("{min} to {max}") };
        return Err(fail(format!("{name} expects {expected} argument(s) but got {}", args.len())));
    }
    Ok(())
}

fn string<'a>(name: &str, v: &'a Value) -> Result<&'a str, Failure> {
    v.as_str().ok_or_else(|| fail(format!("{name} expects a string argument but got {v}")))
}

fn array<'a>(name: &str, v: &'a Value) -> Result<&'a Vec<Value>, Failure> {
    v.as_array().ok_or_else(|| fail(format!("{name} expects an array argument but got {v}")))
}

fn integer(name: &str, v: &Value) -> Result<i64, Failure> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .ok_or_else(|| fail(format!("{name} expects an integer argument but got {v}"))),
        _ => Err(fail(format!("{name} expects an integer argument but got {v}"))),
    }
}

/// A number rounded half up, as Java's `Math.round` (States.MathAdd).
fn rounded(name: &str, v: &Value) -> Result<i64, Failure> {
    v.as_f64()
        .map(|f| (f + 0.5).floor() as i64)
        .ok_or_else(|| fail(format!("{name} expects a number argument but got {v}")))
}

/// Applies `name` to `args`; `template` is the raw text of a first string
/// literal argument (escapes kept), used by States.Format.
pub fn apply(name: &str, args: Vec<Value>, template: Option<&str>) -> Result<Value, Failure> {
    match name {
        "States.Format" => format(args, template),
        "States.StringToJson" => {
            arity(name, &args, 1, 1)?;
            let s = string(name, &args[0])?;
            if s.trim().is_empty() {
                return Ok(Value::Null);
            }
            serde_json::from_str(s).map_err(|e| fail(format!("{name} could not parse its argument as JSON: {e}")))
        }
        "States.JsonToString" => {
            arity(name, &args, 1, 1)?;
            Ok(Value::String(args[0].to_string()))
        }
        "States.Array" => Ok(Value::Array(args)),
        "States.ArrayPartition" => {
            arity(name, &args, 2, 2)?;
            let items = array(name, &args[0])?;
            let size = integer(name, &args[1])?;
            if size <= 0 {
                return Err(fail(format!("Invalid chunk size: {size}. Chunk size must be greater than 0.")));
            }
            Ok(Value::Array(items.chunks(size as usize).map(|c| Value::Array(c.to_vec())).collect()))
        }
        "States.ArrayContains" => {
            arity(name, &args, 2, 2)?;
            Ok(Value::Bool(array(name, &args[0])?.contains(&args[1])))
        }
        "States.ArrayRange" => range(name, &args),
        "States.ArrayGetItem" => {
            arity(name, &args, 2, 2)?;
            let items = array(name, &args[0])?;
            let i = integer(name, &args[1])?;
            usize::try_from(i)
                .ok()
                .and_then(|i| items.get(i).cloned())
                .ok_or_else(|| fail(format!("Index {i} is out of bounds for the array of length {}", items.len())))
        }
        "States.ArrayLength" => {
            arity(name, &args, 1, 1)?;
            Ok(Value::from(array(name, &args[0])?.len()))
        }
        "States.ArrayUnique" => {
            arity(name, &args, 1, 1)?;
            let mut out: Vec<Value> = Vec::new();
            for v in array(name, &args[0])? {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            Ok(Value::Array(out))
        }
        "States.Base64Encode" => {
            arity(name, &args, 1, 1)?;
            let s = limited(name, string(name, &args[0])?)?;
            Ok(Value::String(B64.encode(s)))
        }
        "States.Base64Decode" => {
            arity(name, &args, 1, 1)?;
            let s = limited(name, string(name, &args[0])?)?;
            let bytes = B64.decode(s).map_err(|e| fail(format!("{name} could not decode its argument: {e}")))?;
            Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        }
        "States.Hash" => hash(name, &args),
        "States.JsonMerge" => {
            arity(name, &args, 3, 3)?;
            if args[2] != Value::Bool(false) {
                return Err(fail("States.JsonMerge only supports a shallow merge: its third argument must be false"));
            }
            let (a, b) = (object(name, &args[0])?, object(name, &args[1])?);
            let mut out = a.clone();
            out.extend(b.iter().map(|(k, v)| (k.clone(), v.clone())));
            Ok(Value::Object(out))
        }
        "States.MathRandom" => random(name, &args),
        "States.MathAdd" => {
            arity(name, &args, 2, 2)?;
            let (a, b) = (rounded(name, &args[0])?, rounded(name, &args[1])?);
            a.checked_add(b).map(Value::from).ok_or_else(|| fail(format!("{name} overflowed adding {a} and {b}")))
        }
        "States.StringSplit" => {
            arity(name, &args, 2, 2)?;
            let s = string(name, &args[0])?;
            let delims: Vec<char> = string(name, &args[1])?.chars().collect();
            Ok(Value::Array(
                s.split(|c| delims.contains(&c))
                    .filter(|p| !p.is_empty())
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
            ))
        }
        "States.UUID" => {
            arity(name, &args, 0, 0)?;
            Ok(Value::String(uuid::Uuid::new_v4().to_string()))
        }
        other => Err(fail(format!("Unknown intrinsic function: {other}"))),
    }
}

fn object<'a>(name: &str, v: &'a Value) -> Result<&'a Map<String, Value>, Failure> {
    v.as_object().ok_or_else(|| fail(format!("{name} expects an object argument but got {v}")))
}

fn limited<'a>(name: &str, s: &'a str) -> Result<&'a str, Failure> {
    if s.len() > MAX_DATA {
        return Err(fail(format!("The input to {name} is longer than {MAX_DATA} characters")));
    }
    Ok(s)
}

/// `{}` takes the next argument; `\{` and `\}` are literal braces. The
/// template is a string literal or a string read by a path (`$var`).
fn format(args: Vec<Value>, template: Option<&str>) -> Result<Value, Failure> {
    let raw = template
        .or_else(|| args.first().and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| fail("States.Format expects a string as its first argument"))?;
    let mut values = args.into_iter().skip(1);
    let (mut out, mut chars) = (String::new(), raw.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                let v = values.next().ok_or_else(|| fail("States.Format has more placeholders than arguments"))?;
                out.push_str(&java_text(&v));
            }
            _ => out.push(c),
        }
    }
    if values.next().is_some() {
        return Err(fail("States.Format has more arguments than placeholders"));
    }
    Ok(Value::String(out))
}

/// How Java prints a value (`{a=1, b=[2, 3]}`): States.Format's rendering.
fn java_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(java_text).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            format!("{{{}}}", m.iter().map(|(k, x)| format!("{k}={}", java_text(x))).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}

fn range(name: &str, args: &[Value]) -> Result<Value, Failure> {
    arity(name, args, 3, 3)?;
    let (start, end, step) = (integer(name, &args[0])?, integer(name, &args[1])?, integer(name, &args[2])?);
    if step == 0 {
        return Err(fail("The step of States.ArrayRange cannot be 0"));
    }
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i <= end) || (step < 0 && i >= end) {
        if out.len() == MAX_RANGE {
            return Err(fail(format!("States.ArrayRange cannot produce more than {MAX_RANGE} elements")));
        }
        out.push(Value::from(i));
        i += step;
    }
    Ok(Value::Array(out))
}

fn hash(name: &str, args: &[Value]) -> Result<Value, Failure> {
    arity(name, args, 2, 2)?;
    let data = match &args[0] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let data = limited(name, &data)?.as_bytes();
    let digest = match string(name, &args[1])? {
        "MD5" => md5::Md5::digest(data).to_vec(),
        "SHA-1" => sha1::Sha1::digest(data).to_vec(),
        "SHA-256" => sha2::Sha256::digest(data).to_vec(),
        "SHA-384" => sha2::Sha384::digest(data).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        other => {
            return Err(fail(format!(
                "Invalid hash algorithm '{other}'. Supported algorithms: MD5, SHA-1, SHA-256, SHA-384, SHA-512"
            )));
        }
    };
    Ok(Value::String(hex::encode(digest)))
}

/// A random integer in `[start, end)`, seeded when a third argument is given.
fn random(name: &str, args: &[Value]) -> Result<Value, Failure> {
    use rand::{Rng, SeedableRng};
    arity(name, args, 2, 3)?;
    let (start, end) = (rounded(name, &args[0])?, rounded(name, &args[1])?);
    if start >= end {
        return Err(fail(format!("{name}: the start {start} must be less than the end {end}")));
    }
    let n = match args.get(2) {
        Some(seed) => rand::rngs::StdRng::seed_from_u64(integer(name, seed)? as u64).random_range(start..end),
        None => rand::rng().random_range(start..end),
    };
    Ok(Value::Number(Number::from(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_with_escapes() {
        let out = apply("States.Format", vec![json!(""), json!("x"), json!(2)], Some(r"a \{{}\} {}"));
        assert_eq!(out.ok(), Some(json!("a {x} 2")));
    }

    #[test]
    fn arrays() {
        assert_eq!(
            apply("States.ArrayRange", vec![json!(1), json!(9), json!(2)], None).ok(),
            Some(json!([1, 3, 5, 7, 9]))
        );
        assert_eq!(
            apply("States.ArrayPartition", vec![json!([1, 2, 3, 4, 5]), json!(2)], None).ok(),
            Some(json!([[1, 2], [3, 4], [5]]))
        );
        assert_eq!(apply("States.ArrayUnique", vec![json!([1, 2, 1, "a", "a"])], None).ok(), Some(json!([1, 2, "a"])));
    }

    #[test]
    fn hashes_and_encodes() {
        let h = apply("States.Hash", vec![json!("input data"), json!("SHA-1")], None).ok();
        assert_eq!(h, Some(json!("aaff4a450a104cd177d28d18d74485e8cae074b7")));
        assert_eq!(
            apply("States.Base64Encode", vec![json!("Data to encode")], None).ok(),
            Some(json!("RGF0YSB0byBlbmNvZGU="))
        );
    }
}
