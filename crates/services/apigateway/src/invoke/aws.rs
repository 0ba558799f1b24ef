//! AWS integrations (non-proxy): Lambda custom integrations (`lambda:path/
//! .../functions/{arn}/invocations`: the mapped body as the event; a raised
//! error's `errorMessage` selects the integration response), and service
//! integrations, `{service}:action/{Action}` or `{service}:path/{path}`:
//! the request AWS would send the service's endpoint (the integration's
//! method, mapped parameters and body), served in process in the
//! service's own wire format (`Settings::wire`), its status code
//! selecting the integration response. The integration response maps the
//! answer.

use crate::invoke::body;
use crate::invoke::call::{Call, substitute};
use crate::invoke::gateway_responses;
use crate::invoke::http::with_path_params;
use crate::invoke::lambda::{self, Outcome};
use crate::invoke::mapping::Rendered;
use crate::invoke::params;
use crate::invoke::responses;
use crate::state::Shared;
use serde_json::Value;
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::settings::WireRequest;
use stratus_core::{HttpRequest, HttpResponse};

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

/// Where a service integration sends its request: an action
/// (`{service}:action/{Action}`) or a path (`{service}:path/{path}`).
pub enum Target<'a> {
    Action(&'a str),
    Path(&'a str),
}

impl<'a> Target<'a> {
    /// The service and target of an integration URI's resource
    /// (`arn:aws:apigateway:{region}:{service}:action/...` or `:path/...`).
    pub fn of(service: &'a str, resource: &'a str) -> Option<(&'a str, Target<'a>)> {
        match (resource.strip_prefix("action/"), resource.strip_prefix("path/")) {
            (Some(action), _) => Some((service, Target::Action(action))),
            (_, Some(path)) => Some((service, Target::Path(path))),
            _ => None,
        }
    }

    /// The action named in the URI, if any.
    pub fn action(&self) -> Option<String> {
        match self {
            Target::Action(a) => Some(a.to_string()),
            Target::Path(_) => None,
        }
    }
}

/// The request a service integration sends the service's endpoint: the
/// integration's method, the path (parameters substituted), the mapped
/// query strings and headers, and the mapped body (its content type the
/// mapped one, else the client's).
fn service_request(call: &Call, integration: &Value, target: &Target, body: Rendered) -> Option<HttpRequest> {
    let mapped = params::integration_request(call, integration);
    let pick = |location: &str| -> Vec<(String, String)> {
        mapped.iter().filter(|((l, _), _)| l == location).map(|((_, n), v)| (n.clone(), v.clone())).collect()
    };
    let mut path_params: BTreeMap<String, String> = call.params.clone();
    path_params.extend(pick("path"));
    path_params.extend(body.overrides.request_path);
    let path = match target {
        Target::Action(_) => "/".to_string(),
        Target::Path(p) => format!("/{}", with_path_params(p.to_string(), &path_params).trim_start_matches('/')),
    };
    let mut query = pick("querystring");
    query.retain(|(k, _)| !body.overrides.request_querystring.contains_key(k));
    query.extend(body.overrides.request_querystring);
    let mut headers = http::HeaderMap::new();
    let client_type = call.req.header("content-type").filter(|_| !body.body.is_empty());
    for (k, v) in client_type.map(|ct| ("content-type".to_string(), ct.to_string())).into_iter().chain(pick("header")) {
        headers.insert(http::HeaderName::from_bytes(k.as_bytes()).ok()?, http::HeaderValue::from_str(&v).ok()?);
    }
    for (k, v) in body.overrides.request_headers {
        headers.insert(http::HeaderName::from_bytes(k.as_bytes()).ok()?, http::HeaderValue::from_str(&v).ok()?);
    }
    let method = match integration.str("httpMethod") {
        Some("ANY") | None => call.req.method.clone(),
        Some(m) => http::Method::from_bytes(m.as_bytes()).ok()?,
    };
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&query).finish();
    Some(HttpRequest { method, path, query, headers, body: body.body.into() })
}

/// The whole body of a service's answer.
pub async fn whole_body(mut resp: HttpResponse) -> (u16, Vec<(String, String)>, String) {
    let mut body = resp.body.to_vec();
    if let Some(mut rest) = resp.stream.take() {
        while let Some(chunk) = rest.recv().await {
            body.extend_from_slice(&chunk);
        }
    }
    (resp.status, resp.headers, String::from_utf8_lossy(&body).into_owned())
}

/// Calls the service in its own wire format, as AWS calls its endpoint,
/// and maps its answer through the integration response its status code
/// selects.
async fn service(
    s: &Shared,
    call: &Call<'_>,
    integration: &Value,
    (service, target): (&str, Target<'_>),
    body: Rendered,
) -> HttpResponse {
    let action = target.action();
    let Some(request) = service_request(call, integration, &target, body) else {
        return gateway_responses::configuration_error(call.api);
    };
    let wire = WireRequest {
        service: service.to_string(),
        action,
        request,
        account_id: call.api.account.clone(),
        region: call.api.region.clone(),
    };
    let (status, headers, answer) = whole_body(s.settings.wire.call(wire).await).await;
    match responses::select(integration, &status.to_string()) {
        Some(chosen) => responses::respond(call, chosen, &answer, &headers),
        None => gateway_responses::configuration_error(call.api),
    }
}

/// Runs an AWS integration.
pub async fn invoke(s: &Shared, call: &Call<'_>, integration: &Value) -> HttpResponse {
    let body = match body::request(call, integration) {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    let uri = substitute(integration.str("uri").unwrap_or_default(), &call.stage_variables);
    let target = stratus_core::arn::parse(&uri).map(|a| (a.account, a.resource));
    match target {
        Some(("lambda", _)) => match lambda::function_arn(&uri, &call.stage_variables) {
            Some(function) => lambda_custom(s, call, integration, &function, &body.body).await,
            None => gateway_responses::configuration_error(call.api),
        },
        Some((name, resource)) => match Target::of(name, resource) {
            Some(target) => service(s, call, integration, target, body).await,
            None => gateway_responses::configuration_error(call.api),
        },
        None => gateway_responses::configuration_error(call.api),
    }
}
