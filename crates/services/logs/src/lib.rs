//! CloudWatch Logs for Stratus: log groups and streams, PutLogEvents,
//! GetLogEvents, FilterLogEvents with AWS's filter pattern syntax,
//! retention, tags, metric filters and subscription filters, all kept in
//! the store (layout in `keys`).
//!
//! This file owns the `Logs` service: its operation list and dispatch.

mod batch;
mod error;
mod expire;
pub mod filter;
pub mod ingest;
mod keys;
mod merge;
mod model;
mod names;
mod ops;
mod page;
mod retention;
mod scope;
mod span;
mod token;

#[cfg(test)]
mod tests;

use async_trait::async_trait;
use serde_json::Value;
use stratus_core::{AwsError, EventSender, RequestContext, Service};
use stratus_store::Store;

use crate::ops::{
    filter_events, get_events, groups, live_tail, metric_filters, put_events, streams, subscriptions, tags,
};
use crate::scope::Scope;

/// The operations Logs implements.
const OPERATIONS: &[&str] = &[
    "CreateLogGroup",
    "CreateLogStream",
    "DeleteLogGroup",
    "DeleteLogStream",
    "DeleteMetricFilter",
    "DeleteRetentionPolicy",
    "DeleteSubscriptionFilter",
    "DescribeLogGroups",
    "DescribeLogStreams",
    "DescribeMetricFilters",
    "DescribeSubscriptionFilters",
    "FilterLogEvents",
    "GetLogEvents",
    "ListTagsForResource",
    "ListTagsLogGroup",
    "PutLogEvents",
    "PutMetricFilter",
    "PutRetentionPolicy",
    "PutSubscriptionFilter",
    "StartLiveTail",
    "TagLogGroup",
    "TagResource",
    "TestMetricFilter",
    "UntagLogGroup",
    "UntagResource",
];

/// The CloudWatch Logs service.
pub struct Logs {
    store: Store,
}

impl Logs {
    pub fn new(store: Store) -> Logs {
        Logs { store }
    }
}

#[async_trait]
impl Service for Logs {
    fn name(&self) -> &'static str {
        "logs"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    async fn call_stream(&self, ctx: &RequestContext, input: Value, events: EventSender) -> Result<Value, AwsError> {
        match ctx.operation {
            "StartLiveTail" => live_tail::start(Scope::new(&self.store, ctx), &input, events).await,
            other => Err(AwsError::bad_request("UnknownOperationException", format!("{other} does not stream"))),
        }
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let scope = Scope::new(&self.store, ctx);
        let input = &input;
        match ctx.operation {
            "CreateLogGroup" => groups::create(&scope, input).await,
            "DeleteLogGroup" => groups::delete(&scope, input).await,
            "DescribeLogGroups" => groups::describe(&scope, input).await,
            "PutRetentionPolicy" => groups::put_retention(&scope, input).await,
            "DeleteRetentionPolicy" => groups::delete_retention(&scope, input).await,
            "TagLogGroup" => tags::tag_log_group(&scope, input).await,
            "UntagLogGroup" => tags::untag_log_group(&scope, input).await,
            "ListTagsLogGroup" => tags::list_tags_log_group(&scope, input).await,
            "TagResource" => tags::tag_resource(&scope, input).await,
            "UntagResource" => tags::untag_resource(&scope, input).await,
            "ListTagsForResource" => tags::list_tags_for_resource(&scope, input).await,
            "CreateLogStream" => streams::create(&scope, input).await,
            "DeleteLogStream" => streams::delete(&scope, input).await,
            "DescribeLogStreams" => streams::describe(&scope, input).await,
            "PutLogEvents" => put_events::put(&scope, input).await,
            "GetLogEvents" => get_events::get(&scope, input).await,
            "FilterLogEvents" => filter_events::filter(&scope, input).await,
            "PutMetricFilter" => metric_filters::put(&scope, input).await,
            "DescribeMetricFilters" => metric_filters::describe(&scope, input).await,
            "DeleteMetricFilter" => metric_filters::delete(&scope, input).await,
            "TestMetricFilter" => metric_filters::test(&scope, input).await,
            "PutSubscriptionFilter" => subscriptions::put(&scope, input).await,
            "DescribeSubscriptionFilters" => subscriptions::describe(&scope, input).await,
            "DeleteSubscriptionFilter" => subscriptions::delete(&scope, input).await,
            other => Err(AwsError::bad_request(
                "UnknownOperationException",
                format!("Operation {other} is not supported by Stratus's CloudWatch Logs."),
            )),
        }
    }
}
