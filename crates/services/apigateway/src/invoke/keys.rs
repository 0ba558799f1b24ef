//! API keys on the data plane: a method with `apiKeyRequired` takes only
//! requests whose key (the `x-api-key` header, or the authorizer's
//! `usageIdentifierKey` when the API's key source is AUTHORIZER) is an
//! enabled key of a usage plan covering the API's stage; the plan's
//! throttle (per method when its API stage sets one) and quota then apply
//! to the key.

use crate::apikeys;
use crate::db::Api;
use crate::invoke::call::Call;
use crate::invoke::gateway_responses::answer;
use crate::state::Shared;
use crate::usageplans::{self, Plan};
use serde_json::Value;
use stratus_core::HttpResponse;
use stratus_core::input::Input;

fn forbidden(api: &Api) -> HttpResponse {
    answer(api, "INVALID_API_KEY", "Forbidden")
}

/// The throttle of `plan` for `method_key` (`{resourcePath}/{VERB}`) on `stage`.
fn throttle<'a>(plan: &'a Plan, api_id: &str, stage: &str, method_key: &str) -> Option<&'a Value> {
    let api_stage =
        plan.info.list("apiStages").iter().find(|st| st.str("apiId") == Some(api_id) && st.str("stage") == Some(stage));
    api_stage.and_then(|st| st.get("throttle")).and_then(|t| t.get(method_key)).or_else(|| plan.info.get("throttle"))
}

/// Lets the request through, or answers for API Gateway.
pub fn check(s: &Shared, call: &Call) -> Result<(), HttpResponse> {
    if call.method.bool("apiKeyRequired") != Some(true) {
        return Ok(());
    }
    let value = match call.api.info.str("apiKeySource") {
        Some("AUTHORIZER") => call.usage_key.as_deref(),
        _ => call.req.header("x-api-key"),
    };
    let value = value.ok_or_else(|| forbidden(call.api))?;
    let (account, region, key) = apikeys::by_value(s, value).ok_or_else(|| forbidden(call.api))?;
    if account != call.api.account || region != call.api.region || key.bool("enabled") != Some(true) {
        return Err(forbidden(call.api));
    }
    let key_id = key.str("id").unwrap_or_default();
    let (api_id, stage) = (call.api.id(), call.address.stage.as_str());
    let plans = usageplans::all(s, &account, &region).map_err(|_| forbidden(call.api))?;
    let covers = |p: &&Plan| {
        p.keys.iter().any(|k| k == key_id)
            && p.info
                .list("apiStages")
                .iter()
                .any(|st| st.str("apiId") == Some(api_id) && st.str("stage") == Some(stage))
    };
    let plan = plans.iter().find(covers).ok_or_else(|| forbidden(call.api))?;
    let plan_id = plan.info.str("id").unwrap_or_default();
    let method_key = format!("{}/{}", call.resource_path, call.method.str("httpMethod").unwrap_or_default());
    if let Some(t) = throttle(plan, api_id, stage, &method_key) {
        let (rate, burst) =
            (t.get("rateLimit").and_then(Value::as_f64).unwrap_or(0.0), t.i64("burstLimit").unwrap_or(0));
        if !s.meter.take(&format!("{plan_id}/{key_id}/{method_key}"), rate, burst as f64) {
            return Err(answer(call.api, "THROTTLED", "Too Many Requests"));
        }
    }
    s.meter.count(plan_id, key_id, plan.quota()).map_err(|_| answer(call.api, "QUOTA_EXCEEDED", "Limit Exceeded"))
}
