//! CORS of HTTP APIs from the API's CorsConfiguration: preflight requests
//! (OPTIONS with `Origin` and `Access-Control-Request-Method`) are answered
//! by API Gateway itself, and other answers get the allow headers when the
//! origin is allowed.

use serde_json::Value;
use stratus_core::input::Input;
use stratus_core::{HttpRequest, HttpResponse};

fn allowed_origin(cors: &Value, origin: &str) -> Option<String> {
    let origins = cors.str_list("AllowOrigins");
    origins.iter().any(|o| o == "*" || o.eq_ignore_ascii_case(origin)).then(|| {
        if origins.iter().any(|o| o == "*") && cors.bool("AllowCredentials") != Some(true) {
            "*".to_string()
        } else {
            origin.to_string()
        }
    })
}

/// Whether `req` is a CORS preflight request.
pub fn is_preflight(req: &HttpRequest) -> bool {
    req.method == http::Method::OPTIONS
        && req.header("origin").is_some()
        && req.header("access-control-request-method").is_some()
}

/// The answer to a preflight request.
pub fn preflight(cors: &Value, req: &HttpRequest) -> HttpResponse {
    let mut resp = HttpResponse { status: 204, ..Default::default() };
    let Some(origin) = req.header("origin").and_then(|o| allowed_origin(cors, o)) else { return resp };
    resp.headers.push(("Access-Control-Allow-Origin".into(), origin));
    let join = |k: &str| cors.str_list(k).join(",");
    for (member, header) in
        [("AllowMethods", "Access-Control-Allow-Methods"), ("AllowHeaders", "Access-Control-Allow-Headers")]
    {
        if !cors.list(member).is_empty() {
            resp.headers.push((header.into(), join(member)));
        }
    }
    if let Some(age) = cors.i64("MaxAge") {
        resp.headers.push(("Access-Control-Max-Age".into(), age.to_string()));
    }
    if cors.bool("AllowCredentials") == Some(true) {
        resp.headers.push(("Access-Control-Allow-Credentials".into(), "true".into()));
    }
    resp
}

/// Adds the CORS headers an ordinary answer to `req` carries.
pub fn decorate(cors: &Value, req: &HttpRequest, resp: &mut HttpResponse) {
    let Some(origin) = req.header("origin").and_then(|o| allowed_origin(cors, o)) else { return };
    resp.headers.push(("Access-Control-Allow-Origin".into(), origin));
    if !cors.list("ExposeHeaders").is_empty() {
        resp.headers.push(("Access-Control-Expose-Headers".into(), cors.str_list("ExposeHeaders").join(",")));
    }
    if cors.bool("AllowCredentials") == Some(true) {
        resp.headers.push(("Access-Control-Allow-Credentials".into(), "true".into()));
    }
}
