//! The functions Step Functions adds to JSONata (`$partition`, `$range`,
//! `$hash`, `$random` with an optional seed, `$uuid`, `$parse`) and the one
//! it takes away (`$eval`, which AWS refuses as a non-function). The
//! array and hash functions share the intrinsic functions' code.

use super::engine::{from_json, to_json};
use crate::asl::intrinsics;
use jsonata_core::evaluator::{Evaluator, EvaluatorError, HostFnResult};
use jsonata_core::value::JValue;
use rand::{Rng, SeedableRng};
use serde_json::Value;

fn error(message: impl Into<String>) -> EvaluatorError {
    EvaluatorError::EvaluationError(message.into())
}

/// The arguments as JSON (a function argument cannot be one).
fn json_args(name: &str, args: &[JValue]) -> Result<Vec<Value>, EvaluatorError> {
    args.iter()
        .enumerate()
        .map(|(i, a)| {
            to_json(a).ok_or_else(|| {
                error(format!("T0410: Argument {} of function \"{name}\" does not match function signature", i + 1))
            })
        })
        .collect()
}

/// An intrinsic function applied to the arguments; its failure's cause
/// becomes the evaluation error.
fn intrinsic(name: &str, intrinsic: &str, args: &[JValue]) -> Result<Value, EvaluatorError> {
    intrinsics::apply(intrinsic, json_args(name, args)?)
        .map_err(|f| error(f.cause.unwrap_or_else(|| format!("{name} failed"))))
}

fn partition(args: &[JValue]) -> HostFnResult {
    intrinsic("partition", "States.ArrayPartition", args).map(|v| from_json(&v))
}

/// `$range` returns a sequence: one item comes back as the item itself.
fn range(args: &[JValue]) -> HostFnResult {
    match intrinsic("range", "States.ArrayRange", args)? {
        Value::Array(items) => Ok(JValue::sequence(items.iter().map(from_json).collect())),
        other => Ok(from_json(&other)),
    }
}

fn hash(args: &[JValue]) -> HostFnResult {
    intrinsic("hash", "States.Hash", args).map(|v| from_json(&v))
}

/// A number in [0, 1), the same for the same seed.
fn random(args: &[JValue]) -> HostFnResult {
    match args.first() {
        None | Some(JValue::Undefined) => Ok(JValue::Number(rand::rng().random::<f64>())),
        Some(seed) => {
            let seed = seed
                .as_f64()
                .filter(|s| s.fract() == 0.0)
                .ok_or_else(|| error("T0410: Argument 1 of function \"random\" does not match function signature"))?;
            Ok(JValue::Number(rand::rngs::StdRng::seed_from_u64(seed as i64 as u64).random::<f64>()))
        }
    }
}

fn uuid(_: &[JValue]) -> HostFnResult {
    Ok(JValue::from(uuid::Uuid::new_v4().to_string()))
}

fn parse(args: &[JValue]) -> HostFnResult {
    let text = args
        .first()
        .and_then(JValue::as_str)
        .ok_or_else(|| error("T0410: Argument 1 of function \"parse\" does not match function signature"))?;
    serde_json::from_str::<Value>(text)
        .map(|v| from_json(&v))
        .map_err(|e| error(format!("D3140: Malformed JSON string: {e}")))
}

fn eval(_: &[JValue]) -> HostFnResult {
    Err(error("T1006: Attempted to invoke a non-function"))
}

/// A function callable from expressions.
type Function = fn(&[JValue]) -> HostFnResult;

/// Adds AWS's functions to `evaluator`, replacing built-ins of the same name.
pub fn register(evaluator: &mut Evaluator) -> Result<(), EvaluatorError> {
    let functions: [(&str, Function); 7] = [
        ("partition", partition),
        ("range", range),
        ("hash", hash),
        ("random", random),
        ("uuid", uuid),
        ("parse", parse),
        ("eval", eval),
    ];
    for (name, f) in functions {
        if evaluator.register_fn(name, f).is_err() {
            evaluator.register_fn_override(name, f)?;
        }
    }
    Ok(())
}
