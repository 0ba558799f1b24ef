//! DynamoDB for Stratus: tables, items, expressions, queries and scans,
//! secondary indexes, batches, transactions, streams and TTL, all kept in
//! the store (layout in `keys`).
//!
//! This file owns the two services the crate serves, `DynamoDb` (model
//! `dynamodb`) and `DynamoDbStreams` (model `dynamodbstreams`): their
//! operation lists and dispatch.

mod capacity;
mod db;
mod error;
pub mod expr;
mod keys;
mod locks;
pub mod number;
mod ops;
mod partiql;
mod stream;
mod table;
pub mod types;
mod wire;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use stratus_core::{AwsError, RequestContext, Service, Settings};
use stratus_store::Store;

use crate::db::{Scope, Shared};
use crate::ops::{batch, items, partiql as pq, read, streams, tables, transact, ttl};

/// The operations DynamoDB implements.
const OPERATIONS: &[&str] = &[
    "BatchExecuteStatement",
    "BatchGetItem",
    "BatchWriteItem",
    "CreateTable",
    "DeleteItem",
    "DeleteTable",
    "DescribeEndpoints",
    "DescribeLimits",
    "DescribeTable",
    "DescribeTimeToLive",
    "ExecuteStatement",
    "ExecuteTransaction",
    "GetItem",
    "ListTables",
    "ListTagsOfResource",
    "PutItem",
    "Query",
    "Scan",
    "TagResource",
    "TransactGetItems",
    "TransactWriteItems",
    "UntagResource",
    "UpdateItem",
    "UpdateTable",
    "UpdateTimeToLive",
];

/// The DynamoDB service.
pub struct DynamoDb {
    store: Arc<Store>,
    reaper_interval: Duration,
    enforce_capacity: bool,
    throttle: capacity::Throttle,
    shared: Shared,
}

impl DynamoDb {
    pub fn new(store: Store, settings: &Settings) -> DynamoDb {
        DynamoDb {
            store: Arc::new(store),
            reaper_interval: Duration::from_secs(settings.reaper_interval_secs.max(1)),
            enforce_capacity: settings.enforce_capacity,
            shared: Shared::default(),
            throttle: capacity::Throttle::default(),
        }
    }

    /// Runs one TTL sweep now (tests); returns the number of items deleted.
    pub async fn sweep_ttl(&self) -> usize {
        ttl::sweep(&self.store).await
    }
}

#[async_trait]
impl Service for DynamoDb {
    fn name(&self) -> &'static str {
        "dynamodb"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    fn reset(&self) {
        self.throttle.reset();
    }

    fn start(&self) {
        ttl::spawn(Arc::downgrade(&self.store), self.reaper_interval);
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let scope = Scope::new(&self.store, &self.shared, ctx);
        if self.enforce_capacity
            && let Some(direction) = capacity_direction(ctx.operation)
            && let Some(name) = input.get("TableName").and_then(Value::as_str)
            && let Some(meta) = scope.meta_opt(name)?
            && meta.billing == "PROVISIONED"
        {
            return self.call_throttled(&scope, ctx, input, &meta, direction).await;
        }
        self.dispatch(&scope, ctx, &input).await
    }
}

/// Whether an operation consumes read or write capacity of its table.
fn capacity_direction(op: &str) -> Option<&'static str> {
    match op {
        "GetItem" | "Query" | "Scan" => Some("read"),
        "PutItem" | "UpdateItem" | "DeleteItem" => Some("write"),
        _ => None,
    }
}

impl DynamoDb {
    /// Runs a single-table operation against the table's token bucket.
    async fn call_throttled(
        &self,
        scope: &Scope,
        ctx: &RequestContext,
        mut input: Value,
        meta: &table::TableMeta,
        direction: &str,
    ) -> Result<Value, AwsError> {
        let bucket = |name: &str| format!("{}/{}/{}/{name}/{direction}", scope.account, scope.region, meta.name);
        let gsi_rate = |ix: &table::IndexMeta| if direction == "read" { ix.rcu } else { ix.wcu }.unwrap_or(0) as f64;
        // A read of a GSI spends the index's capacity; a write spends the
        // table's and that of every GSI it touches (checked up front).
        let target_index =
            input.get("IndexName").and_then(Value::as_str).and_then(|n| meta.gsis.iter().find(|g| g.name == n));
        match target_index {
            Some(ix) => self.throttle.check(&bucket(&ix.name), gsi_rate(ix))?,
            None => self.throttle.check(&bucket(""), if direction == "read" { meta.rcu } else { meta.wcu } as f64)?,
        }
        if direction == "write" {
            for ix in &meta.gsis {
                self.throttle.check(&bucket(&ix.name), gsi_rate(ix))?;
            }
        }
        let asked = input.get("ReturnConsumedCapacity").and_then(Value::as_str).is_some_and(|v| v != "NONE");
        let original = input.get("ReturnConsumedCapacity").cloned();
        if let Some(o) = input.as_object_mut() {
            o.insert("ReturnConsumedCapacity".into(), Value::String("INDEXES".into()));
        }
        let mut out = self.dispatch(scope, ctx, &input).await?;
        let table_units = out.pointer("/ConsumedCapacity/Table/CapacityUnits").and_then(Value::as_f64).unwrap_or(0.0);
        self.throttle.charge(&bucket(""), table_units);
        if let Some(Value::Object(ixs)) = out.pointer("/ConsumedCapacity/GlobalSecondaryIndexes") {
            for (name, v) in ixs {
                self.throttle.charge(&bucket(name), v.get("CapacityUnits").and_then(Value::as_f64).unwrap_or(0.0));
            }
        }
        // Give the caller the ConsumedCapacity shape they asked for.
        if let Some(o) = out.as_object_mut() {
            match original.as_ref().and_then(Value::as_str) {
                Some("INDEXES") => {}
                Some("TOTAL") if asked => {
                    if let Some(Value::Object(c)) = o.get_mut("ConsumedCapacity") {
                        c.remove("Table");
                        c.remove("GlobalSecondaryIndexes");
                        c.remove("LocalSecondaryIndexes");
                    }
                }
                _ => {
                    o.remove("ConsumedCapacity");
                }
            }
        }
        Ok(out)
    }

    async fn dispatch(&self, scope: &Scope, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
        match ctx.operation {
            "CreateTable" => tables::create(scope, input).await,
            "DescribeTable" => tables::describe(scope, input).await,
            "UpdateTable" => tables::update(scope, input).await,
            "DeleteTable" => tables::delete(scope, input).await,
            "ListTables" => tables::list(scope, input).await,
            "TagResource" => tables::tag(scope, input).await,
            "UntagResource" => tables::untag(scope, input).await,
            "ListTagsOfResource" => tables::list_tags(scope, input).await,
            "UpdateTimeToLive" => tables::update_ttl(scope, input).await,
            "DescribeTimeToLive" => tables::describe_ttl(scope, input).await,
            "DescribeLimits" => tables::describe_limits().await,
            "DescribeEndpoints" => tables::describe_endpoints(scope).await,
            "PutItem" => items::put(scope, input).await,
            "GetItem" => items::get(scope, input).await,
            "UpdateItem" => items::update(scope, input).await,
            "DeleteItem" => items::delete(scope, input).await,
            "Query" => read::query(scope, input).await,
            "Scan" => read::scan(scope, input).await,
            "BatchGetItem" => batch::get(scope, input).await,
            "BatchWriteItem" => batch::write(scope, input).await,
            "TransactGetItems" => transact::get(scope, input).await,
            "TransactWriteItems" => transact::write(scope, input).await,
            "ExecuteStatement" => pq::execute_statement(scope, input).await,
            "BatchExecuteStatement" => pq::batch_execute(scope, input).await,
            "ExecuteTransaction" => pq::execute_transaction(scope, input).await,
            other => Err(AwsError::bad_request(
                "UnknownOperationException",
                format!("Operation {other} is not supported by Stratus's DynamoDB."),
            )),
        }
    }
}

/// The operations DynamoDB Streams implements.
const STREAM_OPERATIONS: &[&str] = &["DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"];

/// The DynamoDB Streams service, reading the records DynamoDB writes.
pub struct DynamoDbStreams {
    store: Store,
    shared: Shared,
}

impl DynamoDbStreams {
    pub fn new(store: Store) -> DynamoDbStreams {
        DynamoDbStreams { store, shared: Shared::default() }
    }
}

#[async_trait]
impl Service for DynamoDbStreams {
    fn name(&self) -> &'static str {
        "dynamodbstreams"
    }

    fn operations(&self) -> &'static [&'static str] {
        STREAM_OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let scope = Scope::new(&self.store, &self.shared, ctx);
        let input = &input;
        match ctx.operation {
            "ListStreams" => streams::list(&scope, input).await,
            "DescribeStream" => streams::describe(&scope, input).await,
            "GetShardIterator" => streams::get_shard_iterator(&scope, input).await,
            "GetRecords" => streams::get_records(&scope, input).await,
            other => Err(AwsError::bad_request(
                "UnknownOperationException",
                format!("Operation {other} is not supported by Stratus's DynamoDB Streams."),
            )),
        }
    }
}
