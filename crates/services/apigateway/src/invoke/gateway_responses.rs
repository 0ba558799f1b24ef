//! The answers API Gateway gives itself (not the integration), shaped by
//! the API's gateway responses (`gatewayresponses`): status code, headers
//! from literal `responseParameters`, and body from the response template
//! (with `$context.error`; AWS's default template yields
//! `{"message": ...}`), with the `x-amzn-ErrorType` of the response type.

use crate::db::Api;
use crate::gatewayresponses::{self, DEFAULT_TEMPLATE, TYPES};
use crate::invoke::mapping;
use serde_json::{Value, json};
use stratus_core::HttpResponse;
use stratus_core::input::Input;

/// The gateway response of type `kind` carrying `message` (`null` when
/// None); `status` stands in for types without a status code of their own.
pub fn typed(api: &Api, kind: &str, status: u16, message: Option<&str>) -> HttpResponse {
    let shape = gatewayresponses::effective(api, kind);
    let status = shape.str("statusCode").and_then(|s| s.parse().ok()).unwrap_or(status);
    let default_body = json!({ "message": message }).to_string();
    let template = shape.get("responseTemplates").and_then(|t| t.get("application/json")).and_then(Value::as_str);
    let body = match template {
        None => default_body,
        Some(t) if t == DEFAULT_TEMPLATE => default_body,
        Some(t) => {
            let error =
                json!({ "message": message, "messageString": json!(message).to_string(), "responseType": kind });
            let input =
                stratus_vtl::Input { context: json!({ "apiId": api.id(), "error": error }), ..Default::default() };
            mapping::render_with(t, &input).map(|r| r.body).unwrap_or(default_body)
        }
    };
    let mut resp = HttpResponse::new(status, "application/json", body);
    if let Some((_, _, Some(error_type))) = TYPES.iter().find(|(t, _, _)| *t == kind) {
        resp.headers.push(("x-amzn-ErrorType".into(), error_type.to_string()));
    }
    for (target, source) in shape.get("responseParameters").and_then(Value::as_object).into_iter().flatten() {
        let literal = source.as_str().and_then(|s| s.strip_prefix('\'')).and_then(|s| s.strip_suffix('\''));
        if let (Some(name), Some(value)) = (target.strip_prefix("gatewayresponse.header."), literal) {
            resp.headers.push((name.to_string(), value.to_string()));
        }
    }
    resp
}

/// A gateway response of a type with its own status code.
pub fn answer(api: &Api, kind: &str, message: &str) -> HttpResponse {
    typed(api, kind, 500, Some(message))
}

/// MISSING_AUTHENTICATION_TOKEN: no resource or method matches.
pub fn missing_token(api: &Api) -> HttpResponse {
    answer(api, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token")
}

/// API_CONFIGURATION_ERROR: the API cannot serve the request as configured.
pub fn configuration_error(api: &Api) -> HttpResponse {
    answer(api, "API_CONFIGURATION_ERROR", "Internal server error")
}

/// DEFAULT_5XX with 502: the integration's answer breaks its contract.
pub fn bad_gateway(api: &Api) -> HttpResponse {
    typed(api, "DEFAULT_5XX", 502, Some("Internal server error"))
}

/// An API id no deployed API has (no gateway responses to apply).
pub fn unknown_api(id: &str) -> HttpResponse {
    HttpResponse::new(
        404,
        "application/json",
        json!({ "message": format!("The API id '{id}' does not correspond to a deployed API Gateway API") })
            .to_string(),
    )
}

/// A stage the API does not have (AWS answers 403 Forbidden).
pub fn unknown_stage() -> HttpResponse {
    HttpResponse::new(403, "application/json", r#"{"message":"Forbidden"}"#)
        .header("x-amzn-ErrorType", "ForbiddenException")
}

/// A failure before any API is known (store errors, unaddressed requests).
pub fn internal_error() -> HttpResponse {
    HttpResponse::new(500, "application/json", r#"{"message":"Internal server error"}"#)
}
