//! `AwsError`: the one error type services return. The protocol codecs render
//! it the way each wire protocol does (JSON `__type`, XML `<Error><Code>`,
//! `x-amzn-ErrorType`, status codes).

use serde_json::{Map, Value};
use std::fmt;

/// An error as AWS reports it: a code, a message and an HTTP status.
#[derive(Debug, Clone, PartialEq)]
pub struct AwsError {
    /// The error code, e.g. `ResourceNotFoundException` or `NoSuchEntity`.
    pub code: String,
    pub message: String,
    pub status: u16,
    /// `Sender` (client) or `Receiver` (server) fault, for Query-style errors.
    pub sender_fault: bool,
    /// Extra members of the error shape (e.g. `CancellationReasons`, `Item`).
    pub fields: Map<String, Value>,
    /// Extra response headers (e.g. `Retry-After`).
    pub headers: Vec<(String, String)>,
}

impl AwsError {
    /// A client (4xx) error.
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        AwsError {
            code: code.into(),
            message: message.into(),
            status,
            sender_fault: status < 500,
            fields: Map::new(),
            headers: Vec::new(),
        }
    }

    /// A 400 error with the given code and message.
    pub fn bad_request(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// A 500 error for failures that are Stratus's, not the caller's.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalFailure", message)
    }

    /// Adds an extra member to the error body.
    pub fn with_field(mut self, name: &str, value: Value) -> Self {
        self.fields.insert(name.to_string(), value);
        self
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for AwsError {}

impl From<stratus_store::StoreError> for AwsError {
    /// A storage failure is Stratus's fault, never the caller's.
    fn from(e: stratus_store::StoreError) -> Self {
        AwsError::internal(format!("storage failure: {e}"))
    }
}
