//! IAM's `Marker`/`MaxItems` pagination over an ordered list. A marker is
//! the opaque (base64) sort key of the first item of the next page, so
//! paging stays correct when items are added or removed between calls.

use crate::errors;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

/// IAM's default page size.
const DEFAULT_MAX_ITEMS: usize = 100;

/// One page of results and the marker of the next, if there is one.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub marker: Option<String>,
}

/// Cuts the page that `input`'s `Marker` and `MaxItems` ask for out of
/// `items`, which must be ordered by `sort_key`.
pub fn page<T>(items: Vec<T>, sort_key: impl Fn(&T) -> String, input: &Value) -> Result<Page<T>, AwsError> {
    let max = input.i64("MaxItems").map_or(DEFAULT_MAX_ITEMS, |n| n.max(1) as usize);
    let start = match input.str("Marker") {
        Some(marker) => {
            let key = STANDARD
                .decode(marker)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| errors::validation("Invalid Marker."))?;
            items.iter().position(|it| sort_key(it) >= key).unwrap_or(items.len())
        }
        None => 0,
    };
    let mut rest: Vec<T> = items.into_iter().skip(start).collect();
    let marker = if rest.len() > max { Some(STANDARD.encode(sort_key(&rest[max]))) } else { None };
    rest.truncate(max);
    Ok(Page { items: rest, marker })
}

impl<T> Page<T> {
    /// Writes the page as `{list_member: [...], IsTruncated, Marker}`.
    pub fn write(self, out: &mut Map<String, Value>, list_member: &str, render: impl Fn(T) -> Value) {
        out.insert(list_member.to_string(), Value::Array(self.items.into_iter().map(render).collect()));
        out.insert("IsTruncated".into(), json!(self.marker.is_some()));
        if let Some(m) = self.marker {
            out.insert("Marker".into(), json!(m));
        }
    }

    /// The page as a whole output object.
    pub fn output(self, list_member: &str, render: impl Fn(T) -> Value) -> Value {
        let mut out = Map::new();
        self.write(&mut out, list_member, render);
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_through_with_markers() {
        let items: Vec<String> = (0..5).map(|i| format!("k{i}")).collect();
        let p = page(items.clone(), |s| s.clone(), &json!({"MaxItems": 2})).expect("page");
        assert_eq!(p.items, vec!["k0", "k1"]);
        let marker = p.marker.expect("marker");
        let p2 = page(items.clone(), |s| s.clone(), &json!({"MaxItems": 2, "Marker": marker})).expect("page");
        assert_eq!(p2.items, vec!["k2", "k3"]);
        let p3 = page(items, |s| s.clone(), &json!({"MaxItems": 2, "Marker": p2.marker.expect("m")})).expect("page");
        assert_eq!(p3.items, vec!["k4"]);
        assert!(p3.marker.is_none());
    }

    #[test]
    fn bad_marker_is_a_validation_error() {
        let err = page(vec![1], |i| i.to_string(), &json!({"Marker": "%%%"})).expect_err("error");
        assert_eq!(err.code, "ValidationError");
    }
}
