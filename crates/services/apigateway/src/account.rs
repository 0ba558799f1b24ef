//! The account's API Gateway settings (GetAccount, UpdateAccount): the
//! CloudWatch role for logging, and the account-level throttle every
//! stage's requests draw from (AWS's: 10,000 requests per second, bursts
//! of 5,000; UpdateAccount cannot change it).
//!
//! Store: `apigw/{account}/{region}/account` → Account shape.

use crate::db;
use crate::patch::{self, ALL, Kind, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::{AwsError, RequestContext};

const RULES: Rules = Rules {
    rules: &[Rule { path: "/cloudwatchRoleArn", ops: ALL, kind: Kind::Member(Scalar::Str) }],
    style: Style::Plain,
};

/// The account-level throttle: steady rate per second and burst.
pub const RATE_LIMIT: f64 = 10_000.0;
pub const BURST_LIMIT: u64 = 5_000;

fn key(account: &str, region: &str) -> String {
    format!("apigw/{account}/{region}/account")
}

/// The account's settings, AWS's defaults until updated.
fn settings(s: &Shared, account: &str, region: &str) -> Result<Value, AwsError> {
    match s.store.get(key(account, region))? {
        Some(raw) => db::decode(&raw),
        None => Ok(json!({
            "throttleSettings": { "burstLimit": BURST_LIMIT, "rateLimit": RATE_LIMIT },
            "features": ["UsagePlans"],
            "apiKeyVersion": "4",
        })),
    }
}

pub fn get(s: &Shared, ctx: &RequestContext) -> Result<Value, AwsError> {
    settings(s, &ctx.account_id, &ctx.region)
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut account = settings(s, &ctx.account_id, &ctx.region)?;
    RULES.apply(&mut account, &patch::ops(input))?;
    s.store.put(key(&ctx.account_id, &ctx.region), db::encode(&account)).await?;
    Ok(account)
}
