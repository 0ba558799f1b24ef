//! Codes AWS would email or text (sign-up confirmation, password reset,
//! attribute verification, temporary passwords): generated here, logged,
//! and recorded (with the custom message trigger's text, if any) so tests
//! read them at `GET /_stratus/cognito/codes`.

use rand::Rng;
use serde_json::{Value, json};
use stratus_core::{AwsError, clock};

use crate::keys;
use crate::model::{Code, Pool, User};
use crate::shared::Shared;
use crate::triggers::Message;

/// How long codes stay valid: 24 hours for sign-up and attributes, 1 hour
/// for password resets.
pub fn lifetime(purpose: &str) -> f64 {
    if purpose == "forgot" { 3600.0 } else { 86_400.0 }
}

/// A fresh six-digit code.
pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// Sets a new code for `purpose` on `user` and returns it.
pub fn issue(user: &mut User, purpose: &str) -> String {
    let code = new_code();
    user.codes
        .insert(purpose.to_string(), Code { code: code.clone(), expires: clock::now_epoch() + lifetime(purpose) });
    code
}

/// Checks and consumes a code.
pub fn check(user: &mut User, purpose: &str, given: &str) -> Result<(), AwsError> {
    let Some(c) = user.codes.get(purpose) else { return Err(crate::errors::code_mismatch()) };
    if c.code != given {
        return Err(crate::errors::code_mismatch());
    }
    if c.expires < clock::now_epoch() {
        return Err(crate::errors::expired_code());
    }
    user.codes.remove(purpose);
    Ok(())
}

/// AWS's masked destination: `a***@e***` or `+*******1234`.
pub fn mask(medium: &str, dest: &str) -> String {
    if medium == "EMAIL" {
        let (local, domain) = dest.split_once('@').unwrap_or((dest, ""));
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}***@{}***", first(local), first(domain))
    } else {
        let tail: String = dest.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        format!("+*******{tail}")
    }
}

/// Where a code for `user` goes: (medium, attribute, destination).
pub fn destination(user: &User, attr: Option<&str>) -> Option<(&'static str, String, String)> {
    let pick =
        |a: &str| user.attr(a).map(|v| (if a == "email" { "EMAIL" } else { "SMS" }, a.to_string(), v.to_string()));
    match attr {
        Some(a) => pick(a),
        None => pick("email").or_else(|| pick("phone_number")),
    }
}

/// Records and logs a delivered code; returns `CodeDeliveryDetails`.
pub async fn deliver(
    s: &Shared,
    pool: &Pool,
    user: &User,
    purpose: &str,
    attr: Option<&str>,
    code: &str,
    custom: Option<Message>,
) -> Result<Option<Value>, AwsError> {
    let dest = destination(user, attr);
    let (medium, attr_name, to) = dest.clone().unwrap_or(("EMAIL", attr.unwrap_or("email").to_string(), String::new()));
    tracing::info!(pool = %pool.id, user = %user.username, purpose, to = %to, "cognito code {code}");
    let (message, subject) = custom.map(|m| m.for_medium(medium)).unwrap_or_default();
    let mut record = json!({
        "userPoolId": pool.id,
        "username": user.username,
        "purpose": purpose,
        "attribute": attr_name,
        "deliveryMedium": medium,
        "destination": to,
        "code": code,
        "message": message.unwrap_or_else(|| format!("Your verification code is {code}")),
        "timestamp": clock::now_epoch(),
    });
    if let Some(subject) = subject {
        record["subject"] = json!(subject);
    }
    let key = format!("{}{:020}{}", keys::CODES, clock::now_millis(), uuid::Uuid::new_v4().simple());
    s.store.put(key.into_bytes(), record.to_string().into_bytes()).await?;
    Ok(dest.map(|(m, a, d)| json!({"Destination": mask(m, &d), "DeliveryMedium": m, "AttributeName": a})))
}

/// Every recorded code, oldest first, optionally for one pool or user.
pub fn list(s: &Shared, pool: Option<&str>, user: Option<&str>) -> Vec<Value> {
    let Ok(rows) = s.store.scan_prefix(keys::CODES.as_bytes(), false, None) else { return Vec::new() };
    rows.into_iter()
        .filter_map(|(_, v)| serde_json::from_slice::<Value>(&v).ok())
        .filter(|r| pool.is_none_or(|p| r.get("userPoolId").and_then(Value::as_str) == Some(p)))
        .filter(|r| user.is_none_or(|u| r.get("username").and_then(Value::as_str) == Some(u)))
        .collect()
}
