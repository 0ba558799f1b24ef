//! Integrations and integration responses: Put, Get, Update, Delete of
//! each, kept on their method (`methodIntegration`, its
//! `integrationResponses`), with AWS's checks of type, verb and URI.

use crate::errors::{self, bad_request};
use crate::methods::{self, method_mut, status_code};
use crate::patch::{self, ADD_REMOVE, ALL, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::resources;
use crate::state::Shared;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const INTEGRATION_RULES: Rules = Rules {
    rules: &[
        Rule { path: "/uri", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/httpMethod", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/passthroughBehavior", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/timeoutInMillis", ops: REPLACE, kind: Kind::Member(Scalar::Int) },
        Rule { path: "/contentHandling", ops: ALL, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/connectionType", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/connectionId", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/credentials", ops: ALL, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/cacheNamespace", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/cacheKeyParameters", ops: ADD_REMOVE, kind: Kind::Item },
        Rule { path: "/requestTemplates", ops: ALL, kind: Kind::Entry(Scalar::Str) },
        Rule { path: "/requestParameters", ops: ALL, kind: Kind::Entry(Scalar::Str) },
        Rule { path: "/tlsConfig/insecureSkipVerification", ops: REPLACE, kind: Kind::Member(Scalar::Bool) },
    ],
    style: Style::Plain,
};

const RESPONSE_RULES: Rules = Rules {
    rules: &[
        Rule { path: "/selectionPattern", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/contentHandling", ops: ALL, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/responseTemplates", ops: ALL, kind: Kind::Entry(Scalar::Str) },
        Rule { path: "/responseParameters", ops: ALL, kind: Kind::Entry(Scalar::Str) },
    ],
    style: Style::Plain,
};

/// Checks an integration's verb and URI against its type.
fn check(i: &Value) -> Result<(), AwsError> {
    let kind = i.str("type").unwrap_or_default();
    if kind == "MOCK" {
        return Ok(());
    }
    if i.str("httpMethod").unwrap_or_default().is_empty() {
        return Err(bad_request("Enumeration value for HttpMethod must be non-empty"));
    }
    let uri = i.str("uri").unwrap_or_default();
    match kind {
        "HTTP" | "HTTP_PROXY" => {
            let connection_type = i.str("connectionType").unwrap_or("INTERNET");
            if connection_type == "INTERNET" && !(uri.starts_with("http://") || uri.starts_with("https://")) {
                return Err(bad_request("Invalid HTTP endpoint specified for URI"));
            }
        }
        _ => {
            let Some(arn) = stratus_core::arn::parse(uri) else {
                return Err(bad_request("Invalid ARN specified in the request"));
            };
            let target = arn.resource;
            if !(target.starts_with("path/") || target.starts_with("action/")) {
                return Err(bad_request("AWS ARN for integration must contain path or action"));
            }
            if kind == "AWS_PROXY" && !(uri.contains(":lambda:path") || uri.contains(":firehose:")) {
                return Err(bad_request(
                    "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.",
                ));
            }
        }
    }
    Ok(())
}

pub async fn put(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) =
        (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), methods::verb(input)?);
    let mut i = Map::new();
    i.insert("type".into(), input.req_str("type")?.into());
    if let Some(m) = input.str("integrationHttpMethod") {
        i.insert("httpMethod".into(), m.to_ascii_uppercase().into());
    }
    for k in [
        "uri",
        "connectionType",
        "connectionId",
        "credentials",
        "requestParameters",
        "requestTemplates",
        "contentHandling",
        "tlsConfig",
    ] {
        if let Some(v) = input.get(k) {
            i.insert(k.into(), v.clone());
        }
    }
    i.insert("passthroughBehavior".into(), input.str("passthroughBehavior").unwrap_or("WHEN_NO_MATCH").into());
    i.insert("timeoutInMillis".into(), input.i64("timeoutInMillis").unwrap_or(29_000).into());
    i.insert("cacheNamespace".into(), input.str("cacheNamespace").unwrap_or(&rid).into());
    i.insert("cacheKeyParameters".into(), input.get("cacheKeyParameters").cloned().unwrap_or_else(|| json!([])));
    let i = Value::Object(i);
    check(&i)?;
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let m = method_mut(api, &rid, &verb)?;
        m["methodIntegration"] = i.clone();
        Ok(i.clone())
    })
    .await
}

fn integration_mut(m: &mut Value) -> Result<&mut Value, AwsError> {
    m.get_mut("methodIntegration").ok_or_else(errors::no_integration)
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?).map_err(|_| errors::no_resource())?;
    let r = resources::find(&api.resources, input.req_str("resourceId")?)?;
    let m = r.methods.get(&methods::verb(input)?).ok_or_else(errors::no_method)?;
    m.get("methodIntegration").cloned().ok_or_else(errors::no_integration)
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) =
        (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), methods::verb(input)?);
    let ops = patch::ops(input);
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let i = integration_mut(method_mut(api, &rid, &verb)?)?;
        let mut changed = i.clone();
        INTEGRATION_RULES.apply(&mut changed, &ops)?;
        check(&changed)?;
        *i = changed;
        Ok(i.clone())
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) =
        (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), methods::verb(input)?);
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let m = method_mut(api, &rid, &verb)?;
        m.as_object_mut().and_then(|o| o.remove("methodIntegration")).ok_or_else(errors::no_integration)?;
        Ok(json!({}))
    })
    .await
}

pub async fn put_response(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) =
        (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), methods::verb(input)?);
    let code = status_code(input)?;
    let mut resp = json!({ "statusCode": code });
    for k in ["selectionPattern", "responseParameters", "responseTemplates", "contentHandling"] {
        if let Some(v) = input.get(k) {
            resp[k] = v.clone();
        }
    }
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let i = integration_mut(method_mut(api, &rid, &verb)?)?;
        i["integrationResponses"][&code] = resp.clone();
        Ok(resp.clone())
    })
    .await
}

pub fn get_response(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let i = get(s, ctx, input)?;
    let code = status_code(input)?;
    i.get("integrationResponses").and_then(|rs| rs.get(&code)).cloned().ok_or_else(errors::no_status_code)
}

pub async fn update_response(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) =
        (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), methods::verb(input)?);
    let code = status_code(input)?;
    let ops = patch::ops(input);
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let i = integration_mut(method_mut(api, &rid, &verb)?)?;
        let resp =
            i.get_mut("integrationResponses").and_then(|rs| rs.get_mut(&code)).ok_or_else(errors::no_status_code)?;
        RESPONSE_RULES.apply(resp, &ops)?;
        Ok(resp.clone())
    })
    .await
}

pub async fn delete_response(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) =
        (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), methods::verb(input)?);
    let code = status_code(input)?;
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let i = integration_mut(method_mut(api, &rid, &verb)?)?;
        let responses =
            i.get_mut("integrationResponses").and_then(Value::as_object_mut).ok_or_else(errors::no_status_code)?;
        responses.remove(&code).ok_or_else(errors::no_status_code)?;
        if responses.is_empty()
            && let Some(o) = i.as_object_mut()
        {
            o.remove("integrationResponses");
        }
        Ok(json!({}))
    })
    .await
}
