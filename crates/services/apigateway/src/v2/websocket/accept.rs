//! The WebSocket handshake at a WebSocket API's invoke address (or a custom
//! domain name's API mapping to it): the stage
//! it names must be deployed; its `$connect` route, if any, admits it
//! through its authorizer (`authorizer`), runs and refuses the connection
//! (403) unless it answers 2xx; then the connection
//! is registered and the socket handed to its session.

use super::authorizer;
use super::connections::Connection;
use super::event::Event;
use super::route::{self, Deployed};
use super::session;
use crate::invoke::address;
use crate::state::Shared;
use std::sync::Arc;
use stratus_core::{HttpRequest, HttpResponse, Upgrade};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// Whether `req` is addressed to a WebSocket API.
pub fn claims(s: &Shared, req: &HttpRequest) -> bool {
    address::resolve(s, req)
        .is_some_and(|a| crate::v2::store::any_api(s, &a.api_id).ok().flatten().is_some_and(|api| api.is_websocket()))
}

fn refusal(status: u16, message: &str) -> HttpResponse {
    HttpResponse::new(status, "application/json", serde_json::json!({ "message": message }).to_string())
}

/// The client's address: the first `X-Forwarded-For` hop, else the peer.
fn source_ip(req: &HttpRequest, upgrade: &Upgrade) -> String {
    let forwarded = req.header("x-forwarded-for").and_then(|f| f.split(',').next()).map(str::trim);
    match (forwarded, upgrade.peer) {
        (Some(ip), _) if !ip.is_empty() => ip.to_string(),
        (_, Some(peer)) => peer.ip().to_string(),
        _ => "127.0.0.1".to_string(),
    }
}

fn connect_event(
    connection: &Connection,
    vars: &serde_json::Map<String, serde_json::Value>,
    request_id: &str,
    req: &HttpRequest,
) -> serde_json::Value {
    let event = Event { connection, route_key: "$connect", stage_variables: vars, request_id: request_id.to_string() };
    event.connect(req)
}

/// Answers a WebSocket handshake: 101 and a session, or the refusal.
pub async fn accept(s: &Arc<Shared>, req: HttpRequest, upgrade: Upgrade) -> HttpResponse {
    let Some(address) = address::resolve(s, &req) else { return refusal(403, "Forbidden") };
    let key = req.header("sec-websocket-key").unwrap_or_default();
    if req.method != http::Method::GET || key.is_empty() || req.header("sec-websocket-version") != Some("13") {
        return refusal(400, "Bad Request");
    }
    let Some(deployed) = Deployed::find(s, &address.api_id, &address.stage) else { return refusal(403, "Forbidden") };
    let Some(config) = deployed.config() else { return refusal(403, "Forbidden") };
    let host = req.header("host").unwrap_or_default();
    let user_agent = req.header("user-agent").unwrap_or_default().to_string();
    let (mut connection, outgoing) =
        Connection::new((&address.api_id, &address.stage, host), source_ip(&req, &upgrade), user_agent);
    let mut resp = HttpResponse { status: 101, ..Default::default() };
    if let Some(connect) = route::by_key(config, "$connect") {
        let vars = deployed.stage_variables();
        let request_id = uuid::Uuid::new_v4().to_string();
        let event = connect_event(&connection, &vars, &request_id, &req);
        match authorizer::admit(s, &deployed, connect, &req, &event).await {
            Ok(context) => connection.authorizer = context,
            Err(refused) => return refused,
        }
        let event = connect_event(&connection, &vars, &request_id, &req);
        match route::integrate(s, &deployed, config, connect, &event).await {
            None => return refusal(500, "Internal server error"),
            Some(answer) if !(200..300).contains(&answer.status) => return refusal(403, "Forbidden"),
            Some(answer) => {
                let protocol = answer.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("sec-websocket-protocol"));
                if let Some((_, p)) = protocol {
                    resp.headers.push(("Sec-WebSocket-Protocol".into(), p.clone()));
                }
            }
        }
    }
    let connection = Arc::new(connection);
    s.connections.insert(connection.clone());
    tokio::spawn(session::run(s.clone(), connection, upgrade.connection, outgoing));
    resp.headers.push(("Upgrade".into(), "websocket".into()));
    resp.headers.push(("Connection".into(), "Upgrade".into()));
    resp.headers.push(("Sec-WebSocket-Accept".into(), derive_accept_key(key.as_bytes())));
    resp
}
