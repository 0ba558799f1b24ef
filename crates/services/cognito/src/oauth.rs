//! The hosted OAuth 2.0 / OIDC endpoints of a user pool domain, served at
//! `/_stratus/cognito/{domain}/...`:
//!
//! - `GET oauth2/authorize`: checks the client and redirect URI, then shows
//!   a minimal HTML sign-in form that POSTs to `login`;
//! - `POST login`: checks the password and redirects to the callback with
//!   `code` (or, for `response_type=token`, the tokens in the fragment);
//! - `POST oauth2/token`: `authorization_code` (PKCE S256 or plain),
//!   `refresh_token`, and `client_credentials` with resource-server scopes;
//!   clients authenticate with HTTP Basic or `client_id`/`client_secret`;
//! - `GET|POST oauth2/userInfo` (Bearer access token), `POST oauth2/revoke`,
//!   `GET logout`.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use stratus_core::{AwsError, HttpRequest, HttpResponse, clock};

use crate::model::{Client, Pool, User};
use crate::shared::Shared;
use crate::tokens::Issue;
use crate::web::{PREFIX, json_response};
use crate::{clients, db, keys, lookup, passwords, resource_servers, tokens};

/// Authorization codes are valid for five minutes, once.
const CODE_SECS: f64 = 300.0;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AuthCode {
    pool_id: String,
    client_id: String,
    username: String,
    redirect_uri: String,
    scopes: Vec<String>,
    nonce: Option<String>,
    challenge: Option<String>,
    method: Option<String>,
    expires: f64,
}

fn oauth_error(status: u16, error: &str) -> HttpResponse {
    json_response(status, &json!({"error": error}))
}

fn redirect(location: &str) -> HttpResponse {
    HttpResponse::new(302, "text/plain", "").header("Location", location)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty())
}

fn with_query(uri: &str, pairs: &[(&str, &str)], fragment: bool) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    let q = ser.finish();
    let sep = if fragment {
        "#"
    } else if uri.contains('?') {
        "&"
    } else {
        "?"
    };
    format!("{uri}{sep}{q}")
}

/// The pool behind a domain.
fn domain_pool(s: &Shared, domain: &str) -> Option<Pool> {
    let record = resource_servers::domain_record(s, domain).ok()??;
    lookup::pool(s, record.get("UserPoolId")?.as_str()?).ok()
}

pub async fn serve(s: &Shared, req: HttpRequest) -> HttpResponse {
    let rest = req.path.strip_prefix(PREFIX).unwrap_or("");
    let Some((domain, endpoint)) = rest.split_once('/') else { return oauth_error(404, "not_found") };
    let Some(pool) = domain_pool(s, domain) else { return oauth_error(404, "not_found") };
    let params = req.form_params();
    match (req.method.as_str(), endpoint) {
        ("GET", "oauth2/authorize") | ("GET", "login") => authorize(s, &pool, domain, &params),
        ("POST", "login") => login(s, &pool, domain, &params).await,
        ("POST", "oauth2/token") => token(s, &pool, &req, &params).await,
        ("GET", "oauth2/userInfo") | ("POST", "oauth2/userInfo") => user_info(s, &req).await,
        ("POST", "oauth2/revoke") => revoke(s, &pool, &req, &params).await,
        ("GET", "logout") => logout(s, &pool, domain, &params),
        _ => oauth_error(404, "not_found"),
    }
}

/// The client of an authorize/login request, with its redirect URI checked.
fn authorize_client(s: &Shared, pool: &Pool, params: &[(String, String)]) -> Result<(Client, String), HttpResponse> {
    let client_id = param(params, "client_id").ok_or_else(|| oauth_error(400, "invalid_request"))?;
    let client = lookup::pool_client(s, pool, &client_id).map_err(|_| oauth_error(400, "invalid_client"))?;
    let callbacks = client.list("CallbackURLs");
    let redirect_uri = param(params, "redirect_uri")
        .or_else(|| client.spec.get("DefaultRedirectURI").and_then(Value::as_str).map(str::to_string))
        .or_else(|| callbacks.first().cloned())
        .ok_or_else(|| oauth_error(400, "invalid_request"))?;
    if !callbacks.contains(&redirect_uri) {
        return Err(oauth_error(400, "redirect_mismatch"));
    }
    let response_type = param(params, "response_type").unwrap_or_else(|| "code".into());
    let flows = client.list("AllowedOAuthFlows");
    if !flows.is_empty() && !flows.iter().any(|f| f == &response_type || (f == "implicit" && response_type == "token"))
    {
        return Err(oauth_error(400, "unauthorized_client"));
    }
    Ok((client, redirect_uri))
}

fn authorize(s: &Shared, pool: &Pool, domain: &str, params: &[(String, String)]) -> HttpResponse {
    if let Err(resp) = authorize_client(s, pool, params) {
        return resp;
    }
    let hidden: String = params
        .iter()
        .filter(|(k, _)| k != "username" && k != "password")
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(k), escape(v)))
        .collect();
    let html = format!(
        "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Sign in</h1>\
         <form method=\"post\" action=\"{PREFIX}{domain}/login\">{hidden}\
         <label>Username <input name=\"username\" autocomplete=\"username\"></label>\
         <label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>\
         <button type=\"submit\">Sign in</button></form></body></html>"
    );
    HttpResponse::new(200, "text/html; charset=utf-8", html)
}

async fn login(s: &Shared, pool: &Pool, domain: &str, params: &[(String, String)]) -> HttpResponse {
    let (client, redirect_uri) = match authorize_client(s, pool, params) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let username = param(params, "username").unwrap_or_default();
    let password = param(params, "password").unwrap_or_default();
    let user = match lookup::find_user(s, pool, &username) {
        Ok(Some(u)) if u.enabled && u.status == "CONFIRMED" && passwords::matches(&u, &password).await => u,
        _ => {
            let mut page = authorize(s, pool, domain, params);
            page.status = 400;
            return page;
        }
    };
    let scopes: Vec<String> = param(params, "scope")
        .map(|sc| sc.split_whitespace().map(str::to_string).collect())
        .unwrap_or_else(|| client.list("AllowedOAuthScopes"));
    let state = param(params, "state");
    if param(params, "response_type").as_deref() == Some("token") {
        let how = Issue {
            source: "HostedAuth",
            scopes: Some(scopes),
            with_refresh: false,
            nonce: param(params, "nonce"),
            ..Issue::default()
        };
        return match tokens::issue(s, pool, &client, &user, how).await {
            Ok(t) => {
                let mut pairs = vec![
                    ("access_token", t["AccessToken"].as_str().unwrap_or("")),
                    ("id_token", t["IdToken"].as_str().unwrap_or("")),
                    ("token_type", "Bearer"),
                ];
                let expires = t["ExpiresIn"].to_string();
                pairs.push(("expires_in", &expires));
                if let Some(st) = &state {
                    pairs.push(("state", st));
                }
                redirect(&with_query(&redirect_uri, &pairs, true))
            }
            Err(e) => json_response(500, &json!({"error": "server_error", "error_description": e.message})),
        };
    }
    let code = uuid::Uuid::new_v4().to_string();
    let record = AuthCode {
        pool_id: pool.id.clone(),
        client_id: client.id.clone(),
        username: user.username.clone(),
        redirect_uri: redirect_uri.clone(),
        scopes,
        nonce: param(params, "nonce"),
        challenge: param(params, "code_challenge"),
        method: param(params, "code_challenge_method"),
        expires: clock::now_epoch() + CODE_SECS,
    };
    if let Err(e) = db::put(&s.store, &keys::auth_code(&code), &record).await {
        return json_response(500, &json!({"error": "server_error", "error_description": e.message}));
    }
    let mut pairs = vec![("code", code.as_str())];
    if let Some(st) = &state {
        pairs.push(("state", st));
    }
    redirect(&with_query(&redirect_uri, &pairs, false))
}

/// The client a token request authenticates as (Basic or form fields).
fn token_client(
    s: &Shared,
    pool: &Pool,
    req: &HttpRequest,
    params: &[(String, String)],
) -> Result<Client, HttpResponse> {
    let basic = req.header("authorization").and_then(|h| h.strip_prefix("Basic ")).and_then(|b| {
        let raw = base64::engine::general_purpose::STANDARD.decode(b.trim()).ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (id, secret) = text.split_once(':')?;
        Some((id.to_string(), secret.to_string()))
    });
    let (id, secret) = match basic {
        Some((id, secret)) => (id, Some(secret)),
        None => (
            param(params, "client_id").ok_or_else(|| oauth_error(401, "invalid_client"))?,
            param(params, "client_secret"),
        ),
    };
    let client = lookup::pool_client(s, pool, &id).map_err(|_| oauth_error(401, "invalid_client"))?;
    if client.secret.is_some() && client.secret != secret {
        return Err(oauth_error(401, "invalid_client"));
    }
    Ok(client)
}

fn token_body(t: &Value, with_id: bool) -> Value {
    let mut out = json!({
        "access_token": t["AccessToken"],
        "expires_in": t["ExpiresIn"],
        "token_type": "Bearer",
    });
    if with_id {
        out["id_token"] = t["IdToken"].clone();
    }
    if let Some(r) = t.get("RefreshToken") {
        out["refresh_token"] = r.clone();
    }
    out
}

async fn token(s: &Shared, pool: &Pool, req: &HttpRequest, params: &[(String, String)]) -> HttpResponse {
    let client = match token_client(s, pool, req, params) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let result = match param(params, "grant_type").as_deref() {
        Some("authorization_code") => authorization_code(s, pool, &client, params).await,
        Some("refresh_token") => refresh(s, pool, &client, params).await,
        Some("client_credentials") => client_credentials(s, pool, &client, params).await,
        _ => Err(oauth_error(400, "unsupported_grant_type")),
    };
    result.unwrap_or_else(|resp| resp)
}

fn internal(e: AwsError) -> HttpResponse {
    json_response(500, &json!({"error": "server_error", "error_description": e.message}))
}

async fn authorization_code(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    params: &[(String, String)],
) -> Result<HttpResponse, HttpResponse> {
    let code = param(params, "code").ok_or_else(|| oauth_error(400, "invalid_request"))?;
    let record: AuthCode = db::get(&s.store, &keys::auth_code(&code))
        .map_err(internal)?
        .ok_or_else(|| oauth_error(400, "invalid_grant"))?;
    s.store.delete(keys::auth_code(&code).into_bytes()).await.map_err(|e| internal(e.into()))?;
    if record.client_id != client.id || record.expires < clock::now_epoch() {
        return Err(oauth_error(400, "invalid_grant"));
    }
    if param(params, "redirect_uri").is_some_and(|r| r != record.redirect_uri) {
        return Err(oauth_error(400, "invalid_grant"));
    }
    if let Some(challenge) = &record.challenge {
        let verifier = param(params, "code_verifier").ok_or_else(|| oauth_error(400, "invalid_request"))?;
        let computed = match record.method.as_deref() {
            Some("plain") => verifier.clone(),
            _ => crate::jwt::B64URL.encode(Sha256::digest(verifier.as_bytes())),
        };
        if &computed != challenge {
            return Err(oauth_error(400, "invalid_grant"));
        }
    }
    let user: User = lookup::user_by_name(s, pool, &record.username)
        .map_err(internal)?
        .ok_or_else(|| oauth_error(400, "invalid_grant"))?;
    let with_id = record.scopes.iter().any(|sc| sc == "openid");
    let how = Issue {
        source: "HostedAuth",
        scopes: Some(record.scopes.clone()),
        nonce: record.nonce.clone(),
        ..Issue::default()
    };
    let t = tokens::issue(s, pool, client, &user, how).await.map_err(internal)?;
    Ok(json_response(200, &token_body(&t, with_id)))
}

async fn refresh(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    params: &[(String, String)],
) -> Result<HttpResponse, HttpResponse> {
    let token = param(params, "refresh_token").ok_or_else(|| oauth_error(400, "invalid_request"))?;
    let record = tokens::refresh_record(s, &token, &client.id).map_err(|_| oauth_error(400, "invalid_grant"))?;
    let user = lookup::user_by_name(s, pool, &record.username)
        .map_err(internal)?
        .ok_or_else(|| oauth_error(400, "invalid_grant"))?;
    let how = Issue { source: "RefreshTokens", refresh: Some(&record), with_refresh: false, ..Issue::default() };
    let t = tokens::issue(s, pool, client, &user, how).await.map_err(internal)?;
    Ok(json_response(200, &token_body(&t, true)))
}

async fn client_credentials(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    params: &[(String, String)],
) -> Result<HttpResponse, HttpResponse> {
    if client.secret.is_none() || !client.list("AllowedOAuthFlows").iter().any(|f| f == "client_credentials") {
        return Err(oauth_error(400, "unauthorized_client"));
    }
    let allowed: Vec<String> = client
        .list("AllowedOAuthScopes")
        .into_iter()
        .filter(|sc| !clients::STANDARD_SCOPES.contains(&sc.as_str()))
        .collect();
    let scopes: Vec<String> = match param(params, "scope") {
        Some(sc) => sc.split_whitespace().map(str::to_string).collect(),
        None => allowed.clone(),
    };
    if scopes.is_empty() || scopes.iter().any(|sc| !allowed.contains(sc)) {
        return Err(oauth_error(400, "invalid_scope"));
    }
    let t = tokens::issue_client_credentials(s, pool, client, &scopes).await.map_err(internal)?;
    Ok(json_response(200, &t))
}

async fn user_info(s: &Shared, req: &HttpRequest) -> HttpResponse {
    let Some(token) = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")) else {
        return oauth_error(401, "invalid_token");
    };
    match tokens::verify_access(s, token.trim()).await {
        Ok((_, user, claims)) => {
            let scopes = claims.get("scope").and_then(Value::as_str).unwrap_or("");
            if !scopes.split(' ').any(|sc| sc == "openid" || sc == "aws.cognito.signin.user.admin") {
                return oauth_error(401, "invalid_token");
            }
            let mut out = serde_json::Map::new();
            for (k, v) in &user.attributes {
                out.insert(k.clone(), json!(v));
            }
            out.insert("username".into(), json!(user.username));
            json_response(200, &Value::Object(out))
        }
        Err(_) => oauth_error(401, "invalid_token"),
    }
}

async fn revoke(s: &Shared, pool: &Pool, req: &HttpRequest, params: &[(String, String)]) -> HttpResponse {
    let client = match token_client(s, pool, req, params) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let Some(token) = param(params, "token") else { return oauth_error(400, "invalid_request") };
    if let Ok(r) = tokens::refresh_record(s, &token, &client.id)
        && let Err(e) = tokens::revoke_origin(s, &r.origin_jti).await
    {
        return internal(e);
    }
    HttpResponse::new(200, "application/json", "")
}

fn logout(s: &Shared, pool: &Pool, domain: &str, params: &[(String, String)]) -> HttpResponse {
    let Some(client) = param(params, "client_id").and_then(|id| lookup::pool_client(s, pool, &id).ok()) else {
        return oauth_error(400, "invalid_request");
    };
    if let Some(uri) = param(params, "logout_uri") {
        if !client.list("LogoutURLs").contains(&uri) {
            return oauth_error(400, "invalid_request");
        }
        return redirect(&uri);
    }
    let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish();
    redirect(&format!("{PREFIX}{domain}/oauth2/authorize?{query}"))
}
