//! Operations with streaming payloads (S3 PutObject, UploadPart, GetObject):
//! recognised from the request head alone, authenticated before the body is
//! read, and called with the body as a `BodyStream` that a task fills as the
//! bytes arrive; a streaming output is sent on as it is produced.

use crate::app::App;
use crate::gateway::{prepare, to_path_style};
use crate::{identity, payload};
use hyper::body::Incoming;
use stratus_auth::Payload;
use stratus_core::{AwsError, BodyStream, Streamed};
use stratus_protocol::model::{Operation, Protocol, ServiceModel};
use stratus_protocol::{HttpRequest, HttpResponse, decode, encode, rest, router};

/// An operation found from a request's head, with its URI labels.
pub type Found = (&'static Operation, rest::Labels);

/// A request whose operation streams its input or output payload.
pub struct Route {
    model: &'static ServiceModel,
    wire: Protocol,
}

/// What the head of a request says about how to serve it.
pub enum Head {
    /// An operation with a streaming payload: served before the body is read.
    Streaming(Route),
    /// A REST request already routed to its service (and, for services with
    /// streaming operations, to its operation): the body is read whole.
    Routed(&'static ServiceModel, Protocol, Option<Found>),
    /// Anything else (introspection, data planes, preflights, RPC-style
    /// requests): the front door routes it once the body is read.
    Other,
}

/// Routes a request from its head alone where that is possible.
pub fn route(app: &App, req: &HttpRequest) -> Head {
    if req.header("x-amz-target").is_some()
        || req.content_type() == "application/x-www-form-urlencoded"
        || req.method == http::Method::OPTIONS
        || req.path.starts_with("/_stratus/")
        || app.services.values().any(|s| s.claims(req))
    {
        return Head::Other;
    }
    let scope = stratus_auth::credential_scope(&req.headers, &req.query);
    let Some((model, wire)) = router::route(req, scope.as_ref().and_then(|s| s.service.as_deref())) else {
        return Head::Other;
    };
    if !matches!(wire, Protocol::RestXml | Protocol::RestJson) {
        return Head::Other;
    }
    if !model.operations.iter().any(|op| streaming(model, op)) {
        return Head::Routed(model, wire, None);
    }
    let found = if model.name == "s3" {
        let mut path_style = req.clone();
        to_path_style(model, &mut path_style);
        rest::find_operation(model, &path_style)
    } else {
        rest::find_operation(model, req)
    };
    match found {
        Some((op, _)) if streaming(model, op) => Head::Streaming(Route { model, wire }),
        found => Head::Routed(model, wire, found),
    }
}

fn streaming(model: &ServiceModel, op: &Operation) -> bool {
    rest::streaming_payload(model, op.input).is_some() || rest::streaming_payload(model, op.output).is_some()
}

/// Serves a streaming request: authenticate from the head, decode the
/// non-payload members, then hand the service the body as it arrives.
pub async fn dispatch(
    app: &App,
    mut req: HttpRequest,
    body: Incoming,
    Route { model, wire }: Route,
) -> (HttpResponse, &'static str, &'static str) {
    let request_id = stratus_core::ids::request_id();
    let fail = |err: AwsError, op: &'static str| (encode::error(Some(model), wire, &err, &request_id), model.name, op);
    let scope = stratus_auth::credential_scope(&req.headers, &req.query);
    let who = match identity::authenticate(app, &req, (model, wire), scope, Payload::Streaming).await {
        Ok(who) => who,
        Err(err) => return fail(err, "auth"),
    };
    let framing = payload::Framing::of(&req, who.verified.as_ref());
    let declared_len = payload::declared_len(&req);
    let announced_trailers = payload::announced_trailers(&req);
    payload::describe_decoded(&mut req);
    to_path_style(model, &mut req);
    let decoded = match decode::decode(model, wire, &req) {
        Ok(d) => d,
        Err(err) => return fail(err, "invalid"),
    };
    let op = decoded.operation;
    let (service, ctx) = match prepare(app, model, op, who, request_id.clone()) {
        Ok(found) => found,
        Err(err) => return fail(err, op.name),
    };
    let (tx, mut stream) = BodyStream::channel(16, declared_len);
    stream.announced_trailers = announced_trailers;
    payload::pump(body, framing, tx, move |f| identity::failure(f, model, wire));
    match service.call_streaming(&ctx, decoded.input, stream).await {
        Ok(Streamed { output, body }) => {
            let mut resp = encode::output(model, wire, op, &output, &request_id);
            resp.stream = body;
            (resp, model.name, op.name)
        }
        Err(err) => {
            if err.status >= 500 {
                tracing::warn!("{}.{} failed: {err}", model.name, op.name);
            }
            fail(err, op.name)
        }
    }
}
