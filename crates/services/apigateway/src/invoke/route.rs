//! Which resource of a deployed tree a request path reaches, and the path
//! parameters it binds. At each level a literal path part beats a variable
//! one (`{id}`), which beats a greedy one (`{proxy+}`, taking every
//! remaining segment); a dead end backs off to the next candidate.

use crate::db::{Resource, Tree};
use crate::resources::{is_greedy, is_variable};
use std::collections::BTreeMap;

/// A matched resource and its path parameters (decoded).
#[derive(Debug)]
pub struct Matched<'a> {
    pub resource: &'a Resource,
    pub params: BTreeMap<String, String>,
}

fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// The resource `path` (percent-encoded, from `/`) reaches in `tree`.
pub fn find<'a>(tree: &'a Tree, path: &str) -> Option<Matched<'a>> {
    let root = tree.values().find(|r| r.parent_id.is_none())?;
    let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(decode).collect();
    let mut params = BTreeMap::new();
    let resource = walk(tree, root, &segments, &mut params)?;
    Some(Matched { resource, params })
}

fn walk<'a>(
    tree: &'a Tree,
    at: &'a Resource,
    rest: &[String],
    params: &mut BTreeMap<String, String>,
) -> Option<&'a Resource> {
    let Some((first, tail)) = rest.split_first() else { return Some(at) };
    let children: Vec<&Resource> = tree.values().filter(|r| r.parent_id.as_deref() == Some(at.id.as_str())).collect();
    if let Some(found) = children.iter().find(|c| c.path_part == *first).and_then(|c| walk(tree, c, tail, params)) {
        return Some(found);
    }
    for c in children.iter().filter(|c| is_variable(&c.path_part) && !is_greedy(&c.path_part)) {
        let name = c.path_part.trim_start_matches('{').trim_end_matches('}').to_string();
        params.insert(name.clone(), first.clone());
        if let Some(found) = walk(tree, c, tail, params) {
            return Some(found);
        }
        params.remove(&name);
    }
    let greedy = children.iter().find(|c| is_greedy(&c.path_part))?;
    let name = greedy.path_part.trim_start_matches('{').trim_end_matches("+}").to_string();
    params.insert(name, rest.join("/"));
    Some(greedy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(parts: &[(&str, Option<&str>, &str)]) -> Tree {
        parts
            .iter()
            .map(|(id, parent, part)| {
                let r = Resource {
                    id: id.to_string(),
                    parent_id: parent.map(str::to_string),
                    path_part: part.to_string(),
                    methods: BTreeMap::new(),
                };
                (id.to_string(), r)
            })
            .collect()
    }

    #[test]
    fn literal_then_variable_then_greedy() {
        let t = tree(&[
            ("root", None, ""),
            ("pets", Some("root"), "pets"),
            ("pet", Some("pets"), "{petId}"),
            ("mine", Some("pets"), "mine"),
            ("toys", Some("pet"), "toys"),
            ("proxy", Some("root"), "{proxy+}"),
        ]);
        assert_eq!(find(&t, "/").map(|m| m.resource.id.clone()), Some("root".into()));
        assert_eq!(find(&t, "/pets/mine").map(|m| m.resource.id.clone()), Some("mine".into()));
        let m = find(&t, "/pets/a%20b/toys").expect("match");
        assert_eq!((m.resource.id.as_str(), m.params["petId"].as_str()), ("toys", "a b"));
        let m = find(&t, "/pets/1/other/x").expect("match");
        assert_eq!((m.resource.id.as_str(), m.params["proxy"].as_str()), ("proxy", "pets/1/other/x"));
        let m = find(&t, "/anything").expect("match");
        assert_eq!(m.params["proxy"], "anything");
    }

    #[test]
    fn no_match_without_a_resource() {
        let t = tree(&[("root", None, ""), ("pets", Some("root"), "pets")]);
        assert!(find(&t, "/dogs").is_none());
        assert!(find(&t, "/pets/1").is_none());
    }
}
