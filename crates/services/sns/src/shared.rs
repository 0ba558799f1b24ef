//! `Shared`: what every operation and delivery task works with: the store,
//! the server settings (endpoint, peers), the lazily loaded signer, the
//! HTTP client for endpoint delivery, and the set of running deliveries.

use crate::arns::TopicRef;
use crate::errors;
use crate::keys::Keys;
use crate::model::{Subscription, Topic, decode};
use crate::signing::Signer;
use std::sync::{Arc, Mutex};
use stratus_core::{AwsError, Settings};
use stratus_store::Store;
use tokio::task::JoinSet;

pub struct Shared {
    pub store: Store,
    pub settings: Settings,
    /// The signer once loaded; dropped by `forget_signer` after a reset.
    signer: Mutex<Option<Arc<Signer>>>,
    tasks: Mutex<JoinSet<()>>,
    pub http: crate::deliver::http::Client,
}

impl Shared {
    pub fn new(store: Store, settings: &Settings) -> Shared {
        Shared {
            store,
            settings: settings.clone(),
            signer: Mutex::new(None),
            tasks: Mutex::new(JoinSet::new()),
            http: crate::deliver::http::client(),
        }
    }

    /// The signing key and certificate, loaded or made on first use.
    pub async fn signer(&self) -> Result<Arc<Signer>, AwsError> {
        if let Some(signer) = self.signer.lock().ok().and_then(|s| s.clone()) {
            return Ok(signer);
        }
        // Concurrent first uses may both get here; the store keeps one key
        // and both read that one back.
        let signer = Arc::new(Signer::load_or_create(&self.store).await?);
        if let Ok(mut slot) = self.signer.lock() {
            *slot = Some(signer.clone());
        }
        Ok(signer)
    }

    /// Drops the cached signer (the store was wiped: a new key is made).
    pub fn forget_signer(&self) {
        if let Ok(mut slot) = self.signer.lock() {
            *slot = None;
        }
    }

    /// Runs `work` in the background (deliveries); `stop` aborts it.
    pub fn spawn(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        if let Ok(mut tasks) = self.tasks.lock() {
            while tasks.try_join_next().is_some() {}
            tasks.spawn(work);
        }
    }

    /// Aborts every running delivery and waits for them to end.
    pub async fn stop(&self) {
        let mut tasks = match self.tasks.lock() {
            Ok(mut t) => std::mem::take(&mut *t),
            Err(_) => return,
        };
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }

    /// `http://host:port` without a trailing slash.
    pub fn endpoint(&self) -> &str {
        self.settings.endpoint.trim_end_matches('/')
    }

    /// Where the signing certificate is served.
    pub fn cert_url(&self) -> String {
        format!("{}{}", self.endpoint(), crate::web::CERT_PATH)
    }

    pub fn unsubscribe_url(&self, sub_arn: &str) -> String {
        format!("{}/?Action=Unsubscribe&SubscriptionArn={sub_arn}", self.endpoint())
    }

    pub fn topic(&self, t: &TopicRef) -> Result<Topic, AwsError> {
        let keys = Keys::new(&t.account, &t.region);
        match self.store.get(keys.topic(&t.name))? {
            Some(b) => decode(&b),
            None => Err(errors::topic_not_found()),
        }
    }

    /// The subscriptions of a topic, in key order.
    pub fn subscriptions_of(&self, t: &TopicRef) -> Result<Vec<Subscription>, AwsError> {
        let keys = Keys::new(&t.account, &t.region);
        self.store.scan_prefix(keys.subs_of(&t.name), false, None)?.iter().map(|(_, v)| decode(v)).collect()
    }

    pub fn subscription(&self, t: &TopicRef, id: &str) -> Result<Option<Subscription>, AwsError> {
        let keys = Keys::new(&t.account, &t.region);
        self.store.get(keys.sub(&t.name, id))?.map(|b| decode(&b)).transpose()
    }
}
