//! What the v2 operations share: copying the members a Create or Update
//! call gives onto a shape, and `MaxResults`/`NextToken` paging of the Get*
//! collections (`NextToken` the index of the next page's first item).

use serde_json::{Value, json};
use stratus_core::input::Input;

/// Copies each of `keys` present in `input` onto `shape`.
pub fn copy(shape: &mut Value, input: &Value, keys: &[&str]) {
    for k in keys {
        if let Some(v) = input.get(*k) {
            shape[*k] = v.clone();
        }
    }
}

/// One page of `items` as `{Items, NextToken?}`.
pub fn page(items: Vec<Value>, input: &Value) -> Value {
    let limit = input.str("MaxResults").and_then(|m| m.parse::<usize>().ok()).filter(|m| *m > 0).unwrap_or(usize::MAX);
    let start = input.str("NextToken").and_then(|t| t.parse::<usize>().ok()).unwrap_or(0);
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(start).take(limit).collect();
    let mut out = json!({ "Items": page });
    if start.saturating_add(limit) < total {
        out["NextToken"] = (start + limit).to_string().into();
    }
    out
}

/// Shapes sorted by their `CreatedDate`, then by `key`.
pub fn by_creation<'a>(shapes: impl Iterator<Item = &'a Value>, key: &str) -> Vec<Value> {
    let mut v: Vec<Value> = shapes.cloned().collect();
    v.sort_by(|a, b| {
        let (x, y) = (a["CreatedDate"].as_f64().unwrap_or(0.0), b["CreatedDate"].as_f64().unwrap_or(0.0));
        x.total_cmp(&y).then_with(|| a[key].as_str().cmp(&b[key].as_str()))
    });
    v
}
