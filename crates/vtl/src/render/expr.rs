//! Expressions: values, Velocity 1.7's condition evaluation, arithmetic and ranges.

use indexmap::IndexMap;

use super::Renderer;
use crate::ast::{BinOp, Expr};
use crate::error::VtlError;
use crate::methods::MAX_COLLECTION;
use crate::ops;
use crate::value::Value;

impl Renderer<'_> {
    pub(super) fn expr(&mut self, expr: &Expr) -> Result<Value, VtlError> {
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
    pub(super) fn condition(&mut self, expr: &Expr) -> Result<bool, VtlError> {
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

    pub(super) fn arithmetic(&mut self, op: BinOp, left: &Expr, right: &Expr) -> Result<Value, VtlError> {
        let value = ops::arithmetic(op, &self.expr(left)?, &self.expr(right)?)?;
        if let Value::Str(s) = &value {
            self.built(s.len())?;
        }
        Ok(value)
    }

    /// `[a..b]`: the integers from a to b inclusive, counting down when b < a.
    pub(super) fn range(&mut self, from: &Expr, to: &Expr) -> Result<Value, VtlError> {
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
