//! Function URLs: Create/Get/Update/Delete/ListFunctionUrlConfigs, and the
//! data plane that serves them with the 2.0 payload format, reached as
//! `http://{id}.lambda-url.{region}.localhost:{port}/…` (by Host) or
//! `http://127.0.0.1:{port}/lambda-url/{id}/…` (by path). InvokeMode
//! RESPONSE_STREAM streams the body as the function writes it (`url_stream`).
//! Store: `lambda/url/{id}` → URL record; `lambda/{acct}/{region}/urlcfg/{name}/{qualifier}` → id.

use crate::db;
use crate::errors;
use crate::invoke;
use crate::names::{self, FnRef};
use crate::resolve;
use crate::state::Shared;
use crate::url_stream;
use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use stratus_core::input::Input;
use stratus_core::{AwsError, HttpRequest, HttpResponse, RequestContext};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UrlRecord {
    pub id: String,
    pub account: String,
    pub region: String,
    pub function: String,
    pub qualifier: Option<String>,
    pub config: Value,
}

fn cfg_key(ctx: &RequestContext, name: &str, qualifier: Option<&str>) -> String {
    format!("{}urlcfg/{name}/{}", db::prefix(ctx), qualifier.unwrap_or("$LATEST"))
}

fn url_key(id: &str) -> String {
    format!("lambda/url/{id}")
}

fn url_for(s: &Shared, id: &str, region: &str) -> String {
    let hostport = s.settings.endpoint.trim_start_matches("http://").trim_start_matches("https://");
    let port = hostport.rsplit_once(':').map(|(_, p)| p).unwrap_or("4566");
    format!("http://{id}.lambda-url.{region}.localhost:{port}/")
}

fn existing(s: &Shared, ctx: &RequestContext, r: &FnRef) -> Result<Option<UrlRecord>, AwsError> {
    let Some(id) = s.store.get(cfg_key(ctx, &r.name, r.qualifier.as_deref()))? else { return Ok(None) };
    let id = String::from_utf8_lossy(&id).to_string();
    s.store.get(url_key(&id))?.map(|b| db::decode(&b)).transpose()
}

fn check_qualifier(r: &FnRef) -> Result<(), AwsError> {
    if let Some(q) = r.qualifier.as_deref()
        && (q == "$LATEST" || names::is_version(q))
    {
        return Err(errors::validation(format!(
            "1 validation error detected: Value '{q}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)"
        )));
    }
    Ok(())
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    check_qualifier(&r)?;
    resolve::version(s, ctx, &r, false)?;
    let arn = names::qualified_arn(ctx, &r.name, r.qualifier.as_deref());
    if existing(s, ctx, &r)?.is_some() {
        return Err(errors::conflict(format!(
            "Failed to create function url config for [functionArn = {arn}]. Error message:  FunctionUrlConfig exists for this Lambda function"
        )));
    }
    let id = stratus_core::ids::random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", 32);
    let now = stratus_core::clock::iso8601(stratus_core::clock::now_epoch());
    let mut config = json!({
        "FunctionUrl": url_for(s, &id, &ctx.region),
        "FunctionArn": arn,
        "AuthType": input.str("AuthType").unwrap_or("NONE"),
        "CreationTime": now,
        "LastModifiedTime": now,
        "InvokeMode": input.str("InvokeMode").unwrap_or("BUFFERED"),
    });
    if let Some(c) = input.get("Cors") {
        config["Cors"] = c.clone();
    }
    let rec = UrlRecord {
        id: id.clone(),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        function: r.name.clone(),
        qualifier: r.qualifier.clone(),
        config: config.clone(),
    };
    let mut batch = stratus_store::WriteBatch::new();
    batch.put(url_key(&id), db::encode(&rec)).put(cfg_key(ctx, &r.name, r.qualifier.as_deref()), id.into_bytes());
    s.store.write(batch).await?;
    let mut out = config;
    if let Some(o) = out.as_object_mut() {
        o.remove("LastModifiedTime");
    }
    Ok(out)
}

fn not_found() -> AwsError {
    errors::not_found("The resource you requested does not exist.")
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    resolve::function(&s.store, ctx, &r)?;
    existing(s, ctx, &r)?.map(|u| u.config).ok_or_else(not_found)
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    resolve::function(&s.store, ctx, &r)?;
    let mut rec = existing(s, ctx, &r)?.ok_or_else(not_found)?;
    for k in ["AuthType", "Cors", "InvokeMode"] {
        if let Some(v) = input.get(k) {
            rec.config[k] = v.clone();
        }
    }
    rec.config["LastModifiedTime"] = stratus_core::clock::iso8601(stratus_core::clock::now_epoch()).into();
    s.store.put(url_key(&rec.id), db::encode(&rec)).await?;
    Ok(rec.config)
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    resolve::function(&s.store, ctx, &r)?;
    let rec = existing(s, ctx, &r)?.ok_or_else(not_found)?;
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(url_key(&rec.id)).delete(cfg_key(ctx, &r.name, r.qualifier.as_deref()));
    s.store.write(batch).await?;
    Ok(json!({}))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    resolve::function(&s.store, ctx, &r)?;
    let mut out = Vec::new();
    for (_, id) in s.store.scan_prefix(format!("{}urlcfg/{}/", db::prefix(ctx), r.name), false, None)? {
        if let Some(b) = s.store.get(url_key(&String::from_utf8_lossy(&id)))? {
            out.push(db::decode::<UrlRecord>(&b)?.config);
        }
    }
    Ok(json!({ "FunctionUrlConfigs": out }))
}

/// The URL id a request addresses, and the path the function sees.
pub fn target(req: &HttpRequest) -> Option<(String, String)> {
    let host = req.host();
    if let Some((id, rest)) = host.split_once('.')
        && rest.starts_with("lambda-url.")
    {
        return Some((id.to_string(), req.path.clone()));
    }
    let rest = req.path.strip_prefix("/lambda-url/")?;
    let (id, path) = match rest.split_once('/') {
        Some((id, p)) => (id, format!("/{p}")),
        None => (rest, "/".to_string()),
    };
    Some((id.to_string(), path))
}

/// Whether `req` is for a function URL that exists.
pub fn claims(s: &Shared, req: &HttpRequest) -> bool {
    match target(req) {
        Some((id, _)) => s.store.get(url_key(&id)).ok().flatten().is_some(),
        None => false,
    }
}

fn plain(status: u16, message: &str) -> HttpResponse {
    HttpResponse::new(status, "application/json", json!({ "Message": message }).to_string())
}

/// AWS's answer to a request the URL's auth type or the function's policy refuses.
fn forbidden() -> HttpResponse {
    plain(403, "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html")
        .header("x-amzn-ErrorType", "AccessDeniedException")
}

/// The context invocations through URL `rec` run in: the function's account and region.
fn url_ctx(rec: &UrlRecord) -> RequestContext {
    let mut ctx = RequestContext::internal("lambda", "Invoke");
    ctx.account_id = rec.account.clone();
    ctx.region = rec.region.clone();
    ctx
}

/// Who may call a function URL. Both auth types need the function's policy
/// (AWS since October 2025): `lambda:InvokeFunctionUrl` and
/// `lambda:InvokeFunction`.
/// - NONE: no signature is checked, but the policy must grant both to the
///   public (principal `*`; the URL statement may require auth type NONE).
/// - AWS_IAM: the request must carry a SigV4 signature for `lambda` that the
///   front door's check accepts. Callers of the function's own account are
///   authorised by their identity policies (not evaluated by Stratus);
///   callers of another account need the policy to grant them both.
fn authorize(s: &Shared, rec: &UrlRecord, req: &HttpRequest) -> Result<(), HttpResponse> {
    let auth_type = rec.config.str("AuthType").unwrap_or("NONE");
    let caller = if auth_type == "AWS_IAM" {
        let account = s
            .settings
            .signatures
            .check(req, "lambda")
            .map_err(|why| {
                tracing::debug!("function URL {}: signature refused: {why:?}", rec.id);
                forbidden()
            })?
            .account_id;
        if account == rec.account {
            return Ok(());
        }
        account
    } else {
        "*".to_string()
    };
    let r = FnRef { name: rec.function.clone(), qualifier: rec.qualifier.clone() };
    let ctx = url_ctx(rec);
    let granted = |action| crate::policy::allows(s, &ctx, &r, action, (&caller, auth_type));
    if granted("lambda:InvokeFunctionUrl") && granted("lambda:InvokeFunction") {
        Ok(())
    } else {
        tracing::debug!("function URL {}: the function's policy does not grant {caller} both invoke actions", rec.id);
        Err(forbidden())
    }
}

/// Serves one request to a function URL.
pub async fn serve(s: &Arc<Shared>, req: HttpRequest) -> HttpResponse {
    let Some((id, path)) = target(&req) else { return plain(404, "Not Found") };
    let Some(rec) = s.store.get(url_key(&id)).ok().flatten().and_then(|b| db::decode::<UrlRecord>(&b).ok()) else {
        return plain(404, "Not Found");
    };
    let cors = rec.config.get("Cors").filter(|c| c.as_object().is_some_and(|o| !o.is_empty())).cloned();
    if let Some(c) = &cors
        && cors::is_preflight(&req)
    {
        return cors::preflight(c, &req);
    }
    if let Err(refused) = authorize(s, &rec, &req) {
        return refused;
    }
    let mut resp = invoke_url(s, &rec, &req, &id, &path).await;
    if let Some(c) = &cors {
        cors::decorate(c, req.header("origin"), &mut resp);
    }
    resp
}

/// Runs the function for one URL request and renders its result.
async fn invoke_url(s: &Arc<Shared>, rec: &UrlRecord, req: &HttpRequest, id: &str, path: &str) -> HttpResponse {
    let ctx = url_ctx(rec);
    let r = FnRef { name: rec.function.clone(), qualifier: rec.qualifier.clone() };
    let Ok(res) = resolve::version(s, &ctx, &r, true) else { return forbidden() };
    let payload = Bytes::from(event(req, id, path, &ctx).to_string());
    let arn = names::qualified_arn(&ctx, &r.name, r.qualifier.as_deref());
    let rid = ctx.request_id.clone();
    let out = if rec.config.str("InvokeMode") == Some("RESPONSE_STREAM") {
        match url_stream::invoke(s, &ctx, res, payload, arn).await {
            url_stream::Begun::Streaming(resp) => return resp.header("x-amzn-RequestId", rid),
            url_stream::Begun::Ended(out) => out,
        }
    } else {
        invoke::run(s, &ctx, &res, payload, &arn, &rid, None).await
    };
    match out {
        Ok(out) if out.function_error.is_none() => response(&out.payload).header("x-amzn-RequestId", rid),
        Ok(_) => plain(502, "Internal Server Error").header("x-amzn-RequestId", rid),
        Err(e) if e.status == 429 => plain(429, "Rate Exceeded."),
        Err(_) => plain(500, "Internal Server Error"),
    }
}

fn is_text(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("text/")
        || ct.contains("json")
        || ct.contains("xml")
        || ct.contains("x-www-form-urlencoded")
        || ct.contains("javascript")
}

/// The 2.0 payload format event.
fn event(req: &HttpRequest, id: &str, path: &str, ctx: &RequestContext) -> Value {
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (k, v) in &req.headers {
        let v = v.to_str().unwrap_or("").to_string();
        if k.as_str() == "cookie" {
            cookies.extend(v.split(';').map(|c| Value::from(c.trim().to_string())));
            continue;
        }
        match headers.get_mut(k.as_str()) {
            Some(Value::String(prev)) => {
                prev.push(',');
                prev.push_str(&v);
            }
            _ => {
                headers.insert(k.as_str().to_string(), v.into());
            }
        }
    }
    let mut qs = Map::new();
    for (k, v) in req.query_pairs() {
        match qs.get_mut(&k) {
            Some(Value::String(prev)) => {
                prev.push(',');
                prev.push_str(&v);
            }
            _ => {
                qs.insert(k, v.into());
            }
        }
    }
    let now = stratus_core::clock::now();
    let fmt = time::macros::format_description!("[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000");
    let mut e = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": req.query,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": id,
            "domainName": req.host(),
            "domainPrefix": id,
            "http": {
                "method": req.method.as_str(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": req.header("user-agent").unwrap_or(""),
            },
            "requestId": ctx.request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": now.format(&fmt).unwrap_or_default(),
            "timeEpoch": stratus_core::clock::now_millis(),
        },
        "isBase64Encoded": false,
    });
    if !cookies.is_empty() {
        e["cookies"] = Value::Array(cookies);
    }
    if !qs.is_empty() {
        e["queryStringParameters"] = Value::Object(qs);
    }
    if !req.body.is_empty() {
        if is_text(&req.content_type()) {
            e["body"] = String::from_utf8_lossy(&req.body).to_string().into();
        } else {
            e["body"] = B64.encode(&req.body).into();
            e["isBase64Encoded"] = true.into();
        }
    }
    e
}

/// The HTTP response for a function's result: a `{statusCode, headers,
/// body, cookies, isBase64Encoded}` object, or any other JSON as a 200 body.
fn response(payload: &[u8]) -> HttpResponse {
    let v: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    let Some(obj) = v.as_object().filter(|o| o.contains_key("statusCode")) else {
        return HttpResponse::new(200, "application/json", payload.to_vec());
    };
    let body = match obj.get("body") {
        Some(Value::String(b)) if obj.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) => {
            B64.decode(b).unwrap_or_default()
        }
        Some(Value::String(b)) => b.clone().into_bytes(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => other.to_string().into_bytes(),
    };
    let mut resp = head(obj, "application/json");
    resp.body = body.into();
    resp
}

/// The status and headers a function's answer gives: `statusCode` (200 if
/// absent), `headers` (Content-Type `default_type` unless among them) and
/// `cookies` (as Set-Cookie).
pub(crate) fn head(obj: &Map<String, Value>, default_type: &str) -> HttpResponse {
    let status = obj.get("statusCode").and_then(Value::as_u64).unwrap_or(200) as u16;
    let mut resp = HttpResponse { status, ..Default::default() };
    let mut has_ct = false;
    if let Some(h) = obj.get("headers").and_then(Value::as_object) {
        for (k, v) in h {
            has_ct |= k.eq_ignore_ascii_case("content-type");
            let v = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
            resp.headers.push((k.clone(), v));
        }
    }
    if !has_ct {
        resp.headers.push(("Content-Type".into(), default_type.into()));
    }
    for c in obj.get("cookies").and_then(Value::as_array).into_iter().flatten() {
        if let Some(c) = c.as_str() {
            resp.headers.push(("Set-Cookie".into(), c.to_string()));
        }
    }
    resp
}

/// The URL's `Cors` configuration at work: preflights answered without
/// invoking the function, and the Access-Control headers of actual
/// responses to allowed origins (any the function returned are replaced).
mod cors {
    use serde_json::Value;
    use stratus_core::input::Input;
    use stratus_core::{HttpRequest, HttpResponse};

    /// An OPTIONS request announcing the method it wants to make.
    pub fn is_preflight(req: &HttpRequest) -> bool {
        req.method == http::Method::OPTIONS
            && req.header("origin").is_some()
            && req.header("access-control-request-method").is_some()
    }

    fn strings(c: &Value, key: &str) -> Vec<String> {
        c.list(key).iter().filter_map(Value::as_str).map(str::to_string).collect()
    }

    fn allows(list: &[String], value: &str) -> bool {
        list.iter().any(|v| v == "*" || v.eq_ignore_ascii_case(value))
    }

    fn credentials(c: &Value) -> bool {
        c.get("AllowCredentials").and_then(Value::as_bool) == Some(true)
    }

    /// The Access-Control-Allow-Origin for `origin`, if it is allowed:
    /// `*` when any origin is and credentials are not, else the origin.
    fn allow_origin(c: &Value, origin: &str) -> Option<String> {
        let origins = strings(c, "AllowOrigins");
        if !allows(&origins, origin) {
            return None;
        }
        let any = origins.iter().any(|o| o == "*");
        Some(if any && !credentials(c) { "*".into() } else { origin.into() })
    }

    fn headers_allowed(c: &Value, requested: Option<&str>) -> bool {
        let allowed = strings(c, "AllowHeaders");
        requested.unwrap_or("").split(',').map(str::trim).filter(|h| !h.is_empty()).all(|h| allows(&allowed, h))
    }

    /// The answer to a preflight: 200 with the configured Access-Control
    /// headers when origin, method and headers are allowed, else without them.
    pub fn preflight(c: &Value, req: &HttpRequest) -> HttpResponse {
        let mut resp = HttpResponse { status: 200, ..Default::default() };
        let origin = req.header("origin").unwrap_or("");
        let method = req.header("access-control-request-method").unwrap_or("");
        let Some(allow_origin) = allow_origin(c, origin) else { return resp };
        if !allows(&strings(c, "AllowMethods"), method)
            || !headers_allowed(c, req.header("access-control-request-headers"))
        {
            return resp;
        }
        let mut put = |k: &str, v: String| resp.headers.push((k.to_string(), v));
        put("Access-Control-Allow-Origin", allow_origin);
        put("Access-Control-Allow-Methods", strings(c, "AllowMethods").join(","));
        let allowed_headers = strings(c, "AllowHeaders");
        if !allowed_headers.is_empty() {
            put("Access-Control-Allow-Headers", allowed_headers.join(","));
        }
        if let Some(age) = c.get("MaxAge").and_then(Value::as_i64) {
            put("Access-Control-Max-Age", age.to_string());
        }
        if credentials(c) {
            put("Access-Control-Allow-Credentials", "true".into());
        }
        put("Vary", "Origin".into());
        resp
    }

    /// Sets the Access-Control headers of an actual response to `origin`.
    pub fn decorate(c: &Value, origin: Option<&str>, resp: &mut HttpResponse) {
        resp.headers.retain(|(k, _)| !k.to_ascii_lowercase().starts_with("access-control-"));
        let Some(allow_origin) = origin.and_then(|o| allow_origin(c, o)) else { return };
        resp.headers.push(("Access-Control-Allow-Origin".into(), allow_origin));
        let expose = strings(c, "ExposeHeaders");
        if !expose.is_empty() {
            resp.headers.push(("Access-Control-Expose-Headers".into(), expose.join(",")));
        }
        if credentials(c) {
            resp.headers.push(("Access-Control-Allow-Credentials".into(), "true".into()));
        }
        resp.headers.push(("Vary".into(), "Origin".into()));
    }
}
