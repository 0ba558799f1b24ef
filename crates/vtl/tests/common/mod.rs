//! Helpers shared by the test files: render a template against an input.

#![allow(dead_code)]

use stratus_vtl::{Input, Rendered, Template, VtlError};

pub fn try_render_with(template: &str, input: &Input) -> Result<Rendered, VtlError> {
    Template::parse(template)?.render(input)
}

pub fn render_with(template: &str, input: &Input) -> String {
    match try_render_with(template, input) {
        Ok(rendered) => rendered.body,
        Err(e) => panic!("template failed: {e}\n{template}"),
    }
}

pub fn render(template: &str) -> String {
    render_with(template, &Input::default())
}

pub fn body(json: &str) -> Input {
    Input { body: json.to_string(), ..Input::default() }
}
