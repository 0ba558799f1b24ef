//! Mobile push: platform applications (ADM, APNS, APNS_SANDBOX, BAIDU, GCM,
//! MPNS, WNS) and their endpoints, with AWS's checks and messages. Stratus
//! cannot reach the push services, so a message for an endpoint, published
//! to it directly or through an `application` subscription, is recorded
//! with the payload for its platform and listed at `/_stratus/sns/push`;
//! a disabled endpoint refuses direct publishes with `EndpointDisabled`.

use crate::errors::{invalid, not_found};
use crate::page;
use crate::shared::Shared;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const PLATFORMS: &[&str] = &["ADM", "APNS", "APNS_SANDBOX", "BAIDU", "GCM", "MPNS", "WNS"];
/// Application attributes that are written but never read back.
const SECRET: &[&str] = &["PlatformCredential", "PlatformPrincipal"];
const ENDPOINT_ATTRIBUTES: &[&str] = &["CustomUserData", "Enabled", "Token"];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Application {
    arn: String,
    attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    pub arn: String,
    pub app_arn: String,
    pub attributes: BTreeMap<String, String>,
}

impl Endpoint {
    pub fn platform(&self) -> &str {
        self.arn.split('/').nth(1).unwrap_or("")
    }

    pub fn enabled(&self) -> bool {
        self.attributes.get("Enabled").is_none_or(|e| e.eq_ignore_ascii_case("true"))
    }
}

/// The store key of an application or endpoint: its ARN's resource under
/// the account and region.
fn key_of(region: &str, account: &str, resource: &str) -> String {
    format!("sns/{account}/{region}/{resource}")
}

fn not_null() -> AwsError {
    AwsError::bad_request(
        "ValidationError",
        "1 validation error detected: Value null at 'attributes' failed to satisfy constraint: Member must not be null",
    )
}

fn app_missing() -> AwsError {
    not_found("PlatformApplication does not exist")
}

fn endpoint_missing() -> AwsError {
    not_found("Endpoint does not exist")
}

/// The attributes a request gives; an empty map is no map, as on the wire.
fn given(input: &Value) -> Option<BTreeMap<String, String>> {
    Some(crate::topics::string_map(input, "Attributes")).filter(|m| !m.is_empty())
}

/// An application ARN: (region, account, resource `app/{platform}/{name}`).
fn app_ref(arn: &str) -> Result<(String, String, String), AwsError> {
    let parts = crate::arns::check_elements("PlatformApplicationArn", arn)?;
    let resource = parts[5..].join(":");
    if parts[2] != "sns" || resource.split('/').count() != 3 || !resource.starts_with("app/") {
        return Err(invalid("PlatformApplicationArn"));
    }
    Ok((parts[3].clone(), parts[4].clone(), resource))
}

/// An endpoint ARN: (region, account, resource `endpoint/{platform}/{app}/{id}`).
fn endpoint_ref(arn: &str) -> Result<(String, String, String), AwsError> {
    let parts = crate::arns::check_elements("EndpointArn", arn)?;
    let resource = parts[5..].join(":");
    if resource.split('/').count() != 4 {
        return Err(invalid("EndpointArn Reason: Wrong number of slashes in relative portion of the ARN."));
    }
    Ok((parts[3].clone(), parts[4].clone(), resource))
}

fn load_app(s: &Shared, arn: &str) -> Result<(String, Application), AwsError> {
    let (region, account, resource) = app_ref(arn)?;
    let key = key_of(&region, &account, &resource);
    let app = s.store.get(&key)?.and_then(|b| serde_json::from_slice(&b).ok()).ok_or_else(app_missing)?;
    Ok((key, app))
}

pub fn load_endpoint(s: &Shared, arn: &str) -> Result<(String, Endpoint), AwsError> {
    let (region, account, resource) = endpoint_ref(arn)?;
    let key = key_of(&region, &account, &resource);
    let ep = s.store.get(&key)?.and_then(|b| serde_json::from_slice(&b).ok()).ok_or_else(endpoint_missing)?;
    Ok((key, ep))
}

fn readable(attrs: &BTreeMap<String, String>) -> Value {
    attrs.iter().filter(|(k, _)| !SECRET.contains(&k.as_str())).map(|(k, v)| (k.clone(), json!(v))).collect()
}

/// Credentials come in pairs, except GCM's server key or FCM JSON key alone.
fn check_credentials(platform: &str, attrs: &BTreeMap<String, String>) -> Result<(), AwsError> {
    match (attrs.contains_key("PlatformPrincipal"), attrs.contains_key("PlatformCredential")) {
        (true, false) => {
            Err(invalid("Attributes Reason: PlatformPrincipal attribute provided without PlatformCredential"))
        }
        (false, true) if platform != "GCM" => {
            Err(invalid("Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal"))
        }
        _ => Ok(()),
    }
}

pub async fn create_application(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.str("Name").unwrap_or("");
    let platform = input.str("Platform").unwrap_or("");
    let mut attrs = given(input).ok_or_else(not_null)?;
    if name.is_empty() {
        return Err(invalid(" Reason: cannot be empty"));
    }
    if name.len() > 256 {
        return Err(invalid(format!("{name} Reason: must be at most 256 characters long")));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)) {
        return Err(invalid(format!(
            "{name} Reason: must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'"
        )));
    }
    if !PLATFORMS.contains(&platform) {
        return Err(invalid(format!("Platform Reason: {platform} is not supported")));
    }
    check_credentials(platform, &attrs)?;
    attrs.entry("Enabled".into()).or_insert_with(|| "true".into());
    let resource = format!("app/{platform}/{name}");
    let arn = format!("arn:aws:sns:{}:{}:{resource}", ctx.region, ctx.account_id);
    let app = Application { arn: arn.clone(), attributes: attrs };
    s.store.put(key_of(&ctx.region, &ctx.account_id, &resource), serde_json::to_vec(&app).unwrap_or_default()).await?;
    Ok(json!({ "PlatformApplicationArn": arn }))
}

pub fn get_application_attributes(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (_, app) = load_app(s, input.str("PlatformApplicationArn").unwrap_or(""))?;
    Ok(json!({ "Attributes": readable(&app.attributes) }))
}

pub async fn set_application_attributes(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.str("PlatformApplicationArn").unwrap_or("");
    app_ref(arn)?;
    let attrs = given(input).ok_or_else(not_null)?;
    let (key, mut app) = load_app(s, arn)?;
    check_credentials(arn.split('/').nth(1).unwrap_or(""), &attrs)?;
    app.attributes.extend(attrs);
    s.store.put(key, serde_json::to_vec(&app).unwrap_or_default()).await?;
    Ok(json!({}))
}

/// Deletes the application and its endpoints (their subscriptions stay, as on AWS).
pub async fn delete_application(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.str("PlatformApplicationArn").unwrap_or("");
    let (region, account, resource) = app_ref(arn)?;
    let endpoints = format!("sns/{account}/{region}/endpoint/{}/", resource.trim_start_matches("app/"));
    let mut keys: Vec<Vec<u8>> = s.store.scan_prefix(&endpoints, false, None)?.into_iter().map(|(k, _)| k).collect();
    keys.push(key_of(&region, &account, &resource).into_bytes());
    s.store
        .transact(move |txn| {
            for k in &keys {
                txn.delete(k.clone());
            }
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

pub fn list_applications(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let prefix = format!("sns/{}/{}/app/", ctx.account_id, ctx.region);
    let (rows, next) = page::scan(&s.store, &prefix, input.str("NextToken"))?;
    let apps: Vec<Value> = rows
        .iter()
        .filter_map(|(_, v)| serde_json::from_slice::<Application>(v).ok())
        .map(|a| json!({ "PlatformApplicationArn": a.arn, "Attributes": readable(&a.attributes) }))
        .collect();
    let mut out = json!({ "PlatformApplications": apps });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

fn check_endpoint_attributes(attrs: &BTreeMap<String, String>) -> Result<(), AwsError> {
    for (k, v) in attrs {
        if !ENDPOINT_ATTRIBUTES.contains(&k.as_str()) {
            return Err(invalid(format!("Attributes Reason: Invalid attribute name: {k}")));
        }
        if k == "CustomUserData" && v.len() > 2048 {
            return Err(invalid(
                "Attributes Reason: Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding",
            ));
        }
    }
    Ok(())
}

/// CreatePlatformEndpoint: the same token again gives the same endpoint
/// when nothing else differs.
pub async fn create_endpoint(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let app_arn = input.str("PlatformApplicationArn").unwrap_or("");
    let (_, app) = load_app(s, app_arn)?;
    let token = input.req_str("Token")?.to_string();
    let mut attrs = crate::topics::string_map(input, "Attributes");
    check_endpoint_attributes(&attrs)?;
    if let Some(data) = input.str("CustomUserData") {
        attrs.insert("CustomUserData".into(), data.to_string());
        check_endpoint_attributes(&attrs)?;
    }
    attrs.insert("Token".into(), token.clone());
    attrs.entry("Enabled".into()).or_insert_with(|| "true".into());
    let (region, account, resource) = app_ref(&app.arn)?;
    let prefix = format!("sns/{account}/{region}/endpoint/{}/", resource.trim_start_matches("app/"));
    for (_, raw) in s.store.scan_prefix(&prefix, false, None)? {
        let Ok(ep) = serde_json::from_slice::<Endpoint>(&raw) else { continue };
        if ep.attributes.get("Token") == Some(&token) {
            if ep.attributes == attrs {
                return Ok(json!({ "EndpointArn": ep.arn }));
            }
            return Err(invalid(format!(
                "Token Reason: Endpoint {} already exists with the same Token, but different attributes.",
                ep.arn
            )));
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    let resource = format!("endpoint/{}/{id}", resource.trim_start_matches("app/"));
    let arn = format!("arn:aws:sns:{region}:{account}:{resource}");
    let ep = Endpoint { arn: arn.clone(), app_arn: app.arn, attributes: attrs };
    s.store.put(key_of(&region, &account, &resource), serde_json::to_vec(&ep).unwrap_or_default()).await?;
    Ok(json!({ "EndpointArn": arn }))
}

pub fn get_endpoint_attributes(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (_, ep) = load_endpoint(s, input.str("EndpointArn").unwrap_or(""))?;
    Ok(json!({ "Attributes": ep.attributes }))
}

pub async fn set_endpoint_attributes(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.str("EndpointArn").unwrap_or("");
    endpoint_ref(arn)?;
    let attrs = given(input).ok_or_else(not_null)?;
    check_endpoint_attributes(&attrs)?;
    let (key, mut ep) = load_endpoint(s, arn)?;
    ep.attributes.extend(attrs);
    s.store.put(key, serde_json::to_vec(&ep).unwrap_or_default()).await?;
    Ok(json!({}))
}

/// DeleteEndpoint: idempotent; subscriptions to the endpoint stay.
pub async fn delete_endpoint(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (region, account, resource) = endpoint_ref(input.str("EndpointArn").unwrap_or(""))?;
    s.store.delete(key_of(&region, &account, &resource)).await?;
    Ok(json!({}))
}

pub fn list_endpoints(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (_, app) = load_app(s, input.str("PlatformApplicationArn").unwrap_or(""))?;
    let (region, account, resource) = app_ref(&app.arn)?;
    let prefix = format!("sns/{account}/{region}/endpoint/{}/", resource.trim_start_matches("app/"));
    let (rows, next) = page::scan(&s.store, &prefix, input.str("NextToken"))?;
    let endpoints: Vec<Value> = rows
        .iter()
        .filter_map(|(_, v)| serde_json::from_slice::<Endpoint>(v).ok())
        .map(|e| json!({ "EndpointArn": e.arn, "Attributes": e.attributes }))
        .collect();
    let mut out = json!({ "Endpoints": endpoints });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}
