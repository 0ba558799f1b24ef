//! A cache of decoded records by store key: a lookup hands over the bytes
//! just read from the store and gets the decoded value back, decoded again
//! only when those bytes differ from the cached copy's. The writers of the
//! records therefore never have to invalidate anything. Services use it for
//! what every request reads and few change (table definitions, function
//! configurations).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The most entries a cache keeps before it starts over.
const LIMIT: usize = 4096;

/// A decoded value with the stored bytes it came from.
struct Entry<T> {
    raw: Vec<u8>,
    value: Arc<T>,
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
    /// The value stored as `raw` under `key`, decoding with `decode` only when
    /// the bytes changed since the last lookup.
    pub fn get<E>(&self, key: &str, raw: Vec<u8>, decode: impl FnOnce(&[u8]) -> Result<T, E>) -> Result<Arc<T>, E> {
        {
            let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(e) = map.get(key).filter(|e| e.raw == raw) {
                return Ok(e.value.clone());
            }
        }
        let value = Arc::new(decode(&raw)?);
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= LIMIT {
            map.clear();
        }
        map.insert(key.to_string(), Entry { raw, value: value.clone() });
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
}
