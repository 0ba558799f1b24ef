//! Java regular expressions as `String.replaceAll`, `matches` and `split` use them.

use regex::Regex;

use crate::error::VtlError;

/// Compiled patterns are bounded so a template cannot ask for an enormous automaton.
const MAX_REGEX_SIZE: usize = 1 << 20;

fn compile(pattern: &str) -> Result<Regex, VtlError> {
    regex::RegexBuilder::new(pattern)
        .size_limit(MAX_REGEX_SIZE)
        .build()
        .map_err(|e| VtlError::new(format!("java.util.regex.PatternSyntaxException: {e}")))
}

/// Java's `replaceAll`/`replaceFirst`: `$n` and `${name}` refer to groups, `\x` is a literal x.
/// Java reads the replacement only when there is a match, so a bad one fails only then.
pub fn replace(s: &str, pattern: &str, replacement: &str, all: bool) -> Result<String, VtlError> {
    let re = compile(pattern)?;
    if !re.is_match(s) {
        return Ok(s.to_string());
    }
    let replacement = rust_replacement(replacement, re.captures_len() - 1)?;
    Ok(if all { re.replace_all(s, replacement.as_str()) } else { re.replacen(s, 1, replacement.as_str()) }.into_owned())
}

/// Translates Java's replacement syntax for a pattern with `groups` groups: after `$` the first
/// digit is a group number, and further digits join it while the number stays a valid group.
fn rust_replacement(java: &str, groups: usize) -> Result<String, VtlError> {
    let mut out = String::with_capacity(java.len());
    let mut chars = java.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(next) => out.push(next),
                None => {
                    return Err(VtlError::new(
                        "java.lang.IllegalArgumentException: character to be escaped is missing",
                    ));
                }
            },
            '$' if chars.peek() == Some(&'{') => {
                out.push_str("${");
                chars.next();
                for c in chars.by_ref() {
                    out.push(c);
                    if c == '}' {
                        break;
                    }
                }
            }
            '$' => {
                let Some(mut group) = chars.peek().and_then(|d| d.to_digit(10)).map(|d| d as usize) else {
                    return Err(VtlError::new("java.lang.IllegalArgumentException: Illegal group reference"));
                };
                chars.next();
                if group > groups {
                    return Err(VtlError::new(format!("java.lang.IndexOutOfBoundsException: No group {group}")));
                }
                while let Some(next) = chars.peek().and_then(|d| d.to_digit(10)).map(|d| group * 10 + d as usize) {
                    if next > groups {
                        break;
                    }
                    group = next;
                    chars.next();
                }
                out.push_str(&format!("${{{group}}}"));
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Java's `matches`: the whole string must match.
pub fn full_match(s: &str, pattern: &str) -> Result<bool, VtlError> {
    Ok(compile(&format!("^(?:{pattern})$"))?.is_match(s))
}

/// Java's `split(regex, limit)`: a zero-width match at the start gives no leading empty
/// string; with limit 0 trailing empty strings are dropped.
pub fn split(s: &str, pattern: &str, limit: i64) -> Result<Vec<String>, VtlError> {
    let re = compile(pattern)?;
    let mut parts = Vec::new();
    let mut index = 0;
    for m in re.find_iter(s) {
        if limit > 0 && parts.len() as i64 == limit - 1 {
            break;
        }
        if m.end() == 0 {
            continue;
        }
        parts.push(s[index..m.start()].to_string());
        index = m.end();
    }
    if parts.is_empty() && index == 0 {
        return Ok(vec![s.to_string()]);
    }
    parts.push(s[index..].to_string());
    if limit == 0 {
        while parts.last().is_some_and(String::is_empty) {
            parts.pop();
        }
    }
    Ok(parts)
}
