//! Recursive-descent parser for every DynamoDB expression kind, producing
//! the AST below. Names (`#n`) and values (`:v`) are resolved while parsing
//! through `Names`, which records what was used; errors carry AWS's texts.

use super::lexer::{Tok, Token, tokenize};
use super::names::Names;
use super::reserved::is_reserved;
use crate::error::{DdbError, validation};
use crate::types::AttrValue;

#[derive(Debug, Clone, PartialEq)]
pub enum PathElem {
    Attr(String),
    Index(usize),
}

pub type Path = Vec<PathElem>;

/// Renders a path the way AWS quotes it in messages (`a.b[1]`).
pub fn path_text(p: &Path) -> String {
    let mut s = String::new();
    for (i, e) in p.iter().enumerate() {
        match e {
            PathElem::Attr(a) => {
                if i > 0 {
                    s.push('.');
                }
                s.push_str(a);
            }
            PathElem::Index(n) => s.push_str(&format!("[{n}]")),
        }
    }
    s
}

#[derive(Debug, Clone)]
pub enum Operand {
    Path(Path),
    Value(AttrValue),
    Size(Path),
    /// Update-only: `if_not_exists(path, value)`.
    IfNotExists(Path, Box<Operand>),
    /// Update-only: `list_append(a, b)`.
    ListAppend(Box<Operand>, Box<Operand>),
    /// Update-only: `a + b`, `a - b`.
    Plus(Box<Operand>, Box<Operand>),
    Minus(Box<Operand>, Box<Operand>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
pub enum Cond {
    Cmp(Operand, Cmp, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    Exists(Path),
    NotExists(Path),
    AttrType(Path, Operand),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
}

#[derive(Debug, Clone)]
pub enum UpdateAction {
    Set(Path, Operand),
    Remove(Path),
    Add(Path, Operand),
    Delete(Path, Operand),
}

/// Which expression is being parsed, for error prefixes and rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Condition,
    Filter,
    KeyCondition,
    Update,
    Projection,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Condition => "ConditionExpression",
            Kind::Filter => "FilterExpression",
            Kind::KeyCondition => "KeyConditionExpression",
            Kind::Update => "UpdateExpression",
            Kind::Projection => "ProjectionExpression",
        }
    }
}

/// Expressions longer than this are refused.
const MAX_EXPR_LEN: usize = 4096;

struct Parser<'a, 'n> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    kind: Kind,
    names: &'n mut Names,
    depth: usize,
}

fn kw(t: &Tok, word: &str) -> bool {
    matches!(t, Tok::Ident(s) if s.eq_ignore_ascii_case(word))
}

impl<'a, 'n> Parser<'a, 'n> {
    fn new(src: &'a str, kind: Kind, names: &'n mut Names) -> Result<Self, DdbError> {
        if src.trim().is_empty() {
            return Err(validation(format!("Invalid {}: The expression can not be empty;", kind.label())));
        }
        if src.len() > MAX_EXPR_LEN {
            return Err(validation(format!(
                "Invalid {}: Expression size has exceeded the maximum allowed size; expression size: {}",
                kind.label(),
                src.len()
            )));
        }
        Ok(Parser { src, toks: tokenize(src), pos: 0, kind, names, depth: 0 })
    }

    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map(|t| &t.tok).unwrap_or(&Tok::Eof)
    }

    fn peek_at(&self, n: usize) -> &Tok {
        self.toks.get(self.pos + n).map(|t| &t.tok).unwrap_or(&Tok::Eof)
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn err(&self, msg: impl std::fmt::Display) -> DdbError {
        validation(format!("Invalid {}: {msg}", self.kind.label()))
    }

    /// AWS's syntax error at the current token.
    fn syntax(&self) -> DdbError {
        let cur = &self.toks[self.pos.min(self.toks.len() - 1)];
        let near_start = if self.pos > 0 { self.toks[self.pos - 1].start } else { cur.start };
        let near = self.src.get(near_start..cur.end).unwrap_or("");
        self.err(format!("Syntax error; token: \"{}\", near: \"{}\"", cur.text(self.src), near))
    }

    fn expect_sym(&mut self, s: &str) -> Result<(), DdbError> {
        if *self.peek() == Tok::Sym(sym_static(s)) {
            self.bump();
            Ok(())
        } else {
            Err(self.syntax())
        }
    }

    fn at_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }

    fn finish(&self) -> Result<(), DdbError> {
        if *self.peek() == Tok::Eof { Ok(()) } else { Err(self.syntax()) }
    }

    fn name_elem(&mut self) -> Result<String, DdbError> {
        match self.peek().clone() {
            Tok::Ident(s) => {
                if is_reserved(&s) {
                    return Err(self.err(format!("Attribute name is a reserved keyword; reserved keyword: {s}")));
                }
                self.bump();
                Ok(s)
            }
            Tok::NameRef(r) => {
                let resolved = self.names.name(&r).map_err(|m| self.err(m))?;
                self.bump();
                Ok(resolved)
            }
            _ => Err(self.syntax()),
        }
    }

    fn path(&mut self) -> Result<Path, DdbError> {
        let mut p = vec![PathElem::Attr(self.name_elem()?)];
        loop {
            if self.at_sym(".") {
                self.bump();
                p.push(PathElem::Attr(self.name_elem()?));
            } else if self.at_sym("[") {
                self.bump();
                match self.peek().clone() {
                    Tok::Int(n) => {
                        let idx: usize = n.parse().map_err(|_| self.syntax())?;
                        self.bump();
                        p.push(PathElem::Index(idx));
                    }
                    _ => return Err(self.syntax()),
                }
                self.expect_sym("]")?;
            } else {
                return Ok(p);
            }
        }
    }

    fn value_ref(&mut self) -> Result<AttrValue, DdbError> {
        match self.peek().clone() {
            Tok::ValueRef(r) => {
                let v = self.names.value(&r).map_err(|m| self.err(m))?;
                self.bump();
                Ok(v)
            }
            _ => Err(self.syntax()),
        }
    }

    /// A comparison operand: path, value, or `size(path)`.
    fn operand(&mut self) -> Result<Operand, DdbError> {
        match self.peek().clone() {
            Tok::ValueRef(_) => Ok(Operand::Value(self.value_ref()?)),
            Tok::Ident(f) if *self.peek_at(1) == Tok::Sym("(") => {
                self.bump();
                self.bump();
                let op = match f.as_str() {
                    "size" => Operand::Size(self.path()?),
                    "if_not_exists" | "list_append" if self.kind == Kind::Update => {
                        return self.update_function(&f);
                    }
                    "attribute_exists"
                    | "attribute_not_exists"
                    | "attribute_type"
                    | "begins_with"
                    | "contains"
                    | "if_not_exists"
                    | "list_append" => {
                        return Err(self.err(format!(
                            "The function is not allowed to be used this way in an expression; function: {f}"
                        )));
                    }
                    _ => return Err(self.err(format!("Invalid function name; function: {f}"))),
                };
                self.expect_sym(")")?;
                Ok(op)
            }
            Tok::Ident(_) | Tok::NameRef(_) => Ok(Operand::Path(self.path()?)),
            _ => Err(self.syntax()),
        }
    }

    fn update_function(&mut self, f: &str) -> Result<Operand, DdbError> {
        let op = if f == "if_not_exists" {
            let p = self.path()?;
            self.expect_sym(",")?;
            let v = self.update_operand()?;
            Operand::IfNotExists(p, Box::new(v))
        } else {
            let a = self.update_operand()?;
            self.expect_sym(",")?;
            let b = self.update_operand()?;
            Operand::ListAppend(Box::new(a), Box::new(b))
        };
        self.expect_sym(")")?;
        Ok(op)
    }

    fn update_operand(&mut self) -> Result<Operand, DdbError> {
        match self.peek() {
            Tok::Ident(f) if f == "size" => {
                Err(self.err("The function is not allowed in an update expression; function: size"))
            }
            _ => self.operand(),
        }
    }

    fn set_value(&mut self) -> Result<Operand, DdbError> {
        let a = self.update_operand()?;
        if self.at_sym("+") {
            self.bump();
            let b = self.update_operand()?;
            return Ok(Operand::Plus(Box::new(a), Box::new(b)));
        }
        if self.at_sym("-") {
            self.bump();
            let b = self.update_operand()?;
            return Ok(Operand::Minus(Box::new(a), Box::new(b)));
        }
        Ok(a)
    }

    fn cond(&mut self) -> Result<Cond, DdbError> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(self.err("The expression has too many levels of nesting"));
        }
        let mut left = self.and()?;
        while kw(self.peek(), "OR") {
            self.bump();
            let right = self.and()?;
            left = Cond::Or(Box::new(left), Box::new(right));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and(&mut self) -> Result<Cond, DdbError> {
        let mut left = self.not()?;
        while kw(self.peek(), "AND") {
            self.bump();
            let right = self.not()?;
            left = Cond::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Cond, DdbError> {
        if kw(self.peek(), "NOT") {
            self.bump();
            self.depth += 1;
            if self.depth > 200 {
                return Err(self.err("The expression has too many levels of nesting"));
            }
            let c = self.not()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(c)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, DdbError> {
        if self.at_sym("(") {
            self.bump();
            let c = self.cond()?;
            self.expect_sym(")")?;
            return Ok(c);
        }
        if let Tok::Ident(f) = self.peek().clone()
            && *self.peek_at(1) == Tok::Sym("(")
            && f != "size"
        {
            return self.bool_function(&f);
        }
        let left = self.operand()?;
        let t = self.peek().clone();
        let cmp = match t {
            Tok::Sym("=") => Some(Cmp::Eq),
            Tok::Sym("<>") => Some(Cmp::Ne),
            Tok::Sym("<") => Some(Cmp::Lt),
            Tok::Sym("<=") => Some(Cmp::Le),
            Tok::Sym(">") => Some(Cmp::Gt),
            Tok::Sym(">=") => Some(Cmp::Ge),
            _ => None,
        };
        if let Some(cmp) = cmp {
            self.bump();
            let right = self.operand()?;
            return Ok(Cond::Cmp(left, cmp, right));
        }
        if kw(&t, "BETWEEN") {
            self.bump();
            let lo = self.operand()?;
            if !kw(self.peek(), "AND") {
                return Err(self.syntax());
            }
            self.bump();
            let hi = self.operand()?;
            return Ok(Cond::Between(left, lo, hi));
        }
        if kw(&t, "IN") {
            self.bump();
            self.expect_sym("(")?;
            let mut list = vec![self.operand()?];
            while self.at_sym(",") {
                self.bump();
                list.push(self.operand()?);
            }
            self.expect_sym(")")?;
            if list.len() > 100 {
                return Err(self.err("The IN operator is provided with too many operands; number of operands: 101"));
            }
            return Ok(Cond::In(left, list));
        }
        Err(self.syntax())
    }

    fn bool_function(&mut self, f: &str) -> Result<Cond, DdbError> {
        self.bump();
        self.bump();
        let c = match f {
            "attribute_exists" => Cond::Exists(self.path()?),
            "attribute_not_exists" => Cond::NotExists(self.path()?),
            "attribute_type" => {
                let p = self.path()?;
                self.expect_sym(",")?;
                let t = self.operand()?;
                if let Operand::Value(AttrValue::S(name)) = &t
                    && !["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"].contains(&name.as_str())
                {
                    return Err(self.err(format!(
                        "Invalid attribute type name found; type: {name}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
                    )));
                }
                Cond::AttrType(p, t)
            }
            "begins_with" | "contains" => {
                let a = self.operand()?;
                self.expect_sym(",")?;
                let b = self.operand()?;
                if f == "begins_with" { Cond::BeginsWith(a, b) } else { Cond::Contains(a, b) }
            }
            "size" | "if_not_exists" | "list_append" => {
                return Err(self
                    .err(format!("The function is not allowed to be used this way in an expression; function: {f}")));
            }
            _ => return Err(self.err(format!("Invalid function name; function: {f}"))),
        };
        self.expect_sym(")")?;
        Ok(c)
    }

    fn update(&mut self) -> Result<Vec<UpdateAction>, DdbError> {
        let mut actions = Vec::new();
        let mut seen: Vec<&'static str> = Vec::new();
        loop {
            let section = match self.peek() {
                Tok::Eof if !actions.is_empty() => break,
                Tok::Ident(s) if s.eq_ignore_ascii_case("SET") => "SET",
                Tok::Ident(s) if s.eq_ignore_ascii_case("REMOVE") => "REMOVE",
                Tok::Ident(s) if s.eq_ignore_ascii_case("ADD") => "ADD",
                Tok::Ident(s) if s.eq_ignore_ascii_case("DELETE") => "DELETE",
                _ => return Err(self.syntax()),
            };
            if seen.contains(&section) {
                return Err(
                    self.err(format!("The \"{section}\" section can only be used once in an update expression;"))
                );
            }
            seen.push(section);
            self.bump();
            loop {
                let p = self.path()?;
                let action = match section {
                    "SET" => {
                        self.expect_sym("=")?;
                        UpdateAction::Set(p, self.set_value()?)
                    }
                    "REMOVE" => UpdateAction::Remove(p),
                    "ADD" => UpdateAction::Add(p, Operand::Value(self.value_ref()?)),
                    _ => UpdateAction::Delete(p, Operand::Value(self.value_ref()?)),
                };
                actions.push(action);
                if self.at_sym(",") {
                    self.bump();
                } else {
                    break;
                }
            }
        }
        Ok(actions)
    }
}

/// Maps a dynamic symbol to the lexer's static one (for `Tok::Sym` equality).
fn sym_static(s: &str) -> &'static str {
    match s {
        "(" => "(",
        ")" => ")",
        "," => ",",
        "]" => "]",
        "=" => "=",
        _ => "",
    }
}

/// Parses a condition (ConditionExpression, FilterExpression, KeyConditionExpression).
pub fn parse_condition(src: &str, kind: Kind, names: &mut Names) -> Result<Cond, DdbError> {
    let mut p = Parser::new(src, kind, names)?;
    let c = p.cond()?;
    p.finish()?;
    Ok(c)
}

/// Parses an UpdateExpression and checks its paths do not overlap.
pub fn parse_update(src: &str, names: &mut Names) -> Result<Vec<UpdateAction>, DdbError> {
    let mut p = Parser::new(src, Kind::Update, names)?;
    let actions = p.update()?;
    p.finish()?;
    let paths: Vec<&Path> = actions
        .iter()
        .map(|a| match a {
            UpdateAction::Set(p, _)
            | UpdateAction::Remove(p)
            | UpdateAction::Add(p, _)
            | UpdateAction::Delete(p, _) => p,
        })
        .collect();
    for (i, a) in paths.iter().enumerate() {
        for b in &paths[..i] {
            let n = a.len().min(b.len());
            if a[..n] == b[..n] {
                let (one, two) = (path_text(b), path_text(a));
                return Err(p.err(format!(
                    "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [{}], path two: [{}]",
                    bracket(&one),
                    bracket(&two)
                )));
            }
        }
    }
    Ok(actions)
}

fn bracket(p: &str) -> String {
    p.replace('.', ", ")
}

/// Parses a ProjectionExpression into its paths.
pub fn parse_projection(src: &str, names: &mut Names) -> Result<Vec<Path>, DdbError> {
    let mut p = Parser::new(src, Kind::Projection, names)?;
    let mut out = vec![p.path()?];
    while p.at_sym(",") {
        p.bump();
        out.push(p.path()?);
    }
    p.finish()?;
    Ok(out)
}
