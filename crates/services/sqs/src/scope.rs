//! `Scope`: what one call works with (the shared state, the caller's account
//! and region), and `QueueRef`: a queue named by URL, name or ARN, with the
//! loads every operation shares.

use std::sync::Arc;

use stratus_core::{AwsError, RequestContext};
use stratus_store::Store;

use crate::Shared;
use crate::attrs::{Lookup, Target};
use crate::error::no_queue;
use crate::keys::Keys;
use crate::model::{Queue, decode};
use crate::url;

pub struct Scope {
    pub shared: Arc<Shared>,
    pub account: String,
    pub region: String,
}

/// One queue: the keys of its account and region, and its name.
#[derive(Debug, Clone)]
pub struct QueueRef {
    pub keys: Keys,
    pub name: String,
}

impl QueueRef {
    pub fn key(&self) -> Vec<u8> {
        self.keys.queue(&self.name)
    }

    pub fn arn(&self) -> String {
        url::queue_arn(&self.keys.region, &self.keys.account, &self.name)
    }

    pub fn url(&self, endpoint: &str) -> String {
        url::queue_url(endpoint, &self.keys.account, &self.name)
    }

    /// The queue record, or QueueDoesNotExist.
    pub fn load(&self, store: &Store) -> Result<Queue, AwsError> {
        match store.get(self.key())? {
            Some(bytes) => decode("queue", &bytes),
            None => Err(no_queue()),
        }
    }
}

impl Scope {
    pub fn new(shared: &Arc<Shared>, ctx: &RequestContext) -> Scope {
        Scope { shared: shared.clone(), account: ctx.account_id.clone(), region: ctx.region.clone() }
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub fn keys(&self) -> Keys {
        Keys::new(&self.account, &self.region)
    }

    pub fn named(&self, name: &str) -> QueueRef {
        QueueRef { keys: self.keys(), name: name.to_string() }
    }

    /// The queue a QueueUrl names (any host form; the caller's account when
    /// the URL has none).
    pub fn by_url(&self, queue_url: &str) -> Result<QueueRef, AwsError> {
        let (account, name) = url::parse(queue_url).ok_or_else(no_queue)?;
        let account = account.unwrap_or_else(|| self.account.clone());
        Ok(QueueRef { keys: Keys::new(&account, &self.region), name })
    }

    /// The queue an ARN names.
    pub fn by_arn(&self, arn: &str) -> Option<QueueRef> {
        let (region, account, name) = url::parse_arn(arn)?;
        Some(QueueRef { keys: Keys::new(&account, &region), name })
    }

    /// The `QueueUrl` member's queue and its record.
    pub fn load(&self, input: &serde_json::Value) -> Result<(QueueRef, Queue), AwsError> {
        let url = input.get("QueueUrl").and_then(|v| v.as_str()).unwrap_or("");
        let q = self.by_url(url)?;
        let queue = q.load(self.store())?;
        Ok((q, queue))
    }

    pub fn url(&self, q: &QueueRef) -> String {
        q.url(&self.shared.endpoint)
    }
}

impl Lookup for Scope {
    fn dead_letter_target(&self, arn: &str) -> Option<Target> {
        let queue = self.by_arn(arn)?.load(self.store()).ok()?;
        let redrive_allow_policy = queue.attributes.get("RedriveAllowPolicy").cloned();
        Some(Target { fifo: queue.fifo, redrive_allow_policy })
    }
}
