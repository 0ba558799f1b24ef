//! Identity pools (`cognito-identity`): Create/Describe/Update/Delete/
//! ListIdentityPools, Set/GetIdentityPoolRoles with role mappings, GetId,
//! GetCredentialsForIdentity, GetOpenIdToken, DescribeIdentity,
//! ListIdentities and DeleteIdentities.
//!
//! Logins from this Stratus's user pools are checked (signature, issuer,
//! audience against the pool's CognitoIdentityProviders); other OIDC logins
//! are read for their subject. Credentials are `Credential` records under
//! `credential_key`, as STS writes them, so strict SigV4 accepts them; they
//! join STS's expiry index (`sts/expiry/`), whose reaper removes them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_core::credentials::{Credential, credential_key};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock, ids};
use stratus_store::WriteBatch;

use crate::errors::{invalid_parameter, not_authorized, resource_not_found};
use crate::shared::Shared;
use crate::{db, jwks, jwt, keys, page, tokens};

/// Credentials last an hour, as AWS's enhanced flow gives them.
const CREDENTIAL_SECS: f64 = 3600.0;
const OPENID_ISSUER: &str = "https://cognito-identity.amazonaws.com";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct IdentityPool {
    id: String,
    account: String,
    region: String,
    spec: Map<String, Value>,
    #[serde(default)]
    roles: Map<String, Value>,
    #[serde(default)]
    role_mappings: Map<String, Value>,
}

impl IdentityPool {
    fn describe(&self) -> Value {
        let mut out = self.spec.clone();
        out.insert("IdentityPoolId".into(), json!(self.id));
        out.entry("AllowClassicFlow").or_insert(json!(false));
        out.entry("IdentityPoolTags").or_insert(json!({}));
        Value::Object(out)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Identity {
    id: String,
    pool_id: String,
    logins: Vec<String>,
    created: f64,
    modified: f64,
}

fn not_found_pool(id: &str) -> AwsError {
    resource_not_found(format!("IdentityPool '{id}' not found."))
}

fn load_pool(s: &Shared, id: &str) -> Result<IdentityPool, AwsError> {
    db::get::<IdentityPool>(&s.store, &keys::identity_pool(id))?.ok_or_else(|| not_found_pool(id))
}

fn admin_pool(s: &Shared, ctx: &RequestContext, id: &str) -> Result<IdentityPool, AwsError> {
    let p = load_pool(s, id)?;
    if p.account != ctx.account_id {
        return Err(not_found_pool(id));
    }
    Ok(p)
}

fn load_identity(s: &Shared, id: &str) -> Result<Identity, AwsError> {
    db::get::<Identity>(&s.store, &keys::identity(id))?
        .ok_or_else(|| resource_not_found(format!("Identity '{id}' not found.")))
}

pub async fn call(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    match ctx.operation {
        "CreateIdentityPool" => create(s, ctx, input).await,
        "DescribeIdentityPool" => Ok(admin_pool(s, ctx, input.req_str("IdentityPoolId")?)?.describe()),
        "UpdateIdentityPool" => update(s, ctx, input).await,
        "DeleteIdentityPool" => delete(s, ctx, input).await,
        "ListIdentityPools" => list(s, ctx, input),
        "SetIdentityPoolRoles" => set_roles(s, ctx, input).await,
        "GetIdentityPoolRoles" => {
            let p = admin_pool(s, ctx, input.req_str("IdentityPoolId")?)?;
            let mut out = json!({"IdentityPoolId": p.id, "Roles": p.roles});
            if !p.role_mappings.is_empty() {
                out["RoleMappings"] = json!(p.role_mappings);
            }
            Ok(out)
        }
        "GetId" => get_id(s, input).await,
        "GetCredentialsForIdentity" => get_credentials(s, input).await,
        "GetOpenIdToken" => get_open_id_token(s, input).await,
        "DescribeIdentity" => {
            let i = load_identity(s, input.req_str("IdentityId")?)?;
            Ok(
                json!({"IdentityId": i.id, "Logins": i.logins, "CreationDate": i.created, "LastModifiedDate": i.modified}),
            )
        }
        "ListIdentities" => list_identities(s, ctx, input),
        "DeleteIdentities" => delete_identities(s, input).await,
        other => {
            Err(AwsError::new(501, "NotImplemented", format!("Cognito Identity operation {other} is not implemented")))
        }
    }
}

async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = format!("{}:{}", ctx.region, uuid::Uuid::new_v4());
    let pool = IdentityPool {
        id: id.clone(),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        spec: input.as_object().cloned().unwrap_or_default(),
        roles: Map::new(),
        role_mappings: Map::new(),
    };
    let mut batch = WriteBatch::new();
    batch.put(keys::identity_pool(&id).into_bytes(), db::encode(&pool)?);
    batch.put(keys::identity_pool_index(&pool.account, &pool.region, &id).into_bytes(), Vec::new());
    s.store.write(batch).await?;
    Ok(pool.describe())
}

async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut pool = admin_pool(s, ctx, input.req_str("IdentityPoolId")?)?;
    let mut spec = input.as_object().cloned().unwrap_or_default();
    spec.remove("IdentityPoolId");
    pool.spec = spec;
    db::put(&s.store, &keys::identity_pool(&pool.id), &pool).await?;
    Ok(pool.describe())
}

async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = admin_pool(s, ctx, input.req_str("IdentityPoolId")?)?;
    let mut batch = WriteBatch::new();
    for id in db::scan_keys(&s.store, &keys::identities(&pool.id))? {
        batch.delete(keys::identity(&id).into_bytes());
    }
    batch.delete_prefix(keys::identities(&pool.id).into_bytes());
    batch.delete_prefix(format!("cognito-identity/login/{}/", pool.id).into_bytes());
    batch.delete(keys::identity_pool(&pool.id).into_bytes());
    batch.delete(keys::identity_pool_index(&pool.account, &pool.region, &pool.id).into_bytes());
    s.store.write(batch).await?;
    Ok(json!({}))
}

fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut items = Vec::new();
    for id in db::scan_keys(&s.store, &keys::identity_pool_index_prefix(&ctx.account_id, &ctx.region))? {
        if let Some(p) = db::get::<IdentityPool>(&s.store, &keys::identity_pool(&id))? {
            items.push((id, json!({"IdentityPoolId": p.id, "IdentityPoolName": p.spec.get("IdentityPoolName")})));
        }
    }
    let (pools, next) = page::page(items, input.i64("MaxResults"), input.str("NextToken"));
    let mut out = json!({"IdentityPools": pools});
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

async fn set_roles(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut pool = admin_pool(s, ctx, input.req_str("IdentityPoolId")?)?;
    pool.roles = input.get("Roles").and_then(Value::as_object).cloned().unwrap_or_default();
    pool.role_mappings = input.get("RoleMappings").and_then(Value::as_object).cloned().unwrap_or_default();
    for (provider, m) in &pool.role_mappings {
        if m.get("Type").and_then(Value::as_str) == Some("Rules") && m.get("RulesConfiguration").is_none() {
            return Err(invalid_parameter(format!(
                "RulesConfiguration is required for provider {provider} with type Rules"
            )));
        }
    }
    db::put(&s.store, &keys::identity_pool(&pool.id), &pool).await?;
    Ok(json!({}))
}

/// A verified login: the provider name, the subject, and the token's claims.
struct Login {
    provider: String,
    subject: String,
    claims: Value,
}

/// Checks each login against the pool's configured providers.
async fn check_logins(s: &Shared, pool: &IdentityPool, logins: &Value) -> Result<Vec<Login>, AwsError> {
    let mut out = Vec::new();
    let bad = || not_authorized("Invalid login token. Token signature invalid.");
    for (provider, token) in logins.as_object().into_iter().flatten() {
        let token = token.as_str().unwrap_or("");
        if provider.starts_with("cognito-idp.") {
            let configured =
                pool.spec.get("CognitoIdentityProviders").and_then(Value::as_array).cloned().unwrap_or_default();
            let entry =
                configured.iter().find(|p| p.get("ProviderName").and_then(Value::as_str) == Some(provider.as_str()));
            let Some(entry) = entry else {
                return Err(not_authorized("Invalid login token. Issuer doesn't match providerName"));
            };
            let (up, claims) = tokens::verify_id(s, token).await.map_err(|_| bad())?;
            if !provider.ends_with(&format!("/{}", up.id)) {
                return Err(not_authorized("Invalid login token. Issuer doesn't match providerName"));
            }
            if let Some(cid) = entry.get("ClientId").and_then(Value::as_str)
                && claims.get("aud").and_then(Value::as_str) != Some(cid)
            {
                return Err(not_authorized("Invalid login token. Incorrect token audience."));
            }
            let subject = claims.get("sub").and_then(Value::as_str).unwrap_or("").to_string();
            out.push(Login { provider: provider.clone(), subject, claims });
        } else {
            let supported = pool
                .spec
                .get("SupportedLoginProviders")
                .and_then(Value::as_object)
                .is_some_and(|m| m.contains_key(provider));
            let oidc = pool.spec.get("OpenIdConnectProviderARNs").and_then(Value::as_array).is_some_and(|a| {
                a.iter().any(|arn| arn.as_str().is_some_and(|arn| arn.ends_with(&format!("oidc-provider/{provider}"))))
            });
            if !supported && !oidc {
                return Err(not_authorized(format!("Invalid login token. Not a valid {provider} token.")));
            }
            let claims = jwt::peek(token).map(|(_, c)| c).unwrap_or(Value::Null);
            let subject = claims.get("sub").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| {
                use sha2::Digest;
                hex::encode(sha2::Sha256::digest(token.as_bytes()))
            });
            out.push(Login { provider: provider.clone(), subject, claims });
        }
    }
    Ok(out)
}

async fn get_id(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let pool = load_pool(s, input.req_str("IdentityPoolId")?)?;
    let logins = check_logins(s, &pool, input.get("Logins").unwrap_or(&Value::Null)).await?;
    if logins.is_empty() && pool.spec.get("AllowUnauthenticatedIdentities").and_then(Value::as_bool) != Some(true) {
        return Err(not_authorized("Unauthenticated access is not supported for this identity pool."));
    }
    for l in &logins {
        if let Some(bytes) = s.store.get(keys::identity_login(&pool.id, &l.provider, &l.subject).as_bytes())? {
            return Ok(json!({"IdentityId": String::from_utf8_lossy(&bytes)}));
        }
    }
    let now = clock::now_epoch();
    let identity = Identity {
        id: format!("{}:{}", pool.region, uuid::Uuid::new_v4()),
        pool_id: pool.id.clone(),
        logins: logins.iter().map(|l| l.provider.clone()).collect(),
        created: now,
        modified: now,
    };
    let mut batch = WriteBatch::new();
    for l in &logins {
        batch.put(
            keys::identity_login(&pool.id, &l.provider, &l.subject).into_bytes(),
            identity.id.clone().into_bytes(),
        );
    }
    batch.put(keys::identity(&identity.id).into_bytes(), db::encode(&identity)?);
    batch.put(keys::pool_identity(&pool.id, &identity.id).into_bytes(), Vec::new());
    s.store.write(batch).await?;
    Ok(json!({"IdentityId": identity.id}))
}

/// The identity and pool, with the logins checked to belong to it.
async fn authorized_identity(s: &Shared, input: &Value) -> Result<(IdentityPool, Identity, Vec<Login>), AwsError> {
    let identity = load_identity(s, input.req_str("IdentityId")?)?;
    let pool = load_pool(s, &identity.pool_id)?;
    let logins = check_logins(s, &pool, input.get("Logins").unwrap_or(&Value::Null)).await?;
    for l in &logins {
        let mapped = s.store.get(keys::identity_login(&pool.id, &l.provider, &l.subject).as_bytes())?;
        if mapped.as_deref() != Some(identity.id.as_bytes()) {
            return Err(not_authorized(
                "Logins don't match. Please include at least one valid login for this identity or identity pool.",
            ));
        }
    }
    if logins.is_empty() && !identity.logins.is_empty() {
        return Err(not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        ));
    }
    if logins.is_empty() && pool.spec.get("AllowUnauthenticatedIdentities").and_then(Value::as_bool) != Some(true) {
        return Err(not_authorized("Unauthenticated access is not supported for this identity pool."));
    }
    Ok((pool, identity, logins))
}

fn rule_matches(rule: &Value, claims: &Value) -> bool {
    let claim = rule.get("Claim").and_then(Value::as_str).unwrap_or("");
    let want = rule.get("Value").and_then(Value::as_str).unwrap_or("");
    let got: Vec<String> = match claims.get(claim) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(v) if !v.is_null() => vec![v.to_string()],
        _ => Vec::new(),
    };
    match rule.get("MatchType").and_then(Value::as_str) {
        Some("Equals") => got.iter().any(|g| g == want),
        Some("Contains") => got.iter().any(|g| g.contains(want)),
        Some("StartsWith") => got.iter().any(|g| g.starts_with(want)),
        Some("NotEqual") => got.iter().all(|g| g != want),
        _ => false,
    }
}

/// The role an identity gets: role mappings first, then the pool's roles.
fn pick_role(pool: &IdentityPool, logins: &[Login], custom: Option<&str>) -> Result<String, AwsError> {
    let invalid = || {
        AwsError::bad_request(
            "InvalidIdentityPoolConfigurationException",
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
        )
    };
    if logins.is_empty() {
        return pool.roles.get("unauthenticated").and_then(Value::as_str).map(str::to_string).ok_or_else(invalid);
    }
    for l in logins {
        let Some(mapping) = pool.role_mappings.get(&l.provider) else { continue };
        let picked = match mapping.get("Type").and_then(Value::as_str) {
            Some("Token") => {
                let roles: Vec<String> = l
                    .claims
                    .get("cognito:roles")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                    .unwrap_or_default();
                match custom {
                    Some(c) if roles.iter().any(|r| r == c) => Some(c.to_string()),
                    _ => l.claims.get("cognito:preferred_role").and_then(Value::as_str).map(str::to_string),
                }
            }
            _ => mapping
                .get("RulesConfiguration")
                .and_then(|r| r.get("Rules"))
                .and_then(Value::as_array)
                .and_then(|rules| rules.iter().find(|r| rule_matches(r, &l.claims)))
                .and_then(|r| r.get("RoleARN").and_then(Value::as_str).map(str::to_string)),
        };
        if let Some(role) = picked {
            return Ok(role);
        }
        match mapping.get("AmbiguousRoleResolution").and_then(Value::as_str) {
            Some("Deny") => {
                return Err(not_authorized(
                    "The ambiguous role mapping rules for: {l.provider} denied this request."
                        .replace("{l.provider}", &l.provider),
                ));
            }
            _ => break,
        }
    }
    pool.roles.get("authenticated").and_then(Value::as_str).map(str::to_string).ok_or_else(invalid)
}

async fn get_credentials(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, identity, logins) = authorized_identity(s, input).await?;
    let role = pick_role(&pool, &logins, input.str("CustomRoleArn"))?;
    let parsed = stratus_core::arn::parse(&role);
    let account = parsed
        .as_ref()
        .map(|a| a.account.to_string())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| pool.account.clone());
    let role_name = role.rsplit('/').next().unwrap_or("role").to_string();
    let now = clock::now_epoch().floor();
    let expires = now + CREDENTIAL_SECS;
    let cred = Credential {
        access_key_id: ids::iam_id("ASIA"),
        secret_access_key: ids::secret_key(),
        account_id: account.clone(),
        session_token: Some(ids::session_token()),
        expires: Some(expires),
        principal_arn: format!("arn:aws:sts::{account}:assumed-role/{role_name}/CognitoIdentityCredentials"),
        user_id: format!("{}:CognitoIdentityCredentials", ids::iam_id("AROA")),
        status: "Active".into(),
    };
    let mut batch = WriteBatch::new();
    batch.put(credential_key(&cred.access_key_id), db::encode(&cred)?);
    batch.put(format!("sts/expiry/{:020}/{}", expires as u64, cred.access_key_id).into_bytes(), Vec::new());
    s.store.write(batch).await?;
    Ok(json!({
        "IdentityId": identity.id,
        "Credentials": {
            "AccessKeyId": cred.access_key_id,
            "SecretKey": cred.secret_access_key,
            "SessionToken": cred.session_token,
            "Expiration": expires,
        }
    }))
}

async fn get_open_id_token(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, identity, logins) = authorized_identity(s, input).await?;
    let key = jwks::load_or_create(s, keys::OPENID_KEY).await?;
    let now = clock::now_epoch() as i64;
    let mut amr = vec![json!(if logins.is_empty() { "unauthenticated" } else { "authenticated" })];
    for l in &logins {
        amr.push(json!(l.provider));
        amr.push(json!(format!("{}:{}", l.provider, l.subject)));
    }
    let claims = json!({
        "sub": identity.id,
        "aud": pool.id,
        "amr": amr,
        "iss": OPENID_ISSUER,
        "https://cognito-identity.amazonaws.com/identity-pool-arn":
            format!("arn:aws:cognito-identity:{}:{}:identitypool/{}", pool.region, pool.account, pool.id),
        "exp": now + 600,
        "iat": now,
    });
    let token = jwt::sign(&key.key, &key.kid, "RS512", &claims).map_err(AwsError::internal)?;
    Ok(json!({"IdentityId": identity.id, "Token": token}))
}

fn list_identities(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = admin_pool(s, ctx, input.req_str("IdentityPoolId")?)?;
    let mut items = Vec::new();
    for id in db::scan_keys(&s.store, &keys::identities(&pool.id))? {
        if let Some(i) = db::get::<Identity>(&s.store, &keys::identity(&id))? {
            items.push((id, json!({"IdentityId": i.id, "Logins": i.logins, "CreationDate": i.created, "LastModifiedDate": i.modified})));
        }
    }
    let (identities, next) = page::page(items, input.i64("MaxResults"), input.str("NextToken"));
    let mut out = json!({"IdentityPoolId": pool.id, "Identities": identities});
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

async fn delete_identities(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let mut batch = WriteBatch::new();
    let mut unprocessed = Vec::new();
    for id in input.str_list("IdentityIdsToDelete") {
        match db::get::<Identity>(&s.store, &keys::identity(&id))? {
            Some(i) => {
                batch.delete(keys::identity(&id).into_bytes());
                batch.delete(keys::pool_identity(&i.pool_id, &id).into_bytes());
            }
            None => unprocessed.push(json!({"IdentityId": id, "ErrorCode": "InternalServerError"})),
        }
    }
    s.store.write(batch).await?;
    Ok(json!({"UnprocessedIdentityIds": unprocessed}))
}
