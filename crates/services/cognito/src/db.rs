//! Reading and writing JSON records in the store.

use serde::Serialize;
use serde::de::DeserializeOwned;
use stratus_core::AwsError;
use stratus_store::Store;

use crate::errors::corrupt;

/// The record under `key`, if any.
pub fn get<T: DeserializeOwned>(store: &Store, key: &str) -> Result<Option<T>, AwsError> {
    match store.get(key.as_bytes())? {
        Some(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| corrupt(key, e)),
        None => Ok(None),
    }
}

/// Encodes a record.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, AwsError> {
    serde_json::to_vec(value).map_err(|e| AwsError::internal(format!("cannot encode record: {e}")))
}

/// Decodes a record read inside a transaction.
pub fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, AwsError> {
    serde_json::from_slice(bytes).map_err(|e| corrupt(what, e))
}

/// Stores one record.
pub async fn put<T: Serialize>(store: &Store, key: &str, value: &T) -> Result<(), AwsError> {
    store.put(key.as_bytes().to_vec(), encode(value)?).await?;
    Ok(())
}

/// Every record under `prefix`, in key order, with its key's tail.
pub fn scan<T: DeserializeOwned>(store: &Store, prefix: &str) -> Result<Vec<(String, T)>, AwsError> {
    let mut out = Vec::new();
    for (k, v) in store.scan_prefix(prefix.as_bytes(), false, None)? {
        let key = String::from_utf8_lossy(&k).into_owned();
        let tail = key.get(prefix.len()..).unwrap_or("").to_string();
        out.push((tail, decode(&key, &v)?));
    }
    Ok(out)
}

/// The key tails under `prefix` (index records).
pub fn scan_keys(store: &Store, prefix: &str) -> Result<Vec<String>, AwsError> {
    Ok(store
        .scan_prefix(prefix.as_bytes(), false, None)?
        .into_iter()
        .map(|(k, _)| String::from_utf8_lossy(&k).get(prefix.len()..).unwrap_or("").to_string())
        .collect())
}
