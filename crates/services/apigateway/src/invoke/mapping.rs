//! Mapping templates: the one place templates are rendered. A template
//! without Velocity references or directives renders as its own text;
//! templates that need the Velocity engine fail until it is wired in.

use serde_json::Value;

/// What a template sees: for now `$context` (the request context).
pub struct MappingContext<'a> {
    pub context: &'a Value,
}

/// Why a template could not be rendered.
#[derive(Debug)]
pub struct RenderError(pub String);

/// `template` rendered against `ctx`.
pub fn render(template: &str, ctx: &MappingContext) -> Result<String, RenderError> {
    if template.contains('$') || template.contains('#') {
        let api = ctx.context.get("apiId").and_then(Value::as_str).unwrap_or_default();
        return Err(RenderError(format!("API {api}: Velocity templates are not supported yet")));
    }
    Ok(template.to_string())
}
