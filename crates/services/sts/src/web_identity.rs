//! AssumeRoleWithWebIdentity: temporary credentials for a role in exchange
//! for an OIDC token. Stratus reads the token's claims (`sub`, `aud`,
//! `iss`) WITHOUT verifying its signature, issuer or expiry: there is no
//! identity provider to trust offline, and tests mint their own tokens.
//! Only the shape is checked (three base64url parts, a JSON payload).

use crate::errors;
use crate::issue;
use crate::roles;
use crate::session_policy;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_store::Store;

/// The payload (claims) of a JWT, not verified.
pub fn claims(token: &str) -> Result<Map<String, Value>, AwsError> {
    let invalid = || {
        errors::invalid_identity_token(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
        )
    };
    let parts: Vec<&str> = token.split('.').collect();
    let [_, payload, _] = parts.as_slice() else { return Err(invalid()) };
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| invalid())?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(invalid()),
    }
}

/// AssumeRoleWithWebIdentity.
pub async fn assume_role_with_web_identity(
    store: &Store,
    ctx: &RequestContext,
    input: &Value,
) -> Result<Value, AwsError> {
    let role_arn = input.req_str("RoleArn")?;
    let session = input.req_str("RoleSessionName")?;
    roles::parse_role_arn(role_arn)?;
    let claims = claims(input.req_str("WebIdentityToken")?)?;
    let role = roles::find(store, role_arn, || {
        errors::access_denied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
    })?;
    let duration = roles::duration(input, &role, false)?;
    let packed = session_policy::packed_size(input)?;

    let (principal, user) = roles::assumed(&role, session);
    let account = principal.account.clone();
    let credentials = issue::issue(store, principal, duration).await?;
    stratus_iam::roles::mark_used(store, &account, &role.name, &ctx.region).await?;

    let audience = match claims.get("aud") {
        Some(Value::Array(a)) => a.first().cloned(),
        other => other.cloned(),
    };
    let provider = input
        .str("ProviderId")
        .map(str::to_string)
        .or_else(|| claims.get("iss").and_then(Value::as_str).map(str::to_string));
    let mut out = Map::new();
    out.insert("Credentials".into(), credentials);
    if let Some(sub) = claims.get("sub") {
        out.insert("SubjectFromWebIdentityToken".into(), sub.clone());
    }
    out.insert("AssumedRoleUser".into(), user);
    if let Some(size) = packed {
        out.insert("PackedPolicySize".into(), json!(size));
    }
    if let Some(p) = provider {
        out.insert("Provider".into(), json!(p));
    }
    if let Some(a) = audience {
        out.insert("Audience".into(), a);
    }
    Ok(Value::Object(out))
}
