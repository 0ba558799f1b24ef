//! Calling a Lambda function from an integration: the function named by an
//! integration URI (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/
//! functions/{functionArn}/invocations`, stage variables substituted), and
//! a synchronous Invoke of the Lambda service in the same process.

use crate::state::Shared;
use base64::Engine;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The function ARN an integration or authorizer URI calls.
pub fn function_arn(uri: &str, vars: &Map<String, Value>) -> Option<String> {
    let uri = crate::invoke::call::substitute(uri, vars);
    let (_, after) = uri.split_once(":lambda:path/")?;
    let function = after.split_once("/functions/")?.1.strip_suffix("/invocations")?;
    Some(function.to_string())
}

/// The function an HTTP or WebSocket API integration URI calls: a Lambda
/// function ARN itself, or the API Gateway form `function_arn` reads.
pub fn target(uri: &str, vars: &Map<String, Value>) -> Option<String> {
    if uri.starts_with("arn:aws:lambda:") { Some(uri.to_string()) } else { function_arn(uri, vars) }
}

/// How an invocation ended.
pub enum Outcome {
    /// The function returned this payload.
    Returned(Vec<u8>),
    /// The function raised; the payload is its error object.
    Raised(Vec<u8>),
    /// The function could not be invoked.
    Failed,
}

/// Invokes `function` synchronously with `event`.
pub async fn invoke(s: &Shared, function: &str, event: &Value) -> Outcome {
    let Some(arn) = stratus_core::arn::parse(function) else { return Outcome::Failed };
    let (account, region) = (arn.account.to_string(), arn.region.to_string());
    let input = json!({ "FunctionName": function, "Payload": B64.encode(event.to_string()) });
    let out = match s.settings.peers.call("lambda", "Invoke", &account, &region, input).await {
        Ok(out) => out,
        Err(e) => {
            tracing::debug!("API Gateway invoke of {function} failed: {e}");
            return Outcome::Failed;
        }
    };
    let payload = B64.decode(out.str("Payload").unwrap_or_default()).unwrap_or_default();
    if out.get("FunctionError").is_some() { Outcome::Raised(payload) } else { Outcome::Returned(payload) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_from_uri_with_stage_variables() {
        let vars: Map<String, Value> = serde_json::from_value(json!({"fn": "handler"})).unwrap_or_default();
        let uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations";
        assert_eq!(function_arn(uri, &vars).as_deref(), Some("arn:aws:lambda:us-east-1:000000000000:function:handler"));
        assert_eq!(function_arn("http://x", &vars), None);
    }
}
