//! API Gateway HTTP and WebSocket APIs (the `apigatewayv2` API): the
//! control plane of Api, Route, Integration, Stage, Deployment and
//! Authorizer, CORS configuration, RouteResponse and IntegrationResponse
//! (`responses`), tags, OpenAPI 3 import and export (`openapi`), and custom
//! domain names (`domains`) and API mappings (`mappings`), which are v1's
//! records seen in v2's shapes.
//! WebSocket connections and the `@connections` API are served by
//! `websocket`. Updates take the members directly. The data
//! plane (`invoke`) is reached through v1's (`crate::invoke`), which tells
//! REST and HTTP APIs apart by id.
//!
//! This file owns the `ApiGatewayV2` service: its operation list and dispatch.

mod apis;
mod authorizers;
pub mod db;
mod deployments;
mod domains;
mod errors;
mod fields;
mod integrations;
pub mod invoke;
mod mappings;
mod openapi;
mod responses;
pub mod routes;
mod stages;
pub mod store;
mod tags;
pub mod websocket;

use crate::state::Shared;
use async_trait::async_trait;
use serde_json::Value;
use std::sync::Arc;
use stratus_core::{AwsError, HttpRequest, HttpResponse, RequestContext, Service, Settings};
use stratus_store::Store;

const OPERATIONS: &[&str] = &[
    "CreateApi",
    "GetApi",
    "GetApis",
    "UpdateApi",
    "DeleteApi",
    "DeleteCorsConfiguration",
    "CreateRoute",
    "GetRoute",
    "GetRoutes",
    "UpdateRoute",
    "DeleteRoute",
    "CreateIntegration",
    "GetIntegration",
    "GetIntegrations",
    "UpdateIntegration",
    "DeleteIntegration",
    "CreateStage",
    "GetStage",
    "GetStages",
    "UpdateStage",
    "DeleteStage",
    "CreateDeployment",
    "GetDeployment",
    "GetDeployments",
    "UpdateDeployment",
    "DeleteDeployment",
    "CreateAuthorizer",
    "GetAuthorizer",
    "GetAuthorizers",
    "UpdateAuthorizer",
    "DeleteAuthorizer",
    "TagResource",
    "UntagResource",
    "GetTags",
    "CreateRouteResponse",
    "GetRouteResponse",
    "GetRouteResponses",
    "UpdateRouteResponse",
    "DeleteRouteResponse",
    "CreateIntegrationResponse",
    "GetIntegrationResponse",
    "GetIntegrationResponses",
    "UpdateIntegrationResponse",
    "DeleteIntegrationResponse",
    "ImportApi",
    "ReimportApi",
    "ExportApi",
    "CreateDomainName",
    "GetDomainName",
    "GetDomainNames",
    "UpdateDomainName",
    "DeleteDomainName",
    "CreateApiMapping",
    "GetApiMapping",
    "GetApiMappings",
    "UpdateApiMapping",
    "DeleteApiMapping",
];

/// The API Gateway v2 (HTTP APIs) service.
pub struct ApiGatewayV2 {
    shared: Arc<Shared>,
}

impl ApiGatewayV2 {
    pub fn new(store: Store, settings: &Settings) -> ApiGatewayV2 {
        ApiGatewayV2::with(Arc::new(Shared::new(store, settings)))
    }

    /// The v2 API over `shared` (v1's, `ApiGateway::v2`).
    pub(crate) fn with(shared: Arc<Shared>) -> ApiGatewayV2 {
        ApiGatewayV2 { shared }
    }
}

#[async_trait]
impl Service for ApiGatewayV2 {
    fn name(&self) -> &'static str {
        "apigatewayv2"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let s = &*self.shared;
        let input = &input;
        match ctx.operation {
            "CreateApi" => apis::create(s, ctx, input).await,
            "GetApi" => apis::get(s, ctx, input),
            "GetApis" => apis::list(s, ctx, input),
            "UpdateApi" => apis::update(s, ctx, input).await,
            "DeleteApi" => apis::delete(s, ctx, input).await,
            "DeleteCorsConfiguration" => apis::delete_cors(s, ctx, input).await,
            "CreateRoute" => routes::create(s, ctx, input).await,
            "GetRoute" => routes::get(s, ctx, input),
            "GetRoutes" => routes::list(s, ctx, input),
            "UpdateRoute" => routes::update(s, ctx, input).await,
            "DeleteRoute" => routes::delete(s, ctx, input).await,
            "CreateIntegration" => integrations::create(s, ctx, input).await,
            "GetIntegration" => integrations::get(s, ctx, input),
            "GetIntegrations" => integrations::list(s, ctx, input),
            "UpdateIntegration" => integrations::update(s, ctx, input).await,
            "DeleteIntegration" => integrations::delete(s, ctx, input).await,
            "CreateStage" => stages::create(s, ctx, input).await,
            "GetStage" => stages::get(s, ctx, input),
            "GetStages" => stages::list(s, ctx, input),
            "UpdateStage" => stages::update(s, ctx, input).await,
            "DeleteStage" => stages::delete(s, ctx, input).await,
            "CreateDeployment" => deployments::create(s, ctx, input).await,
            "GetDeployment" => deployments::get(s, ctx, input),
            "GetDeployments" => deployments::list(s, ctx, input),
            "UpdateDeployment" => deployments::update(s, ctx, input).await,
            "DeleteDeployment" => deployments::delete(s, ctx, input).await,
            "CreateAuthorizer" => authorizers::create(s, ctx, input).await,
            "GetAuthorizer" => authorizers::get(s, ctx, input),
            "GetAuthorizers" => authorizers::list(s, ctx, input),
            "UpdateAuthorizer" => authorizers::update(s, ctx, input).await,
            "DeleteAuthorizer" => authorizers::delete(s, ctx, input).await,
            "TagResource" => tags::tag(s, ctx, input).await,
            "UntagResource" => tags::untag(s, ctx, input).await,
            "GetTags" => tags::get(s, ctx, input),
            "CreateRouteResponse" => responses::create(s, ctx, &responses::ROUTE, input).await,
            "GetRouteResponse" => responses::get(s, ctx, &responses::ROUTE, input),
            "GetRouteResponses" => responses::list(s, ctx, &responses::ROUTE, input),
            "UpdateRouteResponse" => responses::update(s, ctx, &responses::ROUTE, input).await,
            "DeleteRouteResponse" => responses::delete(s, ctx, &responses::ROUTE, input).await,
            "CreateIntegrationResponse" => responses::create(s, ctx, &responses::INTEGRATION, input).await,
            "GetIntegrationResponse" => responses::get(s, ctx, &responses::INTEGRATION, input),
            "GetIntegrationResponses" => responses::list(s, ctx, &responses::INTEGRATION, input),
            "UpdateIntegrationResponse" => responses::update(s, ctx, &responses::INTEGRATION, input).await,
            "DeleteIntegrationResponse" => responses::delete(s, ctx, &responses::INTEGRATION, input).await,
            "ImportApi" => openapi::import(s, ctx, input).await,
            "ReimportApi" => openapi::reimport(s, ctx, input).await,
            "ExportApi" => openapi::export(s, ctx, input),
            "CreateDomainName" => domains::create(s, ctx, input).await,
            "GetDomainName" => domains::get(s, ctx, input),
            "GetDomainNames" => domains::list(s, ctx, input),
            "UpdateDomainName" => domains::update(s, ctx, input).await,
            "DeleteDomainName" => domains::delete(s, ctx, input).await,
            "CreateApiMapping" => mappings::create(s, ctx, input).await,
            "GetApiMapping" => mappings::get(s, ctx, input),
            "GetApiMappings" => mappings::list(s, ctx, input),
            "UpdateApiMapping" => mappings::update(s, ctx, input).await,
            "DeleteApiMapping" => mappings::delete(s, ctx, input).await,
            op => Err(AwsError::new(501, "NotImplemented", format!("{op} is not implemented"))),
        }
    }

    fn claims(&self, _req: &HttpRequest) -> bool {
        false
    }

    async fn serve(&self, _req: HttpRequest) -> HttpResponse {
        HttpResponse { status: 404, ..Default::default() }
    }
}
