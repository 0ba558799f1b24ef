//! Amazon SQS for Stratus: standard and FIFO queues, message attributes
//! with AWS's digests, delays, visibility timeouts, long polling, dead-letter
//! redrive (with redrive allow policies) and message move tasks, permissions
//! and tags, all kept in the store with absolute timers (layout in `keys`),
//! so in-flight and delayed messages survive a restart.
//!
//! This file owns the `Sqs` service: its operation list, dispatch and
//! background work (the reaper, move tasks).

mod attempts;
mod attrs;
mod checks;
mod claims;
mod digest;
mod error;
mod keys;
mod messages;
mod model;
mod ops;
mod reaper;
mod redrive_allow;
mod scope;
mod seq;
mod url;
mod waiters;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use stratus_core::{AwsError, RequestContext, Service, Settings};
use stratus_store::Store;
use tokio::task::JoinHandle;

use crate::attempts::Attempts;
use crate::claims::Claims;
use crate::ops::{batch, move_tasks, permissions, queues, receive, send, tags, visibility};
use crate::scope::Scope;
use crate::waiters::Waiters;

/// Every operation of the SQS model.
const OPERATIONS: &[&str] = &[
    "AddPermission",
    "CancelMessageMoveTask",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "CreateQueue",
    "DeleteMessage",
    "DeleteMessageBatch",
    "DeleteQueue",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "ListMessageMoveTasks",
    "ListQueueTags",
    "ListQueues",
    "PurgeQueue",
    "ReceiveMessage",
    "RemovePermission",
    "SendMessage",
    "SendMessageBatch",
    "SetQueueAttributes",
    "StartMessageMoveTask",
    "TagQueue",
    "UntagQueue",
];

/// State shared by every call and the background tasks.
pub struct Shared {
    pub store: Store,
    /// Where clients reach the server; queue URLs start with it.
    pub endpoint: String,
    pub waiters: Waiters,
    /// Messages that receives are handing out right now.
    pub claims: Claims,
    /// What FIFO receives with a `ReceiveRequestAttemptId` handed out.
    pub attempts: Attempts,
    /// Running message move tasks and the reaper.
    pub tasks: Mutex<Vec<JoinHandle<()>>>,
    pub reaper_interval: Duration,
    /// How long a deleted queue's name stays taken (AWS: 60 s).
    pub recreate_delay: Duration,
}

/// The SQS service.
pub struct Sqs {
    shared: Arc<Shared>,
}

impl Sqs {
    pub fn new(store: Store, settings: &Settings) -> Sqs {
        Sqs {
            shared: Arc::new(Shared {
                store,
                endpoint: settings.endpoint.trim_end_matches('/').to_string(),
                waiters: Waiters::default(),
                claims: Claims::default(),
                attempts: Attempts::default(),
                tasks: Mutex::new(Vec::new()),
                reaper_interval: Duration::from_secs(settings.reaper_interval_secs.clamp(1, 60)),
                recreate_delay: Duration::from_secs(settings.sqs_recreate_delay_secs),
            }),
        }
    }

    /// Runs one reaper pass now (tests): expired messages and stale
    /// deduplication records are deleted.
    pub async fn reap(&self) -> usize {
        reaper::sweep(&self.shared.store).await
    }
}

#[async_trait]
impl Service for Sqs {
    fn name(&self) -> &'static str {
        "sqs"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    fn reset(&self) {
        self.shared.waiters.clear();
        self.shared.attempts.clear();
    }

    fn start(&self) {
        let reaper = tokio::spawn(reaper::run(Arc::downgrade(&self.shared)));
        if let Ok(mut tasks) = self.shared.tasks.lock() {
            tasks.push(reaper);
        }
        move_tasks::resume(&self.shared);
    }

    async fn stop(&self) {
        let running: Vec<_> = self.shared.tasks.lock().map(|mut t| t.drain(..).collect()).unwrap_or_default();
        for task in &running {
            task.abort();
        }
        for task in running {
            let _ = task.await;
        }
        self.shared.waiters.clear();
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let s = Scope::new(&self.shared, ctx);
        let input = &input;
        match ctx.operation {
            "CreateQueue" => queues::create(&s, input).await,
            "GetQueueUrl" => queues::get_url(&s, input),
            "ListQueues" => queues::list(&s, input),
            "DeleteQueue" => queues::delete(&s, input).await,
            "GetQueueAttributes" => queues::get_attributes(&s, input),
            "SetQueueAttributes" => queues::set_attributes(&s, input).await,
            "PurgeQueue" => queues::purge(&s, input).await,
            "ListDeadLetterSourceQueues" => queues::dead_letter_sources(&s, input),
            "TagQueue" => tags::tag(&s, input).await,
            "UntagQueue" => tags::untag(&s, input).await,
            "ListQueueTags" => tags::list(&s, input),
            "AddPermission" => permissions::add(&s, input).await,
            "RemovePermission" => permissions::remove(&s, input).await,
            "SendMessage" => send::send(&s, ctx, input).await,
            "SendMessageBatch" => send::send_batch(&s, ctx, input).await,
            "ReceiveMessage" => receive::receive(&s, input).await,
            "DeleteMessage" => visibility::delete(&s, input).await,
            "DeleteMessageBatch" => batch::delete(&s, input).await,
            "ChangeMessageVisibility" => visibility::change(&s, input).await,
            "ChangeMessageVisibilityBatch" => batch::change_visibility(&s, input).await,
            "StartMessageMoveTask" => move_tasks::start(&s, input).await,
            "ListMessageMoveTasks" => move_tasks::list(&s, input),
            "CancelMessageMoveTask" => move_tasks::cancel(&s, input).await,
            other => Err(AwsError::bad_request(
                "UnsupportedOperation",
                format!("Operation {other} is not supported by Stratus's SQS."),
            )),
        }
    }
}
