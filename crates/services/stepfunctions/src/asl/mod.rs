//! The Amazon States Language interpreter, independent of the API: data
//! flow, intrinsic functions, every state type, Retry/Catch, and the event
//! history AWS records. Task integrations and persistence come in through
//! the `Tasks` and `Journal` traits.

mod calling;
mod choice;
pub mod durable;
pub mod failure;
mod flow;
mod fork;
mod guarded;
pub mod history;
pub mod inspect;
mod intrinsics;
pub mod jsonata;
mod limits;
pub mod machine;
mod map;
mod parallel;
pub mod path;
mod reader;
pub mod runtime;
mod scope;
pub mod task;
pub mod threads;
mod wait;
mod writer;

pub use failure::Failure;
pub use history::History;
pub use runtime::{Frame, Journal, Position, Runtime, TaskCall, Tasks, WaitingTask};
pub use threads::{Thread, Threads};
