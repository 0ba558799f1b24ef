//! Evaluates a parsed template against one request: the render state, the walk over nodes,
//! and the limits that keep any template bounded in time and memory.

mod directives;
mod expr;
mod variables;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::ast::{Block, Macro, Node, Pos, Reference};
use crate::error::VtlError;
use crate::input::InputVar;
use crate::value::Value;
use crate::{Input, Overrides, context};

/// The largest output (API Gateway's payload limit is 10 MB), and the largest string a
/// template may build.
const MAX_OUTPUT: usize = 10 * 1024 * 1024;
/// Work units (nodes, expressions, loop items, 64 bytes built) one render may spend.
const MAX_STEPS: u64 = 5_000_000;
/// Deepest nesting of blocks, macro calls and `#define` renders.
const MAX_DEPTH: usize = 200;

enum Flow {
    Next,
    /// Leave this many enclosing loops.
    Break(usize),
    Stop,
}

pub struct Renderer<'a> {
    macros: &'a HashMap<String, Arc<Macro>>,
    input: &'a Input,
    input_var: InputVar<'a>,
    scopes: Vec<HashMap<String, Value>>,
    out: String,
    steps: u64,
    depth: usize,
    /// The override slots (map, key) set so far.
    overridden: HashSet<(usize, String)>,
    /// Macros defined by `#evaluate`d text.
    evaluated_macros: HashMap<String, Arc<Macro>>,
}

impl<'a> Renderer<'a> {
    pub fn new(macros: &'a HashMap<String, Arc<Macro>>, input: &'a Input) -> Self {
        Renderer {
            macros,
            input,
            input_var: InputVar::new(input),
            scopes: vec![HashMap::new()],
            out: String::new(),
            steps: 0,
            depth: 0,
            overridden: HashSet::new(),
            evaluated_macros: HashMap::new(),
        }
    }

    /// Renders the template; returns the body and the overrides the template set.
    pub fn run(mut self, nodes: &Block) -> Result<(String, Overrides), VtlError> {
        self.block(nodes)?;
        let overrides = match self.scopes[0].get("context") {
            Some(context) => context::overrides(context),
            None => context::passed_through(&self.input.context),
        };
        Ok((self.out, overrides))
    }

    fn charge(&mut self, units: u64) -> Result<(), VtlError> {
        self.steps += units;
        if self.steps > MAX_STEPS {
            return Err(VtlError::new("The template exceeded its evaluation budget"));
        }
        Ok(())
    }

    fn write(&mut self, text: &str) -> Result<(), VtlError> {
        if self.out.len() + text.len() > MAX_OUTPUT {
            return Err(VtlError::new(format!("The template output exceeds {MAX_OUTPUT} bytes")));
        }
        self.charge(text.len() as u64 / 64)?;
        self.out.push_str(text);
        Ok(())
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, VtlError>) -> Result<T, VtlError> {
        self.depth += 1;
        let result =
            if self.depth > MAX_DEPTH { Err(VtlError::new("Template recursion is too deep")) } else { f(self) };
        self.depth -= 1;
        result
    }

    fn block(&mut self, nodes: &[Node]) -> Result<Flow, VtlError> {
        self.nested(|r| {
            for node in nodes {
                match r.node(node)? {
                    Flow::Next => {}
                    flow => return Ok(flow),
                }
            }
            Ok(Flow::Next)
        })
    }

    fn node(&mut self, node: &Node) -> Result<Flow, VtlError> {
        self.charge(1)?;
        match node {
            Node::Text(text) => self.write(text)?,
            Node::Ref { reference, escapes } => self.reference_node(reference, *escapes)?,
            Node::Set { target, value } => {
                let value = self.expr(value)?;
                self.assign(target, value)?;
            }
            Node::If { branches, otherwise } => {
                for (condition, body) in branches {
                    if self.condition(condition)? {
                        return self.block(body);
                    }
                }
                if let Some(body) = otherwise {
                    return self.block(body);
                }
            }
            Node::Foreach { var, iterable, body } => return self.foreach(var, iterable, body),
            Node::Break(levels) => return Ok(Flow::Break(*levels)),
            Node::Stop => return Ok(Flow::Stop),
            Node::Define { name, body } => self.set_var(name, Value::Block(body.clone())),
            Node::MacroCall { name, args, source, pos } => {
                return self.macro_call(name, args, source, *pos).map_err(|e| locate(e, *pos));
            }
        }
        Ok(Flow::Next)
    }

    /// A reference in the text. Null renders as nothing (as API Gateway does); an undefined
    /// variable renders as written unless quiet; backslashes escape a defined reference.
    fn reference_node(&mut self, reference: &Reference, escapes: usize) -> Result<(), VtlError> {
        let value = self.reference(reference)?;
        let defined = value.as_ref().is_some_and(|v| !v.is_null());
        if escapes > 0 {
            // Velocity 1.7: a defined reference keeps half the backslashes; an undefined one
            // keeps them all when even, and one more than half when odd.
            let kept = match (defined, escapes % 2) {
                (true, _) => escapes / 2,
                (false, 0) => escapes,
                (false, _) => escapes / 2 + 1,
            };
            self.write(&"\\".repeat(kept))?;
            match (defined, escapes % 2) {
                (_, 1) => return self.write(&reference.source),
                (false, _) if reference.quiet => return Ok(()),
                (false, _) => return self.write(&reference.source),
                _ => {}
            }
        }
        match value {
            None if reference.quiet => Ok(()),
            None => match self.lookup(&reference.root) {
                Some(Value::UndefinedArg(source)) if reference.path.is_empty() => self.write(&source),
                _ => self.write(&reference.source),
            },
            Some(value) => self.write_value(&value),
        }
    }

    fn write_value(&mut self, value: &Value) -> Result<(), VtlError> {
        match value {
            Value::Block(body) => {
                let body = body.clone();
                self.block(&body).map(|_| ())
            }
            Value::Str(s) => self.write(s),
            other => {
                let text = other.to_java_string()?;
                self.write(&text)
            }
        }
    }
}

/// Gives a runtime error the position of the reference or call it came from.
fn locate(mut error: VtlError, pos: Pos) -> VtlError {
    if error.line.is_none() {
        error.line = Some(pos.line);
        error.column = Some(pos.column);
    }
    error
}
