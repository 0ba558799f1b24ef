//! ARN and name checks with AWS's messages: topic and subscription ARNs
//! ("An ARN must have at least 6 elements, not N"), topic names, phone
//! numbers, and splitting a subscription ARN into topic and id.

use crate::errors::{invalid, invalid_raw};
use stratus_core::{AwsError, RequestContext};

/// A parsed topic ARN.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicRef {
    pub account: String,
    pub region: String,
    pub name: String,
}

impl TopicRef {
    pub fn arn(&self) -> String {
        format!("arn:aws:sns:{}:{}:{}", self.region, self.account, self.name)
    }
}

/// Checks the element count of an ARN passed as `param`.
pub fn check_elements(param: &str, value: &str) -> Result<Vec<String>, AwsError> {
    let parts: Vec<String> = value.split(':').map(str::to_string).collect();
    if parts.len() < 6 {
        return Err(invalid(format!("{param} Reason: An ARN must have at least 6 elements, not {}", parts.len())));
    }
    Ok(parts)
}

/// A topic ARN passed as `param`, which must be in the caller's region.
pub fn topic(ctx: &RequestContext, param: &str, value: &str) -> Result<TopicRef, AwsError> {
    let parts = check_elements(param, value)?;
    if parts[0] != "arn" || parts[2] != "sns" || parts.len() != 6 || parts[5].is_empty() {
        return Err(invalid(param));
    }
    if parts[3] != ctx.region {
        return Err(invalid(param));
    }
    Ok(TopicRef { account: parts[4].clone(), region: parts[3].clone(), name: parts[5].clone() })
}

/// A subscription ARN: the topic it belongs to and its id.
pub fn subscription(ctx: &RequestContext, value: &str) -> Result<(TopicRef, String), AwsError> {
    if value.is_empty() {
        return Err(invalid("SubscriptionArn Reason: no value for required parameter"));
    }
    let parts = check_elements("SubscriptionArn", value)?;
    if parts.len() != 7 || parts[0] != "arn" || parts[2] != "sns" || parts[6].is_empty() {
        return Err(invalid("SubscriptionId"));
    }
    if parts[3] != ctx.region {
        return Err(invalid("SubscriptionArn"));
    }
    let topic = TopicRef { account: parts[4].clone(), region: parts[3].clone(), name: parts[5].clone() };
    Ok((topic, parts[6].clone()))
}

/// Whether `name` is a valid topic name (the `.fifo` suffix decided by `fifo`).
pub fn valid_topic_name(name: &str, fifo: bool) -> bool {
    let base = if fifo {
        match name.strip_suffix(".fifo") {
            Some(b) => b,
            None => return false,
        }
    } else {
        name
    };
    !base.is_empty() && name.len() <= 256 && base.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks a topic name for CreateTopic.
pub fn check_topic_name(name: &str, fifo: bool) -> Result<(), AwsError> {
    if valid_topic_name(name, fifo) { Ok(()) } else { Err(invalid("Topic Name")) }
}

/// Whether `number` is an E.164 phone number (`+` optional, 2–15 digits).
pub fn valid_phone(number: &str) -> bool {
    let digits = number.strip_prefix('+').unwrap_or(number);
    (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

/// Checks an `sms` subscription endpoint.
pub fn check_sms_endpoint(number: &str) -> Result<(), AwsError> {
    let cleaned: String = number.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if number.contains("--") || !valid_phone(&cleaned) {
        return Err(invalid_raw(format!("Invalid SMS endpoint: {number}")));
    }
    Ok(())
}

/// Parses `arn:aws:{service}:{region}:{account}:{resource}`.
pub fn split(arn: &str) -> Option<(String, String, String, String)> {
    let p = stratus_core::arn::parse(arn)?;
    Some((p.service.to_string(), p.region.to_string(), p.account.to_string(), p.resource.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names() {
        assert!(valid_topic_name("a-b_C9", false));
        assert!(!valid_topic_name("a.fifo", false));
        assert!(valid_topic_name("a.fifo", true));
        assert!(!valid_topic_name("a", true));
        assert!(!valid_topic_name("", false));
        assert!(!valid_topic_name(&"a".repeat(257), false));
        assert!(valid_topic_name(&"a".repeat(256), false));
    }

    #[test]
    fn arn_element_counts() {
        let e = check_elements("TopicArn", "").expect_err("short");
        assert_eq!(e.message, "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1");
        let e = check_elements("TopicArn", "arn:aws:sns:us-east-1:1").expect_err("short");
        assert!(e.message.ends_with("not 5"));
    }

    #[test]
    fn phones() {
        assert!(valid_phone("+15551234567"));
        assert!(!valid_phone("+1a234"));
        assert!(check_sms_endpoint("+15--551234567").is_err());
        assert!(check_sms_endpoint("NAA+15551234567").is_err());
        assert!(check_sms_endpoint("+123123123").is_ok());
    }
}
