//! The `ApiGatewayManagementApi` service (`apigatewaymanagementapi`): the
//! `@connections` operations as the router and codec deliver them (calls
//! signed for `execute-api` to `/@connections/{connectionId}` at the plain
//! endpoint), over the WebSocket connections of the `ApiGateway` service it
//! was made from (`crate::v2::websocket::manage`).

use crate::state::Shared;
use crate::v2::websocket::manage;
use async_trait::async_trait;
use base64::Engine;
use serde_json::{Value, json};
use std::sync::Arc;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, Service};

const OPERATIONS: &[&str] = &["PostToConnection", "GetConnection", "DeleteConnection"];

/// The `@connections` API of an `ApiGateway` service's connections.
pub struct ApiGatewayManagement {
    pub(crate) shared: Arc<Shared>,
}

#[async_trait]
impl Service for ApiGatewayManagement {
    fn name(&self) -> &'static str {
        "apigatewaymanagementapi"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let s = &*self.shared;
        let id = input.req_str("ConnectionId")?;
        match ctx.operation {
            "PostToConnection" => {
                let data = base64::engine::general_purpose::STANDARD
                    .decode(input.str("Data").unwrap_or_default())
                    .map_err(|_| AwsError::new(400, "BadRequestException", "Data must be a blob"))?;
                manage::post(s, id, None, data).map(|()| json!({}))
            }
            "GetConnection" => manage::get(s, id, None),
            "DeleteConnection" => manage::delete(s, id, None).map(|()| json!({})),
            op => Err(AwsError::new(501, "NotImplemented", format!("{op} is not implemented"))),
        }
    }
}
