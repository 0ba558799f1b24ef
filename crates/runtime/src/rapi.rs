//! The Runtime API (`2018-06-01`) of one environment: an HTTP/1.1 listener
//! on a loopback port serving `GET /runtime/invocation/next` (long poll),
//! `POST /runtime/invocation/{id}/response|error` and
//! `POST /runtime/init/error` (and `/runtime/restore/error`, a failed
//! after-restore hook, which ends the environment the same way), with AWS's
//! headers and status codes. A response posted with
//! `Lambda-Runtime-Function-Response-Mode: streaming` is read frame by frame
//! and forwarded to the invocation's stream as it arrives, an error
//! mid-stream coming as the `Lambda-Runtime-Function-Error-Type`/`-Body` trailers.

use crate::invocation::{Invocation, Outcome, ResponseStream};
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};

/// Largest synchronous response the runtime may post (AWS: 6 MB; RIE allows 100 bytes more).
pub const MAX_RESPONSE: usize = 6 * 1024 * 1024 + 100;

/// Largest streamed response (AWS's soft limit: 20 MB).
pub const MAX_STREAMED_RESPONSE: usize = 20 * 1024 * 1024;

/// An invocation waiting for the runtime, with the channels that report on it.
pub struct Pending {
    pub invocation: Invocation,
    /// Told the deadline when the runtime takes the event.
    pub delivered: oneshot::Sender<Instant>,
    pub reply: oneshot::Sender<Outcome>,
}

/// The environment's life as the Runtime API sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Running,
    InitError { body: Bytes, error_type: Option<String> },
}

struct Current {
    request_id: String,
    reply: oneshot::Sender<Outcome>,
    stream: Option<ResponseStream>,
}

struct Shared {
    queue: tokio::sync::Mutex<mpsc::Receiver<Pending>>,
    current: Mutex<Option<Current>>,
    status: watch::Sender<Status>,
    /// When the runtime first asked for an event (init finished).
    first_next: Mutex<Option<Instant>>,
}

/// A running Runtime API listener.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl RuntimeApi {
    /// Binds a loopback port and serves it; invocations arrive through `queue`.
    pub async fn start(queue: mpsc::Receiver<Pending>) -> std::io::Result<RuntimeApi> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (status, _) = watch::channel(Status::Running);
        let shared = Arc::new(Shared {
            queue: tokio::sync::Mutex::new(queue),
            current: Mutex::new(None),
            status,
            first_next: Mutex::new(None),
        });
        let s = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let _ = stream.set_nodelay(true);
                let s = s.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| handle(s.clone(), req));
                    let _ =
                        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                });
            }
        });
        Ok(RuntimeApi { addr, shared, task })
    }

    /// Watches the environment's status (init errors).
    pub fn status(&self) -> watch::Receiver<Status> {
        self.shared.status.subscribe()
    }

    /// When the runtime first called `/next`, if it has.
    pub fn first_next(&self) -> Option<Instant> {
        self.shared.first_next.lock().ok().and_then(|g| *g)
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Resp = Response<Full<Bytes>>;

fn json(status: StatusCode, body: &str) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert("content-type", http::HeaderValue::from_static("application/json"));
    r
}

fn error_json(status: StatusCode, error_type: &str, message: &str) -> Resp {
    let body = format!("{{\"errorMessage\":{},\"errorType\":{}}}", quote(message), quote(error_type));
    json(status, &body)
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, Infallible> {
    let path = req.uri().path().to_string();
    let Some(rest) = path.strip_prefix("/2018-06-01/runtime/") else {
        if path == "/2018-06-01/ping" || path == "/ping" {
            return Ok(json(StatusCode::OK, "pong"));
        }
        return Ok(error_json(StatusCode::NOT_FOUND, "InvalidRequest", "not found"));
    };
    let method = req.method().clone();
    Ok(match (method.as_str(), rest) {
        ("GET", "invocation/next") => next(&shared).await,
        ("POST", "init/error") | ("POST", "restore/error") => {
            let (error_type, body) = read_error(req).await;
            shared.status.send_if_modified(|s| {
                if *s == Status::Running {
                    *s = Status::InitError { body, error_type };
                    true
                } else {
                    false
                }
            });
            json(StatusCode::ACCEPTED, "{\"status\":\"OK\"}")
        }
        ("POST", r) if r.starts_with("invocation/") => {
            let tail = &r["invocation/".len()..];
            if let Some(id) = tail.strip_suffix("/response") {
                let id = id.to_string();
                respond(&shared, &id, req).await
            } else if let Some(id) = tail.strip_suffix("/error") {
                let id = id.to_string();
                let (error_type, body) = read_error(req).await;
                finish(&shared, &id, Outcome::Error { body, error_type })
            } else {
                error_json(StatusCode::NOT_FOUND, "InvalidRequest", "not found")
            }
        }
        _ => error_json(StatusCode::NOT_FOUND, "InvalidRequest", "not found"),
    })
}

async fn next(shared: &Shared) -> Resp {
    {
        if let Ok(mut f) = shared.first_next.lock()
            && f.is_none()
        {
            *f = Some(Instant::now());
        }
    }
    let pending = {
        let mut q = shared.queue.lock().await;
        q.recv().await
    };
    let Some(p) = pending else {
        // The environment is shutting down: hold the poll until it is killed.
        return std::future::pending::<Resp>().await;
    };
    let inv = p.invocation;
    let deadline = Instant::now() + inv.timeout;
    let deadline_ms = SystemTime::now()
        .checked_add(inv.timeout)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .unwrap_or(Duration::ZERO)
        .as_millis();
    if let Ok(mut cur) = shared.current.lock() {
        *cur = Some(Current { request_id: inv.request_id.clone(), reply: p.reply, stream: inv.stream.clone() });
    }
    let _ = p.delivered.send(deadline);
    let mut r = Response::new(Full::new(inv.payload));
    let h = r.headers_mut();
    let mut put = |name: &'static str, value: &str| {
        if !value.is_empty()
            && let Ok(v) = http::HeaderValue::from_str(value)
        {
            h.insert(name, v);
        }
    };
    put("lambda-runtime-aws-request-id", &inv.request_id);
    put("lambda-runtime-deadline-ms", &deadline_ms.to_string());
    put("lambda-runtime-invoked-function-arn", &inv.invoked_function_arn);
    put("lambda-runtime-trace-id", &inv.trace_id);
    put("lambda-runtime-client-context", inv.client_context.as_deref().unwrap_or(""));
    put("lambda-runtime-cognito-identity", inv.cognito_identity.as_deref().unwrap_or(""));
    put("content-type", "application/json");
    r
}

/// Hands `outcome` to the waiting caller if `id` is the current invocation.
fn finish(shared: &Shared, id: &str, outcome: Outcome) -> Resp {
    let cur = match shared.current.lock() {
        Ok(mut g) => match g.as_ref() {
            Some(c) if c.request_id == id => g.take(),
            _ => None,
        },
        Err(_) => None,
    };
    match cur {
        Some(c) => {
            let _ = c.reply.send(outcome);
            json(StatusCode::ACCEPTED, "{\"status\":\"OK\"}")
        }
        None => not_current(id),
    }
}

fn not_current(id: &str) -> Resp {
    error_json(
        StatusCode::FORBIDDEN,
        "InvalidStateTransition",
        &format!("Invalid request ID: {id} is not the current invocation"),
    )
}

async fn respond(shared: &Shared, id: &str, req: Request<Incoming>) -> Resp {
    let streaming = req
        .headers()
        .get("lambda-runtime-function-response-mode")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"streaming"));
    if streaming {
        return respond_streaming(shared, id, req).await;
    }
    match Limited::new(req.into_body(), MAX_RESPONSE).collect().await {
        Ok(b) => {
            let resp = finish(shared, id, Outcome::Response(b.to_bytes()));
            // The caller just woken usually runs on this thread: let it answer
            // its client before the runtime's acknowledgement is written.
            tokio::task::yield_now().await;
            resp
        }
        Err(_) => too_large(shared, id, MAX_RESPONSE),
    }
}

/// Ends invocation `id` as over the `limit`, answering the runtime as AWS does.
fn too_large(shared: &Shared, id: &str, limit: usize) -> Resp {
    let resp = finish(shared, id, Outcome::ResponseTooLarge(limit));
    if resp.status() == StatusCode::ACCEPTED {
        error_json(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Function.ResponseSizeTooLarge",
            &format!("Response payload size exceeded maximum allowed payload size ({limit} bytes)."),
        )
    } else {
        resp
    }
}

/// The stream of invocation `id`: `None` if it is not the current one.
fn current_stream(shared: &Shared, id: &str) -> Option<Option<ResponseStream>> {
    let cur = shared.current.lock().ok()?;
    cur.as_ref().filter(|c| c.request_id == id).map(|c| c.stream.clone())
}

/// A streamed response: each data frame goes to the invocation's stream as
/// it arrives (or is buffered when the caller takes no stream); the error
/// trailers, if any, end the invocation as a function error.
async fn respond_streaming(shared: &Shared, id: &str, req: Request<Incoming>) -> Resp {
    let Some(mut sink) = current_stream(shared, id) else { return not_current(id) };
    if let (Some(s), Some(ct)) = (&sink, req.headers().get(http::header::CONTENT_TYPE)) {
        let _ = s.content_type.set(String::from_utf8_lossy(ct.as_bytes()).into_owned());
    }
    let limit = if sink.is_some() { MAX_STREAMED_RESPONSE } else { MAX_RESPONSE };
    let mut body = req.into_body();
    let (mut buffered, mut total, mut error) = (Vec::new(), 0usize, None);
    while let Some(Ok(frame)) = body.frame().await {
        let data = match frame.into_data() {
            Ok(data) => data,
            Err(frame) => {
                error = frame.trailers_ref().and_then(trailer_error);
                continue;
            }
        };
        total += data.len();
        if total > limit {
            return too_large(shared, id, limit);
        }
        // A caller that went away stops taking chunks; the function runs on.
        let gone = match &sink {
            Some(s) => s.chunks.send(data).await.is_err(),
            None if limit == MAX_RESPONSE => {
                buffered.extend_from_slice(&data);
                false
            }
            None => false,
        };
        if gone {
            sink = None;
        }
    }
    let outcome = match error {
        Some((error_type, body)) => Outcome::Error { body, error_type: Some(error_type) },
        None => Outcome::Response(Bytes::from(buffered)),
    };
    finish(shared, id, outcome)
}

/// The function error a streamed response's trailers report: its type and
/// its body (base64 in the trailer).
fn trailer_error(trailers: &http::HeaderMap) -> Option<(String, Bytes)> {
    use base64::Engine;
    let error_type = trailers.get("lambda-runtime-function-error-type")?.to_str().ok()?.to_string();
    let raw = trailers.get("lambda-runtime-function-error-body").map(|v| v.as_bytes()).unwrap_or_default();
    let body = base64::engine::general_purpose::STANDARD.decode(raw).map(Bytes::from).unwrap_or_else(|_| {
        let message = format!("{{\"errorType\":{},\"errorMessage\":\"\"}}", quote(&error_type));
        Bytes::from(message)
    });
    Some((error_type, body))
}

async fn read_error(req: Request<Incoming>) -> (Option<String>, Bytes) {
    let error_type =
        req.headers().get("lambda-runtime-function-error-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = Limited::new(req.into_body(), MAX_RESPONSE).collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    (error_type, body)
}
