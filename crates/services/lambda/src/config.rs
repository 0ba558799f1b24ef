//! A function's configuration as Lambda returns it (FunctionConfiguration),
//! built from CreateFunction/UpdateFunctionConfiguration input, with AWS's
//! checks of runtime, timeout and environment variables.

use crate::errors;
use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

/// Runtimes Lambda no longer accepts for create or update.
const DEPRECATED: &[&str] = &[
    "python2.7",
    "python3.6",
    "python3.7",
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "java8",
    "go1.x",
    "ruby2.5",
    "ruby2.7",
    "provided",
];

/// Runtimes Lambda accepts, in the order its messages list them.
const RUNTIMES: &[&str] = &[
    "nodejs20.x",
    "python3.14",
    "provided.al2023",
    "python3.12",
    "python3.13",
    "nodejs24.x",
    "nodejs22.x",
    "java25",
    "python3.10",
    "python3.11",
    "java21",
    "ruby3.3",
    "ruby3.4",
    "ruby3.2",
    "python3.8",
    "python3.9",
    "java17",
    "nodejs16.x",
    "dotnet10",
    "dotnet8",
    "java11",
    "dotnet6",
    "nodejs18.x",
    "provided.al2",
    "java8.al2",
];

/// Variables Lambda sets itself and callers may not.
const RESERVED_VARS: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

pub fn check_runtime(runtime: &str) -> Result<(), AwsError> {
    if DEPRECATED.contains(&runtime) {
        return Err(errors::invalid(format!(
            "The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions."
        )));
    }
    if !RUNTIMES.contains(&runtime) {
        return Err(errors::invalid(format!(
            "Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [{}] or be a valid ARN",
            RUNTIMES.join(", ")
        )));
    }
    Ok(())
}

/// A Zip function names its runtime, and its handler unless the runtime is
/// an OS-only one (`provided*`, where the bootstrap reads `_HANDLER` itself).
pub fn check_runtime_and_handler(input: &Value) -> Result<(), AwsError> {
    let runtime = input.str("Runtime").unwrap_or("");
    let needs_handler = !runtime.starts_with("provided");
    if runtime.is_empty() || (needs_handler && input.str("Handler").is_none_or(str::is_empty)) {
        return Err(errors::invalid(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
        ));
    }
    Ok(())
}

/// Upper limits that are Lambda's own rather than the model's (the model
/// allows 32,768 MB for capacity-provider functions): timeout 900 s, memory
/// and ephemeral storage 10,240 MB. AWS words them as model violations.
pub fn check_max(value: i64, member: &str, max: i64) -> Result<(), AwsError> {
    if value > max {
        return Err(errors::validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {max}"
        )));
    }
    Ok(())
}

fn ephemeral_size(input: &Value) -> Option<i64> {
    input.get("EphemeralStorage").and_then(|e| e.i64("Size"))
}

/// Checks the members with Lambda's own upper limits that `input` sets.
fn check_limits(input: &Value) -> Result<(), AwsError> {
    if let Some(t) = input.i64("Timeout") {
        check_max(t, "timeout", 900)?;
    }
    if let Some(m) = input.i64("MemorySize") {
        check_max(m, "memorySize", 10_240)?;
    }
    if let Some(s) = ephemeral_size(input) {
        check_max(s, "ephemeralStorage.size", 10_240)?;
    }
    Ok(())
}

/// Checks `Environment.Variables`: reserved keys, then the 4 KB total.
pub fn check_environment(vars: &Map<String, Value>) -> Result<(), AwsError> {
    let reserved: Vec<&str> = vars.keys().map(String::as_str).filter(|k| RESERVED_VARS.contains(k)).collect();
    if !reserved.is_empty() {
        return Err(errors::invalid(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {}",
            reserved.join(", ")
        )));
    }
    let measured = serde_json::to_string(vars).unwrap_or_default();
    if measured.len() > 4096 {
        return Err(errors::invalid(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {measured}"
        )));
    }
    Ok(())
}

/// The $LATEST configuration of a new function.
pub fn new_config(input: &Value, arn: &str, name: &str, code_sha: &str, code_size: usize) -> Result<Value, AwsError> {
    let runtime = input.str("Runtime").unwrap_or("");
    if !runtime.is_empty() {
        check_runtime(runtime)?;
    }
    check_limits(input)?;
    let timeout = input.i64("Timeout").unwrap_or(3);
    let vars = env_vars(input)?;
    let mut c = json!({
        "FunctionName": name,
        "FunctionArn": arn,
        "Role": input.str("Role").unwrap_or(""),
        "CodeSize": code_size,
        "Description": input.str("Description").unwrap_or(""),
        "Timeout": timeout,
        "MemorySize": input.i64("MemorySize").unwrap_or(128),
        "LastModified": last_modified(),
        "CodeSha256": code_sha,
        "Version": "$LATEST",
        "Environment": { "Variables": vars },
        "TracingConfig": { "Mode": input.get("TracingConfig").and_then(|t| t.str("Mode")).unwrap_or("PassThrough") },
        "RevisionId": uuid::Uuid::new_v4().to_string(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": [input.list("Architectures").first().and_then(Value::as_str).unwrap_or("x86_64")],
        "EphemeralStorage": { "Size": ephemeral_size(input).unwrap_or(512) },
        "SnapStart": { "ApplyOn": input.get("SnapStart").and_then(|s| s.str("ApplyOn")).unwrap_or("None"), "OptimizationStatus": "Off" },
        "LoggingConfig": { "LogFormat": "Text", "LogGroup": format!("/aws/lambda/{name}") },
    });
    if !runtime.is_empty() {
        c["Runtime"] = runtime.into();
        c["RuntimeVersionConfig"] =
            json!({ "RuntimeVersionArn": format!("arn:aws:lambda:{}::runtime:{}", region_of(arn), hex32(runtime)) });
    }
    if let Some(h) = input.str("Handler") {
        c["Handler"] = h.into();
    }
    if let Some(l) = input.get("LoggingConfig") {
        merge_logging(&mut c, l);
    }
    dead_letter(&mut c, input);
    crate::snapstart::check(&c)?;
    Ok(c)
}

/// `DeadLetterConfig.TargetArn`: set, or removed by an empty one.
fn dead_letter(c: &mut Value, input: &Value) {
    let Some(target) = input.get("DeadLetterConfig").map(|d| d.str("TargetArn").unwrap_or("")) else { return };
    if target.is_empty() {
        if let Some(o) = c.as_object_mut() {
            o.remove("DeadLetterConfig");
        }
    } else {
        c["DeadLetterConfig"] = json!({ "TargetArn": target });
    }
}

/// Applies UpdateFunctionConfiguration members to `c`.
pub fn update_config(c: &mut Value, input: &Value) -> Result<(), AwsError> {
    check_limits(input)?;
    if let Some(r) = input.str("Runtime") {
        check_runtime(r)?;
        c["Runtime"] = r.into();
    }
    if let Some(t) = input.i64("Timeout") {
        c["Timeout"] = t.into();
    }
    if input.get("Environment").is_some() {
        c["Environment"] = json!({ "Variables": env_vars(input)? });
    }
    for key in ["Role", "Handler", "Description"] {
        if let Some(v) = input.str(key) {
            c[key] = v.into();
        }
    }
    if let Some(m) = input.i64("MemorySize") {
        c["MemorySize"] = m.into();
    }
    if let Some(s) = ephemeral_size(input) {
        c["EphemeralStorage"] = json!({ "Size": s });
    }
    if let Some(m) = input.get("TracingConfig").and_then(|t| t.str("Mode")) {
        c["TracingConfig"] = json!({ "Mode": m });
    }
    if let Some(a) = input.get("SnapStart").and_then(|s| s.str("ApplyOn")) {
        c["SnapStart"] = json!({ "ApplyOn": a, "OptimizationStatus": "Off" });
    }
    if let Some(l) = input.get("LoggingConfig") {
        merge_logging(c, l);
    }
    dead_letter(c, input);
    crate::snapstart::check(c)?;
    touch(c);
    Ok(())
}

fn merge_logging(c: &mut Value, l: &Value) {
    for key in ["LogFormat", "LogGroup", "ApplicationLogLevel", "SystemLogLevel"] {
        if let Some(v) = l.str(key) {
            c["LoggingConfig"][key] = v.into();
        }
    }
}

/// New RevisionId and LastModified after a change.
pub fn touch(c: &mut Value) {
    c["RevisionId"] = uuid::Uuid::new_v4().to_string().into();
    c["LastModified"] = last_modified().into();
}

fn env_vars(input: &Value) -> Result<Map<String, Value>, AwsError> {
    let vars = input
        .get("Environment")
        .and_then(|e| e.get("Variables"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    check_environment(&vars)?;
    Ok(vars)
}

/// `2024-05-01T12:00:00.000+0000`, as Lambda writes LastModified.
pub fn last_modified() -> String {
    let now = stratus_core::clock::now();
    let fmt =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000");
    now.format(&fmt).unwrap_or_default()
}

fn region_of(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or("us-east-1")
}

fn hex32(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

/// The response form of a stored configuration: what Create/Update return
/// right after a change (Pending / InProgress), as AWS does.
pub fn as_created(c: &Value) -> Value {
    let mut c = c.clone();
    c["State"] = "Pending".into();
    c["StateReason"] = "The function is being created.".into();
    c["StateReasonCode"] = "Creating".into();
    if let Some(o) = c.as_object_mut() {
        o.remove("LastUpdateStatus");
    }
    c
}

pub fn as_updating(c: &Value) -> Value {
    let mut c = c.clone();
    c["LastUpdateStatus"] = "InProgress".into();
    c["LastUpdateStatusReason"] = "The function is being created.".into();
    c["LastUpdateStatusReasonCode"] = "Creating".into();
    c
}
