//! JSONPath as ASL uses it: `Path` fields (a definite path selects one
//! value, an indefinite one a list, as Jayway does), the context object
//! (`$$.…`), variables (`$name.…`), and Reference Paths for `ResultPath`,
//! which may create the objects they write into.

use serde_json::{Map, Value};
use serde_json_path::JsonPath;

/// Why a path could not be applied; `message` is AWS's text.
#[derive(Debug, Clone, PartialEq)]
pub struct PathError {
    pub message: String,
}

fn err(message: String) -> PathError {
    PathError { message }
}

/// Whether `path` names at most one value (no wildcard, slice, filter,
/// union or descent).
pub fn is_definite(path: &str) -> bool {
    let mut in_quote = false;
    let mut in_bracket = false;
    let bytes = path.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' => in_quote = !in_quote,
            _ if in_quote => {}
            b'[' => in_bracket = true,
            b']' => in_bracket = false,
            b'*' | b'?' => return false,
            b':' | b',' if in_bracket => return false,
            b'.' if bytes.get(i + 1) == Some(&b'.') => return false,
            _ => {}
        }
    }
    true
}

/// The bracketed form AWS prints for a simple path: `$.a[0]` → `$['a'][0]`.
pub fn normalized(path: &str) -> String {
    match segments(path) {
        Some(segs) => {
            let mut out = String::from("$");
            for s in segs {
                match s {
                    Segment::Key(k) => out.push_str(&format!("['{k}']")),
                    Segment::Index(i) => out.push_str(&format!("[{i}]")),
                }
            }
            out
        }
        None => path.to_string(),
    }
}

/// Applies `path` (starting with `$`) to `data`.
pub fn select(data: &Value, path: &str) -> Result<Value, PathError> {
    if path == "$" {
        return Ok(data.clone());
    }
    if let Some(segs) = segments(path) {
        return walk(data, &segs)
            .cloned()
            .ok_or_else(|| err(format!("Invalid path '{path}' : No results for path: {}", normalized(path))));
    }
    let parsed = JsonPath::parse(path).map_err(|e| err(format!("Invalid path '{path}' : {e}")))?;
    let nodes = parsed.query(data).all();
    if is_definite(path) {
        nodes
            .first()
            .map(|v| (*v).clone())
            .ok_or_else(|| err(format!("Invalid path '{path}' : No results for path: {}", normalized(path))))
    } else {
        Ok(Value::Array(nodes.into_iter().cloned().collect()))
    }
}

/// Whether `path` selects anything in `data` (Choice's `IsPresent`).
pub fn exists(data: &Value, path: &str) -> bool {
    match select(data, path) {
        Ok(Value::Array(a)) if !is_definite(path) => !a.is_empty(),
        Ok(_) => true,
        Err(_) => false,
    }
}

/// One step of a simple path.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// The steps of a simple path (`$.a.b[0]['c']`), or `None` when the path
/// uses anything else.
fn segments(path: &str) -> Option<Vec<Segment>> {
    let rest = path.strip_prefix('$')?;
    let mut segs = Vec::new();
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && chars[j] != '.' && chars[j] != '[' {
                    j += 1;
                }
                let key: String = chars[start..j].iter().collect();
                if key.is_empty() || key.contains(['*', '?', '(', ')', '@', ' ']) {
                    return None;
                }
                segs.push(Segment::Key(key));
                i = j;
            }
            '[' => {
                let close = chars[i..].iter().position(|&c| c == ']')? + i;
                let inner: String = chars[i + 1..close].iter().collect();
                if let Some(q) = inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
                    if q.contains('\'') {
                        return None;
                    }
                    segs.push(Segment::Key(q.to_string()));
                } else {
                    segs.push(Segment::Index(inner.trim().parse().ok()?));
                }
                i = close + 1;
            }
            _ => return None,
        }
    }
    Some(segs)
}

fn walk<'a>(data: &'a Value, segs: &[Segment]) -> Option<&'a Value> {
    segs.iter().try_fold(data, |v, s| match s {
        Segment::Key(k) => v.as_object()?.get(k),
        Segment::Index(i) => v.as_array()?.get(*i),
    })
}

/// Writes `value` at the Reference Path `path` inside `target` (ResultPath),
/// creating objects on the way; `$` replaces the whole target.
pub fn set(target: Value, path: &str, value: Value) -> Result<Value, PathError> {
    if path == "$" {
        return Ok(value);
    }
    let segs = segments(path).ok_or_else(|| err(format!("Invalid path '{path}'")))?;
    let mut root = target;
    let mut slot = &mut root;
    for (n, seg) in segs.iter().enumerate() {
        let last = n + 1 == segs.len();
        slot = match seg {
            Segment::Key(k) => {
                if !slot.is_object() {
                    if slot.is_null() || n == 0 {
                        *slot = Value::Object(Map::new());
                    } else {
                        return Err(err(format!("Unable to apply ReferencePath {path} to input {slot}")));
                    }
                }
                let obj = slot.as_object_mut().ok_or_else(|| err(format!("Invalid path '{path}'")))?;
                let entry = obj.entry(k.clone()).or_insert(Value::Null);
                if last {
                    *entry = value;
                    return Ok(root);
                }
                entry
            }
            Segment::Index(i) => {
                let arr = slot.as_array_mut().ok_or_else(|| err(format!("Invalid path '{path}'")))?;
                let entry = arr.get_mut(*i).ok_or_else(|| err(format!("Invalid path '{path}'")))?;
                if last {
                    *entry = value;
                    return Ok(root);
                }
                entry
            }
        };
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_definite_and_indefinite_paths() {
        let data = json!({"items": [{"v": 1}, {"v": 2}], "a": {"b": "x"}});
        assert_eq!(select(&data, "$.a.b").ok(), Some(json!("x")));
        assert_eq!(select(&data, "$.items[1].v").ok(), Some(json!(2)));
        assert_eq!(select(&data, "$.items[*].v").ok(), Some(json!([1, 2])));
        assert!(select(&data, "$.items[5]").is_err());
        assert_eq!(
            select(&data, "$.nope").err().map(|e| e.message),
            Some("Invalid path '$.nope' : No results for path: $['nope']".to_string())
        );
    }

    #[test]
    fn sets_reference_paths() {
        let out = set(json!({"a": 1}), "$.b.c", json!(2)).ok();
        assert_eq!(out, Some(json!({"a": 1, "b": {"c": 2}})));
        assert_eq!(set(json!({"a": 1}), "$", json!(3)).ok(), Some(json!(3)));
    }
}
