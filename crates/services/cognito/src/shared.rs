//! What every Cognito operation works with: the store, where Stratus is
//! reached (for endpoint-derived issuers and hosted-UI links), the peers
//! that run Lambda triggers, the issuer mode, and the cache of signing keys.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use stratus_core::{Peers, Settings};
use stratus_store::Store;

use crate::jwks::PoolKey;

/// Which `iss` tokens carry (`STRATUS_COGNITO_ISSUER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerMode {
    /// `https://cognito-idp.{region}.amazonaws.com/{poolId}` (default).
    Aws,
    /// `{endpoint}/{poolId}`, where the JWKS and discovery are served.
    Endpoint,
}

impl IssuerMode {
    /// Reads `STRATUS_COGNITO_ISSUER` (`aws` or `endpoint`).
    pub fn from_env() -> IssuerMode {
        match std::env::var("STRATUS_COGNITO_ISSUER").map(|v| v.to_ascii_lowercase()) {
            Ok(v) if v == "endpoint" => IssuerMode::Endpoint,
            _ => IssuerMode::Aws,
        }
    }
}

pub struct Shared {
    pub store: Store,
    pub endpoint: String,
    pub peers: Peers,
    pub issuer_mode: IssuerMode,
    pub keys: Mutex<HashMap<String, Arc<PoolKey>>>,
}

impl Shared {
    pub fn new(store: Store, settings: &Settings) -> Shared {
        Shared {
            store,
            endpoint: settings.endpoint.trim_end_matches('/').to_string(),
            peers: settings.peers.clone(),
            issuer_mode: IssuerMode::from_env(),
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The `iss` of a pool's tokens.
    pub fn issuer(&self, region: &str, pool_id: &str) -> String {
        match self.issuer_mode {
            IssuerMode::Aws => format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"),
            IssuerMode::Endpoint => format!("{}/{pool_id}", self.endpoint),
        }
    }

    /// Whether `iss` names pool `pool_id` in either form.
    pub fn issuer_matches(&self, iss: &str, region: &str, pool_id: &str) -> bool {
        iss == format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}")
            || iss == format!("{}/{pool_id}", self.endpoint)
    }
}
