//! Policy documents: the checks IAM runs on identity policies (managed and
//! inline) and on role trust policies, with AWS's `MalformedPolicyDocument`
//! texts; their size as IAM counts it; and the percent-encoding IAM applies
//! to every document it returns (boto3 decodes it; other SDKs hand it over
//! encoded, exactly as AWS does).

use crate::errors::malformed_policy;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};
use stratus_core::AwsError;

/// Characters IAM leaves unencoded: RFC 3986's unreserved set.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

const SYNTAX: &str = "Syntax errors in policy.";
const TOP_LEVEL: &[&str] = &["Version", "Id", "Statement"];
const VERSIONS: &[&str] = &["2008-10-17", "2012-10-17"];
const IDENTITY_STATEMENT: &[&str] = &["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"];

/// A document as IAM returns it: percent-encoded.
pub fn encode(document: &str) -> String {
    utf8_percent_encode(document, UNRESERVED).to_string()
}

/// The size IAM counts against its quotas: characters other than whitespace.
pub fn size(document: &str) -> usize {
    document.chars().filter(|c| !c.is_whitespace()).count()
}

/// Checks a permissions policy (managed or inline).
pub fn validate_identity(document: &str) -> Result<(), AwsError> {
    let root = parse(document).ok_or_else(|| malformed_policy(SYNTAX))?;
    let statements = statements(&root).ok_or_else(|| malformed_policy(SYNTAX))?;
    for st in &statements {
        if st.contains_key("Principal") || st.contains_key("NotPrincipal") {
            return Err(malformed_policy("Policy document should not specify a principal."));
        }
        if st.keys().any(|k| !IDENTITY_STATEMENT.contains(&k.as_str())) || !statement_syntax_ok(st) {
            return Err(malformed_policy(SYNTAX));
        }
    }
    if root.get("Version").and_then(Value::as_str) != Some("2012-10-17") {
        return Err(malformed_policy("Policy document must be version 2012-10-17 or greater."));
    }
    for st in &statements {
        if !has_non_empty(st, "Action") && !has_non_empty(st, "NotAction") {
            return Err(malformed_policy("Policy statement must contain actions."));
        }
        if !has_non_empty(st, "Resource") && !has_non_empty(st, "NotResource") {
            return Err(malformed_policy("Policy statement must contain resources."));
        }
    }
    for st in &statements {
        for action in strings(st, "Action").into_iter().chain(strings(st, "NotAction")) {
            check_action(action)?;
        }
        for resource in strings(st, "Resource").into_iter().chain(strings(st, "NotResource")) {
            if resource != "*" && !resource.contains(':') {
                return Err(malformed_policy(format!("Resource {resource} must be in ARN format or \"*\".")));
            }
        }
    }
    Ok(())
}

/// Checks a role trust policy (`AssumeRolePolicyDocument`).
pub fn validate_trust(document: &str) -> Result<(), AwsError> {
    let root = parse(document).ok_or_else(|| malformed_policy("This policy contains invalid Json"))?;
    let statements = statements(&root).ok_or_else(|| malformed_policy(SYNTAX))?;
    for st in &statements {
        if st.contains_key("Resource") || st.contains_key("NotResource") {
            return Err(malformed_policy("Has prohibited field Resource"));
        }
        if !statement_syntax_ok(st) {
            return Err(malformed_policy(SYNTAX));
        }
        if !st.contains_key("Principal") && !st.contains_key("NotPrincipal") {
            return Err(malformed_policy("Missing required field Principal"));
        }
    }
    Ok(())
}

fn parse(document: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Value>(document).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// The statements of a document whose top level is well formed.
fn statements(root: &Map<String, Value>) -> Option<Vec<Map<String, Value>>> {
    if root.keys().any(|k| !TOP_LEVEL.contains(&k.as_str())) {
        return None;
    }
    if root.get("Version").is_some_and(|v| !v.as_str().is_some_and(|s| VERSIONS.contains(&s))) {
        return None;
    }
    if root.get("Id").is_some_and(|v| !v.is_string()) {
        return None;
    }
    let list: Vec<Map<String, Value>> = match root.get("Statement")? {
        Value::Object(m) => vec![m.clone()],
        Value::Array(items) => items.iter().map(|i| i.as_object().cloned()).collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    (!list.is_empty()).then_some(list)
}

fn statement_syntax_ok(st: &Map<String, Value>) -> bool {
    let effect_ok = st.get("Effect").and_then(Value::as_str).is_some_and(|e| e == "Allow" || e == "Deny");
    let both = |a: &str, b: &str| st.contains_key(a) && st.contains_key(b);
    let exclusive = !both("Action", "NotAction") && !both("Resource", "NotResource");
    let lists_ok = ["Action", "NotAction", "Resource", "NotResource"].iter().all(|k| match st.get(*k) {
        None | Some(Value::String(_)) => true,
        Some(Value::Array(items)) => items.iter().all(Value::is_string),
        Some(_) => false,
    });
    let condition_ok =
        st.get("Condition").is_none_or(|c| c.as_object().is_some_and(|m| m.values().all(Value::is_object)));
    let sid_ok = st.get("Sid").is_none_or(Value::is_string);
    effect_ok && exclusive && lists_ok && condition_ok && sid_ok
}

fn has_non_empty(st: &Map<String, Value>, key: &str) -> bool {
    match st.get(key) {
        Some(Value::String(_)) => true,
        Some(Value::Array(items)) => !items.is_empty(),
        _ => false,
    }
}

fn strings<'a>(st: &'a Map<String, Value>, key: &str) -> Vec<&'a str> {
    match st.get(key) {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn check_action(action: &str) -> Result<(), AwsError> {
    let parts: Vec<&str> = action.split(':').collect();
    match parts.as_slice() {
        ["*"] => Ok(()),
        [_] => Err(malformed_policy("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")),
        [vendor, _] => {
            if *vendor != "*" && !vendor.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
                Err(malformed_policy(format!("Vendor {vendor} is not valid")))
            } else {
                Ok(())
            }
        }
        _ => Err(malformed_policy("Actions/Condition can contain only one colon.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

    fn message(r: Result<(), AwsError>) -> String {
        r.err().map(|e| e.message).unwrap_or_default()
    }

    #[test]
    fn identity_policies() {
        assert!(validate_identity(GOOD).is_ok());
        assert_eq!(message(validate_identity("nope")), SYNTAX);
        assert_eq!(message(validate_identity(r#"{"Version":"2012-10-17"}"#)), SYNTAX);
        assert_eq!(
            message(validate_identity(r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)),
            "Policy document must be version 2012-10-17 or greater."
        );
        assert_eq!(
            message(validate_identity(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}"#)),
            "Policy statement must contain actions."
        );
        assert_eq!(
            message(validate_identity(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3"}}"#)),
            "Policy statement must contain resources."
        );
        assert_eq!(
            message(validate_identity(
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3","Resource":"*"}}"#
            )),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
        );
        assert_eq!(message(validate_identity(TRUST)), "Policy document should not specify a principal.");
    }

    #[test]
    fn trust_policies() {
        assert!(validate_trust(TRUST).is_ok());
        assert_eq!(message(validate_trust("{not json")), "This policy contains invalid Json");
        assert_eq!(message(validate_trust(GOOD)), "Has prohibited field Resource");
    }

    #[test]
    fn encoding_matches_iam() {
        assert_eq!(encode(r#"{"a": "b*/c"}"#), "%7B%22a%22%3A%20%22b%2A%2Fc%22%7D");
        assert_eq!(size(" { a } "), 3);
    }
}
