//! Mapping templates: the one place templates are rendered. A template
//! without Velocity references or directives renders as its own text;
//! templates that need the Velocity engine fail until it is wired in.

use crate::invoke::call::Call;

/// Why a template could not be rendered.
#[derive(Debug)]
pub struct RenderError(pub String);

/// `template` rendered for `call` (its `$input`, `$context` and
/// `$stageVariables`, built only when the template refers to them).
pub fn render(template: &str, call: &Call) -> Result<String, RenderError> {
    render_static(template)
        .ok_or_else(|| RenderError(format!("API {}: Velocity templates are not supported yet", call.api.id())))
}

/// A template without references or directives, which renders as itself.
pub fn render_static(template: &str) -> Option<String> {
    (!template.contains('$') && !template.contains('#')).then(|| template.to_string())
}
