//! The REST API record and where it lives in the store. One record holds a
//! whole API (its description, resource tree with methods and integrations,
//! authorizers, models, request validators, gateway responses, deployments with their frozen trees, and stages), so an update is one
//! read-modify-write and the data plane decodes one record per API.
//!
//! Store: `apigw/api/{id}` → [`Api`]; `apigw/{account}/{region}/api/{id}` →
//! empty (the account's listing).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use stratus_core::{AwsError, RequestContext};

/// A REST API and everything under it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Api {
    pub account: String,
    pub region: String,
    /// The RestApi shape as GetRestApi returns it.
    pub info: Value,
    pub resources: Tree,
    pub deployments: BTreeMap<String, Deployment>,
    /// Stage shapes by stage name.
    pub stages: BTreeMap<String, Value>,
    /// Authorizer shapes by id.
    #[serde(default)]
    pub authorizers: BTreeMap<String, Value>,
    /// Model shapes by name.
    #[serde(default)]
    pub models: BTreeMap<String, Value>,
    /// Request validator shapes by id.
    #[serde(default)]
    pub validators: BTreeMap<String, Value>,
    /// Customized gateway responses by response type.
    #[serde(default)]
    pub gateway_responses: BTreeMap<String, Value>,
}

/// Resources by id.
pub type Tree = BTreeMap<String, Resource>;

/// One resource: its place in the tree and its methods (Method shapes by
/// HTTP verb, each with `methodResponses` and `methodIntegration`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    pub id: String,
    pub parent_id: Option<String>,
    pub path_part: String,
    pub methods: BTreeMap<String, Value>,
}

/// A deployment: its Deployment shape and the resource tree,
/// authorizers and request validators it froze.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deployment {
    pub info: Value,
    pub resources: Tree,
    /// The API's authorizers at the time.
    #[serde(default)]
    pub authorizers: BTreeMap<String, Value>,
    /// The API's request validators at the time.
    #[serde(default)]
    pub validators: BTreeMap<String, Value>,
}

impl Api {
    pub fn id(&self) -> &str {
        self.info.get("id").and_then(Value::as_str).unwrap_or_default()
    }

    /// Whether `ctx` (its account and region) owns this API.
    pub fn owned_by(&self, ctx: &RequestContext) -> bool {
        self.account == ctx.account_id && self.region == ctx.region
    }
}

pub fn api_key(id: &str) -> String {
    format!("apigw/api/{id}")
}

pub fn listing_prefix(ctx: &RequestContext) -> String {
    format!("apigw/{}/{}/api/", ctx.account_id, ctx.region)
}

pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, AwsError> {
    serde_json::from_slice(bytes).map_err(|e| AwsError::internal(format!("corrupt apigateway record: {e}")))
}

pub fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// A new API Gateway identifier: 10 lowercase letters and digits.
pub fn new_id() -> String {
    stratus_core::ids::random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", 10)
}
