//! `Failure`: an error raised while running states, named the way ASL names
//! errors (`States.Runtime`, `States.Timeout`, a Fail state's `Error`, a
//! task's error), with its cause.

use serde_json::{Value, json};

/// An error raised by a state, as Retry and Catch see it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    pub error: String,
    pub cause: Option<String>,
}

impl Failure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Failure {
        Failure { error: error.into(), cause: Some(cause.into()) }
    }

    /// `States.Runtime`: the definition cannot be applied to the data.
    pub fn runtime(cause: impl Into<String>) -> Failure {
        Failure::new("States.Runtime", cause)
    }

    /// `States.Runtime` with AWS's prefix naming the state and the id of its
    /// entered event.
    pub fn in_state(state: &str, entered: i64, cause: &str) -> Failure {
        Failure::runtime(format!(
            "An error occurred while executing the state '{state}' (entered at the event id #{entered}). {cause}"
        ))
    }

    /// The error output a Catcher passes on: `{Error, Cause}`.
    pub fn to_output(&self) -> Value {
        match &self.cause {
            Some(c) => json!({ "Error": self.error, "Cause": c }),
            None => json!({ "Error": self.error }),
        }
    }

    /// Whether this is one of the errors `States.ALL` does not match.
    pub fn is_terminal(&self) -> bool {
        self.error == "States.Runtime" || self.error == "States.DataLimitExceeded"
    }
}
