//! Where AWS's policy parser (Jackson) stood when it rejected a policy:
//! every value's position by path, so an error can end with AWS's
//! `at [Source: (String)"..."; line: L, column: C]`. A string counts as
//! fetched just after its opening quote and as read after its closing one;
//! numbers, literals and brackets once consumed.

use std::collections::HashMap;

/// One step into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Idx(usize),
}

/// Which position of a value an error reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// Just after the value's first token was fetched.
    Fetched,
    /// After the whole scalar was read (strings: past the closing quote).
    Read,
    /// After an array's or object's closing bracket.
    End,
}

#[derive(Debug, Clone, Copy, Default)]
struct Pos {
    fetched: (usize, usize),
    read: (usize, usize),
    end: (usize, usize),
}

/// The positions of every value of a JSON text, by path.
pub struct Index {
    positions: HashMap<Vec<Seg>, Pos>,
}

struct Scanner<'a> {
    chars: &'a [char],
    i: usize,
    line: usize,
    line_start: usize,
}

impl Scanner<'_> {
    /// (line, column) after the characters consumed so far.
    fn here(&self) -> (usize, usize) {
        (self.line, self.i - self.line_start + 1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = *self.chars.get(self.i)?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.line_start = self.i;
        }
        Some(c)
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.bump();
        }
    }

    fn string(&mut self) -> Option<String> {
        let mut out = String::new();
        loop {
            match self.bump()? {
                '"' => return Some(out),
                '\\' => {
                    let e = self.bump()?;
                    out.push(e);
                }
                c => out.push(c),
            }
        }
    }

    fn value(&mut self, path: &mut Vec<Seg>, out: &mut HashMap<Vec<Seg>, Pos>) -> Option<()> {
        self.skip_ws();
        let first = self.bump()?;
        let fetched = self.here();
        let mut pos = Pos { fetched, read: fetched, end: fetched };
        match first {
            '"' => {
                self.string()?;
                pos.read = self.here();
            }
            '[' => {
                let mut idx = 0;
                loop {
                    self.skip_ws();
                    if self.chars.get(self.i) == Some(&']') {
                        self.bump();
                        break;
                    }
                    path.push(Seg::Idx(idx));
                    self.value(path, out)?;
                    path.pop();
                    idx += 1;
                    self.skip_ws();
                    match self.bump()? {
                        ',' => continue,
                        ']' => break,
                        _ => return None,
                    }
                }
                pos.end = self.here();
            }
            '{' => {
                loop {
                    self.skip_ws();
                    match self.bump()? {
                        '}' => break,
                        '"' => {}
                        _ => return None,
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.bump()? != ':' {
                        return None;
                    }
                    path.push(Seg::Key(key));
                    self.value(path, out)?;
                    path.pop();
                    self.skip_ws();
                    match self.bump()? {
                        ',' => continue,
                        '}' => break,
                        _ => return None,
                    }
                }
                pos.end = self.here();
            }
            _ => {
                while self.chars.get(self.i).is_some_and(|c| !matches!(c, ',' | ']' | '}') && !c.is_whitespace()) {
                    self.bump();
                }
                pos.fetched = self.here();
                pos.read = pos.fetched;
                pos.end = pos.fetched;
            }
        }
        out.insert(path.clone(), pos);
        Some(())
    }
}

impl Index {
    /// Indexes `text`; None when it is not JSON this scanner follows.
    pub fn new(text: &str) -> Option<Index> {
        let chars: Vec<char> = text.chars().collect();
        let mut scanner = Scanner { chars: &chars, i: 0, line: 1, line_start: 0 };
        let mut positions = HashMap::new();
        scanner.value(&mut Vec::new(), &mut positions)?;
        Some(Index { positions })
    }

    /// `(line, column)` of the value at `path`.
    pub fn at(&self, path: &[Seg], which: At) -> Option<(usize, usize)> {
        let p = self.positions.get(path)?;
        Some(match which {
            At::Fetched => p.fetched,
            At::Read => p.read,
            At::End => p.end,
        })
    }
}

/// Jackson's location suffix for an error in `text` at `(line, column)`.
pub fn suffix(text: &str, (line, column): (usize, usize)) -> String {
    const MAX: usize = 500;
    let count = text.chars().count();
    let source = if count > MAX {
        let head: String = text.chars().take(MAX).collect();
        format!("\"{head}\"[truncated {} chars]", count - MAX)
    } else {
        format!("\"{text}\"")
    };
    format!("\n at [Source: (String){source}; line: {line}, column: {column}]")
}
