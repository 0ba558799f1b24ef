//! Apache Velocity 1.7 templates as API Gateway runs its mapping templates: the Velocity
//! language, Java-flavoured values, and the `$input`, `$util`, `$context` and
//! `$stageVariables` objects. Parse a [`Template`] once, then [`Template::render`] it per request.
//!
//! Where API Gateway differs from stock Velocity, this follows API Gateway: a reference whose
//! value is null renders as nothing (an undefined variable still renders as written). A render
//! is bounded: a failing one (bad JSON for `$input.path`, a Java exception, an override set
//! twice, or a template that exceeds the time, output or nesting limits) returns a
//! [`VtlError`], which API Gateway answers with a 500. `oracle/compare.py` checks the language
//! against Apache Velocity 1.7 itself.

mod ast;
mod context;
mod error;
mod input;
mod jsonpath;
mod methods;
mod ops;
mod parser;
mod render;
mod source;
mod util;
mod value;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use error::VtlError;
pub use util::escape_javascript;

/// A parsed template, reusable across requests (Send + Sync).
#[derive(Debug)]
pub struct Template {
    nodes: ast::Block,
    macros: HashMap<String, Arc<ast::Macro>>,
}

impl Template {
    /// Parses `source`; a syntax error carries its line and column.
    pub fn parse(source: &str) -> Result<Template, VtlError> {
        let parsed = parser::parse(source)?;
        Ok(Template { nodes: parsed.nodes, macros: parsed.macros })
    }

    /// Renders the template for one request or response.
    pub fn render(&self, input: &Input) -> Result<Rendered, VtlError> {
        let (body, overrides) = render::Renderer::new(&self.macros, input).run(&self.nodes)?;
        Ok(Rendered { body, overrides })
    }
}

/// Everything a template can see.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The raw body (`$input.body`); `$input.json` and `$input.path` read it as JSON.
    pub body: String,
    /// Path parameters.
    pub path: BTreeMap<String, String>,
    pub querystring: BTreeMap<String, String>,
    /// Headers as sent; `$input.params('x')` finds a header in any letter case.
    pub header: BTreeMap<String, String>,
    /// The `$context` object. `requestOverride`/`responseOverride` members, if present, are
    /// the overrides set so far (a response template sees what the request template set).
    pub context: serde_json::Value,
    /// `$stageVariables`.
    pub stage_variables: BTreeMap<String, String>,
}

/// The rendered body and what the template set through `$context.requestOverride.*` and
/// `$context.responseOverride.*`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub body: String,
    pub overrides: Overrides,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `responseOverride.status`.
    pub status: Option<u16>,
    /// `responseOverride.header.X`.
    pub response_headers: BTreeMap<String, String>,
    /// `requestOverride.header.X`.
    pub request_headers: BTreeMap<String, String>,
    pub request_querystring: BTreeMap<String, String>,
    pub request_path: BTreeMap<String, String>,
}
