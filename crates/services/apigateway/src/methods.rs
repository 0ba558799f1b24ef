//! Methods and method responses: Put, Get, Update, Delete of each, kept on
//! their resource (`methodResponses` inside the Method shape).

use crate::db::Api;
use crate::errors::{self, bad_request, conflict, not_found};
use crate::patch::{self, ADD_REMOVE, ALL, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::resources;
use crate::state::Shared;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const VERBS: &[&str] = &["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"];

const METHOD_RULES: Rules = Rules {
    rules: &[
        Rule { path: "/authorizationType", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/authorizerId", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/apiKeyRequired", ops: REPLACE, kind: Kind::Member(Scalar::Bool) },
        Rule { path: "/operationName", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/requestValidatorId", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/requestParameters", ops: ALL, kind: Kind::Entry(Scalar::Bool) },
        Rule { path: "/requestModels", ops: ALL, kind: Kind::Entry(Scalar::Str) },
        Rule { path: "/authorizationScopes", ops: ADD_REMOVE, kind: Kind::Item },
    ],
    style: Style::Plain,
};

const RESPONSE_RULES: Rules = Rules {
    rules: &[
        Rule { path: "/responseParameters", ops: ALL, kind: Kind::Entry(Scalar::Bool) },
        Rule { path: "/responseModels", ops: ALL, kind: Kind::Entry(Scalar::Str) },
    ],
    style: Style::Plain,
};

/// The verb of a request, checked against API Gateway's list.
pub fn verb(input: &Value) -> Result<String, AwsError> {
    let v = input.req_str("httpMethod")?.to_ascii_uppercase();
    if VERBS.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(bad_request("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"))
    }
}

/// A status code as AWS accepts them (`[1-5]\d\d`).
pub fn status_code(input: &Value) -> Result<String, AwsError> {
    let code = input.req_str("statusCode")?;
    let b = code.as_bytes();
    if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && b[1].is_ascii_digit() && b[2].is_ascii_digit() {
        return Ok(code.to_string());
    }
    Err(AwsError::bad_request(
        "ValidationException",
        format!(
            "1 validation error detected: Value '{code}' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d"
        ),
    ))
}

/// Method `verb` of resource `rid`, mutable.
pub fn method_mut<'a>(api: &'a mut Api, rid: &str, verb: &str) -> Result<&'a mut Value, AwsError> {
    let r = api.resources.get_mut(rid).ok_or_else(errors::no_resource)?;
    r.methods.get_mut(verb).ok_or_else(errors::no_method)
}

/// Checks a method's references: authorizer, validator, models.
fn check_method(api: &Api, m: &Value) -> Result<(), AwsError> {
    let auth = m.str("authorizationType").unwrap_or("NONE");
    if ["CUSTOM", "COGNITO_USER_POOLS"].contains(&auth)
        && !m.str("authorizerId").is_some_and(|id| api.authorizers.contains_key(id))
    {
        return Err(bad_request(
            "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.",
        ));
    }
    if m.str("requestValidatorId").is_some_and(|id| !api.validators.contains_key(id)) {
        return Err(bad_request("Invalid Request Validator identifier specified"));
    }
    for model in m.get("requestModels").and_then(Value::as_object).into_iter().flat_map(|o| o.values()) {
        let name = model.as_str().unwrap_or_default();
        if !api.models.contains_key(name) {
            return Err(bad_request(format!("Invalid model identifier specified: {name}")));
        }
    }
    Ok(())
}

pub async fn put(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) = (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), verb(input)?);
    let mut m = Map::new();
    m.insert("httpMethod".into(), verb.clone().into());
    m.insert("authorizationType".into(), input.req_str("authorizationType")?.into());
    m.insert("apiKeyRequired".into(), input.bool("apiKeyRequired").unwrap_or(false).into());
    for k in [
        "authorizerId",
        "operationName",
        "requestParameters",
        "requestModels",
        "requestValidatorId",
        "authorizationScopes",
    ] {
        if let Some(v) = input.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    let m = Value::Object(m);
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        check_method(api, &m)?;
        let r = api.resources.get_mut(&rid).ok_or_else(errors::no_resource)?;
        if r.methods.contains_key(&verb) {
            return Err(conflict("Method already exists for this resource"));
        }
        r.methods.insert(verb.clone(), m.clone());
        Ok(m.clone())
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?).map_err(|_| errors::no_resource())?;
    let r = resources::find(&api.resources, input.req_str("resourceId")?)?;
    r.methods.get(&verb(input)?).cloned().ok_or_else(errors::no_method)
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) = (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), verb(input)?);
    let ops = patch::ops(input);
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let mut changed = method_mut(api, &rid, &verb)?.clone();
        METHOD_RULES.apply(&mut changed, &ops)?;
        check_method(api, &changed)?;
        let m = method_mut(api, &rid, &verb)?;
        *m = changed;
        Ok(m.clone())
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) = (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), verb(input)?);
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let r = api.resources.get_mut(&rid).ok_or_else(errors::no_resource)?;
        r.methods.remove(&verb).ok_or_else(errors::no_method)?;
        Ok(json!({}))
    })
    .await
}

pub async fn put_response(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) = (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), verb(input)?);
    let code = status_code(input)?;
    let mut resp = json!({ "statusCode": code });
    for k in ["responseParameters", "responseModels"] {
        if let Some(v) = input.get(k) {
            resp[k] = v.clone();
        }
    }
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let m = method_mut(api, &rid, &verb)?;
        m["methodResponses"][&code] = resp.clone();
        Ok(resp.clone())
    })
    .await
}

pub fn get_response(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?).map_err(|_| errors::no_resource())?;
    let r = resources::find(&api.resources, input.req_str("resourceId")?)?;
    let m = r.methods.get(&verb(input)?).ok_or_else(errors::no_method)?;
    let code = status_code(input)?;
    m.get("methodResponses").and_then(|rs| rs.get(&code)).cloned().ok_or_else(errors::no_status_code)
}

pub async fn update_response(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) = (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), verb(input)?);
    let code = status_code(input)?;
    let ops = patch::ops(input);
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let m = method_mut(api, &rid, &verb)?;
        let resp = m.get_mut("methodResponses").and_then(|rs| rs.get_mut(&code)).ok_or_else(errors::no_status_code)?;
        for op in ops.iter().filter(|o| o.op != "add") {
            if let Some(key) = op.path.strip_prefix("/responseParameters/")
                && resp.get("responseParameters").and_then(|p| p.get(key)).is_none()
            {
                return Err(not_found("Invalid parameter name specified"));
            }
            if let Some(key) = op.path.strip_prefix("/responseModels/")
                && resp.get("responseModels").and_then(|p| p.get(key.replace("~1", "/"))).is_none()
            {
                return Err(not_found("Content-Type specified was not found"));
            }
        }
        RESPONSE_RULES.apply(resp, &ops)?;
        Ok(resp.clone())
    })
    .await
}

pub async fn delete_response(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, rid, verb) = (input.req_str("restApiId")?, input.req_str("resourceId")?.to_string(), verb(input)?);
    let code = status_code(input)?;
    s.change(ctx, api_id, errors::no_resource(), move |api| {
        let m = method_mut(api, &rid, &verb)?;
        let responses =
            m.get_mut("methodResponses").and_then(Value::as_object_mut).ok_or_else(errors::no_status_code)?;
        responses.remove(&code).ok_or_else(errors::no_status_code)?;
        if responses.is_empty()
            && let Some(o) = m.as_object_mut()
        {
            o.remove("methodResponses");
        }
        Ok(json!({}))
    })
    .await
}
