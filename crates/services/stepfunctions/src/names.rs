//! Names and ARNs: the characters AWS refuses in state machine, execution
//! and activity names, and building and splitting `arn:aws:states:` ARNs.

use crate::errors;
use stratus_core::AwsError;

/// Checks a resource name (1 to 80 characters, none of AWS's forbidden ones).
pub fn check(name: &str) -> Result<(), AwsError> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c);
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(bad) {
        return Err(errors::invalid_name(name));
    }
    Ok(())
}

/// The parts of a Step Functions ARN.
pub struct StatesArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    /// `stateMachine`, `execution`, `express`, `activity`.
    pub kind: &'a str,
    /// What follows the kind, split on `:`.
    pub parts: Vec<&'a str>,
}

/// Splits `arn`, or answers `InvalidArn`.
pub fn parse(arn: &str) -> Result<StatesArn<'_>, AwsError> {
    let fields: Vec<&str> = arn.split(':').collect();
    if fields.len() < 7 || fields[0] != "arn" || fields[2] != "states" {
        return Err(errors::invalid_arn(arn));
    }
    Ok(StatesArn { region: fields[3], account: fields[4], kind: fields[5], parts: fields[6..].to_vec() })
}

pub fn arn(region: &str, account: &str, resource: &str) -> String {
    stratus_core::arn::arn("states", region, account, resource)
}
