//! Parsing a filter pattern: picks the grammar from the first character
//! (`{` JSON, `[` space-delimited, otherwise unstructured terms) and parses
//! unstructured terms itself.
//!
//! Unstructured terms: words and `"quoted phrases"` must all appear; a
//! `-term` must not; `%regex%` matches a regular expression; a `?term` starts
//! a new alternative, so `?A ?B` is "A or B" and `?"A" "B" ?"C" "D"` is
//! "(A and B) or (C and D)" (the form the AWS CDK renders term groups in).

use super::ast::{Pattern, Term, TermMatch};
use super::cursor::Cursor;
use super::text::compile_regex;
use super::{MAX_REGEXES, PatternError, parse_delimited, parse_json};

pub fn parse(pattern: &str) -> Result<Pattern, PatternError> {
    let trimmed = pattern.trim();
    let mut regexes = 0;
    let parsed = match trimmed.chars().next() {
        None => return Ok(Pattern::MatchAll),
        Some('{') => Pattern::Json(parse_json::parse(trimmed, &mut regexes)?),
        Some('[') => Pattern::Delimited(parse_delimited::parse(trimmed, &mut regexes)?),
        Some(_) => terms(trimmed, &mut regexes)?,
    };
    if regexes > MAX_REGEXES {
        return Err(PatternError::new("too many regular expressions in the pattern"));
    }
    Ok(parsed)
}

/// Characters that cannot appear in an unquoted word.
const WORD_FORBIDDEN: [char; 8] = ['"', '%', '{', '}', '[', ']', '(', ')'];

fn terms(pattern: &str, regexes: &mut usize) -> Result<Pattern, PatternError> {
    let mut cur = Cursor::new(pattern);
    let mut groups: Vec<Vec<Term>> = Vec::new();
    loop {
        cur.skip_ws();
        if cur.at_end() {
            break;
        }
        let optional = cur.eat("?");
        let negated = cur.eat("-");
        let matcher = match cur.peek() {
            Some('"') => TermMatch::Text(cur.quoted()?),
            Some('%') => {
                *regexes += 1;
                TermMatch::Regex(compile_regex(&cur.regex_body()?)?)
            }
            _ => {
                let word = cur.bareword(&[]);
                if word.is_empty() {
                    return Err(PatternError::new("a term operator must be followed by a term"));
                }
                if word.contains(WORD_FORBIDDEN) {
                    return Err(PatternError::new(format!("term '{word}' must be enclosed in double quotes")));
                }
                TermMatch::Text(word)
            }
        };
        if cur.peek().is_some_and(|c| !c.is_whitespace()) {
            return Err(PatternError::new("terms must be separated by spaces"));
        }
        let term = Term { negated, matcher };
        match groups.last_mut() {
            Some(group) if !optional => group.push(term),
            _ => groups.push(vec![term]),
        }
    }
    Ok(match groups.is_empty() {
        true => Pattern::MatchAll,
        false => Pattern::Terms(groups),
    })
}
