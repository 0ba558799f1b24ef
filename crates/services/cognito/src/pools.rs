//! User pools: CreateUserPool, DescribeUserPool, UpdateUserPool,
//! DeleteUserPool, ListUserPools, and the pool's MFA configuration
//! (SetUserPoolMfaConfig, GetUserPoolMfaConfig).

use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock, ids};
use stratus_store::WriteBatch;

use crate::errors::invalid_parameter;
use crate::model::Pool;
use crate::shared::Shared;
use crate::{db, keys, lookup, page, schema};

/// Members UpdateUserPool cannot change.
const IMMUTABLE: &[&str] = &["PoolName", "Schema", "UsernameAttributes", "AliasAttributes", "UsernameConfiguration"];

fn check_spec(spec: &Map<String, Value>) -> Result<(), AwsError> {
    let has = |k: &str| spec.get(k).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    if has("UsernameAttributes") && has("AliasAttributes") {
        return Err(invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    for s in spec.get("Schema").and_then(Value::as_array).into_iter().flatten() {
        let name = s.get("Name").and_then(Value::as_str).unwrap_or("");
        if !schema::is_standard(name) && s.get("Required").and_then(Value::as_bool) == Some(true) {
            return Err(invalid_parameter("Required custom attributes are not supported currently."));
        }
    }
    Ok(())
}

/// AWS keeps the legacy `PreTokenGeneration` ARN and
/// `PreTokenGenerationConfig` in step: either one set alone fills in the
/// other (a legacy ARN is a V1_0 trigger).
fn sync_pre_token_generation(spec: &mut Map<String, Value>) {
    let Some(cfg) = spec.get_mut("LambdaConfig").and_then(Value::as_object_mut) else { return };
    let legacy = cfg.get("PreTokenGeneration").and_then(Value::as_str).map(str::to_string);
    let configured = cfg
        .get("PreTokenGenerationConfig")
        .and_then(|c| c.get("LambdaArn"))
        .and_then(Value::as_str)
        .map(str::to_string);
    match (legacy, configured) {
        (Some(arn), None) => {
            cfg.insert("PreTokenGenerationConfig".into(), json!({"LambdaArn": arn, "LambdaVersion": "V1_0"}));
        }
        (None, Some(arn)) => {
            cfg.insert("PreTokenGeneration".into(), json!(arn));
        }
        _ => {}
    }
}

fn mfa_flags(pool: &mut Pool) {
    if pool.mfa() == "OFF" {
        pool.totp_mfa = false;
        pool.sms_mfa = false;
        pool.email_mfa = false;
    } else if !pool.totp_mfa && !pool.sms_mfa && !pool.email_mfa {
        pool.sms_mfa = pool.spec.contains_key("SmsConfiguration");
        pool.totp_mfa = !pool.sms_mfa;
    }
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut spec = input.as_object().cloned().unwrap_or_default();
    check_spec(&spec)?;
    sync_pre_token_generation(&mut spec);
    let now = clock::now_epoch();
    let id = format!(
        "{}_{}",
        ctx.region,
        ids::random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 9)
    );
    let mut pool = Pool {
        id: id.clone(),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        spec,
        created: now,
        modified: now,
        totp_mfa: false,
        sms_mfa: false,
        email_mfa: false,
        domain: None,
    };
    mfa_flags(&mut pool);
    let mut batch = WriteBatch::new();
    batch.put(keys::pool(&id).into_bytes(), db::encode(&pool)?);
    batch.put(keys::pool_index(&pool.account, &pool.region, &id).into_bytes(), Vec::new());
    s.store.write(batch).await?;
    Ok(json!({"UserPool": describe_pool(s, &pool)?}))
}

/// The model's `UserPoolType`.
pub fn describe_pool(s: &Shared, pool: &Pool) -> Result<Value, AwsError> {
    let mut out = pool.spec.clone();
    out.remove("PoolName");
    out.remove("Schema");
    out.remove("UserPoolTags");
    out.insert("Id".into(), json!(pool.id));
    out.insert("Name".into(), json!(pool.name()));
    out.insert("Arn".into(), json!(pool.arn()));
    out.insert("CreationDate".into(), json!(pool.created));
    out.insert("LastModifiedDate".into(), json!(pool.modified));
    out.insert("SchemaAttributes".into(), schema::schema_attributes(pool));
    let mut policies = pool.spec.get("Policies").cloned().unwrap_or(json!({}));
    policies["PasswordPolicy"] = pool.password_policy();
    out.insert("Policies".into(), policies);
    out.entry("LambdaConfig").or_insert(json!({}));
    out.entry("MfaConfiguration").or_insert(json!("OFF"));
    out.entry("DeletionProtection").or_insert(json!("INACTIVE"));
    out.entry("AdminCreateUserConfig")
        .or_insert(json!({"AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": 7}));
    out.entry("VerificationMessageTemplate").or_insert(json!({"DefaultEmailOption": "CONFIRM_WITH_CODE"}));
    out.entry("EmailConfiguration").or_insert(json!({"EmailSendingAccount": "COGNITO_DEFAULT"}));
    out.entry("UserPoolTier").or_insert(json!("ESSENTIALS"));
    if let Some(tags) = pool.spec.get("UserPoolTags") {
        out.insert("UserPoolTags".into(), tags.clone());
    }
    if let Some(d) = &pool.domain {
        out.insert("Domain".into(), json!(d));
    }
    let users = s.store.scan_prefix(keys::users(&pool.id).as_bytes(), false, None)?.len();
    out.insert("EstimatedNumberOfUsers".into(), json!(users));
    Ok(Value::Object(out))
}

pub fn describe(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    Ok(json!({"UserPool": describe_pool(s, &pool)?}))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut spec: Map<String, Value> = pool
        .spec
        .iter()
        .filter(|(k, _)| IMMUTABLE.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in input.as_object().into_iter().flatten() {
        if k != "UserPoolId" && !IMMUTABLE.contains(&k.as_str()) {
            spec.insert(k.clone(), v.clone());
        }
    }
    sync_pre_token_generation(&mut spec);
    pool.spec = spec;
    pool.modified = clock::now_epoch();
    pool.totp_mfa = pool.totp_mfa && pool.mfa() != "OFF";
    mfa_flags(&mut pool);
    db::put(&s.store, &keys::pool(&pool.id), &pool).await?;
    Ok(json!({}))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    if pool.deletion_protected() {
        return Err(invalid_parameter(
            "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
        ));
    }
    let mut batch = WriteBatch::new();
    for client in db::scan_keys(&s.store, &keys::pool_clients(&pool.id))? {
        batch.delete(keys::client(&client).into_bytes());
    }
    for kind in ["pclient", "user", "alias", "group", "member", "ugroup", "rs", "uorigin"] {
        batch.delete_prefix(format!("cognito-idp/{kind}/{}/", pool.id).into_bytes());
    }
    if let Some(d) = &pool.domain {
        batch.delete(keys::domain(d).into_bytes());
    }
    batch.delete(keys::signing_key(&pool.id).into_bytes());
    batch.delete(keys::pool(&pool.id).into_bytes());
    batch.delete(keys::pool_index(&pool.account, &pool.region, &pool.id).into_bytes());
    s.store.write(batch).await?;
    crate::jwks::forget(s, &keys::signing_key(&pool.id));
    Ok(json!({}))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let ids = db::scan_keys(&s.store, &keys::pool_index_prefix(&ctx.account_id, &ctx.region))?;
    let mut items = Vec::new();
    for id in ids {
        if let Some(p) = db::get::<Pool>(&s.store, &keys::pool(&id))? {
            items.push((
                id.clone(),
                json!({
                    "Id": p.id, "Name": p.name(),
                    "LambdaConfig": p.spec.get("LambdaConfig").cloned().unwrap_or(json!({})),
                    "Status": "Enabled",
                    "LastModifiedDate": p.modified, "CreationDate": p.created,
                }),
            ));
        }
    }
    let (pools, next) = page::page(items, input.i64("MaxResults"), input.str("NextToken"));
    let mut out = json!({"UserPools": pools});
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

fn mfa_config(pool: &Pool) -> Value {
    let mut out = json!({
        "SoftwareTokenMfaConfiguration": {"Enabled": pool.totp_mfa},
        "MfaConfiguration": pool.mfa(),
    });
    if pool.sms_mfa {
        out["SmsMfaConfiguration"] = json!({
            "SmsAuthenticationMessage": pool.spec.get("SmsAuthenticationMessage").cloned().unwrap_or(Value::Null),
            "SmsConfiguration": pool.spec.get("SmsConfiguration").cloned().unwrap_or(Value::Null),
        });
    }
    if pool.email_mfa {
        out["EmailMfaConfiguration"] = pool.spec.get("EmailMfaConfiguration").cloned().unwrap_or(json!({}));
    }
    out
}

pub async fn set_mfa_config(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    if let Some(t) = input.get("SoftwareTokenMfaConfiguration") {
        pool.totp_mfa = t.get("Enabled").and_then(Value::as_bool).unwrap_or(false);
    }
    if let Some(sms) = input.get("SmsMfaConfiguration") {
        pool.sms_mfa = true;
        if let Some(m) = sms.get("SmsAuthenticationMessage") {
            pool.spec.insert("SmsAuthenticationMessage".into(), m.clone());
        }
        if let Some(c) = sms.get("SmsConfiguration") {
            pool.spec.insert("SmsConfiguration".into(), c.clone());
        }
    }
    if let Some(e) = input.get("EmailMfaConfiguration") {
        pool.email_mfa = true;
        pool.spec.insert("EmailMfaConfiguration".into(), e.clone());
    }
    if let Some(m) = input.str("MfaConfiguration") {
        if m != "OFF" && !pool.totp_mfa && !pool.sms_mfa && !pool.email_mfa {
            return Err(invalid_parameter("At least one MFA method must be enabled when MFA is required or optional."));
        }
        pool.spec.insert("MfaConfiguration".into(), json!(m));
    }
    pool.modified = clock::now_epoch();
    db::put(&s.store, &keys::pool(&pool.id), &pool).await?;
    Ok(mfa_config(&pool))
}

pub fn get_mfa_config(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    Ok(mfa_config(&pool))
}

pub async fn add_custom_attributes(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut schema_list = pool.spec.get("Schema").and_then(Value::as_array).cloned().unwrap_or_default();
    for attr in input.list("CustomAttributes") {
        let name = attr.get("Name").and_then(Value::as_str).unwrap_or("");
        let name = name.strip_prefix("custom:").unwrap_or(name);
        if pool.custom_attributes().iter().any(|(n, _)| n == &format!("custom:{name}")) {
            return Err(invalid_parameter(format!(
                "custom:{name}: Existing attribute already has name custom:{name}."
            )));
        }
        let mut a = attr.clone();
        a["Name"] = json!(name);
        schema_list.push(a);
    }
    pool.spec.insert("Schema".into(), Value::Array(schema_list));
    pool.modified = clock::now_epoch();
    db::put(&s.store, &keys::pool(&pool.id), &pool).await?;
    Ok(json!({}))
}
