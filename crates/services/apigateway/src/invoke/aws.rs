//! AWS integrations (non-proxy): Lambda custom integrations (`lambda:path/
//! .../functions/{arn}/invocations`: the mapped body as the event; a raised
//! error's `errorMessage` selects the integration response), and service
//! actions (`{service}:action/{Action}`: the mapped body as the action's
//! JSON input, called in process; the status of the outcome selects the
//! integration response). The integration response maps the answer.

use crate::invoke::body;
use crate::invoke::call::{Call, substitute};
use crate::invoke::gateway_responses;
use crate::invoke::lambda::{self, Outcome};
use crate::invoke::responses;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::HttpResponse;
use stratus_core::input::Input;

/// The service model name for a service of an integration URI.
fn model_name(service: &str) -> &str {
    match service {
        "states" => "stepfunctions",
        other => other,
    }
}

/// Maps `answer` (the integration's body) through the integration
/// response `key` selects.
fn mapped(call: &Call, integration: &Value, key: &str, answer: &str) -> HttpResponse {
    match responses::select(integration, key) {
        Some(chosen) => responses::respond(call, chosen, answer, &[]),
        None => gateway_responses::configuration_error(call.api),
    }
}

async fn lambda_custom(s: &Shared, call: &Call<'_>, integration: &Value, function: &str, event: &str) -> HttpResponse {
    let event: Value = serde_json::from_str(event).unwrap_or_else(|_| Value::String(event.to_string()));
    match lambda::invoke(s, function, &event).await {
        Outcome::Returned(payload) => mapped(call, integration, "", &String::from_utf8_lossy(&payload)),
        Outcome::Raised(payload) => {
            let error: Value = serde_json::from_slice(&payload).unwrap_or(Value::Null);
            let message = error.str("errorMessage").unwrap_or_default();
            mapped(call, integration, message, &String::from_utf8_lossy(&payload))
        }
        Outcome::Failed => gateway_responses::configuration_error(call.api),
    }
}

async fn action(
    s: &Shared,
    call: &Call<'_>,
    integration: &Value,
    (service, name): (&str, &str),
    body: &str,
) -> HttpResponse {
    let Some(peer) = s.settings.peers.get(model_name(service)) else {
        tracing::warn!("API {}: no service {service} for an AWS integration", call.api.id());
        return gateway_responses::configuration_error(call.api);
    };
    let Some(operation) = peer.operations().iter().find(|op| **op == name).copied() else {
        tracing::warn!("API {}: {service} has no action {name}", call.api.id());
        return gateway_responses::configuration_error(call.api);
    };
    let input: Value =
        if body.trim().is_empty() { json!({}) } else { serde_json::from_str(body).unwrap_or(Value::Null) };
    if !input.is_object() {
        return mapped(call, integration, "400", &json!({ "__type": "SerializationException" }).to_string());
    }
    match s.settings.peers.call(peer.name(), operation, &call.api.account, &call.api.region, input).await {
        Ok(out) => mapped(call, integration, "200", &out.to_string()),
        Err(e) => {
            let answer = json!({ "__type": e.code, "message": e.message }).to_string();
            mapped(call, integration, &e.status.to_string(), &answer)
        }
    }
}

/// Runs an AWS integration.
pub async fn invoke(s: &Shared, call: &Call<'_>, integration: &Value) -> HttpResponse {
    let body = match body::request(call, integration) {
        Ok(b) => b.body,
        Err(refused) => return refused,
    };
    let uri = substitute(integration.str("uri").unwrap_or_default(), &call.stage_variables);
    let target = stratus_core::arn::parse(&uri).map(|a| (a.account, a.resource));
    match target {
        Some(("lambda", _)) => match lambda::function_arn(&uri, &call.stage_variables) {
            Some(function) => lambda_custom(s, call, integration, &function, &body).await,
            None => gateway_responses::configuration_error(call.api),
        },
        Some((service, resource)) => match resource.strip_prefix("action/") {
            Some(name) => action(s, call, integration, (service, name), &body).await,
            None => {
                tracing::warn!("API {}: path-style AWS integrations ({uri}) are not served yet", call.api.id());
                gateway_responses::configuration_error(call.api)
            }
        },
        None => gateway_responses::configuration_error(call.api),
    }
}
