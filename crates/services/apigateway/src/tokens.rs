//! JSON Web Tokens issued by this Stratus's Cognito user pools, as both
//! kinds of API check them (REST APIs' COGNITO_USER_POOLS authorizers and
//! HTTP APIs' JWT authorizers): the bearer token of a header, the issuer's
//! key set read in process, and the time and scope claims.

use crate::state::Shared;
use serde_json::Value;
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

/// The issuer's JSON Web Key Set, read from the Cognito service in process.
pub async fn jwks(s: &Shared, issuer: &str) -> Option<Value> {
    let (host, path) = issuer.split_once("://")?.1.split_once('/')?;
    if !is_local(s, host) {
        tracing::warn!("JWT issuer {issuer} is not served by this Stratus; its keys are not fetched");
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
