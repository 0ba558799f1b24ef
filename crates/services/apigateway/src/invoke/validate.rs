//! Request validation: a method with a request validator that checks
//! parameters refuses requests lacking a required `method.request.*`
//! parameter with 400 "Missing required request parameters: [...]".

use crate::invoke::call::Call;
use crate::invoke::gateway_responses::answer;
use crate::validators;
use serde_json::Value;
use std::collections::BTreeMap;
use stratus_core::HttpResponse;
use stratus_core::input::Input;

/// Whether `call` carries parameter `name` at `location`.
fn present(call: &Call, location: &str, name: &str) -> bool {
    match location {
        "querystring" => call.req.query_pairs().iter().any(|(k, _)| k == name),
        "header" => call.req.headers.contains_key(name),
        "path" => call.params.contains_key(name),
        _ => true,
    }
}

/// Lets the request through, or answers 400 for the missing parameters.
pub fn check(call: &Call, validators: &BTreeMap<String, Value>) -> Result<(), HttpResponse> {
    let Some(v) = call.method.str("requestValidatorId").and_then(|id| validators.get(id)) else { return Ok(()) };
    if v.bool("validateRequestParameters") != Some(true) {
        return Ok(());
    }
    let missing = validators::missing_parameters(call.method, |location, name| present(call, location, name));
    if missing.is_empty() {
        return Ok(());
    }
    let message = format!("Missing required request parameters: [{}]", missing.join(", "));
    Err(answer(call.api, "BAD_REQUEST_PARAMETERS", &message))
}
