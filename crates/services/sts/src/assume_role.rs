//! AssumeRole: temporary credentials for a role of this or another
//! account. The role must exist in IAM; its trust policy is not evaluated
//! (Stratus does not enforce IAM policies). Session tags are checked the
//! way STS checks them but are not kept.

use crate::errors;
use crate::issue;
use crate::roles;
use crate::session_policy;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_iam::caller;
use stratus_store::Store;

/// Checks `Tags` and `TransitiveTagKeys` as STS does.
fn check_session_tags(input: &Value) -> Result<(), AwsError> {
    let mut keys: Vec<String> = Vec::new();
    for tag in input.list("Tags") {
        let key = tag.str("Key").unwrap_or_default().to_lowercase();
        if keys.contains(&key) {
            return Err(errors::invalid_parameter(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        keys.push(key);
    }
    if input.str_list("TransitiveTagKeys").iter().any(|k| !keys.contains(&k.to_lowercase())) {
        return Err(errors::invalid_parameter(
            "The specified transitive tag key must be included in the requested tags.",
        ));
    }
    Ok(())
}

/// AssumeRole.
pub async fn assume_role(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let role_arn = input.req_str("RoleArn")?;
    let session = input.req_str("RoleSessionName")?;
    roles::parse_role_arn(role_arn)?;
    let who = caller::caller(store, ctx)?;
    let role = roles::find(store, role_arn, || {
        errors::access_denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            who.arn
        ))
    })?;
    let duration = roles::duration(input, &role, who.is_assumed_role())?;
    check_session_tags(input)?;
    let packed = session_policy::packed_size(input)?;

    let (principal, user) = roles::assumed(&role, session);
    let account = principal.account.clone();
    let credentials = issue::issue(store, principal, duration).await?;
    stratus_iam::roles::mark_used(store, &account, &role.name, &ctx.region).await?;

    let mut out = Map::new();
    out.insert("Credentials".into(), credentials);
    out.insert("AssumedRoleUser".into(), user);
    if let Some(size) = packed {
        out.insert("PackedPolicySize".into(), json!(size));
    }
    if let Some(source) = input.str("SourceIdentity") {
        out.insert("SourceIdentity".into(), json!(source));
    }
    Ok(Value::Object(out))
}
