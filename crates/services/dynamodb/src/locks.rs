//! Items held by transactions in flight. TransactWriteItems holds its items
//! from planning until its store transaction commits; another transaction
//! touching one of them is cancelled with `TransactionConflict`, and a
//! single-item write to one fails with `TransactionConflictException`, as
//! DynamoDB does while a transaction is ongoing for the item.

use crate::error::DdbError;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// One item: its table and encoded key.
pub type ItemId = (String, Vec<u8>);

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
    pub fn check_free(&self, table: &str, key: Vec<u8>) -> Result<(), DdbError> {
        let set = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if set.is_empty() || !set.contains(&(table.to_string(), key)) {
            return Ok(());
        }
        Err(DdbError::bad_request("TransactionConflictException", "Transaction is ongoing for the item."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_held_until_released() {
        let locks = ItemLocks::default();
        let a = ("t".to_string(), b"a".to_vec());
        let b = ("t".to_string(), b"b".to_vec());
        let held = locks.acquire(std::slice::from_ref(&a)).expect("free");
        assert_eq!(locks.acquire(&[b.clone(), a.clone()]).err(), Some(vec![false, true]));
        assert!(locks.check_free("t", b"a".to_vec()).is_err());
        assert!(locks.check_free("t", b"b".to_vec()).is_ok());
        drop(held);
        assert!(locks.acquire(&[a, b]).is_ok());
        assert!(locks.check_free("t", b"a".to_vec()).is_ok());
    }
}
