//! The template text as characters, with a read position and line/column lookup.

use crate::ast::Pos;
use crate::error::VtlError;

pub struct Source {
    chars: Vec<char>,
    line_starts: Vec<usize>,
    /// Where this text sits in the template (a double-quoted string is parsed on its own).
    base: Pos,
    pub i: usize,
}

impl Source {
    pub fn new(text: &str, base: Pos) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let mut line_starts = vec![0];
        line_starts.extend(chars.iter().enumerate().filter(|(_, c)| **c == '\n').map(|(i, _)| i + 1));
        Source { chars, line_starts, base, i: 0 }
    }

    pub fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    pub fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.i + offset).copied()
    }

    pub fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    /// True (and consumed) when the text at the position is `s`.
    pub fn eat(&mut self, s: &str) -> bool {
        if self.looking_at(s) {
            self.i += s.chars().count();
            true
        } else {
            false
        }
    }

    pub fn looking_at(&self, s: &str) -> bool {
        (self.i..).zip(s.chars()).all(|(j, c)| self.chars.get(j) == Some(&c))
    }

    /// True when `word` is at the position and is not followed by an identifier character.
    pub fn looking_at_word(&self, word: &str) -> bool {
        self.looking_at(word) && !self.chars.get(self.i + word.chars().count()).is_some_and(|c| is_ident_char(*c))
    }

    pub fn slice(&self, from: usize, to: usize) -> String {
        self.chars[from.min(self.chars.len())..to.min(self.chars.len())].iter().collect()
    }

    pub fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    /// Velocity's gobbling after a directive: spaces or tabs then a line end are consumed.
    pub fn gobble_line_end(&mut self) {
        let mut j = self.i;
        while matches!(self.chars.get(j), Some(' ' | '\t')) {
            j += 1;
        }
        match self.chars.get(j) {
            Some('\n') => self.i = j + 1,
            Some('\r') => self.i = if self.chars.get(j + 1) == Some(&'\n') { j + 2 } else { j + 1 },
            _ => {}
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_-]*`, Velocity 1.7's identifier.
    pub fn identifier(&mut self) -> Option<String> {
        if !self.peek().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
            return None;
        }
        let start = self.i;
        while self.peek().is_some_and(|c| is_ident_char(c) || c == '-') {
            self.i += 1;
        }
        Some(self.slice(start, self.i))
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`, a directive or macro name.
    pub fn word(&mut self) -> Option<String> {
        if !self.peek().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
            return None;
        }
        let start = self.i;
        while self.peek().is_some_and(is_ident_char) {
            self.i += 1;
        }
        Some(self.slice(start, self.i))
    }

    pub fn pos_of(&self, index: usize) -> Pos {
        let line = self.line_starts.partition_point(|start| *start <= index).max(1);
        let column = index - self.line_starts[line - 1] + 1;
        if line == 1 {
            Pos { line: self.base.line, column: self.base.column + column - 1 }
        } else {
            Pos { line: self.base.line + line - 1, column }
        }
    }

    pub fn pos(&self) -> Pos {
        self.pos_of(self.i)
    }

    pub fn error(&self, message: impl Into<String>) -> VtlError {
        VtlError::at(message, self.pos())
    }

    pub fn error_at(&self, message: impl Into<String>, index: usize) -> VtlError {
        VtlError::at(message, self.pos_of(index))
    }
}

pub fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}
