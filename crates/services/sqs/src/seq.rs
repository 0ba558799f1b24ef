//! Message sequence numbers: strictly increasing across the process and,
//! being microseconds since the epoch at least, across restarts. They order
//! a queue's messages in the store and make FIFO `SequenceNumber`s.

use std::sync::atomic::{AtomicU64, Ordering};

static LAST: AtomicU64 = AtomicU64::new(0);

pub fn next() -> u64 {
    let now = u64::try_from(stratus_core::clock::now_millis()).unwrap_or(0).saturating_mul(1000);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let candidate = now.max(last + 1);
        match LAST.compare_exchange_weak(last, candidate, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return candidate,
            Err(seen) => last = seen,
        }
    }
}

/// The 20-digit `SequenceNumber` of a FIFO message.
pub fn sequence_number(seq: u64) -> String {
    format!("1{seq:019}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn increasing_and_twenty_digits() {
        let a = super::next();
        let b = super::next();
        assert!(b > a);
        assert_eq!(super::sequence_number(a).len(), 20);
        assert!(super::sequence_number(a) < super::sequence_number(b));
    }
}
