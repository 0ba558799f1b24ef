//! Authentication sessions: the state between an InitiateAuth and the
//! RespondToAuthChallenge calls that finish it (the SRP private value, the
//! pending challenge, custom-challenge history). The client sees only an
//! opaque id (the `Session`, or inside SECRET_BLOCK); sessions expire after
//! the client's AuthSessionValidity (3 minutes by default).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use stratus_core::{AwsError, clock, ids};
use stratus_store::WriteBatch;

use crate::errors::invalid_session;
use crate::shared::Shared;
use crate::{db, keys};

const EXPIRY_INDEX: &str = "cognito-idp/sessexp/";
const REAP_BATCH: usize = 16;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    /// The challenge this session answers.
    pub challenge: String,
    pub expires: f64,
    /// Challenge-specific state.
    #[serde(default)]
    pub data: Value,
}

/// Starts a session; returns its id.
pub async fn create(
    s: &Shared,
    pool_id: &str,
    client_id: &str,
    username: &str,
    challenge: &str,
    validity_minutes: i64,
    data: Value,
) -> Result<String, AwsError> {
    let now = clock::now_epoch();
    let id = ids::random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 120);
    let session = Session {
        id: id.clone(),
        pool_id: pool_id.to_string(),
        client_id: client_id.to_string(),
        username: username.to_string(),
        challenge: challenge.to_string(),
        expires: now + (validity_minutes.clamp(3, 15) * 60) as f64,
        data,
    };
    let mut batch = WriteBatch::new();
    for (k, _) in s.store.scan(
        EXPIRY_INDEX.as_bytes().to_vec()..format!("{EXPIRY_INDEX}{:020}", now as u64).into_bytes(),
        false,
        Some(REAP_BATCH),
    )? {
        if let Some(old) = String::from_utf8_lossy(&k).rsplit('/').next() {
            batch.delete(keys::session(old).into_bytes());
        }
        batch.delete(k);
    }
    batch.put(format!("{EXPIRY_INDEX}{:020}/{id}", session.expires as u64).into_bytes(), Vec::new());
    batch.put(keys::session(&id).into_bytes(), db::encode(&session)?);
    s.store.write(batch).await?;
    Ok(id)
}

/// The live session `id` for `client_id`.
pub fn load(s: &Shared, id: &str, client_id: &str) -> Result<Session, AwsError> {
    let session: Session = db::get(&s.store, &keys::session(id))?.ok_or_else(invalid_session)?;
    if session.client_id != client_id || session.expires < clock::now_epoch() {
        return Err(invalid_session());
    }
    Ok(session)
}

/// Ends a session.
pub async fn end(s: &Shared, session: &Session) -> Result<(), AwsError> {
    let mut batch = WriteBatch::new();
    batch.delete(keys::session(&session.id).into_bytes());
    batch.delete(format!("{EXPIRY_INDEX}{:020}/{}", session.expires as u64, session.id).into_bytes());
    s.store.write(batch).await?;
    Ok(())
}
