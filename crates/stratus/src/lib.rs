//! The Stratus server: configuration, wiring of the store and the services,
//! the HTTP front door, and the `/_stratus` introspection endpoints. Rust
//! tests start it in-process with `server::start(ServeArgs::ephemeral())`.

pub mod app;
pub mod body;
pub mod config;
pub mod cors;
pub mod gateway;
pub mod identity;
pub mod introspection;
pub mod metrics;
pub mod payload;
pub mod registry;
pub mod server;
pub mod status;
pub mod streaming;
pub mod upgrade;
pub mod wire;
