//! The JSONPath API Gateway's `$input.json`/`$input.path` accept: `$`, `.name`, `['name']`,
//! `[0]`, `[-1]`, `[*]`, `.*`, `[0,2]`, `[1:3]`, `..name`, `[?(filter)]`. A definite path (no
//! wildcard, union, slice, filter or descent) selects one value; other paths select a list.

mod filter;

use serde_json::Value as Json;

use crate::error::VtlError;
use filter::Filter;

enum Selector {
    Name(String),
    Index(i64),
    Wildcard,
    Slice(Option<i64>, Option<i64>),
    Filter(Filter),
}

struct Segment {
    descendant: bool,
    selectors: Vec<Selector>,
}

pub struct Path {
    segments: Vec<Segment>,
}

pub enum Selection<'a> {
    /// A definite path: the value, or None when it is absent.
    One(Option<&'a Json>),
    Many(Vec<&'a Json>),
}

fn invalid(path: &str, why: &str) -> VtlError {
    VtlError::new(format!("Invalid JSONPath '{path}': {why}"))
}

/// How deep filters may nest inside filters (`[?(@.a[?(@.b)])]`).
const MAX_FILTER_DEPTH: usize = 8;

impl Path {
    pub fn parse(text: &str) -> Result<Path, VtlError> {
        Path::parse_at(text, 0)
    }

    fn parse_at(text: &str, depth: usize) -> Result<Path, VtlError> {
        if depth > MAX_FILTER_DEPTH {
            return Err(invalid(text, "filters nest too deeply"));
        }
        let chars: Vec<char> = text.trim().chars().collect();
        if chars.first() != Some(&'$') {
            return Err(invalid(text, "a path starts with '$'"));
        }
        let mut i = 1;
        let mut segments = Vec::new();
        while i < chars.len() {
            let descendant = chars[i] == '.' && chars.get(i + 1) == Some(&'.');
            match chars[i] {
                '.' => {
                    i += if descendant { 2 } else { 1 };
                    if chars.get(i) == Some(&'[') {
                        let (selectors, next) = bracket(&chars, i, text, depth)?;
                        segments.push(Segment { descendant, selectors });
                        i = next;
                        continue;
                    }
                    let start = i;
                    while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                        i += 1;
                    }
                    let name: String = chars[start..i].iter().collect();
                    let selector = match name.as_str() {
                        "" => return Err(invalid(text, "empty name after '.'")),
                        "*" => Selector::Wildcard,
                        _ => Selector::Name(name),
                    };
                    segments.push(Segment { descendant, selectors: vec![selector] });
                }
                '[' => {
                    let (selectors, next) = bracket(&chars, i, text, depth)?;
                    segments.push(Segment { descendant: false, selectors });
                    i = next;
                }
                c => return Err(invalid(text, &format!("unexpected '{c}'"))),
            }
        }
        Ok(Path { segments })
    }

    fn is_definite(&self) -> bool {
        self.segments.iter().all(|s| {
            !s.descendant && s.selectors.len() == 1 && matches!(s.selectors[0], Selector::Name(_) | Selector::Index(_))
        })
    }

    pub fn select<'a>(&self, root: &'a Json) -> Selection<'a> {
        let mut nodes = vec![root];
        for segment in &self.segments {
            let mut next = Vec::new();
            for node in nodes {
                if segment.descendant {
                    descend(node, &mut |n| apply(&segment.selectors, n, root, &mut next));
                } else {
                    apply(&segment.selectors, node, root, &mut next);
                }
            }
            nodes = next;
        }
        if self.is_definite() { Selection::One(nodes.first().copied()) } else { Selection::Many(nodes) }
    }
}

/// Parses `[...]` starting at `i`; returns the selectors and the index after `]`.
fn bracket(chars: &[char], mut i: usize, text: &str, depth: usize) -> Result<(Vec<Selector>, usize), VtlError> {
    i += 1;
    let mut selectors = Vec::new();
    loop {
        while chars.get(i) == Some(&' ') {
            i += 1;
        }
        match chars.get(i) {
            Some('\'' | '"') => {
                let quote = chars[i];
                let start = i + 1;
                i = start;
                while i < chars.len() && chars[i] != quote {
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(invalid(text, "unterminated quoted name"));
                }
                selectors.push(Selector::Name(chars[start..i].iter().collect()));
                i += 1;
            }
            Some('*') => {
                selectors.push(Selector::Wildcard);
                i += 1;
            }
            Some('?') => {
                let (filter, next) = filter_selector(chars, i + 1, text, depth)?;
                selectors.push(Selector::Filter(filter));
                i = next;
            }
            Some(_) => {
                let start = i;
                while i < chars.len() && !matches!(chars[i], ',' | ']') {
                    i += 1;
                }
                let item: String = chars[start..i].iter().collect();
                selectors.push(number_selector(item.trim()).ok_or_else(|| invalid(text, "bad index"))?);
            }
            None => return Err(invalid(text, "unterminated '['")),
        }
        while chars.get(i) == Some(&' ') {
            i += 1;
        }
        match chars.get(i) {
            Some(',') => i += 1,
            Some(']') => return Ok((selectors, i + 1)),
            _ => return Err(invalid(text, "expected ',' or ']'")),
        }
    }
}

/// `(expression)` starting at `i`; returns the filter and the index after `)`.
fn filter_selector(chars: &[char], i: usize, text: &str, depth: usize) -> Result<(Filter, usize), VtlError> {
    if chars.get(i) != Some(&'(') {
        return Err(invalid(text, "expected '(' after '?'"));
    }
    let mut parens = 0;
    let mut quote = None;
    for (k, &c) in chars.iter().enumerate().skip(i) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => parens += 1,
            (None, ')') => {
                parens -= 1;
                if parens == 0 {
                    let inner: String = chars[i + 1..k].iter().collect();
                    let filter = filter::parse(&inner, depth + 1)
                        .ok_or_else(|| invalid(text, "unsupported filter expression"))?;
                    return Ok((filter, k + 1));
                }
            }
            _ => {}
        }
    }
    Err(invalid(text, "unterminated filter expression"))
}

fn number_selector(item: &str) -> Option<Selector> {
    let bound = |s: &str| if s.trim().is_empty() { Some(None) } else { s.trim().parse().ok().map(Some) };
    match item.split_once(':') {
        Some((from, to)) => Some(Selector::Slice(bound(from)?, bound(to)?)),
        None => item.parse().ok().map(Selector::Index),
    }
}

fn apply<'a>(selectors: &[Selector], node: &'a Json, root: &Json, out: &mut Vec<&'a Json>) {
    for selector in selectors {
        match (selector, node) {
            (Selector::Filter(filter), Json::Array(items)) => {
                out.extend(items.iter().filter(|item| filter.accepts(item, root)));
            }
            (Selector::Filter(filter), Json::Object(map)) => {
                out.extend(map.values().filter(|item| filter.accepts(item, root)));
            }
            (Selector::Name(name), Json::Object(map)) => out.extend(map.get(name)),
            (Selector::Index(i), Json::Array(items)) => out.extend(resolve(*i, items.len()).and_then(|i| items.get(i))),
            (Selector::Wildcard, Json::Array(items)) => out.extend(items.iter()),
            (Selector::Wildcard, Json::Object(map)) => out.extend(map.values()),
            (Selector::Slice(from, to), Json::Array(items)) => {
                let len = items.len();
                let clamp = |b: Option<i64>, default: usize| {
                    b.map_or(default, |b| {
                        if b < 0 { len.saturating_sub(b.unsigned_abs() as usize) } else { (b as usize).min(len) }
                    })
                };
                let (from, to) = (clamp(*from, 0), clamp(*to, len));
                if from < to {
                    out.extend(&items[from..to]);
                }
            }
            _ => {}
        }
    }
}

fn resolve(index: i64, len: usize) -> Option<usize> {
    if index < 0 { len.checked_sub(index.unsigned_abs() as usize) } else { Some(index as usize) }
}

/// Visits `node` and every value below it, parents first.
fn descend<'a>(node: &'a Json, visit: &mut dyn FnMut(&'a Json)) {
    visit(node);
    match node {
        Json::Array(items) => items.iter().for_each(|n| descend(n, visit)),
        Json::Object(map) => map.values().for_each(|n| descend(n, visit)),
        _ => {}
    }
}
