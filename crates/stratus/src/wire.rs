//! Requests one service sends another in the target's own wire format, as
//! AWS's API Gateway sends its AWS integrations to a service endpoint: the
//! action written in as the target's protocol wants it (`X-Amz-Target`
//! for JSON services, `Action` and `Version` parameters for Query ones),
//! an SQS queue named by the path as the queue-URL endpoint form does,
//! then decoded, called as the sender's account and region (no signature:
//! the sender is Stratus itself), and encoded as the front door would.

use crate::gateway::to_path_style;
use std::sync::Arc;
use stratus_core::settings::{WireCall, WireRequest};
use stratus_core::{AwsError, BodyStream, Peers, RequestContext, Streamed};
use stratus_protocol::model::{Protocol, ServiceModel};
use stratus_protocol::{HttpRequest, HttpResponse, decode, encode, generated, rest, router};

/// The [`WireCall`] installed in the services' settings.
pub fn wire_call(peers: Peers) -> Arc<WireCall> {
    Arc::new(move |w: WireRequest| {
        let peers = peers.clone();
        Box::pin(async move { serve(&peers, w).await })
    })
}

fn model_of(service: &str) -> Option<&'static ServiceModel> {
    generated::ALL
        .iter()
        .copied()
        .find(|m| m.name == service)
        .or_else(|| generated::ALL.iter().copied().find(|m| m.endpoint_prefix == service || m.signing_name == service))
}

/// Writes `action` into `req` as `model`'s protocol carries it.
fn with_action(model: &ServiceModel, req: &mut HttpRequest, action: &str) -> Result<(), AwsError> {
    match (model.protocol, model.target_prefix) {
        (Protocol::AwsJson10 | Protocol::AwsJson11, Some(prefix)) if !model.query_compatible => {
            let version = if model.protocol == Protocol::AwsJson10 { "1.0" } else { "1.1" };
            let target = http::HeaderValue::from_str(&format!("{prefix}.{action}"))
                .map_err(|_| AwsError::bad_request("InvalidAction", format!("Invalid action {action}")))?;
            req.headers.insert("x-amz-target", target);
            if !req.content_type().contains("json") {
                let json = format!("application/x-amz-json-{version}");
                req.headers.insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_str(&json)
                        .map_err(|_| AwsError::new(500, "InternalFailure", "content type"))?,
                );
            }
            Ok(())
        }
        (Protocol::Query | Protocol::AwsJson10 | Protocol::AwsJson11, _) => {
            let mut query = form_urlencoded::Serializer::new(std::mem::take(&mut req.query));
            query.append_pair("Action", action).append_pair("Version", model.api_version);
            req.query = query.finish();
            Ok(())
        }
        _ => Err(AwsError::bad_request(
            "InvalidAction",
            format!("Action-style requests are not served for {}", model.name),
        )),
    }
}

/// SQS's queue-URL endpoint form: `POST /{account}/{queue}` names the
/// queue when no `QueueUrl` parameter does.
fn queue_from_path(req: &mut HttpRequest) {
    let segments = req.path.split('/').filter(|s| !s.is_empty()).count();
    if segments == 2 && !req.form_params().iter().any(|(k, _)| k == "QueueUrl") {
        let mut query = form_urlencoded::Serializer::new(std::mem::take(&mut req.query));
        query.append_pair("QueueUrl", &req.path);
        req.query = query.finish();
    }
}

async fn serve(peers: &Peers, w: WireRequest) -> HttpResponse {
    let request_id = stratus_core::ids::request_id();
    let Some(model) = model_of(&w.service) else {
        let err = AwsError::new(404, "UnknownService", format!("No service {} in this server", w.service));
        return encode::error(None, Protocol::RestJson, &err, &request_id);
    };
    let mut req = w.request;
    let mut wire = router::wire_protocol(model, &req);
    if let Some(action) = &w.action {
        if let Err(err) = with_action(model, &mut req, action) {
            return encode::error(Some(model), wire, &err, &request_id);
        }
        wire = router::wire_protocol(model, &req);
    }
    if model.name == "sqs" && wire == Protocol::Query {
        queue_from_path(&mut req);
    }
    to_path_style(model, &mut req);
    let fail = |err: AwsError| encode::error(Some(model), wire, &err, &request_id);
    let decoded = match decode::decode(model, wire, &req) {
        Ok(d) => d,
        Err(err) => return fail(err),
    };
    let op = decoded.operation;
    let Some(service) = peers.get(model.name).filter(|s| s.operations().contains(&op.name)) else {
        let message = format!("The operation {} of service {} is not implemented by Stratus yet", op.name, model.name);
        return fail(AwsError::new(501, "NotImplemented", message));
    };
    let ctx = RequestContext {
        request_id: request_id.clone(),
        account_id: w.account_id,
        region: w.region,
        access_key: None,
        service: model.name,
        operation: op.name,
    };
    let streaming =
        rest::streaming_payload(model, op.input).is_some() || rest::streaming_payload(model, op.output).is_some();
    if streaming {
        let body = BodyStream::from_bytes(req.body.clone());
        return match service.call_streaming(&ctx, decoded.input, body).await {
            Ok(Streamed { output, body }) => {
                let mut resp = encode::output(model, wire, op, &output, &request_id);
                resp.stream = body;
                resp
            }
            Err(err) => fail(err),
        };
    }
    match service.call(&ctx, decoded.input).await {
        Ok(out) => encode::output(model, wire, op, &out, &request_id),
        Err(err) => fail(err),
    }
}
