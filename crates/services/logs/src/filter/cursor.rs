//! A character cursor over a filter pattern: the shared lexing steps of the
//! three pattern grammars (quoted strings, `%regex%` literals, barewords,
//! operators). Works on `char`s, so no input can split a UTF-8 sequence.

use super::PatternError;
use super::ast::{Literal, Op};
use super::text::{Glob, compile_regex, parse_number};

pub struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    pub fn new(s: &str) -> Cursor {
        Cursor { chars: s.chars().collect(), pos: 0 }
    }

    pub fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    pub fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    pub fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    pub fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Consumes `s` when the input continues with it.
    pub fn eat(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        let matches = s.chars().enumerate().all(|(i, c)| self.peek_at(i) == Some(c));
        if matches {
            self.pos += n;
        }
        matches
    }

    /// Consumes a keyword (case-insensitive) followed by a non-word character.
    pub fn eat_keyword(&mut self, kw: &str) -> bool {
        let n = kw.chars().count();
        let same = kw.chars().enumerate().all(|(i, c)| self.peek_at(i).is_some_and(|p| p.eq_ignore_ascii_case(&c)));
        let boundary = !self.peek_at(n).is_some_and(|c| c.is_alphanumeric() || c == '_');
        if same && boundary {
            self.pos += n;
        }
        same && boundary
    }

    pub fn expect(&mut self, s: &str) -> Result<(), PatternError> {
        self.skip_ws();
        if self.eat(s) { Ok(()) } else { Err(PatternError::new(format!("expected '{s}'"))) }
    }

    /// A `"..."` string (the cursor is on the opening quote); `\"` and `\\`
    /// are escapes.
    pub fn quoted(&mut self) -> Result<String, PatternError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(PatternError::new("unterminated quoted string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some(c @ ('"' | '\\')) => out.push(c),
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                    None => return Err(PatternError::new("unterminated quoted string")),
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// The body of a `%regex%` literal (the cursor is on the opening `%`).
    pub fn regex_body(&mut self) -> Result<String, PatternError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(PatternError::new("unterminated regular expression")),
                Some('%') => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    /// Characters up to whitespace or one of `stops`.
    pub fn bareword(&mut self, stops: &[char]) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c.is_whitespace() || stops.contains(&c) {
                break;
            }
            out.push(c);
            self.pos += 1;
        }
        out
    }

    /// A comparison operator, when one comes next.
    pub fn operator(&mut self) -> Option<Op> {
        self.skip_ws();
        for (text, op) in [("!=", Op::Ne), ("<=", Op::Le), (">=", Op::Ge), ("=", Op::Eq), ("<", Op::Lt), (">", Op::Gt)]
        {
            if self.eat(text) {
                return Some(op);
            }
        }
        None
    }

    /// A value after an operator: `"text"`, `%regex%`, a number, or a bare
    /// word (with `*` wildcards). `stops` end a bare word.
    pub fn literal(&mut self, stops: &[char], regexes: &mut usize) -> Result<Literal, PatternError> {
        self.skip_ws();
        match self.peek() {
            Some('"') => Ok(Literal::Text(Glob::new(&self.quoted()?))),
            Some('%') => {
                let body = self.regex_body()?;
                *regexes += 1;
                Ok(Literal::Regex(compile_regex(&body)?))
            }
            _ => {
                let word = self.bareword(stops);
                if word.is_empty() {
                    return Err(PatternError::new("expected a value"));
                }
                if word.contains(['"', '%', '(', ')', '{', '}', '[', ']']) {
                    return Err(PatternError::new(format!("invalid value '{word}'")));
                }
                Ok(match parse_number(&word) {
                    Some(n) => Literal::Number(n, word),
                    None => Literal::Text(Glob::new(&word)),
                })
            }
        }
    }
}
