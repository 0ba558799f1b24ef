//! Store plumbing for IAM: a `Read` trait over the store's read handles (a
//! transaction or a snapshot), and helpers that keep records as JSON.
//! Store failures inside `Store::transact` convert to `AwsError` through
//! core's `From<StoreError>`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use stratus_core::AwsError;
use stratus_store::{KvPair, Snapshot, Store, StoreError, Txn};

/// A store failure as IAM reports server-side faults.
pub fn store_error(e: StoreError) -> AwsError {
    AwsError::new(500, "ServiceFailure", format!("store failure: {e}"))
}

/// Anything records can be read from.
pub trait Read {
    fn raw(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn raw_prefix(&self, prefix: &str) -> Result<Vec<KvPair>, StoreError>;
}

impl Read for Txn<'_> {
    fn raw(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.get(key)
    }
    fn raw_prefix(&self, prefix: &str) -> Result<Vec<KvPair>, StoreError> {
        self.scan_prefix(prefix, false, None)
    }
}

impl Read for Snapshot {
    fn raw(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.get(key)
    }
    fn raw_prefix(&self, prefix: &str) -> Result<Vec<KvPair>, StoreError> {
        self.scan_prefix(prefix, false, None)
    }
}

/// A consistent read view of the store.
pub fn snapshot(store: &Store) -> Result<Snapshot, AwsError> {
    store.snapshot().map_err(store_error)
}

fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, AwsError> {
    serde_json::from_slice(bytes).map_err(|e| {
        AwsError::new(500, "ServiceFailure", format!("corrupt record {}: {e}", String::from_utf8_lossy(key)))
    })
}

/// The record under `key`, if any.
pub fn load<T: DeserializeOwned>(r: &(impl Read + ?Sized), key: &str) -> Result<Option<T>, AwsError> {
    match r.raw(key)? {
        Some(bytes) => decode(key.as_bytes(), &bytes).map(Some),
        None => Ok(None),
    }
}

/// Every record whose key starts with `prefix`, with the rest of its key.
pub fn load_prefix<T: DeserializeOwned>(r: &(impl Read + ?Sized), prefix: &str) -> Result<Vec<(String, T)>, AwsError> {
    r.raw_prefix(prefix)?
        .into_iter()
        .map(|(k, v)| {
            let rest = String::from_utf8_lossy(k.get(prefix.len()..).unwrap_or_default()).into_owned();
            decode(&k, &v).map(|t| (rest, t))
        })
        .collect()
}

/// The keys (rest after `prefix`) of every record under `prefix`.
pub fn keys_with_prefix(r: &(impl Read + ?Sized), prefix: &str) -> Result<Vec<String>, AwsError> {
    Ok(r.raw_prefix(prefix)?
        .into_iter()
        .map(|(k, _)| String::from_utf8_lossy(k.get(prefix.len()..).unwrap_or_default()).into_owned())
        .collect())
}

/// True when some key starts with `prefix`.
pub fn any_with_prefix(r: &(impl Read + ?Sized), prefix: &str) -> Result<bool, AwsError> {
    Ok(!r.raw_prefix(prefix)?.is_empty())
}

/// Writes `value` as JSON under `key`.
pub fn save<T: Serialize>(txn: &mut Txn<'_>, key: &str, value: &T) -> Result<(), AwsError> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| AwsError::new(500, "ServiceFailure", format!("cannot encode {key}: {e}")))?;
    txn.put(key, bytes);
    Ok(())
}
