//! Lambda execution environments as local processes. An environment is one
//! process tree with its own working directory, `/tmp` directory, variables
//! and a Runtime API listener on a loopback port (`rapi`); `environment`
//! drives one invocation at a time through it; `pool` keeps warm ones;
//! `bootstraps` carries the managed-runtime shims shipped in the binary;
//! `template` keeps SnapStart fork servers that fork ready environments.
//! This crate knows processes, not the Lambda API.

pub mod bootstraps;
pub mod environment;
pub mod invocation;
pub mod pool;
mod process;
mod rapi;
pub mod template;
mod watchdog;

pub use environment::{EnvSpec, Environment};
pub use invocation::{Invocation, Outcome};
pub use pool::Pool;
pub use template::{Template, TemplateState};
