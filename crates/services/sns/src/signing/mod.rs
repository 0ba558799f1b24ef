//! Message signing: one RSA key and self-signed certificate per server,
//! generated on first need and kept in the store (so signatures verify
//! across restarts), and SignatureVersion 1 (SHA1withRSA) and 2
//! (SHA256withRSA) signatures over AWS's canonical string.

pub mod canonical;
pub mod cert;
pub mod x509;

use base64::Engine;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use stratus_core::AwsError;
use stratus_store::Store;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const KEY_BITS: usize = 2048;
/// The certificate is valid for ten years from its creation.
const VALIDITY_SECS: i64 = 10 * 365 * 24 * 3600;

/// The server's signing key and certificate.
pub struct Signer {
    key: RsaPrivateKey,
    pub cert_der: Vec<u8>,
    pub cert_pem: String,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    key_pkcs8: String,
    cert_der: String,
}

impl Signer {
    /// A new key and certificate (slow: RSA key generation).
    pub fn generate() -> Result<Signer, String> {
        let mut rng = rsa::rand_core::OsRng;
        let key = RsaPrivateKey::new(&mut rng, KEY_BITS).map_err(|e| e.to_string())?;
        let spki = key.to_public_key().to_public_key_der().map_err(|e| e.to_string())?;
        let now = stratus_core::clock::now_epoch() as i64;
        let serial: [u8; 8] = rand_serial();
        let tbs = x509::tbs(&serial, spki.as_bytes(), now - 86_400, now + VALIDITY_SECS);
        let signature = key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&tbs)).map_err(|e| e.to_string())?;
        let cert_der = x509::certificate(&tbs, &signature);
        Ok(Signer { cert_pem: x509::pem(&cert_der), cert_der, key })
    }

    fn to_stored(&self) -> Result<Stored, String> {
        let der = self.key.to_pkcs8_der().map_err(|e| e.to_string())?;
        Ok(Stored { key_pkcs8: B64.encode(der.as_bytes()), cert_der: B64.encode(&self.cert_der) })
    }

    fn from_stored(s: &Stored) -> Result<Signer, String> {
        let der = B64.decode(&s.key_pkcs8).map_err(|e| e.to_string())?;
        let key = RsaPrivateKey::from_pkcs8_der(&der).map_err(|e| e.to_string())?;
        let cert_der = B64.decode(&s.cert_der).map_err(|e| e.to_string())?;
        Ok(Signer { cert_pem: x509::pem(&cert_der), cert_der, key })
    }

    /// The key and certificate in the store, made and stored if absent.
    pub async fn load_or_create(store: &Store) -> Result<Signer, AwsError> {
        if let Some(bytes) = store.get(crate::keys::SIGNING)? {
            let stored: Stored = crate::model::decode(&bytes)?;
            return Signer::from_stored(&stored).map_err(AwsError::internal);
        }
        let fresh = tokio::task::spawn_blocking(Signer::generate)
            .await
            .map_err(|e| AwsError::internal(e.to_string()))?
            .map_err(AwsError::internal)?;
        let stored = fresh.to_stored().map_err(AwsError::internal)?;
        let bytes = crate::model::encode(&stored);
        // Another task may have stored one meanwhile: the first one wins.
        let kept: Vec<u8> = store
            .transact(move |txn| {
                if let Some(existing) = txn.get(crate::keys::SIGNING)? {
                    return Ok::<_, stratus_store::StoreError>(existing);
                }
                txn.put(crate::keys::SIGNING, bytes.clone());
                Ok(bytes.clone())
            })
            .await?;
        let stored: Stored = crate::model::decode(&kept)?;
        Signer::from_stored(&stored).map_err(AwsError::internal)
    }

    /// The base64 signature of `data` for SignatureVersion `version`.
    pub fn sign(&self, version: &str, data: &[u8]) -> String {
        let result = if version == "2" {
            self.key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data))
        } else {
            self.key.sign(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(data))
        };
        result.map(|s| B64.encode(s)).unwrap_or_default()
    }

    /// Adds `SignatureVersion` and `Signature` to a message.
    pub fn sign_message(&self, version: &str, message: &mut Map<String, Value>) {
        let text = canonical::string_to_sign(message);
        message.insert("SignatureVersion".into(), Value::String(version.into()));
        message.insert("Signature".into(), Value::String(self.sign(version, text.as_bytes())));
    }

    pub fn public_key(&self) -> RsaPublicKey {
        self.key.to_public_key()
    }
}

fn rand_serial() -> [u8; 8] {
    let id = uuid::Uuid::new_v4();
    let mut out = [0u8; 8];
    out.copy_from_slice(&id.as_bytes()[..8]);
    out[0] &= 0x7f;
    out
}

/// Verifies a base64 signature with `key` (used by tests and by anyone
/// checking a message against the served certificate).
pub fn verify(key: &RsaPublicKey, version: &str, data: &[u8], signature_b64: &str) -> bool {
    let Ok(sig) = B64.decode(signature_b64) else { return false };
    if version == "2" {
        key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data), &sig).is_ok()
    } else {
        key.verify(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(data), &sig).is_ok()
    }
}

#[cfg(test)]
mod tests;
