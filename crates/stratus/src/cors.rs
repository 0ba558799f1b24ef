//! CORS for browser SDKs: every response allows any origin, and OPTIONS
//! preflights are answered at the front door, except where a service
//! decides its own CORS headers (S3 follows each bucket's rules).

use crate::app::App;
use stratus_protocol::{HttpRequest, HttpResponse};

const ALLOW_HEADERS: &str = "authorization,content-type,content-md5,cache-control,x-amz-content-sha256,x-amz-date,x-amz-security-token,x-amz-user-agent,x-amz-target,x-amz-acl,x-amz-version-id,x-amzn-authorization,x-amz-checksum-crc32,x-amz-checksum-crc32c,x-amz-checksum-sha1,x-amz-checksum-sha256,x-amz-checksum-crc64nvme,x-amz-sdk-checksum-algorithm,x-amz-decoded-content-length,amz-sdk-invocation-id,amz-sdk-request,x-amz-meta-*";
const EXPOSE_HEADERS: &str = "etag,x-amz-version-id,x-amz-request-id,x-amz-id-2,x-amzn-requestid,x-amzn-errortype,x-amz-crc32,x-amz-delete-marker,x-amz-checksum-crc32,x-amz-checksum-crc32c,x-amz-checksum-sha1,x-amz-checksum-sha256,x-amz-checksum-crc64nvme";

/// What a service needs of a request to decide its CORS headers: method,
/// path, and the Host and Origin headers.
pub fn head(req: &HttpRequest) -> HttpRequest {
    let mut headers = http::HeaderMap::new();
    for name in [http::header::HOST, http::header::ORIGIN] {
        if let Some(v) = req.headers.get(&name) {
            headers.insert(name, v.clone());
        }
    }
    HttpRequest {
        method: req.method.clone(),
        path: req.path.clone(),
        query: String::new(),
        headers,
        body: bytes::Bytes::new(),
    }
}

/// Adds the CORS headers of the answer `service` gave to `head`: the
/// service's own if it decides them, else the permissive ones.
pub fn answer(app: &App, service: &str, head: &HttpRequest, resp: &mut HttpResponse) {
    match app.services.get(service).and_then(|s| s.cors_headers(head)) {
        Some(own) => resp.headers.extend(own),
        None => decorate(resp, head.header("origin")),
    }
}

/// Adds the CORS headers a browser needs to read a response, unless the
/// service answered with its own (S3 buckets with a CORS configuration).
pub fn decorate(resp: &mut HttpResponse, origin: Option<&str>) {
    if resp.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("access-control-allow-origin")) {
        return;
    }
    resp.headers.push(("Access-Control-Allow-Origin".into(), origin.unwrap_or("*").to_string()));
    resp.headers.push(("Access-Control-Expose-Headers".into(), EXPOSE_HEADERS.into()));
    if origin.is_some() {
        resp.headers.push(("Vary".into(), "Origin".into()));
    }
}

/// The answer to an OPTIONS preflight.
pub fn preflight(origin: Option<&str>, requested_headers: Option<&str>) -> HttpResponse {
    let mut resp = HttpResponse { status: 200, ..Default::default() };
    decorate(&mut resp, origin);
    resp.headers.push(("Access-Control-Allow-Methods".into(), "HEAD,GET,PUT,POST,DELETE,OPTIONS,PATCH".into()));
    resp.headers.push(("Access-Control-Allow-Headers".into(), requested_headers.unwrap_or(ALLOW_HEADERS).to_string()));
    resp.headers.push(("Access-Control-Max-Age".into(), "86400".into()));
    resp.headers.push(("Access-Control-Allow-Credentials".into(), "true".into()));
    resp
}
