//! RouteResponse and IntegrationResponse (WebSocket APIs): Create, Get,
//! GetAll, Update, Delete. Both are shapes kept under a parent (a route or
//! an integration) and handled alike, each by its own `Kind`.

use crate::errors::conflict;
use crate::state::Shared;
use crate::v2::db::{self, Config};
use crate::v2::errors::{no_integration, no_integration_response, no_route, no_route_response};
use crate::v2::{fields, store};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// One kind of response shape: its member names and where it is kept.
pub struct Kind {
    parent_id: &'static str,
    id: &'static str,
    key: &'static str,
    updatable: &'static [&'static str],
    parents: fn(&Config) -> &BTreeMap<String, Value>,
    children: fn(&mut Config) -> &mut BTreeMap<String, BTreeMap<String, Value>>,
    no_parent: fn(&str) -> AwsError,
    no_child: fn(&str) -> AwsError,
}

pub const ROUTE: Kind = Kind {
    parent_id: "RouteId",
    id: "RouteResponseId",
    key: "RouteResponseKey",
    updatable: &["RouteResponseKey", "ModelSelectionExpression", "ResponseModels", "ResponseParameters"],
    parents: |c| &c.routes,
    children: |c| &mut c.route_responses,
    no_parent: no_route,
    no_child: no_route_response,
};

pub const INTEGRATION: Kind = Kind {
    parent_id: "IntegrationId",
    id: "IntegrationResponseId",
    key: "IntegrationResponseKey",
    updatable: &[
        "IntegrationResponseKey",
        "ContentHandlingStrategy",
        "ResponseParameters",
        "ResponseTemplates",
        "TemplateSelectionExpression",
    ],
    parents: |c| &c.integrations,
    children: |c| &mut c.integration_responses,
    no_parent: no_integration,
    no_child: no_integration_response,
};

impl Kind {
    /// The responses of the parent `input` names, which must exist.
    fn of<'a>(&self, config: &'a mut Config, input: &Value) -> Result<&'a mut BTreeMap<String, Value>, AwsError> {
        let parent = input.req_str(self.parent_id)?;
        if !(self.parents)(config).contains_key(parent) {
            return Err((self.no_parent)(parent));
        }
        Ok((self.children)(config).entry(parent.to_string()).or_default())
    }

    /// Fails when another response of the same parent has `shape`'s key.
    fn check_unique(&self, siblings: &BTreeMap<String, Value>, shape: &Value, own_id: &str) -> Result<(), AwsError> {
        let key = shape.str(self.key).unwrap_or_default();
        if siblings.iter().any(|(id, r)| id != own_id && r.str(self.key) == Some(key)) {
            return Err(conflict(format!("{} with key {key} already exists", self.id.trim_end_matches("Id"))));
        }
        Ok(())
    }
}

pub async fn create(s: &Shared, ctx: &RequestContext, kind: &'static Kind, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    let mut shape = json!({});
    shape[kind.id] = db::new_id(6).into();
    shape[kind.key] = input.req_str(kind.key)?.into();
    fields::copy(&mut shape, input, kind.updatable);
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let siblings = kind.of(&mut api.config, &owned)?;
        kind.check_unique(siblings, &shape, "")?;
        siblings.insert(shape[kind.id].as_str().unwrap_or_default().to_string(), shape.clone());
        Ok(shape.clone())
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, kind: &'static Kind, input: &Value) -> Result<Value, AwsError> {
    let mut config = store::api(s, ctx, input.req_str("ApiId")?)?.config.clone();
    let id = input.req_str(kind.id)?;
    kind.of(&mut config, input)?.get(id).cloned().ok_or_else(|| (kind.no_child)(id))
}

pub fn list(s: &Shared, ctx: &RequestContext, kind: &'static Kind, input: &Value) -> Result<Value, AwsError> {
    let mut config = store::api(s, ctx, input.req_str("ApiId")?)?.config.clone();
    Ok(fields::page(kind.of(&mut config, input)?.values().cloned().collect(), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, kind: &'static Kind, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let id = owned.req_str(kind.id)?;
        let siblings = kind.of(&mut api.config, &owned)?;
        let mut shape = siblings.get(id).cloned().ok_or_else(|| (kind.no_child)(id))?;
        fields::copy(&mut shape, &owned, kind.updatable);
        kind.check_unique(siblings, &shape, id)?;
        siblings.insert(id.to_string(), shape.clone());
        Ok(shape)
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, kind: &'static Kind, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let id = owned.req_str(kind.id)?;
        kind.of(&mut api.config, &owned)?.remove(id).ok_or_else(|| (kind.no_child)(id))?;
        Ok(json!({}))
    })
    .await
}
