//! Evaluates parsed conditions against an item (DynamoDB's comparison and
//! function semantics: mismatched types compare false, missing attributes
//! make functions false), and applies projections.

use std::cmp::Ordering;

use super::parser::{Cmp, Cond, Operand, Path, PathElem};
use crate::types::{AttrValue, Item, values_equal};

/// The value at `path` in `item`, if any.
pub fn resolve<'a>(item: &'a Item, path: &Path) -> Option<&'a AttrValue> {
    let mut iter = path.iter();
    let mut cur = match iter.next()? {
        PathElem::Attr(a) => item.get(a)?,
        PathElem::Index(_) => return None,
    };
    for e in iter {
        cur = match (e, cur) {
            (PathElem::Attr(a), AttrValue::M(m)) => m.get(a)?,
            (PathElem::Index(i), AttrValue::L(l)) => l.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn operand(item: &Item, op: &Operand) -> Option<AttrValue> {
    match op {
        Operand::Path(p) => resolve(item, p).cloned(),
        Operand::Value(v) => Some(v.clone()),
        Operand::Size(p) => {
            let n = match resolve(item, p)? {
                AttrValue::S(s) => s.len(),
                AttrValue::B(b) => b.len(),
                AttrValue::Ss(v) => v.len(),
                AttrValue::Ns(v) => v.len(),
                AttrValue::Bs(v) => v.len(),
                AttrValue::L(v) => v.len(),
                AttrValue::M(m) => m.len(),
                _ => return None,
            };
            crate::number::Number::parse(&n.to_string()).ok().map(AttrValue::N)
        }
        _ => None,
    }
}

/// Ordering between two scalars of the same orderable type.
pub fn compare(a: &AttrValue, b: &AttrValue) -> Option<Ordering> {
    match (a, b) {
        (AttrValue::S(x), AttrValue::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (AttrValue::N(x), AttrValue::N(y)) => Some(x.cmp(y)),
        (AttrValue::B(x), AttrValue::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn cmp_holds(a: &AttrValue, op: Cmp, b: &AttrValue) -> bool {
    match op {
        Cmp::Eq => values_equal(a, b),
        Cmp::Ne => !values_equal(a, b),
        _ => match compare(a, b) {
            Some(o) => match op {
                Cmp::Lt => o == Ordering::Less,
                Cmp::Le => o != Ordering::Greater,
                Cmp::Gt => o == Ordering::Greater,
                Cmp::Ge => o != Ordering::Less,
                _ => false,
            },
            None => false,
        },
    }
}

/// Whether `cond` holds for `item` (an absent item is the empty item).
pub fn eval(item: &Item, cond: &Cond) -> bool {
    match cond {
        Cond::And(a, b) => eval(item, a) && eval(item, b),
        Cond::Or(a, b) => eval(item, a) || eval(item, b),
        Cond::Not(a) => !eval(item, a),
        Cond::Cmp(a, op, b) => match (operand(item, a), operand(item, b)) {
            (Some(x), Some(y)) => cmp_holds(&x, *op, &y),
            // A missing attribute is unequal to anything.
            (None, Some(_)) | (Some(_), None) => *op == Cmp::Ne,
            (None, None) => false,
        },
        Cond::Between(v, lo, hi) => match (operand(item, v), operand(item, lo), operand(item, hi)) {
            (Some(x), Some(l), Some(h)) => {
                matches!(compare(&x, &l), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(compare(&x, &h), Some(Ordering::Less | Ordering::Equal))
            }
            _ => false,
        },
        Cond::In(v, list) => match operand(item, v) {
            Some(x) => list.iter().any(|o| operand(item, o).is_some_and(|y| values_equal(&x, &y))),
            None => false,
        },
        Cond::Exists(p) => resolve(item, p).is_some(),
        Cond::NotExists(p) => resolve(item, p).is_none(),
        Cond::AttrType(p, t) => match (resolve(item, p), operand(item, t)) {
            (Some(v), Some(AttrValue::S(t))) => v.type_name() == t,
            _ => false,
        },
        Cond::BeginsWith(a, b) => match (operand(item, a), operand(item, b)) {
            (Some(AttrValue::S(x)), Some(AttrValue::S(y))) => x.starts_with(&y),
            (Some(AttrValue::B(x)), Some(AttrValue::B(y))) => x.starts_with(&y),
            _ => false,
        },
        Cond::Contains(a, b) => match (operand(item, a), operand(item, b)) {
            (Some(AttrValue::S(x)), Some(AttrValue::S(y))) => x.contains(&y),
            (Some(AttrValue::B(x)), Some(AttrValue::B(y))) => y.is_empty() || x.windows(y.len()).any(|w| w == y),
            (Some(AttrValue::Ss(x)), Some(AttrValue::S(y))) => x.contains(&y),
            (Some(AttrValue::Ns(x)), Some(AttrValue::N(y))) => x.contains(&y),
            (Some(AttrValue::Bs(x)), Some(AttrValue::B(y))) => x.contains(&y),
            (Some(AttrValue::L(x)), Some(y)) => x.iter().any(|e| values_equal(e, &y)),
            _ => false,
        },
    }
}

/// The item reduced to the projected paths.
pub fn project(item: &Item, paths: &[Path]) -> Item {
    let mut out = Item::new();
    for p in paths {
        if let Some(v) = resolve(item, p) {
            insert_projected(&mut out, p, v.clone());
        }
    }
    out
}

fn insert_projected(out: &mut Item, path: &Path, v: AttrValue) {
    let Some(PathElem::Attr(first)) = path.first() else { return };
    if path.len() == 1 {
        out.insert(first.clone(), v);
        return;
    }
    let slot = out.entry(first.clone()).or_insert_with(|| match path[1] {
        PathElem::Attr(_) => AttrValue::M(Item::new()),
        PathElem::Index(_) => AttrValue::L(Vec::new()),
    });
    insert_nested(slot, &path[1..], v);
}

fn insert_nested(slot: &mut AttrValue, rest: &[PathElem], v: AttrValue) {
    let Some(head) = rest.first() else {
        *slot = v;
        return;
    };
    let fresh = |next: Option<&PathElem>| match next {
        Some(PathElem::Index(_)) => AttrValue::L(Vec::new()),
        _ => AttrValue::M(Item::new()),
    };
    match (head, slot) {
        (PathElem::Attr(a), AttrValue::M(m)) => {
            if rest.len() == 1 {
                m.insert(a.clone(), v);
            } else {
                let child = m.entry(a.clone()).or_insert_with(|| fresh(rest.get(1)));
                insert_nested(child, &rest[1..], v);
            }
        }
        (PathElem::Index(_), AttrValue::L(l)) => {
            if rest.len() == 1 {
                l.push(v);
            } else {
                l.push(fresh(rest.get(1)));
                if let Some(last) = l.last_mut() {
                    insert_nested(last, &rest[1..], v);
                }
            }
        }
        _ => {}
    }
}
