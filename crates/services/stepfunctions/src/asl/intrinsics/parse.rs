//! The grammar of intrinsic function calls: `States.Name(arg, ...)` where
//! an argument is a quoted string (`\'`, `\{`, `\}`, `\\` escapes), a
//! number, `true`/`false`/`null`, a path (`$.x`, `$$.x`, `$var`), or a
//! nested call.

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A string literal: its value, and its text with escapes kept (States.Format
    /// needs to tell `\{` from `{`).
    Str {
        value: String,
        raw: String,
    },
    Num(serde_json::Number),
    Bool(bool),
    Null,
    Path(String),
    Call(Call),
}

/// A function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub name: String,
    pub args: Vec<Arg>,
}

/// Parses a whole `States.…(…)` expression.
pub fn parse(text: &str) -> Result<Call, String> {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut p = Parser { chars, pos: 0 };
    let call = p.call()?;
    p.skip_ws();
    if p.pos != p.chars.len() {
        return Err(format!("Unexpected text after the function call: {text}"));
    }
    Ok(call)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn call(&mut self) -> Result<Call, String> {
        self.skip_ws();
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '.') {
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        if !name.starts_with("States.") {
            return Err(format!("Unknown intrinsic function: {name}"));
        }
        if self.peek() != Some('(') {
            return Err(format!("Expected '(' after {name}"));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(')') {
            self.pos += 1;
            return Ok(Call { name, args });
        }
        loop {
            args.push(self.arg()?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(Call { name, args });
                }
                _ => return Err(format!("Expected ',' or ')' in the arguments of {name}")),
            }
        }
    }

    fn arg(&mut self) -> Result<Arg, String> {
        self.skip_ws();
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => Ok(Arg::Path(self.path())),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some('S') => Ok(Arg::Call(self.call()?)),
            _ => {
                let word = self.word();
                match word.as_str() {
                    "true" => Ok(Arg::Bool(true)),
                    "false" => Ok(Arg::Bool(false)),
                    "null" => Ok(Arg::Null),
                    _ => Err(format!("Unexpected argument: {word}")),
                }
            }
        }
    }

    fn word(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn string(&mut self) -> Result<Arg, String> {
        self.pos += 1;
        let (mut value, mut raw) = (String::new(), String::new());
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '\\' => {
                    let next = self.peek().ok_or("Unterminated escape in a string literal")?;
                    self.pos += 1;
                    raw.push('\\');
                    raw.push(next);
                    value.push(next);
                }
                '\'' => return Ok(Arg::Str { value, raw }),
                _ => {
                    raw.push(c);
                    value.push(c);
                }
            }
        }
        Err("Unterminated string literal".to_string())
    }

    /// A path runs to the next top-level `,` or `)`.
    fn path(&mut self) -> String {
        let start = self.pos;
        let (mut depth, mut quoted) = (0i32, false);
        while let Some(c) = self.peek() {
            match c {
                '\'' => quoted = !quoted,
                _ if quoted => {}
                '[' | '(' => depth += 1,
                ']' => depth -= 1,
                ')' if depth == 0 => break,
                ')' => depth -= 1,
                ',' if depth == 0 => break,
                _ => {}
            }
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect::<String>().trim().to_string()
    }

    fn number(&mut self) -> Result<Arg, String> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E' | '+')) {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Number(n)) => Ok(Arg::Num(n)),
            _ => Err(format!("Invalid number: {text}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_calls_and_literals() {
        let c = parse("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)").ok();
        let inner = Call {
            name: "States.StringSplit".into(),
            args: vec![Arg::Path("$$.StateMachine.Name".into()), Arg::Str { value: "-".into(), raw: "-".into() }],
        };
        assert_eq!(
            c,
            Some(Call { name: "States.ArrayGetItem".into(), args: vec![Arg::Call(inner), Arg::Num(0.into())] })
        );
    }

    #[test]
    fn keeps_escapes_raw() {
        let c = parse(r"States.Format('a \{x\} \'q\'', $.v)").ok();
        let first = c.and_then(|c| c.args.into_iter().next());
        assert_eq!(first, Some(Arg::Str { value: "a {x} 'q'".into(), raw: r"a \{x\} \'q\'".into() }));
    }
}
