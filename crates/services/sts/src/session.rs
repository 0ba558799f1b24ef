//! Credentials for the caller itself: GetSessionToken and
//! GetFederationToken. Both refuse callers that already hold session
//! credentials, and cap the account root at one hour, as AWS does.

use crate::errors;
use crate::issue::{self, Principal};
use crate::session_policy;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_iam::caller::{self, Caller};
use stratus_store::Store;

/// The default session length of both operations.
const DEFAULT_DURATION: i64 = 43200;
/// The longest session the account root gets.
const ROOT_MAX: i64 = 3600;

fn duration(input: &Value, who: &Caller) -> i64 {
    let asked = input.i64("DurationSeconds").unwrap_or(DEFAULT_DURATION);
    if who.arn.ends_with(":root") { asked.min(ROOT_MAX) } else { asked }
}

fn long_term_caller(store: &Store, ctx: &RequestContext, operation: &str) -> Result<Caller, AwsError> {
    let who = caller::caller(store, ctx)?;
    if who.temporary {
        return Err(errors::access_denied(format!("Cannot call {operation} with session credentials")));
    }
    Ok(who)
}

/// GetSessionToken: credentials standing for the caller.
pub async fn get_session_token(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let who = long_term_caller(store, ctx, "GetSessionToken")?;
    let duration = duration(input, &who);
    let principal = Principal { account: who.account, arn: who.arn, user_id: who.user_id };
    let credentials = issue::issue(store, principal, duration).await?;
    Ok(json!({"Credentials": credentials}))
}

/// GetFederationToken: credentials for a federated user named `Name`.
pub async fn get_federation_token(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let who = long_term_caller(store, ctx, "GetFederationToken")?;
    let name = input.req_str("Name")?;
    let duration = duration(input, &who);
    let packed = session_policy::packed_size(input)?.unwrap_or(0);
    let arn = format!("arn:aws:sts::{}:federated-user/{name}", who.account);
    let user_id = format!("{}:{name}", who.account);
    let user = json!({"FederatedUserId": user_id, "Arn": arn});
    let credentials = issue::issue(store, Principal { account: who.account, arn, user_id }, duration).await?;
    let mut out = Map::new();
    out.insert("Credentials".into(), credentials);
    out.insert("FederatedUser".into(), user);
    out.insert("PackedPolicySize".into(), json!(packed));
    Ok(Value::Object(out))
}
