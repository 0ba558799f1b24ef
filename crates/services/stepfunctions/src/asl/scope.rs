//! `Scope`: what a JSONPath expression can read while a state runs (the
//! effective input, the context object `$$`, and the variables), and
//! payload templates (`Parameters`, `ResultSelector`, `ItemSelector`) whose
//! keys ending in `.$` take a path, a context path, a variable or an
//! intrinsic function.

use super::failure::Failure;
use super::intrinsics;
use super::path;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The data a state's expressions can see besides its input. The context
/// object is built on first use: most states never read it.
pub struct Scope<'a> {
    context: OnceLock<Value>,
    build: &'a (dyn Fn() -> Value + Sync),
    pub vars: &'a Map<String, Value>,
}

impl<'a> Scope<'a> {
    pub fn new(build: &'a (dyn Fn() -> Value + Sync), vars: &'a Map<String, Value>) -> Scope<'a> {
        Scope { context: OnceLock::new(), build, vars }
    }

    /// The context object (`$$`, `$states.context`).
    pub fn context(&self) -> &Value {
        self.context.get_or_init(|| (self.build)())
    }

    /// Evaluates one path against `data`: `$$…` reads the context object,
    /// `$name…` a variable, `$…` the data. Errors are the cause text only.
    pub fn path(&self, data: &Value, expr: &str) -> Result<Value, String> {
        if let Some(rest) = expr.strip_prefix("$$") {
            return path::select(self.context(), &format!("${rest}")).map_err(|e| e.message);
        }
        if let Some(name) = variable_name(expr) {
            let value = self
                .vars
                .get(name)
                .ok_or_else(|| format!("Invalid path '{expr}': The variable '${name}' is not defined"))?;
            let rest = &expr[1 + name.len()..];
            return path::select(value, &format!("${rest}")).map_err(|e| e.message);
        }
        path::select(data, expr).map_err(|e| e.message)
    }

    /// Evaluates a `.$` value: an intrinsic function or a path.
    pub fn dynamic(&self, data: &Value, field: &str, expr: &str) -> Result<Value, Failure> {
        if expr.starts_with("States.") {
            let resolve = |p: &str| self.path(data, p).map_err(Failure::runtime);
            return intrinsics::evaluate(expr, &resolve);
        }
        self.path(data, expr).map_err(|_| {
            let searched = if expr.starts_with("$$") { self.context() } else { data };
            Failure::runtime(format!(
                "The JSONPath '{expr}' specified for the field '{field}' could not be found in the input '{searched}'"
            ))
        })
    }

    /// Builds a payload template against `data`.
    pub fn payload(&self, template: &Value, data: &Value) -> Result<Value, Failure> {
        match template {
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    match (k.strip_suffix(".$"), v) {
                        (Some(name), Value::String(expr)) => {
                            out.insert(name.to_string(), self.dynamic(data, k, expr)?);
                        }
                        _ => {
                            out.insert(k.clone(), self.payload(v, data)?);
                        }
                    }
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => {
                items.iter().map(|v| self.payload(v, data)).collect::<Result<_, _>>().map(Value::Array)
            }
            other => Ok(other.clone()),
        }
    }
}

/// `$name` or `$name.x` → `name`; `None` for `$`, `$.x`, `$[…]`, `$$…`.
fn variable_name(expr: &str) -> Option<&str> {
    let rest = expr.strip_prefix('$')?;
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    let name = &rest[..end];
    (!name.is_empty() && !name.starts_with('$')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builds_templates() {
        let ctx = || json!({"Execution": {"Name": "e1"}});
        let mut vars = Map::new();
        vars.insert("v".into(), json!({"a": 5}));
        let scope = Scope::new(&ctx, &vars);
        let tpl = json!({"x.$": "$.in", "n.$": "$$.Execution.Name", "va.$": "$v.a", "f.$": "States.Format('{}!', $.in)", "lit": [1]});
        let out = scope.payload(&tpl, &json!({"in": "hi"})).ok();
        assert_eq!(out, Some(json!({"x": "hi", "n": "e1", "va": 5, "f": "hi!", "lit": [1]})));
    }
}
