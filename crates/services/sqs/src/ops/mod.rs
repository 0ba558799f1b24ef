//! The operations, one module per concern: queues and their attributes,
//! tags, permissions, sending, receiving, deleting and visibility, batches,
//! and message move tasks. `paging` holds the NextToken helpers.

pub mod batch;
pub mod move_tasks;
pub mod paging;
pub mod permissions;
pub mod queues;
pub mod receive;
pub mod send;
pub mod tags;
pub mod visibility;

use serde_json::{Map, Value};

/// An empty output object.
pub fn empty() -> Value {
    Value::Object(Map::new())
}

/// Epoch seconds now.
pub fn now_secs() -> i64 {
    stratus_core::clock::now_millis() / 1000
}

pub fn now_ms() -> i64 {
    stratus_core::clock::now_millis()
}
