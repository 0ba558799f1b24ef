//! Canary releases of a stage: `canarySettings` set by CreateStage, by a
//! CreateDeployment that names an existing stage, or by UpdateStage's
//! `/canarySettings/...` operations; and the deployment and stage
//! variables a request gets when it falls in the canary's share.

use crate::errors::bad_request;
use crate::patch::PatchOp;
use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

/// The stage's `canarySettings` for a canary of `deployment` as `given`
/// describes it (AWS's defaults: 0 % of traffic, no stage cache).
pub fn settings(deployment: &str, given: Option<&Value>) -> Value {
    let mut c = json!({
        "deploymentId": deployment,
        "percentTraffic": given.and_then(|g| g.get("percentTraffic")).and_then(Value::as_f64).unwrap_or(0.0),
        "useStageCache": given.and_then(|g| g.bool("useStageCache")).unwrap_or(false),
    });
    if let Some(o) =
        given.and_then(|g| g.get("stageVariableOverrides")).filter(|o| o.as_object().is_some_and(|m| !m.is_empty()))
    {
        c["stageVariableOverrides"] = o.clone();
    }
    c
}

fn no_deployment() -> AwsError {
    bad_request("Deployment id does not exist")
}

/// Applies one `/canarySettings...` operation to `stage`; false when `op`
/// is not about the canary. `exists` tells whether a deployment id exists.
pub fn patch(
    stage: &mut Value,
    op: &PatchOp,
    exists: impl Fn(&str) -> bool,
    unknown: impl Fn() -> AwsError,
) -> Result<bool, AwsError> {
    let Some(rest) = op.path.strip_prefix("/canarySettings") else { return Ok(false) };
    let Some(o) = stage.as_object_mut() else { return Ok(false) };
    if rest.is_empty() {
        if op.op != "remove" {
            return Err(unknown());
        }
        o.remove("canarySettings");
        return Ok(true);
    }
    let member = rest.trim_start_matches('/');
    let value = op.value.as_deref().unwrap_or_default();
    match (member, op.op.as_str()) {
        ("deploymentId", "replace") => {
            if !exists(value) {
                return Err(no_deployment());
            }
            let c = o.entry("canarySettings").or_insert_with(|| settings(value, None));
            c["deploymentId"] = value.into();
        }
        ("deploymentId", "add") => {
            return Err(bad_request("Invalid add operation with path: /canarySettings/deploymentId"));
        }
        ("percentTraffic", "replace") => {
            let pct: f64 = value.parse().map_err(|_| bad_request(format!("Invalid percentTraffic value: {value}")))?;
            canary_mut(o, &unknown)?["percentTraffic"] = pct.into();
        }
        ("useStageCache", "replace") => {
            canary_mut(o, &unknown)?["useStageCache"] = value.eq_ignore_ascii_case("true").into();
        }
        (m, op_name) if m.starts_with("stageVariableOverrides/") && op_name != "remove" => {
            let key = m.trim_start_matches("stageVariableOverrides/").replace("~1", "/");
            let c = canary_mut(o, &unknown)?;
            let overrides = c.as_object_mut().map(|c| c.entry("stageVariableOverrides").or_insert_with(|| json!({})));
            if let Some(Value::Object(map)) = overrides {
                map.insert(key, value.into());
            }
        }
        (m, "remove") => {
            let key = m.strip_prefix("stageVariableOverrides/").map(|k| k.replace("~1", "/"));
            let removed = key.as_deref().and_then(|k| {
                let map = o.get_mut("canarySettings")?.get_mut("stageVariableOverrides")?.as_object_mut()?;
                map.remove(k)
            });
            if removed.is_none() {
                return Err(bad_request(format!(
                    "Cannot remove method setting canarySettings/{m} because there is no method setting for this method "
                )));
            }
        }
        _ => return Err(unknown()),
    }
    Ok(true)
}

fn canary_mut<'a>(o: &'a mut Map<String, Value>, unknown: &impl Fn() -> AwsError) -> Result<&'a mut Value, AwsError> {
    o.get_mut("canarySettings").ok_or_else(unknown)
}

/// The deployment id and stage variables of a request to `stage`: the
/// canary's (its overrides over the stage's variables) for a
/// `percentTraffic` share of requests, given `roll` uniform in [0, 100).
pub fn pick(stage: &Value, roll: f64) -> (Option<&str>, Map<String, Value>) {
    let mut vars = stage.get("variables").and_then(Value::as_object).cloned().unwrap_or_default();
    if let Some(c) = stage.get("canarySettings")
        && roll < c.get("percentTraffic").and_then(Value::as_f64).unwrap_or(0.0)
    {
        for (k, v) in c.get("stageVariableOverrides").and_then(Value::as_object).into_iter().flatten() {
            vars.insert(k.clone(), v.clone());
        }
        return (c.str("deploymentId"), vars);
    }
    (stage.str("deploymentId"), vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canary_share_gets_its_deployment_and_overrides() {
        let stage = json!({"deploymentId": "d1", "variables": {"a": "1", "b": "2"},
                           "canarySettings": {"deploymentId": "d2", "percentTraffic": 25.0, "stageVariableOverrides": {"a": "9"}}});
        let (d, vars) = pick(&stage, 10.0);
        assert_eq!((d, vars.get("a"), vars.get("b")), (Some("d2"), Some(&json!("9")), Some(&json!("2"))));
        let (d, vars) = pick(&stage, 25.0);
        assert_eq!((d, vars.get("a")), (Some("d1"), Some(&json!("1"))));
    }
}
