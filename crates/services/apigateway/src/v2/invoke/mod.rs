//! The data plane of HTTP APIs: a request reaching an HTTP API (addressed
//! as v1's are, `crate::invoke::address`) is served by the stage it names,
//! or by `$default` without a stage segment; CORS preflights are answered
//! (`cors`); the deployed routes select one (`select`); IAM or the
//! route's JWT or Lambda authorizer admits it (`iam` below, `jwt`,
//! `lambda_authorizer`); then an HTTP_PROXY integration passes it on
//! (`http_proxy`), an AWS service integration calls its action
//! (`service`), or a Lambda proxy integration gets a payload format 2.0
//! or 1.0 event (`event`), whose answer follows that format's contract
//! (`answer`).

mod answer;
mod cors;
mod event;
mod http_proxy;
mod jwt;
mod lambda_authorizer;
mod select;
pub mod service;

use crate::invoke::address::Address;
use crate::invoke::lambda::{self, Outcome};
use crate::state::Shared;
use crate::v2::db::{Config, HttpApi};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::{HttpRequest, HttpResponse};

/// One request to an HTTP API, routed.
pub struct Request<'a> {
    pub req: &'a HttpRequest,
    pub api: &'a HttpApi,
    pub stage: &'a str,
    pub stage_variables: Map<String, Value>,
    pub route_key: &'a str,
    pub params: BTreeMap<String, String>,
    /// The path as the client sent it, stage segment included.
    pub raw_path: String,
    pub request_id: String,
    pub time: time::OffsetDateTime,
    pub authorizer: Option<Value>,
}

impl Request<'_> {
    pub fn time_text(&self) -> String {
        crate::invoke::call::request_time(&self.time)
    }

    pub fn time_epoch_ms(&self) -> i64 {
        (self.time.unix_timestamp_nanos() / 1_000_000) as i64
    }
}

/// The stage serving `address` and the path within it.
/// An address naming `$default` itself (a custom domain's API mapping)
/// leaves the path as it is.
fn stage_of<'a>(api: &'a HttpApi, address: &Address) -> Option<(&'a str, &'a Value, String)> {
    if let Some((name, stage)) = api.stages.get_key_value(&address.stage) {
        return Some((name, stage, address.path.clone()));
    }
    let (name, stage) = api.stages.get_key_value("$default")?;
    Some((name, stage, address.full_path()))
}

/// Answers one request to HTTP API `api`.
pub async fn serve(s: &Shared, req: &HttpRequest, api: &HttpApi, address: &Address) -> HttpResponse {
    let Some((stage_name, stage, path)) = stage_of(api, address) else { return answer::not_found() };
    let Some(deployment) = stage.str("DeploymentId").and_then(|d| api.deployments.get(d)) else {
        return answer::not_found();
    };
    let config = &deployment.config;
    if let Some(cors) = &config.cors
        && cors::is_preflight(req)
    {
        return cors::preflight(cors, req);
    }
    let Some(selected) = select::select(&config.routes, req.method.as_str(), &path) else {
        return answer::not_found();
    };
    let route = selected.route;
    let mut r = Request {
        req,
        api,
        stage: stage_name,
        stage_variables: stage.get("StageVariables").and_then(Value::as_object).cloned().unwrap_or_default(),
        route_key: route.str("RouteKey").unwrap_or_default(),
        params: selected.params,
        raw_path: if stage_name == "$default" { path } else { address.full_path() },
        request_id: uuid::Uuid::new_v4().to_string(),
        time: stratus_core::clock::now(),
        authorizer: None,
    };
    let mut resp = match authorize(s, &r, route, config).await {
        Ok(context) => {
            r.authorizer = context;
            integrate(s, &r, route, &config.integrations).await
        }
        Err(refused) => refused,
    };
    if let Some(cors) = &config.cors {
        cors::decorate(cors, req, &mut resp);
    }
    resp.headers.push(("apigw-requestid".into(), r.request_id.clone()));
    resp
}

/// Admits the request through the route's authorizer: its request
/// context, if any, or the refusal.
async fn authorize(s: &Shared, r: &Request<'_>, route: &Value, config: &Config) -> Result<Option<Value>, HttpResponse> {
    let authorizer = route.str("AuthorizerId").and_then(|id| config.authorizers.get(id));
    match (route.str("AuthorizationType").unwrap_or("NONE"), authorizer) {
        ("NONE", _) => Ok(None),
        ("AWS_IAM", _) => iam(s, r).map(Some),
        ("JWT", Some(authorizer)) => jwt::check(s, r, authorizer, route).await.map(Some),
        ("CUSTOM", Some(authorizer)) => lambda_authorizer::check(s, r, authorizer).await.map(Some),
        (other, _) => {
            tracing::warn!("HTTP API authorization type {other} is not served");
            Err(answer::internal_error())
        }
    }
}

/// IAM authorization: the signer as `authorizer.iam`, or 403 (`Forbidden`
/// when unsigned, the signature's problem otherwise).
fn iam(s: &Shared, r: &Request<'_>) -> Result<Value, HttpResponse> {
    let forbidden =
        |message: &str| HttpResponse::new(403, "application/json", json!({ "message": message }).to_string());
    match crate::invoke::iam::signer(s, r.req) {
        Ok(who) => Ok(json!({ "iam": {
            "accessKey": who.access_key, "accountId": who.account_id, "callerId": null,
            "cognitoIdentity": null, "principalOrgId": null, "userArn": null, "userId": null,
        }})),
        Err(refused) if refused.kind == "MISSING_AUTHENTICATION_TOKEN" => Err(forbidden("Forbidden")),
        Err(refused) => Err(forbidden(refused.message)),
    }
}

/// Runs the route's integration.
async fn integrate(s: &Shared, r: &Request<'_>, route: &Value, integrations: &BTreeMap<String, Value>) -> HttpResponse {
    let target = route.str("Target").and_then(|t| t.strip_prefix("integrations/"));
    let Some(integration) = target.and_then(|t| integrations.get(t)) else { return answer::not_found() };
    let uri = integration.str("IntegrationUri").unwrap_or_default();
    match integration.str("IntegrationType") {
        Some("AWS_PROXY") if integration.str("IntegrationSubtype").is_some() => {
            return service::invoke(s, r, integration).await;
        }
        Some("AWS_PROXY") => {}
        Some("HTTP_PROXY") => return http_proxy::invoke(r, integration).await,
        other => {
            tracing::warn!("HTTP API {}: {other:?} integrations are not served", r.api.id());
            return answer::internal_error();
        }
    }
    let Some(function) = lambda::target(uri, &r.stage_variables) else { return answer::internal_error() };
    let v2 = integration.str("PayloadFormatVersion") == Some("2.0");
    let event = if v2 { event::v2(r) } else { event::v1(r) };
    match lambda::invoke(s, &function, &event).await {
        Outcome::Returned(payload) => {
            let resp = if v2 { answer::v2(&payload) } else { crate::invoke::proxy::response(&payload) };
            resp.unwrap_or_else(answer::internal_error)
        }
        Outcome::Raised(_) | Outcome::Failed => answer::internal_error(),
    }
}
