//! App clients: Create/Describe/Update/Delete/ListUserPoolClients, client
//! secrets and the SECRET_HASH check
//! (base64(HMAC-SHA256(secret, username ‖ clientId))).

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock, ids};
use stratus_store::WriteBatch;

use crate::errors::not_authorized;
use crate::model::{Client, Pool};
use crate::shared::Shared;
use crate::{db, keys, lookup, page};

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Scopes every pool knows without a resource server.
pub const STANDARD_SCOPES: &[&str] = &["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"];

/// The SECRET_HASH of `username` for a client.
pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks SECRET_HASH when the client has a secret.
pub fn check_secret_hash(client: &Client, username: &str, given: Option<&str>) -> Result<(), AwsError> {
    let Some(secret) = &client.secret else { return Ok(()) };
    let Some(given) = given else {
        return Err(not_authorized(format!(
            "Client {} is configured for secret but secret was not received",
            client.id
        )));
    };
    if secret_hash(secret, username, &client.id) != given {
        return Err(not_authorized(format!("Unable to verify secret hash for client {}", client.id)));
    }
    Ok(())
}

fn check_oauth(s: &Shared, pool: &Pool, spec: &Map<String, Value>, has_secret: bool) -> Result<(), AwsError> {
    let list = |k: &str| -> Vec<String> {
        spec.get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let flows = list("AllowedOAuthFlows");
    if flows.iter().any(|f| f == "client_credentials") && !has_secret {
        return Err(AwsError::bad_request(
            "InvalidOAuthFlowException",
            "client_credentials flow can not be selected if client does not have a client secret.",
        ));
    }
    if flows.iter().any(|f| f == "client_credentials") && flows.len() > 1 {
        return Err(AwsError::bad_request(
            "InvalidOAuthFlowException",
            "client_credentials flow can not be selected with either implicit or code.",
        ));
    }
    for scope in list("AllowedOAuthScopes") {
        if STANDARD_SCOPES.contains(&scope.as_str()) {
            continue;
        }
        let known = scope.rsplit_once('/').is_some_and(|(server, name)| {
            db::get::<Value>(&s.store, &keys::resource_server(&pool.id, server))
                .ok()
                .flatten()
                .and_then(|rs| rs.get("Scopes").and_then(Value::as_array).cloned())
                .is_some_and(|scopes| scopes.iter().any(|sc| sc.get("ScopeName").and_then(Value::as_str) == Some(name)))
        });
        if !known {
            return Err(AwsError::bad_request(
                "ScopeDoesNotExistException",
                format!("Invalid scope requested: {scope}"),
            ));
        }
    }
    Ok(())
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut spec = input.as_object().cloned().unwrap_or_default();
    spec.remove("UserPoolId");
    let secret = match (input.str("ClientSecret"), input.bool("GenerateSecret").unwrap_or(false)) {
        (Some(given), _) => Some(given.to_string()),
        (None, true) => Some(ids::random_from(LOWER_ALNUM, 51)),
        _ => None,
    };
    spec.remove("ClientSecret");
    spec.remove("GenerateSecret");
    check_oauth(s, &pool, &spec, secret.is_some())?;
    let now = clock::now_epoch();
    let client = Client {
        id: ids::random_from(LOWER_ALNUM, 26),
        pool_id: pool.id.clone(),
        secret,
        spec,
        created: now,
        modified: now,
    };
    let mut batch = WriteBatch::new();
    batch.put(keys::client(&client.id).into_bytes(), db::encode(&client)?);
    batch.put(keys::pool_client(&pool.id, &client.id).into_bytes(), Vec::new());
    s.store.write(batch).await?;
    Ok(json!({"UserPoolClient": client.describe()}))
}

pub fn describe(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let client = lookup::pool_client(s, &pool, input.req_str("ClientId")?)?;
    Ok(json!({"UserPoolClient": client.describe()}))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut client = lookup::pool_client(s, &pool, input.req_str("ClientId")?)?;
    let mut spec = input.as_object().cloned().unwrap_or_default();
    spec.remove("UserPoolId");
    spec.remove("ClientId");
    if !spec.contains_key("ClientName") {
        spec.insert("ClientName".into(), json!(client.name()));
    }
    check_oauth(s, &pool, &spec, client.secret.is_some())?;
    client.spec = spec;
    client.modified = clock::now_epoch();
    db::put(&s.store, &keys::client(&client.id), &client).await?;
    Ok(json!({"UserPoolClient": client.describe()}))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let client = lookup::pool_client(s, &pool, input.req_str("ClientId")?)?;
    let mut batch = WriteBatch::new();
    batch.delete(keys::client(&client.id).into_bytes());
    batch.delete(keys::pool_client(&pool.id, &client.id).into_bytes());
    s.store.write(batch).await?;
    Ok(json!({}))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut items = Vec::new();
    for id in db::scan_keys(&s.store, &keys::pool_clients(&pool.id))? {
        if let Some(c) = db::get::<Client>(&s.store, &keys::client(&id))? {
            items.push((id.clone(), json!({"ClientId": c.id, "UserPoolId": pool.id, "ClientName": c.name()})));
        }
    }
    let (clients, next) = page::page(items, input.i64("MaxResults"), input.str("NextToken"));
    let mut out = json!({"UserPoolClients": clients});
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}
