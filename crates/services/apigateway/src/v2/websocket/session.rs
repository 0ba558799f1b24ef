//! One WebSocket connection's life after the handshake: a task writes the
//! frames queued for it (replies, `@connections` posts, the close), while
//! this one reads the client's messages, runs the route each selects and,
//! when the socket closes, forgets the connection and runs `$disconnect`.

use super::connections::{Connection, Outgoing};
use super::event::Event;
use super::route::{self, Deployed};
use crate::state::Shared;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use stratus_core::Upgraded;
use stratus_core::input::Input;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Duration, Instant};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

type Sink = SplitSink<WebSocketStream<Upgraded>, Message>;

/// How long a client has to answer the server's close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Serves the connection until it closes.
pub async fn run(
    s: Arc<Shared>,
    connection: Arc<Connection>,
    socket: Pin<Box<dyn Future<Output = Option<Upgraded>> + Send>>,
    outgoing: UnboundedReceiver<Outgoing>,
) {
    let Some(io) = socket.await else {
        s.connections.remove(&connection.id);
        return;
    };
    let (sink, mut stream) = WebSocketStream::from_raw_socket(io, Role::Server, None).await.split();
    let mut writer = tokio::spawn(write(sink, outgoing));
    let mut status = (1006, "Connection closed abnormally".to_string());
    // Once the server has closed (DeleteConnection, shutdown) the client has
    // a moment to answer with its close frame, then the connection ends.
    let mut deadline: Option<Instant> = None;
    loop {
        let frame = tokio::select! {
            frame = stream.next() => frame,
            _ = &mut writer, if deadline.is_none() => {
                deadline = Some(Instant::now() + CLOSE_GRACE);
                status = (1000, "Connection closed by the server".to_string());
                continue;
            }
            _ = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => break,
        };
        match frame {
            None => break,
            Some(Ok(Message::Text(text))) => on_message(&s, &connection, text.as_bytes(), false).await,
            Some(Ok(Message::Binary(data))) => on_message(&s, &connection, &data, true).await,
            Some(Ok(Message::Close(frame))) => status = close_status(frame),
            Some(Ok(_)) => connection.touch(),
            Some(Err(e)) => {
                tracing::debug!("WebSocket connection {} ended: {e}", connection.id);
                break;
            }
        }
    }
    s.connections.remove(&connection.id);
    writer.abort();
    disconnect(&s, &connection, status).await;
}

/// Writes queued frames until a close or the end of the queue.
async fn write(mut sink: Sink, mut outgoing: UnboundedReceiver<Outgoing>) {
    while let Some(out) = outgoing.recv().await {
        let message = match out {
            Outgoing::Text(text) => Message::Text(text.into()),
            Outgoing::Binary(data) => Message::Binary(data.into()),
            Outgoing::Close => {
                let frame = CloseFrame { code: CloseCode::Normal, reason: "".into() };
                let _ = sink.send(Message::Close(Some(frame))).await;
                return;
            }
        };
        if sink.send(message).await.is_err() {
            return;
        }
    }
}

/// The `disconnectStatusCode` and `disconnectReason` of a close frame.
fn close_status(frame: Option<CloseFrame>) -> (u16, String) {
    match frame {
        None => (1005, "Client-side close frame status not set".into()),
        Some(f) if f.reason.is_empty() => (u16::from(f.code), "Client-side close frame status set".into()),
        Some(f) => (u16::from(f.code), f.reason.to_string()),
    }
}

/// An error API Gateway sends to the client instead of an answer.
fn error_frame(message: &str, connection: &Connection, request_id: &str) -> Outgoing {
    let body = serde_json::json!({ "message": message, "connectionId": connection.id, "requestId": request_id });
    Outgoing::Text(body.to_string())
}

/// Runs the route a client message selects.
async fn on_message(s: &Shared, connection: &Connection, data: &[u8], binary: bool) {
    connection.touch();
    let request_id = uuid::Uuid::new_v4().to_string();
    let Some(deployed) = Deployed::find(s, &connection.api_id, &connection.stage) else { return };
    let Some(config) = deployed.config() else { return };
    let Some(route) = route::select(&deployed, config, data) else {
        connection.send(error_frame("Forbidden", connection, &request_id));
        return;
    };
    let vars = deployed.stage_variables();
    let route_key = route.str("RouteKey").unwrap_or_default();
    let event = Event { connection, route_key, stage_variables: &vars, request_id: request_id.clone() };
    match route::integrate(s, &deployed, config, route, &event.message(data, binary)).await {
        None => {
            connection.send(error_frame("Internal server error", connection, &request_id));
        }
        Some(answer) if route::is_two_way(config, route) && !answer.body.is_empty() => {
            connection.send(Outgoing::data(answer.body.to_vec()));
        }
        Some(_) => {}
    }
}

/// Runs the `$disconnect` route, if the API has one.
async fn disconnect(s: &Shared, connection: &Connection, (code, reason): (u16, String)) {
    let Some(deployed) = Deployed::find(s, &connection.api_id, &connection.stage) else { return };
    let Some(config) = deployed.config() else { return };
    let Some(route) = route::by_key(config, "$disconnect") else { return };
    let vars = deployed.stage_variables();
    let request_id = uuid::Uuid::new_v4().to_string();
    let event = Event { connection, route_key: "$disconnect", stage_variables: &vars, request_id };
    let _ = route::integrate(s, &deployed, config, route, &event.disconnect(code, &reason)).await;
}
