//! NextToken handling for ListQueues and ListDeadLetterSourceQueues: the
//! token is the base64 of the last name returned; MaxResults is 1–1000.

use base64::Engine;
use serde_json::Value;
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::error::invalid_param;

pub fn max_results(input: &Value) -> Result<Option<usize>, AwsError> {
    match input.i64("MaxResults") {
        None => Ok(None),
        Some(n) if (1..=1000).contains(&n) => Ok(Some(n as usize)),
        Some(n) => Err(invalid_param(n, "MaxResults", "MaxResults must be an integer between 1 and 1000.")),
    }
}

/// The name to resume after, from NextToken.
pub fn after(input: &Value) -> Result<Option<String>, AwsError> {
    let Some(token) = input.str("NextToken") else { return Ok(None) };
    let name = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| crate::error::invalid("Invalid or expired next token."))?;
    Ok(Some(name))
}

pub fn token(last: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(last)
}

/// Applies `after`/`max` to sorted `names`: the page and its NextToken.
pub fn page(names: Vec<String>, after: Option<&str>, max: Option<usize>) -> (Vec<String>, Option<String>) {
    let mut rest: Vec<String> = names.into_iter().filter(|n| after.is_none_or(|a| n.as_str() > a)).collect();
    let limit = max.unwrap_or(1000);
    if rest.len() > limit {
        rest.truncate(limit);
        let next = max.and(rest.last().map(|l| token(l)));
        return (rest, next);
    }
    (rest, None)
}
