//! Delivery to Lambda functions: an asynchronous Invoke (InvocationType
//! Event) of the Lambda service of the same server with the SNS event.

use crate::shared::Shared;
use base64::Engine;
use serde_json::{Value, json};

pub async fn invoke(s: &Shared, function_arn: &str, event: &Value) -> Result<(), String> {
    let (_, region, account, _) = crate::arns::split(function_arn).ok_or("not a Lambda function ARN")?;
    let payload = base64::engine::general_purpose::STANDARD.encode(event.to_string());
    let input = json!({ "FunctionName": function_arn, "InvocationType": "Event", "Payload": payload });
    s.settings
        .peers
        .call("lambda", "Invoke", &account, &region, input)
        .await
        .map(|_| ())
        .map_err(|e| format!("{}: {}", e.code, e.message))
}
