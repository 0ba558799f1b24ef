//! Variables and references: scope lookup (with the lazily built `$context` and
//! `$stageVariables`), property, index and method access, and `#set` targets.

use std::rc::Rc;

use super::{MAX_OUTPUT, Renderer, locate};
use crate::ast::{Access, Reference};
use crate::error::VtlError;
use crate::methods::{self, Args};
use crate::value::{Builtin, Value};
use crate::{context, util};

impl Renderer<'_> {
    pub(super) fn lookup(&mut self, name: &str) -> Option<Value> {
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

    pub(super) fn set_var(&mut self, name: &str, value: Value) {
        let scope = self.scopes.iter_mut().rev().find(|scope| scope.contains_key(name));
        match scope {
            Some(scope) => scope.insert(name.to_string(), value),
            None => self.scopes[0].insert(name.to_string(), value),
        };
    }

    /// The value of a reference; None when its variable is not defined.
    pub(super) fn reference(&mut self, reference: &Reference) -> Result<Option<Value>, VtlError> {
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

    pub(super) fn access(&mut self, target: &Value, access: &Access) -> Result<Value, VtlError> {
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

    pub(super) fn call(&mut self, target: &Value, name: &str, args: &Args) -> Result<Value, VtlError> {
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
    pub(super) fn built(&mut self, len: usize) -> Result<(), VtlError> {
        if len > MAX_OUTPUT {
            return Err(VtlError::new(format!("A string grew beyond {MAX_OUTPUT} bytes")));
        }
        self.charge(len as u64 / 64)
    }

    /// `#set`: a variable, a map key (`$m.k`, `$m['k']`) or a list item (`$l[0]`). A null
    /// value leaves the target unchanged, as in Velocity 1.7.
    pub(super) fn assign(&mut self, target: &Reference, value: Value) -> Result<(), VtlError> {
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
    pub(super) fn override_once(&mut self, map: usize, key: &str, target: &Reference) -> Result<(), VtlError> {
        if !self.overridden.insert((map, key.to_string())) {
            return Err(VtlError::at(format!("{} is overridden more than once", target.source), target.pos));
        }
        Ok(())
    }
}
