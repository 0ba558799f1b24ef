//! API mappings of custom domain names through the v2 API:
//! CreateApiMapping, GetApiMapping, GetApiMappings, UpdateApiMapping,
//! DeleteApiMapping. They are v1's base path mapping records
//! (`crate::base_paths`) seen in v2's shape, so both APIs see the same
//! mappings; a v2 key may have several levels (`orders/v2`), which the
//! data plane matches segment by segment. A mapping reaches an HTTP,
//! WebSocket or REST API's stage.

use crate::base_paths::{self, NO_BASE_PATH, all, record, stored};
use crate::domains::find;
use crate::errors::{bad_request, conflict, not_found};
use crate::state::Shared;
use crate::v2::errors::{no_api, no_stage};
use crate::v2::{fields, store};
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

fn no_mapping(id: &str) -> AwsError {
    not_found(format!("Invalid ApiMapping identifier specified {id}"))
}

fn key_exists(key: &str) -> AwsError {
    conflict(format!("ApiMapping key {key} already exists for this domain name"))
}

/// An `ApiMappingKey` as stored: `(none)` for the empty one; levels of
/// URL-safe characters separated by single slashes.
fn mapping_key(raw: Option<&str>) -> Result<String, AwsError> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Ok(NO_BASE_PATH.to_string());
    }
    let level_ok =
        |l: &str| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b"$-_.+!*'(),".contains(&b));
    if raw.len() <= 512 && raw != NO_BASE_PATH && raw.split('/').all(level_ok) {
        return Ok(raw.to_string());
    }
    Err(bad_request(format!(
        "Invalid ApiMappingKey {raw}: levels of alphanumeric characters and $-_.+!*'(), separated by /"
    )))
}

/// Checks that `api_id` names an HTTP, WebSocket or REST API of the caller
/// with stage `stage`.
fn check_target(s: &Shared, ctx: &RequestContext, api_id: &str, stage: &str) -> Result<(), AwsError> {
    let has_stage = match store::api(s, ctx, api_id) {
        Ok(api) => api.stages.contains_key(stage),
        Err(_) => s.api(ctx, api_id).map_err(|_| no_api(api_id))?.stages.contains_key(stage),
    };
    if has_stage { Ok(()) } else { Err(no_stage(stage)) }
}

/// A stored mapping in v2's ApiMapping shape.
fn shape(mapping: &Value) -> Value {
    let key = mapping.str("basePath").unwrap_or(NO_BASE_PATH);
    json!({
        "ApiId": mapping.str("restApiId").unwrap_or_default(),
        "ApiMappingId": id_of(mapping),
        "ApiMappingKey": if key == NO_BASE_PATH { "" } else { key },
        "Stage": mapping.str("stage").unwrap_or_default(),
    })
}

/// A mapping's id (a v1 record from before ids were kept: its base path).
fn id_of(mapping: &Value) -> &str {
    mapping.str("apiMappingId").or_else(|| mapping.str("basePath")).unwrap_or_default()
}

/// Domain `name`'s mapping with id `id`.
fn by_id(s: &Shared, ctx: &RequestContext, name: &str, id: &str) -> Result<Value, AwsError> {
    all(s, ctx, name)?.into_iter().find(|m| id_of(m) == id).ok_or_else(|| no_mapping(id))
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("DomainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let key = mapping_key(input.str("ApiMappingKey"))?;
    let (api_id, stage) = (input.req_str("ApiId")?, input.req_str("Stage")?);
    check_target(s, ctx, api_id, stage)?;
    if stored(s, ctx, &name, &key)?.is_some() {
        return Err(key_exists(input.str("ApiMappingKey").unwrap_or_default()));
    }
    let mapping = record(&key, api_id, Some(stage), &base_paths::new_id());
    base_paths::save(s, ctx, &name, None, &mapping).await?;
    Ok(shape(&mapping))
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("DomainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    Ok(shape(&by_id(s, ctx, &name, input.req_str("ApiMappingId")?)?))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("DomainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    Ok(fields::page(all(s, ctx, &name)?.iter().map(shape).collect(), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("DomainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let id = input.req_str("ApiMappingId")?;
    let old = by_id(s, ctx, &name, id)?;
    let old_key = old.str("basePath").unwrap_or(NO_BASE_PATH);
    let key = match input.get("ApiMappingKey") {
        Some(_) => mapping_key(input.str("ApiMappingKey"))?,
        None => old_key.to_string(),
    };
    let api_id = input.req_str("ApiId")?;
    let stage = input.str("Stage").or_else(|| old.str("stage")).unwrap_or_default();
    check_target(s, ctx, api_id, stage)?;
    if key != old_key && stored(s, ctx, &name, &key)?.is_some() {
        return Err(key_exists(input.str("ApiMappingKey").unwrap_or_default()));
    }
    let mapping = record(&key, api_id, Some(stage), id);
    base_paths::save(s, ctx, &name, Some(old_key), &mapping).await?;
    Ok(shape(&mapping))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("DomainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let mapping = by_id(s, ctx, &name, input.req_str("ApiMappingId")?)?;
    base_paths::remove(s, ctx, &name, mapping.str("basePath").unwrap_or(NO_BASE_PATH)).await?;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_keys() {
        assert_eq!(mapping_key(None).ok().as_deref(), Some(NO_BASE_PATH));
        assert_eq!(mapping_key(Some("orders")).ok().as_deref(), Some("orders"));
        assert_eq!(mapping_key(Some("orders/v2")).ok().as_deref(), Some("orders/v2"));
        for bad in ["/orders", "orders/", "a//b", "sp ace", "(none)"] {
            assert!(mapping_key(Some(bad)).is_err(), "{bad}");
        }
    }
}
