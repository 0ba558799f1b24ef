//! Messages being handed out right now. Concurrent receives of one queue
//! see the same snapshot, so without this they would all pick the same
//! first visible messages and all but one would lose them in the claiming
//! transaction. A receive claims each candidate here before its
//! transaction and releases the claims when the transaction is over; the
//! transaction still re-checks every message, so a claim only steers
//! receivers apart and never decides who gets a message.

use std::collections::HashSet;
use std::sync::Mutex;

#[derive(Default)]
pub struct Claims(Mutex<HashSet<Vec<u8>>>);

impl Claims {
    /// A holder that claims message keys for one receive and releases them
    /// all when dropped.
    pub fn holder(&self) -> Held<'_> {
        Held { claims: self, keys: Vec::new() }
    }
}

pub struct Held<'a> {
    claims: &'a Claims,
    keys: Vec<Vec<u8>>,
}

impl Held<'_> {
    /// Claims `key`; false when another receive holds it.
    pub fn claim(&mut self, key: &[u8]) -> bool {
        let Ok(mut set) = self.claims.0.lock() else { return true };
        if !set.insert(key.to_vec()) {
            return false;
        }
        self.keys.push(key.to_vec());
        true
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if self.keys.is_empty() {
            return;
        }
        if let Ok(mut set) = self.claims.0.lock() {
            for k in &self.keys {
                set.remove(k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_excludes_others_until_released() {
        let claims = Claims::default();
        let mut a = claims.holder();
        assert!(a.claim(b"m1"));
        let mut b = claims.holder();
        assert!(!b.claim(b"m1"));
        assert!(b.claim(b"m2"));
        drop(a);
        assert!(claims.holder().claim(b"m1"));
        assert!(!claims.holder().claim(b"m2"));
    }
}
