//! Request values named by API Gateway's mapping expressions
//! (`method.request.header.X`, `method.request.querystring.X`,
//! `method.request.path.X`, `stageVariables.X`, `context.X`, `'literal'`),
//! and the integration request parameters they feed
//! (`integration.request.{path,querystring,header}.X`).

use crate::invoke::call::Call;
use serde_json::Value;
use std::collections::BTreeMap;

/// The value `source` names for `call`.
pub fn value_of(call: &Call, source: &str) -> Option<String> {
    let source = source.trim();
    if let Some(literal) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(literal.to_string());
    }
    if let Some(h) = source.strip_prefix("method.request.header.") {
        return call.req.header(h).map(str::to_string);
    }
    if let Some(q) = source.strip_prefix("method.request.querystring.") {
        return call.req.query_pairs().into_iter().rev().find(|(k, _)| k == q).map(|(_, v)| v);
    }
    if let Some(p) = source.strip_prefix("method.request.path.") {
        return call.params.get(p).cloned();
    }
    if let Some(v) = source.strip_prefix("stageVariables.") {
        return call.stage_variables.get(v).and_then(Value::as_str).map(str::to_string);
    }
    let c = source.strip_prefix("context.")?;
    call.context().get(c).and_then(|v| v.as_str().map(str::to_string).or_else(|| Some(v.to_string())))
}

/// Integration request parameters by location (`path`, `querystring`,
/// `header`) and name, from the integration's `requestParameters`.
pub fn integration_request(call: &Call, integration: &Value) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for (target, source) in integration.get("requestParameters").and_then(Value::as_object).into_iter().flatten() {
        let Some((location, name)) = target.strip_prefix("integration.request.").and_then(|t| t.split_once('.')) else {
            continue;
        };
        if let Some(v) = source.as_str().and_then(|s| value_of(call, s)) {
            out.insert((location.to_string(), name.to_string()), v);
        }
    }
    out
}
