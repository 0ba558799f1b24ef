//! Where Lambda sends records about invocations: destinations of
//! asynchronous invocations (OnSuccess/OnFailure to SQS, SNS or another
//! function) with AWS's invocation record, dead-letter queues of functions
//! (DeadLetterConfig: the original event with RequestID, ErrorCode and
//! ErrorMessage attributes), and the on-failure destinations of stream
//! event source mappings. Deliveries go through the peers as the account
//! and region of the target's ARN.

use crate::state::Shared;
use base64::Engine;
use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The target's service, account and region, from its ARN.
fn parts(arn: &str) -> Result<(String, String, String), AwsError> {
    let a = stratus_core::arn::parse(arn).ok_or_else(|| {
        AwsError::bad_request("InvalidParameterValueException", format!("Invalid destination: {arn}"))
    })?;
    Ok((a.service.to_string(), a.account.to_string(), a.region.to_string()))
}

/// A JSON payload as a value (a string when it is not JSON; null when empty).
pub fn as_json(payload: &[u8]) -> Value {
    if payload.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(payload).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(payload).into_owned()))
}

/// Sends `record` (as JSON text) to an SQS queue, SNS topic or function.
pub async fn deliver(s: &Shared, target: &str, record: &Value) -> Result<(), AwsError> {
    let (service, account, region) = parts(target)?;
    let peers = &s.settings.peers;
    let text = record.to_string();
    match service.as_str() {
        "sqs" => {
            let name = target.rsplit(':').next().unwrap_or("");
            let url = crate::esm::queue_url(s, &account, &region, name).await?;
            peers
                .call("sqs", "SendMessage", &account, &region, json!({ "QueueUrl": url, "MessageBody": text }))
                .await?;
        }
        "sns" => {
            peers.call("sns", "Publish", &account, &region, json!({ "TopicArn": target, "Message": text })).await?;
        }
        "lambda" => {
            let input = json!({ "FunctionName": target, "InvocationType": "Event", "Payload": B64.encode(&text) });
            peers.call("lambda", "Invoke", &account, &region, input).await?;
        }
        other => {
            return Err(AwsError::internal(format!("Stratus cannot deliver to {other} destinations ({target})")));
        }
    }
    Ok(())
}

/// Sends a failed event to a function's dead-letter queue or topic.
pub async fn dead_letter(
    s: &Shared,
    target: &str,
    payload: &[u8],
    request_id: &str,
    error_message: &str,
) -> Result<(), AwsError> {
    let (service, account, region) = parts(target)?;
    let body = String::from_utf8_lossy(payload).into_owned();
    let attrs = json!({
        "RequestID": { "DataType": "String", "StringValue": request_id },
        "ErrorCode": { "DataType": "Number", "StringValue": "200" },
        "ErrorMessage": { "DataType": "String", "StringValue": error_message },
    });
    let peers = &s.settings.peers;
    match service.as_str() {
        "sqs" => {
            let name = target.rsplit(':').next().unwrap_or("");
            let url = crate::esm::queue_url(s, &account, &region, name).await?;
            let input = json!({ "QueueUrl": url, "MessageBody": body, "MessageAttributes": attrs });
            peers.call("sqs", "SendMessage", &account, &region, input).await?;
        }
        "sns" => {
            let input = json!({ "TopicArn": target, "Message": body, "MessageAttributes": attrs });
            peers.call("sns", "Publish", &account, &region, input).await?;
        }
        other => return Err(AwsError::internal(format!("Stratus cannot deliver to {other} dead-letter targets"))),
    }
    Ok(())
}

/// What an asynchronous invocation's record says about its last attempt.
pub struct Attempt<'a> {
    pub request_id: &'a str,
    /// The function ARN with the version that ran, e.g. `…:function:f:$LATEST`.
    pub function_arn: String,
    /// `Success`, `RetriesExhausted` or `EventAgeExceeded`.
    pub condition: &'a str,
    pub invoke_count: u32,
    pub request: &'a [u8],
    /// Status, executed version, function error and payload of the last run.
    pub response: Option<(u16, &'a str, Option<&'a str>, &'a [u8])>,
}

/// AWS's invocation record for asynchronous destinations.
pub fn async_record(a: &Attempt<'_>) -> Value {
    let mut r = json!({
        "version": "1.0",
        "timestamp": stratus_core::clock::iso8601(stratus_core::clock::now_epoch()),
        "requestContext": {
            "requestId": a.request_id,
            "functionArn": a.function_arn,
            "condition": a.condition,
            "approximateInvokeCount": a.invoke_count,
        },
        "requestPayload": as_json(a.request),
    });
    if let Some((status, version, error, payload)) = a.response {
        let mut rc = json!({ "statusCode": status, "executedVersion": version });
        if let Some(e) = error {
            rc["functionError"] = json!(e);
        }
        r["responseContext"] = rc;
        r["responsePayload"] = as_json(payload);
    }
    r
}

/// The `errorMessage` of a function error payload (empty when there is none).
pub fn error_message(payload: &[u8]) -> String {
    as_json(payload).str("errorMessage").unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn async_records_have_aws_shape() {
        let a = Attempt {
            request_id: "rid",
            function_arn: "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST".into(),
            condition: "RetriesExhausted",
            invoke_count: 3,
            request: br#"{"k": 1}"#,
            response: Some((
                200,
                "$LATEST",
                Some("Unhandled"),
                br#"{"errorMessage": "boom", "errorType": "ValueError"}"#,
            )),
        };
        let r = async_record(&a);
        let keys: Vec<&String> = r.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(
            keys,
            ["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"]
        );
        assert_eq!(r["version"], "1.0");
        assert_eq!(
            r["requestContext"],
            json!({"requestId": "rid", "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
                   "condition": "RetriesExhausted", "approximateInvokeCount": 3})
        );
        assert_eq!(r["requestPayload"], json!({"k": 1}));
        assert_eq!(
            r["responseContext"],
            json!({"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"})
        );
        assert_eq!(r["responsePayload"]["errorMessage"], "boom");
        let ts = r["timestamp"].as_str().unwrap_or("");
        assert!(ts.ends_with('Z') && ts.len() == 24, "{ts}");
        let ok = async_record(&Attempt { condition: "Success", response: Some((200, "1", None, b"\"done\"")), ..a });
        assert!(ok["responseContext"].get("functionError").is_none());
        assert_eq!(ok["responsePayload"], "done");
        assert_eq!(error_message(br#"{"errorMessage": "boom"}"#), "boom");
        assert_eq!(as_json(b""), Value::Null);
        assert_eq!(as_json(b"plain"), json!("plain"));
    }
}
