//! The SMS account settings SNS keeps (Get/SetSMSAttributes, stored per
//! account and region) and the opt-out list: a number is opted out when its
//! owner answers STOP (or another of AWS's opt-out keywords) to a message,
//! which Stratus takes at `POST /_stratus/sns/sms/replies`; messages to it
//! are then recorded as not delivered until OptInPhoneNumber.

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

/// The replies that opt a number out, as AWS recognises them.
const OPT_OUT_KEYWORDS: &[&str] =
    &["ARRET", "CANCEL", "END", "OPT-OUT", "OPTOUT", "QUIT", "REMOVE", "STOP", "TD", "UNSUBSCRIBE"];

/// Opted-out numbers listed per page.
const PAGE: usize = 100;

fn optout_prefix(account: &str, region: &str) -> String {
    format!("sns/{account}/{region}/optout/")
}

fn phone_arg(input: &Value) -> Result<&str, AwsError> {
    let phone = input.req_str("phoneNumber")?;
    if !crate::arns::valid_phone(phone) {
        return Err(invalid("PhoneNumber"));
    }
    Ok(phone)
}

/// Whether `phone` has opted out of the account's messages.
pub fn is_opted_out(s: &Shared, account: &str, region: &str, phone: &str) -> bool {
    s.store.get(format!("{}{phone}", optout_prefix(account, region))).ok().flatten().is_some()
}

pub fn check_opted_out(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let phone = phone_arg(input)?;
    Ok(json!({ "isOptedOut": is_opted_out(s, &ctx.account_id, &ctx.region, phone) }))
}

/// ListPhoneNumbersOptedOut: a page of numbers; `nextToken` is the last one listed.
pub fn list_opted_out(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let prefix = optout_prefix(&ctx.account_id, &ctx.region);
    let after = input.str("nextToken").unwrap_or("");
    let numbers: Vec<String> = s
        .store
        .scan_prefix(&prefix, false, None)?
        .into_iter()
        .filter_map(|(k, _)| String::from_utf8(k).ok()?.strip_prefix(&prefix).map(str::to_string))
        .filter(|n| n.as_str() > after)
        .collect();
    let page: Vec<&String> = numbers.iter().take(PAGE).collect();
    let mut out = json!({ "phoneNumbers": page });
    if numbers.len() > PAGE
        && let Some(last) = page.last()
    {
        out["nextToken"] = Value::from(last.as_str());
    }
    Ok(out)
}

pub async fn opt_in(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let phone = phone_arg(input)?;
    s.store.delete(format!("{}{phone}", optout_prefix(&ctx.account_id, &ctx.region))).await?;
    Ok(json!({}))
}

/// A reply from `phone` to the account's messages: an opt-out keyword
/// opts the number out. Returns whether it did.
pub async fn reply(s: &Shared, account: &str, region: &str, phone: &str, text: &str) -> Result<bool, AwsError> {
    let word = text.trim().to_ascii_uppercase();
    if !crate::arns::valid_phone(phone) || !OPT_OUT_KEYWORDS.contains(&word.as_str()) {
        return Ok(false);
    }
    let at = stratus_core::clock::iso8601(stratus_core::clock::now_epoch());
    s.store.put(format!("{}{phone}", optout_prefix(account, region)), at.into_bytes()).await?;
    Ok(true)
}
