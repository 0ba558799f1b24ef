//! Decoded table metadata by store key. A lookup hands over the bytes just
//! read from the store and gets the decoded table back, decoded again only
//! when those bytes differ from the cached copy's, so the writers of table
//! metadata never have to invalidate anything.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::db::decode_meta;
use crate::error::DdbError;
use crate::table::TableMeta;

/// The most tables the cache keeps before it starts over.
const LIMIT: usize = 4096;

/// A decoded table with the stored bytes it came from.
struct Cached {
    raw: Vec<u8>,
    meta: Arc<TableMeta>,
}

/// Shared by every call of the service; cheap to clone.
#[derive(Clone, Default)]
pub struct MetaCache(Arc<Mutex<HashMap<String, Cached>>>);

impl MetaCache {
    /// The table stored as `raw` under `key`.
    pub fn decode(&self, key: &str, raw: Vec<u8>) -> Result<Arc<TableMeta>, DdbError> {
        {
            let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(c) = map.get(key).filter(|c| c.raw == raw) {
                return Ok(c.meta.clone());
            }
        }
        let meta = Arc::new(decode_meta(&raw)?);
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= LIMIT {
            map.clear();
        }
        map.insert(key.to_string(), Cached { raw, meta: meta.clone() });
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "name": name, "id": "id", "arn": "arn", "created": 0.0,
            "hash": {"name": "pk", "ty": "S"}, "attrs": [], "billing": "PAY_PER_REQUEST",
            "rcu": 0, "wcu": 0, "gsis": [], "lsis": [], "deletion_protection": false,
            "tags": [], "ttl_enabled": false, "status": "ACTIVE"
        }))
        .expect("json")
    }

    #[test]
    fn decodes_again_only_when_the_bytes_change() {
        let cache = MetaCache::default();
        let a = cache.decode("k", table("a")).expect("decode");
        let again = cache.decode("k", table("a")).expect("decode");
        assert!(Arc::ptr_eq(&a, &again));
        let b = cache.decode("k", table("b")).expect("decode");
        assert_eq!(b.name, "b");
        assert!(!Arc::ptr_eq(&a, &b));
        assert!(cache.decode("k", b"not json".to_vec()).is_err());
    }
}
