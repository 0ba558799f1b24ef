//! Velocity 1.7's operators on values: arithmetic with Java's integer/float rules (null on a
//! zero divisor), string concatenation with `+`, numeric comparison.

use crate::ast::BinOp;
use crate::error::VtlError;
use crate::value::Value;

/// `+ - * / %`, and `+` joining text when either side is a string.
pub fn arithmetic(op: BinOp, left: &Value, right: &Value) -> Result<Value, VtlError> {
    if left.is_null() || right.is_null() {
        return Ok(Value::Null);
    }
    if op == BinOp::Add && (matches!(left, Value::Str(_)) || matches!(right, Value::Str(_))) {
        return Ok(Value::str(format!("{}{}", left.to_java_string()?, right.to_java_string()?)));
    }
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => Ok(integer(op, *a, *b)),
        _ => match (left.as_f64(), right.as_f64()) {
            (Some(a), Some(b)) => Ok(float(op, a, b)),
            _ => Ok(Value::Null),
        },
    }
}

fn integer(op: BinOp, a: i64, b: i64) -> Value {
    let exact = match op {
        BinOp::Add => a.checked_add(b),
        BinOp::Sub => a.checked_sub(b),
        BinOp::Mul => a.checked_mul(b),
        BinOp::Div | BinOp::Mod if b == 0 => return Value::Null,
        BinOp::Div => a.checked_div(b),
        BinOp::Mod => a.checked_rem(b),
        _ => return Value::Null,
    };
    // Java widens to BigInteger on overflow; a double is the nearest we hold.
    exact.map_or_else(|| float(op, a as f64, b as f64), Value::Int)
}

fn float(op: BinOp, a: f64, b: f64) -> Value {
    match op {
        BinOp::Add => Value::Float(a + b),
        BinOp::Sub => Value::Float(a - b),
        BinOp::Mul => Value::Float(a * b),
        BinOp::Div | BinOp::Mod if b == 0.0 => Value::Null,
        BinOp::Div => Value::Float(a / b),
        BinOp::Mod => Value::Float(a % b),
        _ => Value::Null,
    }
}

/// `< > <= >=` on numbers; anything else compares false (Velocity logs an error).
pub fn compare(op: BinOp, left: &Value, right: &Value) -> bool {
    let ordering = match (left, right) {
        (Value::Int(a), Value::Int(b)) => a.partial_cmp(b),
        _ => match (left.as_f64(), right.as_f64()) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => None,
        },
    };
    let Some(ordering) = ordering else { return false };
    match op {
        BinOp::Lt => ordering.is_lt(),
        BinOp::Gt => ordering.is_gt(),
        BinOp::Le => ordering.is_le(),
        _ => ordering.is_ge(),
    }
}

pub fn negate(value: &Value) -> Value {
    match value {
        Value::Int(i) => i.checked_neg().map_or(Value::Float(-(*i as f64)), Value::Int),
        Value::Float(f) => Value::Float(-f),
        _ => Value::Null,
    }
}
