//! Stage caching: with a stage's cache cluster enabled, a method whose
//! method setting (`{resourcePath}/{VERB}`, else `*/*` for GET) has
//! `cachingEnabled` answers repeated requests from the cache for
//! `cacheTtlInSeconds` (300 by default; 0 disables). The key is the
//! method, the request path and the integration's `cacheKeyParameters`.
//! FlushStageCache empties a stage's entries.

use crate::invoke::call::Call;
use bytes::Bytes;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};
use stratus_core::HttpResponse;
use stratus_core::input::Input;

/// A cached answer and when it expires.
struct Entry {
    until: Instant,
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

#[derive(Default)]
pub struct StageCache(Mutex<HashMap<String, Entry>>);

/// The key prefix of a stage's entries.
fn stage_prefix(api_id: &str, stage: &str) -> String {
    format!("{api_id}/{stage}/")
}

/// The TTL `call`'s method caches for on `stage`, if it caches.
fn ttl(call: &Call, stage: &Value) -> Option<u64> {
    if stage.bool("cacheClusterEnabled") != Some(true) {
        return None;
    }
    let settings = stage.get("methodSettings")?;
    let verb = call.method.str("httpMethod").unwrap_or_default();
    let own = format!("{}/{verb}", call.resource_path.trim_start_matches('/'));
    let setting =
        settings.get(&own).or_else(|| (call.req.method == http::Method::GET).then(|| settings.get("*/*")).flatten())?;
    if setting.bool("cachingEnabled") != Some(true) {
        return None;
    }
    u64::try_from(setting.i64("cacheTtlInSeconds").unwrap_or(300)).ok().filter(|t| *t > 0)
}

/// The cache key of `call`: method, path and cache key parameters.
fn key(call: &Call) -> String {
    let mut key =
        format!("{}{} {}", stage_prefix(call.api.id(), &call.address.stage), call.req.method, call.address.path);
    let params = call.method.get("methodIntegration").map(|i| i.list("cacheKeyParameters")).unwrap_or_default();
    for p in params.iter().filter_map(Value::as_str) {
        let value = if let Some(q) = p.strip_prefix("method.request.querystring.") {
            call.req.query_pairs().into_iter().find(|(k, _)| k == q).map(|(_, v)| v)
        } else if let Some(h) = p.strip_prefix("method.request.header.") {
            call.req.header(h).map(str::to_string)
        } else {
            None
        };
        key.push_str(&format!("|{p}={}", value.unwrap_or_default()));
    }
    key
}

impl StageCache {
    /// The cached answer to `call`, if its method caches and one is fresh.
    pub fn get(&self, call: &Call, stage: &Value) -> Option<HttpResponse> {
        ttl(call, stage)?;
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let e = map.get(&key(call)).filter(|e| e.until > Instant::now())?;
        Some(HttpResponse { status: e.status, headers: e.headers.clone(), body: e.body.clone(), stream: None })
    }

    /// Keeps `resp` for `call` when its method caches (not server errors).
    pub fn put(&self, call: &Call, stage: &Value, resp: &HttpResponse) {
        let Some(ttl) = ttl(call, stage) else { return };
        if resp.status >= 500 || resp.stream.is_some() {
            return;
        }
        let entry = Entry {
            until: Instant::now() + Duration::from_secs(ttl),
            status: resp.status,
            headers: resp.headers.clone(),
            body: resp.body.clone(),
        };
        self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(key(call), entry);
    }

    /// Drops every entry of `stage` of API `api_id`.
    pub fn flush(&self, api_id: &str, stage: &str) {
        let prefix = stage_prefix(api_id, stage);
        self.0.lock().unwrap_or_else(PoisonError::into_inner).retain(|k, _| !k.starts_with(&prefix));
    }
}
