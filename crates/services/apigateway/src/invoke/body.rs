//! The integration request body of non-proxy integrations: the request
//! template for the request's content type (JSON when it has none),
//! rendered; or, without one, the request body passed through as the
//! integration's `passthroughBehavior` allows (WHEN_NO_MATCH passes any
//! unmatched body, WHEN_NO_TEMPLATES only when no template is defined,
//! NEVER none: 415 Unsupported Media Type).

use crate::invoke::call::Call;
use crate::invoke::gateway_responses::{self, answer};
use crate::invoke::mapping::{self, Rendered};
use serde_json::Value;
use stratus_core::HttpResponse;
use stratus_core::input::Input;

/// The request template for the request's content type, if any.
pub fn template<'a>(call: &Call, integration: &'a Value) -> Option<&'a str> {
    let templates = integration.get("requestTemplates").and_then(Value::as_object)?;
    let ct = call.req.content_type();
    let ct = if ct.is_empty() { "application/json".to_string() } else { ct };
    templates.get(&ct).and_then(Value::as_str)
}

/// The body to send to the integration, with what its template set
/// through `$context.requestOverride`.
pub fn request(call: &Call, integration: &Value) -> Result<Rendered, HttpResponse> {
    if let Some(t) = template(call, integration) {
        let body = String::from_utf8_lossy(&call.req.body);
        return mapping::render(t, call, &body).map_err(|e| {
            tracing::warn!("API {}: {}", call.api.id(), e.0);
            gateway_responses::configuration_error(call.api)
        });
    }
    let has_templates = integration.get("requestTemplates").and_then(Value::as_object).is_some_and(|t| !t.is_empty());
    let passes = match integration.str("passthroughBehavior").unwrap_or("WHEN_NO_MATCH") {
        "NEVER" => false,
        "WHEN_NO_TEMPLATES" => !has_templates,
        _ => true,
    };
    if passes {
        Ok(Rendered { body: String::from_utf8_lossy(&call.req.body).into_owned(), overrides: Default::default() })
    } else {
        Err(answer(call.api, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type"))
    }
}
