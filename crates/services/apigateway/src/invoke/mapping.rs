//! Mapping templates: the one place templates are rendered, with the
//! Velocity engine (`stratus-vtl`). A template sees `$input` (the body it
//! maps and the request's parameters), `$context`, `$stageVariables` and
//! `$util`; parsed templates are kept for reuse. A template without
//! references or directives renders as its own text without the engine.

use crate::invoke::call::Call;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use stratus_vtl::{Input, Overrides, Template};

/// Parsed templates kept at most (the cache starts over past it).
const KEPT: usize = 1024;

/// Why a template could not be rendered.
#[derive(Debug)]
pub struct RenderError(pub String);

/// A rendered template: its text and what it set through
/// `$context.requestOverride` / `$context.responseOverride`.
#[derive(Debug, Default)]
pub struct Rendered {
    pub body: String,
    pub overrides: Overrides,
}

fn parsed(source: &str) -> Result<Arc<Template>, RenderError> {
    static TEMPLATES: OnceLock<Mutex<HashMap<String, Arc<Template>>>> = OnceLock::new();
    let cache = TEMPLATES.get_or_init(Default::default);
    if let Some(t) = cache.lock().unwrap_or_else(PoisonError::into_inner).get(source) {
        return Ok(t.clone());
    }
    let t = Arc::new(Template::parse(source).map_err(|e| RenderError(format!("mapping template: {e}")))?);
    let mut map = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if map.len() >= KEPT {
        map.clear();
    }
    map.insert(source.to_string(), t.clone());
    Ok(t)
}

/// A template without references or directives, which renders as itself.
pub fn render_static(template: &str) -> Option<String> {
    (!template.contains('$') && !template.contains('#')).then(|| template.to_string())
}

/// `template` rendered against `input`.
pub fn render_with(template: &str, input: &Input) -> Result<Rendered, RenderError> {
    if let Some(text) = render_static(template) {
        return Ok(Rendered { body: text, overrides: Overrides::default() });
    }
    let out = parsed(template)?.render(input).map_err(|e| RenderError(format!("mapping template: {e}")))?;
    Ok(Rendered { body: out.body, overrides: out.overrides })
}

/// What a template of `call` sees, mapping `body`.
fn input(call: &Call, body: &str) -> Input {
    let strings = |m: &serde_json::Map<String, Value>| -> BTreeMap<String, String> {
        m.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect()
    };
    Input {
        body: body.to_string(),
        path: call.params.clone(),
        querystring: call.req.query_pairs().into_iter().collect(),
        header: call
            .req
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        context: call.context(),
        stage_variables: strings(&call.stage_variables),
    }
}

/// `template` rendered for `call`, mapping `body` (the request body for a
/// request template, the integration's answer for a response template).
pub fn render(template: &str, call: &Call, body: &str) -> Result<Rendered, RenderError> {
    if let Some(text) = render_static(template) {
        return Ok(Rendered { body: text, overrides: Overrides::default() });
    }
    render_with(template, &input(call, body))
}
