//! Identity pools (placeholder).

use serde_json::Value;
use stratus_core::{AwsError, RequestContext};

use crate::shared::Shared;

pub async fn call(_s: &Shared, ctx: &RequestContext, _input: &Value) -> Result<Value, AwsError> {
    Err(AwsError::new(501, "NotImplemented", format!("{} is not implemented", ctx.operation)))
}
