//! Amazon API Gateway for Stratus. The control plane of REST APIs (v1):
//! RestApi, Resource, Method, MethodResponse, Integration,
//! IntegrationResponse, Deployment and Stage, imported from OpenAPI and
//! Swagger documents or built call by call and exported again; models and
//! request validators; gateway responses; Lambda authorizers; API keys and
//! usage plans; custom domain names (`domains`, kept in memory for the data
//! plane by `hosts`) and base path mappings (`base_paths`); tags; account settings; every Update through AWS's `patchOperations`
//! (`patch`); and the data plane that serves deployed stages at their
//! invoke URLs (`invoke`). HTTP and WebSocket APIs (v2) are the
//! `ApiGatewayV2` service (`v2`), served by the same data plane, which also
//! takes WebSocket handshakes and answers `@connections` calls (also the
//! `ApiGatewayManagement` service, `management`).
//!
//! This file owns the `ApiGateway` service: its operation list and dispatch.

mod account;
mod apikeys;
mod authorizers;
mod base_paths;
mod canary;
mod db;
mod deployments;
mod document;
mod domains;
mod errors;
mod export;
mod gatewayresponses;
mod hosts;
mod import;
mod integrations;
mod invoke;
mod management;
mod metering;
mod methods;
mod models;
mod openapi;
mod paging;
mod patch;
mod resources;
mod restapis;
mod schema;
mod stages;
mod state;
mod tags;
mod tokens;
mod usageplans;
mod v2;
mod validators;

pub use management::ApiGatewayManagement;
pub use v2::ApiGatewayV2;

#[cfg(test)]
mod tests;

use async_trait::async_trait;
use serde_json::Value;
use std::sync::Arc;
use stratus_core::{AwsError, HttpRequest, HttpResponse, RequestContext, Service, Settings, Upgrade};
use stratus_store::Store;

use crate::state::Shared;

const OPERATIONS: &[&str] = &[
    "CreateRestApi",
    "GetRestApi",
    "GetRestApis",
    "UpdateRestApi",
    "DeleteRestApi",
    "ImportRestApi",
    "PutRestApi",
    "GetExport",
    "CreateResource",
    "GetResource",
    "GetResources",
    "UpdateResource",
    "DeleteResource",
    "PutMethod",
    "GetMethod",
    "UpdateMethod",
    "DeleteMethod",
    "PutMethodResponse",
    "GetMethodResponse",
    "UpdateMethodResponse",
    "DeleteMethodResponse",
    "PutIntegration",
    "GetIntegration",
    "UpdateIntegration",
    "DeleteIntegration",
    "PutIntegrationResponse",
    "GetIntegrationResponse",
    "UpdateIntegrationResponse",
    "DeleteIntegrationResponse",
    "CreateDeployment",
    "GetDeployment",
    "GetDeployments",
    "UpdateDeployment",
    "DeleteDeployment",
    "CreateStage",
    "GetStage",
    "GetStages",
    "UpdateStage",
    "DeleteStage",
    "FlushStageCache",
    "FlushStageAuthorizersCache",
    "CreateAuthorizer",
    "GetAuthorizer",
    "GetAuthorizers",
    "UpdateAuthorizer",
    "DeleteAuthorizer",
    "CreateModel",
    "GetModel",
    "GetModels",
    "UpdateModel",
    "DeleteModel",
    "CreateRequestValidator",
    "GetRequestValidator",
    "GetRequestValidators",
    "UpdateRequestValidator",
    "DeleteRequestValidator",
    "PutGatewayResponse",
    "GetGatewayResponse",
    "GetGatewayResponses",
    "UpdateGatewayResponse",
    "DeleteGatewayResponse",
    "CreateApiKey",
    "GetApiKey",
    "GetApiKeys",
    "UpdateApiKey",
    "DeleteApiKey",
    "CreateUsagePlan",
    "GetUsagePlan",
    "GetUsagePlans",
    "UpdateUsagePlan",
    "DeleteUsagePlan",
    "CreateUsagePlanKey",
    "GetUsagePlanKey",
    "GetUsagePlanKeys",
    "DeleteUsagePlanKey",
    "GetUsage",
    "CreateDomainName",
    "GetDomainName",
    "GetDomainNames",
    "UpdateDomainName",
    "DeleteDomainName",
    "CreateBasePathMapping",
    "GetBasePathMapping",
    "GetBasePathMappings",
    "UpdateBasePathMapping",
    "DeleteBasePathMapping",
    "GetAccount",
    "UpdateAccount",
    "TagResource",
    "UntagResource",
    "GetTags",
];

/// The API Gateway (v1) service.
pub struct ApiGateway {
    shared: Arc<Shared>,
}

impl ApiGateway {
    pub fn new(store: Store, settings: &Settings) -> ApiGateway {
        ApiGateway { shared: Arc::new(Shared::new(store, settings)) }
    }

    /// The HTTP and WebSocket APIs (v2) sharing this service's state: its
    /// data plane serves them, and domain names are common to both.
    pub fn v2(&self) -> ApiGatewayV2 {
        ApiGatewayV2::with(self.shared.clone())
    }

    /// The `@connections` API over this service's WebSocket connections.
    pub fn management(&self) -> ApiGatewayManagement {
        ApiGatewayManagement { shared: self.shared.clone() }
    }
}

#[async_trait]
impl Service for ApiGateway {
    fn name(&self) -> &'static str {
        "apigateway"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let s = &*self.shared;
        let input = &input;
        match ctx.operation {
            "CreateRestApi" => restapis::create(s, ctx, input).await,
            "GetRestApi" => restapis::get(s, ctx, input),
            "GetRestApis" => restapis::list(s, ctx, input),
            "UpdateRestApi" => restapis::update(s, ctx, input).await,
            "DeleteRestApi" => restapis::delete(s, ctx, input).await,
            "ImportRestApi" => import::import(s, ctx, input).await,
            "PutRestApi" => import::put(s, ctx, input).await,
            "GetExport" => export::export(s, ctx, input),
            "CreateResource" => resources::create(s, ctx, input).await,
            "GetResource" => resources::get(s, ctx, input),
            "GetResources" => resources::list(s, ctx, input),
            "UpdateResource" => resources::update(s, ctx, input).await,
            "DeleteResource" => resources::delete(s, ctx, input).await,
            "PutMethod" => methods::put(s, ctx, input).await,
            "GetMethod" => methods::get(s, ctx, input),
            "UpdateMethod" => methods::update(s, ctx, input).await,
            "DeleteMethod" => methods::delete(s, ctx, input).await,
            "PutMethodResponse" => methods::put_response(s, ctx, input).await,
            "GetMethodResponse" => methods::get_response(s, ctx, input),
            "UpdateMethodResponse" => methods::update_response(s, ctx, input).await,
            "DeleteMethodResponse" => methods::delete_response(s, ctx, input).await,
            "PutIntegration" => integrations::put(s, ctx, input).await,
            "GetIntegration" => integrations::get(s, ctx, input),
            "UpdateIntegration" => integrations::update(s, ctx, input).await,
            "DeleteIntegration" => integrations::delete(s, ctx, input).await,
            "PutIntegrationResponse" => integrations::put_response(s, ctx, input).await,
            "GetIntegrationResponse" => integrations::get_response(s, ctx, input),
            "UpdateIntegrationResponse" => integrations::update_response(s, ctx, input).await,
            "DeleteIntegrationResponse" => integrations::delete_response(s, ctx, input).await,
            "CreateDeployment" => deployments::create(s, ctx, input).await,
            "GetDeployment" => deployments::get(s, ctx, input),
            "GetDeployments" => deployments::list(s, ctx, input),
            "UpdateDeployment" => deployments::update(s, ctx, input).await,
            "DeleteDeployment" => deployments::delete(s, ctx, input).await,
            "CreateStage" => stages::create(s, ctx, input).await,
            "GetStage" => stages::get(s, ctx, input),
            "GetStages" => stages::list(s, ctx, input),
            "UpdateStage" => stages::update(s, ctx, input).await,
            "DeleteStage" => stages::delete(s, ctx, input).await,
            "FlushStageCache" => stages::flush_cache(s, ctx, input),
            "FlushStageAuthorizersCache" => stages::flush_authorizers(s, ctx, input),
            "CreateAuthorizer" => authorizers::create(s, ctx, input).await,
            "GetAuthorizer" => authorizers::get(s, ctx, input),
            "GetAuthorizers" => authorizers::list(s, ctx, input),
            "UpdateAuthorizer" => authorizers::update(s, ctx, input).await,
            "DeleteAuthorizer" => authorizers::delete(s, ctx, input).await,
            "CreateModel" => models::create(s, ctx, input).await,
            "GetModel" => models::get(s, ctx, input),
            "GetModels" => models::list(s, ctx, input),
            "UpdateModel" => models::update(s, ctx, input).await,
            "DeleteModel" => models::delete(s, ctx, input).await,
            "CreateRequestValidator" => validators::create(s, ctx, input).await,
            "GetRequestValidator" => validators::get(s, ctx, input),
            "GetRequestValidators" => validators::list(s, ctx, input),
            "UpdateRequestValidator" => validators::update(s, ctx, input).await,
            "DeleteRequestValidator" => validators::delete(s, ctx, input).await,
            "PutGatewayResponse" => gatewayresponses::put(s, ctx, input).await,
            "GetGatewayResponse" => gatewayresponses::get(s, ctx, input),
            "GetGatewayResponses" => gatewayresponses::list(s, ctx, input),
            "UpdateGatewayResponse" => gatewayresponses::update(s, ctx, input).await,
            "DeleteGatewayResponse" => gatewayresponses::delete(s, ctx, input).await,
            "CreateApiKey" => apikeys::create(s, ctx, input).await,
            "GetApiKey" => apikeys::get(s, ctx, input),
            "GetApiKeys" => apikeys::list(s, ctx, input),
            "UpdateApiKey" => apikeys::update(s, ctx, input).await,
            "DeleteApiKey" => apikeys::delete(s, ctx, input).await,
            "CreateUsagePlan" => usageplans::create(s, ctx, input).await,
            "GetUsagePlan" => usageplans::get(s, ctx, input),
            "GetUsagePlans" => usageplans::list(s, ctx, input),
            "UpdateUsagePlan" => usageplans::update(s, ctx, input).await,
            "DeleteUsagePlan" => usageplans::delete(s, ctx, input).await,
            "CreateUsagePlanKey" => usageplans::create_key(s, ctx, input).await,
            "GetUsagePlanKey" => usageplans::get_key(s, ctx, input),
            "GetUsagePlanKeys" => usageplans::list_keys(s, ctx, input),
            "DeleteUsagePlanKey" => usageplans::delete_key(s, ctx, input).await,
            "GetUsage" => usageplans::usage(s, ctx, input),
            "CreateDomainName" => domains::create(s, ctx, input).await,
            "GetDomainName" => domains::get(s, ctx, input),
            "GetDomainNames" => domains::list(s, ctx, input),
            "UpdateDomainName" => domains::update(s, ctx, input).await,
            "DeleteDomainName" => domains::delete(s, ctx, input).await,
            "CreateBasePathMapping" => base_paths::create(s, ctx, input).await,
            "GetBasePathMapping" => base_paths::get(s, ctx, input),
            "GetBasePathMappings" => base_paths::list(s, ctx, input),
            "UpdateBasePathMapping" => base_paths::update(s, ctx, input).await,
            "DeleteBasePathMapping" => base_paths::delete(s, ctx, input).await,
            "GetAccount" => account::get(s, ctx),
            "UpdateAccount" => account::update(s, ctx, input).await,
            "TagResource" => tags::tag(s, ctx, input).await,
            "UntagResource" => tags::untag(s, ctx, input).await,
            "GetTags" => tags::get(s, ctx, input),
            op => Err(AwsError::new(501, "NotImplemented", format!("{op} is not implemented"))),
        }
    }

    fn claims(&self, req: &HttpRequest) -> bool {
        invoke::address::resolve(&self.shared, req).is_some() || v2::websocket::manage::claims_signed(req)
    }

    async fn serve(&self, req: HttpRequest) -> HttpResponse {
        match invoke::address::resolve(&self.shared, &req) {
            Some(_) => invoke::serve(&self.shared, req).await,
            None => v2::websocket::manage::serve_signed(&self.shared, &req),
        }
    }

    fn claims_upgrade(&self, req: &HttpRequest) -> bool {
        v2::websocket::accept::claims(&self.shared, req)
    }

    async fn upgrade(&self, req: HttpRequest, upgrade: Upgrade) -> HttpResponse {
        v2::websocket::accept::accept(&self.shared, req, upgrade).await
    }

    fn reset(&self) {
        self.shared.connections.close_all();
        self.shared.domain_names.reload(&self.shared.store);
    }

    async fn stop(&self) {
        self.shared.connections.close_all();
    }
}
