//! Route selection of HTTP APIs: the route whose key matches the request's
//! method and path most specifically. Segment by segment a literal beats a
//! variable (`{id}`), which beats a greedy variable (`{proxy+}`); then a
//! route for the method beats `ANY`; `$default` catches what nothing else
//! matches.

use crate::v2::routes::parse_key;
use serde_json::Value;
use std::collections::BTreeMap;
use stratus_core::input::Input;

/// A matched route and its path parameters (decoded).
#[derive(Debug)]
pub struct Selected<'a> {
    pub route: &'a Value,
    pub params: BTreeMap<String, String>,
}

/// How specific a route's match is, comparable: lower is more specific.
type Rank = (Vec<u8>, u8);

/// The rank and parameters of `pattern` matching `segments`, if it does.
fn matches(pattern: &str, segments: &[String]) -> Option<(Vec<u8>, BTreeMap<String, String>)> {
    let parts: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let mut rank = Vec::with_capacity(parts.len());
    let mut params = BTreeMap::new();
    for (i, part) in parts.iter().enumerate() {
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix("+}")) {
            let rest = segments.get(i..).filter(|r| !r.is_empty())?;
            params.insert(name.to_string(), rest.join("/"));
            rank.push(2);
            return Some((rank, params));
        }
        let segment = segments.get(i)?;
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            params.insert(name.to_string(), segment.clone());
            rank.push(1);
        } else if part == segment {
            rank.push(0);
        } else {
            return None;
        }
    }
    (parts.len() == segments.len()).then_some((rank, params))
}

/// The route of `routes` that `method` and `path` (percent-encoded) select.
pub fn select<'a>(routes: &'a BTreeMap<String, Value>, method: &str, path: &str) -> Option<Selected<'a>> {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let mut best: Option<(Rank, Selected<'a>)> = None;
    let mut fallback = None;
    for route in routes.values() {
        match parse_key(route.str("RouteKey").unwrap_or_default()) {
            Ok(None) => fallback = Some(route),
            Ok(Some((m, pattern))) if m == method || m == "ANY" => {
                let Some((rank, params)) = matches(pattern, &segments) else { continue };
                let rank = (rank, u8::from(m == "ANY"));
                if best.as_ref().is_none_or(|(b, _)| rank < *b) {
                    best = Some((rank, Selected { route, params }));
                }
            }
            _ => {}
        }
    }
    best.map(|(_, s)| s).or_else(|| fallback.map(|route| Selected { route, params: BTreeMap::new() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn routes(keys: &[&str]) -> BTreeMap<String, Value> {
        keys.iter().enumerate().map(|(i, k)| (i.to_string(), json!({ "RouteKey": k }))).collect()
    }

    fn key<'a>(s: &'a Option<Selected<'a>>) -> Option<&'a str> {
        s.as_ref().and_then(|s| s.route.str("RouteKey"))
    }

    #[test]
    fn most_specific_wins_and_default_is_last() {
        let r = routes(&["GET /pets/{id}", "GET /pets/dog", "ANY /{proxy+}", "ANY /pets/{id}", "$default"]);
        assert_eq!(key(&select(&r, "GET", "/pets/dog")), Some("GET /pets/dog"));
        let s = select(&r, "GET", "/pets/a%20b");
        assert_eq!(key(&s), Some("GET /pets/{id}"));
        assert_eq!(s.as_ref().map(|s| s.params["id"].as_str()), Some("a b"));
        assert_eq!(key(&select(&r, "POST", "/pets/1")), Some("ANY /pets/{id}"));
        let s = select(&r, "GET", "/a/b/c");
        assert_eq!(s.as_ref().map(|s| s.params["proxy"].as_str()), Some("a/b/c"));
        assert_eq!(key(&select(&r, "GET", "/")), Some("$default"));
        assert!(select(&routes(&["GET /x"]), "GET", "/y").is_none());
    }
}
