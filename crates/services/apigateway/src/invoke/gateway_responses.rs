//! The answers API Gateway gives itself (not the integration): AWS's
//! default gateway responses, with their status, `{"message": ...}` body
//! and `x-amzn-ErrorType` header.

use serde_json::json;
use stratus_core::HttpResponse;

/// A default gateway response.
pub fn answer(status: u16, message: &str, error_type: Option<&str>) -> HttpResponse {
    let resp = HttpResponse::new(status, "application/json", json!({ "message": message }).to_string());
    match error_type {
        Some(t) => resp.header("x-amzn-ErrorType", t),
        None => resp,
    }
}

/// MISSING_AUTHENTICATION_TOKEN: no resource or method matches (403).
pub fn missing_token() -> HttpResponse {
    answer(403, "Missing Authentication Token", Some("MissingAuthenticationTokenException"))
}

/// An API id no deployed API has.
pub fn unknown_api(id: &str) -> HttpResponse {
    answer(404, &format!("The API id '{id}' does not correspond to a deployed API Gateway API"), None)
}

/// A stage the API does not have (AWS answers 403 Forbidden).
pub fn unknown_stage() -> HttpResponse {
    answer(403, "Forbidden", Some("ForbiddenException"))
}

/// INTEGRATION_FAILURE and configuration errors: 502 or 500.
pub fn internal_error(status: u16) -> HttpResponse {
    answer(status, "Internal server error", None)
}
