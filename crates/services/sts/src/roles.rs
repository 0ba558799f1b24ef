//! What AssumeRole and AssumeRoleWithWebIdentity share: checking the
//! `RoleArn`, finding the role in IAM (in the account the ARN names), the
//! session duration rules, and the assumed-role principal and output.

use crate::errors;
use crate::issue::Principal;
use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;
use stratus_iam::roles::{self, Role};
use stratus_store::Store;

/// The default `DurationSeconds` of a role session.
const DEFAULT_DURATION: i64 = 3600;
/// The longest session a role may start from another role session.
const CHAINED_MAX: i64 = 3600;

/// A role ARN split into its account and role name; AWS's
/// `ValidationError` ("{arn} is invalid") when it is not an ARN.
pub fn parse_role_arn(role_arn: &str) -> Result<(String, Option<String>), AwsError> {
    let parts: Vec<&str> = role_arn.splitn(6, ':').collect();
    let valid =
        parts.len() == 6 && parts[0] == "arn" && !parts[1].is_empty() && !parts[2].is_empty() && !parts[5].is_empty();
    if !valid {
        return Err(errors::validation(format!("{role_arn} is invalid")));
    }
    let name = parts[5].strip_prefix("role/").and_then(|r| r.rsplit('/').next()).map(str::to_string);
    Ok((parts[4].to_string(), name))
}

/// The role `role_arn` names, or `denied` when there is no such role.
pub fn find(store: &Store, role_arn: &str, denied: impl FnOnce() -> AwsError) -> Result<Role, AwsError> {
    let (account, name) = parse_role_arn(role_arn)?;
    let Some(name) = name else { return Err(denied()) };
    match roles::get(store, &account, &name)? {
        Some(role) if role.arn.eq_ignore_ascii_case(role_arn) => Ok(role),
        _ => Err(denied()),
    }
}

/// The session length `input` asks for, within the role's limits.
pub fn duration(input: &Value, role: &Role, chained: bool) -> Result<i64, AwsError> {
    let asked = input.i64("DurationSeconds").unwrap_or(DEFAULT_DURATION);
    if chained && asked > CHAINED_MAX {
        return Err(errors::validation(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        ));
    }
    if asked > role.max_session_duration {
        return Err(errors::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    Ok(asked)
}

/// The principal of a session of `role` named `session`, and its
/// `AssumedRoleUser` output.
pub fn assumed(role: &Role, session: &str) -> (Principal, Value) {
    let account = stratus_core::arn::parse(&role.arn).map(|a| a.account.to_string()).unwrap_or_default();
    let arn = format!("arn:aws:sts::{account}:assumed-role/{}/{session}", role.name);
    let user_id = format!("{}:{session}", role.id);
    let user = json!({"AssumedRoleId": user_id, "Arn": arn});
    (Principal { account, arn, user_id }, user)
}
