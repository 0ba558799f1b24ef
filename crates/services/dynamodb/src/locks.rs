//! Items held by transactions in flight. TransactWriteItems holds its items
//! from planning until its store transaction commits; another transaction
//! touching one of them is cancelled with `TransactionConflict`, and a
//! single-item write to one (an item operation or a PartiQL statement)
//! fails with `TransactionConflictException`, as DynamoDB does while a
//! transaction is ongoing for the item. Items are named by account, region,
//! table and key: equal tables of two accounts never conflict.

use crate::error::DdbError;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// One item: its account, region, table and encoded key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ItemId {
    pub account: String,
    pub region: String,
    pub table: String,
    pub key: Vec<u8>,
}

impl ItemId {
    pub fn new(account: &str, region: &str, table: &str, key: Vec<u8>) -> ItemId {
        ItemId { account: account.to_string(), region: region.to_string(), table: table.to_string(), key }
    }
}

/// The set of items held by in-flight transactions, shared by every call.
#[derive(Clone, Default)]
pub struct ItemLocks(Arc<Mutex<HashSet<ItemId>>>);

/// Releases a transaction's items when dropped.
pub struct Held {
    locks: ItemLocks,
    items: Vec<ItemId>,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut set = self.locks.0.lock().unwrap_or_else(PoisonError::into_inner);
        for item in &self.items {
            set.remove(item);
        }
    }
}

impl ItemLocks {
    /// Holds every item of `items`, or none: on conflict returns, per item,
    /// whether another transaction holds it.
    pub fn acquire(&self, items: &[ItemId]) -> Result<Held, Vec<bool>> {
        let mut set = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let busy: Vec<bool> = items.iter().map(|i| set.contains(i)).collect();
        if busy.iter().any(|b| *b) {
            return Err(busy);
        }
        set.extend(items.iter().cloned());
        Ok(Held { locks: self.clone(), items: items.to_vec() })
    }

    /// Fails a single-item write while a transaction holds the item.
    pub fn check_free(&self, item: &ItemId) -> Result<(), DdbError> {
        let set = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if set.is_empty() || !set.contains(item) {
            return Ok(());
        }
        Err(DdbError::bad_request("TransactionConflictException", "Transaction is ongoing for the item."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(account: &str, key: &[u8]) -> ItemId {
        ItemId::new(account, "us-east-1", "t", key.to_vec())
    }

    #[test]
    fn items_are_held_until_released() {
        let locks = ItemLocks::default();
        let (a, b) = (id("111111111111", b"a"), id("111111111111", b"b"));
        let held = locks.acquire(std::slice::from_ref(&a)).expect("free");
        assert_eq!(locks.acquire(&[b.clone(), a.clone()]).err(), Some(vec![false, true]));
        assert!(locks.check_free(&a).is_err());
        assert!(locks.check_free(&b).is_ok());
        drop(held);
        assert!(locks.acquire(&[a.clone(), b]).is_ok());
        assert!(locks.check_free(&a).is_ok());
    }

    #[test]
    fn accounts_and_regions_do_not_share_items() {
        let locks = ItemLocks::default();
        let _held = locks.acquire(&[id("111111111111", b"a")]).expect("free");
        assert!(locks.check_free(&id("222222222222", b"a")).is_ok());
        assert!(locks.check_free(&ItemId::new("111111111111", "eu-west-1", "t", b"a".to_vec())).is_ok());
        assert!(locks.acquire(&[id("222222222222", b"a")]).is_ok());
        assert!(locks.check_free(&id("111111111111", b"a")).is_err());
    }
}
