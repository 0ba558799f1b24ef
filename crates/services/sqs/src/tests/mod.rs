//! Service-level tests: calls go through `Service::call` with model-keyed
//! input, as the front door and peer services make them.

mod fifo;
mod messages;
mod queues;

use serde_json::{Value, json};
use stratus_core::{AwsError, RequestContext, Service, Settings};
use stratus_store::Store;

use crate::Sqs;

pub fn sqs() -> Sqs {
    Sqs::new(Store::in_memory().expect("store"), &Settings::default())
}

pub async fn call(sqs: &Sqs, op: &'static str, input: Value) -> Result<Value, AwsError> {
    sqs.call(&RequestContext::internal("sqs", op), input).await
}

pub async fn ok(sqs: &Sqs, op: &'static str, input: Value) -> Value {
    match call(sqs, op, input).await {
        Ok(v) => v,
        Err(e) => panic!("{op} failed: {e}"),
    }
}

pub async fn err(sqs: &Sqs, op: &'static str, input: Value) -> AwsError {
    match call(sqs, op, input).await {
        Ok(v) => panic!("{op} succeeded: {v}"),
        Err(e) => e,
    }
}

pub async fn create(sqs: &Sqs, name: &str, attrs: Value) -> String {
    let out = ok(sqs, "CreateQueue", json!({"QueueName": name, "Attributes": attrs})).await;
    out["QueueUrl"].as_str().unwrap_or_default().to_string()
}

pub async fn receive(sqs: &Sqs, url: &str, extra: Value) -> Vec<Value> {
    let mut input = json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "MessageSystemAttributeNames": ["All"]});
    if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
        i.extend(e.clone());
    }
    let out = ok(sqs, "ReceiveMessage", input).await;
    out.get("Messages").and_then(Value::as_array).cloned().unwrap_or_default()
}
