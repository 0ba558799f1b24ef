//! Custom domain names (REST APIs, v1): CreateDomainName, GetDomainName,
//! GetDomainNames, UpdateDomainName, DeleteDomainName; their base path
//! mappings are `crate::base_paths`. The v2 API's domain names and API
//! mappings (`crate::v2::domains`, `crate::v2::mappings`) are views of the
//! same records, as in AWS, where both APIs see one set of domain names.
//!
//! Store: `apigw/{account}/{region}/domain/{name}` → DomainName shape;
//! `apigw/{account}/{region}/bpm/{name}/{basePath}` → BasePathMapping shape
//! (`(none)` for the empty base path; a v2 multi-level key has `/` in it)
//! with its v2 `apiMappingId`; `apigw/domainhost/{name}` →
//! `{account}/{region}` (the data plane's lookup by Host header, whose
//! names are also kept in memory: `crate::hosts`).

use crate::db;
use crate::errors::{bad_request, conflict, not_found};
use crate::patch::{self, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

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

/// Base path mappings (`crate::base_paths`) are patched through a view whose API id member is spelled as AWS's patch
/// path spells it (`/restapiId`).
pub const MAPPING_RULES: Rules = Rules {
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

pub fn domain_prefix(ctx: &RequestContext) -> String {
    format!("{}domain/", owner_prefix(&ctx.account_id, &ctx.region))
}

pub fn domain_key(ctx: &RequestContext, name: &str) -> String {
    format!("{}{name}", domain_prefix(ctx))
}

pub fn host_key(name: &str) -> String {
    format!("{}{name}", crate::hosts::PREFIX)
}

pub fn mappings_prefix(account: &str, region: &str, name: &str) -> String {
    format!("{}bpm/{name}/", owner_prefix(account, region))
}

pub fn no_domain() -> AwsError {
    not_found("Invalid domain name identifier specified")
}

/// The shape stored under `key`, else `missing`.
pub fn load(s: &Shared, key: String, missing: fn() -> AwsError) -> Result<Value, AwsError> {
    s.store.get(key)?.map(|b| db::decode(&b)).transpose()?.ok_or_else(missing)
}

/// The shapes stored under `prefix`, in key order.
pub fn load_all(s: &Shared, prefix: String) -> Result<Vec<Value>, AwsError> {
    s.store.scan_prefix(prefix, false, None)?.iter().map(|(_, raw)| db::decode(raw)).collect()
}

/// Domain `name` of the caller.
pub fn find(s: &Shared, ctx: &RequestContext, name: &str) -> Result<Value, AwsError> {
    load(s, domain_key(ctx, name), no_domain)
}

/// A security policy AWS knows: `TLS_1_0`, `TLS_1_2` or one of the
/// enhanced `SecurityPolicy_*` ones.
pub fn check_policy(policy: &str) -> Result<(), AwsError> {
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
pub fn valid_domain(name: &str) -> bool {
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
    let mut domain = new_domain(ctx, &name, &types[0], policy);
    domain["tags"] = input.get("tags").cloned().unwrap_or_else(|| json!({}));
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
    insert(s, ctx, &domain).await?;
    Ok(domain)
}

/// A new DomainName shape of endpoint type `kind` (`EDGE` or `REGIONAL`),
/// with the endpoint AWS would give it.
pub fn new_domain(ctx: &RequestContext, name: &str, kind: &str, policy: &str) -> Value {
    let mut domain = json!({
        "domainName": name,
        "domainNameArn": format!("arn:aws:apigateway:{}::/domainnames/{name}", ctx.region),
        "domainNameStatus": "AVAILABLE",
        "endpointConfiguration": {"types": [kind]},
        "securityPolicy": policy,
        "certificateUploadDate": stratus_core::clock::now_epoch().floor(),
        "tags": {},
    });
    if kind == "REGIONAL" {
        domain["regionalDomainName"] =
            format!("d-{}.execute-api.{}.amazonaws.com", random_label(10), ctx.region).into();
        domain["regionalHostedZoneId"] = regional_zone(&ctx.region).into();
    } else {
        domain["distributionDomainName"] = format!("d{}.cloudfront.net", random_label(13)).into();
        domain["distributionHostedZoneId"] = CLOUDFRONT_ZONE.into();
    }
    domain
}

/// Stores a new domain name (ConflictException when any account has it)
/// and starts serving it.
pub async fn insert(s: &Shared, ctx: &RequestContext, domain: &Value) -> Result<(), AwsError> {
    let name = domain.str("domainName").unwrap_or_default();
    if s.store.get(host_key(name))?.is_some() {
        return Err(conflict("The domain name you provided already exists."));
    }
    let mut batch = stratus_store::WriteBatch::new();
    batch
        .put(domain_key(ctx, name), db::encode(domain))
        .put(host_key(name), format!("{}/{}", ctx.account_id, ctx.region).into_bytes());
    s.store.write(batch).await?;
    s.domain_names.insert(name);
    Ok(())
}

/// Stores domain `name`'s changed shape.
pub async fn save(s: &Shared, ctx: &RequestContext, name: &str, domain: &Value) -> Result<(), AwsError> {
    s.store.put(domain_key(ctx, name), db::encode(domain)).await?;
    Ok(())
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
    save(s, ctx, &name, &domain).await?;
    Ok(domain)
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    remove(s, ctx, &input.req_str("domainName")?.to_ascii_lowercase()).await?;
    Ok(json!({}))
}

/// Deletes domain `name` of the caller and its mappings.
pub async fn remove(s: &Shared, ctx: &RequestContext, name: &str) -> Result<(), AwsError> {
    find(s, ctx, name)?;
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(domain_key(ctx, name)).delete(host_key(name));
    for (key, _) in s.store.scan_prefix(mappings_prefix(&ctx.account_id, &ctx.region, name), false, None)? {
        batch.delete(key);
    }
    s.store.write(batch).await?;
    s.domain_names.remove(name);
    Ok(())
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
    save(s, ctx, &name, &domain).await?;
    Ok(json!({}))
}

/// The tags of domain `name` (GetTags).
pub fn tags(s: &Shared, ctx: &RequestContext, name: &str) -> Result<Value, AwsError> {
    let domain = find(s, ctx, &name.to_ascii_lowercase())?;
    Ok(json!({ "tags": domain.get("tags").cloned().unwrap_or_else(|| json!({})) }))
}
