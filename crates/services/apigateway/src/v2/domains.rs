//! Custom domain names through the v2 API: CreateDomainName,
//! GetDomainName, GetDomainNames, UpdateDomainName, DeleteDomainName. The
//! records are v1's (`crate::domains`), so that, as in AWS, a domain name
//! created with either API is seen and served by both; this module reads
//! and writes them in v2's shape (`DomainNameConfigurations`,
//! `ApiGatewayDomainName`, `HostedZoneId`).

use crate::domains::{self, check_policy, find, load_all, new_domain, valid_domain};
use crate::errors::bad_request;
use crate::state::Shared;
use crate::v2::fields;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const ENDPOINT_TYPES: &[&str] = &["REGIONAL", "EDGE"];
const ROUTING_MODES: &[&str] = &["API_MAPPING_ONLY", "ROUTING_RULE_ONLY", "ROUTING_RULE_THEN_API_MAPPING"];

/// Whether the stored domain is regional.
fn regional(domain: &Value) -> bool {
    domain.get("endpointConfiguration").map(|c| c.list("types")).is_some_and(|t| t.first() == Some(&json!("REGIONAL")))
}

/// The v1 member holding `v2` for a domain of this endpoint type.
fn certificate_member(domain: &Value, v2: &str) -> &'static str {
    match (regional(domain), v2) {
        (true, "CertificateArn") => "regionalCertificateArn",
        (true, _) => "regionalCertificateName",
        (false, "CertificateArn") => "certificateArn",
        (false, _) => "certificateName",
    }
}

/// A stored domain name in v2's DomainName shape.
pub fn shape(domain: &Value) -> Value {
    let regional = regional(domain);
    let pick = |regional_key: &str, edge_key: &str| domain.get(if regional { regional_key } else { edge_key }).cloned();
    let mut config = Map::new();
    let members = [
        ("ApiGatewayDomainName", pick("regionalDomainName", "distributionDomainName")),
        ("HostedZoneId", pick("regionalHostedZoneId", "distributionHostedZoneId")),
        ("CertificateArn", pick("regionalCertificateArn", "certificateArn")),
        ("CertificateName", pick("regionalCertificateName", "certificateName")),
        ("CertificateUploadDate", domain.get("certificateUploadDate").cloned()),
        ("DomainNameStatus", domain.get("domainNameStatus").cloned()),
        ("EndpointType", Some(if regional { "REGIONAL" } else { "EDGE" }.into())),
        ("SecurityPolicy", domain.get("securityPolicy").cloned()),
        ("OwnershipVerificationCertificateArn", domain.get("ownershipVerificationCertificateArn").cloned()),
    ];
    for (k, v) in members {
        if let Some(v) = v.filter(|v| !v.is_null()) {
            config.insert(k.to_string(), v);
        }
    }
    let mut out = json!({
        "ApiMappingSelectionExpression": "$request.basepath",
        "DomainName": domain.str("domainName").unwrap_or_default(),
        "DomainNameArn": domain.str("domainNameArn").unwrap_or_default(),
        "DomainNameConfigurations": [config],
        "RoutingMode": domain.str("routingMode").unwrap_or("API_MAPPING_ONLY"),
        "Tags": domain.get("tags").cloned().unwrap_or_else(|| json!({})),
    });
    if let Some(mtls) = domain.get("mutualTlsAuthentication").filter(|m| m.is_object()) {
        let mut m = json!({});
        for (v1, v2) in [("truststoreUri", "TruststoreUri"), ("truststoreVersion", "TruststoreVersion")] {
            if let Some(v) = mtls.get(v1) {
                m[v2] = v.clone();
            }
        }
        out["MutualTlsAuthentication"] = m;
    }
    out
}

/// The one configuration an input gives, if any.
fn configuration(input: &Value) -> Result<Option<&Value>, AwsError> {
    match input.list("DomainNameConfigurations") {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(bad_request("Only one domain name configuration is supported")),
    }
}

fn endpoint_type(config: Option<&Value>) -> Result<&str, AwsError> {
    match config.and_then(|c| c.str("EndpointType")).unwrap_or("REGIONAL") {
        t if ENDPOINT_TYPES.contains(&t) => Ok(t),
        t => Err(bad_request(format!("Invalid endpoint type {t}; must be one of {ENDPOINT_TYPES:?}"))),
    }
}

/// Applies a configuration's certificate and security policy, and the
/// input's mutual TLS and routing mode, to a stored domain.
fn configure(domain: &mut Value, config: Option<&Value>, input: &Value) -> Result<(), AwsError> {
    if let Some(config) = config {
        for k in ["CertificateArn", "CertificateName"] {
            if let Some(v) = config.str(k) {
                let member = certificate_member(domain, k);
                domain[member] = v.into();
            }
        }
        if let Some(policy) = config.str("SecurityPolicy") {
            check_policy(policy)?;
            domain["securityPolicy"] = policy.into();
        }
        if let Some(arn) = config.str("OwnershipVerificationCertificateArn") {
            domain["ownershipVerificationCertificateArn"] = arn.into();
        }
    }
    if let Some(mtls) = input.get("MutualTlsAuthentication") {
        let uri = mtls.str("TruststoreUri").filter(|u| u.starts_with("s3://"));
        let Some(uri) = uri else { return Err(bad_request("TruststoreUri must be an S3 URI: s3://bucket/key")) };
        domain["mutualTlsAuthentication"] = json!({"truststoreUri": uri, "truststoreWarnings": []});
        if let Some(version) = mtls.str("TruststoreVersion") {
            domain["mutualTlsAuthentication"]["truststoreVersion"] = version.into();
        }
    }
    if let Some(mode) = input.str("RoutingMode") {
        if !ROUTING_MODES.contains(&mode) {
            return Err(bad_request(format!("Invalid routing mode {mode}; must be one of {ROUTING_MODES:?}")));
        }
        domain["routingMode"] = mode.into();
    }
    Ok(())
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("DomainName")?.to_ascii_lowercase();
    if !valid_domain(&name) {
        return Err(bad_request(format!("Invalid domain name: {name}")));
    }
    let config = configuration(input)?;
    let policy = config.and_then(|c| c.str("SecurityPolicy")).unwrap_or("TLS_1_2");
    check_policy(policy)?;
    let mut domain = new_domain(ctx, &name, endpoint_type(config)?, policy);
    domain["tags"] = input.get("Tags").cloned().unwrap_or_else(|| json!({}));
    configure(&mut domain, config, input)?;
    domains::insert(s, ctx, &domain).await?;
    Ok(shape(&domain))
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    Ok(shape(&find(s, ctx, &input.req_str("DomainName")?.to_ascii_lowercase())?))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let all = load_all(s, domains::domain_prefix(ctx))?;
    Ok(fields::page(all.iter().map(shape).collect(), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("DomainName")?.to_ascii_lowercase();
    let mut domain = find(s, ctx, &name)?;
    let config = configuration(input)?;
    let kind = if regional(&domain) { "REGIONAL" } else { "EDGE" };
    if config.and_then(|c| c.str("EndpointType")).is_some_and(|t| t != kind) {
        return Err(bad_request(format!("The endpoint type of domain name {name} cannot be changed from {kind}")));
    }
    configure(&mut domain, config, input)?;
    domains::save(s, ctx, &name, &domain).await?;
    Ok(shape(&domain))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    domains::remove(s, ctx, &input.req_str("DomainName")?.to_ascii_lowercase()).await?;
    Ok(json!({}))
}
