//! Task resources called in process through `Peers`: Lambda functions
//! (by ARN, and `lambda:invoke` with its response shape), the optimized
//! SQS, SNS and DynamoDB integrations, the `aws-sdk:<service>:<action>`
//! form, nested executions (`states:startExecution`, see `nested`),
//! activities (see `workers`), and `.waitForTaskToken` (the task ends on
//! SendTaskSuccess or SendTaskFailure with its token, or fails when its
//! heartbeat is missed).

use crate::asl::{Failure, Runtime, TaskCall, Tasks};
use crate::nested::{self, Mode};
use crate::shared::Shared;
use base64::Engine;
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use stratus_core::{AwsError, BodyStream};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub struct Integrations {
    shared: Arc<Shared>,
}

impl Integrations {
    pub fn new(shared: Arc<Shared>) -> Integrations {
        Integrations { shared }
    }
}

impl Tasks for Integrations {
    fn prepare<'a>(
        &'a self,
        _rt: &'a Runtime,
        resource: &'a str,
        params: &'a Value,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        async move {
            if resource.ends_with(":states:::apigateway:invoke") {
                return crate::apigw::check(params);
            }
            if !is_activity(resource) {
                return Ok(());
            }
            crate::activities::get(&self.shared, resource)
                .map(drop)
                .map_err(|_| Failure::runtime(format!("The activity {resource} does not exist.")))
        }
        .boxed()
    }

    fn call<'a>(&'a self, rt: &'a Runtime, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Failure>> {
        async move {
            if is_activity(call.resource) {
                return crate::workers::perform(&self.shared, rt, &call).await;
            }
            let Some(token) = call.token.clone() else {
                return self.invoke(rt, call.resource, call.parameters, call.cursor).await;
            };
            let pending = self.shared.tokens.register(&token);
            if call.resumed.is_none() {
                let resource = call.resource.trim_end_matches(".waitForTaskToken");
                let out = self.invoke(rt, resource, call.parameters.clone(), call.cursor).await?;
                submitted(rt, call.cursor, call.resource, &out);
                crate::durable_tokens::persist(rt, &call, false).await;
            }
            pending.answer(call.heartbeat_seconds).await
        }
        .boxed()
    }

    fn fetch<'a>(&'a self, rt: &'a Runtime, resource: &'a str, params: Value) -> BoxFuture<'a, Result<Value, Failure>> {
        async move {
            let peers = &self.shared.settings.peers;
            let scope = (rt.account.as_str(), rt.region.as_str());
            let failed = |e: AwsError| {
                Failure::new("States.ItemReaderFailed", service_failure("S3", &e).cause.unwrap_or_default())
            };
            match resource.split_once(":states:::").map(|(_, r)| r) {
                Some("s3:getObject") => {
                    let out = peers
                        .call_streaming("s3", "GetObject", scope, params, BodyStream::from_bytes(Vec::new()))
                        .await
                        .map_err(failed)?;
                    let mut bytes = Vec::new();
                    if let Some(mut chunks) = out.body {
                        while let Some(chunk) = chunks.recv().await {
                            bytes.extend_from_slice(&chunk);
                        }
                    }
                    Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
                }
                Some("s3:listObjectsV2") => {
                    let out = peers.call("s3", "ListObjectsV2", scope.0, scope.1, params).await.map_err(failed)?;
                    Ok(out.get("Contents").cloned().unwrap_or(Value::Array(Vec::new())))
                }
                _ => Err(Failure::new("States.ItemReaderFailed", format!("The resource {resource} cannot read items"))),
            }
        }
        .boxed()
    }

    fn note_map_run<'a>(&'a self, _rt: &'a Runtime, record: Value) -> BoxFuture<'a, ()> {
        self.shared.map_runs.note(record).boxed()
    }

    fn put<'a>(&'a self, rt: &'a Runtime, params: Value, body: Vec<u8>) -> BoxFuture<'a, Result<(), Failure>> {
        async move {
            let scope = (rt.account.as_str(), rt.region.as_str());
            self.shared
                .settings
                .peers
                .call_streaming("s3", "PutObject", scope, params, BodyStream::from_bytes(body))
                .await
                .map(|_| ())
                .map_err(|e| {
                    Failure::new("States.ResultWriterFailed", service_failure("S3", &e).cause.unwrap_or_default())
                })
        }
        .boxed()
    }
}

impl Integrations {
    async fn invoke(&self, rt: &Runtime, resource: &str, params: Value, cursor: &AtomicI64) -> Result<Value, Failure> {
        let peers = &self.shared.settings.peers;
        let (account, region) = (&rt.account, &rt.region);
        if let Some(rest) = resource.split_once(":states:::").map(|(_, r)| r) {
            if let Some(mode) = rest.strip_prefix("states:").and_then(Mode::of) {
                return nested::run(&self.shared, mode, &params, |out| submitted(rt, cursor, resource, out)).await;
            }
            return match rest {
                "lambda:invoke" => {
                    let out = lambda(peers, account, region, &params).await?;
                    Ok(json!({ "ExecutedVersion": out.0, "Payload": out.1, "StatusCode": 200 }))
                }
                "apigateway:invoke" => crate::apigw::invoke(&self.shared, rt, &params).await,
                "sqs:sendMessage" => {
                    let mut p = params;
                    stringify(&mut p, "MessageBody");
                    call(peers, "sqs", "SendMessage", account, region, p, "SQS").await
                }
                "sns:publish" => {
                    let mut p = params;
                    stringify(&mut p, "Message");
                    call(peers, "sns", "Publish", account, region, p, "SNS").await
                }
                "dynamodb:getItem" => call(peers, "dynamodb", "GetItem", account, region, params, "DynamoDB").await,
                "dynamodb:putItem" => call(peers, "dynamodb", "PutItem", account, region, params, "DynamoDB").await,
                "dynamodb:updateItem" => {
                    call(peers, "dynamodb", "UpdateItem", account, region, params, "DynamoDB").await
                }
                "dynamodb:deleteItem" => {
                    call(peers, "dynamodb", "DeleteItem", account, region, params, "DynamoDB").await
                }
                "dynamodb:query" => call(peers, "dynamodb", "Query", account, region, params, "DynamoDB").await,
                other => match other.strip_prefix("aws-sdk:").and_then(|r| r.split_once(':')) {
                    Some((svc, action)) => sdk(peers, svc, action, account, region, params).await,
                    None => Err(Failure::runtime(format!("The resource {resource} is not supported by Stratus"))),
                },
            };
        }
        if resource.contains(":lambda:") {
            let p = json!({ "FunctionName": resource, "Payload": params });
            return lambda(peers, account, region, &p).await.map(|(_, payload)| payload);
        }
        Err(Failure::runtime(format!("The resource {resource} is not supported by Stratus")))
    }
}

/// Whether a Task resource is an activity ARN.
fn is_activity(resource: &str) -> bool {
    resource.starts_with("arn:") && resource.split(':').nth(5) == Some("activity")
}

/// Records TaskSubmitted (a `.waitForTaskToken` or `.sync` task's request
/// was accepted; it now waits) after the task's last event.
fn submitted(rt: &Runtime, cursor: &AtomicI64, resource: &str, output: &Value) {
    let Some((kind, res)) = crate::asl::task::service_names(resource) else { return };
    let mut at = cursor.load(Ordering::SeqCst);
    rt.history.emit(&mut at, "TaskSubmitted", || {
        Some((
            "taskSubmittedEventDetails",
            json!({ "output": output.to_string(), "outputDetails": {"truncated": false}, "resource": res, "resourceType": kind }),
        ))
    });
    cursor.store(at, Ordering::SeqCst);
}

/// A non-string member becomes its JSON text (SQS bodies, SNS messages).
fn stringify(params: &mut Value, member: &str) {
    if let Some(v) = params.get_mut(member)
        && !v.is_string()
    {
        *v = Value::String(v.to_string());
    }
}

/// Invokes a function; returns its executed version and parsed payload,
/// or its error as the task's failure.
async fn lambda(
    peers: &stratus_core::Peers,
    account: &str,
    region: &str,
    params: &Value,
) -> Result<(Value, Value), Failure> {
    let payload = params.get("Payload").cloned().unwrap_or(Value::Null);
    let mut input = Map::new();
    for (k, v) in params.as_object().into_iter().flatten() {
        if k != "Payload" {
            input.insert(k.clone(), v.clone());
        }
    }
    input.insert("Payload".into(), json!(B64.encode(payload.to_string())));
    let out = peers
        .call("lambda", "Invoke", account, region, Value::Object(input))
        .await
        .map_err(|e| service_failure("Lambda", &e))?;
    let bytes = out.get("Payload").and_then(Value::as_str).and_then(|p| B64.decode(p).ok()).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
    if out.get("FunctionError").is_some() {
        let error = parsed.get("errorType").and_then(Value::as_str).unwrap_or("Exception").to_string();
        return Err(Failure::new(error, text));
    }
    Ok((out.get("ExecutedVersion").cloned().unwrap_or(json!("$LATEST")), parsed))
}

async fn call(
    peers: &stratus_core::Peers,
    service: &'static str,
    operation: &'static str,
    account: &str,
    region: &str,
    params: Value,
    label: &str,
) -> Result<Value, Failure> {
    peers.call(service, operation, account, region, params).await.map_err(|e| service_failure(label, &e))
}

/// `<Service>.<ErrorCode>` with AWS's cause text.
fn service_failure(label: &str, e: &AwsError) -> Failure {
    let code = if e.code.ends_with("Exception") { e.code.clone() } else { format!("{}Exception", e.code) };
    Failure::new(
        format!("{label}.{code}"),
        format!(
            "{} (Service: {label}, Status Code: {}, Request ID: {})",
            e.message,
            e.status,
            stratus_core::ids::request_id()
        ),
    )
}

/// The services the `aws-sdk:` form reaches, and their error prefixes.
const SDK_SERVICES: &[(&str, &str, &str)] = &[
    ("lambda", "lambda", "Lambda"),
    ("sqs", "sqs", "Sqs"),
    ("sns", "sns", "Sns"),
    ("dynamodb", "dynamodb", "DynamoDb"),
    ("s3", "s3", "S3"),
    ("sfn", "stepfunctions", "Sfn"),
    ("iam", "iam", "Iam"),
    ("sts", "sts", "Sts"),
    ("cloudwatchlogs", "logs", "CloudWatchLogs"),
];

async fn sdk(
    peers: &stratus_core::Peers,
    svc: &str,
    action: &str,
    account: &str,
    region: &str,
    params: Value,
) -> Result<Value, Failure> {
    let Some((_, model, label)) = SDK_SERVICES.iter().find(|(n, _, _)| *n == svc) else {
        return Err(Failure::runtime(format!("The service {svc} is not available in Stratus")));
    };
    let operation = pascal(action);
    let target = peers.get(model).ok_or_else(|| Failure::runtime(format!("The service {svc} is not running")))?;
    let op = target
        .operations()
        .iter()
        .find(|o| **o == operation)
        .copied()
        .ok_or_else(|| Failure::runtime(format!("The action {action} of {svc} is not supported")))?;
    let service = target.name();
    // ASL writes parameters in PascalCase and reads results so; these
    // services' members are camelCase.
    let camel = CAMEL_CASE.contains(&svc);
    let params = if camel { rekey(params, lower_first) } else { params };
    let out = peers.call(service, op, account, region, params).await.map_err(|e| service_failure(label, &e))?;
    Ok(if camel { rekey(out, pascal) } else { out })
}

/// The `aws-sdk:` services whose model members are camelCase.
const CAMEL_CASE: &[&str] = &["sfn", "cloudwatchlogs"];

/// An object's top-level member names through `f`.
fn rekey(v: Value, f: impl Fn(&str) -> String) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (f(&k), v)).collect()),
        other => other,
    }
}

/// `sendMessage` → `SendMessage`.
fn pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// `TaskToken` → `taskToken`.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
