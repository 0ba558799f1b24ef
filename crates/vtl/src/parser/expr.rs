//! The expression grammar inside directives and method arguments, and references
//! (`$a.b`, `$!{a.b(1)}`, `$a[0]`), shared with the template text.

use std::sync::Arc;

use crate::ast::{Access, BinOp, Expr, Reference};
use crate::error::VtlError;
use crate::parser::{BlockEnd, Parser};

/// Binary operators from loosest to tightest, with their symbol and word spellings.
const LEVELS: [&[(BinOp, &str)]; 5] = [
    &[(BinOp::Or, "||"), (BinOp::Or, "or")],
    &[(BinOp::And, "&&"), (BinOp::And, "and")],
    &[(BinOp::Eq, "=="), (BinOp::Ne, "!="), (BinOp::Eq, "eq"), (BinOp::Ne, "ne")],
    &[
        (BinOp::Le, "<="),
        (BinOp::Ge, ">="),
        (BinOp::Lt, "<"),
        (BinOp::Gt, ">"),
        (BinOp::Lt, "lt"),
        (BinOp::Gt, "gt"),
        (BinOp::Le, "le"),
        (BinOp::Ge, "ge"),
    ],
    &[(BinOp::Add, "+"), (BinOp::Sub, "-")],
];
const MULTIPLICATIVE: &[(BinOp, &str)] = &[(BinOp::Mul, "*"), (BinOp::Div, "/"), (BinOp::Mod, "%")];

impl Parser {
    pub(crate) fn expr(&mut self) -> Result<Expr, VtlError> {
        self.enter()?;
        let result = self.binary(0);
        self.depth -= 1;
        result
    }

    fn binary(&mut self, level: usize) -> Result<Expr, VtlError> {
        let ops = if level < LEVELS.len() { LEVELS[level] } else { MULTIPLICATIVE };
        let mut left = if level < LEVELS.len() { self.binary(level + 1)? } else { self.unary()? };
        loop {
            self.src.skip_ws();
            let Some(op) = self.operator(ops) else { return Ok(left) };
            self.src.skip_ws();
            let right = if level < LEVELS.len() { self.binary(level + 1)? } else { self.unary()? };
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn operator(&mut self, ops: &[(BinOp, &str)]) -> Option<BinOp> {
        for (op, spelling) in ops {
            let is_word = spelling.chars().all(|c| c.is_ascii_alphabetic());
            let matched = if is_word { self.src.looking_at_word(spelling) } else { self.src.looking_at(spelling) };
            if matched {
                self.src.i += spelling.len();
                return Some(*op);
            }
        }
        None
    }

    fn unary(&mut self) -> Result<Expr, VtlError> {
        self.src.skip_ws();
        if self.src.looking_at("!") && !self.src.looking_at("!=") || self.src.looking_at_word("not") {
            self.src.i += if self.src.looking_at("!") { 1 } else { 3 };
            return Ok(Expr::Not(Box::new(self.nested_unary()?)));
        }
        if self.src.eat("-") {
            return Ok(Expr::Neg(Box::new(self.nested_unary()?)));
        }
        self.primary()
    }

    fn nested_unary(&mut self) -> Result<Expr, VtlError> {
        self.enter()?;
        let result = self.unary();
        self.depth -= 1;
        result
    }

    fn primary(&mut self) -> Result<Expr, VtlError> {
        let start = self.src.i;
        match self.src.peek() {
            // Velocity 1.7 lexes `$true` and `$false` in an expression as the literals.
            Some('$') if self.src.looking_at_word("$true") => self.keyword(5, Expr::Bool(true)),
            Some('$') if self.src.looking_at_word("$false") => self.keyword(6, Expr::Bool(false)),
            Some('$') => match self.reference()? {
                Some(reference) => Ok(Expr::Ref(reference)),
                None => Err(self.src.error("Invalid reference")),
            },
            Some('"') => self.double_quoted(),
            Some('\'') => Ok(Expr::Str(self.quoted('\'')?)),
            Some('(') => {
                self.src.i += 1;
                self.src.skip_ws();
                let inner = self.expr()?;
                self.src.skip_ws();
                if !self.src.eat(")") {
                    return Err(self.src.error("Expected ')'"));
                }
                Ok(inner)
            }
            Some('[') => self.list_or_range(),
            Some('{') => self.map(),
            Some(c) if c.is_ascii_digit() => self.number(),
            _ if self.src.looking_at_word("true") => self.keyword(4, Expr::Bool(true)),
            _ if self.src.looking_at_word("false") => self.keyword(5, Expr::Bool(false)),
            _ if self.src.looking_at_word("null") => self.keyword(4, Expr::Null),
            None => Err(self.src.error_at("Unexpected end of template in an expression", start)),
            Some(c) => Err(self.src.error(format!("Unexpected character '{c}' in an expression"))),
        }
    }

    fn keyword(&mut self, len: usize, expr: Expr) -> Result<Expr, VtlError> {
        self.src.i += len;
        Ok(expr)
    }

    /// `12`, `1.5`, `1e3`, `2.5E-2` (a float when it has a fraction or an exponent).
    fn number(&mut self) -> Result<Expr, VtlError> {
        let start = self.src.i;
        self.digits();
        let mut is_float = false;
        if self.src.peek() == Some('.') && self.src.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.src.i += 1;
            self.digits();
            is_float = true;
        }
        if matches!(self.src.peek(), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.src.peek_at(1), Some('+' | '-')));
            if self.src.peek_at(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                self.src.i += 1 + sign;
                self.digits();
                is_float = true;
            }
        }
        let text = self.src.slice(start, self.src.i);
        if is_float {
            text.parse().map(Expr::Float).map_err(|_| self.src.error_at("Invalid number", start))
        } else {
            text.parse().map(Expr::Int).map_err(|_| self.src.error_at("Integer literal out of range", start))
        }
    }

    fn digits(&mut self) {
        while self.src.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.src.i += 1;
        }
    }

    /// A quoted string's content: a doubled quote stands for one. A backslash is an ordinary
    /// character (Velocity 1.7 has no escapes in string literals).
    fn quoted(&mut self, quote: char) -> Result<String, VtlError> {
        let start = self.src.i;
        self.src.i += 1;
        let mut out = String::new();
        loop {
            match self.src.bump() {
                None => return Err(self.src.error_at("Unterminated string literal", start)),
                Some(c) if c == quote => {
                    if self.src.peek() == Some(quote) {
                        self.src.i += 1;
                        out.push(quote);
                    } else {
                        return Ok(out);
                    }
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quoted(&mut self) -> Result<Expr, VtlError> {
        let base = self.src.pos_of(self.src.i + 1);
        let content = self.quoted('"')?;
        if !content.contains(['$', '#']) {
            return Ok(Expr::Str(content));
        }
        let mut sub = self.sub(&content, base);
        sub.macros = std::mem::take(&mut self.macros);
        let parsed = sub.block();
        // Macros defined inside the string are defined for the whole template.
        self.macros = std::mem::take(&mut sub.macros);
        let (nodes, end) = parsed?;
        match end {
            BlockEnd::Eof => Ok(Expr::Interpolated(Arc::new(nodes))),
            _ => Err(self.src.error_at("Unbalanced #end in a string literal", self.src.i)),
        }
    }

    fn list_or_range(&mut self) -> Result<Expr, VtlError> {
        self.src.i += 1;
        self.src.skip_ws();
        if self.src.eat("]") {
            return Ok(Expr::List(Vec::new()));
        }
        let first = self.expr()?;
        self.src.skip_ws();
        if self.src.eat("..") {
            self.src.skip_ws();
            let last = self.expr()?;
            self.src.skip_ws();
            if !self.src.eat("]") {
                return Err(self.src.error("Expected ']' after a range"));
            }
            return Ok(Expr::Range(Box::new(first), Box::new(last)));
        }
        let mut items = vec![first];
        loop {
            self.src.skip_ws();
            if self.src.eat("]") {
                return Ok(Expr::List(items));
            }
            if !self.src.eat(",") {
                return Err(self.src.error("Expected ',' or ']' in a list"));
            }
            self.src.skip_ws();
            items.push(self.expr()?);
        }
    }

    fn map(&mut self) -> Result<Expr, VtlError> {
        self.src.i += 1;
        let mut entries = Vec::new();
        loop {
            self.src.skip_ws();
            if self.src.eat("}") {
                return Ok(Expr::Map(entries));
            }
            if !entries.is_empty() {
                if !self.src.eat(",") {
                    return Err(self.src.error("Expected ',' or '}' in a map"));
                }
                self.src.skip_ws();
            }
            let key = self.expr()?;
            self.src.skip_ws();
            if !self.src.eat(":") {
                return Err(self.src.error("Expected ':' in a map"));
            }
            self.src.skip_ws();
            entries.push((key, self.expr()?));
        }
    }

    /// A reference at the position, or None (position unchanged) when the `$` starts none.
    pub(crate) fn reference(&mut self) -> Result<Option<Reference>, VtlError> {
        let start = self.src.i;
        if !self.src.eat("$") {
            return Ok(None);
        }
        let quiet = self.src.eat("!");
        let braced = self.src.eat("{");
        let Some(root) = self.src.identifier() else {
            self.src.i = start;
            return Ok(None);
        };
        let mut path = Vec::new();
        loop {
            let before = self.src.i;
            if self.src.peek() == Some('.') && self.src.peek_at(1).is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            {
                self.src.i += 1;
                let name = self.src.identifier().unwrap_or_default();
                if self.src.peek() == Some('(') {
                    // An unfinished call (`$s.length(`) makes the whole reference text.
                    let Ok(args) = self.call_args() else {
                        self.src.i = start;
                        return Ok(None);
                    };
                    path.push(Access::Method(name, args));
                } else {
                    path.push(Access::Property(name));
                }
            } else if self.src.peek() == Some('[') {
                match self.index() {
                    Ok(index) => path.push(Access::Index(index)),
                    // Text such as `$price[USD]` is a reference followed by text.
                    Err(_) => self.src.i = before,
                }
            }
            if self.src.i == before {
                break;
            }
        }
        if braced && !self.src.eat("}") {
            self.src.i = start;
            return Ok(None);
        }
        let source = self.src.slice(start, self.src.i);
        Ok(Some(Reference { quiet, root, path, source, pos: self.src.pos_of(start) }))
    }

    fn index(&mut self) -> Result<Expr, VtlError> {
        self.src.i += 1;
        self.src.skip_ws();
        let index = self.expr()?;
        self.src.skip_ws();
        if !self.src.eat("]") {
            return Err(self.src.error("Expected ']' after an index"));
        }
        Ok(index)
    }

    fn call_args(&mut self) -> Result<Vec<Expr>, VtlError> {
        self.src.i += 1;
        let mut args = Vec::new();
        loop {
            self.src.skip_ws();
            if self.src.eat(")") {
                return Ok(args);
            }
            if !args.is_empty() {
                if !self.src.eat(",") {
                    return Err(self.src.error("Expected ',' or ')' in method arguments"));
                }
                self.src.skip_ws();
            }
            args.push(self.expr()?);
        }
    }
}
