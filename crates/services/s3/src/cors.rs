//! CORS: Put/Get/DeleteBucketCors (validated rules, kept in the store and
//! in an in-memory map so `claims` stays cheap), and real preflight answers
//! for buckets with a configuration, with S3's matching rules (origin with
//! one `*` wildcard, method, every requested header) and its 403
//! `CORSResponse` when no rule matches.

use base64::Engine;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, HttpRequest, HttpResponse};

use crate::buckets::update;
use crate::error::{invalid_request, malformed_xml, no_such_config};
use crate::shared::Shared;

const METHODS: &[&str] = &["GET", "PUT", "HEAD", "POST", "DELETE"];

pub async fn put(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?.to_string();
    let conf = input.get("CORSConfiguration").cloned().ok_or_else(malformed_xml)?;
    let rules = conf.list("CORSRules");
    if rules.is_empty() || rules.len() > 100 {
        return Err(malformed_xml());
    }
    for r in rules {
        if r.list("AllowedMethods").is_empty() || r.list("AllowedOrigins").is_empty() {
            return Err(malformed_xml());
        }
        for m in r.str_list("AllowedMethods") {
            if !METHODS.contains(&m.as_str()) {
                return Err(invalid_request(format!(
                    "Found unsupported HTTP method in CORS config. Unsupported method is {m}"
                )));
            }
        }
        for o in r.str_list("AllowedOrigins") {
            if o.matches('*').count() > 1 {
                return Err(invalid_request(format!("AllowedOrigin \"{o}\" can not have more than one wildcard.")));
            }
        }
    }
    let stored = conf.clone();
    update(sh, &name, move |b| {
        b.cors = Some(stored.clone());
        Ok(())
    })
    .await?;
    sh.set_cors(&name, Some(conf));
    Ok(json!({}))
}

pub fn get(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    match sh.bucket(name)?.cors {
        Some(c) => Ok(c),
        None => Err(no_such_config("NoSuchCORSConfiguration", "The CORS configuration does not exist", name)),
    }
}

pub async fn delete(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    update(sh, name, |b| {
        b.cors = None;
        Ok(())
    })
    .await?;
    sh.set_cors(name, None);
    Ok(json!({}))
}

/// The bucket and whether an object key follows, for a request's path or
/// virtual host.
fn target(req: &HttpRequest) -> Option<(String, bool)> {
    let host = req.host();
    let vhost = match host.find(".s3.") {
        Some(i) => Some(&host[..i]),
        None => host.strip_suffix(".localhost"),
    }
    .filter(|b| !b.is_empty() && *b != "s3");
    let path = req.path.trim_start_matches('/');
    match vhost {
        Some(b) => Some((b.to_string(), !path.is_empty())),
        None => {
            let (bucket, rest) = path.split_once('/').unwrap_or((path, ""));
            (!bucket.is_empty()).then(|| (bucket.to_string(), !rest.is_empty()))
        }
    }
}

/// Whether this is a preflight for a bucket with a CORS configuration.
pub fn claims(sh: &Shared, req: &HttpRequest) -> bool {
    if req.method != http::Method::OPTIONS {
        return false;
    }
    match (target(req), sh.cors.read()) {
        (Some((bucket, _)), Ok(map)) => map.contains_key(&bucket),
        _ => false,
    }
}

/// `*` wildcard match (at most one `*`), case-sensitive like S3 origins.
fn wildcard(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == value,
        Some((pre, post)) => value.len() >= pre.len() + post.len() && value.starts_with(pre) && value.ends_with(post),
    }
}

fn error(status: u16, code: &str, message: &str, extra: &[(&str, &str)]) -> HttpResponse {
    let id = stratus_core::ids::request_id();
    let host_id = base64::engine::general_purpose::STANDARD.encode(&id);
    let mut body =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>");
    for (k, v) in extra {
        body.push_str(&format!("<{k}>{}</{k}>", escape(v)));
    }
    body.push_str(&format!("<RequestId>{id}</RequestId><HostId>{host_id}</HostId></Error>"));
    HttpResponse::new(status, "application/xml", body).header("x-amz-request-id", id).header("x-amz-id-2", host_id)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Answers a preflight the way S3 does.
pub fn preflight(sh: &Shared, req: &HttpRequest) -> HttpResponse {
    let Some((bucket, object)) = target(req) else {
        return error(400, "BadRequest", "Insufficient information. Origin request header needed.", &[]);
    };
    let Some(origin) = req.header("origin") else {
        return error(400, "BadRequest", "Insufficient information. Origin request header needed.", &[]);
    };
    let Some(method) = req.header("access-control-request-method") else {
        return error(400, "BadRequest", "Invalid Access-Control-Request-Method: null", &[]);
    };
    let requested: Vec<String> = req
        .header("access-control-request-headers")
        .map(|h| h.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let rules = sh.cors.read().ok().and_then(|m| m.get(&bucket).cloned()).unwrap_or(Value::Null);
    for rule in rules.list("CORSRules") {
        let origins = rule.str_list("AllowedOrigins");
        let Some(matched) = origins.iter().find(|o| wildcard(o, origin)) else { continue };
        let methods = rule.str_list("AllowedMethods");
        if !methods.iter().any(|m| m == method) {
            continue;
        }
        let allowed: Vec<String> = rule.str_list("AllowedHeaders").iter().map(|h| h.to_ascii_lowercase()).collect();
        if !requested.iter().all(|h| allowed.iter().any(|a| wildcard(a, h))) {
            continue;
        }
        let any = matched == "*";
        let mut resp = HttpResponse { status: 200, ..Default::default() };
        resp = resp.header("Access-Control-Allow-Origin", if any { "*" } else { origin });
        resp = resp.header("Access-Control-Allow-Methods", methods.join(", "));
        if !requested.is_empty() {
            resp = resp.header("Access-Control-Allow-Headers", requested.join(", "));
        }
        let expose = rule.str_list("ExposeHeaders");
        if !expose.is_empty() {
            resp = resp.header("Access-Control-Expose-Headers", expose.join(", "));
        }
        if let Some(age) = rule.i64("MaxAgeSeconds") {
            resp = resp.header("Access-Control-Max-Age", age.to_string());
        }
        if !any {
            resp = resp.header("Access-Control-Allow-Credentials", "true");
        }
        return resp.header("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
    }
    error(
        403,
        "AccessForbidden",
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        &[("Method", method), ("ResourceType", if object { "OBJECT" } else { "BUCKET" })],
    )
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", "https://a.com"));
        assert!(wildcard("https://*.example.com", "https://x.example.com"));
        assert!(!wildcard("https://*.example.com", "http://x.example.com"));
        assert!(wildcard("x-amz-*", "x-amz-date"));
        assert!(!wildcard("https://a.com", "https://b.com"));
    }
}
