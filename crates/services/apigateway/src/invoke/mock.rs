//! MOCK integrations: the request template chosen by the request's content
//! type yields `{"statusCode": N}`, which selects the integration response
//! that shapes the answer; no integration is called.

use crate::invoke::body;
use crate::invoke::call::Call;
use crate::invoke::gateway_responses;
use crate::invoke::mapping;
use crate::invoke::responses;
use serde_json::Value;
use stratus_core::HttpResponse;

pub fn invoke(call: &Call, integration: &Value) -> HttpResponse {
    let status = match body::template(call, integration) {
        Some(t) => {
            let body = String::from_utf8_lossy(&call.req.body);
            let Ok(rendered) = mapping::render(t, call, &body).map(|r| r.body) else {
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
