//! HTTP upgrades (WebSocket): how the front door tells an upgrade request
//! apart, and the raw connection a service takes over once the `101
//! Switching Protocols` answer it chose has been sent.

use crate::HttpRequest;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use tokio::io::{AsyncRead, AsyncWrite};

/// A byte stream both ways: the connection after an upgrade.
pub trait UpgradedIo: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> UpgradedIo for T {}

/// The connection after an upgrade.
pub type Upgraded = Box<dyn UpgradedIo>;

/// An upgrade the front door will complete if the service answers 101.
pub struct Upgrade {
    /// Resolves to the raw connection once the 101 answer has been sent;
    /// `None` if the upgrade did not happen (the client left, another answer).
    pub connection: Pin<Box<dyn Future<Output = Option<Upgraded>> + Send>>,
    /// The client's address, when known.
    pub peer: Option<SocketAddr>,
}

/// Whether `req` asks to switch protocols (`Connection: upgrade` and an
/// `Upgrade` header).
pub fn is_upgrade(req: &HttpRequest) -> bool {
    let connection = req
        .headers
        .get_all("connection")
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("upgrade"))));
    connection && req.headers.contains_key("upgrade")
}
