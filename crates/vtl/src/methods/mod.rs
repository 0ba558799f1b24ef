//! Java method calls and bean properties on plain values (strings, numbers, lists, maps).

mod collection;
pub mod regex;
mod string;

pub use collection::{get_index, put, set_index};

use crate::error::VtlError;
use crate::value::Value;

/// The most items a list or map built by a template may hold.
pub const MAX_COLLECTION: usize = 1_000_000;

/// Evaluated method arguments.
pub struct Args(pub Vec<Value>);

impl Args {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// An `int` parameter: only an integer fits.
    pub fn int(&self, i: usize) -> Result<i64, VtlError> {
        match &self.0[i] {
            Value::Int(n) => Ok(*n),
            _ => Err(VtlError::no_method()),
        }
    }

    /// A `String` parameter of a Java method: only a string fits; null fails inside the method.
    pub fn text(&self, i: usize) -> Result<String, VtlError> {
        match &self.0[i] {
            Value::Str(s) => Ok(s.to_string()),
            Value::Null => Err(VtlError::new("java.lang.NullPointerException")),
            _ => Err(VtlError::no_method()),
        }
    }

    /// A parameter API Gateway's own objects read as text, whatever its type.
    pub fn string(&self, i: usize) -> Result<String, VtlError> {
        match &self.0[i] {
            Value::Null => Err(VtlError::new("java.lang.NullPointerException")),
            other => other.to_java_string(),
        }
    }
}

/// Calls `name` on `target`; None when the class has no such method or none that takes these
/// arguments (Velocity then yields null).
pub fn call(target: &Value, name: &str, args: &Args) -> Result<Option<Value>, VtlError> {
    let specific = match target {
        Value::Str(s) => string::call(s, name, args),
        Value::List(list) => collection::call_list(list, name, args),
        Value::Map(map) => collection::call_map(map, name, args),
        _ => Ok(None),
    };
    let specific = match specific {
        Err(e) if e.is_no_method() => return Ok(None),
        other => other?,
    };
    let specific = specific.or_else(|| match target {
        Value::Entry(entry) => collection::call_entry(entry, name, args),
        Value::Int(_) | Value::Float(_) => number(target, name, args),
        Value::Bool(b) if name == "booleanValue" && args.len() == 0 => Some(Value::Bool(*b)),
        _ => None,
    });
    if specific.is_some() {
        return Ok(specific);
    }
    Ok(match (name, args.len()) {
        ("toString", 0) => Some(Value::str(target.to_java_string()?)),
        ("equals", 1) => Some(Value::Bool(target.java_equals(&args.0[0], 0))),
        _ => None,
    })
}

fn number(target: &Value, name: &str, args: &Args) -> Option<Value> {
    let f = target.as_f64()?;
    match (name, args.len()) {
        ("intValue" | "longValue", 0) => Some(match target {
            Value::Int(i) => Value::Int(*i),
            _ => Value::Int(f as i64),
        }),
        ("doubleValue" | "floatValue", 0) => Some(Value::Float(f)),
        ("compareTo", 1) => {
            let other = args.0[0].as_f64()?;
            Some(Value::Int(f.partial_cmp(&other).map_or(0, |o| o as i64)))
        }
        _ => None,
    }
}

/// `$x.name` on a value that is not a map: Velocity tries `getName()`, then `isName()`.
pub fn property(target: &Value, name: &str) -> Result<Value, VtlError> {
    let capitalized = capitalize(name);
    let no_args = Args(Vec::new());
    for getter in [format!("get{capitalized}"), format!("is{capitalized}")] {
        if let Some(value) = call(target, &getter, &no_args)? {
            return Ok(value);
        }
    }
    Ok(Value::Null)
}

/// `name` with its first letter in upper case, as in a bean getter.
pub fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
