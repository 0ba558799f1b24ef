//! The execution-role credentials a function's environment runs with, as
//! Lambda gives them: temporary credentials (`ASIA...`, secret, session
//! token) of a session of the function's role named after the function, so
//! that calls from inside resolve to
//! `arn:aws:sts::{account}:assumed-role/{role}/{function}`. They are minted
//! in process through `stratus_core::credentials::issue` (the store record
//! STS's own credentials use, which the front door resolves and strict
//! auth verifies); the role's unique id comes from IAM through the peers.
//!
//! Lifetime: AWS's last hours and are refreshed in the sandbox; Stratus does
//! not refresh a running environment, so they are issued for `LIFETIME`
//! and handed to new environments of the same function while at least
//! `REUSE_WHILE` of it is left (one store write per function and week
//! rather than one per cold start). Every environment therefore starts
//! with credentials valid for at least seven days.

use crate::state::Shared;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use stratus_core::credentials::{self, Credential, Principal, credential_key};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock};
use stratus_store::Store;

/// How long minted credentials are valid.
const LIFETIME: i64 = 14 * 24 * 3600;
/// Credentials are given to new environments while this much is left.
const REUSE_WHILE: f64 = 7.0 * 24.0 * 3600.0;

/// The credentials last minted for a function, under `pointer_key`.
#[derive(Serialize, Deserialize)]
struct Pointer {
    access_key_id: String,
}

fn pointer_key(ctx: &RequestContext, function: &str) -> String {
    format!("lambda/sessions/{}/{}/{function}", ctx.account_id, ctx.region)
}

/// The role name in a role ARN (`arn:aws:iam::1:role/path/name` → `name`).
fn role_name(role_arn: &str) -> Option<&str> {
    let (_, resource) = role_arn.split_once(":role/")?;
    resource.rsplit('/').next().filter(|n| !n.is_empty())
}

/// The variables an environment of `function` (role `role_arn`) gets:
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`. The
/// session is in the function's account (AWS requires the role to be in
/// it). A function whose role is not a role ARN gets the account's own
/// key, as before execution roles were honoured.
pub async fn variables(
    s: &Shared,
    ctx: &RequestContext,
    function: &str,
    role_arn: &str,
) -> Result<Vec<(String, String)>, AwsError> {
    let Some(role) = role_name(role_arn) else {
        return Ok(vec![
            // A 12-digit access key resolves to that account in Stratus.
            ("AWS_ACCESS_KEY_ID".into(), ctx.account_id.clone()),
            ("AWS_SECRET_ACCESS_KEY".into(), "stratus".into()),
        ]);
    };
    let arn = format!("arn:aws:sts::{}:assumed-role/{role}/{function}", ctx.account_id);
    let cred = match reusable(&s.store, ctx, function, &arn)? {
        Some(cred) => cred,
        None => mint(s, ctx, (function, role, role_arn), arn).await?,
    };
    Ok(vec![
        ("AWS_ACCESS_KEY_ID".into(), cred.access_key_id),
        ("AWS_SECRET_ACCESS_KEY".into(), cred.secret_access_key),
        ("AWS_SESSION_TOKEN".into(), cred.session_token.unwrap_or_default()),
    ])
}

/// The function's last credentials, if they stand for `arn` and have at
/// least `REUSE_WHILE` left.
fn reusable(store: &Store, ctx: &RequestContext, function: &str, arn: &str) -> Result<Option<Credential>, AwsError> {
    let Some(raw) = store.get(pointer_key(ctx, function))? else { return Ok(None) };
    let Ok(pointer) = serde_json::from_slice::<Pointer>(&raw) else { return Ok(None) };
    let Some(raw) = store.get(credential_key(&pointer.access_key_id))? else { return Ok(None) };
    let Ok(cred) = serde_json::from_slice::<Credential>(&raw) else { return Ok(None) };
    let left = cred.expires.map_or(0.0, |e| e - clock::now_epoch());
    let fits = cred.principal_arn == arn && cred.account_id == ctx.account_id && cred.session_token.is_some();
    Ok((fits && cred.status == "Active" && left >= REUSE_WHILE).then_some(cred))
}

/// Mints a session `arn` of `role` for `function` and remembers it for the
/// function's next environments.
async fn mint(
    s: &Shared,
    ctx: &RequestContext,
    (function, role, role_arn): (&str, &str, &str),
    arn: String,
) -> Result<Credential, AwsError> {
    let role_id = role_id(&s.settings, ctx, role, role_arn).await;
    let principal = Principal { account: ctx.account_id.clone(), arn, user_id: format!("{role_id}:{function}") };
    let cred = credentials::issue(&s.store, principal, LIFETIME).await?;
    let pointer = serde_json::to_vec(&Pointer { access_key_id: cred.access_key_id.clone() })
        .map_err(|e| AwsError::internal(format!("cannot encode session pointer: {e}")))?;
    s.store.put(pointer_key(ctx, function), pointer).await?;
    Ok(cred)
}

/// The role's unique id (`AROA...`) from IAM; for a role IAM does not know
/// (Stratus does not require it to exist), a stable id made from its ARN.
async fn role_id(settings: &stratus_core::Settings, ctx: &RequestContext, role: &str, role_arn: &str) -> String {
    let input = serde_json::json!({ "RoleName": role });
    let found = settings.peers.call("iam", "GetRole", &ctx.account_id, &ctx.region, input).await;
    if let Some(id) = found.ok().and_then(|out| out.get("Role").and_then(|r| r.str("RoleId")).map(str::to_string)) {
        return id;
    }
    let digest = hex::encode_upper(Sha256::digest(role_arn.as_bytes()));
    format!("AROA{}", &digest[..17])
}

#[cfg(test)]
mod tests {
    use super::role_name;

    #[test]
    fn role_names_come_from_the_last_path_segment() {
        assert_eq!(role_name("arn:aws:iam::000000000000:role/lambda-role"), Some("lambda-role"));
        assert_eq!(role_name("arn:aws:iam::000000000000:role/service/app/exec"), Some("exec"));
        assert_eq!(role_name("arn:aws:iam::000000000000:user/u"), None);
        assert_eq!(role_name(""), None);
    }
}
