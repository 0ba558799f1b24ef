//! CORS: Put/Get/DeleteBucketCors (validated rules, kept in the store and
//! in an in-memory map so lookups stay cheap), S3's preflight answers for
//! every existing bucket (matching rules: origin with one `*` wildcard,
//! method, every requested header; 403 `CORSResponse` when CORS is off or
//! no rule matches), and the Access-Control-* headers of actual requests.

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
pub(crate) fn target(req: &HttpRequest) -> Option<(String, bool)> {
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

/// Whether this is a preflight for an existing bucket, or for any bucket
/// named in an S3 virtual host (`{bucket}.s3.…`); other OPTIONS requests
/// (a path could name another service's resource) keep the front door's
/// permissive answer.
pub fn claims(sh: &Shared, req: &HttpRequest) -> bool {
    if req.method != http::Method::OPTIONS {
        return false;
    }
    match target(req) {
        Some((bucket, _)) => req.host().contains(".s3.") || matches!(sh.bucket_opt(&bucket), Ok(Some(_))),
        None => false,
    }
}

/// `*` wildcard match (at most one `*`), case-sensitive like S3 origins.
fn wildcard(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == value,
        Some((pre, post)) => value.len() >= pre.len() + post.len() && value.starts_with(pre) && value.ends_with(post),
    }
}

pub(crate) fn error(status: u16, code: &str, message: &str, extra: &[(&str, &str)]) -> HttpResponse {
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

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The bucket's CORS rules, if it has a configuration.
fn rules_of(sh: &Shared, bucket: &str) -> Option<Value> {
    sh.cors.read().ok().and_then(|m| m.get(bucket).cloned())
}

/// The first rule allowing `origin`, `method` and every `requested` header
/// (lower-cased), and whether it allowed the origin through `*`.
fn first_match<'a>(rules: &'a Value, origin: &str, method: &str, requested: &[String]) -> Option<(&'a Value, bool)> {
    rules.list("CORSRules").iter().find_map(|rule| {
        let origins = rule.str_list("AllowedOrigins");
        let matched = origins.iter().find(|o| wildcard(o, origin))?;
        if !rule.str_list("AllowedMethods").iter().any(|m| m == method) {
            return None;
        }
        let allowed: Vec<String> = rule.str_list("AllowedHeaders").iter().map(|h| h.to_ascii_lowercase()).collect();
        if !requested.iter().all(|h| allowed.iter().any(|a| wildcard(a, h))) {
            return None;
        }
        Some((rule, matched == "*"))
    })
}

/// The Access-Control-* headers a matched rule gives (preflights add
/// Allow-Headers themselves).
fn rule_headers(rule: &Value, origin: &str, any: bool) -> Vec<(String, String)> {
    let mut out = vec![
        ("Access-Control-Allow-Origin".to_string(), if any { "*" } else { origin }.to_string()),
        ("Access-Control-Allow-Methods".to_string(), rule.str_list("AllowedMethods").join(", ")),
    ];
    let expose = rule.str_list("ExposeHeaders");
    if !expose.is_empty() {
        out.push(("Access-Control-Expose-Headers".into(), expose.join(", ")));
    }
    if let Some(age) = rule.i64("MaxAgeSeconds") {
        out.push(("Access-Control-Max-Age".into(), age.to_string()));
    }
    if !any {
        out.push(("Access-Control-Allow-Credentials".into(), "true".into()));
    }
    out.push(("Vary".into(), VARY.into()));
    out
}

const VARY: &str = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

/// The CORS headers of S3's answer to an actual (non-preflight) request:
/// those of the first rule matching its origin and method, none when no
/// rule matches, the bucket has no configuration or there is no Origin.
pub fn actual_headers(sh: &Shared, req: &HttpRequest) -> Vec<(String, String)> {
    if req.method == http::Method::OPTIONS {
        return Vec::new(); // preflights carry their own
    }
    let (Some(origin), Some((bucket, _))) = (req.header("origin"), target(req)) else { return Vec::new() };
    let Some(rules) = rules_of(sh, &bucket) else { return Vec::new() };
    match first_match(&rules, origin, req.method.as_str(), &[]) {
        Some((rule, any)) => rule_headers(rule, origin, any),
        None => Vec::new(),
    }
}

fn forbidden(message: &str, method: &str, object: bool) -> HttpResponse {
    let resource = if object { "OBJECT" } else { "BUCKET" };
    error(
        403,
        "AccessForbidden",
        &format!("CORSResponse: {message}"),
        &[("Method", method), ("ResourceType", resource)],
    )
}

/// Answers a preflight the way S3 does.
pub fn preflight(sh: &Shared, req: &HttpRequest) -> HttpResponse {
    let (Some((bucket, object)), Some(origin)) = (target(req), req.header("origin")) else {
        return error(400, "BadRequest", "Insufficient information. Origin request header needed.", &[]);
    };
    let Some(rules) = rules_of(sh, &bucket) else {
        let method = req.header("access-control-request-method").unwrap_or("OPTIONS");
        return match sh.bucket_opt(&bucket) {
            Ok(Some(_)) => forbidden("CORS is not enabled for this bucket.", method, object),
            _ => forbidden("Bucket not found", method, object),
        };
    };
    let Some(method) = req.header("access-control-request-method") else {
        return error(400, "BadRequest", "Invalid Access-Control-Request-Method: null", &[]);
    };
    let requested: Vec<String> = req
        .header("access-control-request-headers")
        .map(|h| h.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let Some((rule, any)) = first_match(&rules, origin, method, &requested) else {
        return forbidden(
            "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
            method,
            object,
        );
    };
    let mut resp = HttpResponse { status: 200, ..Default::default() };
    for (k, v) in rule_headers(rule, origin, any) {
        if k == "Vary" && !requested.is_empty() {
            resp = resp.header("Access-Control-Allow-Headers", requested.join(", "));
        }
        resp = resp.header(&k, v);
    }
    resp
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
