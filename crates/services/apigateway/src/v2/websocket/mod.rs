//! WebSocket APIs served: the handshake at an API's invoke address
//! (`accept`) and its `$connect` authorizer (`authorizer`), each connection's session of messages (`session`), the route
//! a message selects and its integration (`route`; HTTP and AWS ones in
//! `outbound`, their mapping templates in `template`), the events Lambda
//! functions receive (`event`), the registry of open connections
//! (`connections`) and the `@connections` API that reaches them (`manage`).

pub mod accept;
mod authorizer;
mod connections;
mod event;
pub mod manage;
mod outbound;
mod route;
mod session;
mod template;

pub use connections::Connections;

use crate::invoke::address::Address;
use crate::state::Shared;
use stratus_core::{HttpRequest, HttpResponse};

/// Answers a plain HTTP request to a WebSocket API: a `@connections` call,
/// or 426 (only WebSocket handshakes are served there).
pub fn serve_http(s: &Shared, req: &HttpRequest, address: &Address) -> HttpResponse {
    match manage::connection_id(&address.full_path()) {
        Some(id) => manage::serve(s, req, &id, Some(&address.api_id)),
        None => HttpResponse::new(426, "application/json", "{\"message\":\"Upgrade Required\"}"),
    }
}
