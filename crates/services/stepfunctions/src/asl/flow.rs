//! The JSONPath data flow of one state: InputPath, Parameters,
//! ResultSelector, ResultPath and OutputPath, each failing with AWS's
//! `States.Runtime` cause.

use super::failure::Failure;
use super::path;
use super::scope::Scope;
use serde_json::{Map, Value};

/// `InputPath`: absent → the input; `null` → `{}`.
pub fn input_path(state: &Value, input: &Value, scope: &Scope) -> Result<Value, Failure> {
    select_field(state, "InputPath", input, scope)
}

/// `OutputPath`: absent → the output; `null` → `{}`.
pub fn output_path(state: &Value, output: &Value, scope: &Scope) -> Result<Value, Failure> {
    select_field(state, "OutputPath", output, scope)
}

fn select_field(state: &Value, field: &str, data: &Value, scope: &Scope) -> Result<Value, Failure> {
    match state.get(field) {
        None => Ok(data.clone()),
        Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(Value::String(p)) => scope.path(data, p).map_err(Failure::runtime),
        Some(other) => Err(Failure::runtime(format!("Invalid {field}: {other}"))),
    }
}

/// `Parameters` (or another template field) applied to `data` when present.
pub fn template(state: &Value, field: &str, data: Value, scope: &Scope) -> Result<Value, Failure> {
    match state.get(field) {
        Some(t) => scope.payload(t, &data),
        None => Ok(data),
    }
}

/// The variables a state's `Assign` (or a rule's or catcher's) sets,
/// evaluated against `data`; `None` when it has no `Assign`.
pub fn assign(def: &Value, data: &Value, scope: &Scope) -> Result<Option<Map<String, Value>>, Failure> {
    match def.get("Assign") {
        Some(t) => match scope.payload(t, data)? {
            Value::Object(m) => Ok(Some(m)),
            other => Err(Failure::runtime(format!("Assign must be an object but was: {other}"))),
        },
        None => Ok(None),
    }
}

/// `ResultPath`: absent → the result; `null` → the raw input; else the
/// result written into the raw input.
pub fn result_path(state: &Value, raw_input: &Value, result: Value) -> Result<Value, Failure> {
    apply_result_path(state.get("ResultPath"), raw_input, result)
}

/// Applies a `ResultPath` value (of a state or a Catcher).
pub fn apply_result_path(field: Option<&Value>, raw_input: &Value, result: Value) -> Result<Value, Failure> {
    match field {
        None => Ok(result),
        Some(Value::Null) => Ok(raw_input.clone()),
        Some(Value::String(p)) => path::set(raw_input.clone(), p, result).map_err(|e| Failure::runtime(e.message)),
        Some(other) => Err(Failure::runtime(format!("Invalid ResultPath: {other}"))),
    }
}
