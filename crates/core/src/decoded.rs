//! A cache of decoded records by store key. A lookup reads the store's
//! generation first: while no write has committed since the entry was
//! read, the entry is current and the store is not read at all. Otherwise
//! the record is read again and decoded again only when its bytes differ
//! from the cached copy's. The writers of the records therefore never have
//! to invalidate anything. Services use it for what every request reads and
//! few change (table definitions, function configurations).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use stratus_store::{Store, StoreError};

/// The most entries a cache keeps before it starts over.
const LIMIT: usize = 4096;

/// A decoded value with the stored bytes it came from and the store
/// generation it was last known current at.
struct Entry<T> {
    raw: Vec<u8>,
    value: Arc<T>,
    current_at: Option<u64>,
}

/// Decoded values of type `T` by store key; cheap to clone (shared).
pub struct DecodedCache<T>(Arc<Mutex<HashMap<String, Entry<T>>>>);

impl<T> Clone for DecodedCache<T> {
    fn clone(&self) -> Self {
        DecodedCache(self.0.clone())
    }
}

impl<T> Default for DecodedCache<T> {
    fn default() -> Self {
        DecodedCache(Arc::new(Mutex::new(HashMap::new())))
    }
}

impl<T> DecodedCache<T> {
    /// The latest committed record under `key`, decoded with `decode`; None
    /// when there is none.
    pub fn load<E: From<StoreError>>(
        &self,
        store: &Store,
        key: &str,
        decode: impl FnOnce(&[u8]) -> Result<T, E>,
    ) -> Result<Option<Arc<T>>, E> {
        let generation = store.generation();
        {
            let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(e) = map.get(key).filter(|e| e.current_at == Some(generation)) {
                return Ok(Some(e.value.clone()));
            }
        }
        let Some(raw) = store.get(key)? else { return Ok(None) };
        self.decoded(key, raw, Some(generation), decode).map(Some)
    }

    /// The value stored as `raw` under `key` (read from a snapshot that may
    /// be older than the latest commit), decoding only when the bytes changed.
    pub fn get<E>(&self, key: &str, raw: Vec<u8>, decode: impl FnOnce(&[u8]) -> Result<T, E>) -> Result<Arc<T>, E> {
        self.decoded(key, raw, None, decode)
    }

    /// `raw` decoded, from the cache when the bytes match; the entry is
    /// marked current at `generation` when the bytes are the latest commit's.
    fn decoded<E>(
        &self,
        key: &str,
        raw: Vec<u8>,
        generation: Option<u64>,
        decode: impl FnOnce(&[u8]) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        {
            let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(e) = map.get_mut(key).filter(|e| e.raw == raw) {
                if generation.is_some() {
                    e.current_at = generation;
                }
                return Ok(e.value.clone());
            }
        }
        let value = Arc::new(decode(&raw)?);
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= LIMIT {
            map.clear();
        }
        map.insert(key.to_string(), Entry { raw, value: value.clone(), current_at: generation });
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn decodes_again_only_when_the_bytes_change() {
        let cache: DecodedCache<String> = DecodedCache::default();
        let calls = Cell::new(0);
        let decode = |raw: &[u8]| -> Result<String, ()> {
            calls.set(calls.get() + 1);
            Ok(String::from_utf8_lossy(raw).to_string())
        };
        assert_eq!(*cache.get("k", b"one".to_vec(), decode).expect("decode"), "one");
        assert_eq!(*cache.get("k", b"one".to_vec(), decode).expect("cached"), "one");
        assert_eq!(calls.get(), 1);
        assert_eq!(*cache.get("k", b"two".to_vec(), decode).expect("changed"), "two");
        assert_eq!(calls.get(), 2);
        assert!(cache.get("k", b"three".to_vec(), |_| Err::<String, &str>("corrupt")).is_err());
        assert_eq!(*cache.get("k", b"two".to_vec(), decode).expect("still cached"), "two");
        assert_eq!(calls.get(), 2);
    }

    #[tokio::test]
    async fn load_sees_every_commit_and_skips_the_store_between_commits() {
        let store = Store::in_memory().expect("store");
        let cache: DecodedCache<String> = DecodedCache::default();
        let calls = Cell::new(0);
        let decode = |raw: &[u8]| -> Result<String, StoreError> {
            calls.set(calls.get() + 1);
            Ok(String::from_utf8_lossy(raw).to_string())
        };
        assert!(cache.load(&store, "k", decode).expect("missing").is_none());
        store.put("k", "one").await.expect("put");
        assert_eq!(*cache.load(&store, "k", decode).expect("load").expect("present"), "one");
        assert_eq!(*cache.load(&store, "k", decode).expect("load").expect("present"), "one");
        assert_eq!(calls.get(), 1);
        // Another key's commit: the record is read again but not decoded again.
        store.put("other", "x").await.expect("put");
        assert_eq!(*cache.load(&store, "k", decode).expect("load").expect("present"), "one");
        assert_eq!(calls.get(), 1);
        store.put("k", "two").await.expect("put");
        assert_eq!(*cache.load(&store, "k", decode).expect("load").expect("present"), "two");
        store.delete("k").await.expect("delete");
        assert!(cache.load(&store, "k", decode).expect("deleted").is_none());
    }
}
