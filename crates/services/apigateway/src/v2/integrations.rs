//! Integration: Create, Get, GetAll, Update, Delete. HTTP APIs integrate
//! with Lambda (`AWS_PROXY`, payload format 1.0 or 2.0), with AWS services
//! (`AWS_PROXY` with an `IntegrationSubtype`, payload format 1.0) and
//! with HTTP endpoints (`HTTP_PROXY`, payload format 1.0); WebSocket APIs
//! also with `AWS`, `HTTP` and `MOCK` (payload format 1.0, at most 29
//! seconds).

use crate::errors::bad_request;
use crate::state::Shared;
use crate::v2::db;
use crate::v2::errors::no_integration;
use crate::v2::invoke::service::SUBTYPES;
use crate::v2::{fields, store};
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const UPDATABLE: &[&str] = &[
    "IntegrationType",
    "IntegrationUri",
    "IntegrationMethod",
    "PayloadFormatVersion",
    "ConnectionType",
    "ConnectionId",
    "CredentialsArn",
    "Description",
    "IntegrationSubtype",
    "RequestParameters",
    "ResponseParameters",
    "TimeoutInMillis",
    "PassthroughBehavior",
    "ContentHandlingStrategy",
    "RequestTemplates",
    "TemplateSelectionExpression",
];

fn check(integration: &Value, websocket: bool) -> Result<(), AwsError> {
    let kind = integration.str("IntegrationType").unwrap_or_default();
    let format = integration.str("PayloadFormatVersion").unwrap_or_default();
    if websocket {
        return check_websocket(integration, kind, format);
    }
    match kind {
        "AWS_PROXY" if !["1.0", "2.0"].contains(&format) => {
            Err(bad_request("Payload format version must be 1.0 or 2.0 for AWS_PROXY integrations"))
        }
        "HTTP_PROXY" if format != "1.0" => {
            Err(bad_request("Payload format version must be 1.0 for HTTP_PROXY integrations"))
        }
        "AWS_PROXY" if integration.str("IntegrationSubtype").is_some() => check_subtype(integration),
        "AWS_PROXY" | "HTTP_PROXY" if integration.str("IntegrationUri").is_none() => {
            Err(bad_request("IntegrationUri is required for this integration type"))
        }
        "AWS_PROXY" | "HTTP_PROXY" => check_timeout(integration, 30_000),
        "AWS" | "HTTP" | "MOCK" => Err(bad_request(format!("Integration type {kind} is not supported for HTTP APIs"))),
        other => Err(bad_request(format!("Invalid integration type {other}"))),
    }
}

/// An AWS service integration (`IntegrationSubtype`): payload format 1.0,
/// a subtype Stratus serves, and the parameters its action requires.
fn check_subtype(integration: &Value) -> Result<(), AwsError> {
    let subtype = integration.str("IntegrationSubtype").unwrap_or_default();
    if !SUBTYPES.iter().any(|(name, _, _)| *name == subtype) {
        return Err(bad_request(format!("Integration subtype {subtype} is not supported")));
    }
    if integration.str("PayloadFormatVersion") != Some("1.0") {
        return Err(bad_request("PayloadFormatVersion must be 1.0 for AWS service integrations"));
    }
    let params = integration.get("RequestParameters").and_then(Value::as_object);
    let required: &[&str] = match subtype {
        "SQS-SendMessage" => &["QueueUrl", "MessageBody"],
        "SQS-DeleteMessage" => &["QueueUrl", "ReceiptHandle"],
        "SQS-ReceiveMessage" | "SQS-PurgeQueue" => &["QueueUrl"],
        "StepFunctions-StopExecution" => &["ExecutionArn"],
        _ => &["StateMachineArn"],
    };
    match required.iter().find(|p| !params.is_some_and(|m| m.contains_key(**p))) {
        Some(missing) => Err(bad_request(format!("Missing required parameter {missing} for {subtype}"))),
        None => Ok(()),
    }
}

fn check_websocket(integration: &Value, kind: &str, format: &str) -> Result<(), AwsError> {
    if !["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"].contains(&kind) {
        return Err(bad_request(format!("Invalid integration type {kind}")));
    }
    if format != "1.0" {
        return Err(bad_request("Payload format version must be 1.0 for WEBSOCKET APIs"));
    }
    if kind != "MOCK" && integration.str("IntegrationUri").is_none() {
        return Err(bad_request("IntegrationUri is required for this integration type"));
    }
    check_timeout(integration, 29_000)
}

fn check_timeout(integration: &Value, most: i64) -> Result<(), AwsError> {
    let timeout = integration.i64("TimeoutInMillis").unwrap_or(most);
    if !(50..=most).contains(&timeout) {
        return Err(bad_request(format!("Timeout must be between 50 milliseconds and {} seconds.", most / 1000)));
    }
    Ok(())
}

/// A new integration from CreateIntegration's input, for a WebSocket API
/// when `websocket`.
pub fn new_integration(input: &Value, managed: bool, websocket: bool) -> Result<Value, AwsError> {
    let kind = input.req_str("IntegrationType")?;
    let (method, format) = match kind {
        "HTTP_PROXY" if !websocket => ("ANY", "1.0"),
        _ if websocket || input.str("IntegrationSubtype").is_some() => ("POST", "1.0"),
        _ => ("POST", "2.0"),
    };
    let mut integration = json!({
        "IntegrationId": db::new_id(7),
        "IntegrationType": kind,
        "IntegrationMethod": method,
        "PayloadFormatVersion": format,
        "ConnectionType": "INTERNET",
        "TimeoutInMillis": if websocket { 29_000 } else { 30_000 },
    });
    if websocket {
        integration["PassthroughBehavior"] = "WHEN_NO_MATCH".into();
    }
    fields::copy(&mut integration, input, UPDATABLE);
    if managed {
        integration["ApiGatewayManaged"] = true.into();
    }
    check(&integration, websocket)?;
    Ok(integration)
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let integration = new_integration(&owned, false, api.is_websocket())?;
        let id = integration["IntegrationId"].as_str().unwrap_or_default().to_string();
        api.config.integrations.insert(id, integration.clone());
        Ok(integration)
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("IntegrationId")?;
    let api = store::api(s, ctx, input.req_str("ApiId")?)?;
    api.config.integrations.get(id).cloned().ok_or_else(|| no_integration(id))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = store::api(s, ctx, input.req_str("ApiId")?)?;
    Ok(fields::page(api.config.integrations.values().cloned().collect(), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let id = owned.req_str("IntegrationId")?;
        let mut integration = api.config.integrations.get(id).cloned().ok_or_else(|| no_integration(id))?;
        fields::copy(&mut integration, &owned, UPDATABLE);
        check(&integration, api.is_websocket())?;
        api.config.integrations.insert(id.to_string(), integration.clone());
        Ok(integration)
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let id = owned.req_str("IntegrationId")?;
        api.config.integrations.remove(id).ok_or_else(|| no_integration(id))?;
        api.config.integration_responses.remove(id);
        Ok(json!({}))
    })
    .await
}
