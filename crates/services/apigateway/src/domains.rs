//! Custom domain names and their base path mappings (REST APIs, v1):
//! CreateDomainName, GetDomainName, GetDomainNames, UpdateDomainName,
//! DeleteDomainName, and Create/Get/GetAll/Update/Delete BasePathMapping;
//! and finding the API and stage a request to a custom domain reaches
//! (`mapped`, used by `invoke::address`).
//!
//! Store: `apigw/{account}/{region}/domain/{name}` → DomainName shape;
//! `apigw/{account}/{region}/bpm/{name}/{basePath}` → BasePathMapping shape
//! (`(none)` for the empty base path); `apigw/domainhost/{name}` →
//! `{account}/{region}` (the data plane's lookup by Host header).

use crate::db;
use crate::errors::{bad_request, conflict, not_found};
use crate::patch::{self, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// The base path of the mapping that serves a domain's whole path.
pub const NO_BASE_PATH: &str = "(none)";

const DOMAIN_RULES: Rules = Rules {
    rules: &[
        Rule { path: "/certificateName", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/certificateArn", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/regionalCertificateName", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/regionalCertificateArn", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/securityPolicy", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/mutualTlsAuthentication/truststoreUri", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/mutualTlsAuthentication/truststoreVersion", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
    ],
    style: Style::Listed,
};

/// Patched through a view whose API id member is spelled as AWS's patch
/// path spells it (`/restapiId`).
const MAPPING_RULES: Rules = Rules {
    rules: &[
        Rule { path: "/basePath", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/restapiId", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/stage", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
    ],
    style: Style::Listed,
};

const ENDPOINT_TYPES: &[&str] = &["EDGE", "REGIONAL"];
/// CloudFront's hosted zone, the one every edge-optimized domain points at.
const CLOUDFRONT_ZONE: &str = "Z2FDTNDATAQYW2";

fn owner_prefix(account: &str, region: &str) -> String {
    format!("apigw/{account}/{region}/")
}

fn domain_prefix(ctx: &RequestContext) -> String {
    format!("{}domain/", owner_prefix(&ctx.account_id, &ctx.region))
}

fn domain_key(ctx: &RequestContext, name: &str) -> String {
    format!("{}{name}", domain_prefix(ctx))
}

fn host_key(name: &str) -> String {
    format!("apigw/domainhost/{name}")
}

fn mappings_prefix(account: &str, region: &str, name: &str) -> String {
    format!("{}bpm/{name}/", owner_prefix(account, region))
}

fn mapping_key(ctx: &RequestContext, name: &str, base_path: &str) -> String {
    format!("{}{base_path}", mappings_prefix(&ctx.account_id, &ctx.region, name))
}

fn no_domain() -> AwsError {
    not_found("Invalid domain name identifier specified")
}

fn no_mapping() -> AwsError {
    not_found("Invalid base path mapping identifier specified")
}

fn path_exists() -> AwsError {
    conflict("Base path already exists for this domain name")
}

/// The shape stored under `key`, else `missing`.
fn load(s: &Shared, key: String, missing: fn() -> AwsError) -> Result<Value, AwsError> {
    s.store.get(key)?.map(|b| db::decode(&b)).transpose()?.ok_or_else(missing)
}

/// The shapes stored under `prefix`, in key order.
fn load_all(s: &Shared, prefix: String) -> Result<Vec<Value>, AwsError> {
    s.store.scan_prefix(prefix, false, None)?.iter().map(|(_, raw)| db::decode(raw)).collect()
}

/// Domain `name` of the caller.
fn find(s: &Shared, ctx: &RequestContext, name: &str) -> Result<Value, AwsError> {
    load(s, domain_key(ctx, name), no_domain)
}

/// A security policy AWS knows: `TLS_1_0`, `TLS_1_2` or one of the
/// enhanced `SecurityPolicy_*` ones.
fn check_policy(policy: &str) -> Result<(), AwsError> {
    match policy {
        "TLS_1_0" | "TLS_1_2" => Ok(()),
        p if p.starts_with("SecurityPolicy_") => Ok(()),
        p => Err(bad_request(format!("Invalid security policy: {p}"))),
    }
}

/// The Route 53 hosted zone of `region`'s regional `execute-api` endpoints
/// (AWS's endpoint table; us-east-1's for regions not listed).
fn regional_zone(region: &str) -> &'static str {
    match region {
        "us-east-1" => "Z1UJRXOUMOOFQ8",
        "us-east-2" => "ZOJJZC49E0EPZ",
        "us-west-1" => "Z2MUQ32089INYE",
        "us-west-2" => "Z2OJLYMUO9EFXC",
        "eu-west-1" => "ZLY8HYME6SFDD",
        "eu-central-1" => "Z1U9ULNL0V5AJ3",
        "ap-southeast-1" => "ZL327KTPIQFUL",
        "ap-northeast-1" => "Z1YSHQZHG15GKL",
        "ap-northeast-2" => "Z20JF4UZKIW1U8",
        "ap-south-1" => "Z3VO1THU9YC4UR",
        "ap-southeast-2" => "Z2RPCDW04V8134",
        "ca-central-1" => "Z19DQILCV0OWEC",
        "eu-west-2" => "ZJ5UAJN8Y3Z2Q",
        "eu-west-3" => "Z3KY65QIEKYHQQ",
        "sa-east-1" => "ZCMLWB8V5SYIT",
        _ => "Z1UJRXOUMOOFQ8",
    }
}

fn random_label(len: usize) -> String {
    stratus_core::ids::random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", len)
}

/// A valid DNS name (optionally a `*.` wildcard), lower-cased.
fn valid_domain(name: &str) -> bool {
    let labels = name.strip_prefix("*.").unwrap_or(name);
    name.len() <= 253
        && labels.split('.').count() >= 2
        && labels.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    if !valid_domain(&name) {
        return Err(bad_request(format!("Invalid domain name: {name}")));
    }
    let types: Vec<String> = match input.get("endpointConfiguration").map(|c| c.list("types")) {
        Some(t) if !t.is_empty() => t.iter().filter_map(|t| t.as_str().map(str::to_string)).collect(),
        _ => vec!["EDGE".to_string()],
    };
    if types.len() != 1 || !ENDPOINT_TYPES.contains(&types[0].as_str()) {
        return Err(bad_request(format!(
            "Invalid endpoint configuration types {types:?}; must be exactly one of {ENDPOINT_TYPES:?}"
        )));
    }
    let policy = input.str("securityPolicy").unwrap_or("TLS_1_2");
    check_policy(policy)?;
    if s.store.get(host_key(&name))?.is_some() {
        return Err(conflict("The domain name you provided already exists."));
    }
    let mut domain = json!({
        "domainName": name,
        "domainNameArn": format!("arn:aws:apigateway:{}::/domainnames/{name}", ctx.region),
        "domainNameStatus": "AVAILABLE",
        "endpointConfiguration": {"types": types},
        "securityPolicy": policy,
        "certificateUploadDate": stratus_core::clock::now_epoch().floor(),
        "tags": input.get("tags").cloned().unwrap_or_else(|| json!({})),
    });
    if types[0] == "REGIONAL" {
        domain["regionalDomainName"] =
            format!("d-{}.execute-api.{}.amazonaws.com", random_label(10), ctx.region).into();
        domain["regionalHostedZoneId"] = regional_zone(&ctx.region).into();
    } else {
        domain["distributionDomainName"] = format!("d{}.cloudfront.net", random_label(13)).into();
        domain["distributionHostedZoneId"] = CLOUDFRONT_ZONE.into();
    }
    for k in [
        "certificateName",
        "certificateArn",
        "regionalCertificateName",
        "regionalCertificateArn",
        "mutualTlsAuthentication",
        "ownershipVerificationCertificateArn",
    ] {
        if let Some(v) = input.get(k).filter(|v| v.as_str() != Some("")) {
            domain[k] = v.clone();
        }
    }
    let mut batch = stratus_store::WriteBatch::new();
    batch
        .put(domain_key(ctx, &name), db::encode(&domain))
        .put(host_key(&name), format!("{}/{}", ctx.account_id, ctx.region).into_bytes());
    s.store.write(batch).await?;
    Ok(domain)
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    find(s, ctx, &input.req_str("domainName")?.to_ascii_lowercase())
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    Ok(crate::paging::page(load_all(s, domain_prefix(ctx))?, input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    let mut domain = find(s, ctx, &name)?;
    DOMAIN_RULES.apply(&mut domain, &patch::ops(input))?;
    check_policy(domain.str("securityPolicy").unwrap_or("TLS_1_2"))?;
    s.store.put(domain_key(ctx, &name), db::encode(&domain)).await?;
    Ok(domain)
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(domain_key(ctx, &name)).delete(host_key(&name));
    for (key, _) in s.store.scan_prefix(mappings_prefix(&ctx.account_id, &ctx.region, &name), false, None)? {
        batch.delete(key);
    }
    s.store.write(batch).await?;
    Ok(json!({}))
}

/// Runs `edit` on the tags of domain `name` (TagResource, UntagResource).
pub async fn change_tags(
    s: &Shared,
    ctx: &RequestContext,
    name: &str,
    edit: &mut impl FnMut(&mut Map<String, Value>),
) -> Result<Value, AwsError> {
    let name = name.to_ascii_lowercase();
    let mut domain = find(s, ctx, &name)?;
    crate::tags::retag(&mut domain, "tags", edit);
    s.store.put(domain_key(ctx, &name), db::encode(&domain)).await?;
    Ok(json!({}))
}

/// The tags of domain `name` (GetTags).
pub fn tags(s: &Shared, ctx: &RequestContext, name: &str) -> Result<Value, AwsError> {
    let domain = find(s, ctx, &name.to_ascii_lowercase())?;
    Ok(json!({ "tags": domain.get("tags").cloned().unwrap_or_else(|| json!({})) }))
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

fn find_mapping(s: &Shared, ctx: &RequestContext, name: &str, base: &str) -> Result<Value, AwsError> {
    load(s, mapping_key(ctx, name, base), no_mapping)
}

/// A BasePathMapping shape.
fn mapping_shape(base: &str, api_id: &str, stage: Option<&str>) -> Value {
    let mut mapping = json!({"basePath": base, "restApiId": api_id});
    if let Some(stage) = stage {
        mapping["stage"] = stage.into();
    }
    mapping
}

pub async fn create_mapping(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let base = base_path(input.str("basePath"))?;
    let api_id = input.req_str("restApiId")?;
    let stage = input.str("stage").filter(|s| !s.is_empty());
    check_target(s, ctx, api_id, stage)?;
    if s.store.get(mapping_key(ctx, &name, &base))?.is_some() {
        return Err(path_exists());
    }
    let mapping = mapping_shape(&base, api_id, stage);
    s.store.put(mapping_key(ctx, &name, &base), db::encode(&mapping)).await?;
    Ok(mapping)
}

pub fn get_mapping(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    find_mapping(s, ctx, &name, &base_path(input.str("basePath")).map_err(|_| no_mapping())?)
}

pub fn list_mappings(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let mappings = load_all(s, mappings_prefix(&ctx.account_id, &ctx.region, &name))?;
    Ok(crate::paging::page(mappings, input))
}

pub async fn update_mapping(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let old_base = base_path(input.str("basePath")).map_err(|_| no_mapping())?;
    let mapping = find_mapping(s, ctx, &name, &old_base)?;
    let mut view = mapping.clone();
    if let Some(id) = view.as_object_mut().and_then(|v| v.remove("restApiId")) {
        view["restapiId"] = id;
    }
    MAPPING_RULES.apply(&mut view, &patch::ops(input))?;
    let base = base_path(view.str("basePath"))?;
    let api_id = view.str("restapiId").unwrap_or_default();
    let stage = view.str("stage").filter(|s| !s.is_empty());
    check_target(s, ctx, api_id, stage)?;
    if base != old_base && s.store.get(mapping_key(ctx, &name, &base))?.is_some() {
        return Err(path_exists());
    }
    let updated = mapping_shape(&base, api_id, stage);
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(mapping_key(ctx, &name, &old_base)).put(mapping_key(ctx, &name, &base), db::encode(&updated));
    s.store.write(batch).await?;
    Ok(updated)
}

pub async fn delete_mapping(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("domainName")?.to_ascii_lowercase();
    find(s, ctx, &name)?;
    let base = base_path(input.str("basePath")).map_err(|_| no_mapping())?;
    find_mapping(s, ctx, &name, &base)?;
    s.store.delete(mapping_key(ctx, &name, &base)).await?;
    Ok(json!({}))
}

/// The mapping of custom domain `name` that serves `path` (percent-encoded,
/// starting with `/`): the one named by the path's first segment, else the
/// `(none)` one; with the path left for the API.
pub fn mapped(s: &Shared, name: &str, path: &str) -> Option<(Value, String)> {
    let name = name.to_ascii_lowercase();
    let owner = s.store.get(host_key(&name)).ok().flatten()?;
    let owner = String::from_utf8_lossy(&owner).into_owned();
    let (account, region) = owner.split_once('/')?;
    let prefix = mappings_prefix(account, region, &name);
    let mapping = |base: &str| load(s, format!("{prefix}{base}"), no_mapping).ok();
    let trimmed = path.trim_start_matches('/');
    let (first, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    if !first.is_empty()
        && first != NO_BASE_PATH
        && let Some(m) = mapping(first)
    {
        return Some((m, format!("/{rest}")));
    }
    let whole = if path.is_empty() { "/".to_string() } else { path.to_string() };
    mapping(NO_BASE_PATH).map(|m| (m, whole))
}
