//! Which log group a request names: `logGroupName`, or `logGroupIdentifier`
//! (a name or an ARN, with or without the `:*` suffix), never both.

use serde_json::Value;
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::error::{invalid, validation};

/// The log group named by `logGroupName` or `logGroupIdentifier`.
pub fn group_name(input: &Value) -> Result<String, AwsError> {
    match (input.str("logGroupName"), input.str("logGroupIdentifier")) {
        (Some(_), Some(_)) => Err(validation("LogGroup name and LogGroup ARN are mutually exclusive parameters.")),
        (Some(name), None) => Ok(name.to_string()),
        (None, Some(id)) => Ok(group_from_identifier(id).to_string()),
        (None, None) => Err(invalid("Should provide either name or ARN for LogGroup.")),
    }
}

/// The group name inside a log group ARN, or the identifier itself when it
/// is not an ARN.
pub fn group_from_identifier(id: &str) -> &str {
    group_from_arn(id).unwrap_or(id)
}

/// The group name of a `arn:aws:logs:…:log-group:NAME[:*]` ARN.
pub fn group_from_arn(arn: &str) -> Option<&str> {
    let parts = stratus_core::arn::parse(arn)?;
    if parts.service != "logs" {
        return None;
    }
    let name = parts.resource.strip_prefix("log-group:")?;
    let name = name.strip_suffix(":*").unwrap_or(name);
    (!name.is_empty() && !name.contains(':')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifiers() {
        assert_eq!(group_from_identifier("my-group"), "my-group");
        assert_eq!(group_from_identifier("arn:aws:logs:us-east-1:1:log-group:/aws/x"), "/aws/x");
        assert_eq!(group_from_identifier("arn:aws:logs:us-east-1:1:log-group:/aws/x:*"), "/aws/x");
        assert_eq!(group_from_arn("arn:aws:sqs:us-east-1:1:q"), None);
        assert_eq!(group_name(&json!({"logGroupIdentifier": "g"})).ok(), Some("g".to_string()));
        let both = group_name(&json!({"logGroupName": "g", "logGroupIdentifier": "g"}));
        assert_eq!(both.err().map(|e| e.code), Some("ValidationException".to_string()));
    }
}
