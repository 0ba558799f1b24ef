//! Calling a Lambda function from an integration: the function named by an
//! integration URI (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/
//! functions/{functionArn}/invocations`, stage variables substituted), and
//! a synchronous Invoke of the Lambda service in the same process.

use crate::state::Shared;
use base64::Engine;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// `text` with every `${stageVariables.name}` replaced by the variable.
pub fn substitute(text: &str, vars: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${stageVariables.") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "${stageVariables.".len()..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        out.push_str(vars.get(&after[..end]).and_then(Value::as_str).unwrap_or_default());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The function ARN an integration calls.
pub fn function_arn(integration: &Value, vars: &Map<String, Value>) -> Option<String> {
    let uri = substitute(integration.str("uri")?, vars);
    let (_, after) = uri.split_once(":lambda:path/")?;
    let function = after.split_once("/functions/")?.1.strip_suffix("/invocations")?;
    Some(function.to_string())
}

/// Invokes `function` with `event` and returns its payload; on failure the
/// status API Gateway answers with (502 for a function error, 500 else).
pub async fn invoke(s: &Shared, function: &str, event: &Value) -> Result<Vec<u8>, u16> {
    let arn = stratus_core::arn::parse(function).ok_or(500u16)?;
    let (account, region) = (arn.account.to_string(), arn.region.to_string());
    let input = json!({ "FunctionName": function, "Payload": B64.encode(event.to_string()) });
    let out = s.settings.peers.call("lambda", "Invoke", &account, &region, input).await.map_err(|e| {
        tracing::debug!("integration invoke of {function} failed: {e}");
        500u16
    })?;
    if out.get("FunctionError").is_some() {
        return Err(502);
    }
    B64.decode(out.str("Payload").unwrap_or_default()).map_err(|_| 502)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_from_uri_with_stage_variables() {
        let vars: Map<String, Value> = serde_json::from_value(json!({"fn": "handler"})).unwrap_or_default();
        let i = json!({"uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations"});
        assert_eq!(function_arn(&i, &vars).as_deref(), Some("arn:aws:lambda:us-east-1:000000000000:function:handler"));
        assert_eq!(function_arn(&json!({"uri": "http://x"}), &vars), None);
    }
}
