//! Integration responses of non-proxy integrations: choosing one by its
//! `selectionPattern` (a regular expression that must match the whole
//! status code or error message; the response without one is the
//! default), and building the method response from it: status, headers
//! from `responseParameters`, body from `responseTemplates` (whose
//! `$context.responseOverride` may change status and headers).

use crate::invoke::call::Call;
use crate::invoke::gateway_responses;
use crate::invoke::mapping;
use crate::invoke::patterns;
use serde_json::Value;
use stratus_core::HttpResponse;
use stratus_core::input::Input;

/// The integration response `key` selects.
pub fn select<'a>(integration: &'a Value, key: &str) -> Option<&'a Value> {
    let responses = integration.get("integrationResponses").and_then(Value::as_object)?;
    let mut default = None;
    for r in responses.values() {
        match r.str("selectionPattern").filter(|p| !p.is_empty()) {
            Some(p) => {
                if patterns::full_match(p, key) {
                    return Some(r);
                }
            }
            None => default = default.or(Some(r)),
        }
    }
    default
}

/// The value a `responseParameters` source gives: a quoted literal, or an
/// integration response header.
fn parameter(source: &str, headers: &[(String, String)]) -> Option<String> {
    if let Some(literal) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(literal.to_string());
    }
    let name = source.strip_prefix("integration.response.header.")?;
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

/// The method response for integration response `chosen`, given what the
/// integration answered (`body`, `headers`).
pub fn respond(call: &Call, chosen: &Value, body: &str, headers: &[(String, String)]) -> HttpResponse {
    let mut status = chosen.str("statusCode").and_then(|c| c.parse().ok()).unwrap_or(200);
    let templates = chosen.get("responseTemplates").and_then(Value::as_object);
    let template = templates.and_then(|t| t.get("application/json").or_else(|| t.values().next()).map(|v| (t, v)));
    let mut overridden = Vec::new();
    let (content_type, out) = match template {
        Some((all, t)) => {
            let ct = all.iter().find(|(_, v)| *v == t).map(|(k, _)| k.clone()).unwrap_or_default();
            match mapping::render(t.as_str().unwrap_or_default(), call, body) {
                Ok(rendered) => {
                    status = rendered.overrides.status.unwrap_or(status);
                    overridden.extend(rendered.overrides.response_headers);
                    (ct, rendered.body)
                }
                Err(e) => {
                    tracing::warn!("API {}: {}", call.api.id(), e.0);
                    return gateway_responses::configuration_error(call.api);
                }
            }
        }
        None => ("application/json".to_string(), body.to_string()),
    };
    let mut resp = HttpResponse::new(status, &content_type, out);
    let mapped = chosen.get("responseParameters").and_then(Value::as_object).into_iter().flatten().filter_map(
        |(target, source)| {
            let name = target.strip_prefix("method.response.header.")?;
            Some((name.to_string(), source.as_str().and_then(|s| parameter(s, headers))?))
        },
    );
    for (name, value) in mapped.collect::<Vec<_>>().into_iter().chain(overridden) {
        resp.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
        resp.headers.push((name, value));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selection_pattern_then_default() {
        let i = json!({"integrationResponses": {
            "200": {"statusCode": "200"},
            "400": {"statusCode": "400", "selectionPattern": "4\\d{2}"},
            "500": {"statusCode": "500", "selectionPattern": "5.*"},
        }});
        assert_eq!(select(&i, "404").and_then(|r| r.str("statusCode")), Some("400"));
        assert_eq!(select(&i, "503").and_then(|r| r.str("statusCode")), Some("500"));
        assert_eq!(select(&i, "201").and_then(|r| r.str("statusCode")), Some("200"));
        assert_eq!(select(&i, "4000").and_then(|r| r.str("statusCode")), Some("200"));
        assert!(select(&json!({}), "200").is_none());
    }
}
