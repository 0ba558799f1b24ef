//! MOCK integrations: the request template chosen by the request's content
//! type yields `{"statusCode": N}`, which selects the integration response
//! that shapes the answer; no integration is called.

use crate::invoke::call::Call;
use crate::invoke::gateway_responses;
use crate::invoke::mapping;
use crate::invoke::responses;
use serde_json::Value;
use stratus_core::HttpResponse;

/// The request template for the request's content type (JSON when it has
/// none); None when the integration has no templates.
pub fn request_template<'a>(call: &Call, integration: &'a Value) -> Option<&'a str> {
    let templates = integration.get("requestTemplates").and_then(Value::as_object)?;
    let ct = call.req.content_type();
    let ct = if ct.is_empty() { "application/json".to_string() } else { ct };
    templates.get(&ct).or_else(|| templates.get("application/json")).and_then(Value::as_str)
}

pub fn invoke(call: &Call, integration: &Value) -> HttpResponse {
    let status = match request_template(call, integration) {
        Some(t) => {
            let Ok(rendered) = mapping::render(t, call) else {
                return gateway_responses::configuration_error(call.api);
            };
            let parsed: Value = serde_json::from_str(&rendered).unwrap_or(Value::Null);
            match parsed.get("statusCode").and_then(Value::as_u64) {
                Some(code) => code,
                None => return gateway_responses::configuration_error(call.api),
            }
        }
        None => 200,
    };
    match responses::select(integration, &status.to_string()) {
        Some(chosen) => responses::respond(call, chosen, "", &[]),
        None => gateway_responses::configuration_error(call.api),
    }
}
