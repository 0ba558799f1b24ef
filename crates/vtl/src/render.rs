//! Evaluates a parsed template against one request: variables and scopes, directives,
//! references, and the limits that keep any template bounded in time and memory.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::{Access, BinOp, Block, Expr, Macro, Node, Pos, Reference};
use crate::error::VtlError;
use crate::input::InputVar;
use crate::methods::{self, Args, MAX_COLLECTION};
use crate::value::{Builtin, Value};
use crate::{Input, Overrides, context, ops, parser, util};

/// The largest output (API Gateway's payload limit is 10 MB), and the largest string a
/// template may build.
const MAX_OUTPUT: usize = 10 * 1024 * 1024;
/// Work units (nodes, expressions, loop items, 64 bytes built) one render may spend.
const MAX_STEPS: u64 = 5_000_000;
/// Deepest nesting of blocks, macro calls and `#define` renders.
const MAX_DEPTH: usize = 200;

enum Flow {
    Next,
    /// Leave this many enclosing loops.
    Break(usize),
    Stop,
}

pub struct Renderer<'a> {
    macros: &'a HashMap<String, Arc<Macro>>,
    input: &'a Input,
    input_var: InputVar<'a>,
    scopes: Vec<HashMap<String, Value>>,
    out: String,
    steps: u64,
    depth: usize,
    /// The override slots (map, key) set so far.
    overridden: HashSet<(usize, String)>,
    /// Macros defined by `#evaluate`d text.
    evaluated_macros: HashMap<String, Arc<Macro>>,
}

impl<'a> Renderer<'a> {
    pub fn new(macros: &'a HashMap<String, Arc<Macro>>, input: &'a Input) -> Self {
        Renderer {
            macros,
            input,
            input_var: InputVar::new(input),
            scopes: vec![HashMap::new()],
            out: String::new(),
            steps: 0,
            depth: 0,
            overridden: HashSet::new(),
            evaluated_macros: HashMap::new(),
        }
    }

    /// Renders the template; returns the body and the overrides the template set.
    pub fn run(mut self, nodes: &Block) -> Result<(String, Overrides), VtlError> {
        self.block(nodes)?;
        let overrides = match self.scopes[0].get("context") {
            Some(context) => context::overrides(context),
            None => context::passed_through(&self.input.context),
        };
        Ok((self.out, overrides))
    }

    fn charge(&mut self, units: u64) -> Result<(), VtlError> {
        self.steps += units;
        if self.steps > MAX_STEPS {
            return Err(VtlError::new("The template exceeded its evaluation budget"));
        }
        Ok(())
    }

    fn write(&mut self, text: &str) -> Result<(), VtlError> {
        if self.out.len() + text.len() > MAX_OUTPUT {
            return Err(VtlError::new(format!("The template output exceeds {MAX_OUTPUT} bytes")));
        }
        self.charge(text.len() as u64 / 64)?;
        self.out.push_str(text);
        Ok(())
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, VtlError>) -> Result<T, VtlError> {
        self.depth += 1;
        let result =
            if self.depth > MAX_DEPTH { Err(VtlError::new("Template recursion is too deep")) } else { f(self) };
        self.depth -= 1;
        result
    }

    fn block(&mut self, nodes: &[Node]) -> Result<Flow, VtlError> {
        self.nested(|r| {
            for node in nodes {
                match r.node(node)? {
                    Flow::Next => {}
                    flow => return Ok(flow),
                }
            }
            Ok(Flow::Next)
        })
    }

    fn node(&mut self, node: &Node) -> Result<Flow, VtlError> {
        self.charge(1)?;
        match node {
            Node::Text(text) => self.write(text)?,
            Node::Ref { reference, escapes } => self.reference_node(reference, *escapes)?,
            Node::Set { target, value } => {
                let value = self.expr(value)?;
                self.assign(target, value)?;
            }
            Node::If { branches, otherwise } => {
                for (condition, body) in branches {
                    if self.condition(condition)? {
                        return self.block(body);
                    }
                }
                if let Some(body) = otherwise {
                    return self.block(body);
                }
            }
            Node::Foreach { var, iterable, body } => return self.foreach(var, iterable, body),
            Node::Break(levels) => return Ok(Flow::Break(*levels)),
            Node::Stop => return Ok(Flow::Stop),
            Node::Define { name, body } => self.set_var(name, Value::Block(body.clone())),
            Node::MacroCall { name, args, source, pos } => {
                return self.macro_call(name, args, source, *pos).map_err(|e| locate(e, *pos));
            }
        }
        Ok(Flow::Next)
    }

    /// `#name(args)`: a macro defined in the template, `#evaluate`, or else text.
    fn macro_call(&mut self, name: &str, args: &[Expr], source: &str, pos: Pos) -> Result<Flow, VtlError> {
        let definition = self.macros.get(name).or_else(|| self.evaluated_macros.get(name)).cloned();
        let Some(definition) = definition else {
            return match (name, args) {
                ("evaluate", [arg]) => self.evaluate(arg),
                _ => self.write(source).map(|_| Flow::Next),
            };
        };
        let mut scope = HashMap::new();
        for (param, arg) in definition.params.iter().zip(args) {
            scope.insert(param.clone(), self.argument(arg)?);
        }
        self.scopes.push(scope);
        let flow = self.block(&definition.body);
        self.scopes.pop();
        match flow.map_err(|e| locate(e, pos))? {
            Flow::Stop => Ok(Flow::Stop),
            _ => Ok(Flow::Next),
        }
    }

    /// A macro argument's value; an undefined reference stays undefined, keeping its text.
    fn argument(&mut self, arg: &Expr) -> Result<Value, VtlError> {
        if let Expr::Ref(reference) = arg {
            return Ok(match self.reference(reference)? {
                Some(value) => value,
                None => Value::UndefinedArg(reference.source.as_str().into()),
            });
        }
        self.expr(arg)
    }

    /// `#evaluate($text)`: parses the text as a template and renders it here; its macros stay
    /// defined for the rest of the render.
    fn evaluate(&mut self, arg: &Expr) -> Result<Flow, VtlError> {
        let text = self.expr(arg)?.to_java_string()?;
        self.charge(text.len() as u64 / 64 + 1)?;
        let parsed = parser::parse(&text)?;
        self.evaluated_macros.extend(parsed.macros);
        self.block(&parsed.nodes)
    }

    /// A reference in the text. Null renders as nothing (as API Gateway does); an undefined
    /// variable renders as written unless quiet; backslashes escape a defined reference.
    fn reference_node(&mut self, reference: &Reference, escapes: usize) -> Result<(), VtlError> {
        let value = self.reference(reference)?;
        let defined = value.as_ref().is_some_and(|v| !v.is_null());
        if escapes > 0 {
            // Velocity 1.7: a defined reference keeps half the backslashes; an undefined one
            // keeps them all when even, and one more than half when odd.
            let kept = match (defined, escapes % 2) {
                (true, _) => escapes / 2,
                (false, 0) => escapes,
                (false, _) => escapes / 2 + 1,
            };
            self.write(&"\\".repeat(kept))?;
            match (defined, escapes % 2) {
                (_, 1) => return self.write(&reference.source),
                (false, _) if reference.quiet => return Ok(()),
                (false, _) => return self.write(&reference.source),
                _ => {}
            }
        }
        match value {
            None if reference.quiet => Ok(()),
            None => match self.lookup(&reference.root) {
                Some(Value::UndefinedArg(source)) if reference.path.is_empty() => self.write(&source),
                _ => self.write(&reference.source),
            },
            Some(value) => self.write_value(&value),
        }
    }

    fn write_value(&mut self, value: &Value) -> Result<(), VtlError> {
        match value {
            Value::Block(body) => {
                let body = body.clone();
                self.block(&body).map(|_| ())
            }
            Value::Str(s) => self.write(s),
            other => {
                let text = other.to_java_string()?;
                self.write(&text)
            }
        }
    }

    fn lookup(&mut self, name: &str) -> Option<Value> {
        if let Some(value) = self.scopes.iter().rev().find_map(|scope| scope.get(name)) {
            return Some(value.clone());
        }
        let value = match name {
            "input" => return Some(Value::Builtin(Builtin::Input)),
            "util" => return Some(Value::Builtin(Builtin::Util)),
            "context" => context::materialize(&self.input.context),
            "stageVariables" => Value::map(
                self.input.stage_variables.iter().map(|(k, v)| (k.clone(), Value::str(v.as_str()))).collect(),
            ),
            _ => return None,
        };
        self.scopes[0].insert(name.to_string(), value.clone());
        Some(value)
    }

    fn set_var(&mut self, name: &str, value: Value) {
        let scope = self.scopes.iter_mut().rev().find(|scope| scope.contains_key(name));
        match scope {
            Some(scope) => scope.insert(name.to_string(), value),
            None => self.scopes[0].insert(name.to_string(), value),
        };
    }

    /// The value of a reference; None when its variable is not defined.
    fn reference(&mut self, reference: &Reference) -> Result<Option<Value>, VtlError> {
        let mut value = match self.lookup(&reference.root) {
            None | Some(Value::UndefinedArg(_)) => return Ok(None),
            Some(value) => value,
        };
        for access in &reference.path {
            if value.is_null() {
                break;
            }
            value = self.access(&value, access).map_err(|e| locate(e, reference.pos))?;
        }
        Ok(Some(value))
    }

    fn access(&mut self, target: &Value, access: &Access) -> Result<Value, VtlError> {
        match access {
            Access::Property(name) => match target {
                Value::Map(map) => Ok(map.borrow().get(name).cloned().unwrap_or(Value::Null)),
                Value::Builtin(Builtin::Input) => self.input_var.property(name),
                Value::Builtin(Builtin::Util) => Ok(Value::Null),
                other => methods::property(other, name),
            },
            Access::Method(name, args) => {
                let args = Args(args.iter().map(|arg| self.expr(arg)).collect::<Result<_, _>>()?);
                self.call(target, name, &args)
            }
            Access::Index(index) => {
                let index = self.expr(index)?;
                match (target, &index) {
                    (Value::List(list), Value::Int(i)) => methods::get_index(list, *i),
                    (Value::Map(map), key) => {
                        let key = key.to_java_string()?;
                        Ok(map.borrow().get(&key).cloned().unwrap_or(Value::Null))
                    }
                    _ => Ok(Value::Null),
                }
            }
        }
    }

    fn call(&mut self, target: &Value, name: &str, args: &Args) -> Result<Value, VtlError> {
        let result = match target {
            Value::Builtin(Builtin::Input) => self.input_var.call(name, args)?,
            Value::Builtin(Builtin::Util) => util::call(name, args)?,
            other => methods::call(other, name, args)?,
        };
        let value = result.unwrap_or(Value::Null);
        if let Value::Str(s) = &value {
            self.built(s.len())?;
        }
        Ok(value)
    }

    /// Accounts for a string the template built.
    fn built(&mut self, len: usize) -> Result<(), VtlError> {
        if len > MAX_OUTPUT {
            return Err(VtlError::new(format!("A string grew beyond {MAX_OUTPUT} bytes")));
        }
        self.charge(len as u64 / 64)
    }

    /// `#set`: a variable, a map key (`$m.k`, `$m['k']`) or a list item (`$l[0]`). A null
    /// value leaves the target unchanged, as in Velocity 1.7.
    fn assign(&mut self, target: &Reference, value: Value) -> Result<(), VtlError> {
        if value.is_null() {
            return Ok(());
        }
        let Some((last, parents)) = target.path.split_last() else {
            self.set_var(&target.root, value);
            return Ok(());
        };
        let Some(mut parent) = self.lookup(&target.root) else { return Ok(()) };
        for access in parents {
            if parent.is_null() {
                return Ok(());
            }
            parent = self.access(&parent, access).map_err(|e| locate(e, target.pos))?;
        }
        let key = match last {
            Access::Property(name) => Value::str(name.as_str()),
            Access::Index(index) => self.expr(index)?,
            Access::Method(..) => return Ok(()),
        };
        match (&parent, key) {
            (Value::List(list), Value::Int(i)) => methods::set_index(list, i, value).map(|_| ()),
            (Value::Map(map), key) => {
                let key = key.to_java_string()?;
                if context::is_override(&target.root, &target.path) {
                    self.override_once(Rc::as_ptr(map) as usize, &key, target)?;
                }
                methods::put(map, key, value).map(|_| ())
            }
            _ => Ok(()),
        }
        .map_err(|e| locate(e, target.pos))
    }

    /// "Overrides are final": API Gateway fails a template that sets one twice.
    fn override_once(&mut self, map: usize, key: &str, target: &Reference) -> Result<(), VtlError> {
        if !self.overridden.insert((map, key.to_string())) {
            return Err(VtlError::at(format!("{} is overridden more than once", target.source), target.pos));
        }
        Ok(())
    }

    fn foreach(&mut self, var: &str, iterable: &Expr, body: &Block) -> Result<Flow, VtlError> {
        let items = match self.expr(iterable)? {
            Value::List(list) => list.borrow().items.clone(),
            Value::Map(map) => map.borrow().values().cloned().collect(),
            _ => return Ok(Flow::Next),
        };
        self.charge(items.len() as u64 / 64)?;
        let total = items.len();
        // One `$foreach` object per loop, updated in place like Velocity's ForeachScope.
        let mut scope_info = IndexMap::from([
            ("index".to_string(), Value::Int(0)),
            ("count".to_string(), Value::Int(1)),
            ("hasNext".to_string(), Value::Bool(total > 1)),
            ("first".to_string(), Value::Bool(true)),
            ("last".to_string(), Value::Bool(total == 1)),
        ]);
        if let Some(parent) = self.scopes.iter().rev().find_map(|scope| scope.get("foreach")) {
            scope_info.insert("parent".to_string(), parent.clone());
        }
        let info = Rc::new(RefCell::new(scope_info));
        self.scopes.push(HashMap::from([
            (var.to_string(), Value::Null),
            ("velocityCount".to_string(), Value::Int(1)),
            ("foreach".to_string(), Value::Map(info.clone())),
        ]));
        let mut flow = Flow::Next;
        for (index, item) in items.into_iter().enumerate() {
            self.charge(1)?;
            let count = Value::Int(index as i64 + 1);
            for (key, value) in info.borrow_mut().iter_mut() {
                *value = match key.as_str() {
                    "index" => Value::Int(index as i64),
                    "count" => count.clone(),
                    "hasNext" => Value::Bool(index + 1 < total),
                    "first" => Value::Bool(index == 0),
                    "last" => Value::Bool(index + 1 == total),
                    _ => continue,
                };
            }
            if let Some(scope) = self.scopes.last_mut() {
                for (key, value) in scope.iter_mut() {
                    if key == var {
                        *value = item.clone();
                    } else if key == "velocityCount" {
                        *value = count.clone();
                    }
                }
            }
            match self.block(body) {
                Ok(Flow::Next) => {}
                Ok(Flow::Break(1)) => break,
                Ok(Flow::Break(levels)) => {
                    flow = Flow::Break(levels - 1);
                    break;
                }
                Ok(Flow::Stop) => {
                    flow = Flow::Stop;
                    break;
                }
                Err(e) => {
                    self.scopes.pop();
                    return Err(e);
                }
            }
        }
        self.scopes.pop();
        Ok(flow)
    }

    fn expr(&mut self, expr: &Expr) -> Result<Value, VtlError> {
        self.charge(1)?;
        Ok(match expr {
            Expr::Ref(reference) => self.reference(reference)?.unwrap_or(Value::Null),
            Expr::Str(s) => Value::str(s.as_str()),
            Expr::Interpolated(nodes) => {
                let outer = std::mem::take(&mut self.out);
                let result = self.block(nodes);
                let inner = std::mem::replace(&mut self.out, outer);
                result?;
                self.built(inner.len())?;
                Value::str(inner)
            }
            Expr::Int(i) => Value::Int(*i),
            Expr::Float(f) => Value::Float(*f),
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Null => Value::Null,
            Expr::List(items) => Value::list(items.iter().map(|item| self.expr(item)).collect::<Result<_, _>>()?),
            Expr::Range(from, to) => self.range(from, to)?,
            Expr::Map(entries) => {
                let mut map = IndexMap::new();
                for (key, value) in entries {
                    let key = self.expr(key)?.to_java_string()?;
                    map.insert(key, self.expr(value)?);
                }
                Value::map(map)
            }
            Expr::Not(_) => Value::Bool(self.condition(expr)?),
            Expr::Neg(inner) => ops::negate(&self.expr(inner)?),
            Expr::Binary(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod), left, right) => {
                self.arithmetic(*op, left, right)?
            }
            Expr::Binary(..) => Value::Bool(self.condition(expr)?),
        })
    }

    /// Velocity 1.7's `evaluate()`, used by `#if`, `!`, `&&` and `||`: a reference is true when
    /// its value is neither null nor false, `true` and comparisons are what they say, and every
    /// other literal or arithmetic expression is false.
    fn condition(&mut self, expr: &Expr) -> Result<bool, VtlError> {
        self.charge(1)?;
        Ok(match expr {
            Expr::Ref(reference) => self.reference(reference)?.is_some_and(|v| v.truthy()),
            Expr::Bool(b) => *b,
            Expr::Not(inner) => !self.condition(inner)?,
            Expr::Binary(BinOp::And, left, right) => self.condition(left)? && self.condition(right)?,
            Expr::Binary(BinOp::Or, left, right) => self.condition(left)? || self.condition(right)?,
            Expr::Binary(op @ (BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge), left, right) => {
                let (left, right) = (self.expr(left)?, self.expr(right)?);
                match op {
                    BinOp::Eq => left.velocity_eq(&right),
                    BinOp::Ne => !left.velocity_eq(&right),
                    _ => ops::compare(*op, &left, &right),
                }
            }
            _ => false,
        })
    }

    fn arithmetic(&mut self, op: BinOp, left: &Expr, right: &Expr) -> Result<Value, VtlError> {
        let value = ops::arithmetic(op, &self.expr(left)?, &self.expr(right)?)?;
        if let Value::Str(s) = &value {
            self.built(s.len())?;
        }
        Ok(value)
    }

    /// `[a..b]`: the integers from a to b inclusive, counting down when b < a.
    fn range(&mut self, from: &Expr, to: &Expr) -> Result<Value, VtlError> {
        let (Value::Int(from), Value::Int(to)) = (self.expr(from)?, self.expr(to)?) else {
            return Ok(Value::Null);
        };
        let len = from.abs_diff(to).saturating_add(1);
        if len > MAX_COLLECTION as u64 {
            return Err(VtlError::new(format!("A range may hold at most {MAX_COLLECTION} items")));
        }
        self.charge(len / 64)?;
        let items = if from <= to {
            (from..=to).map(Value::Int).collect()
        } else {
            (to..=from).rev().map(Value::Int).collect()
        };
        Ok(Value::list(items))
    }
}

/// Gives a runtime error the position of the reference or call it came from.
fn locate(mut error: VtlError, pos: Pos) -> VtlError {
    if error.line.is_none() {
        error.line = Some(pos.line);
        error.column = Some(pos.column);
    }
    error
}
