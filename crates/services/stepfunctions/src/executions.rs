//! Execution operations: StartExecution, StartSyncExecution (Express),
//! DescribeExecution, ListExecutions, StopExecution, GetExecutionHistory and
//! DescribeStateMachineForExecution.

use crate::aliases;
use crate::errors;
use crate::machines::describe_output;
use crate::model::{Execution, Keys, StateMachine, decode};
use crate::names;
use crate::runner;
use crate::shared::Shared;
use base64::Engine;
use serde_json::{Value, json};
use std::sync::Arc;
use stratus_core::AwsError;
use stratus_core::input::Input;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The `input` member parsed (and as written), with AWS's
/// InvalidExecutionInput texts.
fn parse_input(input: &Value) -> Result<(Value, String), AwsError> {
    let text = input.str("input").unwrap_or("{}");
    let parsed = serde_json::from_str(text).map_err(|e| {
        let token: String = text.trim_start().chars().take_while(|c| c.is_alphanumeric()).collect();
        if !token.is_empty() {
            errors::invalid_input(&format!(
                "Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
            ))
        } else if text.trim_start().starts_with("{'") {
            errors::invalid_input("Unexpected character (''' (code 39)): was expecting double-quote to start field name")
        } else {
            errors::invalid_input(&format!("Invalid execution input. {e}"))
        }
    })?;
    Ok((parsed, text.to_string()))
}

fn name_of(input: &Value) -> Result<String, AwsError> {
    match input.str("name") {
        Some(n) => {
            names::check(n)?;
            Ok(n.to_string())
        }
        None => Ok(uuid::Uuid::new_v4().to_string()),
    }
}

pub async fn start(s: &Arc<Shared>, input: &Value) -> Result<Value, AwsError> {
    let target = aliases::resolve(s, input.req_str("stateMachineArn")?)?;
    let sm = &target.machine;
    let name = name_of(input)?;
    let data = parse_input(input)?;
    if sm.is_express() {
        let arn = express_arn(sm, &name);
        let (shared, sm2, arn2) = (s.clone(), sm.clone(), arn.clone());
        s.spawn(async move {
            let _ = runner::run_express(&shared, &sm2, &arn2, &name, data.0).await;
        });
        return Ok(json!({ "executionArn": arn, "startDate": stratus_core::clock::now_epoch() }));
    }
    let keys = Keys::new(&sm.account, &sm.region);
    if let Some(b) = s.store.get(keys.execution(&sm.name, &name))? {
        let old: Execution = decode(&b)?;
        if old.status == "RUNNING" && old.input == data.1 {
            return Ok(json!({ "executionArn": old.arn, "startDate": old.start }));
        }
        return Err(errors::execution_exists(&old.arn));
    }
    let rec = runner::start_standard(s, &target, &name, data).await?;
    Ok(json!({ "executionArn": rec.arn, "startDate": rec.start }))
}

pub fn express_arn(sm: &StateMachine, name: &str) -> String {
    names::arn(&sm.region, &sm.account, &format!("express:{}:{name}:{}", sm.name, uuid::Uuid::new_v4()))
}

pub async fn start_sync(s: &Arc<Shared>, input: &Value) -> Result<Value, AwsError> {
    let target = aliases::resolve(s, input.req_str("stateMachineArn")?)?;
    let sm = &target.machine;
    if !sm.is_express() {
        return Err(errors::not_supported());
    }
    let name = name_of(input)?;
    let data = parse_input(input)?;
    let arn = express_arn(sm, &name);
    let start = stratus_core::clock::now_epoch();
    let (data, text) = data;
    let out = runner::run_express(s, sm, &arn, &name, data).await?;
    let mut v = json!({
        "executionArn": arn,
        "stateMachineArn": target.machine_arn,
        "name": name,
        "startDate": start,
        "stopDate": out.stop,
        "status": out.status,
        "input": text,
        "inputDetails": {"included": true},
        "billingDetails": {
            "billedMemoryUsedInMB": 64,
            "billedDurationInMilliseconds": (((out.stop - start) * 1000.0).ceil() as i64).max(100),
        },
    });
    if let Some(o) = out.output {
        v["output"] = json!(o.to_string());
        v["outputDetails"] = json!({"included": true});
    }
    if let Some(f) = out.failure {
        if !f.error.is_empty() {
            v["error"] = json!(f.error);
        }
        if let Some(c) = f.cause {
            v["cause"] = json!(c);
        }
    }
    Ok(v)
}

/// The execution record an ARN names.
pub fn execution(s: &Shared, arn: &str) -> Result<Execution, AwsError> {
    let a = names::parse(arn)?;
    if a.kind == "express" {
        return Err(errors::invalid_arn("Resource type not valid in this context: express"));
    }
    if a.kind != "execution" || a.parts.len() != 2 {
        return Err(errors::invalid_arn(arn));
    }
    let keys = Keys::new(a.account, a.region);
    match s.store.get(keys.execution(a.parts[0], a.parts[1]))? {
        Some(b) => decode(&b),
        None => Err(errors::execution_not_found(arn)),
    }
}

fn redrive_status(status: &str) -> &'static str {
    match status {
        "FAILED" | "TIMED_OUT" | "ABORTED" => "REDRIVABLE",
        _ => "NOT_REDRIVABLE",
    }
}

pub fn describe(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let e = execution(s, input.req_str("executionArn")?)?;
    let mut v = json!({
        "executionArn": e.arn,
        "stateMachineArn": e.machine_arn,
        "name": e.name,
        "status": e.status,
        "startDate": e.start,
        "input": e.input,
        "inputDetails": {"included": true},
        "redriveCount": e.redrive_count,
        "redriveStatus": redrive_status(&e.status),
    });
    qualifiers(&mut v, &e);
    if let Some(d) = e.redrive_date {
        v["redriveDate"] = json!(d);
    }
    if let Some(stop) = e.stop {
        v["stopDate"] = json!(stop);
    }
    if let Some(o) = &e.output {
        v["output"] = json!(o);
        v["outputDetails"] = json!({"included": true});
    }
    if let Some(err) = &e.error {
        v["error"] = json!(err);
    }
    if let Some(c) = &e.cause {
        v["cause"] = json!(c);
    }
    if e.status == "SUCCEEDED" {
        v["redriveStatusReason"] = json!("Execution is SUCCEEDED and cannot be redriven");
    }
    Ok(v)
}

/// The version and alias ARNs an execution was started through.
fn qualifiers(v: &mut Value, e: &Execution) {
    if let Some(a) = &e.version_arn {
        v["stateMachineVersionArn"] = json!(a);
    }
    if let Some(a) = &e.alias_arn {
        v["stateMachineAliasArn"] = json!(a);
    }
}

/// An index-based page token over an in-memory list.
fn page<T>(items: Vec<T>, input: &Value) -> Result<(Vec<T>, Option<String>), AwsError> {
    let start = match input.str("nextToken") {
        Some(t) => B64
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(|| errors::invalid_token("Invalid token"))?,
        None => 0,
    };
    let size = match input.i64("maxResults") {
        Some(n) if n > 0 => n as usize,
        _ => 100,
    };
    let total = items.len();
    let out: Vec<T> = items.into_iter().skip(start).take(size).collect();
    let next = (start + size < total).then(|| B64.encode((start + size).to_string()));
    Ok((out, next))
}

pub fn list(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("stateMachineArn")?;
    let qualified = names::parse(arn)?.parts.len() == 2;
    let sm = aliases::resolve(s, arn)?.machine;
    if sm.is_express() {
        return Err(errors::not_supported());
    }
    let keys = Keys::new(&sm.account, &sm.region);
    let mut all: Vec<Execution> = s
        .store
        .scan_prefix(keys.executions(&sm.name), false, None)?
        .iter()
        .map(|(_, v)| decode(v))
        .collect::<Result<_, _>>()?;
    if let Some(f) = input.str("statusFilter") {
        all.retain(|e| e.status == f);
    }
    // A version or alias ARN lists the executions started through it.
    if qualified {
        all.retain(|e| e.version_arn.as_deref() == Some(arn) || e.alias_arn.as_deref() == Some(arn));
    }
    match input.str("redriveFilter") {
        Some("REDRIVEN") => all.retain(|e| e.redrive_count > 0),
        Some("NOT_REDRIVEN") => all.retain(|e| e.redrive_count == 0),
        _ => {}
    }
    all.sort_by(|a, b| b.start.total_cmp(&a.start));
    let (items, next) = page(all, input)?;
    let executions: Vec<Value> = items
        .iter()
        .map(|e| {
            let mut v = json!({
                "executionArn": e.arn, "stateMachineArn": e.machine_arn, "name": e.name,
                "status": e.status, "startDate": e.start,
            });
            if let Some(stop) = e.stop {
                v["stopDate"] = json!(stop);
            }
            qualifiers(&mut v, e);
            v["redriveCount"] = json!(e.redrive_count);
            if let Some(d) = e.redrive_date {
                v["redriveDate"] = json!(d);
            }
            v
        })
        .collect();
    let mut out = json!({ "executions": executions });
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

pub async fn stop(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let e = execution(s, input.req_str("executionArn")?)?;
    if e.status == "RUNNING"
        && let Some(rt) = s.runtime(&e.arn)
    {
        rt.stop(runner::abort(input.str("error"), input.str("cause")));
    }
    Ok(json!({ "stopDate": stratus_core::clock::now_epoch() }))
}

pub fn history(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let e = execution(s, input.req_str("executionArn")?)?;
    let mut events = runner::events(s, &e)?;
    if input.bool("reverseOrder") == Some(true) {
        events.reverse();
    }
    if input.bool("includeExecutionData") == Some(false) {
        for ev in &mut events {
            strip_data(ev);
        }
    }
    let (events, next) = page(events, input)?;
    let mut out = json!({ "events": events });
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

/// Removes inputs and outputs from an event's details (METADATA_ONLY).
fn strip_data(event: &mut Value) {
    if let Some(obj) = event.as_object_mut() {
        for (k, d) in obj.iter_mut() {
            if k.ends_with("EventDetails")
                && let Some(m) = d.as_object_mut()
            {
                m.remove("input");
                m.remove("output");
            }
        }
    }
}

pub fn machine_for_execution(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let e = execution(s, input.req_str("executionArn")?)?;
    let sm = s.machine(&e.machine_arn)?;
    let mut v = describe_output(&sm);
    v["definition"] = json!(e.definition);
    if let Some(obj) = v.as_object_mut() {
        obj.remove("status");
        obj.remove("type");
        obj.remove("creationDate");
        obj.remove("description");
    }
    v["updateDate"] = json!(sm.creation_date);
    Ok(v)
}
