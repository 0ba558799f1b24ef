//! JWT authorizers of HTTP APIs: the token from the identity source
//! (`Bearer ` stripped), signed (RS256/RS512) by a key of the issuer's JWKS
//! (`{issuer}/.well-known/jwks.json`), issued by the configured issuer,
//! current (`exp`, `nbf`), for one of the audiences (`aud`, or `client_id`
//! of access tokens), and carrying one of the route's scopes when it names
//! some. Issuers are the user pools of this Stratus (Cognito's
//! `https://cognito-idp.{region}.amazonaws.com/{poolId}` or the Stratus
//! endpoint's own), whose keys are read in process.

use crate::state::Shared;
use crate::v2::invoke::Request;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{HttpRequest, HttpResponse};

fn unauthorized() -> HttpResponse {
    HttpResponse::new(401, "application/json", r#"{"message":"Unauthorized"}"#).header("www-authenticate", "Bearer")
}

fn forbidden() -> HttpResponse {
    HttpResponse::new(403, "application/json", r#"{"message":"Forbidden"}"#)
}

/// The token the identity source (`$request.header.{name}`) holds.
fn token<'a>(r: &'a Request, authorizer: &Value) -> Option<&'a str> {
    let source = authorizer.list("IdentitySource").first().and_then(Value::as_str)?;
    let header = source.strip_prefix("$request.header.")?;
    let value = r.req.header(header)?.trim();
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).unwrap_or(value).trim();
    (!token.is_empty()).then_some(token)
}

/// Whether `host` is this Stratus (its endpoint, or a Cognito IdP host it
/// stands in for).
fn is_local(s: &Shared, host: &str) -> bool {
    let endpoint = s.settings.endpoint.split_once("://").map(|(_, h)| h).unwrap_or(&s.settings.endpoint);
    host == endpoint.trim_end_matches('/')
        || (host.starts_with("cognito-idp.") && host.ends_with(".amazonaws.com"))
        || host.split(':').next().is_some_and(|h| h == "localhost" || h == "127.0.0.1")
}

/// The issuer's JSON Web Key Set, read from the Cognito service in process.
async fn jwks(s: &Shared, issuer: &str) -> Option<Value> {
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

fn has_audience(claims: &Value, audiences: &[String]) -> bool {
    if audiences.is_empty() {
        return true;
    }
    let aud: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let client = claims.str("client_id");
    audiences.iter().any(|a| aud.contains(&a.as_str()) || client == Some(a.as_str()))
}

fn is_current(claims: &Value) -> bool {
    let now = stratus_core::clock::now_epoch();
    let at = |k: &str| claims.get(k).and_then(Value::as_f64);
    at("exp").is_some_and(|exp| exp > now) && at("nbf").is_none_or(|nbf| nbf <= now)
}

/// The token's scopes (`scope`, space-separated, or `scp`).
fn scopes(claims: &Value) -> Vec<String> {
    match claims.str("scope") {
        Some(s) => s.split_whitespace().map(str::to_string).collect(),
        None => claims.str_list("scp"),
    }
}

/// The `authorizer` request context for an admitted request, or the 401
/// or 403 answer.
pub async fn check(s: &Shared, r: &Request<'_>, authorizer: &Value, route: &Value) -> Result<Value, HttpResponse> {
    let token = token(r, authorizer).ok_or_else(unauthorized)?;
    let config = authorizer.get("JwtConfiguration").cloned().unwrap_or_default();
    let issuer = config.str("Issuer").unwrap_or_default();
    let keys = jwks(s, issuer).await.ok_or_else(unauthorized)?;
    let claims = stratus_core::jwt::verify_with_jwks(&keys, token).ok_or_else(unauthorized)?;
    if claims.str("iss") != Some(issuer) || !is_current(&claims) || !has_audience(&claims, &config.str_list("Audience"))
    {
        return Err(unauthorized());
    }
    let granted = scopes(&claims);
    let wanted = route.str_list("AuthorizationScopes");
    if !wanted.is_empty() && !wanted.iter().any(|w| granted.contains(w)) {
        return Err(forbidden());
    }
    let text: Map<String, Value> = claims
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()).into()))
        .collect();
    let scopes = if granted.is_empty() { Value::Null } else { json!(granted) };
    Ok(json!({ "jwt": { "claims": text, "scopes": scopes } }))
}
