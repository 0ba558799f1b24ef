//! The data plane: serving a deployed stage at its invoke URL. A request
//! is addressed (`address`), routed through the stage's deployment (or its
//! canary's) (`route`) to a method, admitted by IAM or its Lambda or Cognito user-pool
//! authorizer (`authorize`, `iam`, `user_pool`), its API key and usage plan (`keys`), the stage's
//! throttle (`throttle`) and its request validator (`validate`), then
//! answered from the stage cache (`cache`) or by the method's
//! integration: MOCK (`mock`), Lambda proxy (`proxy`), HTTP or HTTP proxy
//! (`http`), or AWS (`aws`: Lambda custom integrations and service actions).
//! Ids that name an HTTP API go to its data plane (`crate::v2::invoke`),
//! those of a WebSocket API to `crate::v2::websocket`.

pub mod address;
mod authorize;
pub mod aws;
mod body;
mod cache;
pub mod call;
mod gateway_responses;
pub mod http;
pub mod iam;
mod keys;
pub mod lambda;
pub mod mapping;
mod mock;
mod params;
pub mod patterns;
pub mod policy;
pub mod proxy;
mod responses;
mod route;
mod throttle;
mod user_pool;
mod validate;

pub use authorize::Cache as AuthorizerCache;
pub use cache::StageCache;

use crate::canary;
use crate::state::Shared;
use call::Call;
use stratus_core::input::Input;
use stratus_core::{HttpRequest, HttpResponse};

/// Answers one invoke request.
pub async fn serve(s: &Shared, req: HttpRequest) -> HttpResponse {
    let Some(address) = address::resolve(s, &req) else { return gateway_responses::internal_error() };
    let api = match s.any_api(&address.api_id) {
        Ok(Some(api)) => api,
        Ok(None) => return serve_http_api(s, &req, &address).await,
        Err(e) => {
            tracing::warn!("API {}: {e}", address.api_id);
            return gateway_responses::internal_error();
        }
    };
    let Some(stage) = api.stages.get(&address.stage) else { return gateway_responses::unknown_stage() };
    let (deployment_id, stage_variables) = canary::pick(stage, rand::random::<f64>() * 100.0);
    let Some(deployment) = deployment_id.and_then(|d| api.deployments.get(d)) else {
        return gateway_responses::unknown_stage();
    };
    let tree = &deployment.resources;
    let Some(matched) = route::find(tree, &address.path) else { return gateway_responses::missing_token(&api) };
    let methods = &matched.resource.methods;
    let Some(method) = methods.get(req.method.as_str()).or_else(|| methods.get("ANY")) else {
        return gateway_responses::missing_token(&api);
    };
    let mut call =
        Call::new(&req, &api, &address, (deployment, stage_variables), (matched.resource, matched.params), method);
    let admitted = match authorize::check(s, &call, &deployment.authorizers).await {
        Ok(granted) => {
            if let Some(g) = granted {
                call.authorizer = g.context;
                call.usage_key = g.usage_key;
                call.signer = g.signer;
            }
            keys::check(s, &call)
                .and_then(|()| throttle::check(s, &call, stage))
                .and_then(|()| validate::check(&call, &deployment.validators))
        }
        Err(refused) => Err(refused),
    };
    let mut resp = match admitted {
        Ok(()) => match s.stage_cache.get(&call, stage) {
            Some(hit) => hit,
            None => {
                let resp = integrate(s, &call).await;
                s.stage_cache.put(&call, stage, &resp);
                resp
            }
        },
        Err(refused) => refused,
    };
    resp.headers.push(("x-amzn-RequestId".into(), call.request_id.clone()));
    resp
}

/// Answers a request to an API id that is no REST API: an HTTP API's, or
/// nobody's.
async fn serve_http_api(s: &Shared, req: &HttpRequest, address: &address::Address) -> HttpResponse {
    match crate::v2::store::any_api(s, &address.api_id) {
        Ok(Some(api)) if api.is_websocket() => crate::v2::websocket::serve_http(s, req, address),
        Ok(Some(api)) => crate::v2::invoke::serve(s, req, &api, address).await,
        Ok(None) => gateway_responses::unknown_api(&address.api_id),
        Err(e) => {
            tracing::warn!("API {}: {e}", address.api_id);
            gateway_responses::internal_error()
        }
    }
}

/// Runs the matched method's integration.
async fn integrate(s: &Shared, call: &Call<'_>) -> HttpResponse {
    let Some(integration) = call.method.get("methodIntegration") else {
        return gateway_responses::configuration_error(call.api);
    };
    match integration.str("type").unwrap_or_default() {
        "MOCK" => mock::invoke(call, integration),
        "AWS_PROXY" => proxy::invoke(s, call, integration).await,
        "HTTP_PROXY" => http::invoke(call, integration, true).await,
        "HTTP" => http::invoke(call, integration, false).await,
        "AWS" => aws::invoke(s, call, integration).await,
        other => {
            tracing::warn!("API {}: {other} integrations are not served yet", call.api.id());
            gateway_responses::configuration_error(call.api)
        }
    }
}
