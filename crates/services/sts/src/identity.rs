//! Identity queries: GetCallerIdentity (the principal behind the signing
//! key: an IAM user, an assumed role or federated session, or the account
//! root) and GetAccessKeyInfo (the account a key belongs to).

use crate::issue;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, DEFAULT_ACCOUNT_ID, RequestContext};
use stratus_iam::caller;
use stratus_store::Store;

/// GetCallerIdentity.
pub fn get_caller_identity(store: &Store, ctx: &RequestContext) -> Result<Value, AwsError> {
    let who = caller::caller(store, ctx)?;
    Ok(json!({"UserId": who.user_id, "Account": who.account, "Arn": who.arn}))
}

/// GetAccessKeyInfo. Keys Stratus issued answer their own account; the
/// caller's own key answers the caller's account; any other key (Stratus
/// cannot decode AWS's account encoding from it) the default account.
pub fn get_access_key_info(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let akid = input.req_str("AccessKeyId")?;
    let account = match issue::stored(store, akid)? {
        Some(cred) => cred.account_id,
        None if ctx.access_key.as_deref() == Some(akid) => ctx.account_id.clone(),
        None => DEFAULT_ACCOUNT_ID.to_string(),
    };
    Ok(json!({"Account": account}))
}
