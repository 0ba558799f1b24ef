//! HTTP upgrades at the front door: an upgrade request (a WebSocket
//! handshake) that a service claims is answered by that service, and when
//! it answers 101 the connection hyper hands back goes to the service.

use crate::app::App;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use stratus_core::upgrade::{Upgrade, Upgraded, is_upgrade};
use stratus_protocol::{HttpRequest, HttpResponse};

/// The service's answer to `req` if it is an upgrade request a service
/// claims; the pending connection is taken from the request's `extensions`.
pub async fn answer(
    app: &App,
    req: &HttpRequest,
    extensions: &mut http::Extensions,
) -> Option<(HttpResponse, &'static str)> {
    if !is_upgrade(req) {
        return None;
    }
    let service = app.services.values().find(|s| s.claims_upgrade(req))?;
    let on: OnUpgrade = extensions.remove::<OnUpgrade>()?;
    let peer = extensions.get::<SocketAddr>().copied();
    let connection = Box::pin(async move {
        match on.await {
            Ok(upgraded) => Some(Box::new(TokioIo::new(upgraded)) as Upgraded),
            Err(e) => {
                tracing::debug!("upgrade failed: {e}");
                None
            }
        }
    });
    let resp = service.upgrade(req.clone(), Upgrade { connection, peer }).await;
    Some((resp, service.name()))
}
