//! Signing keys: one RSA key pair per user pool (and one for identity-pool
//! OpenID tokens), generated on first need, kept in the store so tokens
//! verify across restarts, cached in memory; and their JWKS form.

use base64::Engine;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use stratus_core::AwsError;

use crate::jwt::B64URL;
use crate::shared::Shared;

const KEY_BITS: usize = 2048;

/// A signing key and its id.
pub struct PoolKey {
    pub kid: String,
    pub key: RsaPrivateKey,
    pub public: RsaPublicKey,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    kid: String,
    pkcs8: String,
}

impl PoolKey {
    /// The key as one JWK.
    pub fn jwk(&self, alg: &str) -> Value {
        json!({
            "alg": alg,
            "e": B64URL.encode(self.public.e().to_bytes_be()),
            "kid": self.kid,
            "kty": "RSA",
            "n": B64URL.encode(self.public.n().to_bytes_be()),
            "use": "sig",
        })
    }
}

fn from_stored(bytes: &[u8]) -> Result<PoolKey, AwsError> {
    let stored: Stored = crate::db::decode("signing key", bytes)?;
    let der = base64::engine::general_purpose::STANDARD
        .decode(&stored.pkcs8)
        .map_err(|e| AwsError::internal(format!("signing key: {e}")))?;
    let key = RsaPrivateKey::from_pkcs8_der(&der).map_err(|e| AwsError::internal(format!("signing key: {e}")))?;
    Ok(PoolKey { kid: stored.kid, public: key.to_public_key(), key })
}

/// The key stored under `store_key`, generated and stored if absent.
pub async fn load_or_create(s: &Shared, store_key: &str) -> Result<Arc<PoolKey>, AwsError> {
    if let Some(k) = s.keys.lock().ok().and_then(|m| m.get(store_key).cloned()) {
        return Ok(k);
    }
    let key = match s.store.get(store_key.as_bytes())? {
        Some(bytes) => from_stored(&bytes)?,
        None => {
            let fresh = tokio::task::spawn_blocking(|| {
                let mut rng = rsa::rand_core::OsRng;
                RsaPrivateKey::new(&mut rng, KEY_BITS).map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| AwsError::internal(e.to_string()))?
            .map_err(AwsError::internal)?;
            let der = fresh.to_pkcs8_der().map_err(|e| AwsError::internal(e.to_string()))?;
            let stored = Stored {
                kid: base64::engine::general_purpose::STANDARD.encode(uuid::Uuid::new_v4().as_bytes()),
                pkcs8: base64::engine::general_purpose::STANDARD.encode(der.as_bytes()),
            };
            let bytes = crate::db::encode(&stored)?;
            let k = store_key.to_string();
            // Another call may have stored one meanwhile: the first one wins.
            let kept: Vec<u8> = s
                .store
                .transact(move |txn| {
                    if let Some(existing) = txn.get(k.as_bytes())? {
                        return Ok::<_, AwsError>(existing);
                    }
                    txn.put(k.as_bytes().to_vec(), bytes.clone());
                    Ok(bytes.clone())
                })
                .await?;
            from_stored(&kept)?
        }
    };
    let key = Arc::new(key);
    if let Ok(mut m) = s.keys.lock() {
        m.insert(store_key.to_string(), key.clone());
    }
    Ok(key)
}

/// The signing key of user pool `pool_id`.
pub async fn pool_key(s: &Shared, pool_id: &str) -> Result<Arc<PoolKey>, AwsError> {
    load_or_create(s, &crate::keys::signing_key(pool_id)).await
}

/// Forgets cached keys (after a reset or a deleted pool).
pub fn forget(s: &Shared, store_key: &str) {
    if let Ok(mut m) = s.keys.lock() {
        m.remove(store_key);
    }
}
