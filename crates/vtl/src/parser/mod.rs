//! The template grammar: text, references, comments, escapes and directives, with Velocity 1.7's
//! whitespace gobbling (`#set` eats the spaces between it and a preceding node; a directive's
//! `)`, `#else` and `#end` eat the rest of their line when only spaces follow).

mod directives;
mod expr;

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{Access, Block, Macro, Node, Pos};
use crate::error::VtlError;
use crate::source::Source;

/// Deepest nesting of blocks and expressions a template may have.
const MAX_NESTING: usize = 64;

pub struct Parsed {
    pub nodes: Block,
    pub macros: HashMap<String, Arc<Macro>>,
}

pub fn parse(text: &str) -> Result<Parsed, VtlError> {
    let mut parser = Parser { src: Source::new(text, Pos { line: 1, column: 1 }), depth: 0, macros: HashMap::new() };
    let (nodes, end) = parser.block()?;
    match end {
        BlockEnd::Eof => Ok(Parsed { nodes: Arc::new(nodes), macros: parser.macros }),
        BlockEnd::End(at) | BlockEnd::Else(at) | BlockEnd::ElseIf(_, at) => {
            Err(parser.src.error_at("Encountered #end, #else or #elseif without a matching directive", at))
        }
    }
}

pub(crate) struct Parser {
    pub src: Source,
    pub depth: usize,
    pub macros: HashMap<String, Arc<Macro>>,
}

/// What stopped a block: the end of the text or a directive that closes or continues it
/// (with the index it started at, for errors).
pub(crate) enum BlockEnd {
    Eof,
    End(usize),
    Else(usize),
    ElseIf(crate::ast::Expr, usize),
}

/// Text being collected between nodes.
#[derive(Default)]
struct Text {
    buf: String,
    /// Where the last token inside the text (a comment, an escape, a lone `$` or `#`) ended or
    /// began: Velocity's lexer starts a new text token there.
    boundary: usize,
}

impl Text {
    fn flush(&mut self, nodes: &mut Vec<Node>) {
        if !self.buf.is_empty() {
            nodes.push(Node::Text(std::mem::take(&mut self.buf)));
        }
        self.boundary = 0;
    }

    fn mark(&mut self) {
        self.boundary = self.buf.len();
    }

    /// `#set` swallows the spaces between it and the previous token (spaces after text, even
    /// after a line end, are part of that text), and a lone `$` or `#` that starts them.
    fn drop_indentation(&mut self) {
        let tail = &self.buf[self.boundary..];
        let spaces = tail.strip_prefix(['$', '#']).unwrap_or(tail);
        if spaces.chars().all(|c| c == ' ' || c == '\t') {
            self.buf.truncate(self.boundary);
        }
    }
}

impl Parser {
    pub(crate) fn sub(&self, text: &str, base: Pos) -> Parser {
        Parser { src: Source::new(text, base), depth: self.depth, macros: HashMap::new() }
    }

    pub(crate) fn enter(&mut self) -> Result<(), VtlError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.src.error(format!("Template nesting is deeper than {MAX_NESTING} levels")));
        }
        Ok(())
    }

    pub(crate) fn block(&mut self) -> Result<(Vec<Node>, BlockEnd), VtlError> {
        self.enter()?;
        let result = self.block_inner();
        self.depth -= 1;
        result
    }

    fn block_inner(&mut self) -> Result<(Vec<Node>, BlockEnd), VtlError> {
        let mut nodes = Vec::new();
        let mut text = Text::default();
        while let Some(c) = self.src.peek() {
            match c {
                '$' => self.dollar(0, &mut text, &mut nodes)?,
                '#' => {
                    if let Some(end) = self.hash(&mut text, &mut nodes)? {
                        text.flush(&mut nodes);
                        return Ok((nodes, end));
                    }
                }
                '\\' => self.backslashes(&mut text, &mut nodes)?,
                _ => {
                    text.buf.push(c);
                    self.src.i += 1;
                }
            }
        }
        text.flush(&mut nodes);
        Ok((nodes, BlockEnd::Eof))
    }

    /// A `$` starts a reference when one parses there; otherwise it is text.
    fn dollar(&mut self, escapes: usize, text: &mut Text, nodes: &mut Vec<Node>) -> Result<(), VtlError> {
        let start = self.src.i;
        match self.reference()? {
            Some(reference) => {
                // Velocity 1.7 lexes `##` right after `$a.b` as text, not as a comment.
                let property_last = matches!(reference.path.last(), Some(Access::Property(_)));
                let braced = reference.source.starts_with("${") || reference.source.starts_with("$!{");
                text.flush(nodes);
                nodes.push(Node::Ref { reference, escapes });
                if property_last && !braced && self.src.eat("##") {
                    text.buf.push_str("##");
                }
            }
            None => {
                self.src.i = start + 1;
                text.buf.push_str(&"\\".repeat(escapes));
                text.mark();
                if !self.lone_char_vanishes() {
                    text.buf.push('$');
                }
            }
        }
        Ok(())
    }

    /// Backslashes escape a following reference or directive; elsewhere they are text.
    fn backslashes(&mut self, text: &mut Text, nodes: &mut Vec<Node>) -> Result<(), VtlError> {
        let mut count = 0;
        while self.src.peek() == Some('\\') {
            count += 1;
            self.src.i += 1;
        }
        match self.src.peek() {
            Some('$') => self.dollar(count, text, nodes),
            Some('#') if self.directive_follows() => {
                // Velocity 1.7 halves the backslashes, except an even run before `#set`.
                let set = self.src.looking_at("#set") || self.src.looking_at("#{set}");
                let kept = if set && count % 2 == 0 { count } else { count / 2 };
                text.buf.push_str(&"\\".repeat(kept));
                if count % 2 == 1 {
                    text.buf.push('#');
                    self.src.i += 1;
                }
                Ok(())
            }
            _ => {
                text.buf.push_str(&"\\".repeat(count));
                text.mark();
                Ok(())
            }
        }
    }

    fn directive_follows(&self) -> bool {
        const NAMES: [&str; 10] = ["set", "if", "elseif", "else", "end", "foreach", "break", "stop", "define", "macro"];
        let at = |offset: usize, name: &str| {
            name.chars().enumerate().all(|(k, c)| self.src.peek_at(offset + k) == Some(c))
                && !self.src.peek_at(offset + name.len()).is_some_and(crate::source::is_ident_char)
        };
        NAMES.iter().any(|name| at(1, name) || (self.src.peek_at(1) == Some('{') && at(2, name)))
            || self.macro_name_follows()
    }

    /// The name of a macro defined so far.
    fn macro_name_follows(&self) -> bool {
        let mut j = 1;
        let mut name = String::new();
        while let Some(c) = self.src.peek_at(j).filter(|c| crate::source::is_ident_char(*c)) {
            name.push(c);
            j += 1;
        }
        self.macros.contains_key(&name)
    }

    /// Handles a `#`: comment, unparsed block, directive, macro call or plain text. Returns the
    /// directive that ends the current block, if it is one.
    fn hash(&mut self, text: &mut Text, nodes: &mut Vec<Node>) -> Result<Option<BlockEnd>, VtlError> {
        let start = self.src.i;
        if self.src.eat("##") {
            while let Some(c) = self.src.bump() {
                if c == '\n' {
                    break;
                }
            }
            text.mark();
            return Ok(None);
        }
        if self.src.eat("#*") {
            self.skip_until("*#", start)?;
            text.mark();
            return Ok(None);
        }
        if self.src.eat("#[[") {
            let from = self.src.i;
            let to = self.skip_until("]]#", start)?;
            text.buf.push_str(&self.src.slice(from, to));
            text.mark();
            return Ok(None);
        }
        self.src.i += 1;
        let braced = self.src.eat("{");
        let Some(name) = self.src.word() else {
            return self.literal_hash(start, text);
        };
        if braced && !self.src.eat("}") {
            return self.literal_hash(start, text);
        }
        match name.as_str() {
            "end" => {
                self.src.gobble_line_end();
                Ok(Some(BlockEnd::End(start)))
            }
            "else" => {
                self.src.gobble_line_end();
                Ok(Some(BlockEnd::Else(start)))
            }
            "elseif" => {
                let cond = self.paren_expr()?;
                Ok(Some(BlockEnd::ElseIf(cond, start)))
            }
            "set" => {
                text.drop_indentation();
                text.flush(nodes);
                nodes.push(self.set_directive()?);
                Ok(None)
            }
            "if" | "foreach" | "define" | "macro" | "break" | "stop" => {
                text.flush(nodes);
                if let Some(node) = self.block_directive(&name, start)? {
                    nodes.push(node);
                }
                Ok(None)
            }
            _ if !braced && self.src.peek() == Some('(') => match self.macro_call(name, start)? {
                Some(node) => {
                    text.flush(nodes);
                    nodes.push(node);
                    Ok(None)
                }
                None => self.literal_hash(start, text),
            },
            _ => self.literal_hash(start, text),
        }
    }

    fn literal_hash(&mut self, start: usize, text: &mut Text) -> Result<Option<BlockEnd>, VtlError> {
        self.src.i = start + 1;
        text.mark();
        if !self.lone_char_vanishes() {
            text.buf.push('#');
        }
        Ok(None)
    }

    /// Velocity 1.7 drops a lone `$` or `#` followed by a backslash escaping `#` or `\`.
    fn lone_char_vanishes(&self) -> bool {
        self.src.peek() == Some('\\') && matches!(self.src.peek_at(1), Some('#' | '\\'))
    }

    /// Skips to just after `close`; returns the index where `close` starts.
    fn skip_until(&mut self, close: &str, start: usize) -> Result<usize, VtlError> {
        loop {
            if self.src.looking_at(close) {
                let at = self.src.i;
                self.src.eat(close);
                return Ok(at);
            }
            if self.src.bump().is_none() {
                return Err(self.src.error_at(format!("Unterminated block: expected '{close}'"), start));
            }
        }
    }
}
