//! Base path mappings of custom domain names (REST APIs, v1):
//! Create/Get/GetAll/Update/Delete BasePathMapping. The records are the
//! ones v2's API mappings (`crate::v2::mappings`) show and change too: a
//! v2 mapping's key may have several levels (`a/b`), which v1 does not
//! list. And the mapping a request to a custom domain reaches (`mapped`,
//! used by `invoke::address`): the one whose key is the longest run of the
//! path's leading segments, else the `(none)` one.

use crate::db;
use crate::domains::{MAPPING_RULES, find, load_all, mappings_prefix};
use crate::errors::{bad_request, conflict, not_found};
use crate::patch;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// The base path of the mapping that serves a domain's whole path.
pub const NO_BASE_PATH: &str = "(none)";

fn no_mapping() -> AwsError {
    not_found("Invalid base path mapping identifier specified")
}

fn path_exists() -> AwsError {
    conflict("Base path already exists for this domain name")
}

fn mapping_key(ctx: &RequestContext, name: &str, base: &str) -> String {
    format!("{}{base}", mappings_prefix(&ctx.account_id, &ctx.region, name))
}

/// A base path as stored: `(none)` for the empty one.
fn base_path(raw: Option<&str>) -> Result<String, AwsError> {
    match raw.unwrap_or_default() {
        "" | NO_BASE_PATH => Ok(NO_BASE_PATH.to_string()),
        p if p.bytes().all(|b| b.is_ascii_alphanumeric() || b"$-_.+!*'(),".contains(&b)) => Ok(p.to_string()),
        _ => Err(bad_request(
            "Base path may only contain alphanumeric characters and the characters $-_.+!*'(), and must not contain /",
        )),
    }
}

/// Checks that `api_id` names a REST API of the caller with stage `stage`
/// (when one is given).
fn check_target(s: &Shared, ctx: &RequestContext, api_id: &str, stage: Option<&str>) -> Result<(), AwsError> {
    let api = s.api(ctx, api_id).map_err(|_| bad_request("Invalid REST API identifier specified"))?;
    match stage {
        Some(stage) if !api.stages.contains_key(stage) => Err(bad_request("Invalid stage identifier specified")),
        _ => Ok(()),
    }
}

/// The stored mapping of domain `name` with key `base`, if any.
pub fn stored(s: &Shared, ctx: &RequestContext, name: &str, base: &str) -> Result<Option<Value>, AwsError> {
    s.store.get(mapping_key(ctx, name, base))?.map(|b| db::decode(&b)).transpose()
}

/// Every stored mapping of domain `name`, in key order.
pub fn all(s: &Shared, ctx: &RequestContext, name: &str) -> Result<Vec<Value>, AwsError> {
    load_all(s, mappings_prefix(&ctx.account_id, &ctx.region, name))
}

/// A mapping as stored: its key, API, stage and v2 `apiMappingId`.
pub fn record(base: &str, api_id: &str, stage: Option<&str>, id: &str) -> Value {
    let mut mapping = json!({"basePath": base, "restApiId": api_id, "apiMappingId": id});
    if let Some(stage) = stage {
        mapping["stage"] = stage.into();
    }
    mapping
}

/// A new mapping's v2 id.
pub fn new_id() -> String {
    crate::v2::db::new_id(6)
}

/// Stores `mapping` of domain `name`, in place of the one keyed `old`.
pub async fn save(
    s: &Shared,
    ctx: &RequestContext,
    name: &str,
    old: Option<&str>,
    mapping: &Value,
) -> Result<(), AwsError> {
    let mut batch = stratus_store::WriteBatch::new();
    if let Some(old) = old {
        batch.delete(mapping_key(ctx, name, old));
    }
    batch.put(mapping_key(ctx, name, mapping.str("basePath").unwrap_or(NO_BASE_PATH)), db::encode(mapping));
    s.store.write(batch).await?;
    Ok(())
}

/// Deletes the mapping of domain `name` keyed `base`.
pub async fn remove(s: &Shared, ctx: &RequestContext, name: &str, base: &str) -> Result<(), AwsError> {
    s.store.delete(mapping_key(ctx, name, base)).await?;
    Ok(())
}

/// A stored mapping as v1 shows it (BasePathMapping).
fn shown(mut mapping: Value) -> Value {
    if let Some(m) = mapping.as_object_mut() {
        m.remove("apiMappingId");
    }
    mapping
}

fn find_mapping(s: &Shared, ctx: &RequestContext, name: &str, base: &str) -> Result<Value, AwsError> {
    stored(s, ctx, name, base)?.ok_or_else(no_mapping)
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let base = base_path(input.str("basePath"))?;
    let api_id = input.req_str("restApiId")?;
    let stage = input.str("stage").filter(|s| !s.is_empty());
    check_target(s, ctx, api_id, stage)?;
    if stored(s, ctx, &name, &base)?.is_some() {
        return Err(path_exists());
    }
    let mapping = record(&base, api_id, stage, &new_id());
    save(s, ctx, &name, None, &mapping).await?;
    Ok(shown(mapping))
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    find_mapping(s, ctx, &name, &base_path(input.str("basePath")).map_err(|_| no_mapping())?).map(shown)
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let single_level = |m: &Value| !m.str("basePath").unwrap_or_default().contains('/');
    let mappings = all(s, ctx, &name)?.into_iter().filter(single_level).map(shown).collect();
    Ok(crate::paging::page(mappings, input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let old_base = base_path(input.str("basePath")).map_err(|_| no_mapping())?;
    let mapping = find_mapping(s, ctx, &name, &old_base)?;
    let mut view = shown(mapping.clone());
    if let Some(id) = view.as_object_mut().and_then(|v| v.remove("restApiId")) {
        view["restapiId"] = id;
    }
    MAPPING_RULES.apply(&mut view, &patch::ops(input))?;
    let base = base_path(view.str("basePath"))?;
    let api_id = view.str("restapiId").unwrap_or_default();
    let stage = view.str("stage").filter(|s| !s.is_empty());
    check_target(s, ctx, api_id, stage)?;
    if base != old_base && stored(s, ctx, &name, &base)?.is_some() {
        return Err(path_exists());
    }
    let id = mapping.str("apiMappingId").map(str::to_string).unwrap_or_else(new_id);
    let updated = record(&base, api_id, stage, &id);
    save(s, ctx, &name, Some(&old_base), &updated).await?;
    Ok(shown(updated))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let base = base_path(input.str("basePath")).map_err(|_| no_mapping())?;
    find_mapping(s, ctx, &name, &base)?;
    remove(s, ctx, &name, &base).await?;
    Ok(json!({}))
}

/// The mapping of custom domain `name` that serves `path` (percent-encoded,
/// starting with `/`), with the path left for the API: the one whose key
/// is the longest run of the path's leading segments, else the `(none)`
/// one. Names that are not domain names are told apart in memory, without
/// the store.
pub fn mapped(s: &Shared, name: &str, path: &str) -> Option<(Value, String)> {
    let name = name.to_ascii_lowercase();
    if !s.domain_names.contains(&name) {
        return None;
    }
    let owner = s.store.get(crate::domains::host_key(&name)).ok().flatten()?;
    let owner = String::from_utf8_lossy(&owner).into_owned();
    let (account, region) = owner.split_once('/')?;
    let mappings = load_all(s, mappings_prefix(account, region, &name)).ok()?;
    let trimmed = path.trim_start_matches('/');
    let rest_after = |key: &str| match trimmed.strip_prefix(key) {
        Some("") => Some(String::from("/")),
        Some(rest) if rest.starts_with('/') => Some(rest.to_string()),
        _ => None,
    };
    let longest = mappings
        .iter()
        .filter_map(|m| m.str("basePath").filter(|k| *k != NO_BASE_PATH).map(|k| (m, k)))
        .filter_map(|(m, key)| rest_after(key).map(|rest| (key.len(), m, rest)))
        .max_by_key(|(len, _, _)| *len);
    if let Some((_, m, rest)) = longest {
        return Some((m.clone(), rest));
    }
    let whole = if path.is_empty() { "/".to_string() } else { path.to_string() };
    mappings.into_iter().find(|m| m.str("basePath") == Some(NO_BASE_PATH)).map(|m| (m, whole))
}
