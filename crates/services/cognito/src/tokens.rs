//! ID, access and refresh tokens. ID and access tokens are RS256 JWTs with
//! AWS's claims, signed by the pool's key; refresh tokens are opaque random
//! strings kept in the store. Each sign-in starts an origin (`origin_jti`)
//! that its refreshed tokens share, so RevokeToken and GlobalSignOut revoke
//! a whole sign-in by marking its origin.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_core::{AwsError, clock};
use stratus_store::WriteBatch;

use crate::errors::{invalid_token, not_authorized, revoked_token};
use crate::model::{Client, Pool, User};
use crate::pretoken::{self, TokenOverrides, TokenRequest};
use crate::shared::Shared;
use crate::{db, jwks, jwt, keys, lookup};

/// A stored refresh token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Refresh {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub origin_jti: String,
    pub auth_time: i64,
    pub expires: f64,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// How tokens are being issued.
pub struct Issue<'a> {
    /// `Authentication`, `RefreshTokens`, `NewPasswordChallenge`, `AuthenticateDevice`, `HostedAuth`.
    pub source: &'a str,
    /// The sign-in being refreshed, if any.
    pub refresh: Option<&'a Refresh>,
    /// OAuth scopes (hosted UI); None for API sign-in.
    pub scopes: Option<Vec<String>>,
    pub nonce: Option<String>,
    pub client_metadata: Value,
    /// Whether to hand out a refresh token.
    pub with_refresh: bool,
}

impl Default for Issue<'_> {
    fn default() -> Self {
        Issue {
            source: "Authentication",
            refresh: None,
            scopes: None,
            nonce: None,
            client_metadata: Value::Null,
            with_refresh: true,
        }
    }
}

fn random_token(len: usize) -> String {
    stratus_core::ids::random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", len)
}

/// The ID token claims of a user's attributes (booleans as booleans).
fn attribute_claims(client: &Client, user: &User) -> Map<String, Value> {
    let readable = client.list("ReadAttributes");
    let mut out = Map::new();
    for (name, value) in &user.attributes {
        if name == "sub" || (!readable.is_empty() && !readable.contains(name)) {
            continue;
        }
        let v = if name.ends_with("_verified") { json!(value == "true") } else { json!(value) };
        out.insert(name.clone(), v);
    }
    out
}

fn apply(claims: &mut Map<String, Value>, add: &Map<String, Value>, suppress: &[String]) {
    const PROTECTED: &[&str] = &[
        "acr",
        "amr",
        "aud",
        "at_hash",
        "auth_time",
        "azp",
        "cognito:username",
        "exp",
        "iat",
        "identities",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "origin_jti",
        "sub",
        "token_use",
        "client_id",
        "scope",
        "username",
    ];
    for (k, v) in add {
        if !PROTECTED.contains(&k.as_str()) {
            claims.insert(k.clone(), v.clone());
        }
    }
    for k in suppress {
        if !PROTECTED.contains(&k.as_str()) {
            claims.remove(k);
        }
    }
}

/// Issues tokens for `user` signing in to `client`: the model's
/// `AuthenticationResultType`.
pub async fn issue(s: &Shared, pool: &Pool, client: &Client, user: &User, how: Issue<'_>) -> Result<Value, AwsError> {
    let key = jwks::pool_key(s, &pool.id).await?;
    let now = clock::now_epoch() as i64;
    let iss = s.issuer(&pool.region, &pool.id);
    let origin_jti = how.refresh.map(|r| r.origin_jti.clone()).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let auth_time = how.refresh.map(|r| r.auth_time).unwrap_or(now);
    let scopes = how.scopes.clone().or_else(|| how.refresh.and_then(|r| r.scopes.clone()));
    let base_scopes = scopes.clone().unwrap_or_else(|| vec!["aws.cognito.signin.user.admin".to_string()]);
    let event_id = uuid::Uuid::new_v4().to_string();
    let groups = lookup::groups_of(s, pool, user)?;
    let asked = TokenRequest {
        client,
        user,
        groups: &groups,
        source: how.source,
        scopes: &base_scopes,
        client_metadata: &how.client_metadata,
    };
    let overrides = pretoken::pre_token_generation(s, pool, asked).await?.unwrap_or_default();
    let TokenOverrides {
        id_add,
        id_suppress,
        access_add,
        access_suppress,
        groups: group_override,
        roles,
        preferred_role,
        scopes_add,
        scopes_suppress,
    } = overrides;
    let group_names: Vec<String> = group_override.unwrap_or_else(|| groups.iter().map(|g| g.name.clone()).collect());
    let roles: Vec<String> = roles.unwrap_or_else(|| groups.iter().filter_map(|g| g.role_arn.clone()).collect());
    let preferred = preferred_role.or_else(|| groups.iter().find_map(|g| g.role_arn.clone()));

    let mut id = Map::new();
    id.insert("sub".into(), json!(user.sub));
    if !group_names.is_empty() {
        id.insert("cognito:groups".into(), json!(group_names));
    }
    if !roles.is_empty() {
        id.insert("cognito:roles".into(), json!(roles));
    }
    if let Some(p) = &preferred {
        id.insert("cognito:preferred_role".into(), json!(p));
    }
    let attrs = attribute_claims(client, user);
    if let Some(v) = attrs.get("email_verified") {
        id.insert("email_verified".into(), v.clone());
    }
    id.insert("iss".into(), json!(iss));
    id.insert("cognito:username".into(), json!(user.username));
    if let Some(n) = &how.nonce {
        id.insert("nonce".into(), json!(n));
    }
    id.insert("origin_jti".into(), json!(origin_jti));
    id.insert("aud".into(), json!(client.id));
    id.insert("event_id".into(), json!(event_id));
    id.insert("token_use".into(), json!("id"));
    id.insert("auth_time".into(), json!(auth_time));
    for (k, v) in attrs {
        id.entry(k).or_insert(v);
    }
    id.insert("exp".into(), json!(now + client.id_validity()));
    id.insert("iat".into(), json!(now));
    id.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    apply(&mut id, &id_add, &id_suppress);

    let mut scope_list = base_scopes;
    for sc in scopes_add {
        if !scope_list.contains(&sc) {
            scope_list.push(sc);
        }
    }
    scope_list.retain(|sc| !scopes_suppress.contains(sc));
    let mut access = Map::new();
    access.insert("sub".into(), json!(user.sub));
    if !group_names.is_empty() {
        access.insert("cognito:groups".into(), json!(group_names));
    }
    access.insert("iss".into(), json!(iss));
    access.insert("client_id".into(), json!(client.id));
    access.insert("origin_jti".into(), json!(origin_jti));
    access.insert("event_id".into(), json!(event_id));
    access.insert("token_use".into(), json!("access"));
    access.insert("scope".into(), json!(scope_list.join(" ")));
    access.insert("auth_time".into(), json!(auth_time));
    access.insert("exp".into(), json!(now + client.access_validity()));
    access.insert("iat".into(), json!(now));
    access.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    access.insert("username".into(), json!(user.username));
    apply(&mut access, &access_add, &access_suppress);

    let access_token = jwt::sign(&key.key, &key.kid, "RS256", &Value::Object(access)).map_err(AwsError::internal)?;
    if scopes.is_some() {
        id.insert("at_hash".into(), json!(at_hash(&access_token)));
    }
    let id_token = jwt::sign(&key.key, &key.kid, "RS256", &Value::Object(id)).map_err(AwsError::internal)?;
    let mut out = json!({
        "AccessToken": access_token,
        "ExpiresIn": client.access_validity(),
        "TokenType": "Bearer",
        "IdToken": id_token,
    });
    if how.with_refresh {
        let token = format!("{}.{}", random_token(64), random_token(300));
        let record = Refresh {
            pool_id: pool.id.clone(),
            client_id: client.id.clone(),
            username: user.username.clone(),
            origin_jti: origin_jti.clone(),
            auth_time,
            expires: clock::now_epoch() + client.refresh_validity() as f64,
            scopes,
        };
        let mut batch = WriteBatch::new();
        batch.put(keys::refresh(&token).into_bytes(), db::encode(&record)?);
        batch.put(keys::user_origin(&pool.id, &pool.user_key(&user.username), &origin_jti).into_bytes(), Vec::new());
        s.store.write(batch).await?;
        out["RefreshToken"] = json!(token);
    }
    Ok(out)
}

/// The OIDC `at_hash` of an access token.
fn at_hash(access_token: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let d = sha2::Sha256::digest(access_token.as_bytes());
    jwt::B64URL.encode(&d[..16])
}

/// The refresh token's record, if it is valid for `client_id`.
pub fn refresh_record(s: &Shared, token: &str, client_id: &str) -> Result<Refresh, AwsError> {
    let bad = || not_authorized("Invalid Refresh Token");
    let r: Refresh = db::get(&s.store, &keys::refresh(token))?.ok_or_else(bad)?;
    if r.client_id != client_id || r.expires < clock::now_epoch() {
        return Err(if r.expires < clock::now_epoch() { not_authorized("Refresh Token has expired") } else { bad() });
    }
    if s.store.get(keys::revoked(&r.origin_jti).as_bytes())?.is_some() {
        return Err(not_authorized("Refresh Token has been revoked"));
    }
    Ok(r)
}

/// Revokes a whole sign-in (its refresh token and the access tokens it issued).
pub async fn revoke_origin(s: &Shared, origin_jti: &str) -> Result<(), AwsError> {
    s.store.put(keys::revoked(origin_jti).into_bytes(), Vec::new()).await?;
    Ok(())
}

/// Revokes every sign-in of `user`.
pub async fn revoke_user(s: &Shared, pool: &Pool, user: &User) -> Result<(), AwsError> {
    let ukey = pool.user_key(&user.username);
    let mut batch = WriteBatch::new();
    for origin in db::scan_keys(&s.store, &keys::user_origins(&pool.id, &ukey))? {
        batch.put(keys::revoked(&origin).into_bytes(), Vec::new());
        batch.delete(keys::user_origin(&pool.id, &ukey, &origin).into_bytes());
    }
    s.store.write(batch).await?;
    Ok(())
}

/// The pool a token's `iss` names, with its verified claims.
pub async fn verify_pool_token(s: &Shared, token: &str) -> Result<(Pool, Value), AwsError> {
    let (_, claims) = jwt::peek(token).ok_or_else(invalid_token)?;
    let iss = claims.get("iss").and_then(Value::as_str).ok_or_else(invalid_token)?;
    let pool_id = iss.rsplit('/').next().unwrap_or("");
    let pool = lookup::pool(s, pool_id).map_err(|_| invalid_token())?;
    if !s.issuer_matches(iss, &pool.region, &pool.id) {
        return Err(invalid_token());
    }
    let key = jwks::pool_key(s, &pool.id).await?;
    let claims = jwt::verify(&key.public, token).ok_or_else(invalid_token)?;
    Ok((pool, claims))
}

/// The pool, user and claims of a valid access token (GetUser, ...).
pub async fn verify_access(s: &Shared, token: &str) -> Result<(Pool, User, Value), AwsError> {
    let (pool, claims) = verify_pool_token(s, token).await?;
    if claims.get("token_use").and_then(Value::as_str) != Some("access") {
        return Err(invalid_token());
    }
    if claims.get("exp").and_then(Value::as_f64).unwrap_or(0.0) < clock::now_epoch() {
        return Err(not_authorized("Access Token has expired"));
    }
    if let Some(origin) = claims.get("origin_jti").and_then(Value::as_str)
        && s.store.get(keys::revoked(origin).as_bytes())?.is_some()
    {
        return Err(revoked_token());
    }
    let username = claims.get("username").and_then(Value::as_str).unwrap_or("");
    let user = lookup::user_by_name(s, &pool, username)?.ok_or_else(|| not_authorized("User does not exist."))?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    Ok((pool, user, claims))
}

/// The claims of a valid ID token of a pool (identity pools, userInfo).
pub async fn verify_id(s: &Shared, token: &str) -> Result<(Pool, Value), AwsError> {
    let (pool, claims) = verify_pool_token(s, token).await?;
    if claims.get("token_use").and_then(Value::as_str) != Some("id") {
        return Err(invalid_token());
    }
    if claims.get("exp").and_then(Value::as_f64).unwrap_or(0.0) < clock::now_epoch() {
        return Err(not_authorized("Token expired"));
    }
    Ok((pool, claims))
}

/// An access token for a client itself (the client_credentials grant).
pub async fn issue_client_credentials(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    scopes: &[String],
) -> Result<Value, AwsError> {
    let key = jwks::pool_key(s, &pool.id).await?;
    let now = clock::now_epoch() as i64;
    let claims = json!({
        "sub": client.id,
        "token_use": "access",
        "scope": scopes.join(" "),
        "auth_time": now,
        "iss": s.issuer(&pool.region, &pool.id),
        "exp": now + client.access_validity(),
        "iat": now,
        "version": 2,
        "jti": uuid::Uuid::new_v4().to_string(),
        "client_id": client.id,
    });
    let token = jwt::sign(&key.key, &key.kid, "RS256", &claims).map_err(AwsError::internal)?;
    Ok(json!({"access_token": token, "expires_in": client.access_validity(), "token_type": "Bearer"}))
}
