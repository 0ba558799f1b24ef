//! `limit` and `position` paging of API Gateway's Get* collections: items
//! in a stable order, `position` the index of the next page's first item.

use serde_json::{Value, json};
use stratus_core::input::Input;

/// AWS's default and largest page size.
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 500;

/// One page of `items` as `{items, position?}`.
pub fn page(items: Vec<Value>, input: &Value) -> Value {
    let limit = input.i64("limit").map(|l| l.clamp(1, MAX_LIMIT as i64) as usize).unwrap_or(DEFAULT_LIMIT);
    let start = input.str("position").and_then(|p| p.parse::<usize>().ok()).unwrap_or(0);
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(start).take(limit).collect();
    let mut out = json!({ "items": page });
    if start + limit < total {
        out["position"] = (start + limit).to_string().into();
    }
    out
}
