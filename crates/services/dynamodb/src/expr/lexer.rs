//! Tokenizer for DynamoDB expressions (condition, filter, key condition,
//! update, projection). Tokens keep their byte span so syntax errors can
//! quote the text near them as AWS does.

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A bare name or keyword (`a`, `SET`, `attribute_exists`).
    Ident(String),
    /// `#name`
    NameRef(String),
    /// `:value`
    ValueRef(String),
    /// A run of digits (list indexes).
    Int(String),
    /// Punctuation or comparator: `= <> < <= > >= ( ) , . [ ] + -`.
    Sym(&'static str),
    /// A character no token starts with.
    Bad(char),
    Eof,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token as AWS quotes it in syntax errors.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        match self.tok {
            Tok::Eof => "<EOF>",
            _ => src.get(self.start..self.end).unwrap_or(""),
        }
    }
}

fn ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits `src` into tokens, ending with `Eof`. Never fails: unknown
/// characters become `Bad` tokens for the parser to report.
pub fn tokenize(src: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut i = 0;
    let end_of = |i: usize| chars.get(i).map(|(p, _)| *p).unwrap_or(src.len());
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok;
        if c == '#' || c == ':' {
            let mut j = i + 1;
            while j < chars.len() && ident_char(chars[j].1) {
                j += 1;
            }
            if j == i + 1 {
                tok = Tok::Bad(c);
                i += 1;
            } else {
                let name = src[start..end_of(j)].to_string();
                tok = if c == '#' { Tok::NameRef(name) } else { Tok::ValueRef(name) };
                i = j;
            }
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && chars[j].1.is_ascii_digit() {
                j += 1;
            }
            if j < chars.len() && ident_char(chars[j].1) {
                while j < chars.len() && ident_char(chars[j].1) {
                    j += 1;
                }
                tok = Tok::Ident(src[start..end_of(j)].to_string());
            } else {
                tok = Tok::Int(src[start..end_of(j)].to_string());
            }
            i = j;
        } else if ident_char(c) {
            let mut j = i;
            while j < chars.len() && ident_char(chars[j].1) {
                j += 1;
            }
            tok = Tok::Ident(src[start..end_of(j)].to_string());
            i = j;
        } else {
            let next = chars.get(i + 1).map(|x| x.1);
            let (sym, len): (Option<&'static str>, usize) = match (c, next) {
                ('<', Some('>')) => (Some("<>"), 2),
                ('<', Some('=')) => (Some("<="), 2),
                ('>', Some('=')) => (Some(">="), 2),
                ('<', _) => (Some("<"), 1),
                ('>', _) => (Some(">"), 1),
                ('=', _) => (Some("="), 1),
                ('(', _) => (Some("("), 1),
                (')', _) => (Some(")"), 1),
                (',', _) => (Some(","), 1),
                ('.', _) => (Some("."), 1),
                ('[', _) => (Some("["), 1),
                (']', _) => (Some("]"), 1),
                ('+', _) => (Some("+"), 1),
                ('-', _) => (Some("-"), 1),
                _ => (None, 1),
            };
            tok = match sym {
                Some(s) => Tok::Sym(s),
                None => Tok::Bad(c),
            };
            i += len;
        }
        out.push(Token { tok, start, end: end_of(i) });
    }
    out.push(Token { tok: Tok::Eof, start: src.len(), end: src.len() });
    out
}
