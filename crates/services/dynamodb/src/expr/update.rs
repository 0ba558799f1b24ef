//! Applies a parsed UpdateExpression to an item: SET (with `+`, `-`,
//! `if_not_exists`, `list_append`), REMOVE, ADD and DELETE on nested
//! document paths. Every operand is read from the item as it was before the
//! update, as DynamoDB does.

use super::eval::resolve;
use super::parser::{Operand, Path, PathElem, UpdateAction};
use crate::error::{DdbError, validation};
use crate::types::{AttrValue, Item};

fn wrong_type() -> DdbError {
    validation("An operand in the update expression has an incorrect data type")
}

fn missing() -> DdbError {
    validation("The provided expression refers to an attribute that does not exist in the item")
}

fn bad_path() -> DdbError {
    validation("The document path provided in the update expression is invalid for update")
}

fn type_word(v: &AttrValue) -> &'static str {
    match v {
        AttrValue::S(_) => "STRING",
        AttrValue::N(_) => "NUMBER",
        AttrValue::B(_) => "BINARY",
        AttrValue::Bool(_) => "BOOLEAN",
        AttrValue::Null => "NULL",
        AttrValue::Ss(_) => "STRING SET",
        AttrValue::Ns(_) => "NUMBER SET",
        AttrValue::Bs(_) => "BINARY SET",
        AttrValue::L(_) => "LIST",
        AttrValue::M(_) => "MAP",
    }
}

fn value(old: &Item, op: &Operand) -> Result<AttrValue, DdbError> {
    match op {
        Operand::Path(p) => resolve(old, p).cloned().ok_or_else(missing),
        Operand::Value(v) => Ok(v.clone()),
        Operand::Size(_) => Err(wrong_type()),
        Operand::IfNotExists(p, dflt) => match resolve(old, p) {
            Some(v) => Ok(v.clone()),
            None => value(old, dflt),
        },
        Operand::ListAppend(a, b) => match (value(old, a)?, value(old, b)?) {
            (AttrValue::L(mut x), AttrValue::L(y)) => {
                x.extend(y);
                Ok(AttrValue::L(x))
            }
            (x, y) => {
                let bad = if matches!(x, AttrValue::L(_)) { y } else { x };
                Err(validation(format!(
                    "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: {}",
                    bad.type_name()
                )))
            }
        },
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let plus = matches!(op, Operand::Plus(..));
            match (value(old, a)?, value(old, b)?) {
                (AttrValue::N(x), AttrValue::N(y)) => {
                    let r = if plus { x.add(&y) } else { x.sub(&y) };
                    r.map(AttrValue::N).map_err(|e| validation(e.message("")))
                }
                (x, y) => {
                    let bad = if matches!(x, AttrValue::N(_)) { y } else { x };
                    Err(validation(format!(
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: {}, operand type: {}",
                        if plus { "+" } else { "-" },
                        bad.type_name()
                    )))
                }
            }
        }
    }
}

/// Applies `actions` to `old` (the empty item when absent), returning the new item.
pub fn apply(old: &Item, actions: &[UpdateAction]) -> Result<Item, DdbError> {
    // Evaluate every SET value against the old item first.
    let mut sets = Vec::new();
    for a in actions {
        if let UpdateAction::Set(p, op) = a {
            sets.push((p, value(old, op)?));
        }
    }
    let mut item = old.clone();
    for (p, v) in sets {
        set_path(&mut item, p, v)?;
    }
    // REMOVE list elements from the highest index down so indexes stay valid.
    let mut removes: Vec<&Path> =
        actions.iter().filter_map(|a| if let UpdateAction::Remove(p) = a { Some(p) } else { None }).collect();
    removes.sort_by_key(|p| std::cmp::Reverse(p.cmp_key()));
    for p in removes {
        remove_path(&mut item, p)?;
    }
    for a in actions {
        match a {
            UpdateAction::Add(p, op) => {
                let v = value(old, op)?;
                let cur = resolve(&item, p).cloned();
                let new = match (cur, v) {
                    (None, v @ (AttrValue::N(_) | AttrValue::Ss(_) | AttrValue::Ns(_) | AttrValue::Bs(_))) => v,
                    (Some(AttrValue::N(x)), AttrValue::N(y)) => {
                        AttrValue::N(x.add(&y).map_err(|e| validation(e.message("")))?)
                    }
                    (Some(AttrValue::Ss(mut x)), AttrValue::Ss(y)) => {
                        union(&mut x, y);
                        AttrValue::Ss(x)
                    }
                    (Some(AttrValue::Ns(mut x)), AttrValue::Ns(y)) => {
                        union(&mut x, y);
                        AttrValue::Ns(x)
                    }
                    (Some(AttrValue::Bs(mut x)), AttrValue::Bs(y)) => {
                        union(&mut x, y);
                        AttrValue::Bs(x)
                    }
                    (_, v @ (AttrValue::N(_) | AttrValue::Ss(_) | AttrValue::Ns(_) | AttrValue::Bs(_))) => {
                        let _ = v;
                        return Err(wrong_type());
                    }
                    (_, v) => {
                        return Err(validation(format!(
                            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: {}",
                            type_word(&v)
                        )));
                    }
                };
                set_path(&mut item, p, new)?;
            }
            UpdateAction::Delete(p, op) => {
                let v = value(old, op)?;
                if !matches!(v, AttrValue::Ss(_) | AttrValue::Ns(_) | AttrValue::Bs(_)) {
                    return Err(validation(format!(
                        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: {}",
                        type_word(&v)
                    )));
                }
                let Some(cur) = resolve(&item, p).cloned() else { continue };
                let new = match (cur, v) {
                    (AttrValue::Ss(mut x), AttrValue::Ss(y)) => {
                        x.retain(|e| !y.contains(e));
                        (!x.is_empty()).then_some(AttrValue::Ss(x))
                    }
                    (AttrValue::Ns(mut x), AttrValue::Ns(y)) => {
                        x.retain(|e| !y.contains(e));
                        (!x.is_empty()).then_some(AttrValue::Ns(x))
                    }
                    (AttrValue::Bs(mut x), AttrValue::Bs(y)) => {
                        x.retain(|e| !y.contains(e));
                        (!x.is_empty()).then_some(AttrValue::Bs(x))
                    }
                    _ => return Err(wrong_type()),
                };
                match new {
                    Some(v) => set_path(&mut item, p, v)?,
                    None => remove_path(&mut item, p)?,
                }
            }
            _ => {}
        }
    }
    Ok(item)
}

trait CmpKey {
    fn cmp_key(&self) -> Vec<(u8, usize, String)>;
}

impl CmpKey for Path {
    fn cmp_key(&self) -> Vec<(u8, usize, String)> {
        self.iter()
            .map(|e| match e {
                PathElem::Attr(a) => (0, 0, a.clone()),
                PathElem::Index(i) => (1, *i, String::new()),
            })
            .collect()
    }
}

fn union<T: PartialEq>(x: &mut Vec<T>, y: Vec<T>) {
    for e in y {
        if !x.contains(&e) {
            x.push(e);
        }
    }
}

fn parent_mut<'a>(item: &'a mut Item, path: &Path) -> Result<Option<&'a mut AttrValue>, DdbError> {
    if path.len() == 1 {
        return Ok(None);
    }
    let Some(PathElem::Attr(first)) = path.first() else { return Err(bad_path()) };
    let mut cur = item.get_mut(first).ok_or_else(bad_path)?;
    for e in &path[1..path.len() - 1] {
        cur = match (e, cur) {
            (PathElem::Attr(a), AttrValue::M(m)) => m.get_mut(a).ok_or_else(bad_path)?,
            (PathElem::Index(i), AttrValue::L(l)) => l.get_mut(*i).ok_or_else(bad_path)?,
            _ => return Err(bad_path()),
        };
    }
    Ok(Some(cur))
}

fn set_path(item: &mut Item, path: &Path, v: AttrValue) -> Result<(), DdbError> {
    let last = path.last().ok_or_else(bad_path)?;
    match parent_mut(item, path)? {
        None => match last {
            PathElem::Attr(a) => {
                item.insert(a.clone(), v);
                Ok(())
            }
            PathElem::Index(_) => Err(bad_path()),
        },
        Some(parent) => match (last, parent) {
            (PathElem::Attr(a), AttrValue::M(m)) => {
                m.insert(a.clone(), v);
                Ok(())
            }
            (PathElem::Index(i), AttrValue::L(l)) => {
                if *i < l.len() {
                    l[*i] = v;
                } else {
                    l.push(v);
                }
                Ok(())
            }
            _ => Err(bad_path()),
        },
    }
}

fn remove_path(item: &mut Item, path: &Path) -> Result<(), DdbError> {
    let last = path.last().ok_or_else(bad_path)?;
    let parent = match parent_mut(item, path) {
        Ok(p) => p,
        // Removing below a missing parent is a no-op on AWS only for maps; keep it lenient.
        Err(_) => return Ok(()),
    };
    match (last, parent) {
        (PathElem::Attr(a), None) => {
            item.remove(a);
        }
        (PathElem::Attr(a), Some(AttrValue::M(m))) => {
            m.remove(a);
        }
        (PathElem::Index(i), Some(AttrValue::L(l))) => {
            if *i < l.len() {
                l.remove(*i);
            }
        }
        _ => return Err(bad_path()),
    }
    Ok(())
}
