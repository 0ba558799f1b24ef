//! The open WebSocket connections of this server: each connection's id,
//! where it was made (API, stage, domain name), who made it, when, and the
//! channel to the task that writes its frames. `@connections` and the
//! socket tasks meet here.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::mpsc;

/// What the writing task of a connection is asked to do.
#[derive(Debug)]
pub enum Outgoing {
    Text(String),
    Binary(Vec<u8>),
    /// Send a close frame and stop.
    Close,
}

impl Outgoing {
    /// `data` as a text frame, or a binary frame when it is not UTF-8.
    pub fn data(data: Vec<u8>) -> Outgoing {
        match String::from_utf8(data) {
            Ok(text) => Outgoing::Text(text),
            Err(e) => Outgoing::Binary(e.into_bytes()),
        }
    }
}

/// One open connection.
#[derive(Debug)]
pub struct Connection {
    pub id: String,
    /// The API id, lower-cased as addresses carry it.
    pub api_id: String,
    pub stage: String,
    /// The `Host` the client connected to: `http://{domain_name}/{stage}`
    /// reaches `@connections` again.
    pub domain_name: String,
    pub connected_at_ms: i64,
    last_active_ms: AtomicI64,
    pub source_ip: String,
    pub user_agent: String,
    /// What the `$connect` authorizer said (`principalId` and its context).
    pub authorizer: Option<serde_json::Value>,
    sender: mpsc::UnboundedSender<Outgoing>,
}

impl Connection {
    /// A connection made now, and the receiving end of its frames.
    pub fn new(
        (api_id, stage, domain_name): (&str, &str, &str),
        source_ip: String,
        user_agent: String,
    ) -> (Connection, mpsc::UnboundedReceiver<Outgoing>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let now = stratus_core::clock::now_millis();
        let connection = Connection {
            id: new_id(),
            api_id: api_id.to_string(),
            stage: stage.to_string(),
            domain_name: domain_name.to_string(),
            connected_at_ms: now,
            last_active_ms: AtomicI64::new(now),
            source_ip,
            user_agent,
            authorizer: None,
            sender,
        };
        (connection, receiver)
    }

    pub fn last_active_ms(&self) -> i64 {
        self.last_active_ms.load(Ordering::Relaxed)
    }

    /// Records a message from the client.
    pub fn touch(&self) {
        self.last_active_ms.store(stratus_core::clock::now_millis(), Ordering::Relaxed);
    }

    /// Queues `out` for the client; false if the socket is gone.
    pub fn send(&self, out: Outgoing) -> bool {
        self.sender.send(out).is_ok()
    }
}

/// A new connection id: 15 letters and digits and `=`, as AWS's look
/// (`L0SM9cOFvHcCIhw=`), without the `+` and `/` that would need escaping.
fn new_id() -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    format!("{}=", stratus_core::ids::random_from(alphabet, 15))
}

/// The registry of open connections by id.
#[derive(Debug, Default)]
pub struct Connections(RwLock<HashMap<String, Arc<Connection>>>);

impl Connections {
    pub fn insert(&self, connection: Arc<Connection>) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).insert(connection.id.clone(), connection);
    }

    pub fn get(&self, id: &str) -> Option<Arc<Connection>> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    pub fn remove(&self, id: &str) -> Option<Arc<Connection>> {
        self.0.write().unwrap_or_else(|e| e.into_inner()).remove(id)
    }

    /// Closes every connection (server stop or reset).
    pub fn close_all(&self) {
        let all: Vec<Arc<Connection>> =
            self.0.write().unwrap_or_else(|e| e.into_inner()).drain().map(|(_, c)| c).collect();
        for c in all {
            c.send(Outgoing::Close);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_aws_and_registry_finds_them() {
        let (c, _rx) = Connection::new(("api", "dev", "h"), "127.0.0.1".into(), "ua".into());
        assert_eq!(c.id.len(), 16);
        assert!(c.id.ends_with('=') && c.id[..15].chars().all(|ch| ch.is_ascii_alphanumeric()));
        let registry = Connections::default();
        let c = Arc::new(c);
        registry.insert(c.clone());
        assert!(registry.get(&c.id).is_some());
        assert!(registry.remove(&c.id).is_some() && registry.get(&c.id).is_none());
    }
}
