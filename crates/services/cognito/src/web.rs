//! The pages Cognito serves itself, outside the AWS API: each pool's JWKS
//! and OpenID discovery document (`/{poolId}/.well-known/jwks.json`,
//! `/{poolId}/.well-known/openid-configuration`), the recorded codes
//! (`/_stratus/cognito/codes`), and the hosted OAuth 2.0 endpoints under
//! `/_stratus/cognito/{domain}/...` (see `oauth`).

use serde_json::{Value, json};
use stratus_core::{HttpRequest, HttpResponse};

use crate::shared::Shared;
use crate::{codes, jwks, lookup};

pub const CODES_PATH: &str = "/_stratus/cognito/codes";
pub const PREFIX: &str = "/_stratus/cognito/";

/// The pool id of a `/{poolId}/.well-known/{doc}` path.
fn well_known(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix('/')?;
    let (pool, doc) = rest.split_once("/.well-known/")?;
    let (region, id) = pool.split_once('_')?;
    let plausible = region.contains('-')
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_alphanumeric());
    (plausible && matches!(doc, "jwks.json" | "openid-configuration")).then_some((pool, doc))
}

/// Whether Cognito answers `req` itself.
pub fn claims(req: &HttpRequest) -> bool {
    req.path.starts_with(PREFIX) || (req.method == http::Method::GET && well_known(&req.path).is_some())
}

pub fn json_response(status: u16, v: &Value) -> HttpResponse {
    HttpResponse::new(status, "application/json", v.to_string())
}

/// The OpenID discovery document of a pool.
pub fn discovery(s: &Shared, issuer: &str, domain_base: Option<String>) -> Value {
    let base = domain_base.unwrap_or_else(|| format!("{}{PREFIX}", s.endpoint));
    json!({
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "end_session_endpoint": format!("{base}/logout"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["code", "token"],
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": format!("{base}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
    })
}

pub async fn serve(s: &Shared, req: HttpRequest) -> HttpResponse {
    if req.path == CODES_PATH {
        let q = req.query_pairs();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        return json_response(200, &json!({"codes": codes::list(s, get("userPoolId"), get("username"))}));
    }
    if let Some((pool_id, doc)) = well_known(&req.path) {
        let Ok(pool) = lookup::pool(s, pool_id) else {
            return json_response(404, &json!({"message": format!("User pool {pool_id} does not exist.")}));
        };
        return match doc {
            "jwks.json" => match jwks::pool_key(s, &pool.id).await {
                Ok(k) => json_response(200, &json!({"keys": [k.jwk("RS256")]})),
                Err(e) => json_response(500, &json!({"message": e.message})),
            },
            _ => {
                let domain = pool.domain.as_ref().map(|d| format!("{}{PREFIX}{d}", s.endpoint));
                json_response(200, &discovery(s, &s.issuer(&pool.region, &pool.id), domain))
            }
        };
    }
    crate::oauth::serve(s, req).await
}
