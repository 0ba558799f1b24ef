//! Whole-string regular expression matches (integration response
//! `selectionPattern`s, authorizer `identityValidationExpression`s), with
//! each pattern compiled once.

use regex::Regex;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

/// Compiled patterns kept at most (the cache starts over past it).
const KEPT: usize = 1024;

/// Whether `pattern` matches all of `text`; an invalid pattern matches nothing.
pub fn full_match(pattern: &str, text: &str) -> bool {
    static COMPILED: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let mut map = COMPILED.get_or_init(Default::default).lock().unwrap_or_else(PoisonError::into_inner);
    if map.len() >= KEPT && !map.contains_key(pattern) {
        map.clear();
    }
    let re = map.entry(pattern.to_string()).or_insert_with(|| Regex::new(&format!("^(?s:{pattern})$")).ok());
    re.as_ref().is_some_and(|re| re.is_match(text))
}
