//! ImportRestApi and PutRestApi: an API built from, or updated with, an
//! OpenAPI or Swagger document (`openapi`). PutRestApi's `overwrite` mode
//! replaces the resource tree; `merge` (the default) adds to it.

use crate::db::{self, Api, Resource};
use crate::errors::{self, bad_request};
use crate::openapi::{self, Document};
use crate::restapis;
use crate::state::Shared;
use base64::Engine;
use serde_json::Value;
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// The document a call carries in its `body` blob.
fn document(input: &Value) -> Result<Document, AwsError> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(input.str("body").unwrap_or_default())
        .map_err(|_| bad_request("Invalid OpenAPI input."))?;
    openapi::parse(&raw)
}

/// The id of the child of `parent` named `part`, created if needed.
fn child(api: &mut Api, parent: &str, part: &str) -> String {
    let found = api.resources.values().find(|r| r.parent_id.as_deref() == Some(parent) && r.path_part == part);
    if let Some(r) = found {
        return r.id.clone();
    }
    let id = db::new_id();
    let r = Resource {
        id: id.clone(),
        parent_id: Some(parent.to_string()),
        path_part: part.to_string(),
        methods: BTreeMap::new(),
    };
    api.resources.insert(id.clone(), r);
    id
}

/// Adds the document's operations to `api`'s tree (replacing methods of
/// the same path and verb).
fn build(api: &mut Api, doc: Document) {
    let root = api.info.str("rootResourceId").unwrap_or_default().to_string();
    for op in doc.operations {
        let mut at = root.clone();
        for part in op.path.split('/').filter(|p| !p.is_empty()) {
            at = child(api, &at, part);
        }
        let mut method = op.method;
        if let Some(i) = method.get_mut("methodIntegration")
            && i.get("cacheNamespace").is_none()
        {
            i["cacheNamespace"] = at.clone().into();
        }
        if let Some(r) = api.resources.get_mut(&at) {
            r.methods.insert(op.verb.to_string(), method);
        }
    }
}

pub async fn import(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let doc = document(input)?;
    let mut api = restapis::new_api(ctx, &doc.settings)?;
    build(&mut api, doc);
    restapis::store_new(s, ctx, &api).await?;
    Ok(api.info)
}

pub async fn put(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("restApiId")?;
    let doc = document(input)?;
    let overwrite = input.str("mode") == Some("overwrite");
    s.change(ctx, id, errors::no_api(ctx, id), move |api| {
        let doc = doc.clone();
        if overwrite {
            let root = api.info.str("rootResourceId").unwrap_or_default().to_string();
            api.resources.retain(|rid, _| *rid == root);
            if let Some(r) = api.resources.get_mut(&root) {
                r.methods.clear();
            }
            for (k, v) in doc.settings.as_object().into_iter().flatten() {
                api.info[k] = v.clone();
            }
        }
        build(api, doc);
        Ok(api.info.clone())
    })
    .await
}
