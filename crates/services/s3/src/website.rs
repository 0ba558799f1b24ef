//! Static website hosting: the website configuration (Put/Get/Delete
//! BucketWebsite, validated as AWS does) and the website endpoint, reached
//! with a Host of `{bucket}.s3-website.{anything}` or
//! `{bucket}.s3-website-{region}.{anything}` (e.g.
//! `my-site.s3-website.localhost:4566`): index documents (with the 302 from
//! `dir` to `dir/`), error documents, redirects (all requests, routing
//! rules, objects' WebsiteRedirectLocation) and AWS's HTML error pages.
//! Objects are served whatever their ACL (Stratus does not evaluate ACLs).

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, HttpRequest, HttpResponse};

use crate::buckets::update;
use crate::error::{invalid_argument, invalid_request, malformed_xml, no_such_config};
use crate::shared::Shared;

fn no_website(bucket: &str) -> AwsError {
    no_such_config("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration", bucket)
}

pub async fn put(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let conf = input.get("WebsiteConfiguration").cloned().ok_or_else(malformed_xml)?;
    validate(&conf)?;
    update(sh, input.req_str("Bucket")?, move |b| {
        b.website = Some(conf.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub fn get(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    sh.bucket(name)?.website.ok_or_else(|| no_website(name))
}

pub async fn delete(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    update(sh, input.req_str("Bucket")?, |b| {
        b.website = None;
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

fn validate(conf: &Value) -> Result<(), AwsError> {
    let protocol_ok = |r: &Value| r.str("Protocol").is_none_or(|p| p == "http" || p == "https");
    let bad_protocol = || {
        invalid_request(
            "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.",
        )
    };
    if let Some(all) = conf.get("RedirectAllRequestsTo") {
        if ["IndexDocument", "ErrorDocument", "RoutingRules"].iter().any(|k| conf.get(*k).is_some()) {
            return Err(invalid_argument(
                "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
                "RedirectAllRequestsTo",
                Some("not null"),
            ));
        }
        if all.str("HostName").is_none() {
            return Err(malformed_xml());
        }
        return if protocol_ok(all) { Ok(()) } else { Err(bad_protocol()) };
    }
    let not_well_formed = "The IndexDocument Suffix is not well formed";
    match conf.get("IndexDocument").and_then(|i| i.str("Suffix")) {
        None => {
            return Err(invalid_argument(
                "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
                "IndexDocument",
                Some("null"),
            ));
        }
        Some("") => return Err(invalid_argument(not_well_formed, "IndexDocument", Some(""))),
        Some(s) if s.contains('/') => return Err(invalid_argument(not_well_formed, "IndexDocument", Some(s))),
        Some(_) => {}
    }
    for rule in conf.list("RoutingRules") {
        let redirect = rule.get("Redirect").ok_or_else(malformed_xml)?;
        if let Some(c) = rule.get("Condition")
            && c.str("KeyPrefixEquals").is_none()
            && c.str("HttpErrorCodeReturnedEquals").is_none()
        {
            return Err(invalid_request(
                "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.",
            ));
        }
        if !protocol_ok(redirect) {
            return Err(bad_protocol());
        }
        if redirect.str("ReplaceKeyPrefixWith").is_some() && redirect.str("ReplaceKeyWith").is_some() {
            return Err(invalid_request("You can only define ReplaceKeyPrefix or ReplaceKey but not both."));
        }
    }
    Ok(())
}

/// The bucket a website request is for, from its Host.
fn website_bucket(req: &HttpRequest) -> Option<&str> {
    let host = req.header("host")?;
    let at = host.find(".s3-website")?;
    let rest = &host[at + ".s3-website".len()..];
    (at > 0 && (rest.starts_with('.') || rest.starts_with('-'))).then(|| &host[..at])
}

/// Whether the front door should hand this request to the website endpoint.
pub fn claims(req: &HttpRequest) -> bool {
    website_bucket(req).is_some()
}

/// One HTML error page as the website endpoint writes it.
struct Page {
    status: u16,
    code: String,
    message: String,
    /// More `<li>` lines (e.g. `Key: index.html`).
    details: Vec<String>,
}

impl Page {
    fn of(e: &AwsError, details: Vec<String>) -> Page {
        Page { status: e.status, code: e.code.clone(), message: e.message.clone(), details }
    }

    /// The page, with the failure to fetch the custom error document if any.
    fn render(&self, request_id: &str, custom: Option<&Page>) -> HttpResponse {
        let title = format!("{} {}", self.status, reason(self.status));
        let mut html = format!("<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n");
        html.push_str(&format!("<li>Code: {}</li>\n<li>Message: {}</li>\n", self.code, self.message));
        for d in &self.details {
            html.push_str(&format!("<li>{d}</li>\n"));
        }
        html.push_str(&format!("<li>RequestId: {request_id}</li>\n<li>HostId: {request_id}</li>\n</ul>\n"));
        if let Some(c) = custom {
            html.push_str("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n");
            html.push_str(&format!("<li>Code: {}</li>\n<li>Message: {}</li>\n", c.code, c.message));
            for d in &c.details {
                html.push_str(&format!("<li>{d}</li>\n"));
            }
            html.push_str("</ul>\n");
        }
        html.push_str("<hr/>\n</body>\n</html>\n");
        HttpResponse::new(self.status, "text/html; charset=utf-8", html).header("x-amz-request-id", request_id)
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        301 => "Moved Permanently",
        304 => "Not Modified",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        412 => "Precondition Failed",
        416 => "Requested Range Not Satisfiable",
        _ => "Error",
    }
}

/// Serves a website request.
pub async fn serve(sh: &Shared, req: &HttpRequest) -> HttpResponse {
    let request_id = stratus_core::ids::request_id();
    let bucket = website_bucket(req).unwrap_or_default().to_string();
    let head = req.method == http::Method::HEAD;
    if req.method != http::Method::GET && !head {
        let e = AwsError::new(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
        let details = vec![format!("Method: {}", req.method), "ResourceType: OBJECT".to_string()];
        return Page::of(&e, details).render(&request_id, None);
    }
    let conf = match sh.bucket(&bucket) {
        Ok(b) => b.website,
        Err(e) => return Page::of(&e, vec![format!("BucketName: {bucket}")]).render(&request_id, None),
    };
    let Some(conf) = conf else {
        return Page::of(&no_website(&bucket), vec![format!("BucketName: {bucket}")]).render(&request_id, None);
    };
    let requested =
        percent_encoding::percent_decode_str(req.path.trim_start_matches('/')).decode_utf8_lossy().to_string();
    if let Some(all) = conf.get("RedirectAllRequestsTo") {
        let host = all.str("HostName").unwrap_or_default();
        let location = format!("{}://{host}/{requested}", all.str("Protocol").unwrap_or("http"));
        return redirect(301, &location);
    }
    let rules = conf.list("RoutingRules");
    if let Some(r) = rules.iter().find(|r| matches_rule(r, &requested, None)) {
        return redirect_by(r, req, &requested);
    }
    let suffix = conf.get("IndexDocument").and_then(|i| i.str("Suffix")).unwrap_or("index.html");
    let key = if requested.is_empty() || requested.ends_with('/') {
        format!("{requested}{suffix}")
    } else {
        requested.clone()
    };
    let failed = match read(sh, &bucket, &key, req, head) {
        Ok(resp) => return resp,
        Err(e) => e,
    };
    if failed.code == "NoSuchKey" && !key.ends_with(suffix) && exists(sh, &bucket, &format!("{key}/{suffix}")) {
        return redirect(302, &format!("/{key}/"));
    }
    let code = failed.status.to_string();
    if let Some(r) = rules.iter().find(|r| matches_rule(r, &requested, Some(&code))) {
        return redirect_by(r, req, &requested);
    }
    let page = Page::of(&failed, if failed.code == "NoSuchKey" { vec![format!("Key: {key}")] } else { Vec::new() });
    let Some(error_key) = conf.get("ErrorDocument").and_then(|d| d.str("Key")) else {
        return page.render(&request_id, None);
    };
    match read(sh, &bucket, error_key, req, head) {
        Ok(mut resp) => {
            resp.status = failed.status;
            resp
        }
        Err(e) => page.render(&request_id, Some(&Page::of(&e, vec![format!("Key: {error_key}")]))),
    }
}

fn exists(sh: &Shared, bucket: &str, key: &str) -> bool {
    sh.find(bucket, key, None).is_ok_and(|v| !v.delete_marker)
}

/// Whether a routing rule applies: before the lookup (`code` None) rules
/// without an error-code condition, after a failed one those naming its code.
fn matches_rule(rule: &Value, key: &str, code: Option<&str>) -> bool {
    let cond = rule.get("Condition");
    let prefix_ok = cond.and_then(|c| c.str("KeyPrefixEquals")).is_none_or(|p| key.starts_with(p));
    let wanted = cond.and_then(|c| c.str("HttpErrorCodeReturnedEquals"));
    prefix_ok && wanted == code
}

fn redirect_by(rule: &Value, req: &HttpRequest, key: &str) -> HttpResponse {
    let r = rule.get("Redirect").cloned().unwrap_or(Value::Null);
    let host = r.str("HostName").or_else(|| req.header("host")).unwrap_or("localhost");
    let prefix = rule.get("Condition").and_then(|c| c.str("KeyPrefixEquals")).unwrap_or("");
    let new_key = match (r.str("ReplaceKeyWith"), r.str("ReplaceKeyPrefixWith")) {
        (Some(k), _) => k.to_string(),
        (None, Some(p)) => format!("{p}{}", key.strip_prefix(prefix).unwrap_or(key)),
        (None, None) => key.to_string(),
    };
    let status = r.str("HttpRedirectCode").and_then(|c| c.parse().ok()).unwrap_or(301);
    redirect(status, &format!("{}://{host}/{new_key}", r.str("Protocol").unwrap_or("http")))
}

fn redirect(status: u16, location: &str) -> HttpResponse {
    HttpResponse::new(status, "text/html; charset=utf-8", "").header("Location", location)
}

/// An object's answer: its body and headers, or its redirect location.
fn read(sh: &Shared, bucket: &str, key: &str, req: &HttpRequest, head: bool) -> Result<HttpResponse, AwsError> {
    let mut input = json!({"Bucket": bucket, "Key": key});
    for (header, member) in [
        ("if-match", "IfMatch"),
        ("if-none-match", "IfNoneMatch"),
        ("if-modified-since", "IfModifiedSince"),
        ("if-unmodified-since", "IfUnmodifiedSince"),
        ("range", "Range"),
    ] {
        if let Some(v) = req.header(header) {
            let value = match member {
                "IfModifiedSince" | "IfUnmodifiedSince" => match stratus_core::clock::parse_timestamp(v) {
                    Some(t) => Value::from(t),
                    None => continue,
                },
                _ => Value::from(v),
            };
            input[member] = value;
        }
    }
    let streamed = match crate::objects::read(sh, &input, !head) {
        Ok(s) => s,
        Err(e) if e.status == 304 => return Ok(HttpResponse::new(304, "text/html", "")),
        Err(e) => return Err(e),
    };
    let out = streamed.output;
    if let Some(location) = out.str("WebsiteRedirectLocation") {
        return Ok(redirect(301, location));
    }
    let status = if out.get("ContentRange").is_some() { 206 } else { 200 };
    let mut resp = HttpResponse::new(status, out.str("ContentType").unwrap_or("binary/octet-stream"), "");
    resp.stream = streamed.body;
    let length = out.get("ContentLength").and_then(Value::as_u64).unwrap_or(0);
    resp = resp.header("Content-Length", length.to_string());
    if let Some(t) = out.get("LastModified").and_then(Value::as_f64) {
        resp = resp.header("Last-Modified", stratus_core::clock::http_date(t));
    }
    for (member, header) in [
        ("ETag", "ETag"),
        ("ContentRange", "Content-Range"),
        ("ContentEncoding", "Content-Encoding"),
        ("ContentDisposition", "Content-Disposition"),
        ("ContentLanguage", "Content-Language"),
        ("CacheControl", "Cache-Control"),
        ("Expires", "Expires"),
    ] {
        if let Some(v) = out.str(member) {
            resp = resp.header(header, v);
        }
    }
    for (k, v) in out.get("Metadata").and_then(Value::as_object).into_iter().flatten() {
        if let Some(v) = v.as_str() {
            resp = resp.header(&format!("x-amz-meta-{k}"), v);
        }
    }
    Ok(resp)
}
