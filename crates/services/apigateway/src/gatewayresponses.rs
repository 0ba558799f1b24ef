//! Gateway responses: the answers API Gateway gives itself (refusals,
//! throttling, integration failures), by response type, with AWS's
//! defaults, and their customization (Put, Get, GetAll, Update, Delete).
//! A type not customized inherits DEFAULT_4XX's or DEFAULT_5XX's
//! parameters and templates.

use crate::db::Api;
use crate::errors::{self, bad_request, not_found};
use crate::patch::{self, ALL, Kind, PatchOp, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// Every response type, its default status code (none for the two
/// defaults) and the `x-amzn-ErrorType` AWS sends with it.
pub const TYPES: &[(&str, Option<u16>, Option<&str>)] = &[
    ("ACCESS_DENIED", Some(403), Some("AccessDeniedException")),
    ("API_CONFIGURATION_ERROR", Some(500), None),
    ("AUTHORIZER_CONFIGURATION_ERROR", Some(500), Some("AuthorizerConfigurationException")),
    ("AUTHORIZER_FAILURE", Some(500), Some("AuthorizerFailureException")),
    ("BAD_REQUEST_BODY", Some(400), Some("BadRequestException")),
    ("BAD_REQUEST_PARAMETERS", Some(400), Some("BadRequestException")),
    ("DEFAULT_4XX", None, None),
    ("DEFAULT_5XX", None, None),
    ("EXPIRED_TOKEN", Some(403), None),
    ("INTEGRATION_FAILURE", Some(504), None),
    ("INTEGRATION_TIMEOUT", Some(504), None),
    ("INVALID_API_KEY", Some(403), Some("ForbiddenException")),
    ("INVALID_SIGNATURE", Some(403), None),
    ("MISSING_AUTHENTICATION_TOKEN", Some(403), Some("MissingAuthenticationTokenException")),
    ("QUOTA_EXCEEDED", Some(429), Some("LimitExceededException")),
    ("REQUEST_TOO_LARGE", Some(413), None),
    ("RESOURCE_NOT_FOUND", Some(404), None),
    ("THROTTLED", Some(429), Some("TooManyRequestsException")),
    ("UNAUTHORIZED", Some(401), Some("UnauthorizedException")),
    ("UNSUPPORTED_MEDIA_TYPE", Some(415), None),
    ("WAF_FILTERED", Some(403), None),
];

/// The template every default response has.
pub const DEFAULT_TEMPLATE: &str = "{\"message\":$context.error.messageString}";

const RULES: Rules = Rules {
    rules: &[
        Rule { path: "/statusCode", ops: &["replace"], kind: Kind::Member(Scalar::Str) },
        Rule { path: "/responseParameters", ops: ALL, kind: Kind::Entry(Scalar::Str) },
        Rule { path: "/responseTemplates", ops: ALL, kind: Kind::Entry(Scalar::Str) },
    ],
    style: Style::Plain,
};

fn default_status(kind: &str) -> Option<u16> {
    TYPES.iter().find(|(t, _, _)| *t == kind).and_then(|(_, s, _)| *s)
}

/// The response of type `kind` as GetGatewayResponse shows it.
pub fn effective(api: &Api, kind: &str) -> Value {
    if let Some(custom) = api.gateway_responses.get(kind) {
        return custom.clone();
    }
    let status = default_status(kind);
    let family = if status.is_some_and(|s| s >= 500) { "DEFAULT_5XX" } else { "DEFAULT_4XX" };
    let inherited = if status.is_some() { api.gateway_responses.get(family) } else { None };
    let mut out = json!({
        "defaultResponse": true,
        "responseParameters": inherited.map(|i| i["responseParameters"].clone()).unwrap_or_else(|| json!({})),
        "responseTemplates": inherited
            .map(|i| i["responseTemplates"].clone())
            .unwrap_or_else(|| json!({ "application/json": DEFAULT_TEMPLATE })),
        "responseType": kind,
    });
    if let Some(s) = status {
        out["statusCode"] = s.to_string().into();
    }
    out
}

pub async fn put(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, kind) = (input.req_str("restApiId")?, input.req_str("responseType")?.to_string());
    let mut r = json!({
        "defaultResponse": false,
        "responseParameters": input.get("responseParameters").cloned().unwrap_or_else(|| json!({})),
        "responseTemplates": input.get("responseTemplates").cloned().unwrap_or_else(|| json!({ "application/json": DEFAULT_TEMPLATE })),
        "responseType": kind,
    });
    if let Some(status) =
        input.str("statusCode").map(str::to_string).or_else(|| default_status(&kind).map(|s| s.to_string()))
    {
        r["statusCode"] = status.into();
    }
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        api.gateway_responses.insert(kind.clone(), r.clone());
        Ok(r.clone())
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    Ok(effective(&api, input.req_str("responseType")?))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    Ok(crate::paging::page(TYPES.iter().map(|(t, _, _)| effective(&api, t)).collect(), input))
}

/// Checks the entry an operation replaces or removes exists, and that values are not empty.
fn check_op(r: &Value, op: &PatchOp) -> Result<(), AwsError> {
    for member in ["responseParameters", "responseTemplates"] {
        let Some(key) = op.path.strip_prefix(&format!("/{member}/")) else { continue };
        if op.op != "remove" && op.value.as_deref().is_none_or(str::is_empty) {
            return Err(bad_request(format!("Invalid null or empty value in {member}")));
        }
        if op.op == "replace" && r[member].get(key.replace("~1", "/")).is_none() {
            return Err(not_found("Invalid parameter name specified"));
        }
    }
    Ok(())
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, kind) = (input.req_str("restApiId")?, input.req_str("responseType")?.to_string());
    let ops = patch::ops(input);
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        let mut r = effective(api, &kind);
        for op in &ops {
            if op.path.is_empty() {
                return Err(bad_request("Invalid patch path null"));
            }
            if op.path == "/statusCode" && op.op != "replace" {
                return Err(bad_request("Invalid patch path /statusCode"));
            }
            check_op(&r, op)?;
            RULES.apply(&mut r, std::slice::from_ref(op))?;
        }
        for member in ["responseParameters", "responseTemplates"] {
            if r.get(member).is_none() {
                r[member] = json!({});
            }
        }
        r["defaultResponse"] = false.into();
        api.gateway_responses.insert(kind.clone(), r.clone());
        Ok(r)
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, kind) = (input.req_str("restApiId")?, input.req_str("responseType")?.to_string());
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        api.gateway_responses.remove(&kind).ok_or_else(|| not_found("Gateway response type not defined on api"))?;
        Ok(json!({}))
    })
    .await
}
