//! Query and Scan: key-range planning from the key condition, paging with
//! Limit, the 1 MB page and ExclusiveStartKey/LastEvaluatedKey, Select,
//! filters and projections, on tables, GSIs and LSIs, and parallel scan
//! segments.

use std::ops::Bound;

use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_store::{KeyRange, prefix_successor};

use super::common::{Exprs, parse_exprs, read_consumed, read_units};
use crate::db::{Scope, decode_item, fnv, index_key, item_key};
use crate::error::{DdbError, invalid, validation};
use crate::expr::eval::{eval, project};
use crate::expr::parser::{Cmp, Cond, Operand, Path, PathElem};
use crate::keys::{encode_bytes, encode_value};
use crate::table::{IndexMeta, KeyAttr, TableMeta};
use crate::types::{AttrValue, Item, item_from_json, item_size, item_to_json};

const PAGE_BYTES: usize = 1024 * 1024;
const CHUNK: usize = 256;

/// Where a read looks: the table or one of its indexes.
struct Target<'a> {
    meta: &'a TableMeta,
    index: Option<&'a IndexMeta>,
}

impl Target<'_> {
    fn hash(&self) -> &KeyAttr {
        self.index.map(|i| &i.hash).unwrap_or(&self.meta.hash)
    }

    fn range(&self) -> Option<&KeyAttr> {
        match self.index {
            Some(i) => i.range.as_ref(),
            None => self.meta.range.as_ref(),
        }
    }

    fn prefix(&self, scope: &Scope) -> Vec<u8> {
        match self.index {
            Some(i) => scope.keys.index_prefix(&self.meta.name, &i.name),
            None => scope.keys.items_prefix(&self.meta.name),
        }
    }

    /// Store key of the entry an ExclusiveStartKey names.
    fn entry_key(&self, scope: &Scope, esk: &Item) -> Option<Vec<u8>> {
        match self.index {
            Some(i) => index_key(&scope.keys, self.meta, i, esk),
            None => Some(item_key(&scope.keys, self.meta, esk)),
        }
    }

    /// LastEvaluatedKey for an entry: the table key plus the index key.
    fn last_key(&self, item: &Item) -> Item {
        let mut k = self.meta.key_of(item);
        if let Some(i) = self.index {
            for ka in std::iter::once(&i.hash).chain(i.range.iter()) {
                if let Some(v) = item.get(&ka.name) {
                    k.insert(ka.name.clone(), v.clone());
                }
            }
        }
        k
    }
}

fn target<'a>(meta: &'a TableMeta, input: &Value) -> Result<Target<'a>, DdbError> {
    match input.str("IndexName") {
        Some(n) => Ok(Target { meta, index: Some(meta.readable_index(n)?) }),
        None => Ok(Target { meta, index: None }),
    }
}

fn flatten_and(c: &Cond, out: &mut Vec<Cond>) {
    if let Cond::And(a, b) = c {
        flatten_and(a, out);
        flatten_and(b, out);
    } else {
        out.push(c.clone());
    }
}

fn single_attr(p: &Path) -> Option<&str> {
    match p.as_slice() {
        [PathElem::Attr(a)] => Some(a),
        _ => None,
    }
}

fn check_type(ka: &KeyAttr, v: &AttrValue) -> Result<(), DdbError> {
    if v.type_name() != ka.ty {
        return Err(invalid("Condition parameter type does not match schema type"));
    }
    Ok(())
}

/// The store range a key condition selects.
fn plan(scope: &Scope, t: &Target<'_>, cond: &Cond) -> Result<KeyRange, DdbError> {
    let mut parts = Vec::new();
    flatten_and(cond, &mut parts);
    if parts.len() > 2 {
        return Err(validation("Conditions can be of length 1 or 2 only"));
    }
    let hash = t.hash().clone();
    let range = t.range().cloned();
    let mut hash_value = None;
    let mut range_cond = None;
    for p in &parts {
        let attr = match p {
            Cond::Cmp(Operand::Path(a), _, _)
            | Cond::Between(Operand::Path(a), _, _)
            | Cond::BeginsWith(Operand::Path(a), _) => single_attr(a).map(str::to_string),
            _ => None,
        };
        let Some(attr) = attr else { return Err(validation("Query key condition not supported")) };
        if attr == hash.name {
            match p {
                Cond::Cmp(_, Cmp::Eq, Operand::Value(v)) if hash_value.is_none() => {
                    check_type(&hash, v)?;
                    hash_value = Some(v.clone());
                }
                _ => return Err(validation("Query key condition not supported")),
            }
        } else if range.as_ref().is_some_and(|r| r.name == attr) && range_cond.is_none() {
            range_cond = Some(p.clone());
        } else {
            return Err(validation(format!(
                "Query condition missed key schema element: {}",
                if hash_value.is_none() { &hash.name } else { range.as_ref().map(|r| &r.name).unwrap_or(&hash.name) }
            )));
        }
    }
    let Some(hv) = hash_value else {
        return Err(validation(format!("Query condition missed key schema element: {}", hash.name)));
    };
    let mut p = t.prefix(scope);
    encode_value(&hv, &mut p);
    let end_of = |k: &[u8]| prefix_successor(k).map(Bound::Excluded).unwrap_or(Bound::Unbounded);
    let whole = KeyRange { start: Bound::Included(p.clone()), end: end_of(&p) };
    let Some(rc) = range_cond else { return Ok(whole) };
    let Some(rk) = range else { return Ok(whole) };
    let with = |v: &AttrValue| -> Result<Vec<u8>, DdbError> {
        check_type(&rk, v)?;
        let mut k = p.clone();
        encode_value(v, &mut k);
        Ok(k)
    };
    Ok(match rc {
        Cond::Cmp(_, op, Operand::Value(v)) => {
            let k = with(&v)?;
            match op {
                Cmp::Eq => KeyRange { start: Bound::Included(k.clone()), end: end_of(&k) },
                Cmp::Lt => KeyRange { start: Bound::Included(p.clone()), end: Bound::Excluded(k) },
                Cmp::Le => KeyRange { start: Bound::Included(p.clone()), end: end_of(&k) },
                Cmp::Gt => KeyRange { start: end_of(&k).map_excluded_to_included(), end: end_of(&p) },
                Cmp::Ge => KeyRange { start: Bound::Included(k), end: end_of(&p) },
                Cmp::Ne => return Err(validation("Unsupported operator on KeyCondition: <>")),
            }
        }
        Cond::Between(_, Operand::Value(a), Operand::Value(b)) => {
            let (ka, kb) = (with(&a)?, with(&b)?);
            if crate::expr::eval::compare(&a, &b) == Some(std::cmp::Ordering::Greater) {
                return Err(validation(format!(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {{{}:{}}}, upper bound operand: AttributeValue: {{{}:{}}}",
                    a.type_name(),
                    scalar_text(&a),
                    b.type_name(),
                    scalar_text(&b)
                )));
            }
            KeyRange { start: Bound::Included(ka), end: end_of(&kb) }
        }
        Cond::BeginsWith(_, Operand::Value(v)) => {
            let bytes: &[u8] = match &v {
                AttrValue::S(s) => s.as_bytes(),
                AttrValue::B(b) => b,
                other => {
                    return Err(validation(format!(
                        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: {}",
                        other.type_name()
                    )));
                }
            };
            check_type(&rk, &v)?;
            let mut k = p.clone();
            encode_bytes(bytes, &mut k, false);
            KeyRange { start: Bound::Included(k.clone()), end: end_of(&k) }
        }
        _ => return Err(validation("Query key condition not supported")),
    })
}

fn scalar_text(v: &AttrValue) -> String {
    match v {
        AttrValue::S(s) => s.clone(),
        AttrValue::N(n) => n.to_canonical(),
        other => other.type_name().to_string(),
    }
}

trait ToIncluded {
    fn map_excluded_to_included(self) -> Bound<Vec<u8>>;
}

impl ToIncluded for Bound<Vec<u8>> {
    fn map_excluded_to_included(self) -> Bound<Vec<u8>> {
        match self {
            Bound::Excluded(k) => Bound::Included(k),
            other => other,
        }
    }
}

struct Page {
    items: Vec<Item>,
    count: usize,
    scanned: usize,
    bytes: usize,
    last: Option<Item>,
}

struct ReadSpec<'a> {
    range: KeyRange,
    reverse: bool,
    limit: Option<usize>,
    filter: Option<&'a Cond>,
    segment: Option<(u64, u64)>,
}

fn read(scope: &Scope, t: &Target<'_>, spec: ReadSpec<'_>) -> Result<Page, DdbError> {
    let snap = scope.store.snapshot()?;
    let mut range = spec.range;
    let mut page = Page { items: Vec::new(), count: 0, scanned: 0, bytes: 0, last: None };
    loop {
        let want = spec.limit.map(|l| (l - page.scanned + 1).min(CHUNK)).unwrap_or(CHUNK);
        let chunk = snap.scan(range.clone(), spec.reverse, Some(want))?;
        let exhausted = chunk.len() < want;
        for (k, v) in chunk {
            let item = decode_item(&v)?;
            if let Some((seg, total)) = spec.segment {
                let mut pk = Vec::new();
                if let Some(h) = item.get(&t.meta.hash.name) {
                    encode_value(h, &mut pk);
                }
                if fnv(&pk) % total != seg {
                    if spec.reverse {
                        range.end = Bound::Excluded(k);
                    } else {
                        range.start = Bound::Excluded(k);
                    }
                    continue;
                }
            }
            if spec.limit.is_some_and(|l| page.scanned >= l) || page.bytes >= PAGE_BYTES {
                // There is at least one more entry: the page ends here.
                return Ok(page);
            }
            page.scanned += 1;
            page.bytes += item_size(&item);
            page.last = Some(t.last_key(&item));
            if spec.filter.is_none_or(|f| eval(&item, f)) {
                page.count += 1;
                page.items.push(item);
            }
            if spec.reverse {
                range.end = Bound::Excluded(k);
            } else {
                range.start = Bound::Excluded(k);
            }
        }
        if exhausted {
            page.last = None;
            return Ok(page);
        }
    }
}

fn select(input: &Value, exprs: &Exprs, t: &Target<'_>) -> Result<String, DdbError> {
    let sel = input.str("Select").map(str::to_string);
    if let (Some("ALL_ATTRIBUTES"), Some(ix)) = (sel.as_deref(), t.index)
        && ix.projection_type != "ALL"
        && !t.meta.is_lsi(&ix.name)
    {
        return Err(validation(format!(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index {} because its projection type is not ALL",
            ix.name
        )));
    }
    match (sel.as_deref(), exprs.projection.is_some()) {
        (Some("SPECIFIC_ATTRIBUTES"), false) => Err(validation(
            "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression or AttributesToGet",
        )),
        (Some(s), true) if s != "SPECIFIC_ATTRIBUTES" => Err(validation(
            "One or more parameter values were invalid: Can not use both Select and ProjectionExpression/AttributesToGet unless Select is SPECIFIC_ATTRIBUTES",
        )),
        (Some(s), _) => Ok(s.to_string()),
        (None, true) => Ok("SPECIFIC_ATTRIBUTES".into()),
        (None, false) if t.index.is_some() => Ok("ALL_PROJECTED_ATTRIBUTES".into()),
        (None, false) => Ok("ALL_ATTRIBUTES".into()),
    }
}

fn exclusive_start(scope: &Scope, t: &Target<'_>, input: &Value) -> Result<Option<Vec<u8>>, DdbError> {
    match input.get("ExclusiveStartKey").filter(|v| !v.is_null()) {
        Some(v) => {
            let esk = item_from_json(v)?;
            if t.index.is_none() {
                t.meta.check_key(&esk).map_err(|_| {
                    validation(
                        "The provided starting key is invalid: The provided key element does not match the schema",
                    )
                })?;
            }
            t.entry_key(scope, &esk).map(Some).ok_or_else(|| {
                validation("The provided starting key is invalid: The provided key element does not match the schema")
            })
        }
        None => Ok(None),
    }
}

fn respond(
    scope: &Scope,
    t: &Target<'_>,
    input: &Value,
    exprs: &Exprs,
    sel: &str,
    page: Page,
) -> Result<Value, DdbError> {
    let mut out = Map::new();
    if sel != "COUNT" {
        let mut items = Vec::with_capacity(page.items.len());
        for item in page.items {
            // An LSI without every attribute fetches the rest from the table.
            let item = match (sel, t.index) {
                ("ALL_ATTRIBUTES", Some(ix)) if ix.projection_type != "ALL" && t.meta.is_lsi(&ix.name) => {
                    match scope.store.get(item_key(&scope.keys, t.meta, &item))? {
                        Some(b) => decode_item(&b)?,
                        None => item,
                    }
                }
                _ => item,
            };
            let item = match &exprs.projection {
                Some(p) => project(&item, p),
                None => item,
            };
            items.push(item_to_json(&item));
        }
        out.insert("Items".into(), Value::Array(items));
    }
    out.insert("Count".into(), json!(page.count));
    out.insert("ScannedCount".into(), json!(page.scanned));
    if let Some(l) = page.last {
        out.insert("LastEvaluatedKey".into(), item_to_json(&l));
    }
    let units = read_units(page.bytes, input.bool("ConsistentRead").unwrap_or(false));
    if let Some(c) = read_consumed(input, t.meta, t.index, units) {
        out.insert("ConsumedCapacity".into(), c);
    }
    Ok(Value::Object(out))
}

fn limit(input: &Value) -> Option<usize> {
    input.i64("Limit").map(|l| l.max(1) as usize)
}

fn check_consistent_gsi(t: &Target<'_>, input: &Value) -> Result<(), DdbError> {
    if input.bool("ConsistentRead") == Some(true)
        && let Some(ix) = t.index
        && !t.meta.is_lsi(&ix.name)
    {
        return Err(validation("Consistent reads are not supported on global secondary indexes"));
    }
    Ok(())
}

pub async fn query(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let meta = scope.meta(input.req_str("TableName")?)?;
    let t = target(&meta, input)?;
    check_consistent_gsi(&t, input)?;
    let exprs = parse_exprs(input)?;
    let sel = select(input, &exprs, &t)?;
    let Some(kc) = &exprs.key_condition else {
        return Err(validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        ));
    };
    let mut range = plan(scope, &t, kc)?;
    let reverse = input.bool("ScanIndexForward") == Some(false);
    if let Some(k) = exclusive_start(scope, &t, input)? {
        if reverse {
            range.end = Bound::Excluded(k);
        } else {
            range.start = Bound::Excluded(k);
        }
    }
    let page = read(
        scope,
        &t,
        ReadSpec { range, reverse, limit: limit(input), filter: exprs.filter.as_ref(), segment: None },
    )?;
    respond(scope, &t, input, &exprs, &sel, page)
}

pub async fn scan(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let meta = scope.meta(input.req_str("TableName")?)?;
    let t = target(&meta, input)?;
    check_consistent_gsi(&t, input)?;
    let exprs = parse_exprs(input)?;
    let sel = select(input, &exprs, &t)?;
    let segment = match (input.i64("Segment"), input.i64("TotalSegments")) {
        (Some(s), Some(n)) => {
            if s >= n {
                return Err(validation(format!(
                    "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {n}"
                )));
            }
            Some((s as u64, n as u64))
        }
        (Some(_), None) => {
            return Err(validation(
                "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
            ));
        }
        (None, Some(_)) => {
            return Err(validation(
                "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
            ));
        }
        (None, None) => None,
    };
    let mut range = KeyRange::prefix(t.prefix(scope));
    if let Some(k) = exclusive_start(scope, &t, input)? {
        range.start = Bound::Excluded(k);
    }
    let page = read(
        scope,
        &t,
        ReadSpec { range, reverse: false, limit: limit(input), filter: exprs.filter.as_ref(), segment },
    )?;
    respond(scope, &t, input, &exprs, &sel, page)
}
