//! `java.util.List` and `java.util.Map` (and `Map.Entry`) methods.

use std::cell::RefCell;
use std::rc::Rc;

use indexmap::IndexMap;

use crate::error::VtlError;
use crate::methods::{Args, MAX_COLLECTION};
use crate::value::{List, Value};

/// What a `void` method gives Velocity 1.7: an empty string.
fn void() -> Value {
    Value::str("")
}

fn index_error(index: i64, len: usize) -> VtlError {
    VtlError::new(format!("java.lang.IndexOutOfBoundsException: Index {index} out of bounds for length {len}"))
}

/// The position `index` names in a list of `len` items (`len` itself allowed when `end_ok`).
fn position(index: i64, len: usize, end_ok: bool) -> Result<usize, VtlError> {
    match usize::try_from(index) {
        Ok(i) if i < len || (end_ok && i == len) => Ok(i),
        _ => Err(index_error(index, len)),
    }
}

fn grow_check(len: usize) -> Result<(), VtlError> {
    if len > MAX_COLLECTION {
        return Err(VtlError::new(format!("A collection grew beyond {MAX_COLLECTION} items")));
    }
    Ok(())
}

/// The items of a list argument, copied (the argument may be the receiver).
fn items_of(value: &Value) -> Result<Vec<Value>, VtlError> {
    match value {
        Value::List(list) => Ok(list.borrow().items.clone()),
        _ => Err(VtlError::no_method()),
    }
}

pub fn get_index(list: &Rc<RefCell<List>>, index: i64) -> Result<Value, VtlError> {
    let list = list.borrow();
    Ok(list.items[position(index, list.items.len(), false)?].clone())
}

pub fn set_index(list: &Rc<RefCell<List>>, index: i64, value: Value) -> Result<Value, VtlError> {
    let mut list = list.borrow_mut();
    let at = position(index, list.items.len(), false)?;
    Ok(std::mem::replace(&mut list.items[at], value))
}

pub fn call_list(list: &Rc<RefCell<List>>, name: &str, args: &Args) -> Result<Option<Value>, VtlError> {
    let len = list.borrow().items.len();
    let find = |needle: &Value| list.borrow().items.iter().position(|item| item.java_equals(needle, 0));
    Ok(Some(match (name, args.len()) {
        ("size", 0) => Value::Int(len as i64),
        ("isEmpty", 0) => Value::Bool(len == 0),
        ("get", 1) => get_index(list, args.int(0)?)?,
        ("set", 2) => set_index(list, args.int(0)?, args.0[1].clone())?,
        ("contains", 1) => Value::Bool(find(&args.0[0]).is_some()),
        ("indexOf", 1) => Value::Int(find(&args.0[0]).map_or(-1, |i| i as i64)),
        ("add", 1) => {
            grow_check(len + 1)?;
            list.borrow_mut().items.push(args.0[0].clone());
            Value::Bool(true)
        }
        ("add", 2) => {
            let at = position(args.int(0)?, len, true)?;
            grow_check(len + 1)?;
            list.borrow_mut().items.insert(at, args.0[1].clone());
            void()
        }
        ("addAll", 1) => {
            let more = items_of(&args.0[0])?;
            grow_check(len + more.len())?;
            let changed = !more.is_empty();
            list.borrow_mut().items.extend(more);
            Value::Bool(changed)
        }
        ("remove", 1) => match &args.0[0] {
            Value::Int(index) => {
                let at = position(*index, len, false)?;
                list.borrow_mut().items.remove(at)
            }
            other => match find(other) {
                Some(at) => {
                    list.borrow_mut().items.remove(at);
                    Value::Bool(true)
                }
                None => Value::Bool(false),
            },
        },
        ("clear", 0) => {
            list.borrow_mut().items.clear();
            void()
        }
        ("subList", 2) => {
            let (from, to) = (args.int(0)?, args.int(1)?);
            let (from, to) = (position(from, len, true)?, position(to, len, true)?);
            if from > to {
                return Err(VtlError::new(format!(
                    "java.lang.IllegalArgumentException: fromIndex({from}) > toIndex({to})"
                )));
            }
            Value::list(list.borrow().items[from..to].to_vec())
        }
        _ => return Ok(None),
    }))
}

type MapRef = Rc<RefCell<IndexMap<String, Value>>>;

pub fn put(map: &MapRef, key: String, value: Value) -> Result<Value, VtlError> {
    let mut map = map.borrow_mut();
    if !map.contains_key(&key) {
        grow_check(map.len() + 1)?;
    }
    Ok(map.insert(key, value).unwrap_or(Value::Null))
}

pub fn call_map(map: &MapRef, name: &str, args: &Args) -> Result<Option<Value>, VtlError> {
    let key = |i: usize| args.0[i].to_java_string();
    Ok(Some(match (name, args.len()) {
        ("size", 0) => Value::Int(map.borrow().len() as i64),
        ("isEmpty", 0) => Value::Bool(map.borrow().is_empty()),
        ("get", 1) => map.borrow().get(&key(0)?).cloned().unwrap_or(Value::Null),
        ("getOrDefault", 2) => map.borrow().get(&key(0)?).cloned().unwrap_or_else(|| args.0[1].clone()),
        ("containsKey", 1) => Value::Bool(map.borrow().contains_key(&key(0)?)),
        ("containsValue", 1) => Value::Bool(map.borrow().values().any(|v| v.java_equals(&args.0[0], 0))),
        ("put", 2) => put(map, key(0)?, args.0[1].clone())?,
        ("putAll", 1) => {
            let Value::Map(other) = &args.0[0] else {
                return Err(VtlError::no_method());
            };
            let entries: Vec<(String, Value)> = other.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            for (k, v) in entries {
                put(map, k, v)?;
            }
            void()
        }
        ("remove", 1) => {
            let key = key(0)?;
            map.borrow_mut().shift_remove(&key).unwrap_or(Value::Null)
        }
        ("clear", 0) => {
            map.borrow_mut().clear();
            void()
        }
        ("keySet", 0) => Value::list(map.borrow().keys().map(|k| Value::str(k.as_str())).collect()),
        ("values", 0) => Value::list(map.borrow().values().cloned().collect()),
        ("entrySet", 0) => {
            Value::list(map.borrow().iter().map(|(k, v)| Value::Entry(Rc::new((k.clone(), v.clone())))).collect())
        }
        _ => return Ok(None),
    }))
}

pub fn call_entry(entry: &(String, Value), name: &str, args: &Args) -> Option<Value> {
    match (name, args.len()) {
        ("getKey", 0) => Some(Value::str(entry.0.as_str())),
        ("getValue", 0) => Some(entry.1.clone()),
        _ => None,
    }
}
