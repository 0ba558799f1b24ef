//! Account, stage and method throttling: the account's throttle settings
//! give one token bucket for all its APIs; a stage's `methodSettings` for the
//! matched method (`{resourcePath}/{VERB}`, else `*/*`) give a token
//! bucket (throttlingRateLimit per second, throttlingBurstLimit capacity)
//! that every request of that method on the stage draws from.

use crate::account;
use crate::invoke::call::Call;
use crate::invoke::gateway_responses::answer;
use crate::state::Shared;
use serde_json::Value;
use stratus_core::HttpResponse;
use stratus_core::input::Input;

/// The method settings key of `call`'s method, without the leading `/`.
fn method_key(call: &Call) -> String {
    let verb = call.method.str("httpMethod").unwrap_or_default();
    format!("{}/{verb}", call.resource_path.trim_start_matches('/'))
}

/// Lets the request through, or answers 429 when the stage's bucket for
/// its method is empty.
pub fn check(s: &Shared, call: &Call, stage: &Value) -> Result<(), HttpResponse> {
    let account_bucket = format!("account/{}/{}", call.api.account, call.api.region);
    if !s.meter.take(&account_bucket, account::RATE_LIMIT, account::BURST_LIMIT as f64) {
        return Err(answer(call.api, "THROTTLED", "Too Many Requests"));
    }
    let Some(settings) = stage.get("methodSettings").and_then(Value::as_object) else { return Ok(()) };
    let key = method_key(call);
    let (scope, setting) = match settings.get(&key) {
        Some(s) => (key, s),
        None => match settings.get("*/*") {
            Some(s) => ("*/*".to_string(), s),
            None => return Ok(()),
        },
    };
    let rate = setting.get("throttlingRateLimit").and_then(Value::as_f64).unwrap_or(10_000.0);
    let burst = setting.i64("throttlingBurstLimit").unwrap_or(5_000) as f64;
    let bucket = format!("stage/{}/{}/{scope}", call.api.id(), call.address.stage);
    if s.meter.take(&bucket, rate, burst) { Ok(()) } else { Err(answer(call.api, "THROTTLED", "Too Many Requests")) }
}
