//! State machine aliases: Create (idempotent on the same routing),
//! Describe, Update, Delete and ListStateMachineAliases, with a routing
//! configuration of one or two versions of the same machine whose weights
//! add up to 100; and `resolve`, which turns the ARN StartExecution was
//! given (machine, version or alias) into the definition to run, picking
//! an alias's version by weight.

use crate::errors;
use crate::model::{Keys, StateMachine, decode, encode};
use crate::names;
use crate::shared::Shared;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

/// An alias of a state machine.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Alias {
    pub name: String,
    pub arn: String,
    pub machine_name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// (version ARN, weight), one or two of them.
    pub routing: Vec<(String, u64)>,
    pub creation_date: f64,
    #[serde(default)]
    pub update_date: Option<f64>,
}

/// What an execution runs: the machine record (a version's, when routed to
/// one) and the version and alias ARNs it was started through.
pub struct Target {
    pub machine: StateMachine,
    /// The unqualified machine ARN.
    pub machine_arn: String,
    pub version_arn: Option<String>,
    pub alias_arn: Option<String>,
}

fn key(a: &names::StatesArn) -> String {
    Keys::new(a.account, a.region).alias(a.parts[0], a.parts.get(1).copied().unwrap_or_default())
}

fn not_found() -> AwsError {
    AwsError::bad_request("ResourceNotFound", "Request references a resource that does not exist.")
}

fn validation(message: String) -> AwsError {
    AwsError::bad_request("ValidationException", message)
}

/// Whether the second part of a machine ARN names a version (digits).
fn is_version(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

/// Resolves a StartExecution target.
pub fn resolve(s: &Shared, arn: &str) -> Result<Target, AwsError> {
    let a = names::parse(arn)?;
    if a.kind != "stateMachine" || a.parts.is_empty() || a.parts.len() > 2 {
        return Err(errors::invalid_arn(arn));
    }
    let base = names::arn(a.region, a.account, &format!("stateMachine:{}", a.parts[0]));
    match a.parts.get(1) {
        None => Ok(Target { machine: s.machine(arn)?, machine_arn: base, version_arn: None, alias_arn: None }),
        Some(v) if is_version(v) => {
            Ok(Target { machine: s.machine(arn)?, machine_arn: base, version_arn: Some(arn.into()), alias_arn: None })
        }
        Some(_) => {
            let alias = load(s, arn)?.ok_or_else(|| errors::machine_not_found(arn))?;
            let version = pick(&alias.routing, rand::rng().random_range(0..100));
            Ok(Target {
                machine: s.machine(&version)?,
                machine_arn: base,
                version_arn: Some(version),
                alias_arn: Some(alias.arn),
            })
        }
    }
}

/// The version a draw in 0..100 routes to.
fn pick(routing: &[(String, u64)], draw: u64) -> String {
    let mut acc = 0;
    for (arn, weight) in routing {
        acc += weight;
        if draw < acc {
            return arn.clone();
        }
    }
    routing.last().map(|(a, _)| a.clone()).unwrap_or_default()
}

fn load(s: &Shared, arn: &str) -> Result<Option<Alias>, AwsError> {
    let a = names::parse(arn)?;
    if a.kind != "stateMachine" || a.parts.len() != 2 || is_version(a.parts[1]) {
        return Err(errors::invalid_arn(arn));
    }
    s.store.get(key(&a))?.map(|b| decode(&b)).transpose()
}

/// The routing configuration given, checked: version ARNs of one machine,
/// distinct, existing, weights adding up to 100.
fn routing(s: &Shared, input: &Value) -> Result<(String, Vec<(String, u64)>), AwsError> {
    let items = input.get("routingConfiguration").and_then(Value::as_array).cloned().unwrap_or_default();
    let routes: Vec<(String, u64)> = items
        .iter()
        .map(|i| {
            (
                i.get("stateMachineVersionArn").and_then(Value::as_str).unwrap_or_default().to_string(),
                i.get("weight").and_then(Value::as_u64).unwrap_or(0),
            )
        })
        .collect();
    let arns: Vec<&str> = routes.iter().map(|(a, _)| a.as_str()).collect();
    let listed = format!("[{}]", arns.join(", "));
    let mut machine = None;
    for arn in &arns {
        let a = names::parse(arn)?;
        if a.kind != "stateMachine" || a.parts.len() != 2 || !is_version(a.parts[1]) {
            return Err(validation(format!(
                "Routing configuration must contain state machine version ARNs. Received: {listed}"
            )));
        }
        match &machine {
            Some(m) if *m != a.parts[0] => {
                return Err(validation(format!(
                    "Routing configuration must contain state machine version ARNs of the same state machine. Received: {listed}"
                )));
            }
            _ => machine = Some(a.parts[0].to_string()),
        }
    }
    if arns.len() == 2 && arns[0] == arns[1] {
        return Err(validation(format!(
            "Routing configuration must contain distinct state machine version ARNs. Received: {listed}"
        )));
    }
    let sum: u64 = routes.iter().map(|(_, w)| w).sum();
    if sum != 100 {
        let weights: Vec<String> = routes.iter().map(|(_, w)| w.to_string()).collect();
        return Err(validation(format!(
            "Sum of routing configuration weights must equal 100. Received: [{}]",
            weights.join(", ")
        )));
    }
    for arn in &arns {
        s.machine(arn).map_err(|_| not_found())?;
    }
    Ok((machine.unwrap_or_default(), routes))
}

fn routing_output(routes: &[(String, u64)]) -> Value {
    json!(routes.iter().map(|(a, w)| json!({ "stateMachineVersionArn": a, "weight": w })).collect::<Vec<_>>())
}

pub async fn create(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("name")?;
    let (machine, routes) = routing(s, input)?;
    let version = routes.first().map(|(a, _)| a.as_str()).unwrap_or_default();
    let v = names::parse(version)?;
    let arn = names::arn(v.region, v.account, &format!("stateMachine:{machine}:{name}"));
    let alias = Alias {
        name: name.to_string(),
        arn: arn.clone(),
        machine_name: machine,
        description: input.str("description").map(str::to_string),
        routing: routes,
        creation_date: stratus_core::clock::now_epoch(),
        update_date: None,
    };
    if let Some(old) = load(s, &arn)? {
        if old.routing == alias.routing && old.description == alias.description {
            return Ok(json!({ "stateMachineAliasArn": old.arn, "creationDate": old.creation_date }));
        }
        return Err(AwsError::bad_request(
            "ConflictException",
            "Failed to create alias because an alias with the same name and a different routing configuration already exists.",
        ));
    }
    let a = names::parse(&arn)?;
    s.store.put(key(&a), encode(&alias)).await?;
    Ok(json!({ "stateMachineAliasArn": arn, "creationDate": alias.creation_date }))
}

pub fn describe(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let alias = load(s, input.req_str("stateMachineAliasArn")?)?.ok_or_else(not_found)?;
    let mut out = json!({
        "stateMachineAliasArn": alias.arn,
        "name": alias.name,
        "routingConfiguration": routing_output(&alias.routing),
        "creationDate": alias.creation_date,
    });
    if let Some(d) = &alias.description {
        out["description"] = json!(d);
    }
    if let Some(u) = alias.update_date {
        out["updateDate"] = json!(u);
    }
    Ok(out)
}

pub async fn update(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("stateMachineAliasArn")?;
    let mut alias = load(s, arn)?.ok_or_else(not_found)?;
    if input.get("description").is_none() && input.get("routingConfiguration").is_none() {
        return Err(AwsError::bad_request(
            "MissingRequiredParameter",
            "Either the description or the RoutingConfiguration must be specified",
        ));
    }
    if input.get("routingConfiguration").is_some() {
        let (machine, routes) = routing(s, input)?;
        if machine != alias.machine_name {
            return Err(validation(format!(
                "Routing configuration must contain state machine version ARNs of the state machine {}",
                alias.machine_name
            )));
        }
        alias.routing = routes;
    }
    if let Some(d) = input.str("description") {
        alias.description = Some(d.to_string());
    }
    let now = stratus_core::clock::now_epoch();
    alias.update_date = Some(now);
    let a = names::parse(arn)?;
    s.store.put(key(&a), encode(&alias)).await?;
    Ok(json!({ "updateDate": now }))
}

pub async fn delete(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("stateMachineAliasArn")?;
    load(s, arn)?;
    let a = names::parse(arn)?;
    s.store.delete(key(&a)).await?;
    Ok(json!({}))
}

pub fn list(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("stateMachineArn")?;
    let sm = s.machine(arn)?;
    let keys = Keys::new(&sm.account, &sm.region);
    let (rows, next) = crate::page::scan(&s.store, &keys.aliases(&sm.name), input)?;
    let aliases: Vec<Value> = rows
        .iter()
        .map(|(_, v)| decode::<Alias>(v))
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .map(|a| json!({ "stateMachineAliasArn": a.arn, "creationDate": a.creation_date }))
        .collect();
    let mut out = json!({ "stateMachineAliases": aliases });
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    Ok(out)
}

/// The aliases that route to `version_arn` (a version in use cannot be
/// deleted).
pub fn referencing(s: &Shared, sm: &StateMachine, version_arn: &str) -> Result<Vec<String>, AwsError> {
    let keys = Keys::new(&sm.account, &sm.region);
    let rows = s.store.scan_prefix(keys.aliases(&sm.name), false, None)?;
    let mut names = Vec::new();
    for (_, v) in rows {
        let a: Alias = decode(&v)?;
        if a.routing.iter().any(|(arn, _)| arn == version_arn) {
            names.push(a.name);
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_route_draws() {
        let r = vec![("v1".to_string(), 70), ("v2".to_string(), 30)];
        assert_eq!(pick(&r, 0), "v1");
        assert_eq!(pick(&r, 69), "v1");
        assert_eq!(pick(&r, 70), "v2");
        assert_eq!(pick(&r, 99), "v2");
    }

    #[test]
    fn versions_are_digits() {
        assert!(is_version("12"));
        assert!(!is_version("prod"));
        assert!(!is_version(""));
    }
}
