//! The supervisor of event source mappings: on every write (and every few
//! seconds) it settles transitional states (`Creating`, `Enabling`,
//! `Updating` → `Enabled`; `Disabling` → `Disabled`), starts a poller for
//! each enabled mapping, restarts one whose mapping changed and stops those
//! of disabled or deleted mappings. Pollers of mappings already in the
//! store start again after a restart. Also the synchronous invoke pollers
//! use.

use super::{Mapping, PREFIX, Running, Source, key, source_of};
use crate::db;
use crate::invoke::{self, RunResult};
use crate::names;
use crate::resolve;
use crate::state::Shared;
use bytes::Bytes;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// Runs until aborted.
pub async fn supervise(s: Arc<Shared>) {
    loop {
        reconcile(&s).await;
        let _ = tokio::time::timeout(Duration::from_secs(5), s.esm.notify.notified()).await;
    }
}

async fn reconcile(s: &Arc<Shared>) {
    let rows = s.store.scan_prefix(PREFIX, false, None).unwrap_or_default();
    let mut wanted: HashMap<String, Mapping> = HashMap::new();
    for (_, v) in rows {
        let Ok(mut m) = db::decode::<Mapping>(&v) else { continue };
        let enabled = m.config.bool("_Enabled").unwrap_or(true);
        let settled = if enabled { "Enabled" } else { "Disabled" };
        if m.config.str("State") != Some(settled) {
            m.config["State"] = json!(settled);
            settle(s, &m).await;
        }
        if enabled {
            wanted.insert(m.uuid().to_string(), m);
        }
    }
    let Ok(mut running) = s.esm.running.lock() else { return };
    running.retain(|uuid, r| {
        let keep = wanted.get(uuid).is_some_and(|m| m.revision == r.revision) && !r.handle.is_finished();
        if !keep {
            r.handle.abort();
        }
        keep
    });
    for (uuid, m) in wanted {
        if running.contains_key(&uuid) {
            continue;
        }
        let revision = m.revision.clone();
        let handle = match source_of(m.source_arn()) {
            Some(Source::Sqs { .. }) => tokio::spawn(super::sqs::run(s.clone(), m)),
            Some(Source::DynamoDbStream) => tokio::spawn(super::streams::run(s.clone(), m)),
            None => continue,
        };
        running.insert(uuid, Running { revision, handle });
    }
}

/// Writes a settled state unless the mapping changed or went meanwhile.
async fn settle(s: &Shared, m: &Mapping) {
    let k = key(m.uuid());
    let (revision, bytes) = (m.revision.clone(), db::encode(m));
    let _ = s
        .store
        .transact(move |txn| {
            let current = txn.get(&k)?.and_then(|b| db::decode::<Mapping>(&b).ok());
            if current.is_some_and(|c| c.revision == revision) {
                txn.put(k.clone(), bytes.clone());
            }
            Ok::<_, AwsError>(())
        })
        .await;
}

/// Stops every poller and waits for them (at shutdown).
pub async fn shutdown(s: &Shared) {
    let all: Vec<Running> = s.esm.running.lock().map(|mut r| r.drain().map(|(_, v)| v).collect()).unwrap_or_default();
    for r in &all {
        r.handle.abort();
    }
    for r in all {
        let _ = r.handle.await;
    }
}

/// The context calls on behalf of mapping `m` run in.
pub fn context(m: &Mapping, operation: &'static str) -> RequestContext {
    let mut ctx = RequestContext::internal("lambda", operation);
    ctx.account_id = m.account.clone();
    ctx.region = m.region.clone();
    ctx
}

/// What one synchronous invocation of a batch produced.
pub struct Invoked {
    pub request_id: String,
    pub version: String,
    pub result: RunResult,
}

impl Invoked {
    pub fn failed(&self) -> bool {
        self.result.function_error.is_some()
    }

    /// The response parsed as JSON (null when it is not JSON).
    pub fn response(&self) -> Value {
        serde_json::from_slice(&self.result.payload).unwrap_or(Value::Null)
    }
}

/// Invokes the mapping's function synchronously with `event`.
pub async fn invoke(s: &Arc<Shared>, m: &Mapping, event: &Value) -> Result<Invoked, AwsError> {
    let ctx = context(m, "Invoke");
    let r = names::parse(&ctx, m.function_arn(), None)?;
    let res = resolve::version(s, &ctx, &r, true)?;
    let payload = Bytes::from(serde_json::to_vec(event).unwrap_or_default());
    let result = invoke::run(s, &ctx, &res, payload, m.function_arn(), &ctx.request_id, None).await?;
    Ok(Invoked { request_id: ctx.request_id.clone(), version: res.version, result })
}

/// Records the outcome of the last batch on a stream mapping.
pub async fn last_result(s: &Shared, uuid: &str, text: &'static str) {
    let k = key(uuid);
    let _ = s
        .store
        .transact(move |txn| {
            if let Some(mut m) = txn.get(&k)?.and_then(|b| db::decode::<Mapping>(&b).ok())
                && m.config.str("LastProcessingResult") != Some(text)
            {
                m.config["LastProcessingResult"] = json!(text);
                txn.put(k.clone(), db::encode(&m));
            }
            Ok::<_, AwsError>(())
        })
        .await;
}
