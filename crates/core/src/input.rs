//! Typed access to decoded input members. The codecs have already checked
//! the model's types and constraints, so these only pick values out.

use crate::AwsError;
use serde_json::Value;

/// Convenience accessors on a decoded input object.
pub trait Input {
    /// A string member.
    fn str(&self, name: &str) -> Option<&str>;
    /// A string member the model marks required.
    fn req_str(&self, name: &str) -> Result<&str, AwsError>;
    /// An integer member.
    fn i64(&self, name: &str) -> Option<i64>;
    /// A boolean member.
    fn bool(&self, name: &str) -> Option<bool>;
    /// A list member's items (empty when absent).
    fn list(&self, name: &str) -> &[Value];
    /// A list-of-strings member.
    fn str_list(&self, name: &str) -> Vec<String>;
}

impl Input for Value {
    fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    fn req_str(&self, name: &str) -> Result<&str, AwsError> {
        self.str(name).ok_or_else(|| {
            AwsError::bad_request(
                "ValidationException",
                format!("1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null", lower_first(name)),
            )
        })
    }

    fn i64(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
    }

    fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }

    fn list(&self, name: &str) -> &[Value] {
        self.get(name).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
    }

    fn str_list(&self, name: &str) -> Vec<String> {
        self.list(name).iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
    }
}

/// `RoleName` → `roleName`: the form AWS uses for member paths in messages.
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
