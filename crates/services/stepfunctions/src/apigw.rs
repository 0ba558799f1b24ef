//! The `arn:aws:states:::apigateway:invoke` integration: ApiEndpoint,
//! Stage, Path, Method, Headers and QueryParameters (names to lists of
//! values), RequestBody (sent as JSON) and AuthType (`IAM_ROLE` signs the
//! request with temporary credentials of the execution's role), served in
//! process by the API Gateway data plane; the output is `{Headers, ResponseBody,
//! StatusCode, StatusText}`, and a status of 400 or more fails the task as
//! `ApiGateway.<status>` with the response body as the cause.

use crate::asl::{Failure, Runtime};
use crate::shared::Shared;
use serde_json::{Map, Value, json};
use stratus_core::HttpRequest;
use stratus_core::credentials::{self, Principal};

/// The parameters' shape problem, as AWS words it, if any.
pub fn check(params: &Value) -> Result<(), Failure> {
    for field in ["Headers", "QueryParameters"] {
        if let Some(v) = params.get(field)
            && !is_multi_map(v)
        {
            return Err(Failure::runtime(format!(
                "The Parameters '{params}' could not be used to start the Task: [The value of the field '{field}' has an invalid format]"
            )));
        }
    }
    if params.get("ApiEndpoint").and_then(Value::as_str).is_none() {
        return Err(Failure::runtime(format!(
            "The Parameters '{params}' could not be used to start the Task: [The field 'ApiEndpoint' is required]"
        )));
    }
    Ok(())
}

/// `{name: [values…]}`.
fn is_multi_map(v: &Value) -> bool {
    v.as_object().is_some_and(|m| m.values().all(|l| l.as_array().is_some_and(|a| a.iter().all(Value::is_string))))
}

fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, list) in v.and_then(Value::as_object).into_iter().flatten() {
        for item in list.as_array().into_iter().flatten().filter_map(Value::as_str) {
            out.push((k.clone(), item.to_string()));
        }
    }
    out
}

/// The request the task's parameters describe.
fn request(params: &Value) -> Result<HttpRequest, Failure> {
    let endpoint = params.get("ApiEndpoint").and_then(Value::as_str).unwrap_or_default();
    let host = endpoint.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
    let stage = params.get("Stage").and_then(Value::as_str).unwrap_or_default();
    let sub = params.get("Path").and_then(Value::as_str).unwrap_or_default().trim_start_matches('/');
    let path = match (stage.is_empty(), sub.is_empty()) {
        (true, _) => format!("/{sub}"),
        (false, true) => format!("/{stage}"),
        (false, false) => format!("/{stage}/{sub}"),
    };
    let method = params.get("Method").and_then(Value::as_str).unwrap_or("GET");
    let method = http::Method::from_bytes(method.as_bytes())
        .map_err(|_| Failure::runtime(format!("The Method '{method}' is not a valid HTTP method")))?;
    let query: String =
        form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs(params.get("QueryParameters"))).finish();
    let mut headers = http::HeaderMap::new();
    for (k, v) in pairs(params.get("Headers")) {
        if let (Ok(name), Ok(value)) = (http::HeaderName::from_bytes(k.as_bytes()), http::HeaderValue::from_str(&v)) {
            headers.append(name, value);
        }
    }
    if let Ok(h) = http::HeaderValue::from_str(host) {
        headers.insert(http::header::HOST, h);
    }
    let body = match params.get("RequestBody") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => {
            headers.entry(http::header::CONTENT_TYPE).or_insert(http::HeaderValue::from_static("application/json"));
            v.to_string().into_bytes()
        }
    };
    Ok(HttpRequest { method, path, query, headers, body: body.into() })
}

/// Signs `req` for `execute-api` with temporary credentials of the
/// execution's role (`AuthType: IAM_ROLE`).
async fn sign_as_role(s: &Shared, rt: &Runtime, req: &mut HttpRequest) -> Result<(), Failure> {
    let role = rt.execution["RoleArn"].as_str().unwrap_or_default();
    let role_name = role.rsplit('/').next().unwrap_or("role");
    let session = uuid::Uuid::new_v4().simple().to_string();
    let principal = Principal {
        account: rt.account.clone(),
        arn: format!("arn:aws:sts::{}:assumed-role/{role_name}/{session}", rt.account),
        user_id: format!("{}:{session}", stratus_core::ids::iam_id("AROA")),
    };
    let cred = credentials::issue(&s.store, principal, 900)
        .await
        .map_err(|e| Failure::runtime(format!("The role {role} could not be assumed: {}", e.message)))?;
    let key = crate::sigv4::Key {
        access_key_id: &cred.access_key_id,
        secret: &cred.secret_access_key,
        session_token: cred.session_token.as_deref(),
    };
    crate::sigv4::sign(req, &key, &rt.region, "execute-api", stratus_core::clock::now());
    Ok(())
}

/// Invokes the API and shapes its answer.
pub async fn invoke(s: &Shared, rt: &Runtime, params: &Value) -> Result<Value, Failure> {
    check(params)?;
    let mut req = request(params)?;
    if params.get("AuthType").and_then(Value::as_str) == Some("IAM_ROLE") {
        sign_as_role(s, rt, &mut req).await?;
    }
    let service =
        s.settings.peers.get("apigateway").ok_or_else(|| Failure::runtime("The API Gateway service is not running"))?;
    let resp = service.serve(req).await;
    let text = String::from_utf8_lossy(&resp.body).into_owned();
    let body =
        if text.is_empty() { json!({}) } else { serde_json::from_str(&text).unwrap_or(Value::String(text.clone())) };
    if resp.status >= 400 {
        return Err(Failure::new(format!("ApiGateway.{}", resp.status), text));
    }
    let mut headers: Map<String, Value> = Map::new();
    for (k, v) in &resp.headers {
        match headers.get_mut(k).and_then(Value::as_array_mut) {
            Some(list) => list.push(json!(v)),
            None => {
                headers.insert(k.clone(), json!([v]));
            }
        }
    }
    headers.entry("Content-Length").or_insert_with(|| json!([resp.body.len().to_string()]));
    let reason = http::StatusCode::from_u16(resp.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    Ok(json!({ "Headers": headers, "ResponseBody": body, "StatusCode": resp.status, "StatusText": reason }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_request() {
        let p = json!({
            "ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com", "Method": "POST", "Stage": "dev",
            "Path": "/pets", "QueryParameters": {"a": ["1", "2"]}, "Headers": {"x-k": ["v"]}, "RequestBody": "hi",
        });
        let r = request(&p).expect("request");
        assert_eq!(r.path, "/dev/pets");
        assert_eq!(r.query, "a=1&a=2");
        assert_eq!(r.host(), "abc123.execute-api.us-east-1.amazonaws.com");
        assert_eq!(r.header("x-k"), Some("v"));
        assert_eq!(&r.body[..], b"\"hi\"");
    }

    #[test]
    fn headers_must_be_lists() {
        let p = json!({"ApiEndpoint": "x", "Headers": {"h": "v"}});
        let f = check(&p).expect_err("bad headers");
        assert_eq!(f.error, "States.Runtime");
        assert!(f.cause.unwrap_or_default().ends_with("[The value of the field 'Headers' has an invalid format]"));
    }
}
