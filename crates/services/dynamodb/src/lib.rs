//! DynamoDB for Stratus: tables, items, expressions, queries and scans,
//! secondary indexes, batches, transactions, streams and TTL, all kept in
//! the store (layout in `keys`).
//!
//! This file owns the two services the crate serves, `DynamoDb` (model
//! `dynamodb`) and `DynamoDbStreams` (model `dynamodbstreams`): their
//! operation lists and dispatch.

mod backup;
mod capacity;
mod db;
mod error;
pub mod expr;
mod journal;
mod keys;
mod locks;
pub mod number;
mod ops;
mod partiql;
mod restore;
mod stream;
mod table;
pub mod types;
mod wire;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_backups;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use stratus_core::{AwsError, RequestContext, Service, Settings};
use stratus_store::Store;

use crate::capacity::Gate;
use crate::db::{Scope, Shared};
use crate::ops::{
    backups, batch, insights, items, partiql as pq, pitr, policies, read, streams, tables, transact, ttl,
};

/// The operations DynamoDB implements.
const OPERATIONS: &[&str] = &[
    "BatchExecuteStatement",
    "BatchGetItem",
    "BatchWriteItem",
    "CreateBackup",
    "CreateTable",
    "DeleteBackup",
    "DeleteItem",
    "DeleteResourcePolicy",
    "DeleteTable",
    "DescribeBackup",
    "DescribeContinuousBackups",
    "DescribeContributorInsights",
    "DescribeEndpoints",
    "DescribeLimits",
    "DescribeTable",
    "DescribeTimeToLive",
    "ExecuteStatement",
    "ExecuteTransaction",
    "GetItem",
    "GetResourcePolicy",
    "ListBackups",
    "ListContributorInsights",
    "ListTables",
    "ListTagsOfResource",
    "PutItem",
    "PutResourcePolicy",
    "Query",
    "RestoreTableFromBackup",
    "RestoreTableToPointInTime",
    "Scan",
    "TagResource",
    "TransactGetItems",
    "TransactWriteItems",
    "UntagResource",
    "UpdateContinuousBackups",
    "UpdateContributorInsights",
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
        tables::resume_index_work(&self.store, &self.shared);
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let scope = Scope::new(&self.store, &self.shared, ctx);
        match capacity_direction(ctx.operation, &input) {
            Some(write) if self.enforce_capacity => self.call_metered(&scope, ctx, input, write).await,
            _ => self.dispatch(&scope, ctx, &input, &Gate::open()).await,
        }
    }
}

/// Whether an operation spends write (true) or read (false) capacity; None
/// for operations that spend none. A PartiQL request reads or writes as its
/// (first) statement does.
fn capacity_direction(op: &str, input: &Value) -> Option<bool> {
    match op {
        "GetItem" | "Query" | "Scan" | "BatchGetItem" | "TransactGetItems" => Some(false),
        "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem" | "TransactWriteItems" => Some(true),
        "ExecuteStatement" => Some(!is_select(input.get("Statement"))),
        "BatchExecuteStatement" | "ExecuteTransaction" => {
            let member = if op == "ExecuteTransaction" { "TransactStatements" } else { "Statements" };
            let first = input.get(member).and_then(|l| l.get(0)).and_then(|s| s.get("Statement"));
            Some(!is_select(first))
        }
        _ => None,
    }
}

fn is_select(statement: Option<&Value>) -> bool {
    statement
        .and_then(Value::as_str)
        .is_some_and(|s| s.trim_start().get(..6).is_some_and(|w| w.eq_ignore_ascii_case("select")))
}

/// Keeps of a ConsumedCapacity entry what `asked` (the request's
/// ReturnConsumedCapacity) wants: everything for INDEXES, the totals for TOTAL.
fn reshape_capacity(out: &mut Value, asked: Option<&str>) {
    let Some(o) = out.as_object_mut() else { return };
    match asked {
        Some("INDEXES") => {}
        Some("TOTAL") => {
            let entries = match o.get_mut("ConsumedCapacity") {
                Some(Value::Array(list)) => list.iter_mut().collect(),
                Some(v) => vec![v],
                None => Vec::new(),
            };
            for c in entries.into_iter().filter_map(Value::as_object_mut) {
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

impl DynamoDb {
    /// Runs an operation against the token buckets of the tables it
    /// touches: single-table operations are refused up front when their
    /// table's (or index's) bucket is empty, batches and transactions
    /// decide item by item; every call is then charged what it consumed.
    async fn call_metered(
        &self,
        scope: &Scope,
        ctx: &RequestContext,
        mut input: Value,
        write: bool,
    ) -> Result<Value, AwsError> {
        let gate = Gate::new(&self.throttle, &scope.account, &scope.region);
        if matches!(ctx.operation, "GetItem" | "Query" | "Scan" | "PutItem" | "UpdateItem" | "DeleteItem")
            && let Some(name) = input.get("TableName").and_then(Value::as_str)
            && let Some(meta) = scope.meta_opt(name)?
            && let Some(e) = gate.exhausted(&meta, input.get("IndexName").and_then(Value::as_str), write)
        {
            return Err(e.error());
        }
        // Ask for the itemized units, charge them, then answer what was asked.
        let asked = input.get("ReturnConsumedCapacity").and_then(Value::as_str).map(str::to_string);
        if let Some(o) = input.as_object_mut() {
            o.insert("ReturnConsumedCapacity".into(), Value::String("INDEXES".into()));
        }
        let mut out = self.dispatch(scope, ctx, &input, &gate).await?;
        let entries = match out.get("ConsumedCapacity") {
            Some(Value::Array(list)) => list.iter().collect(),
            Some(v) => vec![v],
            None => Vec::new(),
        };
        for c in entries {
            if let Some(table) = c.get("TableName").and_then(Value::as_str) {
                gate.charge(table, &ops::common::Units::from_entry(c), write);
            }
        }
        reshape_capacity(&mut out, asked.as_deref());
        Ok(out)
    }

    async fn dispatch(
        &self,
        scope: &Scope,
        ctx: &RequestContext,
        input: &Value,
        gate: &Gate<'_>,
    ) -> Result<Value, AwsError> {
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
            "DescribeContinuousBackups" => pitr::describe(scope, input).await,
            "UpdateContinuousBackups" => pitr::update(scope, input).await,
            "RestoreTableToPointInTime" => pitr::restore(scope, input).await,
            "CreateBackup" => backups::create(scope, input).await,
            "DescribeBackup" => backups::describe(scope, input).await,
            "ListBackups" => backups::list(scope, input).await,
            "DeleteBackup" => backups::delete(scope, input).await,
            "RestoreTableFromBackup" => backups::restore(scope, input).await,
            "DescribeContributorInsights" => insights::describe(scope, input).await,
            "UpdateContributorInsights" => insights::update(scope, input).await,
            "ListContributorInsights" => insights::list(scope, input).await,
            "PutResourcePolicy" => policies::put(scope, input).await,
            "GetResourcePolicy" => policies::get(scope, input).await,
            "DeleteResourcePolicy" => policies::delete(scope, input).await,
            "PutItem" => items::put(scope, input).await,
            "GetItem" => items::get(scope, input).await,
            "UpdateItem" => items::update(scope, input).await,
            "DeleteItem" => items::delete(scope, input).await,
            "Query" => read::query(scope, input).await,
            "Scan" => read::scan(scope, input).await,
            "BatchGetItem" => batch::get(scope, input, gate).await,
            "BatchWriteItem" => batch::write(scope, input, gate).await,
            "TransactGetItems" => transact::get(scope, input, gate).await,
            "TransactWriteItems" => transact::write(scope, input, gate).await,
            "ExecuteStatement" => pq::execute_statement(scope, input, gate).await,
            "BatchExecuteStatement" => pq::batch_execute(scope, input, gate).await,
            "ExecuteTransaction" => pq::execute_transaction(scope, input, gate).await,
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
