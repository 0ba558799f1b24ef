//! Text matching used by filter patterns: `*` wildcards (globs), the
//! restricted regular expressions CloudWatch Logs accepts between `%`
//! signs, and the number syntax of pattern values.

use regex::{Regex, RegexBuilder};

use super::PatternError;

/// A string with `*` wildcards (any run of characters); no other specials.
#[derive(Debug, Clone)]
pub struct Glob {
    text: String,
    parts: Vec<String>,
}

impl Glob {
    pub fn new(text: &str) -> Glob {
        Glob { text: text.to_string(), parts: text.split('*').map(str::to_string).collect() }
    }

    /// True when the glob is only wildcards (`*`), so any value matches.
    pub fn is_any(&self) -> bool {
        !self.text.is_empty() && self.parts.iter().all(String::is_empty)
    }

    /// Whole-string match.
    pub fn matches(&self, s: &str) -> bool {
        let (first, rest) = match self.parts.split_first() {
            Some(x) => x,
            None => return s.is_empty(),
        };
        let Some(mut remaining) = s.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            return remaining.is_empty();
        };
        for part in middle {
            match remaining.find(part.as_str()) {
                Some(i) => remaining = &remaining[i + part.len()..],
                None => return false,
            }
        }
        remaining.len() >= last.len() && remaining.ends_with(last.as_str())
    }
}

/// Characters CloudWatch Logs allows inside `%...%` besides ASCII letters
/// and digits: the documented symbols and operators (parentheses are not
/// supported), plus space.
const REGEX_EXTRA: &str = "_#=@/;,-:^$?[]{}|\\*+. ";

/// Compiles the body of a `%regex%` literal, enforcing AWS's character rules.
pub fn compile_regex(body: &str) -> Result<Regex, PatternError> {
    if body.is_empty() {
        return Err(PatternError::new("empty regular expression"));
    }
    if let Some(c) = body.chars().find(|c| !(c.is_ascii_alphanumeric() || REGEX_EXTRA.contains(*c))) {
        return Err(PatternError::new(format!("character '{c}' is not supported in a regular expression")));
    }
    RegexBuilder::new(body)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
        .map_err(|e| PatternError::new(format!("invalid regular expression: {e}")))
}

/// A pattern number: optional sign, digits, optional fraction and exponent
/// (`200`, `-1.5`, `1e+3`). Anything else is text.
pub fn parse_number(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    if let Some(e) = exponent
        && !digits(e.strip_prefix(['-', '+']).unwrap_or(e))
    {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(Glob::new("Update*").matches("UpdateTrail"));
        assert!(Glob::new("*Trail").matches("UpdateTrail"));
        assert!(Glob::new("*date*").matches("UpdateTrail"));
        assert!(Glob::new("U*T*l").matches("UpdateTrail"));
        assert!(!Glob::new("U*T*x").matches("UpdateTrail"));
        assert!(Glob::new("abc").matches("abc"));
        assert!(!Glob::new("abc").matches("abcd"));
        assert!(Glob::new("a*a").matches("aa"));
        assert!(!Glob::new("a*a").matches("a"));
        assert!(Glob::new("123.123.*").matches("123.123.1.7"));
        assert!(Glob::new("**").is_any());
        assert!(!Glob::new("").is_any());
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("200"), Some(200.0));
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        assert_eq!(parse_number("1e+3"), Some(1000.0));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1."), None);
        assert_eq!(parse_number("4*"), None);
        assert_eq!(parse_number("1.2.3"), None);
    }

    #[test]
    fn regex_rules() {
        assert!(compile_regex("[Ee]rror|[Ff]ail").is_ok());
        assert!(compile_regex(r"\d{1,3}\.\d{1,3}").is_ok());
        assert!(compile_regex("something!").is_err());
        assert!(compile_regex("(a|b)").is_err());
        assert!(compile_regex("[").is_err());
        assert!(compile_regex("日本").is_err());
    }
}
