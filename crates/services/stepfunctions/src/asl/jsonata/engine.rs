//! The JSONata engine (the `jsonata-core` crate) behind a small interface:
//! parse (with a per-thread cache), bind `$states` and the workflow
//! variables, add AWS's functions, evaluate, and convert the result back
//! to JSON. The engine's values are `Rc`-based and not `Send`: everything
//! here is synchronous and nothing of it outlives a call.

use super::functions;
use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorOptions};
use jsonata_core::value::JValue;
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The longest an expression may run, in milliseconds.
const TIMEOUT_MS: u64 = 10_000;
/// The longest sequence an expression may build (a payload is at most
/// 256 KiB: longer sequences only exhaust memory).
const MAX_SEQUENCE: usize = 1_000_000;
/// Parsed expressions kept per thread before the cache starts over.
const CACHE_SIZE: usize = 512;

thread_local! {
    static PARSED: RefCell<HashMap<String, Rc<AstNode>>> = RefCell::new(HashMap::new());
}

/// What an expression evaluated to.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Value(Value),
    /// Nothing (JSONata's `undefined`).
    Undefined,
    /// A function, which JSON cannot hold.
    Function,
}

/// Parses `expr` (or takes it from the cache); `Err` is the parser's message.
fn parsed(expr: &str) -> Result<Rc<AstNode>, String> {
    if let Some(ast) = PARSED.with(|p| p.borrow().get(expr).cloned()) {
        return Ok(ast);
    }
    let ast = std::panic::catch_unwind(|| jsonata_core::parser::parse(expr))
        .map_err(|_| "The JSONata engine failed to parse this expression".to_string())?
        .map_err(|e| e.to_string())?;
    let ast = Rc::new(ast);
    PARSED.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= CACHE_SIZE {
            p.clear();
        }
        p.insert(expr.to_string(), ast.clone());
    });
    Ok(ast)
}

/// The field names `expr` reads at its top level (where Step Functions
/// offers no data: only `$states` and variables); `Err` is the parser's
/// message when it does not parse.
pub fn top_level_names(expr: &str) -> Result<Vec<String>, String> {
    let ast = parsed(expr)?;
    let mut names = Vec::new();
    top_level(&ast, &mut names);
    Ok(names)
}

/// Collects the names read at the top level of `node`: a path starting
/// with a field name, and such paths among the operands, arguments,
/// branches and constructed values evaluated there (function bodies and
/// the steps after a path's first are not the top level).
fn top_level(node: &AstNode, names: &mut Vec<String>) {
    match node {
        AstNode::Name(n) => names.push(n.clone()),
        AstNode::Path { steps } => {
            if let Some(first) = steps.first() {
                top_level(&first.node, names);
            }
        }
        AstNode::Binary { lhs, rhs, .. } => {
            top_level(lhs, names);
            top_level(rhs, names);
        }
        AstNode::Unary { operand, .. } => top_level(operand, names),
        AstNode::Function { args, .. } | AstNode::Call { args, .. } => args.iter().for_each(|a| top_level(a, names)),
        AstNode::Array(items) | AstNode::Block(items) => items.iter().for_each(|i| top_level(i, names)),
        AstNode::Object(pairs) => pairs.iter().for_each(|(_, v)| top_level(v, names)),
        AstNode::Conditional { condition, then_branch, else_branch } => {
            top_level(condition, names);
            top_level(then_branch, names);
            if let Some(e) = else_branch {
                top_level(e, names);
            }
        }
        _ => {}
    }
}

/// `$states` and the variables, converted once for several expressions.
pub struct Session {
    bindings: Vec<(String, JValue)>,
}

impl Session {
    pub fn new(states: &Value, vars: &Map<String, Value>) -> Session {
        let mut bindings = Vec::with_capacity(vars.len() + 1);
        for (name, value) in vars {
            bindings.push((name.clone(), JValue::from(value.clone())));
        }
        bindings.push(("states".to_string(), JValue::from(states.clone())));
        Session { bindings }
    }

    /// Evaluates `expr`; `Err` is the engine's `CODE: message`. A panic in
    /// the engine fails the evaluation, not the execution's task.
    pub fn eval(&self, expr: &str) -> Result<Outcome, String> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.eval_unguarded(expr)))
            .unwrap_or_else(|_| Err("The JSONata engine failed on this expression".to_string()))
    }

    fn eval_unguarded(&self, expr: &str) -> Result<Outcome, String> {
        let ast = parsed(expr)?;
        let mut context = Context::new();
        for (name, value) in &self.bindings {
            context.bind(name.clone(), value.clone());
        }
        let options = EvaluatorOptions {
            timeout_ms: Some(TIMEOUT_MS),
            max_sequence_length: Some(MAX_SEQUENCE),
            ..EvaluatorOptions::default()
        };
        let mut evaluator = Evaluator::with_options(context, options);
        functions::register(&mut evaluator).map_err(|e| e.message().to_string())?;
        let result = evaluator.evaluate(&ast, &JValue::Null).map_err(|e| message(e.message()))?;
        Ok(match result {
            JValue::Undefined => Outcome::Undefined,
            v if is_function(&v) => Outcome::Function,
            v => match to_json(&v) {
                Some(json) => Outcome::Value(json),
                None => Outcome::Function,
            },
        })
    }
}

/// An engine error as AWS words it: `T1006` without the function's name.
fn message(m: &str) -> String {
    const NOT_A_FUNCTION: &str = "T1006: Attempted to invoke a non-function";
    if m.starts_with(NOT_A_FUNCTION) { NOT_A_FUNCTION.to_string() } else { m.to_string() }
}

fn is_function(v: &JValue) -> bool {
    matches!(v, JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. })
}

/// A JSON number: whole numbers without a fraction, as AWS prints them.
pub fn number(n: f64) -> Option<Value> {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        return Some(Value::Number(Number::from(n as i64)));
    }
    Number::from_f64(n).map(Value::Number)
}

/// The engine's value as JSON; `None` when it holds a function. Nothing
/// (`undefined`) is left out of objects and becomes `null` in arrays, as
/// in `JSON.stringify`.
pub fn to_json(v: &JValue) -> Option<Value> {
    Some(match v {
        JValue::Null | JValue::Undefined => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => number(*n)?,
        JValue::String(s) => Value::String(s.to_string()),
        JValue::Array(items) => Value::Array(items.iter().map(to_json).collect::<Option<Vec<_>>>()?),
        JValue::Object(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, x) in m.iter() {
                if !x.is_undefined() {
                    out.insert(k.clone(), to_json(x)?);
                }
            }
            Value::Object(out)
        }
        _ => return None,
    })
}

/// JSON as the engine's value.
pub fn from_json(v: &Value) -> JValue {
    JValue::from(v.clone())
}
