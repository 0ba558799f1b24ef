//! Intrinsic functions (`States.Format`, `States.Array…`, `States.Hash`,
//! …): parsing a call and evaluating it against the state's data, with
//! arguments that are paths resolved by the caller.

mod functions;
mod parse;

use super::failure::Failure;
use parse::{Arg, Call};
use serde_json::Value;

/// Resolves a path argument (`$.x`, `$$.x`, `$var`) to its value.
pub type Resolver<'a> = &'a dyn Fn(&str) -> Result<Value, Failure>;

/// Applies the intrinsic function `name` to evaluated arguments.
pub fn apply(name: &str, args: Vec<Value>) -> Result<Value, Failure> {
    functions::apply(name, args, None)
}

/// Evaluates the intrinsic call in `text`.
pub fn evaluate(text: &str, resolve: Resolver) -> Result<Value, Failure> {
    let call = parse::parse(text).map_err(|e| Failure::new("States.IntrinsicFailure", e))?;
    eval_call(&call, resolve)
}

fn eval_call(call: &Call, resolve: Resolver) -> Result<Value, Failure> {
    let mut args = Vec::with_capacity(call.args.len());
    let mut format_template = None;
    for (i, arg) in call.args.iter().enumerate() {
        args.push(match arg {
            Arg::Str { value, raw } => {
                if i == 0 {
                    format_template = Some(raw.clone());
                }
                Value::String(value.clone())
            }
            Arg::Num(n) => Value::Number(n.clone()),
            Arg::Bool(b) => Value::Bool(*b),
            Arg::Null => Value::Null,
            Arg::Path(p) => resolve(p)?,
            Arg::Call(c) => eval_call(c, resolve)?,
        });
    }
    functions::apply(&call.name, args, format_template.as_deref())
}
