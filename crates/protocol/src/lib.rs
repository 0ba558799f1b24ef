//! AWS wire protocols. Given an HTTP request this crate finds the service
//! and operation (`router`), turns the wire form into validated input
//! (`decode`), and turns output or an `AwsError` back into the wire form
//! (`encode`), all driven by the model tables in `generated/`. It knows
//! nothing of any one service's behaviour.

pub mod conventions;
pub mod decode;
pub mod encode;
pub mod eventstream;
pub mod generated;
pub mod json;
pub mod json_out;
pub mod model;
pub mod query;
pub mod rest;
pub mod router;
pub mod timestamp;
pub mod validate;
pub mod xml;

pub use model::{Protocol, ServiceModel};
pub use stratus_core::http::{HttpRequest, HttpResponse};

/// Looks up a service model by its name (e.g. `logs`).
pub fn model(name: &str) -> Option<&'static ServiceModel> {
    generated::ALL.iter().copied().find(|m| m.name == name)
}
