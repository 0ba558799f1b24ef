//! AWS service integrations of HTTP APIs (`AWS_PROXY` with an
//! `IntegrationSubtype`, e.g. `SQS-SendMessage`,
//! `StepFunctions-StartExecution`): the integration's `RequestParameters`
//! (static text or `$request.*`, `$context.*`, `$stageVariables.*`
//! mappings, see `http_proxy::source_value`) become the action's input,
//! sent to the service in its JSON wire format in process; its answer
//! (status and body) is passed back.

use crate::v2::invoke::Request;
use crate::v2::invoke::answer::internal_error;
use crate::v2::invoke::http_proxy::source_value;
use serde_json::{Map, Value};
use stratus_core::input::Input;
use stratus_core::settings::WireRequest;
use stratus_core::{HttpRequest, HttpResponse};

/// Every subtype served: (subtype, service, X-Amz-Target).
pub const SUBTYPES: &[(&str, &str, &str)] = &[
    ("SQS-SendMessage", "sqs", "AmazonSQS.SendMessage"),
    ("SQS-ReceiveMessage", "sqs", "AmazonSQS.ReceiveMessage"),
    ("SQS-DeleteMessage", "sqs", "AmazonSQS.DeleteMessage"),
    ("SQS-PurgeQueue", "sqs", "AmazonSQS.PurgeQueue"),
    ("StepFunctions-StartExecution", "states", "AWSStepFunctions.StartExecution"),
    ("StepFunctions-StartSyncExecution", "states", "AWSStepFunctions.StartSyncExecution"),
    ("StepFunctions-StopExecution", "states", "AWSStepFunctions.StopExecution"),
];

/// Parameters AWS takes as numbers and lists; every other one is text.
const NUMBERS: &[&str] = &["DelaySeconds", "MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds"];
const LISTS: &[&str] = &["AttributeNames", "MessageAttributeNames"];

/// One parameter's value as the action's JSON input wants it.
fn typed(name: &str, text: String) -> Value {
    if NUMBERS.contains(&name)
        && let Ok(n) = text.trim().parse::<i64>()
    {
        return n.into();
    }
    if LISTS.contains(&name) || name == "MessageAttributes" {
        if let Ok(v @ (Value::Array(_) | Value::Object(_))) = serde_json::from_str::<Value>(&text) {
            return v;
        }
        if LISTS.contains(&name) {
            return text.split(',').map(|s| Value::from(s.trim())).collect();
        }
    }
    text.into()
}

/// The action's member a parameter names: Step Functions' members are
/// camel case (`StateMachineArn` is `stateMachineArn`).
fn member_name(service: &str, parameter: &str) -> String {
    let mut chars = parameter.chars();
    match chars.next() {
        Some(first) if service == "states" => first.to_ascii_lowercase().to_string() + chars.as_str(),
        _ => parameter.to_string(),
    }
}

/// Runs a service integration.
pub async fn invoke(s: &crate::state::Shared, r: &Request<'_>, integration: &Value) -> HttpResponse {
    let subtype = integration.str("IntegrationSubtype").unwrap_or_default();
    let Some((_, service, target)) = SUBTYPES.iter().find(|(name, _, _)| *name == subtype) else {
        tracing::warn!("HTTP API {}: integration subtype {subtype} is not served", r.api.id());
        return internal_error();
    };
    let mut input = Map::new();
    for (name, source) in integration.get("RequestParameters").and_then(Value::as_object).into_iter().flatten() {
        if name == "Region" {
            continue;
        }
        let value = typed(name, source_value(r, source.as_str().unwrap_or_default()));
        input.insert(member_name(service, name), value);
    }
    let mut headers = http::HeaderMap::new();
    headers.insert("x-amz-target", http::HeaderValue::from_static(target));
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/x-amz-json-1.0"));
    let request = HttpRequest {
        method: http::Method::POST,
        path: "/".into(),
        query: String::new(),
        headers,
        body: Value::Object(input).to_string().into(),
    };
    let wire = WireRequest {
        service: service.to_string(),
        action: None,
        request,
        account_id: r.api.account.clone(),
        region: r.api.region.clone(),
    };
    let resp = s.settings.wire.call(wire).await;
    let content_type = resp
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "application/json".into());
    HttpResponse::new(resp.status, &content_type, resp.body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameters_get_the_types_the_action_wants() {
        assert_eq!(typed("DelaySeconds", "5".into()), json!(5));
        assert_eq!(typed("DelaySeconds", "soon".into()), json!("soon"));
        assert_eq!(typed("AttributeNames", "All, SentTimestamp".into()), json!(["All", "SentTimestamp"]));
        assert_eq!(typed("AttributeNames", r#"["All"]"#.into()), json!(["All"]));
        assert_eq!(
            typed("MessageAttributes", r#"{"a":{"DataType":"String","StringValue":"x"}}"#.into()),
            json!({"a": {"DataType": "String", "StringValue": "x"}})
        );
        assert_eq!(typed("MessageBody", "42".into()), json!("42"));
    }
}
