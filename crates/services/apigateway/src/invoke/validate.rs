//! Request validation: a method's request validator refuses requests
//! lacking a required `method.request.*` parameter (400 "Missing required
//! request parameters: [...]") and, when it checks bodies, requests whose
//! body does not satisfy the method's request model for its content type
//! (400 "Invalid request body").

use crate::invoke::call::Call;
use crate::invoke::gateway_responses::answer;
use crate::schema::Validator;
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
    if v.bool("validateRequestParameters") == Some(true) {
        let missing = validators::missing_parameters(call.method, |location, name| present(call, location, name));
        if !missing.is_empty() {
            let message = format!("Missing required request parameters: [{}]", missing.join(", "));
            return Err(answer(call.api, "BAD_REQUEST_PARAMETERS", &message));
        }
    }
    if v.bool("validateRequestBody") == Some(true) && !body_valid(call) {
        return Err(answer(call.api, "BAD_REQUEST_BODY", "Invalid request body"));
    }
    Ok(())
}

/// Whether the body satisfies the request model for its content type
/// (JSON when none is given); true when the method has no such model.
fn body_valid(call: &Call) -> bool {
    let ct = call.req.content_type();
    let ct = if ct.is_empty() { "application/json".to_string() } else { ct };
    let Some(model) = call.method.get("requestModels").and_then(|m| m.get(&ct)).and_then(Value::as_str) else {
        return true;
    };
    let Some(schema) =
        call.api.models.get(model).and_then(|m| m.str("schema")).and_then(|s| serde_json::from_str::<Value>(s).ok())
    else {
        return true;
    };
    let Ok(body) = serde_json::from_slice::<Value>(&call.req.body) else { return false };
    Validator { models: &call.api.models }.valid(&schema, &body)
}
