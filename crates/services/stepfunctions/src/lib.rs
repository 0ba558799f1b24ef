//! AWS Step Functions for Stratus: state machines (with versions and
//! aliases), activities and their workers, tags, Standard executions that
//! survive a restart and can be redriven, Express executions in memory
//! (StartSyncExecution) logged to CloudWatch Logs, task tokens with
//! heartbeats, nested executions, TestState, map runs, and the Amazon States Language
//! interpreter in `asl`.
//!
//! This file owns the `StepFunctions` service: its operation list,
//! dispatch, and resuming and stopping executions.

mod activities;
mod aliases;
mod apigw;
pub mod asl;
mod callbacks;
mod definition;
mod durable_tokens;
mod errors;
mod executions;
mod integrations;
mod journal;
mod logging;
mod machines;
mod mapruns;
mod model;
mod names;
mod nested;
mod page;
mod redrive;
mod runner;
mod shared;
mod sigv4;
mod tags;
mod teststate;
mod thread_store;
mod tokens;
mod workers;

use async_trait::async_trait;
use serde_json::Value;
use shared::Shared;
use std::sync::Arc;
use stratus_core::{AwsError, RequestContext, Service, Settings};
use stratus_store::Store;

/// The operations Step Functions implements.
const OPERATIONS: &[&str] = &[
    "CreateActivity",
    "CreateStateMachine",
    "CreateStateMachineAlias",
    "DeleteActivity",
    "DeleteStateMachine",
    "DeleteStateMachineAlias",
    "DeleteStateMachineVersion",
    "DescribeActivity",
    "DescribeExecution",
    "DescribeMapRun",
    "DescribeStateMachine",
    "DescribeStateMachineAlias",
    "DescribeStateMachineForExecution",
    "GetActivityTask",
    "GetExecutionHistory",
    "ListActivities",
    "ListExecutions",
    "ListMapRuns",
    "ListStateMachineAliases",
    "ListStateMachineVersions",
    "ListStateMachines",
    "ListTagsForResource",
    "PublishStateMachineVersion",
    "RedriveExecution",
    "SendTaskFailure",
    "SendTaskHeartbeat",
    "SendTaskSuccess",
    "StartExecution",
    "StartSyncExecution",
    "StopExecution",
    "TagResource",
    "TestState",
    "UntagResource",
    "UpdateMapRun",
    "UpdateStateMachine",
    "UpdateStateMachineAlias",
    "ValidateStateMachineDefinition",
];

/// The Step Functions service.
pub struct StepFunctions {
    shared: Arc<Shared>,
}

impl StepFunctions {
    pub fn new(store: Store, settings: &Settings) -> StepFunctions {
        StepFunctions { shared: Arc::new(Shared::new(store, settings)) }
    }
}

#[async_trait]
impl Service for StepFunctions {
    fn name(&self) -> &'static str {
        "stepfunctions"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let (s, i) = (&self.shared, &input);
        match ctx.operation {
            "CreateStateMachine" => machines::create(s, ctx, i).await,
            "DescribeStateMachine" => machines::describe(s, i),
            "UpdateStateMachine" => machines::update(s, i).await,
            "DeleteStateMachine" => machines::delete(s, i).await,
            "ListStateMachines" => machines::list(s, ctx, i),
            "PublishStateMachineVersion" => machines::publish(s, i).await,
            "ListStateMachineVersions" => machines::list_versions(s, i),
            "DeleteStateMachineVersion" => machines::delete_version(s, i).await,
            "CreateStateMachineAlias" => aliases::create(s, i).await,
            "DescribeStateMachineAlias" => aliases::describe(s, i),
            "UpdateStateMachineAlias" => aliases::update(s, i).await,
            "DeleteStateMachineAlias" => aliases::delete(s, i).await,
            "ListStateMachineAliases" => aliases::list(s, i),
            "ValidateStateMachineDefinition" => machines::validate(i),
            "StartExecution" => executions::start(s, i).await,
            "StartSyncExecution" => executions::start_sync(s, i).await,
            "DescribeExecution" => executions::describe(s, i),
            "ListExecutions" => executions::list(s, i),
            "DescribeMapRun" => mapruns::describe(s, i),
            "ListMapRuns" => mapruns::list(s, i),
            "UpdateMapRun" => mapruns::update(s, i).await,
            "StopExecution" => executions::stop(s, i).await,
            "RedriveExecution" => redrive::redrive(s, i).await,
            "GetExecutionHistory" => executions::history(s, i),
            "DescribeStateMachineForExecution" => executions::machine_for_execution(s, i),
            "SendTaskSuccess" => callbacks::success(s, i),
            "SendTaskFailure" => callbacks::failure(s, i),
            "SendTaskHeartbeat" => callbacks::heartbeat(s, i),
            "CreateActivity" => activities::create(s, ctx, i).await,
            "DescribeActivity" => activities::describe(s, i),
            "DeleteActivity" => activities::delete(s, i).await,
            "ListActivities" => activities::list(s, ctx, i),
            "GetActivityTask" => workers::get_task(s, i).await,
            "TagResource" => tags::tag(s, i).await,
            "TestState" => teststate::test_state(s, ctx, i).await,
            "UntagResource" => tags::untag(s, i).await,
            "ListTagsForResource" => tags::list(s, i).await,
            other => Err(AwsError::new(
                501,
                "NotImplemented",
                format!("The operation {other} of service stepfunctions is not implemented by Stratus yet"),
            )),
        }
    }

    fn reset(&self) {
        self.shared.forget_running();
    }

    fn start(&self) {
        runner::resume_all(&self.shared);
    }

    async fn stop(&self) {
        self.shared.stop().await;
    }
}
