//! Resources: the path tree of a REST API (Create, Get, GetAll, Update,
//! Delete), with AWS's rules for variable (`{id}`) and greedy (`{proxy+}`)
//! path parts; and the lookups other modules use on a tree.

use crate::db::{self, Resource, Tree};
use crate::errors::{self, bad_request, conflict};
use crate::patch::{self, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const RULES: Rules = Rules {
    rules: &[
        Rule { path: "/parentId", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/pathPart", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
    ],
    style: Style::Listed,
};

/// The full path of resource `id` (`/` for the root).
pub fn path_of(tree: &Tree, id: &str) -> String {
    let mut parts = Vec::new();
    let mut at = tree.get(id);
    while let Some(r) = at {
        if r.parent_id.is_none() {
            break;
        }
        parts.push(r.path_part.as_str());
        at = r.parent_id.as_deref().and_then(|p| tree.get(p));
    }
    parts.reverse();
    format!("/{}", parts.join("/"))
}

pub fn is_variable(part: &str) -> bool {
    part.starts_with('{') && part.ends_with('}')
}

pub fn is_greedy(part: &str) -> bool {
    part.starts_with('{') && part.ends_with("+}")
}

/// The Resource shape; `embed` includes the methods in full, else each
/// method appears as `{}` in `resourceMethods`.
pub fn shape(tree: &Tree, r: &Resource, embed: bool) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), r.id.clone().into());
    if let Some(p) = &r.parent_id {
        out.insert("parentId".into(), p.clone().into());
        out.insert("pathPart".into(), r.path_part.clone().into());
    }
    out.insert("path".into(), path_of(tree, &r.id).into());
    if !r.methods.is_empty() {
        let methods: Map<String, Value> =
            r.methods.iter().map(|(k, m)| (k.clone(), if embed { m.clone() } else { json!({}) })).collect();
        out.insert("resourceMethods".into(), Value::Object(methods));
    }
    Value::Object(out)
}

fn embeds_methods(input: &Value) -> bool {
    input.str_list("embed").iter().any(|e| e == "methods")
}

/// Checks that `part` may live under `parent` beside its other children.
fn check_placement(tree: &Tree, parent: &Resource, part: &str, own_id: Option<&str>) -> Result<(), AwsError> {
    if is_greedy(&parent.path_part) {
        return Err(bad_request(format!(
            "Cannot create a child of a resource with a greedy path variable: {}",
            parent.path_part
        )));
    }
    let siblings =
        tree.values().filter(|r| r.parent_id.as_deref() == Some(&parent.id) && Some(r.id.as_str()) != own_id);
    for sibling in siblings {
        if sibling.path_part == part {
            return Err(conflict(format!("Another resource with the same parent already has this name: {part}")));
        }
        if is_variable(part) && is_variable(&sibling.path_part) {
            return Err(bad_request(format!(
                "A sibling ({}) of this resource already has a variable path part -- only one is allowed",
                sibling.path_part
            )));
        }
    }
    Ok(())
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, parent_id) = (input.req_str("restApiId")?, input.req_str("parentId")?.to_string());
    let part = input.req_str("pathPart")?.to_string();
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let parent = api.resources.get(&parent_id).ok_or_else(errors::no_resource)?;
        check_placement(&api.resources, parent, &part, None)?;
        let r = Resource {
            id: db::new_id(),
            parent_id: Some(parent_id.clone()),
            path_part: part.clone(),
            methods: BTreeMap::new(),
        };
        let out = shape(&api.resources, &r, false);
        let out = with_path(out, &api.resources, &parent_id, &part);
        api.resources.insert(r.id.clone(), r);
        Ok(out)
    })
    .await
}

/// `out` with the path of a child `part` of `parent` (for a resource not in the tree yet).
fn with_path(mut out: Value, tree: &Tree, parent: &str, part: &str) -> Value {
    let base = path_of(tree, parent);
    out["path"] = format!("{}/{part}", base.trim_end_matches('/')).into();
    out
}

/// Resource `id` of `api_id`, or AWS's not-found error.
pub fn find<'a>(tree: &'a Tree, id: &str) -> Result<&'a Resource, AwsError> {
    tree.get(id).ok_or_else(errors::no_resource)
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?).map_err(|_| errors::no_resource())?;
    let r = find(&api.resources, input.req_str("resourceId")?)?;
    Ok(shape(&api.resources, r, embeds_methods(input)))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    let embed = embeds_methods(input);
    let mut items: Vec<Value> = api.resources.values().map(|r| shape(&api.resources, r, embed)).collect();
    items.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    Ok(crate::paging::page(items, input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, id) = (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string());
    let ops = patch::ops(input);
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let r = find(&api.resources, &id)?;
        let mut view = json!({ "parentId": r.parent_id, "pathPart": r.path_part });
        RULES.apply(&mut view, &ops)?;
        let (new_parent, new_part) =
            (view.str("parentId").map(str::to_string), view.str("pathPart").unwrap_or_default().to_string());
        if r.parent_id.is_none() {
            if ops.iter().any(|o| o.path == "/pathPart") {
                return Err(bad_request("Root resource cannot update its pathPart."));
            }
            return Err(bad_request("Root resource cannot update its parentId."));
        }
        let parent_id = new_parent.ok_or_else(errors::no_resource)?;
        let parent = find(&api.resources, &parent_id)?;
        let mut at = Some(parent);
        while let Some(p) = at {
            if p.id == id {
                return Err(bad_request("Resources cannot be cyclical."));
            }
            at = p.parent_id.as_deref().and_then(|pp| api.resources.get(pp));
        }
        check_placement(&api.resources, parent, &new_part, Some(&id))?;
        let Some(r) = api.resources.get_mut(&id) else { return Err(errors::no_resource()) };
        r.parent_id = Some(parent_id);
        r.path_part = new_part;
        let r = find(&api.resources, &id)?;
        Ok(shape(&api.resources, r, false))
    })
    .await
}

/// The ids of `id` and every resource below it.
fn subtree(tree: &Tree, id: &str) -> Vec<String> {
    let mut out = vec![id.to_string()];
    let mut i = 0;
    while i < out.len() {
        let children = tree.values().filter(|r| r.parent_id.as_deref() == Some(out[i].as_str())).map(|r| r.id.clone());
        let children: Vec<String> = children.collect();
        out.extend(children);
        i += 1;
    }
    out
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, id) = (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string());
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let r = find(&api.resources, &id)?;
        if r.parent_id.is_none() {
            return Err(bad_request("Cannot delete root resource"));
        }
        for gone in subtree(&api.resources, &id) {
            api.resources.remove(&gone);
        }
        Ok(json!({}))
    })
    .await
}
