//! How one service calls another inside the same server (SNS delivering to
//! SQS, S3 notifying Lambda, event source mappings reading queues): the
//! registry installs every service here once they all exist, and a call goes
//! through the target's ordinary `Service::call` with an internal context.

use crate::{AwsError, BodyStream, RequestContext, Service, Streamed};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock, Weak};

/// A handle on every service of the server; cheap to clone. It holds the
/// services weakly: they hold it (through their settings), and a strong
/// cycle would keep them, and the store, alive after shutdown.
#[derive(Clone, Default)]
pub struct Peers(Arc<OnceLock<HashMap<&'static str, Weak<dyn Service>>>>);

impl fmt::Debug for Peers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.get().map(|m| m.keys().copied().collect()).unwrap_or_default();
        f.debug_tuple("Peers").field(&names).finish()
    }
}

impl Peers {
    /// Makes `services` reachable; later calls are ignored.
    pub fn install(&self, services: &[Arc<dyn Service>]) {
        let _ = self.0.set(services.iter().map(|s| (s.name(), Arc::downgrade(s))).collect());
    }

    /// The service named `name` (its model name, e.g. `sqs`), once installed.
    pub fn get(&self, name: &str) -> Option<Arc<dyn Service>> {
        self.0.get().and_then(|m| m.get(name)).and_then(Weak::upgrade)
    }

    /// Calls `operation` of `service` as account `account_id` in `region`,
    /// with model-keyed input, as the front door would after decoding.
    pub async fn call(
        &self,
        service: &'static str,
        operation: &'static str,
        account_id: &str,
        region: &str,
        input: Value,
    ) -> Result<Value, AwsError> {
        let (target, ctx) = self.target(service, operation, account_id, region)?;
        target.call(&ctx, input).await
    }

    /// As [`Peers::call`] for an operation with a streaming payload (S3
    /// GetObject, PutObject): the body goes in as `body`, and comes out as
    /// the output's chunk channel.
    pub async fn call_streaming(
        &self,
        service: &'static str,
        operation: &'static str,
        (account_id, region): (&str, &str),
        input: Value,
        body: BodyStream,
    ) -> Result<Streamed, AwsError> {
        let (target, ctx) = self.target(service, operation, account_id, region)?;
        target.call_streaming(&ctx, input, body).await
    }

    fn target(
        &self,
        service: &'static str,
        operation: &'static str,
        account_id: &str,
        region: &str,
    ) -> Result<(Arc<dyn Service>, RequestContext), AwsError> {
        let target = self.get(service).ok_or_else(|| {
            AwsError::new(500, "InternalFailure", format!("service {service} is not part of this server"))
        })?;
        let mut ctx = RequestContext::internal(service, operation);
        ctx.account_id = account_id.to_string();
        ctx.region = region.to_string();
        Ok((target, ctx))
    }
}
