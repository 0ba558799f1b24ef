//! The operations, one module per resource: log groups, tags, streams,
//! PutLogEvents, GetLogEvents, FilterLogEvents, StartLiveTail, metric
//! filters and subscription filters.

pub mod filter_events;
pub mod get_events;
pub mod groups;
pub mod live_tail;
pub mod metric_filters;
pub mod put_events;
pub mod streams;
pub mod subscriptions;
pub mod tags;

use serde_json::{Map, Value};

/// An empty output object.
pub fn empty() -> Value {
    Value::Object(Map::new())
}

/// Inserts `value` under `key` when it is present.
pub fn put_opt(obj: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        obj.insert(key.to_string(), v.into());
    }
}
