//! The custom domain names this Stratus serves, kept in memory so that the
//! data plane asks the store about a Host only when it is one of them
//! (virtual-host S3 buckets and other dotted hosts never touch the store).
//! Filled from the store when the service starts or the store is wiped
//! (`reload`), then kept by CreateDomainName and DeleteDomainName (v1 and
//! v2 alike).

use std::collections::HashSet;
use std::sync::{PoisonError, RwLock};
use stratus_store::Store;

/// Where each domain name's owner is kept: `apigw/domainhost/{name}`.
pub const PREFIX: &str = "apigw/domainhost/";

#[derive(Default)]
pub struct DomainNames(RwLock<HashSet<String>>);

impl DomainNames {
    /// The names the store holds.
    pub fn loaded(store: &Store) -> DomainNames {
        let names = DomainNames::default();
        names.reload(store);
        names
    }

    /// Forgets every name and reads them again from the store.
    pub fn reload(&self, store: &Store) {
        let found = match store.scan_prefix(PREFIX, false, None) {
            Ok(rows) => rows
                .into_iter()
                .filter_map(|(key, _)| {
                    key.strip_prefix(PREFIX.as_bytes()).map(|n| String::from_utf8_lossy(n).into_owned())
                })
                .collect(),
            Err(e) => {
                tracing::warn!("API Gateway custom domain names not loaded: {e}");
                HashSet::new()
            }
        };
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = found;
    }

    /// Whether `name` (lower-case) is a created domain name.
    pub fn contains(&self, name: &str) -> bool {
        let names = self.0.read().unwrap_or_else(PoisonError::into_inner);
        !names.is_empty() && names.contains(name)
    }

    pub fn insert(&self, name: &str) {
        self.0.write().unwrap_or_else(PoisonError::into_inner).insert(name.to_string());
    }

    pub fn remove(&self, name: &str) {
        self.0.write().unwrap_or_else(PoisonError::into_inner).remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_store_then_kept() {
        let store = Store::in_memory().expect("store");
        let names = DomainNames::loaded(&store);
        assert!(!names.contains("api.example.com"));
        names.insert("api.example.com");
        assert!(names.contains("api.example.com") && !names.contains("bucket.localhost"));
        names.remove("api.example.com");
        assert!(!names.contains("api.example.com"));
    }
}
