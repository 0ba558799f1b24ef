//! Notification destinations: the check PutBucketNotificationConfiguration
//! makes of every queue, topic and function it names (the `s3:TestEvent`
//! sent to queues and topics, the function looked up), AWS's error listing
//! the destinations that failed, and the sending of one message to a
//! destination named by ARN.

use base64::Engine;
use serde_json::{Value, json};
use stratus_core::{AwsError, Peers, RequestContext};

use crate::error::invalid_argument;
use crate::shared::Shared;

/// The kind of destination a configuration list names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    Queue,
    Topic,
    Function,
}

impl Kind {
    fn peer(self) -> &'static str {
        match self {
            Kind::Queue => "sqs",
            Kind::Topic => "sns",
            Kind::Function => "lambda",
        }
    }

    /// The entry AWS's "Unable to validate" error gives a destination that
    /// failed: (ArgumentNameN, ArgumentValueN).
    fn failure(self, arn: &str) -> (String, String) {
        match self {
            Kind::Queue => (arn.to_string(), "The destination queue does not exist".to_string()),
            Kind::Topic => (arn.to_string(), "The destination topic does not exist".to_string()),
            Kind::Function => (format!("{arn}, null"), format!("Not authorized to invoke function [{arn}]")),
        }
    }
}

/// Checks each destination once, in order, as S3 does before storing a
/// configuration: queues and topics get the `s3:TestEvent` message, a
/// function must exist. A destination whose service is not part of this
/// server is not checked.
pub async fn validate(
    sh: &Shared,
    ctx: &RequestContext,
    bucket: &str,
    destinations: &[(Kind, String)],
) -> Result<(), AwsError> {
    let mut failures = Vec::new();
    for (i, (kind, arn)) in destinations.iter().enumerate() {
        if destinations[..i].iter().any(|(_, seen)| seen == arn) || sh.peers.get(kind.peer()).is_none() {
            continue;
        }
        let checked = match kind {
            Kind::Function => function_exists(&sh.peers, arn).await,
            _ => send(&sh.peers, &sh.endpoint, *kind, arn, &test_event(ctx, bucket).to_string()).await.map(drop),
        };
        if checked.is_err() {
            failures.push(kind.failure(arn));
        }
    }
    if failures.is_empty() {
        return Ok(());
    }
    let mut err =
        AwsError::bad_request("InvalidArgument", "Unable to validate the following destination configurations");
    for (i, (name, value)) in failures.into_iter().enumerate() {
        err = err
            .with_field(&format!("ArgumentName{}", i + 1), Value::from(name))
            .with_field(&format!("ArgumentValue{}", i + 1), Value::from(value));
    }
    Err(err)
}

/// The message S3 sends a queue or topic when a configuration names it.
fn test_event(ctx: &RequestContext, bucket: &str) -> Value {
    json!({
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": stratus_core::clock::iso8601(crate::shared::now()),
        "Bucket": bucket,
        "RequestId": ctx.request_id,
        "HostId": base64::engine::general_purpose::STANDARD.encode(&ctx.request_id),
    })
}

async fn function_exists(peers: &Peers, arn: &str) -> Result<(), AwsError> {
    let (account, region, _) = parts(arn)?;
    peers.call("lambda", "GetFunction", &account, &region, json!({"FunctionName": arn})).await.map(drop)
}

/// (account, region, resource) of a destination ARN.
fn parts(arn: &str) -> Result<(String, String, String), AwsError> {
    let parsed = stratus_core::arn::parse(arn)
        .ok_or_else(|| invalid_argument("The ARN could not be parsed", "Arn", Some(arn)))?;
    Ok((parsed.account.to_string(), parsed.region.to_string(), parsed.resource.to_string()))
}

/// Sends one message to a queue, topic or function named by ARN (a
/// function is invoked asynchronously with the message as its event).
pub async fn send(peers: &Peers, endpoint: &str, kind: Kind, arn: &str, body: &str) -> Result<Value, AwsError> {
    let (account, region, resource) = parts(arn)?;
    match kind {
        Kind::Queue => {
            let url = format!("{}/{account}/{resource}", endpoint.trim_end_matches('/'));
            peers.call("sqs", "SendMessage", &account, &region, json!({"QueueUrl": url, "MessageBody": body})).await
        }
        Kind::Topic => {
            let input = json!({"TopicArn": arn, "Message": body, "Subject": "Amazon S3 Notification"});
            peers.call("sns", "Publish", &account, &region, input).await
        }
        Kind::Function => {
            let payload = base64::engine::general_purpose::STANDARD.encode(body);
            let input = json!({"FunctionName": arn, "InvocationType": "Event", "Payload": payload});
            peers.call("lambda", "Invoke", &account, &region, input).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_use_aws_texts() {
        let arn = "arn:aws:lambda:us-east-1:111111111111:function:f";
        assert_eq!(
            Kind::Function.failure(arn),
            (format!("{arn}, null"), format!("Not authorized to invoke function [{arn}]"))
        );
        let q = "arn:aws:sqs:us-east-1:111111111111:q";
        assert_eq!(Kind::Queue.failure(q).1, "The destination queue does not exist");
    }
}
