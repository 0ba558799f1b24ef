//! Create/Get/Update/Delete/ListEventSourceMappings with AWS's defaults per
//! source, its cross-member validation (the model's ranges are checked by
//! the codecs before a call gets here) and its state names: a new mapping
//! is `Creating`, an update that flips `Enabled` is `Enabling`/`Disabling`,
//! and the supervisor (`poller`) settles them to `Enabled`/`Disabled`.

use super::{Mapping, PREFIX, Source, filter, key, position_prefix, source_of};
use crate::db;
use crate::errors;
use crate::names::{self, FnRef};
use crate::resolve;
use crate::state::Shared;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// Members that only stream sources accept.
const STREAM_ONLY: &[&str] = &[
    "ParallelizationFactor",
    "StartingPositionTimestamp",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
];

/// Members an update may change.
const UPDATABLE: &[&str] = &[
    "BatchSize",
    "FilterCriteria",
    "ScalingConfig",
    "MaximumBatchingWindowInSeconds",
    "ParallelizationFactor",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
    "FunctionResponseTypes",
    "MetricsConfig",
    "LoggingConfig",
];

fn not_found() -> AwsError {
    errors::not_found("The resource you requested does not exist.")
}

fn unsupported(member: &str) -> AwsError {
    errors::invalid(format!("Unsupported {member} parameter for given event source mapping type."))
}

fn mapping_arn(ctx: &RequestContext, uuid: &str) -> String {
    format!("arn:aws:lambda:{}:{}:event-source-mapping:{uuid}", ctx.region, ctx.account_id)
}

/// The function a mapping invokes, checked to exist: its (qualified) ARN.
fn target(s: &Shared, ctx: &RequestContext, raw: &str) -> Result<(FnRef, String), AwsError> {
    let r = names::parse(ctx, raw, None)?;
    match resolve::version(s, ctx, &r, false) {
        Ok(_) => {}
        Err(e) if e.code == "ResourceNotFoundException" => {
            return Err(errors::invalid("Function does not exist"));
        }
        Err(e) => return Err(e),
    }
    let arn = names::qualified_arn(ctx, &r.name, r.qualifier.as_deref());
    Ok((r, arn))
}

/// Checks the members given for `source`, before defaults are applied.
pub fn check_input(source: Source, input: &Value) -> Result<(), AwsError> {
    match source {
        Source::Sqs { .. } => {
            if input.get("StartingPosition").is_some() {
                return Err(errors::invalid("StartingPosition is not valid for SQS event sources."));
            }
            if let Some(m) = STREAM_ONLY.iter().find(|m| input.get(**m).is_some()) {
                return Err(unsupported(m));
            }
        }
        Source::DynamoDbStream => {
            if input.get("ScalingConfig").is_some() {
                return Err(unsupported("ScalingConfig"));
            }
            if let Some(dc) = input.get("DestinationConfig") {
                if dc.get("OnSuccess").and_then(|o| o.str("Destination")).is_some() {
                    return Err(unsupported("DestinationConfig"));
                }
                if let Some(d) = dc.get("OnFailure").and_then(|o| o.str("Destination")) {
                    let service = stratus_core::arn::parse(d).map(|a| a.service).unwrap_or("");
                    if !matches!(service, "sqs" | "sns" | "s3") {
                        return Err(errors::invalid(format!(
                            "The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination={d})) is invalid."
                        )));
                    }
                }
            }
            if let Some(age) = input.i64("MaximumRecordAgeInSeconds")
                && age != -1
                && age < 60
            {
                return Err(errors::invalid(
                    "MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800 seconds.",
                ));
            }
        }
    }
    if let Some(fc) = input.get("FilterCriteria") {
        for f in fc.list("Filters") {
            let pattern = f.str("Pattern").ok_or_else(|| errors::invalid(filter::INVALID))?;
            filter::parse(pattern).map_err(errors::invalid)?;
        }
    }
    Ok(())
}

/// Checks the starting position of a stream mapping being created.
fn check_start(input: &Value, arn: &str) -> Result<(), AwsError> {
    let Some(pos) = input.str("StartingPosition") else {
        return Err(errors::invalid(
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.",
        ));
    };
    if input.get("StartingPositionTimestamp").is_some() && pos != "AT_TIMESTAMP" {
        return Err(errors::invalid("Timestamp only valid with StartingPosition AT_TIMESTAMP"));
    }
    if pos == "AT_TIMESTAMP" {
        return Err(errors::invalid(format!("Unsupported starting position for arn type: {arn}")));
    }
    Ok(())
}

/// Checks the settled configuration: rules that span members.
pub fn check_config(source: Source, cfg: &Value) -> Result<(), AwsError> {
    let batch = cfg.i64("BatchSize").unwrap_or(0);
    if let Source::Sqs { fifo } = source {
        if fifo && batch > 10 {
            return Err(errors::invalid("Batch size must not exceed 10 for FIFO queues"));
        }
        if batch > 10 && cfg.i64("MaximumBatchingWindowInSeconds").unwrap_or(0) == 0 {
            return Err(errors::invalid(
                "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
            ));
        }
    }
    Ok(())
}

/// Copies the members `names` that `input` has into `cfg`.
fn copy(cfg: &mut Value, input: &Value, members: &[&str]) {
    for m in members {
        if let Some(v) = input.get(*m) {
            cfg[*m] = v.clone();
        }
    }
}

fn all_mappings(s: &Shared) -> Result<Vec<Mapping>, AwsError> {
    let rows = s.store.scan_prefix(PREFIX, false, None)?;
    Ok(rows.iter().filter_map(|(_, v)| db::decode::<Mapping>(v).ok()).collect())
}

fn load(s: &Shared, ctx: &RequestContext, uuid: &str) -> Result<Mapping, AwsError> {
    let m: Mapping = s.store.get(key(uuid))?.map(|b| db::decode(&b)).transpose()?.ok_or_else(not_found)?;
    if m.account != ctx.account_id || m.region != ctx.region {
        return Err(not_found());
    }
    Ok(m)
}

async fn save(s: &Shared, m: &Mapping) -> Result<(), AwsError> {
    s.store.put(key(m.uuid()), db::encode(m)).await?;
    s.esm.notify.notify_one();
    Ok(())
}

fn revision() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (r, function_arn) = target(s, ctx, input.req_str("FunctionName")?)?;
    let Some(arn) = input.str("EventSourceArn") else {
        return Err(errors::invalid("Unrecognized event source."));
    };
    let source = source_of(arn)
        .ok_or_else(|| errors::invalid("Unrecognized event source, must be kinesis, dynamodb stream or sqs."))?;
    check_input(source, input)?;
    if source == Source::DynamoDbStream {
        check_start(input, arn)?;
    }
    for m in all_mappings(s)? {
        if m.account == ctx.account_id
            && m.region == ctx.region
            && m.function_arn() == function_arn
            && m.source_arn() == arn
        {
            return Err(errors::conflict(match source {
                Source::Sqs { .. } => format!(
                    "An event source mapping with SQS arn (\" {arn} \") and function (\" {} \") already exists. Please update or delete the existing mapping with UUID {}",
                    r.name,
                    m.uuid()
                ),
                Source::DynamoDbStream => format!(
                    "The event source arn (\" {arn} \") and function (\" {} \") provided mapping already exists. Please update or delete the existing mapping with UUID {}",
                    r.name,
                    m.uuid()
                ),
            }));
        }
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    let mut cfg = Map::new();
    cfg.insert("UUID".into(), json!(uuid));
    let mut cfg = Value::Object(cfg);
    match source {
        Source::Sqs { .. } => {
            cfg["BatchSize"] = json!(10);
            cfg["MaximumBatchingWindowInSeconds"] = json!(0);
        }
        Source::DynamoDbStream => {
            cfg["StartingPosition"] = json!(input.str("StartingPosition"));
            cfg["BatchSize"] = json!(100);
            cfg["MaximumBatchingWindowInSeconds"] = json!(0);
            cfg["ParallelizationFactor"] = json!(1);
        }
    }
    copy(&mut cfg, input, &["BatchSize", "MaximumBatchingWindowInSeconds", "ParallelizationFactor"]);
    cfg["EventSourceArn"] = json!(arn);
    copy(&mut cfg, input, &["FilterCriteria", "MetricsConfig", "LoggingConfig", "ScalingConfig"]);
    cfg["FunctionArn"] = json!(function_arn);
    cfg["LastModified"] = json!(stratus_core::clock::now_epoch());
    if source == Source::DynamoDbStream {
        cfg["LastProcessingResult"] = json!("No records processed");
    }
    cfg["State"] = json!("Creating");
    cfg["StateTransitionReason"] = json!(match source {
        Source::Sqs { .. } => "USER_INITIATED",
        Source::DynamoDbStream => "User action",
    });
    if source == Source::DynamoDbStream {
        cfg["DestinationConfig"] = json!({ "OnFailure": {} });
        cfg["MaximumRecordAgeInSeconds"] = json!(-1);
        cfg["BisectBatchOnFunctionError"] = json!(false);
        cfg["MaximumRetryAttempts"] = json!(-1);
        cfg["TumblingWindowInSeconds"] = json!(0);
        copy(&mut cfg, input, STREAM_ONLY);
    }
    cfg["FunctionResponseTypes"] = input.get("FunctionResponseTypes").cloned().unwrap_or_else(|| json!([]));
    cfg["EventSourceMappingArn"] = json!(mapping_arn(ctx, &uuid));
    check_config(source, &cfg)?;
    // Whether the mapping should run once created; kept out of the output.
    let enabled = input.bool("Enabled").unwrap_or(true);
    cfg["State"] = json!("Creating");
    let mut stored = cfg.clone();
    stored["_Enabled"] = json!(enabled);
    let m =
        Mapping { account: ctx.account_id.clone(), region: ctx.region.clone(), config: stored, revision: revision() };
    save(s, &m).await?;
    Ok(cfg)
}

/// The configuration as the API shows it (internal members removed).
pub fn public(m: &Mapping) -> Value {
    let mut cfg = m.config.clone();
    if let Some(o) = cfg.as_object_mut() {
        o.retain(|k, _| !k.starts_with('_'));
    }
    cfg
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    Ok(public(&load(s, ctx, input.req_str("UUID")?)?))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut m = load(s, ctx, input.req_str("UUID")?)?;
    let source = source_of(m.source_arn()).ok_or_else(not_found)?;
    check_input(source, input)?;
    if let Some(name) = input.str("FunctionName") {
        let (_, arn) = target(s, ctx, name)?;
        m.config["FunctionArn"] = json!(arn);
    }
    copy(&mut m.config, input, UPDATABLE);
    check_config(source, &m.config)?;
    if let Some(enabled) = input.bool("Enabled") {
        let was = m.config.bool("_Enabled").unwrap_or(true);
        m.config["_Enabled"] = json!(enabled);
        if enabled != was {
            m.config["State"] = json!(if enabled { "Enabling" } else { "Disabling" });
        } else {
            m.config["State"] = json!("Updating");
        }
    } else {
        m.config["State"] = json!("Updating");
    }
    m.config["LastModified"] = json!(stratus_core::clock::now_epoch());
    m.config["StateTransitionReason"] = json!(match source {
        Source::Sqs { .. } => "USER_INITIATED",
        Source::DynamoDbStream => "User action",
    });
    m.revision = revision();
    save(s, &m).await?;
    Ok(public(&m))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let m = load(s, ctx, input.req_str("UUID")?)?;
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(key(m.uuid()));
    for (k, _) in s.store.scan_prefix(position_prefix(m.uuid()), false, None)? {
        batch.delete(k);
    }
    s.store.write(batch).await?;
    s.esm.notify.notify_one();
    let mut out = public(&m);
    out["State"] = json!("Deleting");
    Ok(out)
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let function = match input.str("FunctionName") {
        Some(raw) => {
            let r = names::parse(ctx, raw, None)?;
            Some(names::qualified_arn(ctx, &r.name, r.qualifier.as_deref()))
        }
        None => None,
    };
    let source = input.str("EventSourceArn");
    let max = input.i64("MaxItems").unwrap_or(100).clamp(1, 10_000) as usize;
    let marker = input.str("Marker");
    let mut out = Vec::new();
    let mut next = None;
    for m in all_mappings(s)? {
        if m.account != ctx.account_id
            || m.region != ctx.region
            || function.as_deref().is_some_and(|f| f != m.function_arn())
            || source.is_some_and(|a| a != m.source_arn())
            || marker.is_some_and(|mk| m.uuid() < mk)
        {
            continue;
        }
        if out.len() == max {
            next = Some(m.uuid().to_string());
            break;
        }
        out.push(public(&m));
    }
    let mut v = json!({ "EventSourceMappings": out });
    if let Some(n) = next {
        v["NextMarker"] = json!(n);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQS: &str = "arn:aws:sqs:us-east-1:000000000000:q";
    const DDB: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2025-01-01T00:00:00.000";

    fn msg(r: Result<(), AwsError>) -> String {
        r.map(|_| String::new()).unwrap_or_else(|e| format!("{}: {}", e.code, e.message))
    }

    #[test]
    fn sources_are_told_apart_by_arn() {
        assert_eq!(source_of(SQS), Some(Source::Sqs { fifo: false }));
        assert_eq!(source_of("arn:aws:sqs:us-east-1:000000000000:q.fifo"), Some(Source::Sqs { fifo: true }));
        assert_eq!(source_of(DDB), Some(Source::DynamoDbStream));
        assert_eq!(source_of("arn:aws:dynamodb:us-east-1:000000000000:table/t"), None);
        assert_eq!(source_of("arn:aws:kafka:us-east-1:000000000000:cluster/x"), None);
    }

    #[test]
    fn sqs_rejects_stream_members_and_starting_position() {
        let sqs = Source::Sqs { fifo: false };
        assert_eq!(
            msg(check_input(sqs, &json!({"StartingPosition": "LATEST"}))),
            "InvalidParameterValueException: StartingPosition is not valid for SQS event sources."
        );
        assert_eq!(
            msg(check_input(sqs, &json!({"MaximumRetryAttempts": 3}))),
            "InvalidParameterValueException: Unsupported MaximumRetryAttempts parameter for given event source mapping type."
        );
        assert_eq!(
            msg(check_config(sqs, &json!({"BatchSize": 11, "MaximumBatchingWindowInSeconds": 0}))),
            "InvalidParameterValueException: Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
        );
        assert_eq!(msg(check_config(sqs, &json!({"BatchSize": 10000, "MaximumBatchingWindowInSeconds": 1}))), "");
        assert_eq!(
            msg(check_config(
                Source::Sqs { fifo: true },
                &json!({"BatchSize": 11, "MaximumBatchingWindowInSeconds": 1})
            )),
            "InvalidParameterValueException: Batch size must not exceed 10 for FIFO queues"
        );
    }

    #[test]
    fn streams_need_a_starting_position_and_failure_destinations_only() {
        assert_eq!(
            msg(check_start(&json!({}), DDB)),
            "InvalidParameterValueException: 1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."
        );
        assert_eq!(
            msg(check_start(&json!({"StartingPosition": "LATEST", "StartingPositionTimestamp": 1}), DDB)),
            "InvalidParameterValueException: Timestamp only valid with StartingPosition AT_TIMESTAMP"
        );
        assert_eq!(
            msg(check_start(&json!({"StartingPosition": "AT_TIMESTAMP"}), DDB)),
            format!("InvalidParameterValueException: Unsupported starting position for arn type: {DDB}")
        );
        assert_eq!(msg(check_start(&json!({"StartingPosition": "TRIM_HORIZON"}), DDB)), "");
        let on_success = json!({"DestinationConfig": {"OnSuccess": {"Destination": SQS}}});
        assert_eq!(
            msg(check_input(Source::DynamoDbStream, &on_success)),
            "InvalidParameterValueException: Unsupported DestinationConfig parameter for given event source mapping type."
        );
        let on_failure = json!({"DestinationConfig": {"OnFailure": {"Destination": SQS}}});
        assert_eq!(msg(check_input(Source::DynamoDbStream, &on_failure)), "");
        assert_eq!(
            msg(check_input(Source::DynamoDbStream, &json!({"ScalingConfig": {"MaximumConcurrency": 2}}))),
            "InvalidParameterValueException: Unsupported ScalingConfig parameter for given event source mapping type."
        );
    }

    #[test]
    fn filter_patterns_are_checked() {
        let bad = json!({"FilterCriteria": {"Filters": [{"Pattern": "{\"a\": \"x\"}"}]}});
        assert_eq!(
            msg(check_input(Source::Sqs { fifo: false }, &bad)),
            "InvalidParameterValueException: Invalid filter pattern definition."
        );
        let good = json!({"FilterCriteria": {"Filters": [{"Pattern": "{\"body\": {\"a\": [\"x\"]}}"}]}});
        assert_eq!(msg(check_input(Source::Sqs { fifo: false }, &good)), "");
    }
}
