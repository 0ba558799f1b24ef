//! Provisioned-capacity enforcement (`--enforce-capacity`): one token
//! bucket per table, per GSI and per direction, refilled at the provisioned rate and
//! holding up to 300 seconds of unused capacity (AWS's burst). A request is
//! refused with ProvisionedThroughputExceededException when its bucket is
//! empty, and charged its consumed units after it ran. On-demand tables are
//! never throttled. Buckets are a per-process cache: losing them on
//! restart only refills the burst.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::error::DdbError;

const BURST_SECS: f64 = 300.0;

struct Bucket {
    tokens: f64,
    rate: f64,
    last: Instant,
}

impl Bucket {
    fn refill(&mut self, rate: f64) {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.rate = rate;
        self.tokens = (self.tokens + elapsed * rate).min(rate * BURST_SECS);
    }
}

#[derive(Default)]
pub struct Throttle {
    buckets: Mutex<HashMap<String, Bucket>>,
}

pub fn exceeded() -> DdbError {
    DdbError::bad_request(
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
    )
}

impl Throttle {
    /// Refuses when the bucket `key` (refilling at `rate` units/s) is empty.
    pub fn check(&self, key: &str, rate: f64) -> Result<(), DdbError> {
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let b = map.entry(key.to_string()).or_insert_with(|| Bucket {
            tokens: rate * BURST_SECS,
            rate,
            last: Instant::now(),
        });
        b.refill(rate);
        if b.tokens <= 0.0 { Err(exceeded()) } else { Ok(()) }
    }

    /// Charges `units` to bucket `key`.
    pub fn charge(&self, key: &str, units: f64) {
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = map.get_mut(key) {
            let rate = b.rate;
            b.refill(rate);
            b.tokens -= units;
        }
    }

    pub fn reset(&self) {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}
