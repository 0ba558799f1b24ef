//! TestState's DEBUG inspection: the data a JSONPath state's input goes
//! through (after InputPath, after Parameters, the result, after
//! ResultSelector, after ResultPath), recomputed from the input and the
//! state's result, each as JSON text.

use super::flow;
use super::runtime::{Frame, Runtime};
use super::scope::Scope;
use serde_json::{Map, Value};

/// The stages of `def` on `input`; `result` is what the state's work
/// produced (a task's result), when it produced one.
pub fn stages(
    rt: &Runtime,
    name: &str,
    def: &Value,
    input: &Value,
    frame: &Frame,
    result: Option<Value>,
) -> Map<String, Value> {
    let now = stratus_core::clock::now_epoch();
    let ctx = || rt.context(name, now, None, frame);
    let scope = Scope::new(&ctx, &frame.vars);
    let mut out = Map::new();
    let text = |v: &Value| Value::String(v.to_string());
    out.insert("input".into(), text(input));
    let Ok(effective) = flow::input_path(def, input, &scope) else { return out };
    out.insert("afterInputPath".into(), text(&effective));
    let kind = def.get("Type").and_then(Value::as_str).unwrap_or_default();
    if !matches!(kind, "Task" | "Pass" | "Parallel" | "Map") {
        return out;
    }
    let Ok(params) = flow::template(def, "Parameters", effective, &scope) else { return out };
    out.insert("afterParameters".into(), text(&params));
    let result = match (kind, result) {
        ("Pass", _) => def.get("Result").cloned().unwrap_or(params),
        (_, Some(r)) => r,
        _ => return out,
    };
    out.insert("result".into(), text(&result));
    let Ok(selected) = flow::template(def, "ResultSelector", result, &scope) else { return out };
    out.insert("afterResultSelector".into(), text(&selected));
    if let Ok(after) = flow::result_path(def, input, selected) {
        out.insert("afterResultPath".into(), text(&after));
    }
    out
}
