//! Access keys that Stratus accepts besides the configured ones: keys issued
//! by IAM (`CreateAccessKey`) and temporary keys issued by STS. Both services
//! write a `Credential` under `credential_key(akid)` in the store, and the
//! front door reads it there to find the account and, in strict mode, the
//! secret. `issue` mints temporary credentials: STS for its operations,
//! Lambda for a function's execution role.

use crate::{AwsError, clock, ids};
use serde::{Deserialize, Serialize};
use stratus_store::Store;

/// One access key and what it stands for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Credential {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub account_id: String,
    /// Set for temporary credentials.
    #[serde(default)]
    pub session_token: Option<String>,
    /// Epoch seconds after which temporary credentials are refused.
    #[serde(default)]
    pub expires: Option<f64>,
    /// ARN of the principal, e.g. `arn:aws:sts::1:assumed-role/r/s`.
    pub principal_arn: String,
    /// The principal's unique id (`AIDA...`, `AROA...:session`).
    pub user_id: String,
    /// `Active` or `Inactive` (IAM keys can be deactivated).
    #[serde(default = "active")]
    pub status: String,
}

fn active() -> String {
    "Active".to_string()
}

impl Credential {
    /// Whether the key may be used at `now` (epoch seconds).
    pub fn usable(&self, now: f64) -> bool {
        self.status == "Active" && self.expires.is_none_or(|e| now < e)
    }
}

/// The store key a credential lives under.
pub fn credential_key(access_key_id: &str) -> Vec<u8> {
    format!("auth/keys/{access_key_id}").into_bytes()
}

/// Who temporary credentials stand for.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub account: String,
    /// E.g. `arn:aws:sts::1:assumed-role/r/s`.
    pub arn: String,
    /// E.g. `AROA...:s`.
    pub user_id: String,
}

/// How many expired credentials one issue removes at most.
const REAP_BATCH: usize = 16;

/// The expiry index entry of a temporary credential: expired ones are
/// found (and reaped) by scanning `sts/expiry/` up to now.
fn expiry_key(expires: f64, access_key_id: &str) -> String {
    format!("sts/expiry/{:020}/{access_key_id}", expires as u64)
}

/// Issues temporary credentials (a fresh `ASIA...` key, secret and session
/// token) for `principal`, valid for `duration_secs`, and stores them so
/// the front door resolves and verifies them (and refuses them once
/// expired). Each issue also reaps a few credentials that have expired, so
/// the store does not grow without bound.
pub async fn issue(store: &Store, principal: Principal, duration_secs: i64) -> Result<Credential, AwsError> {
    let now = clock::now_epoch().floor();
    let expires = now + duration_secs as f64;
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
    Ok(cred)
}
