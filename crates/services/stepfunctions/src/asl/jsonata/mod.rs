//! JSONata, ASL's second query language: which states use it, the
//! `{% … %}` expressions anywhere inside a state's fields (evaluated with
//! `$states` and the workflow variables bound), and AWS's
//! `States.QueryEvaluationError` causes with their `EvaluationFailed` event.

mod engine;
mod functions;
pub mod states;

use super::failure::Failure;
use super::history::Cursor;
use super::machine::StateRun;
use super::runtime::Runtime;
use super::scope::Scope;
use engine::{Outcome, Session};
use serde_json::{Map, Value, json};

/// The error every JSONata evaluation problem raises.
pub const ERROR: &str = "States.QueryEvaluationError";

/// Whether a state uses JSONata: its own `QueryLanguage`, else its machine's.
pub fn uses(def: &Value, inherited: bool) -> bool {
    match def.get("QueryLanguage").and_then(Value::as_str) {
        Some(lang) => lang == "JSONata",
        None => inherited,
    }
}

/// The expression of a `"{% … %}"` string; `None` for a literal.
pub fn expression(s: &str) -> Option<&str> {
    s.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

/// The fields of a JSONata state (and of its Choice rules, Catchers,
/// ItemReader and ItemBatcher) that may hold expressions.
const FIELDS: &[&str] = &[
    "Arguments",
    "Output",
    "Assign",
    "Items",
    "ItemSelector",
    "Condition",
    "Seconds",
    "Timestamp",
    "Error",
    "Cause",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "MaxItems",
    "MaxItemsPerBatch",
    "MaxInputBytesPerBatch",
    "BatchInput",
];

/// A problem CreateStateMachine finds in a JSONata state's expressions:
/// `(code, location below the state, message)`.
pub type ExpressionProblem = (&'static str, String, String);

/// The expressions of a JSONata state that do not parse, or that read
/// field names at their top level, as AWS reports them.
pub fn expression_problems(state: &Value) -> Vec<ExpressionProblem> {
    fn walk(v: &Value, at: String, out: &mut Vec<ExpressionProblem>) {
        match v {
            Value::String(s) => match expression(s).map(engine::top_level_names) {
                Some(Err(e)) => {
                    let message = match e.split_once(": ") {
                        Some((code, rest)) if code.len() == 5 && code.starts_with(['S', 'T', 'D']) => rest.to_string(),
                        _ => e,
                    };
                    out.push(("INVALID_JSONATA_EXPRESSION", at, message));
                }
                Some(Ok(names)) => {
                    if let Some(name) = names.first() {
                        let message = format!("Reference to '{name}' at the top level is not supported.");
                        out.push(("UNSUPPORTED_JSONATA_EXPRESSION", at, message));
                    }
                }
                None => {}
            },
            Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, format!("{at}/{k}"), out)),
            Value::Array(items) => items.iter().enumerate().for_each(|(i, x)| walk(x, format!("{at}[{i}]"), out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut fields = |part: &Value, at: &str| {
        for f in FIELDS {
            if let Some(v) = part.get(*f) {
                walk(v, format!("{at}/{f}"), &mut out);
            }
        }
    };
    fields(state, "");
    for list in ["Choices", "Catch"] {
        for (i, part) in state.get(list).and_then(Value::as_array).into_iter().flatten().enumerate() {
            fields(part, &format!("/{list}[{i}]"));
        }
    }
    for name in ["ItemReader", "ItemBatcher"] {
        if let Some(part) = state.get(name) {
            fields(part, &format!("/{name}"));
            if let Some(config) = part.get("ReaderConfig") {
                fields(config, &format!("/{name}/ReaderConfig"));
            }
        }
    }
    out
}

/// What went wrong evaluating a field: its location (`Output/result`) and
/// AWS's cause, before the state's prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    pub location: Option<String>,
    pub cause: String,
}

impl QueryError {
    pub fn new(location: Option<&str>, cause: impl Into<String>) -> QueryError {
        QueryError { location: location.map(str::to_string), cause: cause.into() }
    }

    fn expression(expr: &str, location: &str, what: impl AsRef<str>) -> QueryError {
        QueryError::new(
            Some(location),
            format!("The JSONata expression '{expr}' specified for the field '{location}' {}", what.as_ref()),
        )
    }

    /// Records the `EvaluationFailed` event after `prev` (moving the cursor
    /// to it) and returns the failure the state raises.
    pub fn raise(self, rt: &Runtime, run: &StateRun, cursor: &mut Cursor, prev: Cursor) -> Failure {
        let cause = format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
            run.name, run.entered, self.cause
        );
        *cursor = prev;
        rt.history.emit(cursor, "EvaluationFailed", || {
            let mut d = json!({ "cause": cause, "error": ERROR, "state": run.name });
            if let Some(l) = &self.location {
                d["location"] = json!(l);
            }
            Some(("evaluationFailedEventDetails", d))
        });
        Failure::new(ERROR, cause)
    }
}

/// The JSON type name AWS's causes use for a value.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// What `$states` holds while a state evaluates its fields.
pub struct Query<'a> {
    pub scope: &'a Scope<'a>,
    pub input: &'a Value,
    /// The result of a Task, Map or Parallel.
    pub result: Option<&'a Value>,
    /// The error output, in a Catcher.
    pub error_output: Option<&'a Value>,
}

impl<'a> Query<'a> {
    pub fn new(scope: &'a Scope<'a>, input: &'a Value) -> Query<'a> {
        Query { scope, input, result: None, error_output: None }
    }

    /// `$states`; the context object (costly: it holds the execution's
    /// input) only when `value` may read it.
    fn states(&self, value: &Value) -> Value {
        let mut states = Map::new();
        states.insert("input".into(), self.input.clone());
        if let Some(r) = self.result {
            states.insert("result".into(), r.clone());
        }
        if let Some(e) = self.error_output {
            states.insert("errorOutput".into(), e.clone());
        }
        if reads_context(value) {
            states.insert("context".into(), self.scope.context().clone());
        }
        Value::Object(states)
    }

    /// Evaluates a field: every `{% %}` string inside it, at any depth, is
    /// replaced by its value; `location` names the field (`Output`).
    pub fn field(&self, value: &Value, location: &str) -> Result<Value, QueryError> {
        walk(&Session::new(&self.states(value), self.scope.vars), value, location)
    }

    /// A field present in the state, or `default` when absent.
    pub fn field_or(&self, def: &Value, name: &str, default: &Value) -> Result<Value, QueryError> {
        match def.get(name) {
            Some(v) => self.field(v, name),
            None => Ok(default.clone()),
        }
    }

    /// An `Assign` block (of a state, a Choice rule or a Catcher): the
    /// variables it sets, or `None` without one.
    pub fn assign(&self, def: &Value) -> Result<Option<Map<String, Value>>, QueryError> {
        let Some(block) = def.get("Assign") else { return Ok(None) };
        match self.field(block, "Assign")? {
            Value::Object(vars) => Ok(Some(vars)),
            other => Err(QueryError::new(
                Some("Assign"),
                format!("The field 'Assign' must be an object but was '{}'", type_name(&other)),
            )),
        }
    }

    /// A field that must evaluate to one JSON type (`Items`, `Seconds`, …):
    /// `expected` names it as AWS's causes do.
    pub fn typed(
        &self,
        value: &Value,
        location: &str,
        expected: &str,
        fits: fn(&Value) -> bool,
    ) -> Result<Value, QueryError> {
        let v = self.field(value, location)?;
        if fits(&v) {
            return Ok(v);
        }
        let expr = value.as_str().and_then(expression);
        Err(match expr {
            Some(e) => QueryError::expression(
                e,
                location,
                format!(
                    "returned an unexpected result type. Expected '{expected}', but was '{}' for value: {v}",
                    type_name(&v)
                ),
            ),
            None => QueryError::new(
                Some(location),
                format!("The field '{location}' must be of type '{expected}' but was '{}': {v}", type_name(&v)),
            ),
        })
    }
}

/// Whether an expression inside `value` may read `$states.context`: it
/// names it, or uses `$states` other than through `.input`, `.result` or
/// `.errorOutput`.
fn reads_context(value: &Value) -> bool {
    match value {
        Value::String(s) => expression(s).is_some_and(|e| {
            e.match_indices("$states").any(|(i, m)| {
                let rest = &e[i + m.len()..];
                ![".input", ".result", ".errorOutput"].iter().any(|p| rest.starts_with(p))
            })
        }),
        Value::Object(m) => m.values().any(reads_context),
        Value::Array(items) => items.iter().any(reads_context),
        _ => false,
    }
}

/// Evaluates the expressions inside `value`.
fn walk(session: &Session, value: &Value, location: &str) -> Result<Value, QueryError> {
    match value {
        Value::String(s) => match expression(s) {
            Some(expr) => evaluate(session, expr, location),
            None => Ok(value.clone()),
        },
        Value::Object(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, v) in m {
                out.insert(k.clone(), walk(session, v, &format!("{location}/{k}"))?);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| walk(session, v, &format!("{location}[{i}]")))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

fn evaluate(session: &Session, expr: &str, location: &str) -> Result<Value, QueryError> {
    match session.eval(expr) {
        Ok(Outcome::Value(v)) => Ok(v),
        Ok(Outcome::Undefined) => Err(QueryError::expression(expr, location, "returned nothing (undefined).")),
        Ok(Outcome::Function) => Err(QueryError::expression(expr, location, "returned an unsupported result type.")),
        Err(e) => Err(QueryError::expression(expr, location, format!("threw an error during evaluation. {e}"))),
    }
}

#[cfg(test)]
mod tests;
