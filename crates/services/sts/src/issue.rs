//! Issuing temporary credentials: a fresh `ASIA...` key, secret and session
//! token, stored as a `Credential` with its expiry so the front door can
//! resolve and verify it (and refuse it once expired). Each issue also
//! reaps a few credentials that have expired, through an expiry index
//! (`sts/expiry/{epoch}/{akid}`), so the store does not grow without bound.

use serde_json::{Value, json};
use stratus_core::credentials::{Credential, credential_key};
use stratus_core::{AwsError, clock, ids};
use stratus_iam::db::store_error;
use stratus_store::Store;

/// How many expired credentials one issue removes at most.
const REAP_BATCH: usize = 16;

/// Who temporary credentials stand for.
pub struct Principal {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

fn expiry_key(expires: f64, access_key_id: &str) -> String {
    format!("sts/expiry/{:020}/{access_key_id}", expires as u64)
}

/// Issues credentials for `principal` valid for `duration` seconds, and
/// returns them as the model's `Credentials` shape.
pub async fn issue(store: &Store, principal: Principal, duration: i64) -> Result<Value, AwsError> {
    let now = clock::now_epoch().floor();
    let expires = now + duration as f64;
    let cred = Credential {
        access_key_id: ids::iam_id("ASIA"),
        secret_access_key: ids::secret_key(),
        account_id: principal.account,
        session_token: Some(ids::session_token()),
        expires: Some(expires),
        principal_arn: principal.arn,
        user_id: principal.user_id,
        status: "Active".into(),
    };
    let bytes = serde_json::to_vec(&cred).map_err(|e| AwsError::internal(format!("cannot encode credential: {e}")))?;
    let (akid, index) = (cred.access_key_id.clone(), expiry_key(expires, &cred.access_key_id));
    let reap_before = expiry_key(now, "");
    store
        .transact(move |txn| {
            for (key, _) in txn.scan("sts/expiry/".to_string()..reap_before.clone(), false, Some(REAP_BATCH))? {
                if let Some(old) = String::from_utf8_lossy(&key).rsplit('/').next() {
                    txn.delete(credential_key(old));
                }
                txn.delete(key);
            }
            txn.put(credential_key(&akid), bytes.clone());
            txn.put(index.clone(), Vec::new());
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({
        "AccessKeyId": cred.access_key_id,
        "SecretAccessKey": cred.secret_access_key,
        "SessionToken": cred.session_token,
        "Expiration": expires,
    }))
}

/// The stored credential for `access_key_id`, if any.
pub fn stored(store: &Store, access_key_id: &str) -> Result<Option<Credential>, AwsError> {
    match store.get(credential_key(access_key_id)).map_err(store_error)? {
        Some(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        None => Ok(None),
    }
}
