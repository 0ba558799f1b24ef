//! What every call shares: the store, the server settings (endpoint,
//! peers), decoded REST and HTTP APIs cached for the data plane, the meter of throttles
//! and quotas, cached authorizer answers and stage caches, open WebSocket connections; and the two ways calls
//! reach an API: read it, or change it in one transaction.

use crate::db::{self, Api};
use crate::errors;
use crate::metering::Meter;
use serde_json::Value;
use std::sync::Arc;
use stratus_core::{AwsError, DecodedCache, RequestContext, Settings};
use stratus_store::Store;

pub struct Shared {
    pub store: Store,
    pub settings: Settings,
    pub apis: DecodedCache<Api>,
    pub meter: Meter,
    pub authorizer_results: crate::invoke::AuthorizerCache,
    pub stage_cache: crate::invoke::StageCache,
    pub http_apis: DecodedCache<crate::v2::db::HttpApi>,
    /// Open WebSocket connections.
    pub connections: crate::v2::websocket::Connections,
    /// The custom domain names served (v1 and v2).
    pub domain_names: crate::hosts::DomainNames,
}

impl Shared {
    pub fn new(store: Store, settings: &Settings) -> Shared {
        Shared {
            store: store.clone(),
            settings: settings.clone(),
            apis: DecodedCache::default(),
            meter: Default::default(),
            authorizer_results: Default::default(),
            stage_cache: Default::default(),
            http_apis: DecodedCache::default(),
            connections: Default::default(),
            domain_names: crate::hosts::DomainNames::loaded(&store),
        }
    }

    /// API `id` as the data plane sees it, whoever owns it.
    pub fn any_api(&self, id: &str) -> Result<Option<Arc<Api>>, AwsError> {
        self.apis.load(&self.store, &db::api_key(id), db::decode)
    }

    /// API `id` of the caller's account and region.
    pub fn api(&self, ctx: &RequestContext, id: &str) -> Result<Arc<Api>, AwsError> {
        self.any_api(id)?.filter(|a| a.owned_by(ctx)).ok_or_else(|| errors::no_api(ctx, id))
    }

    /// Runs `change` on API `id` and stores the result, atomically; a
    /// missing API fails with `missing` (callers below the API level report
    /// their own not-found error).
    pub async fn change<F>(
        &self,
        ctx: &RequestContext,
        id: &str,
        missing: AwsError,
        mut change: F,
    ) -> Result<Value, AwsError>
    where
        F: FnMut(&mut Api) -> Result<Value, AwsError> + Send + 'static,
    {
        let key = db::api_key(id);
        let (account, region) = (ctx.account_id.clone(), ctx.region.clone());
        self.store
            .transact(move |txn| {
                let raw = txn.get(&key)?.ok_or_else(|| missing.clone())?;
                let mut api: Api = db::decode(&raw)?;
                if api.account != account || api.region != region {
                    return Err(missing.clone());
                }
                let out = change(&mut api)?;
                txn.put(key.clone(), db::encode(&api));
                Ok(out)
            })
            .await
    }
}
