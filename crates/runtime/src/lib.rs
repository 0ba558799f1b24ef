//! Lambda execution environments as local processes. An environment is one
//! process tree with its own working directory, `/tmp` directory, variables
//! and a Runtime API listener on a loopback port (`rapi`); `environment`
//! drives one invocation at a time through it; `pool` keeps warm ones;
//! `bootstraps` carries the managed-runtime shims shipped in the binary;
//! `template` keeps SnapStart fork servers that fork ready environments;
//! `cgroup` and `sandbox` isolate environments where the OS allows
//! (memory limit, CPU weight, size-limited /tmp) and report what degraded.
//! This crate knows processes, not the Lambda API.

pub mod bootstraps;
mod cgroup;
pub mod environment;
pub mod invocation;
pub mod pool;
mod process;
mod rapi;
mod sandbox;
pub mod template;
mod watchdog;

pub use environment::{EnvSpec, Environment};
pub use invocation::{Invocation, Outcome, ResponseStream};
pub use pool::Pool;
pub use template::{Template, TemplateState};

/// Which isolation features the OS enforces for environments and which
/// degraded to a fallback, and why (for the health endpoint).
pub fn isolation_report() -> serde_json::Value {
    sandbox::report()
}
