//! The HTTP or WebSocket API record and where it lives in the store. One record holds a
//! whole API (its Api shape, routes, integrations, authorizers, stages and
//! deployments, each deployment freezing the routes, integrations,
//! authorizers and CORS configuration it serves), so an update is one
//! read-modify-write and the data plane decodes one record per API.
//!
//! Store: `apigw/httpapi/{id}` → [`HttpApi`]; `apigw/{account}/{region}/httpapi/{id}`
//! → empty (the account's listing). Shapes are kept with the model's member
//! names (`ApiId`, `RouteKey`), as the v2 operations take and return them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use stratus_core::RequestContext;

/// An HTTP API and everything under it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HttpApi {
    pub account: String,
    pub region: String,
    /// The Api shape as GetApi returns it.
    pub info: Value,
    /// What a deployment freezes: the API's current configuration.
    pub config: Config,
    /// Stage shapes by stage name.
    pub stages: BTreeMap<String, Value>,
    pub deployments: BTreeMap<String, Deployment>,
}

/// The routes, integrations and authorizers (shapes by id), the CORS
/// configuration of an HTTP API and the route and integration responses of
/// a WebSocket API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub routes: BTreeMap<String, Value>,
    pub integrations: BTreeMap<String, Value>,
    pub authorizers: BTreeMap<String, Value>,
    pub cors: Option<Value>,
    /// WebSocket APIs: RouteResponse shapes by route id, then by id.
    #[serde(default)]
    pub route_responses: BTreeMap<String, BTreeMap<String, Value>>,
    /// WebSocket APIs: IntegrationResponse shapes by integration id, then by id.
    #[serde(default)]
    pub integration_responses: BTreeMap<String, BTreeMap<String, Value>>,
}

/// A deployment: its Deployment shape and the configuration it froze.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deployment {
    pub info: Value,
    pub config: Config,
}

impl HttpApi {
    pub fn id(&self) -> &str {
        self.info.get("ApiId").and_then(Value::as_str).unwrap_or_default()
    }

    /// Whether this is a WebSocket API (`ProtocolType` `WEBSOCKET`).
    pub fn is_websocket(&self) -> bool {
        self.info.get("ProtocolType").and_then(Value::as_str) == Some("WEBSOCKET")
    }
}

pub fn api_key(id: &str) -> String {
    format!("apigw/httpapi/{id}")
}

pub fn listing_prefix(ctx: &RequestContext) -> String {
    format!("apigw/{}/{}/httpapi/", ctx.account_id, ctx.region)
}

/// A new identifier of `len` lowercase letters and digits (APIs have 10,
/// routes and integrations 7, deployments and authorizers 6).
pub fn new_id(len: usize) -> String {
    stratus_core::ids::random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", len)
}
