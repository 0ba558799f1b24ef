//! Session policies passed to AssumeRole, AssumeRoleWithWebIdentity and
//! GetFederationToken (`Policy`, `PolicyArns`): checked to be JSON, and
//! measured as `PackedPolicySize`, the percentage of STS's packed-policy
//! allowance they use.

use crate::errors;
use serde_json::Value;
use stratus_core::AwsError;
use stratus_core::input::Input;

/// The packed size (bytes) that counts as 100 %.
const PACKED_LIMIT: usize = 2048;

/// `PackedPolicySize` for `input`'s session policies, or `None` when it
/// passes none.
pub fn packed_size(input: &Value) -> Result<Option<i64>, AwsError> {
    let policy = input.str("Policy");
    let arns = input.list("PolicyArns");
    if policy.is_none() && arns.is_empty() {
        return Ok(None);
    }
    let mut bytes = 0;
    if let Some(p) = policy {
        let parsed: Value = serde_json::from_str(p)
            .ok()
            .filter(Value::is_object)
            .ok_or_else(|| errors::malformed_policy("The policy is not in the valid JSON format."))?;
        // Packing drops insignificant whitespace and compresses; compact JSON
        // over three is a fair stand-in for AWS's undisclosed encoding.
        bytes += parsed.to_string().len() / 3;
    }
    bytes += arns.iter().filter_map(|a| a.str("arn")).map(|a| a.len() / 3).sum::<usize>();
    let percent = (bytes * 100).div_ceil(PACKED_LIMIT);
    if percent > 100 {
        return Err(errors::packed_policy_too_large(format!(
            "Packed policy consumes {percent}% of allotted space, please use smaller policy."
        )));
    }
    Ok(Some(percent.max(1) as i64))
}
