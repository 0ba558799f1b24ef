//! HTTP bindings of the REST protocols (restJson1, restXml): matching a
//! request against operation URI templates, and moving members between the
//! model-keyed value and URI labels, query parameters, headers and status.

use crate::model::{Location, Operation, ServiceModel, ShapeId, ShapeKind, TimestampFormat};
use crate::xml;
use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};
use stratus_core::http::HttpRequest;

/// Path labels captured from a URI template.
pub type Labels = Vec<(&'static str, String)>;

/// The parts of a request every template is matched against, split and
/// decoded once per request rather than once per operation.
struct Target<'a> {
    segs: Vec<&'a str>,
    query: Vec<(String, String)>,
}

/// One operation's URI template, split once: path segments and the query
/// literals (`?uploads`, `?x-id=GetObject`) a request must carry.
struct Template {
    path: Vec<&'static str>,
    query: Vec<(&'static str, Option<&'static str>)>,
}

impl Template {
    fn of(uri: &'static str) -> Template {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let path = path.trim_start_matches('/');
        Template {
            path: if path.is_empty() { Vec::new() } else { path.split('/').collect() },
            query: query
                .split('&')
                .filter(|l| !l.is_empty())
                .map(|l| match l.split_once('=') {
                    Some((k, v)) => (k, Some(v)),
                    None => (l, None),
                })
                .collect(),
        }
    }
}

/// The templates of `model`'s operations, in the same order, split on first use.
fn templates(model: &'static ServiceModel) -> &'static [Template] {
    static CACHE: OnceLock<RwLock<HashMap<&'static str, &'static [Template]>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.read().ok().and_then(|c| c.get(model.name).copied()) {
        return found;
    }
    let split: &'static [Template] = Box::leak(
        model.operations.iter().map(|op| Template::of(op.request_uri)).collect::<Vec<_>>().into_boxed_slice(),
    );
    if let Ok(mut c) = cache.write() {
        return c.entry(model.name).or_insert(split);
    }
    split
}

/// Scores one operation's template against the request, or None when it
/// does not match (more literal segments and query literals score higher).
fn match_score(op: &'static Operation, tpl: &Template, req: &HttpRequest, t: &Target) -> Option<u32> {
    if !req.method.as_str().eq_ignore_ascii_case(op.method) {
        return None;
    }
    let mut score = 0;
    for (k, v) in &tpl.query {
        let found = match v {
            Some(v) => t.query.iter().any(|(pk, pv)| pk == k && pv == v),
            None => t.query.iter().any(|(pk, _)| pk == k),
        };
        if !found {
            return None;
        }
        score += 10;
    }
    walk_path(&tpl.path, &t.segs, &mut score, &mut |_, _| ())?;
    Some(score)
}

/// Walks a path template over the request's segments, handing each label
/// and its raw value to `label`; None when the path does not fit.
fn walk_path(
    template: &[&'static str],
    segs: &[&str],
    score: &mut u32,
    label: &mut impl FnMut(&'static str, &str),
) -> Option<()> {
    let mut i = 0;
    for (ti, t) in template.iter().enumerate() {
        if let Some(name) = t.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            if let Some(greedy) = name.strip_suffix('+') {
                // A greedy label takes the rest of the path.
                let rest = segs.get(i..)?.join("/");
                if rest.is_empty() || ti != template.len() - 1 {
                    return None;
                }
                label(greedy, &rest);
                return Some(());
            }
            let seg = segs.get(i)?;
            if seg.is_empty() {
                return None;
            }
            label(name, seg);
        } else {
            if segs.get(i) != Some(t) {
                // A template ending in `/` matches an empty last segment.
                return None;
            }
            *score += 2;
        }
        i += 1;
    }
    let rest_empty = segs.len() == i || (segs.len() == i + 1 && segs[i].is_empty());
    rest_empty.then_some(())
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The best template score among `model`'s operations that `eligible`
/// admits, or None when none matches (how the router picks a service).
pub fn best_score(
    model: &'static ServiceModel,
    req: &HttpRequest,
    eligible: impl Fn(&Operation) -> bool,
) -> Option<u32> {
    let t = Target { segs: req.path.trim_start_matches('/').split('/').collect(), query: req.query_pairs() };
    model
        .operations
        .iter()
        .zip(templates(model))
        .filter(|(op, _)| eligible(op))
        .filter_map(|(op, tpl)| match_score(op, tpl, req, &t))
        .max()
}

/// The best-matching operation of a REST model for this request, with its
/// path labels (percent-decoded). On equal scores the later operation wins.
pub fn find_operation(model: &'static ServiceModel, req: &HttpRequest) -> Option<(&'static Operation, Labels)> {
    let t = Target { segs: req.path.trim_start_matches('/').split('/').collect(), query: req.query_pairs() };
    let mut best: Option<(&'static Operation, &Template, u32)> = None;
    for (op, tpl) in model.operations.iter().zip(templates(model)) {
        let Some(s) = match_score(op, tpl, req, &t) else { continue };
        let s = s * 64 + explicit_id_score(op, &t) + required_bindings_score(model, op, req, &t);
        if best.is_none_or(|(_, _, b)| s >= b) {
            best = Some((op, tpl, s));
        }
    }
    let (op, tpl, _) = best?;
    let mut labels = Vec::new();
    walk_path(&tpl.path, &t.segs, &mut 0, &mut |name, raw| labels.push((name, decode(raw))))?;
    Some((op, labels))
}

/// The payload member of structure `shape` when it is a streaming blob (S3
/// object bodies): such payloads are streamed rather than held in the input
/// or output value.
pub fn streaming_payload(model: &ServiceModel, shape: Option<ShapeId>) -> Option<&'static str> {
    let ShapeKind::Structure(st) = &model.shape(shape?).kind else { return None };
    let member = st.payload.and_then(|p| st.member(p))?;
    match &model.shape(member.shape).kind {
        ShapeKind::Blob(b) if b.streaming || member.streaming => Some(member.name),
        _ => None,
    }
}

/// SDKs name S3 operations sharing a template in `x-id` (`GET /?x-id=ListBuckets`
/// versus ListDirectoryBuckets): the named one wins.
/// ListDirectoryBuckets shares `GET /` with ListBuckets, which clients send
/// without `x-id`; it is chosen only when named.
fn explicit_id_score(op: &Operation, t: &Target) -> u32 {
    let named = t.query.iter().any(|(k, v)| k == "x-id" && v == op.name);
    match (named, op.name) {
        (true, _) => 32,
        (false, "ListDirectoryBuckets") => 0,
        _ => 1,
    }
}

/// Tie-breaker between operations sharing a URI template (S3 PutObject,
/// CopyObject, UploadPart and UploadPartCopy; GetObject and ListParts): an
/// operation loses when a required header or query member is missing, and
/// otherwise scores one per required binding present.
fn required_bindings_score(model: &ServiceModel, op: &Operation, req: &HttpRequest, t: &Target) -> u32 {
    let Some(ShapeKind::Structure(st)) = op.input.map(|i| &model.shape(i).kind) else { return 1 };
    let query = &t.query;
    let mut score = 1;
    for m in st.members.iter().filter(|m| st.is_required(m.name)) {
        let present = match m.location {
            Location::Header => req.header(m.wire_name()).is_some(),
            Location::Querystring => query.iter().any(|(k, _)| k == m.wire_name()),
            _ => continue,
        };
        if !present {
            return 0;
        }
        score += 1;
    }
    score.min(15)
}

/// Fills the members bound to labels, query string and headers into `out`.
pub fn decode_bindings(
    model: &ServiceModel,
    op: &Operation,
    req: &HttpRequest,
    labels: &Labels,
    out: &mut Map<String, Value>,
) -> Result<(), String> {
    let Some(input) = op.input else { return Ok(()) };
    let ShapeKind::Structure(st) = &model.shape(input).kind else { return Ok(()) };
    let query = req.query_pairs();
    for member in st.members {
        let name = member.wire_name();
        let value = match member.location {
            Location::Uri => {
                labels.iter().find(|(l, _)| *l == name).map(|(_, v)| xml::scalar(model, member.shape, v)).transpose()?
            }
            Location::Querystring => match &model.shape(member.shape).kind {
                ShapeKind::List(list) => {
                    let items: Result<Vec<Value>, String> = query
                        .iter()
                        .filter(|(k, _)| k == name)
                        .map(|(_, v)| xml::scalar(model, list.member, v))
                        .collect();
                    let items = items?;
                    (!items.is_empty()).then_some(Value::Array(items))
                }
                ShapeKind::Map(_) => {
                    // A map bound to the query string takes every parameter
                    // not bound to another member.
                    let bound: Vec<&str> = st
                        .members
                        .iter()
                        .filter(|m| m.location == Location::Querystring)
                        .map(|m| m.wire_name())
                        .collect();
                    let map: Map<String, Value> = query
                        .iter()
                        .filter(|(k, _)| !bound.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                        .collect();
                    (!map.is_empty()).then_some(Value::Object(map))
                }
                _ => query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| xml::scalar(model, member.shape, v))
                    .transpose()?,
            },
            Location::Header => match req.header(name) {
                None => None,
                Some(text) => Some(header_value(model, member, text)?),
            },
            Location::Headers => {
                let prefix = name.to_ascii_lowercase();
                let map: Map<String, Value> = req
                    .headers
                    .iter()
                    .filter_map(|(k, v)| {
                        let k = k.as_str();
                        k.strip_prefix(&prefix).map(|rest| (rest.to_string(), Value::from(v.to_str().unwrap_or(""))))
                    })
                    .collect();
                (!map.is_empty()).then_some(Value::Object(map))
            }
            Location::Body | Location::StatusCode => None,
        };
        if let Some(v) = value {
            out.insert(member.name.to_string(), v);
        }
    }
    Ok(())
}

fn header_value(model: &ServiceModel, member: &crate::model::Member, text: &str) -> Result<Value, String> {
    if member.json_value {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| format!("Header {} is not valid base64", member.wire_name()))?;
        return serde_json::from_slice(&raw).map_err(|_| format!("Header {} is not valid JSON", member.wire_name()));
    }
    match &model.shape(member.shape).kind {
        ShapeKind::List(list) => text
            .split(',')
            .map(|part| xml::scalar(model, list.member, part.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        _ => xml::scalar(model, member.shape, text),
    }
}

/// Moves output members bound to headers and the status code out of the
/// value: returns (status override, headers).
pub fn encode_bindings(model: &ServiceModel, op: &Operation, output: &Value) -> (Option<u16>, Vec<(String, String)>) {
    let mut headers = Vec::new();
    let mut status = None;
    let (Some(shape), Value::Object(obj)) = (op.output, output) else {
        return (None, headers);
    };
    let ShapeKind::Structure(st) = &model.shape(shape).kind else { return (None, headers) };
    for member in st.members {
        let Some(v) = obj.get(member.name).filter(|v| !v.is_null()) else { continue };
        match member.location {
            Location::Header => {
                let text = if member.json_value {
                    base64::engine::general_purpose::STANDARD.encode(v.to_string())
                } else if let Value::Array(items) = v {
                    items.iter().map(|i| xml::scalar_text(model, member.shape, i, None)).collect::<Vec<_>>().join(",")
                } else {
                    let fmt = member.timestamp_format.or(Some(TimestampFormat::Rfc822));
                    xml::scalar_text(model, member.shape, v, fmt)
                };
                headers.push((member.wire_name().to_string(), text));
            }
            Location::Headers => {
                if let Value::Object(map) = v {
                    for (k, val) in map {
                        headers
                            .push((format!("{}{k}", member.wire_name()), val.as_str().unwrap_or_default().to_string()));
                    }
                }
            }
            Location::StatusCode => status = v.as_u64().map(|s| s as u16),
            _ => {}
        }
    }
    (status, headers)
}
