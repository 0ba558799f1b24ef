//! Access keys that Stratus accepts besides the configured ones: keys issued
//! by IAM (`CreateAccessKey`) and temporary keys issued by STS. Both services
//! write a `Credential` under `credential_key(akid)` in the store, and the
//! front door reads it there to find the account and, in strict mode, the
//! secret.

use serde::{Deserialize, Serialize};

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
