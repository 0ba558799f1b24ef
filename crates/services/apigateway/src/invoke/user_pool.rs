//! Cognito user-pool authorizers of REST APIs (methods with authorization
//! type COGNITO_USER_POOLS). The token in the identity source (the
//! `Authorization` header by default, `Bearer ` optional) must be signed by
//! one of the authorizer's pools (`providerARNs`, stage variables allowed),
//! be current, and be an ID token when the method names no
//! `authorizationScopes`, or an access token carrying one of them when it
//! does. Anything else is the UNAUTHORIZED gateway response (401), as AWS
//! answers. The token's claims reach the integration as
//! `requestContext.authorizer.claims`, every value a string, `exp` and
//! `iat` written as dates the way REST APIs pass them.

use crate::invoke::call::{Call, substitute};
use crate::invoke::gateway_responses::answer;
use crate::invoke::params;
use crate::state::Shared;
use crate::tokens;
use serde_json::{Map, Value, json};
use stratus_core::HttpResponse;
use stratus_core::input::Input;

fn unauthorized(call: &Call) -> HttpResponse {
    answer(call.api, "UNAUTHORIZED", "Unauthorized")
}

/// The pool id an issuer URL names (its last path segment).
fn pool_of_issuer(issuer: &str) -> Option<&str> {
    let (_, rest) = issuer.split_once("://")?;
    let (_, path) = rest.split_once('/')?;
    Some(path.trim_end_matches('/')).filter(|p| !p.is_empty() && !p.contains('/'))
}

/// The authorizer's pool (region, id) that issued a token claiming issuer
/// `iss`, if any.
fn issuing_pool(call: &Call, authorizer: &Value, iss: &str) -> Option<(String, String)> {
    let pool = pool_of_issuer(iss)?;
    authorizer.str_list("providerARNs").into_iter().find_map(|arn| {
        let arn = substitute(&arn, &call.stage_variables);
        let mut parts = arn.splitn(6, ':');
        let region = parts.nth(3)?.to_string();
        let id = parts.nth(1)?.strip_prefix("userpool/")?.to_string();
        (id == pool).then_some((region, id))
    })
}

/// `Thu Mar 22 20:56:06 UTC 2018`, as REST APIs write `exp` and `iat`.
fn date_text(epoch: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch).ok()?;
    let fmt = time::macros::format_description!(
        "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
    );
    t.format(&fmt).ok()
}

/// The claims as REST APIs hand them on: strings, lists comma-joined.
fn claims_text(claims: &Value) -> Value {
    let text = |k: &str, v: &Value| -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Number(n) if k == "exp" || k == "iat" => {
                n.as_i64().and_then(date_text).unwrap_or_else(|| n.to_string())
            }
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string).unwrap_or_else(|| i.to_string()))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        }
    };
    let out: Map<String, Value> =
        claims.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), text(k, v).into())).collect();
    Value::Object(out)
}

/// Admits `call` by the user-pool authorizer `a`: the `authorizer` request
/// context (`{"claims": {...}}`), or the 401 answer.
pub async fn check(s: &Shared, call: &Call<'_>, a: &Value) -> Result<Value, HttpResponse> {
    let source = a.str("identitySource").unwrap_or("method.request.header.Authorization");
    let value = params::value_of(call, source).ok_or_else(|| unauthorized(call))?;
    let token = tokens::bearer(&value).ok_or_else(|| unauthorized(call))?;
    let (_, unverified) = stratus_core::jwt::peek(token).ok_or_else(|| unauthorized(call))?;
    let iss = unverified.str("iss").unwrap_or_default();
    let (region, pool) = issuing_pool(call, a, iss).ok_or_else(|| unauthorized(call))?;
    let keys = tokens::jwks(s, &format!("https://cognito-idp.{region}.amazonaws.com/{pool}"))
        .await
        .ok_or_else(|| unauthorized(call))?;
    let claims = stratus_core::jwt::verify_with_jwks(&keys, token).ok_or_else(|| unauthorized(call))?;
    if !tokens::is_current(&claims) {
        return Err(unauthorized(call));
    }
    let wanted = call.method.str_list("authorizationScopes");
    let admitted = if wanted.is_empty() {
        claims.str("token_use") == Some("id")
    } else {
        let granted = tokens::scopes(&claims);
        claims.str("token_use") == Some("access") && wanted.iter().any(|w| granted.contains(w))
    };
    if !admitted {
        return Err(unauthorized(call));
    }
    Ok(json!({ "claims": claims_text(&claims) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_pool_is_the_last_segment() {
        assert_eq!(pool_of_issuer("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"), Some("us-east-1_abc"));
        assert_eq!(pool_of_issuer("http://localhost:4566/us-east-1_abc/"), Some("us-east-1_abc"));
        assert_eq!(pool_of_issuer("https://host"), None);
        assert_eq!(pool_of_issuer("nonsense"), None);
    }

    #[test]
    fn claims_become_strings_with_dates() {
        let claims = json!({"sub": "u1", "exp": 1521752166, "iat": 1521748566, "auth_time": 1521748566,
            "email_verified": true, "cognito:groups": ["admin", "users"]});
        let text = claims_text(&claims);
        assert_eq!(text["exp"], "Thu Mar 22 20:56:06 UTC 2018");
        assert_eq!(text["iat"], "Thu Mar 22 19:56:06 UTC 2018");
        assert_eq!(text["auth_time"], "1521748566");
        assert_eq!(text["email_verified"], "true");
        assert_eq!(text["cognito:groups"], "admin,users");
    }
}
