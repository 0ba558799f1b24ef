//! State machine operations: Create (with its `publish` of version 1),
//! Describe, Update, Delete, List, ValidateStateMachineDefinition, and
//! PublishStateMachineVersion / ListStateMachineVersions /
//! DeleteStateMachineVersion.

use crate::definition;
use crate::errors;
use crate::model::{Keys, StateMachine, decode, encode};
use crate::names;
use crate::shared::Shared;
use crate::tags;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

fn logging(input: &Value) -> Value {
    let mut l = json!({ "level": "OFF", "includeExecutionData": false });
    if let Some(given) = input.get("loggingConfiguration").and_then(Value::as_object) {
        for (k, v) in given {
            l[k] = v.clone();
        }
    }
    l
}

fn tracing(input: &Value) -> Value {
    json!({ "enabled": input.get("tracingConfiguration").and_then(|t| t.get("enabled")).and_then(Value::as_bool).unwrap_or(false) })
}

/// Checks a definition for a machine of `kind`, as InvalidDefinition.
fn check_definition(text: &str, kind: &str) -> Result<(), AwsError> {
    definition::check(text, kind == "EXPRESS").map(drop).map_err(|d| {
        errors::invalid_definition(d.first().map(definition::Diagnostic::to_error_message).unwrap_or_default())
    })
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("name")?;
    names::check(name)?;
    let kind = input.str("type").unwrap_or("STANDARD").to_string();
    let text = input.req_str("definition")?;
    check_definition(text, &kind)?;
    let arn = names::arn(&ctx.region, &ctx.account_id, &format!("stateMachine:{name}"));
    let keys = Keys::new(&ctx.account_id, &ctx.region);
    let mut sm = StateMachine {
        name: name.to_string(),
        arn: arn.clone(),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        definition: text.to_string(),
        role_arn: input.req_str("roleArn")?.to_string(),
        kind,
        creation_date: stratus_core::clock::now_epoch(),
        logging: logging(input),
        tracing: tracing(input),
        tags: tags::from_input(input),
        revision_id: None,
        description: None,
        versions: 0,
    };
    if let Some(b) = s.store.get(keys.machine(name))? {
        let old: StateMachine = decode(&b)?;
        // Creating the same machine again is idempotent; anything else conflicts.
        if old.definition == sm.definition && old.role_arn == sm.role_arn && old.kind == sm.kind {
            return Ok(json!({ "stateMachineArn": old.arn, "creationDate": old.creation_date }));
        }
        return Err(errors::machine_exists(&arn));
    }
    crate::logging::check(&s.settings.peers, &sm.logging).await?;
    let mut out = json!({ "stateMachineArn": arn, "creationDate": sm.creation_date });
    if input.bool("publish") == Some(true) {
        out["stateMachineVersionArn"] = json!(publish_version(s, &mut sm, input.str("versionDescription")).await?);
    }
    s.store.put(keys.machine(name), encode(&sm)).await?;
    Ok(out)
}

/// Stores the next version of `sm` and returns its ARN.
async fn publish_version(s: &Shared, sm: &mut StateMachine, description: Option<&str>) -> Result<String, AwsError> {
    sm.versions += 1;
    let mut v = sm.clone();
    v.arn = format!("{}:{}", sm.arn, sm.versions);
    v.description = description.map(str::to_string);
    v.creation_date = stratus_core::clock::now_epoch();
    let keys = Keys::new(&sm.account, &sm.region);
    s.store.put(keys.version(&sm.name, sm.versions), encode(&v)).await?;
    Ok(v.arn)
}

/// The DescribeStateMachine output for a record.
pub fn describe_output(sm: &StateMachine) -> Value {
    let mut out = json!({
        "stateMachineArn": sm.arn,
        "name": sm.name,
        "status": "ACTIVE",
        "definition": sm.definition,
        "roleArn": sm.role_arn,
        "type": sm.kind,
        "creationDate": sm.creation_date,
        "loggingConfiguration": sm.logging,
        "tracingConfiguration": sm.tracing,
    });
    if let Some(r) = &sm.revision_id {
        out["revisionId"] = json!(r);
    }
    if let Some(d) = &sm.description {
        out["description"] = json!(d);
    }
    out
}

pub fn describe(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    Ok(describe_output(&s.machine(input.req_str("stateMachineArn")?)?))
}

pub async fn update(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("stateMachineArn")?;
    let changes = ["definition", "roleArn", "loggingConfiguration", "tracingConfiguration"];
    if changes.iter().all(|f| input.get(f).is_none()) {
        return Err(AwsError::bad_request(
            "MissingRequiredParameter",
            "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
        ));
    }
    let mut sm = s.machine(arn)?;
    if sm.arn != arn {
        return Err(errors::invalid_arn(arn));
    }
    if let Some(d) = input.str("definition") {
        check_definition(d, &sm.kind)?;
        sm.definition = d.to_string();
    }
    if let Some(r) = input.str("roleArn") {
        sm.role_arn = r.to_string();
    }
    if input.get("loggingConfiguration").is_some() {
        sm.logging = logging(input);
        crate::logging::check(&s.settings.peers, &sm.logging).await?;
    }
    if input.get("tracingConfiguration").is_some() {
        sm.tracing = tracing(input);
    }
    sm.revision_id = Some(uuid::Uuid::new_v4().to_string());
    let update_date = stratus_core::clock::now_epoch();
    let mut out = json!({ "updateDate": update_date, "revisionId": sm.revision_id });
    if input.bool("publish") == Some(true) {
        out["stateMachineVersionArn"] = json!(publish_version(s, &mut sm, input.str("versionDescription")).await?);
    }
    s.store.put(Keys::new(&sm.account, &sm.region).machine(&sm.name), encode(&sm)).await?;
    Ok(out)
}

pub async fn delete(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("stateMachineArn")?;
    let a = names::parse(arn)?;
    if a.kind != "stateMachine" || a.parts.len() != 1 {
        return Err(errors::invalid_arn(arn));
    }
    let keys = Keys::new(a.account, a.region);
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(keys.machine(a.parts[0]));
    batch.delete_prefix(keys.versions(a.parts[0]));
    batch.delete_prefix(keys.aliases(a.parts[0]));
    s.store.write(batch).await?;
    Ok(json!({}))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let keys = Keys::new(&ctx.account_id, &ctx.region);
    let (rows, next) = crate::page::scan(&s.store, &keys.machines(), input)?;
    let machines: Vec<Value> = rows
        .iter()
        .map(|(_, v)| decode::<StateMachine>(v))
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .map(|sm| json!({ "stateMachineArn": sm.arn, "name": sm.name, "type": sm.kind, "creationDate": sm.creation_date }))
        .collect();
    let mut out = json!({ "stateMachines": machines });
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

pub async fn publish(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let mut sm = s.machine(input.req_str("stateMachineArn")?)?;
    let arn = publish_version(s, &mut sm, input.str("description")).await?;
    s.store.put(Keys::new(&sm.account, &sm.region).machine(&sm.name), encode(&sm)).await?;
    Ok(json!({ "stateMachineVersionArn": arn, "creationDate": stratus_core::clock::now_epoch() }))
}

pub fn list_versions(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let sm = s.machine(input.req_str("stateMachineArn")?)?;
    let keys = Keys::new(&sm.account, &sm.region);
    let rows = s.store.scan_prefix(keys.versions(&sm.name), true, None)?;
    let versions: Vec<Value> = rows
        .iter()
        .map(|(_, v)| decode::<StateMachine>(v))
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .map(|v| json!({ "stateMachineVersionArn": v.arn, "creationDate": v.creation_date }))
        .collect();
    Ok(json!({ "stateMachineVersions": versions }))
}

pub fn validate(input: &Value) -> Result<Value, AwsError> {
    let express = input.str("type") == Some("EXPRESS");
    match definition::check(input.req_str("definition")?, express) {
        Ok(_) => Ok(json!({ "result": "OK", "diagnostics": [], "truncated": false })),
        Err(d) => Ok(json!({
            "result": "FAIL",
            "diagnostics": d.iter().map(definition::Diagnostic::to_output).collect::<Vec<_>>(),
            "truncated": false,
        })),
    }
}

/// DeleteStateMachineVersion: refused while an alias routes to it.
pub async fn delete_version(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("stateMachineVersionArn")?;
    let a = names::parse(arn)?;
    let n: u64 = match (a.kind, a.parts.as_slice()) {
        ("stateMachine", [_, v]) => v.parse().map_err(|_| errors::invalid_arn(arn))?,
        _ => return Err(errors::invalid_arn(arn)),
    };
    let Ok(version) = s.machine(arn) else { return Ok(json!({})) };
    let users = crate::aliases::referencing(s, &version, arn)?;
    if !users.is_empty() {
        return Err(AwsError::bad_request(
            "ConflictException",
            format!(
                "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{}]",
                users.join(", ")
            ),
        ));
    }
    s.store.delete(Keys::new(a.account, a.region).version(a.parts[0], n)).await?;
    Ok(json!({}))
}
