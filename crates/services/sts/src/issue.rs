//! Issuing temporary credentials for STS's operations: the minting itself
//! (key, secret, session token, expiry index and reaping) is shared with
//! Lambda in `stratus_core::credentials::issue`; this module renders the
//! model's `Credentials` shape and reads issued keys back.

use serde_json::{Value, json};
use stratus_core::AwsError;
pub use stratus_core::credentials::Principal;
use stratus_core::credentials::{Credential, credential_key};
use stratus_iam::db::store_error;
use stratus_store::Store;

/// Issues credentials for `principal` valid for `duration` seconds, and
/// returns them as the model's `Credentials` shape.
pub async fn issue(store: &Store, principal: Principal, duration: i64) -> Result<Value, AwsError> {
    let cred = stratus_core::credentials::issue(store, principal, duration).await?;
    Ok(json!({
        "AccessKeyId": cred.access_key_id,
        "SecretAccessKey": cred.secret_access_key,
        "SessionToken": cred.session_token,
        "Expiration": cred.expires,
    }))
}

/// The stored credential for `access_key_id`, if any.
pub fn stored(store: &Store, access_key_id: &str) -> Result<Option<Credential>, AwsError> {
    match store.get(credential_key(access_key_id)).map_err(store_error)? {
        Some(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        None => Ok(None),
    }
}
