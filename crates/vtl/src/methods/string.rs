//! `java.lang.String` methods, with Java's UTF-16 indices and exceptions.

use crate::error::VtlError;
use crate::methods::{Args, regex};
use crate::value::Value;

pub fn call(s: &str, name: &str, args: &Args) -> Result<Option<Value>, VtlError> {
    Ok(Some(match (name, args.len()) {
        ("length", 0) => Value::Int(utf16_len(s) as i64),
        ("isEmpty", 0) => Value::Bool(s.is_empty()),
        ("toString", 0) => Value::str(s),
        ("trim", 0) => Value::str(s.trim_matches(|c| c <= ' ')),
        ("toLowerCase", 0) => Value::str(s.to_lowercase()),
        ("toUpperCase", 0) => Value::str(s.to_uppercase()),
        ("hashCode", 0) => Value::Int(i64::from(java_hash(s))),
        ("charAt", 1) => char_at(s, args.int(0)?)?,
        ("substring", 1) => substring(s, args.int(0)?, utf16_len(s) as i64)?,
        ("substring", 2) => substring(s, args.int(0)?, args.int(1)?)?,
        ("indexOf", 1) => Value::Int(index_of(s, &args.text(0)?, 0)),
        ("indexOf", 2) => Value::Int(index_of(s, &args.text(0)?, args.int(1)?)),
        ("lastIndexOf", 1) => Value::Int(last_index_of(s, &args.text(0)?)),
        ("contains", 1) => Value::Bool(s.contains(args.text(0)?.as_str())),
        ("startsWith", 1) => Value::Bool(s.starts_with(args.text(0)?.as_str())),
        ("endsWith", 1) => Value::Bool(s.ends_with(args.text(0)?.as_str())),
        ("equals", 1) => Value::Bool(matches!(&args.0[0], Value::Str(other) if **other == *s)),
        ("equalsIgnoreCase", 1) => {
            Value::Bool(matches!(&args.0[0], Value::Str(o) if o.to_lowercase() == s.to_lowercase()))
        }
        ("compareTo", 1) => Value::Int(compare_to(s, &args.text(0)?)),
        ("concat", 1) => Value::str(format!("{s}{}", args.text(0)?)),
        ("replace", 2) => Value::str(s.replace(args.text(0)?.as_str(), &args.text(1)?)),
        ("replaceAll", 2) => Value::str(regex::replace(s, &args.text(0)?, &args.text(1)?, true)?),
        ("replaceFirst", 2) => Value::str(regex::replace(s, &args.text(0)?, &args.text(1)?, false)?),
        ("matches", 1) => Value::Bool(regex::full_match(s, &args.text(0)?)?),
        ("split", 1) => split_value(s, &args.text(0)?, 0)?,
        ("split", 2) => split_value(s, &args.text(0)?, args.int(1)?)?,
        _ => return Ok(None),
    }))
}

fn split_value(s: &str, pattern: &str, limit: i64) -> Result<Value, VtlError> {
    let parts = regex::split(s, pattern, limit)?;
    Ok(Value::list(parts.into_iter().map(Value::str).collect()))
}

pub fn utf16_len(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.encode_utf16().count() }
}

/// The byte offset of a UTF-16 index, if it falls on a character boundary.
fn byte_offset(s: &str, index: usize) -> Option<usize> {
    if s.is_ascii() {
        return (index <= s.len()).then_some(index);
    }
    let mut units = 0;
    for (byte, c) in s.char_indices() {
        if units == index {
            return Some(byte);
        }
        units += c.len_utf16();
        if units > index {
            return None;
        }
    }
    (units == index).then_some(s.len())
}

fn utf16_index(s: &str, byte: usize) -> i64 {
    utf16_len(&s[..byte]) as i64
}

fn out_of_range(message: String) -> VtlError {
    VtlError::new(format!("java.lang.StringIndexOutOfBoundsException: {message}"))
}

fn substring(s: &str, begin: i64, end: i64) -> Result<Value, VtlError> {
    let len = utf16_len(s) as i64;
    if begin < 0 || end > len || begin > end {
        return Err(out_of_range(format!("begin {begin}, end {end}, length {len}")));
    }
    match (byte_offset(s, begin as usize), byte_offset(s, end as usize)) {
        (Some(b), Some(e)) => Ok(Value::str(&s[b..e])),
        // A surrogate pair split in two: Java keeps half a character, which prints as `?`.
        _ => Ok(Value::str(from_utf16_java(&s.encode_utf16().collect::<Vec<_>>()[begin as usize..end as usize]))),
    }
}

fn char_at(s: &str, index: i64) -> Result<Value, VtlError> {
    let units: Vec<u16> = s.encode_utf16().collect();
    match usize::try_from(index).ok().and_then(|i| units.get(i)) {
        Some(unit) => Ok(Value::str(from_utf16_java(&[*unit]))),
        None => Err(out_of_range(format!("index {index}, length {}", units.len()))),
    }
}

/// UTF-16 units as text, a lone surrogate becoming `?` as when Java writes it out.
fn from_utf16_java(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied()).map(|c| c.unwrap_or('?')).collect()
}

fn index_of(s: &str, needle: &str, from: i64) -> i64 {
    let from = from.max(0) as usize;
    let Some(start) = byte_offset(s, from.min(utf16_len(s))) else { return -1 };
    if from > utf16_len(s) {
        return if needle.is_empty() { utf16_len(s) as i64 } else { -1 };
    }
    s[start..].find(needle).map_or(-1, |at| utf16_index(s, start + at))
}

fn last_index_of(s: &str, needle: &str) -> i64 {
    s.rfind(needle).map_or(-1, |at| utf16_index(s, at))
}

fn compare_to(a: &str, b: &str) -> i64 {
    let (a, b): (Vec<u16>, Vec<u16>) = (a.encode_utf16().collect(), b.encode_utf16().collect());
    for (x, y) in a.iter().zip(&b) {
        if x != y {
            return i64::from(*x) - i64::from(*y);
        }
    }
    a.len() as i64 - b.len() as i64
}

fn java_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(i32::from(unit)))
}
