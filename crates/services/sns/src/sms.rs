//! The SMS account settings SNS keeps (Get/SetSMSAttributes, stored per
//! account and region) and the opt-out checks, which find no opted-out
//! numbers in Stratus.

use crate::errors::invalid;
use crate::shared::Shared;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const NAMES: &[&str] = &[
    "MonthlySpendLimit",
    "DeliveryStatusIAMRole",
    "DeliveryStatusSuccessSamplingRate",
    "DefaultSenderID",
    "DefaultSMSType",
    "UsageReportS3Bucket",
];

fn key(ctx: &RequestContext) -> String {
    format!("sns/{}/{}/smsattrs", ctx.account_id, ctx.region)
}

fn load(s: &Shared, ctx: &RequestContext) -> Result<Map<String, Value>, AwsError> {
    Ok(s.store.get(key(ctx))?.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default())
}

pub async fn get_attributes(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let all = load(s, ctx)?;
    let wanted = input.str_list("attributes");
    let attrs: Map<String, Value> = all.into_iter().filter(|(k, _)| wanted.is_empty() || wanted.contains(k)).collect();
    Ok(json!({ "attributes": attrs }))
}

pub async fn set_attributes(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let given = crate::topics::string_map(input, "attributes");
    for (k, v) in &given {
        if !NAMES.contains(&k.as_str()) {
            return Err(invalid(k));
        }
        if k == "DefaultSMSType" && v != "Promotional" && v != "Transactional" {
            return Err(invalid("DefaultSMSType"));
        }
        if k == "DefaultSenderID" && (v.len() > 11 || !v.chars().any(|c| c.is_ascii_alphabetic())) {
            return Err(invalid("DefaultSenderID"));
        }
    }
    let mut all = load(s, ctx)?;
    for (k, v) in given {
        all.insert(k, Value::String(v));
    }
    s.store.put(key(ctx), Value::Object(all).to_string().into_bytes()).await?;
    Ok(json!({}))
}

pub fn check_opted_out(_ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let phone = input.req_str("phoneNumber")?;
    if !crate::arns::valid_phone(phone) {
        return Err(invalid("PhoneNumber"));
    }
    Ok(json!({ "isOptedOut": false }))
}
