//! Template values and the Java behaviour API Gateway's Velocity gives them: `toString` of
//! maps (`{a=1}`) and lists (`[1, 2]`, or JSON for lists read from JSON), `equals`, truth.

use std::cell::RefCell;
use std::fmt::Write;
use std::rc::Rc;

use indexmap::IndexMap;

use crate::ast::Block;
use crate::error::VtlError;

/// How deep nested collections may be printed or compared (a map can hold itself).
const MAX_DEPTH: usize = 100;

#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(Rc<RefCell<List>>),
    Map(Rc<RefCell<IndexMap<String, Value>>>),
    /// A `Map.Entry` from `entrySet()`.
    Entry(Rc<(String, Value)>),
    /// A `#define` block: renders its body when referenced.
    Block(Block),
    Builtin(Builtin),
    /// A macro parameter given an undefined reference: the parameter is undefined too, and
    /// renders as the caller wrote the argument (Velocity passes arguments by name).
    UndefinedArg(Rc<str>),
}

/// The objects API Gateway puts in the context that are not plain data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Input,
    Util,
}

#[derive(Debug, Default)]
pub struct List {
    pub items: Vec<Value>,
    /// Lists read from JSON (`$input.path`, `$util.parseJson`) print as JSON, as AWS does.
    pub json: bool,
}

impl Value {
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(List { items, json: false })))
    }

    pub fn map(entries: IndexMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Velocity 1.7's `#if`: null and false are false, everything else is true.
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Null | Value::Bool(false))
    }

    /// A JSON document as the objects AWS's JSON parser yields.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::str(s.as_str()),
            serde_json::Value::Array(items) => {
                let items = items.iter().map(Value::from_json).collect();
                Value::List(Rc::new(RefCell::new(List { items, json: true })))
            }
            serde_json::Value::Object(map) => {
                Value::map(map.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }

    fn to_json_at(&self, depth: usize) -> Result<serde_json::Value, VtlError> {
        check_depth(depth)?;
        Ok(match self {
            Value::Null | Value::Block(_) | Value::Builtin(_) | Value::UndefinedArg(_) => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into),
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::List(list) => serde_json::Value::Array(
                list.borrow().items.iter().map(|v| v.to_json_at(depth + 1)).collect::<Result<_, _>>()?,
            ),
            Value::Map(map) => serde_json::Value::Object(
                map.borrow()
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), v.to_json_at(depth + 1)?)))
                    .collect::<Result<_, VtlError>>()?,
            ),
            Value::Entry(entry) => {
                let mut object = serde_json::Map::new();
                object.insert(entry.0.clone(), entry.1.to_json_at(depth + 1)?);
                serde_json::Value::Object(object)
            }
        })
    }

    /// Java's `String.valueOf` of the value, except that null is empty (API Gateway's rendering).
    pub fn to_java_string(&self) -> Result<String, VtlError> {
        match self {
            Value::Null => Ok(String::new()),
            Value::Str(s) => Ok(s.to_string()),
            _ => {
                let mut out = String::new();
                self.write_java(&mut out, 0)?;
                Ok(out)
            }
        }
    }

    fn write_java(&self, out: &mut String, depth: usize) -> Result<(), VtlError> {
        check_depth(depth)?;
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&java_double(*f)),
            Value::Str(s) => out.push_str(s),
            Value::List(list) => {
                let list = list.borrow();
                if list.json {
                    let json = serde_json::Value::Array(
                        list.items.iter().map(|v| v.to_json_at(depth + 1)).collect::<Result<_, _>>()?,
                    );
                    out.push_str(&json.to_string());
                } else {
                    out.push('[');
                    for (k, item) in list.items.iter().enumerate() {
                        if k > 0 {
                            out.push_str(", ");
                        }
                        item.write_java(out, depth + 1)?;
                    }
                    out.push(']');
                }
            }
            Value::Map(map) => {
                out.push('{');
                for (k, (key, value)) in map.borrow().iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(key);
                    out.push('=');
                    value.write_java(out, depth + 1)?;
                }
                out.push('}');
            }
            Value::Entry(entry) => {
                out.push_str(&entry.0);
                out.push('=');
                entry.1.write_java(out, depth + 1)?;
            }
            Value::Block(_) | Value::Builtin(_) | Value::UndefinedArg(_) => {}
        }
        Ok(())
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Velocity 1.7's `==`: numbers by value, same kinds by `equals`, other kinds by `toString`.
    pub fn velocity_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Null, _) | (_, Value::Null) => false,
            (Value::Int(a), Value::Int(b)) => a == b,
            (a, b) if a.as_f64().is_some() && b.as_f64().is_some() => a.as_f64() == b.as_f64(),
            _ if std::mem::discriminant(self) == std::mem::discriminant(other) => self.java_equals(other, 0),
            _ => match (self.to_java_string(), other.to_java_string()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            },
        }
    }

    /// Java's `equals`: same kind and same content.
    pub fn java_equals(&self, other: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                Rc::ptr_eq(a, b) || {
                    let (a, b) = (a.borrow(), b.borrow());
                    a.items.len() == b.items.len()
                        && a.items.iter().zip(&b.items).all(|(x, y)| x.java_equals(y, depth + 1))
                }
            }
            (Value::Map(a), Value::Map(b)) => {
                Rc::ptr_eq(a, b) || {
                    let (a, b) = (a.borrow(), b.borrow());
                    a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.java_equals(w, depth + 1)))
                }
            }
            (Value::Entry(a), Value::Entry(b)) => a.0 == b.0 && a.1.java_equals(&b.1, depth + 1),
            (Value::Block(a), Value::Block(b)) => std::sync::Arc::ptr_eq(a, b),
            (Value::Builtin(a), Value::Builtin(b)) => a == b,
            _ => false,
        }
    }
}

fn check_depth(depth: usize) -> Result<(), VtlError> {
    if depth > MAX_DEPTH {
        return Err(VtlError::new(format!("Value nesting is deeper than {MAX_DEPTH} levels")));
    }
    Ok(())
}

/// Java's `Double.toString`: `1.0`, `0.001`, `1.0E7`, `1.5E-4`, `NaN`, `Infinity`.
pub fn java_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let magnitude = f.abs();
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let text = format!("{f}");
        return if text.contains('.') { text } else { format!("{text}.0") };
    }
    let text = format!("{f:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.to_string() } else { format!("{mantissa}.0") };
    format!("{mantissa}E{exponent}")
}
