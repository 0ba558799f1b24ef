//! The legacy (pre-expression) parameters, translated into the expression
//! AST: Expected, KeyConditions, QueryFilter, ScanFilter (with
//! ConditionalOperator) and AttributeUpdates.

use serde_json::Value;
use stratus_core::input::Input;

use crate::error::{DdbError, invalid};
use crate::expr::parser::{Cmp, Cond, Operand, PathElem, UpdateAction};
use crate::types::AttrValue;

fn path(name: &str) -> Vec<PathElem> {
    vec![PathElem::Attr(name.to_string())]
}

fn one(name: &str, op: &str, args: &[AttrValue]) -> Result<Cond, DdbError> {
    let p = || Operand::Path(path(name));
    let need = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(invalid(format!("Invalid number of argument(s) for the {op} ComparisonOperator")))
        }
    };
    let v = |i: usize| Operand::Value(args[i].clone());
    Ok(match op {
        "EQ" | "NE" | "LE" | "LT" | "GE" | "GT" => {
            need(1)?;
            let c = match op {
                "EQ" => Cmp::Eq,
                "NE" => Cmp::Ne,
                "LE" => Cmp::Le,
                "LT" => Cmp::Lt,
                "GE" => Cmp::Ge,
                _ => Cmp::Gt,
            };
            Cond::Cmp(p(), c, v(0))
        }
        "NOT_NULL" => {
            need(0)?;
            Cond::Exists(path(name))
        }
        "NULL" => {
            need(0)?;
            Cond::NotExists(path(name))
        }
        "CONTAINS" => {
            need(1)?;
            Cond::Contains(p(), v(0))
        }
        "NOT_CONTAINS" => {
            need(1)?;
            Cond::And(Box::new(Cond::Exists(path(name))), Box::new(Cond::Not(Box::new(Cond::Contains(p(), v(0))))))
        }
        "BEGINS_WITH" => {
            need(1)?;
            Cond::BeginsWith(p(), v(0))
        }
        "IN" => {
            if args.is_empty() {
                return Err(invalid(format!("Invalid number of argument(s) for the {op} ComparisonOperator")));
            }
            Cond::In(p(), args.iter().cloned().map(Operand::Value).collect())
        }
        "BETWEEN" => {
            need(2)?;
            Cond::Between(p(), v(0), v(1))
        }
        other => return Err(invalid(format!("Unsupported ComparisonOperator: {other}"))),
    })
}

fn values(v: &Value) -> Result<Vec<AttrValue>, DdbError> {
    v.list("AttributeValueList").iter().map(AttrValue::from_json).collect()
}

fn combine(conds: Vec<Cond>, op: Option<&str>) -> Option<Cond> {
    let or = op == Some("OR");
    conds
        .into_iter()
        .reduce(|a, b| if or { Cond::Or(Box::new(a), Box::new(b)) } else { Cond::And(Box::new(a), Box::new(b)) })
}

/// `Expected` → condition.
pub fn expected(exp: &Value, op: Option<&str>) -> Result<Option<Cond>, DdbError> {
    let Some(m) = exp.as_object() else { return Ok(None) };
    let mut conds = Vec::new();
    for (name, e) in m {
        let value = match e.get("Value") {
            Some(v) if !v.is_null() => Some(AttrValue::from_json(v)?),
            _ => None,
        };
        if let Some(cop) = e.str("ComparisonOperator") {
            let mut args = values(e)?;
            if let Some(v) = value {
                args.push(v);
            }
            conds.push(one(name, cop, &args)?);
            continue;
        }
        match (e.bool("Exists"), value) {
            (Some(false), None) => conds.push(Cond::NotExists(path(name))),
            (Some(false), Some(_)) => {
                return Err(invalid(
                    "Cannot expect an attribute to have a specified value while expecting it to not exist",
                ));
            }
            (_, Some(v)) => conds.push(Cond::Cmp(Operand::Path(path(name)), Cmp::Eq, Operand::Value(v))),
            (_, None) => {
                return Err(invalid(format!("Value must be provided when Exists is true for Attribute: {name}")));
            }
        }
    }
    Ok(combine(conds, op))
}

/// KeyConditions / QueryFilter / ScanFilter → condition.
pub fn conditions(f: &Value, op: Option<&str>) -> Result<Option<Cond>, DdbError> {
    let Some(m) = f.as_object() else { return Ok(None) };
    let mut conds = Vec::new();
    for (name, c) in m {
        let cop = c.str("ComparisonOperator").unwrap_or("EQ");
        conds.push(one(name, cop, &values(c)?)?);
    }
    Ok(combine(conds, op))
}

/// AttributeUpdates → update actions.
pub fn attribute_updates(u: &Value) -> Result<Vec<UpdateAction>, DdbError> {
    let Some(m) = u.as_object() else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (name, a) in m {
        let value = match a.get("Value") {
            Some(v) if !v.is_null() => Some(AttrValue::from_json(v)?),
            _ => None,
        };
        let action = a.str("Action").unwrap_or("PUT");
        out.push(match (action, value) {
            ("PUT", Some(v)) => UpdateAction::Set(path(name), Operand::Value(v)),
            ("DELETE", None) => UpdateAction::Remove(path(name)),
            ("DELETE", Some(v)) => UpdateAction::Delete(path(name), Operand::Value(v)),
            ("ADD", Some(v)) => UpdateAction::Add(path(name), Operand::Value(v)),
            (_, None) => {
                return Err(invalid("Only DELETE action is allowed when no attribute value is specified"));
            }
            (other, _) => return Err(invalid(format!("Unsupported Action: {other}"))),
        });
    }
    Ok(out)
}
