//! JWT authorizers of HTTP APIs: the token from the identity source
//! (`Bearer ` stripped), signed (RS256/RS512) by a key of the issuer's JWKS
//! (`{issuer}/.well-known/jwks.json`), issued by the configured issuer,
//! current (`exp`, `nbf`), for one of the audiences (`aud`, or `client_id`
//! of access tokens), and carrying one of the route's scopes when it names
//! some. Issuers are the user pools of this Stratus (Cognito's
//! `https://cognito-idp.{region}.amazonaws.com/{poolId}` or the Stratus
//! endpoint's own), whose keys are read in process, or any OpenID issuer
//! whose keys are fetched by discovery (`crate::tokens`).

use crate::state::Shared;
use crate::tokens;
use crate::v2::invoke::Request;
use serde_json::{Map, Value, json};
use stratus_core::HttpResponse;
use stratus_core::input::Input;

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
    tokens::bearer(r.req.header(header)?)
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

/// The `authorizer` request context for an admitted request, or the 401
/// or 403 answer.
pub async fn check(s: &Shared, r: &Request<'_>, authorizer: &Value, route: &Value) -> Result<Value, HttpResponse> {
    let token = token(r, authorizer).ok_or_else(unauthorized)?;
    let config = authorizer.get("JwtConfiguration").cloned().unwrap_or_default();
    let issuer = config.str("Issuer").unwrap_or_default();
    let keys = tokens::jwks(s, issuer).await.ok_or_else(unauthorized)?;
    let claims = stratus_core::jwt::verify_with_jwks(&keys, token).ok_or_else(unauthorized)?;
    if claims.str("iss") != Some(issuer)
        || !tokens::is_current(&claims)
        || !has_audience(&claims, &config.str_list("Audience"))
    {
        return Err(unauthorized());
    }
    let granted = tokens::scopes(&claims);
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
