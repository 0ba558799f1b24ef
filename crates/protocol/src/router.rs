//! Which service a request is for, in the order LocalStack's gateway proved:
//! the SigV4 credential scope, the `X-Amz-Target` prefix, REST path and host
//! rules, the Query `Action` field, and S3 as the fallback. Also picks the
//! wire protocol (SQS takes both its JSON and its legacy Query form).

use crate::generated::ALL;
use crate::model::{Protocol, ServiceModel};
use crate::rest;
use stratus_core::http::HttpRequest;

/// Finds the service for `req`. `scope_service` is the service named in the
/// request's SigV4 credential scope, if it was signed.
pub fn route(req: &HttpRequest, scope_service: Option<&str>) -> Option<(&'static ServiceModel, Protocol)> {
    let model = by_scope(req, scope_service)
        .or_else(|| by_target(req))
        .or_else(|| by_host(req))
        .or_else(|| by_path(req))
        .or_else(|| by_action(req))
        .or_else(|| crate::model("s3"))?;
    Some((model, wire_protocol(model, req)))
}

/// The protocol this request is written in for `model`.
pub fn wire_protocol(model: &ServiceModel, req: &HttpRequest) -> Protocol {
    match model.protocol {
        Protocol::AwsJson10 | Protocol::AwsJson11 if req.header("x-amz-target").is_none() => {
            if model.query_compatible || req.content_type() == "application/x-www-form-urlencoded" {
                Protocol::Query
            } else {
                model.protocol
            }
        }
        p => p,
    }
}

fn by_scope(req: &HttpRequest, scope: Option<&str>) -> Option<&'static ServiceModel> {
    let scope = scope?;
    let candidates: Vec<&'static ServiceModel> =
        ALL.iter().copied().filter(|m| m.signing_name == scope || m.endpoint_prefix == scope).collect();
    match candidates.len() {
        0 => None,
        1 => Some(candidates[0]),
        _ => {
            if let Some(m) =
                target_prefix(req).and_then(|prefix| candidates.iter().find(|m| m.target_prefix == Some(prefix)))
            {
                return Some(m);
            }
            best_rest_match(req, candidates.iter().copied()).or(Some(candidates[0]))
        }
    }
}

fn target_prefix(req: &HttpRequest) -> Option<&str> {
    req.header("x-amz-target").and_then(|t| t.rsplit_once('.')).map(|(p, _)| p)
}

fn by_target(req: &HttpRequest) -> Option<&'static ServiceModel> {
    let prefix = target_prefix(req)?;
    ALL.iter().copied().find(|m| m.target_prefix == Some(prefix))
}

fn by_host(req: &HttpRequest) -> Option<&'static ServiceModel> {
    let host = req.host();
    if host.contains(".s3.") || host.starts_with("s3.") {
        return crate::model("s3");
    }
    None
}

/// The bucket named by a virtual-hosted-style S3 host (`photos.s3.localhost`,
/// `photos.s3.us-east-1.amazonaws.com`, `photos.localhost`); the front door
/// turns such requests into path style before decoding.
pub fn s3_virtual_host_bucket(req: &HttpRequest) -> Option<&str> {
    let host = req.host();
    let bucket = match host.find(".s3.") {
        Some(i) => &host[..i],
        None => host.strip_suffix(".localhost")?,
    };
    let ip_like = bucket.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    (!bucket.is_empty() && bucket != "s3" && !ip_like).then_some(bucket)
}

/// REST services other than S3 whose operation templates start with a
/// literal segment (`/2015-03-31/functions`, `/v2/apis`, `/restapis`).
fn by_path(req: &HttpRequest) -> Option<&'static ServiceModel> {
    let rest_models = ALL
        .iter()
        .copied()
        .filter(|m| m.protocol == Protocol::RestJson || (m.protocol == Protocol::RestXml && m.name != "s3"));
    best_rest_match(req, rest_models)
}

fn best_rest_match(
    req: &HttpRequest,
    models: impl Iterator<Item = &'static ServiceModel>,
) -> Option<&'static ServiceModel> {
    models
        .filter_map(|m| {
            rest::best_score(m, req, |op| {
                !op.request_uri.starts_with("/{") && !op.request_uri.starts_with("/?") && op.request_uri != "/"
            })
            .map(|score| (m, score))
        })
        .max_by_key(|(_, score)| *score)
        .map(|(m, _)| m)
}

fn by_action(req: &HttpRequest) -> Option<&'static ServiceModel> {
    let params = req.form_params();
    let action = params.iter().find(|(k, _)| k == "Action").map(|(_, v)| v.as_str())?;
    let version = params.iter().find(|(k, _)| k == "Version").map(|(_, v)| v.as_str());
    let mut candidates = ALL
        .iter()
        .copied()
        .filter(|m| (m.protocol == Protocol::Query || m.query_compatible) && m.operation(action).is_some());
    match version {
        Some(v) => candidates.find(|m| m.api_version == v),
        None => candidates.next(),
    }
}
