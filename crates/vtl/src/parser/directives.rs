//! Directive arguments and bodies: `#set`, `#if`/`#elseif`/`#else`, `#foreach`, `#define`,
//! `#macro` definitions and calls, `#break`, with the `)` that gobbles its line end.

use std::sync::Arc;

use super::{BlockEnd, Parser};
use crate::ast::{Access, Block, Expr, Macro, Node};
use crate::error::VtlError;

impl Parser {
    /// The `)` closing a directive's arguments, with the gobbling of the line end after it.
    pub(super) fn close_paren(&mut self) -> Result<(), VtlError> {
        self.src.skip_ws();
        if !self.src.eat(")") {
            return Err(self.src.error("Expected ')'"));
        }
        self.src.gobble_line_end();
        Ok(())
    }

    pub(super) fn open_paren(&mut self) -> Result<(), VtlError> {
        while matches!(self.src.peek(), Some(' ' | '\t')) {
            self.src.i += 1;
        }
        if !self.src.eat("(") {
            return Err(self.src.error("Expected '('"));
        }
        self.src.skip_ws();
        Ok(())
    }

    pub(super) fn paren_expr(&mut self) -> Result<Expr, VtlError> {
        self.open_paren()?;
        let expr = self.expr()?;
        self.close_paren()?;
        Ok(expr)
    }

    pub(super) fn set_directive(&mut self) -> Result<Node, VtlError> {
        self.open_paren()?;
        let Some(target) = self.reference()? else {
            return Err(self.src.error("#set needs a reference on its left side"));
        };
        self.src.skip_ws();
        if !self.src.eat("=") {
            return Err(self.src.error("Expected '=' in #set"));
        }
        self.src.skip_ws();
        let value = self.expr()?;
        self.close_paren()?;
        Ok(Node::Set { target, value })
    }

    /// `#if`, `#foreach`, `#define`, `#macro`, `#break`, `#stop`. A `#macro` yields no node.
    pub(super) fn block_directive(&mut self, name: &str, start: usize) -> Result<Option<Node>, VtlError> {
        Ok(Some(match name {
            "if" => self.if_directive(start)?,
            "foreach" => {
                self.open_paren()?;
                let var = self.variable_name()?;
                self.src.skip_ws();
                if !self.src.looking_at_word("in") {
                    return Err(self.src.error("Expected 'in' in #foreach"));
                }
                self.src.i += 2;
                self.src.skip_ws();
                let iterable = self.expr()?;
                self.close_paren()?;
                Node::Foreach { var, iterable, body: self.body_until_end(start)? }
            }
            "define" => {
                self.open_paren()?;
                let name = self.variable_name()?;
                self.close_paren()?;
                Node::Define { name, body: self.body_until_end(start)? }
            }
            "macro" => {
                self.macro_definition(start)?;
                return Ok(None);
            }
            "break" => Node::Break(self.break_scope()?),
            _ => Node::Stop,
        }))
    }

    /// The optional scope of `#break($foreach)`: each `.parent` leaves one more loop.
    pub(super) fn break_scope(&mut self) -> Result<usize, VtlError> {
        if self.src.peek() != Some('(') {
            return Ok(1);
        }
        self.open_paren()?;
        let scope = self.reference()?.ok_or_else(|| self.src.error("#break takes a scope such as $foreach"))?;
        self.close_paren()?;
        let parents = scope.path.iter().filter(|a| matches!(a, Access::Property(p) if p == "parent")).count();
        Ok(1 + parents)
    }

    pub(super) fn if_directive(&mut self, start: usize) -> Result<Node, VtlError> {
        let mut branches = Vec::new();
        let mut cond = self.paren_expr()?;
        loop {
            let (body, end) = self.block()?;
            branches.push((cond, Arc::new(body)));
            match end {
                BlockEnd::End(_) => return Ok(Node::If { branches, otherwise: None }),
                BlockEnd::ElseIf(next, _) => cond = next,
                BlockEnd::Else(_) => {
                    let otherwise = self.body_until_end(start)?;
                    return Ok(Node::If { branches, otherwise: Some(otherwise) });
                }
                BlockEnd::Eof => return Err(self.src.error_at("#if has no matching #end", start)),
            }
        }
    }

    pub(super) fn body_until_end(&mut self, start: usize) -> Result<Block, VtlError> {
        match self.block()? {
            (body, BlockEnd::End(_)) => Ok(Arc::new(body)),
            (_, BlockEnd::Eof) => Err(self.src.error_at("Directive has no matching #end", start)),
            (_, BlockEnd::Else(at) | BlockEnd::ElseIf(_, at)) => {
                Err(self.src.error_at("#else or #elseif outside of #if", at))
            }
        }
    }

    /// `$name` as written in `#foreach`, `#define` and `#macro` headers.
    pub(super) fn variable_name(&mut self) -> Result<String, VtlError> {
        self.src.skip_ws();
        if !self.src.eat("$") {
            return Err(self.src.error("Expected a variable such as $name"));
        }
        let braced = self.src.eat("{");
        let name = self.src.identifier().ok_or_else(|| self.src.error("Expected a variable name"))?;
        if braced && !self.src.eat("}") {
            return Err(self.src.error("Expected '}'"));
        }
        Ok(name)
    }

    pub(super) fn macro_definition(&mut self, start: usize) -> Result<(), VtlError> {
        self.open_paren()?;
        let name = self.src.word().ok_or_else(|| self.src.error("Expected a macro name"))?;
        let mut params = Vec::new();
        loop {
            self.src.skip_ws();
            self.src.eat(",");
            self.src.skip_ws();
            if self.src.peek() == Some(')') {
                break;
            }
            params.push(self.variable_name()?);
        }
        self.close_paren()?;
        let body = self.body_until_end(start)?;
        self.macros.insert(name, Arc::new(Macro { params, body }));
        Ok(())
    }

    /// `#name(args)`, resolved when rendering; None when the arguments do not parse (the text
    /// is then literal).
    pub(super) fn macro_call(&mut self, name: String, start: usize) -> Result<Option<Node>, VtlError> {
        let after_name = self.src.i;
        let parsed = self.macro_args();
        match parsed {
            Ok(args) => {
                // A call to a macro that turns out undefined renders as written, line end
                // included.
                self.src.gobble_line_end();
                let source = self.src.slice(start, self.src.i);
                Ok(Some(Node::MacroCall { name, args, source, pos: self.src.pos_of(start) }))
            }
            Err(_) if !self.macros.contains_key(&name) => {
                self.src.i = after_name;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    pub(super) fn macro_args(&mut self) -> Result<Vec<Expr>, VtlError> {
        self.src.eat("(");
        let mut args = Vec::new();
        loop {
            self.src.skip_ws();
            if self.src.eat(")") {
                return Ok(args);
            }
            if !args.is_empty() && self.src.eat(",") {
                self.src.skip_ws();
            }
            args.push(self.expr()?);
        }
    }
}
