//! PutFunctionRecursionConfig, GetFunctionRecursionConfig: whether Lambda
//! stops a function caught in a recursive loop (`Terminate`, the default)
//! or lets it run (`Allow`). Kept in the function record. Stratus records
//! the setting; it does not trace invocation chains to detect loops.

use crate::codesigning::function_name;
use crate::db;
use crate::errors;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

pub async fn put(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = function_name(ctx, input)?;
    let mode = input.req_str("RecursiveLoop")?.to_string();
    if mode != "Allow" && mode != "Terminate" {
        return Err(errors::validation(format!(
            "1 validation error detected: Value '{mode}' at 'recursiveLoop' failed to satisfy constraint: Member must satisfy enum value set: [Terminate, Allow]"
        )));
    }
    let stored = mode.clone();
    db::modify_function(&s.store, ctx, &name, move |rec| {
        rec.recursion = Some(stored.clone());
        Ok(())
    })
    .await?;
    Ok(json!({ "RecursiveLoop": mode }))
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = function_name(ctx, input)?;
    let rec = db::require_function(&s.store, ctx, &name)?;
    Ok(json!({ "RecursiveLoop": rec.recursion.as_deref().unwrap_or("Terminate") }))
}
