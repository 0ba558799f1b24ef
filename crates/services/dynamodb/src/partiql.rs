//! PartiQL for DynamoDB: tokenizer and parser for the statements DynamoDB
//! accepts (SELECT, INSERT, UPDATE, DELETE), producing the expression AST
//! the rest of the crate evaluates. Parameters (`?`) are bound while
//! parsing; literals become attribute values.

use crate::error::{DdbError, validation};
use crate::expr::parser::{Cmp, Cond, Operand, Path, PathElem, UpdateAction};
use crate::number::Number;
use crate::types::{AttrValue, Item};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Quoted(String),
    Str(String),
    Num(String),
    Sym(&'static str),
    Eof,
}

fn syntax(msg: impl std::fmt::Display) -> DdbError {
    validation(format!("Statement wasn't well formed, can't be processed: {msg}"))
}

fn tokenize(src: &str) -> Result<Vec<Tok>, DdbError> {
    let c: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
            continue;
        }
        if ch == '\'' || ch == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match c.get(i) {
                    None => return Err(syntax("Unterminated literal")),
                    Some(&q) if q == ch => {
                        if c.get(i + 1) == Some(&ch) {
                            s.push(ch);
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(&x) => {
                        s.push(x);
                        i += 1;
                    }
                }
            }
            out.push(if ch == '\'' { Tok::Str(s) } else { Tok::Quoted(s) });
            continue;
        }
        if ch.is_ascii_digit() || (ch == '-' && c.get(i + 1).is_some_and(char::is_ascii_digit) && !prev_is_value(&out))
        {
            let start = i;
            i += 1;
            while i < c.len()
                && (c[i].is_ascii_digit()
                    || c[i] == '.'
                    || c[i] == 'e'
                    || c[i] == 'E'
                    || ((c[i] == '-' || c[i] == '+') && matches!(c[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
            out.push(Tok::Num(c[start..i].iter().collect()));
            continue;
        }
        if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(c[start..i].iter().collect()));
            continue;
        }
        let two: String = c[i..(i + 2).min(c.len())].iter().collect();
        let sym2 = match two.as_str() {
            "<<" => Some("<<"),
            ">>" => Some(">>"),
            "<>" => Some("<>"),
            "!=" => Some("<>"),
            "<=" => Some("<="),
            ">=" => Some(">="),
            _ => None,
        };
        if let Some(s) = sym2 {
            out.push(Tok::Sym(s));
            i += 2;
            continue;
        }
        let sym = match ch {
            '*' => "*",
            ',' => ",",
            '.' => ".",
            '(' => "(",
            ')' => ")",
            '[' => "[",
            ']' => "]",
            '{' => "{",
            '}' => "}",
            '=' => "=",
            '<' => "<",
            '>' => ">",
            '?' => "?",
            ':' => ":",
            '+' => "+",
            '-' => "-",
            ';' => ";",
            other => return Err(syntax(format!("Unexpected character: {other}"))),
        };
        out.push(Tok::Sym(sym));
        i += 1;
    }
    out.push(Tok::Eof);
    Ok(out)
}

fn prev_is_value(out: &[Tok]) -> bool {
    matches!(out.last(), Some(Tok::Ident(_) | Tok::Quoted(_) | Tok::Str(_) | Tok::Num(_) | Tok::Sym(")" | "]" | "?")))
}

/// A parsed statement.
#[derive(Debug, Clone)]
pub enum Statement {
    Select { table: String, index: Option<String>, projection: Option<Vec<Path>>, filter: Option<Cond> },
    Insert { table: String, item: Item },
    Update { table: String, actions: Vec<UpdateAction>, filter: Cond },
    Delete { table: String, filter: Cond },
}

struct P<'a> {
    toks: Vec<Tok>,
    pos: usize,
    params: &'a [AttrValue],
    used: usize,
    depth: usize,
}

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

impl P<'_> {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).unwrap_or(&Tok::Eof)
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        self.pos += 1;
        t
    }

    fn kw(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case(w))
    }

    fn eat_kw(&mut self, w: &str) -> Result<(), DdbError> {
        if self.kw(w) {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }

    fn eat_sym(&mut self, s: &str) -> Result<(), DdbError> {
        if self.sym(s) {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn unexpected(&self) -> DdbError {
        match self.peek() {
            Tok::Eof => syntax("Unexpected end of statement"),
            t => syntax(format!("Unexpected token: {}", tok_text(t))),
        }
    }

    fn name(&mut self) -> Result<String, DdbError> {
        match self.bump() {
            Tok::Ident(s) | Tok::Quoted(s) => Ok(s),
            _ => {
                self.pos -= 1;
                Err(self.unexpected())
            }
        }
    }

    fn table(&mut self) -> Result<(String, Option<String>), DdbError> {
        let t = self.name()?;
        if self.sym(".") {
            self.bump();
            return Ok((t, Some(self.name()?)));
        }
        Ok((t, None))
    }

    fn path(&mut self) -> Result<Path, DdbError> {
        let mut p = vec![PathElem::Attr(self.name()?)];
        loop {
            if self.sym(".") {
                self.bump();
                p.push(PathElem::Attr(self.name()?));
            } else if self.sym("[") {
                self.bump();
                match self.bump() {
                    Tok::Num(n) => p.push(PathElem::Index(n.parse().map_err(|_| syntax("Invalid index"))?)),
                    Tok::Str(s) => p.push(PathElem::Attr(s)),
                    _ => return Err(self.unexpected()),
                }
                self.eat_sym("]")?;
            } else {
                return Ok(p);
            }
        }
    }

    fn param(&mut self) -> Result<AttrValue, DdbError> {
        let v = self
            .params
            .get(self.used)
            .cloned()
            .ok_or_else(|| validation("Number of parameters in request and statement don't match."))?;
        self.used += 1;
        Ok(v)
    }

    fn deeper(&mut self) -> Result<(), DdbError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(syntax("Statement nesting is too deep"));
        }
        Ok(())
    }

    fn value(&mut self) -> Result<AttrValue, DdbError> {
        self.deeper()?;
        let v = self.value_inner();
        self.depth -= 1;
        v
    }

    fn value_inner(&mut self) -> Result<AttrValue, DdbError> {
        match self.bump() {
            Tok::Str(s) => Ok(AttrValue::S(s)),
            Tok::Num(n) => Number::parse(&n).map(AttrValue::N).map_err(|e| validation(e.message(&n))),
            Tok::Sym("?") => self.param(),
            Tok::Ident(w) if w.eq_ignore_ascii_case("true") => Ok(AttrValue::Bool(true)),
            Tok::Ident(w) if w.eq_ignore_ascii_case("false") => Ok(AttrValue::Bool(false)),
            Tok::Ident(w) if w.eq_ignore_ascii_case("null") => Ok(AttrValue::Null),
            Tok::Sym("{") => {
                let mut m = Item::new();
                if !self.sym("}") {
                    loop {
                        let k = match self.bump() {
                            Tok::Str(s) | Tok::Quoted(s) => s,
                            _ => return Err(syntax("Map keys must be strings")),
                        };
                        self.eat_sym(":")?;
                        m.insert(k, self.value()?);
                        if !self.sym(",") {
                            break;
                        }
                        self.bump();
                    }
                }
                self.eat_sym("}")?;
                Ok(AttrValue::M(m))
            }
            Tok::Sym("[") => {
                let mut l = Vec::new();
                if !self.sym("]") {
                    loop {
                        l.push(self.value()?);
                        if !self.sym(",") {
                            break;
                        }
                        self.bump();
                    }
                }
                self.eat_sym("]")?;
                Ok(AttrValue::L(l))
            }
            Tok::Sym("<<") => {
                let mut l = Vec::new();
                loop {
                    l.push(self.value()?);
                    if !self.sym(",") {
                        break;
                    }
                    self.bump();
                }
                self.eat_sym(">>")?;
                to_set(l)
            }
            _ => {
                self.pos -= 1;
                Err(self.unexpected())
            }
        }
    }

    fn operand(&mut self) -> Result<Operand, DdbError> {
        match self.peek() {
            Tok::Ident(w) if !["true", "false", "null"].iter().any(|k| w.eq_ignore_ascii_case(k)) => {
                Ok(Operand::Path(self.path()?))
            }
            Tok::Quoted(_) => Ok(Operand::Path(self.path()?)),
            _ => Ok(Operand::Value(self.value()?)),
        }
    }

    fn cond(&mut self) -> Result<Cond, DdbError> {
        self.deeper()?;
        let mut l = self.and()?;
        while self.kw("OR") {
            self.bump();
            l = Cond::Or(Box::new(l), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(l)
    }

    fn and(&mut self) -> Result<Cond, DdbError> {
        let mut l = self.not()?;
        while self.kw("AND") {
            self.bump();
            l = Cond::And(Box::new(l), Box::new(self.not()?));
        }
        Ok(l)
    }

    fn not(&mut self) -> Result<Cond, DdbError> {
        if self.kw("NOT") {
            self.bump();
            self.deeper()?;
            let c = self.not()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(c)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, DdbError> {
        if self.sym("(") {
            self.bump();
            let c = self.cond()?;
            self.eat_sym(")")?;
            return Ok(c);
        }
        if let Tok::Ident(f) = self.peek().clone()
            && self.toks.get(self.pos + 1) == Some(&Tok::Sym("("))
        {
            let f = f.to_ascii_lowercase();
            self.bump();
            self.bump();
            let a = self.operand()?;
            let c = match f.as_str() {
                "begins_with" | "contains" | "attribute_type" => {
                    self.eat_sym(",")?;
                    let b = self.operand()?;
                    match f.as_str() {
                        "begins_with" => Cond::BeginsWith(a, b),
                        "contains" => Cond::Contains(a, b),
                        _ => match a {
                            Operand::Path(p) => Cond::AttrType(p, b),
                            _ => return Err(syntax("attribute_type expects a path")),
                        },
                    }
                }
                "exists" | "attribute_exists" => match a {
                    Operand::Path(p) => Cond::Exists(p),
                    _ => return Err(syntax("exists expects a path")),
                },
                "attribute_not_exists" => match a {
                    Operand::Path(p) => Cond::NotExists(p),
                    _ => return Err(syntax("attribute_not_exists expects a path")),
                },
                other => return Err(syntax(format!("Unsupported function: {other}"))),
            };
            self.eat_sym(")")?;
            return Ok(c);
        }
        let left = self.operand()?;
        let cmp = match self.peek() {
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
            return Ok(Cond::Cmp(left, cmp, self.operand()?));
        }
        if self.kw("BETWEEN") {
            self.bump();
            let lo = self.operand()?;
            self.eat_kw("AND")?;
            return Ok(Cond::Between(left, lo, self.operand()?));
        }
        if self.kw("IN") {
            self.bump();
            let close = if self.sym("[") { "]" } else { ")" };
            self.bump();
            let mut list = vec![self.operand()?];
            while self.sym(",") {
                self.bump();
                list.push(self.operand()?);
            }
            self.eat_sym(close)?;
            return Ok(Cond::In(left, list));
        }
        if self.kw("IS") {
            self.bump();
            let negate = self.kw("NOT");
            if negate {
                self.bump();
            }
            let Operand::Path(p) = left else { return Err(syntax("IS expects a path")) };
            let c = if self.kw("MISSING") {
                self.bump();
                Cond::NotExists(p)
            } else if self.kw("NULL") {
                self.bump();
                Cond::Cmp(Operand::Path(p), Cmp::Eq, Operand::Value(AttrValue::Null))
            } else {
                return Err(self.unexpected());
            };
            return Ok(if negate { Cond::Not(Box::new(c)) } else { c });
        }
        Err(self.unexpected())
    }

    fn set_value(&mut self) -> Result<Operand, DdbError> {
        let a = self.operand()?;
        if self.sym("+") || self.sym("-") {
            let plus = self.sym("+");
            self.bump();
            let b = self.operand()?;
            return Ok(if plus {
                Operand::Plus(Box::new(a), Box::new(b))
            } else {
                Operand::Minus(Box::new(a), Box::new(b))
            });
        }
        Ok(a)
    }

    fn statement(&mut self) -> Result<Statement, DdbError> {
        if self.kw("SELECT") {
            self.bump();
            let projection = if self.sym("*") {
                self.bump();
                None
            } else {
                let mut v = vec![self.path()?];
                while self.sym(",") {
                    self.bump();
                    v.push(self.path()?);
                }
                Some(v)
            };
            self.eat_kw("FROM")?;
            let (table, index) = self.table()?;
            let filter = if self.kw("WHERE") {
                self.bump();
                Some(self.cond()?)
            } else {
                None
            };
            return Ok(Statement::Select { table, index, projection, filter });
        }
        if self.kw("INSERT") {
            self.bump();
            self.eat_kw("INTO")?;
            let table = self.name()?;
            self.eat_kw("VALUE")?;
            let AttrValue::M(item) = self.value()? else { return Err(syntax("INSERT VALUE must be a tuple")) };
            return Ok(Statement::Insert { table, item });
        }
        if self.kw("UPDATE") {
            self.bump();
            let table = self.name()?;
            let mut actions = Vec::new();
            loop {
                if self.kw("SET") {
                    self.bump();
                    let p = self.path()?;
                    self.eat_sym("=")?;
                    actions.push(UpdateAction::Set(p, self.set_value()?));
                } else if self.kw("REMOVE") {
                    self.bump();
                    actions.push(UpdateAction::Remove(self.path()?));
                } else if self.sym(",") && !actions.is_empty() {
                    self.bump();
                    let p = self.path()?;
                    if self.sym("=") {
                        self.bump();
                        actions.push(UpdateAction::Set(p, self.set_value()?));
                    } else {
                        actions.push(UpdateAction::Remove(p));
                    }
                } else {
                    break;
                }
            }
            if actions.is_empty() {
                return Err(self.unexpected());
            }
            self.eat_kw("WHERE")?;
            let filter = self.cond()?;
            return Ok(Statement::Update { table, actions, filter });
        }
        if self.kw("DELETE") {
            self.bump();
            self.eat_kw("FROM")?;
            let table = self.name()?;
            self.eat_kw("WHERE")?;
            let filter = self.cond()?;
            return Ok(Statement::Delete { table, filter });
        }
        Err(self.unexpected())
    }
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Ident(s) | Tok::Num(s) => s.clone(),
        Tok::Quoted(s) => format!("\"{s}\""),
        Tok::Str(s) => format!("'{s}'"),
        Tok::Sym(s) => (*s).to_string(),
        Tok::Eof => "<EOF>".into(),
    }
}

fn to_set(l: Vec<AttrValue>) -> Result<AttrValue, DdbError> {
    let mut ss = Vec::new();
    let mut ns = Vec::new();
    let mut bs = Vec::new();
    for v in l {
        match v {
            AttrValue::S(s) => ss.push(s),
            AttrValue::N(n) => ns.push(n),
            AttrValue::B(b) => bs.push(b),
            _ => return Err(syntax("Sets may contain only strings, numbers or binaries")),
        }
    }
    match (ss.is_empty(), ns.is_empty(), bs.is_empty()) {
        (false, true, true) => Ok(AttrValue::Ss(ss)),
        (true, false, true) => Ok(AttrValue::Ns(ns)),
        (true, true, false) => Ok(AttrValue::Bs(bs)),
        _ => Err(syntax("Sets must contain values of one type")),
    }
}

/// Parses one statement with its parameters.
pub fn parse(src: &str, params: &[AttrValue]) -> Result<Statement, DdbError> {
    let mut p = P { toks: tokenize(src)?, pos: 0, params, used: 0, depth: 0 };
    let s = p.statement()?;
    if p.sym(";") {
        p.bump();
    }
    if *p.peek() != Tok::Eof {
        return Err(p.unexpected());
    }
    if p.used != params.len() {
        return Err(validation("Number of parameters in request and statement don't match."));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_statement_kinds() {
        assert!(matches!(parse("SELECT * FROM \"t\" WHERE pk = 'a' AND n > 3", &[]), Ok(Statement::Select { .. })));
        assert!(matches!(parse("SELECT a, b.c FROM t.\"idx\"", &[]), Ok(Statement::Select { index: Some(_), .. })));
        assert!(matches!(
            parse(
                "INSERT INTO t VALUE {'pk': ?, 'n': 1, 'l': [1, 'x'], 's': <<'a','b'>>}",
                &[AttrValue::S("k".into())]
            ),
            Ok(Statement::Insert { .. })
        ));
        assert!(matches!(parse("UPDATE t SET a = a + 1 REMOVE b WHERE pk = 'k'", &[]), Ok(Statement::Update { .. })));
        assert!(matches!(parse("DELETE FROM t WHERE pk = 'k'", &[]), Ok(Statement::Delete { .. })));
        assert!(matches!(parse("SELECT * FROM t WHERE x IS MISSING", &[]), Ok(Statement::Select { .. })));
    }

    #[test]
    fn errors() {
        let e = |s: &str, p: &[AttrValue]| parse(s, p).err().map(|e| e.message).unwrap_or_default();
        assert_eq!(
            e("SELECT * FROM t WHERE pk = ?", &[]),
            "Number of parameters in request and statement don't match."
        );
        assert_eq!(
            e("SELEC * FROM t", &[]),
            "Statement wasn't well formed, can't be processed: Unexpected token: SELEC"
        );
        assert_eq!(
            e("SELECT * FROM", &[]),
            "Statement wasn't well formed, can't be processed: Unexpected end of statement"
        );
    }

    #[test]
    fn fuzz_never_panics() {
        use rand::Rng;
        let alphabet = [
            "SELECT", " * ", "FROM", " t ", "WHERE", " a ", "=", "'x'", "1", "?", "{", "}", "[", "]", "<<", ">>", ",",
            ":", "(", ")", "AND", "IS", "MISSING", "\"q\"", "'", "-", ".",
        ];
        let mut rng = rand::rng();
        for _ in 0..20_000 {
            let n = rng.random_range(0..12);
            let s: String = (0..n).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect::<Vec<_>>().join(" ");
            let _ = parse(&s, &[AttrValue::N(Number::zero())]);
        }
        let deep = format!("SELECT * FROM t WHERE {}a = 1{}", "(".repeat(3000), ")".repeat(3000));
        assert!(parse(&deep, &[]).is_err());
        let deep = format!("INSERT INTO t VALUE {}", "[".repeat(3000));
        assert!(parse(&deep, &[]).is_err());
    }
}
