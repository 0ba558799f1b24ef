//! Models of a REST API (Create, Get, GetAll, Update, Delete), including
//! the `Empty` and `Error` models every API starts with.

use crate::db::Api;
use crate::errors::{self, bad_request, conflict, not_found};
use crate::patch::{self, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::resources;
use crate::state::Shared;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const RULES: Rules = Rules {
    rules: &[
        Rule { path: "/description", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/schema", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
    ],
    style: Style::Listed,
};

fn no_model(name: &str) -> AwsError {
    not_found(format!("Invalid model name specified: {name}"))
}

/// The models a new API has: `Empty` and `Error`.
pub fn defaults() -> BTreeMap<String, Value> {
    let schema = |title: &str, extra: &str| {
        format!(
            "{{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"{title} Schema\",\n  \"type\" : \"object\"{extra}\n}}"
        )
    };
    let model = |name: &str, description: &str, schema: String| {
        json!({ "id": crate::db::new_id(), "name": name, "description": description,
                "schema": schema, "contentType": "application/json" })
    };
    BTreeMap::from([
        ("Empty".to_string(), model("Empty", "This is a default empty schema model", schema("Empty", ""))),
        (
            "Error".to_string(),
            model(
                "Error",
                "This is a default error schema model",
                schema("Error", ",\n  \"properties\" : {\n    \"message\" : { \"type\" : \"string\" }\n  }"),
            ),
        ),
    ])
}

/// Checks a model schema: JSON with at least one property or array items.
fn check_schema(schema: &str, content_type: &str) -> Result<(), AwsError> {
    let empty = || bad_request("Model schema must have at least 1 property or array items defined");
    if !content_type.contains("json") {
        return Err(empty());
    }
    let v: Value = serde_json::from_str(schema).map_err(|_| empty())?;
    match v.as_object() {
        Some(o) if !o.is_empty() => Ok(()),
        _ => Err(empty()),
    }
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api_id = input.req_str("restApiId")?;
    s.api(ctx, api_id)?;
    let name = input.req_str("name")?.to_string();
    if name.is_empty() {
        return Err(bad_request("Model name must be non-empty"));
    }
    let content_type = input.req_str("contentType")?.to_string();
    let schema = input.str("schema").unwrap_or_default().to_string();
    check_schema(&schema, &content_type)?;
    let mut m = json!({ "id": crate::db::new_id(), "name": name, "schema": schema, "contentType": content_type });
    if let Some(d) = input.get("description") {
        m["description"] = d.clone();
    }
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        if api.models.contains_key(&name) {
            return Err(conflict("Model name already exists for this REST API"));
        }
        api.models.insert(name.clone(), m.clone());
        Ok(m.clone())
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    let name = input.req_str("modelName")?;
    api.models.get(name).cloned().ok_or_else(|| no_model(name))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    Ok(crate::paging::page(api.models.values().cloned().collect(), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, name) = (input.req_str("restApiId")?, input.req_str("modelName")?.to_string());
    let ops = patch::ops(input);
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        let m = api.models.get_mut(&name).ok_or_else(|| no_model(&name))?;
        let mut changed = m.clone();
        RULES.apply(&mut changed, &ops)?;
        check_schema(changed.str("schema").unwrap_or_default(), changed.str("contentType").unwrap_or_default())?;
        *m = changed;
        Ok(m.clone())
    })
    .await
}

/// The first method whose request uses model `name`, as `{path}/{VERB}`.
fn user_of(api: &Api, name: &str) -> Option<String> {
    let mut users: Vec<String> = api
        .resources
        .values()
        .flat_map(|r| r.methods.iter().map(move |(verb, m)| (r, verb, m)))
        .filter(|(_, _, m)| {
            m.get("requestModels")
                .and_then(Value::as_object)
                .is_some_and(|ms| ms.values().any(|v| v.as_str() == Some(name)))
        })
        .map(|(r, verb, _)| format!("{}/{verb}", resources::path_of(&api.resources, &r.id)))
        .collect();
    users.sort();
    users.into_iter().next()
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, name) = (input.req_str("restApiId")?, input.req_str("modelName")?.to_string());
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        if !api.models.contains_key(&name) {
            return Err(no_model(&name));
        }
        if let Some(user) = user_of(api, &name) {
            return Err(conflict(format!("Cannot delete model '{name}', is referenced in method request: {user}")));
        }
        api.models.remove(&name);
        Ok(json!({}))
    })
    .await
}
