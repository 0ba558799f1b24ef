//! Matching space-delimited patterns: the event's fields against the
//! pattern's, where `...` stands for any run of fields.
//!
//! A table `ok[f][t]` says whether pattern fields `f..` can match event
//! fields `t..`; it is filled from the last pattern field up, one row per
//! field, in O(pattern fields × event fields) time whatever the number of
//! ellipses. Matching keeps two rows; extraction keeps them all to walk a
//! match from the start.

use std::collections::BTreeMap;

use super::ast::Field;
use super::eval::field_condition;
use super::split;

pub fn matches(pattern: &[Field], message: &str) -> bool {
    let tokens = split::fields(message);
    if !plausible(pattern, &tokens) {
        return false;
    }
    let mut below = last_row(tokens.len());
    for field in pattern.iter().rev() {
        below = row(field, &tokens, &below);
    }
    below.first().copied().unwrap_or(false)
}

/// The named fields (`$name` → value) of the first match, if any.
pub fn extract(pattern: &[Field], message: &str) -> Option<BTreeMap<String, String>> {
    let tokens = split::fields(message);
    if !plausible(pattern, &tokens) {
        return None;
    }
    // rows[f] = ok[f][..]
    let mut rows = vec![last_row(tokens.len())];
    for field in pattern.iter().rev() {
        let next = row(field, &tokens, rows.last()?);
        rows.push(next);
    }
    rows.reverse();
    if !rows.first()?.first().copied().unwrap_or(false) {
        return None;
    }
    let mut out = BTreeMap::new();
    let mut t = 0;
    for (f, field) in pattern.iter().enumerate() {
        let below = rows.get(f + 1)?;
        match field {
            Field::Ellipsis => t = (t..=tokens.len()).find(|&k| below.get(k).copied().unwrap_or(false))?,
            Field::Named { name, .. } => {
                out.insert(format!("${name}"), tokens.get(t)?.to_string());
                t += 1;
            }
        }
    }
    Some(out)
}

/// Without an ellipsis the field counts must agree.
fn plausible(pattern: &[Field], tokens: &[&str]) -> bool {
    pattern.iter().any(|f| matches!(f, Field::Ellipsis)) || pattern.len() == tokens.len()
}

/// `ok[F][t]`: no pattern fields left match only the end of the event.
fn last_row(n: usize) -> Vec<bool> {
    (0..=n).map(|t| t == n).collect()
}

/// `ok[f][..]` from `ok[f + 1][..]`.
fn row(field: &Field, tokens: &[&str], below: &[bool]) -> Vec<bool> {
    let n = tokens.len();
    let mut out = vec![false; n + 1];
    match field {
        Field::Ellipsis => {
            let mut any = false;
            for t in (0..=n).rev() {
                any = any || below.get(t).copied().unwrap_or(false);
                out[t] = any;
            }
        }
        Field::Named { condition, .. } => {
            for (t, tok) in tokens.iter().enumerate() {
                out[t] = below.get(t + 1).copied().unwrap_or(false)
                    && condition.as_ref().is_none_or(|c| field_condition(c, tok));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::filter::FilterPattern;

    #[test]
    fn many_ellipses_on_a_long_event_stay_fast() {
        let p = FilterPattern::parse("[..., ..., ..., ..., a = nomatch, ...]").unwrap_or_else(|e| panic!("{e:?}"));
        let event = "x ".repeat(200_000);
        let started = std::time::Instant::now();
        assert!(!p.matches(&event));
        assert!(started.elapsed().as_secs() < 5);
    }
}
