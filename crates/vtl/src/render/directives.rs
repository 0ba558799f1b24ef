//! The directives that run a block in a new scope: `#foreach`, macro calls and `#evaluate`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use indexmap::IndexMap;

use super::{Flow, Renderer, locate};
use crate::ast::{Block, Expr, Pos};
use crate::error::VtlError;
use crate::parser;
use crate::value::Value;

impl Renderer<'_> {
    /// `#name(args)`: a macro defined in the template, `#evaluate`, or else text.
    pub(super) fn macro_call(&mut self, name: &str, args: &[Expr], source: &str, pos: Pos) -> Result<Flow, VtlError> {
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
    pub(super) fn argument(&mut self, arg: &Expr) -> Result<Value, VtlError> {
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
    pub(super) fn evaluate(&mut self, arg: &Expr) -> Result<Flow, VtlError> {
        let text = self.expr(arg)?.to_java_string()?;
        self.charge(text.len() as u64 / 64 + 1)?;
        let parsed = parser::parse(&text)?;
        self.evaluated_macros.extend(parsed.macros);
        self.block(&parsed.nodes)
    }

    pub(super) fn foreach(&mut self, var: &str, iterable: &Expr, body: &Block) -> Result<Flow, VtlError> {
        let collection = self.expr(iterable)?;
        let items = match &collection {
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
            let result = self.block(body).and_then(|flow| match flow {
                Flow::Next if modified(&collection, index, total)? => Ok(Flow::Break(1)),
                flow => Ok(flow),
            });
            match result {
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
}

/// Whether the loop must end because its body changed the size of the collection it iterates:
/// Java's iterators then either find nothing more (an `ArrayList` whose new size is the cursor,
/// a `LinkedHashMap` on its last entry) or throw.
fn modified(collection: &Value, index: usize, total: usize) -> Result<bool, VtlError> {
    let ends_quietly = match collection {
        Value::List(list) => match list.borrow().items.len() {
            len if len == total => return Ok(false),
            len => len == index + 1,
        },
        Value::Map(map) if map.borrow().len() != total => index + 1 == total,
        _ => return Ok(false),
    };
    if ends_quietly { Ok(true) } else { Err(VtlError::new("java.util.ConcurrentModificationException")) }
}
