//! The front door: every HTTP request enters here. It answers `/_stratus`
//! and CORS preflights, hands upgrade requests (WebSocket) to the service
//! that claims them (`upgrade`), finds the service (router), establishes who is
//! calling (identity), decodes the operation (codecs), calls the service,
//! and encodes the answer, recording metrics on the way out.

use crate::app::App;
use crate::body::ResponseBody;
use crate::streaming::{self, Head};
use crate::{cors, identity, introspection, payload, upgrade};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use std::sync::Arc;
use std::time::Instant;
use stratus_auth::Payload;
use stratus_core::{AwsError, RequestContext};
use stratus_protocol::model::{Operation, ServiceModel, ShapeId};
use stratus_protocol::{HttpRequest, HttpResponse, Protocol, decode, encode, eventstream, router};

/// Serves one request.
pub async fn handle(app: Arc<App>, req: hyper::Request<Incoming>) -> hyper::Response<ResponseBody> {
    let started = Instant::now();
    let (mut parts, body) = req.into_parts();
    let mut request = HttpRequest {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers,
        body: Bytes::new(),
    };
    if let Some((resp, service)) = upgrade::answer(&app, &request, &mut parts.extensions).await {
        app.metrics.record(service, "upgrade", resp.status, started.elapsed());
        return to_hyper(resp);
    }
    let cors_head = cors::head(&request);
    let head = streaming::route(&app, &request);
    let (mut resp, service, operation) = match head {
        Head::Streaming(route) => {
            let (mut resp, service, operation) = streaming::dispatch(&app, request, body, route).await;
            // A refused upload may leave its body unread on the connection:
            // say it closes, as S3 does, so clients do not send their next
            // request after the rest of this body.
            if resp.status >= 400 {
                resp.headers.push(("Connection".into(), "close".into()));
            }
            (resp, service, operation)
        }
        head => match body.collect().await {
            Ok(collected) => {
                request.body = collected.to_bytes();
                let routed = match head {
                    Head::Routed(model, wire, found) => Some((model, wire, found)),
                    _ => None,
                };
                dispatch(&app, request, routed).await
            }
            Err(e) => {
                tracing::debug!("request body could not be read: {e}");
                (HttpResponse::new(400, "text/plain", "request body could not be read"), "stratus", "body")
            }
        },
    };
    cors::answer(&app, service, &cors_head, &mut resp);
    app.metrics.record(service, operation, resp.status, started.elapsed());
    to_hyper(resp)
}

/// Serves a request whose body has been read; `routed` is the service (and
/// maybe the operation) its head was already routed to, if any (such requests are never
/// introspection, data-plane or preflight requests).
async fn dispatch(
    app: &App,
    mut req: HttpRequest,
    routed: Option<(&'static ServiceModel, Protocol, Option<streaming::Found>)>,
) -> (HttpResponse, &'static str, &'static str) {
    if routed.is_none() {
        if let Some(resp) = introspection::handle(app, &req.method, &req.path).await {
            return (resp, "stratus", "introspection");
        }
        if let Some(service) = app.services.values().find(|s| s.claims(&req)) {
            return (service.serve(req).await, service.name(), "data-plane");
        }
        if req.path.starts_with("/_stratus/") {
            return (introspection::not_found(&req.method, &req.path), "stratus", "introspection");
        }
        if req.method == http::Method::OPTIONS {
            let resp = cors::preflight(req.header("origin"), req.header("access-control-request-headers"));
            return (resp, "cors", "preflight");
        }
    }
    let request_id = stratus_core::ids::request_id();
    let scope = stratus_auth::credential_scope(&req.headers, &req.query);
    let scope_service = scope.as_ref().and_then(|s| s.service.as_deref());
    let Some((model, wire, found)) =
        routed.or_else(|| router::route(&req, scope_service).map(|(model, wire)| (model, wire, None)))
    else {
        let err = AwsError::new(404, "UnknownService", "No service matches this request");
        return (encode::error(None, Protocol::RestJson, &err, &request_id), "unknown", "unknown");
    };
    let fail = |err: AwsError, op: &'static str| (encode::error(Some(model), wire, &err, &request_id), model.name, op);
    let who = match identity::authenticate(app, &req, (model, wire), scope, Payload::Bytes(&req.body)).await {
        Ok(who) => who,
        Err(err) => return fail(err, "auth"),
    };
    let framing = payload::Framing::of(&req, who.verified.as_ref());
    if let Err(f) = payload::decode_whole(&mut req, framing) {
        return fail(identity::failure(&f, model, wire), "invalid");
    }
    to_path_style(model, &mut req);
    let decoded = match decode::decode_found(model, wire, &req, found) {
        Ok(d) => d,
        Err(err) => return fail(err, "invalid"),
    };
    let op = decoded.operation;
    let (service, ctx) = match prepare(app, model, op, who, request_id.clone()) {
        Ok(found) => found,
        Err(err) => return fail(err, op.name),
    };
    if let Some(stream) = eventstream::stream_member(model, op.output) {
        let resp = stream_call(service.as_ref(), &ctx, decoded.input, (model, wire, op), stream).await;
        return (resp, model.name, op.name);
    }
    let resp = match service.call(&ctx, decoded.input).await {
        Ok(out) => encode::output(model, wire, op, &out, &request_id),
        Err(err) => {
            if err.status >= 500 {
                tracing::warn!("{}.{} failed: {err}", model.name, op.name);
            }
            encode::error(Some(model), wire, &err, &request_id)
        }
    };
    (resp, model.name, op.name)
}

/// Virtual-hosted-style S3 requests (`bucket.s3.localhost/key`) become path
/// style (`/bucket/key`), the form the model's URI templates describe.
pub(crate) fn to_path_style(model: &ServiceModel, req: &mut HttpRequest) {
    if model.name != "s3" {
        return;
    }
    if let Some(bucket) = router::s3_virtual_host_bucket(req) {
        req.path = format!("/{bucket}{}", req.path);
    }
}

/// The service that implements `op`, and the context of the call.
pub(crate) fn prepare(
    app: &App,
    model: &'static ServiceModel,
    op: &'static Operation,
    who: identity::Identity,
    request_id: String,
) -> Result<(Arc<dyn stratus_core::Service>, RequestContext), AwsError> {
    let Some(service) = app.services.get(model.name).filter(|s| s.operations().contains(&op.name)) else {
        return Err(AwsError::new(
            501,
            "NotImplemented",
            format!("The operation {} of service {} is not implemented by Stratus yet", op.name, model.name),
        ));
    };
    let ctx = RequestContext {
        request_id,
        account_id: who.account_id,
        region: who.region,
        access_key: who.access_key,
        service: model.name,
        operation: op.name,
    };
    Ok((service.clone(), ctx))
}

/// Runs an operation whose output is an event stream: the initial output
/// (headers, or an `initial-response` event for JSON-RPC protocols) then
/// every event the service sends, framed as it arrives.
async fn stream_call(
    service: &dyn stratus_core::Service,
    ctx: &RequestContext,
    input: serde_json::Value,
    (model, wire, op): (&'static ServiceModel, Protocol, &'static Operation),
    (member, shape): (&'static str, ShapeId),
) -> HttpResponse {
    let (events_tx, mut events_rx) = tokio::sync::mpsc::channel::<stratus_core::Event>(64);
    let out = match service.call_stream(ctx, input, events_tx).await {
        Ok(out) => out,
        Err(err) => return encode::error(Some(model), wire, &err, &ctx.request_id),
    };
    let mut resp = encode::output(model, wire, op, &out, &ctx.request_id);
    resp.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("x-amz-crc32"));
    resp.headers.push(("Content-Type".into(), eventstream::CONTENT_TYPE.into()));
    resp.body = match wire {
        Protocol::AwsJson10 | Protocol::AwsJson11 => {
            let mut rest = out.clone();
            if let Some(obj) = rest.as_object_mut() {
                obj.remove(member);
            }
            let body = op.output.map(|s| stratus_protocol::json::to_wire(model, s, &rest, false)).unwrap_or_default();
            eventstream::initial_response(&body)
        }
        _ => Bytes::new(),
    };
    let (frames_tx, frames_rx) = tokio::sync::mpsc::channel::<Bytes>(64);
    tokio::spawn(async move {
        while let Some(ev) = events_rx.recv().await {
            if frames_tx.send(eventstream::event(model, shape, &ev)).await.is_err() {
                break; // the client went away
            }
        }
    });
    resp.stream = Some(frames_rx);
    resp
}

fn to_hyper(resp: HttpResponse) -> hyper::Response<ResponseBody> {
    let mut builder = hyper::Response::builder().status(resp.status);
    for (name, value) in &resp.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = match resp.stream {
        Some(rest) => ResponseBody::streaming(resp.body, rest),
        None => ResponseBody::full(resp.body),
    };
    builder.body(body).unwrap_or_else(|e| {
        tracing::error!("could not build a response: {e}");
        let mut fallback = hyper::Response::new(ResponseBody::full(Bytes::from_static(b"internal error")));
        *fallback.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}
