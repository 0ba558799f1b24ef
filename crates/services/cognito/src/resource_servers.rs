//! Resource servers (custom OAuth scopes `{identifier}/{scope}`) and user
//! pool domains (the hosted UI's prefix, served by Stratus under
//! `/_stratus/cognito/{domain}/`).

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_store::WriteBatch;

use crate::errors::{invalid_parameter, resource_not_found};
use crate::model::Pool;
use crate::shared::Shared;
use crate::{db, keys, lookup, page};

fn server_out(pool: &Pool, rs: &Value) -> Value {
    let mut out = rs.clone();
    out["UserPoolId"] = json!(pool.id);
    out
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let id = input.req_str("Identifier")?;
    if db::get::<Value>(&s.store, &keys::resource_server(&pool.id, id))?.is_some() {
        return Err(invalid_parameter(format!("{id} already exists in user pool {}.", pool.id)));
    }
    let rs = json!({"Identifier": id, "Name": input.req_str("Name")?, "Scopes": input.get("Scopes").cloned().unwrap_or(json!([]))});
    db::put(&s.store, &keys::resource_server(&pool.id, id), &rs).await?;
    Ok(json!({"ResourceServer": server_out(&pool, &rs)}))
}

fn load(s: &Shared, pool: &Pool, id: &str) -> Result<Value, AwsError> {
    db::get::<Value>(&s.store, &keys::resource_server(&pool.id, id))?
        .ok_or_else(|| resource_not_found(format!("Resource server {id} does not exist in the user pool {}.", pool.id)))
}

pub fn describe(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let rs = load(s, &pool, input.req_str("Identifier")?)?;
    Ok(json!({"ResourceServer": server_out(&pool, &rs)}))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let id = input.req_str("Identifier")?;
    load(s, &pool, id)?;
    let rs = json!({"Identifier": id, "Name": input.req_str("Name")?, "Scopes": input.get("Scopes").cloned().unwrap_or(json!([]))});
    db::put(&s.store, &keys::resource_server(&pool.id, id), &rs).await?;
    Ok(json!({"ResourceServer": server_out(&pool, &rs)}))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let id = input.req_str("Identifier")?;
    load(s, &pool, id)?;
    s.store.delete(keys::resource_server(&pool.id, id).into_bytes()).await?;
    Ok(json!({}))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let items: Vec<(String, Value)> = db::scan::<Value>(&s.store, &keys::resource_servers(&pool.id))?
        .into_iter()
        .map(|(k, v)| (k, server_out(&pool, &v)))
        .collect();
    let (servers, next) = page::page(items, input.i64("MaxResults"), input.str("NextToken"));
    let mut out = json!({"ResourceServers": servers});
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

/// The stored domain record: `{Domain, UserPoolId, CustomDomainConfig}`.
pub fn domain_record(s: &Shared, domain: &str) -> Result<Option<Value>, AwsError> {
    db::get::<Value>(&s.store, &keys::domain(domain))
}

pub async fn create_domain(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let domain = input.req_str("Domain")?;
    if domain_record(s, domain)?.is_some() {
        return Err(invalid_parameter("Domain already associated with another user pool."));
    }
    if pool.domain.is_some() && input.get("CustomDomainConfig").is_none() {
        return Err(invalid_parameter(format!("User pool {} already has a domain configured.", pool.id)));
    }
    let record = json!({"Domain": domain, "UserPoolId": pool.id, "CustomDomainConfig": input.get("CustomDomainConfig"), "Version": 1});
    pool.domain = Some(domain.to_string());
    let mut batch = WriteBatch::new();
    batch.put(keys::domain(domain).into_bytes(), db::encode(&record)?);
    batch.put(keys::pool(&pool.id).into_bytes(), db::encode(&pool)?);
    s.store.write(batch).await?;
    let mut out = json!({"ManagedLoginVersion": 1});
    if input.get("CustomDomainConfig").is_some() {
        out["CloudFrontDomain"] = json!(format!(
            "{}.cloudfront.net",
            stratus_core::ids::random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", 14)
        ));
    }
    Ok(out)
}

pub fn describe_domain(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let domain = input.req_str("Domain")?;
    let Some(r) = domain_record(s, domain)? else { return Ok(json!({"DomainDescription": {}})) };
    let pool_id = r.get("UserPoolId").and_then(Value::as_str).unwrap_or("");
    let pool = lookup::pool(s, pool_id)?;
    if pool.account != ctx.account_id {
        return Ok(json!({"DomainDescription": {}}));
    }
    let mut d = json!({
        "UserPoolId": pool.id,
        "AWSAccountId": pool.account,
        "Domain": domain,
        "S3Bucket": "aws-cognito-prod-pdx-assets",
        "CloudFrontDistribution": format!("{domain}.auth.{}.amazoncognito.com", pool.region),
        "Version": "1",
        "Status": "ACTIVE",
        "ManagedLoginVersion": 1,
    });
    if let Some(c) = r.get("CustomDomainConfig").filter(|c| !c.is_null()) {
        d["CustomDomainConfig"] = c.clone();
    }
    Ok(json!({"DomainDescription": d}))
}

pub async fn update_domain(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let domain = input.req_str("Domain")?;
    let mut r = domain_record(s, domain)?.ok_or_else(|| resource_not_found("Domain does not exist."))?;
    if let Some(c) = input.get("CustomDomainConfig") {
        r["CustomDomainConfig"] = c.clone();
    }
    db::put(&s.store, &keys::domain(domain), &r).await?;
    let _ = pool;
    Ok(json!({"ManagedLoginVersion": 1}))
}

pub async fn delete_domain(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let domain = input.req_str("Domain")?;
    let r = domain_record(s, domain)?.ok_or_else(|| resource_not_found("Domain does not exist."))?;
    if r.get("UserPoolId").and_then(Value::as_str) != Some(pool.id.as_str()) {
        return Err(invalid_parameter("Domain does not belong to the user pool."));
    }
    if pool.domain.as_deref() == Some(domain) {
        pool.domain = None;
    }
    let mut batch = WriteBatch::new();
    batch.delete(keys::domain(domain).into_bytes());
    batch.put(keys::pool(&pool.id).into_bytes(), db::encode(&pool)?);
    s.store.write(batch).await?;
    Ok(json!({}))
}
