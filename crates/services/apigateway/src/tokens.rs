//! JSON Web Tokens as both kinds of API check them (REST APIs'
//! COGNITO_USER_POOLS authorizers and HTTP APIs' JWT authorizers): the
//! bearer token of a header, the issuer's key set (read in process from
//! this Stratus's Cognito user pools, or fetched from any other OpenID
//! issuer), and the time and scope claims.

use crate::state::Shared;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use stratus_core::HttpRequest;
use stratus_core::input::Input;

/// The token a header value carries, `Bearer ` stripped.
pub fn bearer(value: &str) -> Option<&str> {
    let value = value.trim();
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).unwrap_or(value).trim();
    (!token.is_empty()).then_some(token)
}

/// Whether `host` is this Stratus (its endpoint, or a Cognito IdP host it
/// stands in for).
pub fn is_local(s: &Shared, host: &str) -> bool {
    let endpoint = s.settings.endpoint.split_once("://").map(|(_, h)| h).unwrap_or(&s.settings.endpoint);
    host == endpoint.trim_end_matches('/')
        || (host.starts_with("cognito-idp.") && host.ends_with(".amazonaws.com"))
        || host.split(':').next().is_some_and(|h| h == "localhost" || h == "127.0.0.1")
}

/// The issuer's JSON Web Key Set: read from this Stratus's Cognito in
/// process when it issued the tokens, else fetched from the issuer over
/// HTTP(S) by OpenID discovery (cached for ten minutes).
pub async fn jwks(s: &Shared, issuer: &str) -> Option<Value> {
    match from_cognito(s, issuer).await {
        Some(keys) => Some(keys),
        None => fetched(issuer).await,
    }
}

/// The key set of a user pool of this Stratus, if `issuer` names one.
async fn from_cognito(s: &Shared, issuer: &str) -> Option<Value> {
    let (host, path) = issuer.split_once("://")?.1.split_once('/')?;
    if !is_local(s, host) {
        return None;
    }
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::HOST, http::HeaderValue::from_str(host).ok()?);
    let req = HttpRequest {
        method: http::Method::GET,
        path: format!("/{}/.well-known/jwks.json", path.trim_end_matches('/')),
        query: String::new(),
        headers,
        body: Default::default(),
    };
    let cognito = s.settings.peers.get("cognito-idp")?;
    if !cognito.claims(&req) {
        return None;
    }
    let resp = cognito.serve(req).await;
    (resp.status == 200).then(|| serde_json::from_slice(&resp.body).ok()).flatten()
}

/// How long a fetched key set is used before it is fetched again.
const KEYS_TTL: Duration = Duration::from_secs(600);

type KeyCache = Mutex<HashMap<String, (Instant, Value)>>;

fn key_cache() -> &'static KeyCache {
    static CACHE: OnceLock<KeyCache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// GETs `url` as JSON, within five seconds.
async fn get_json(url: &str) -> Option<Value> {
    let req = http::Request::get(url).body(http_body_util::Full::new(bytes::Bytes::new())).ok()?;
    let got = crate::invoke::http::exchange(req, Duration::from_secs(5)).await.ok()?;
    (got.status == 200).then(|| serde_json::from_slice(&got.body).ok()).flatten()
}

/// The key set of an issuer elsewhere: its discovery document's
/// `jwks_uri` (or `{issuer}/.well-known/jwks.json`), fetched.
async fn fetched(issuer: &str) -> Option<Value> {
    let issuer = issuer.trim_end_matches('/');
    if let Some((at, keys)) = key_cache().lock().unwrap_or_else(PoisonError::into_inner).get(issuer)
        && at.elapsed() < KEYS_TTL
    {
        return Some(keys.clone());
    }
    let discovery = get_json(&format!("{issuer}/.well-known/openid-configuration")).await;
    let uri = discovery
        .as_ref()
        .and_then(|d| d.str("jwks_uri"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{issuer}/.well-known/jwks.json"));
    let keys = get_json(&uri).await.filter(|k| k.get("keys").is_some_and(Value::is_array))?;
    key_cache()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(issuer.to_string(), (Instant::now(), keys.clone()));
    Some(keys)
}

/// Whether the token is within its `nbf`..`exp` window.
pub fn is_current(claims: &Value) -> bool {
    let now = stratus_core::clock::now_epoch();
    let at = |k: &str| claims.get(k).and_then(Value::as_f64);
    at("exp").is_some_and(|exp| exp > now) && at("nbf").is_none_or(|nbf| nbf <= now)
}

/// The token's scopes (`scope`, space-separated, or `scp`).
pub fn scopes(claims: &Value) -> Vec<String> {
    match claims.str("scope") {
        Some(s) => s.split_whitespace().map(str::to_string).collect(),
        None => claims.str_list("scp"),
    }
}
