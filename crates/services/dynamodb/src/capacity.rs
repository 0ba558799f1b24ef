//! Provisioned-capacity enforcement (`--enforce-capacity`): one token
//! bucket per table, per GSI and per direction, refilled at the provisioned rate and
//! holding up to 300 seconds of unused capacity (AWS's burst). A request is
//! refused with ProvisionedThroughputExceededException when its bucket is
//! empty, and charged its consumed units after it ran. On-demand tables are
//! never throttled. Buckets are a per-process cache: losing them on
//! restart only refills the burst.
//!
//! A [`Gate`] is what one call asks: whether a table's (or index's) bucket
//! is empty, item by item for batches and transactions, and what to charge.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{Value, json};

use crate::error::DdbError;
use crate::ops::common::Units;
use crate::table::TableMeta;

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

const TABLE_EXCEEDED: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";
const INDEX_EXCEEDED: &str = "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API.";

/// Whose bucket is empty: the table's, or a global secondary index's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Exhausted {
    Table,
    Index,
}

impl Exhausted {
    fn message(self) -> &'static str {
        match self {
            Exhausted::Table => TABLE_EXCEEDED,
            Exhausted::Index => INDEX_EXCEEDED,
        }
    }

    /// ProvisionedThroughputExceededException for a refused request.
    pub fn error(self) -> DdbError {
        DdbError::bad_request("ProvisionedThroughputExceededException", self.message())
    }

    /// The code and message of a throttled transaction item or batch
    /// statement (the API reference's CancellationReason list: provisioned
    /// tables and GSIs give `ProvisionedThroughputExceeded`; `ThrottlingError`
    /// is for on-demand tables, which are never throttled here).
    pub fn reason(self) -> Value {
        json!({"Code": "ProvisionedThroughputExceeded", "Message": self.message()})
    }
}

/// The buckets one call may spend: those of its account and region, or
/// none at all without `--enforce-capacity`.
pub struct Gate<'a> {
    throttle: Option<&'a Throttle>,
    prefix: String,
}

impl<'a> Gate<'a> {
    /// A gate that never throttles.
    pub fn open() -> Gate<'static> {
        Gate { throttle: None, prefix: String::new() }
    }

    pub fn new(throttle: &'a Throttle, account: &str, region: &str) -> Gate<'a> {
        Gate { throttle: Some(throttle), prefix: format!("{account}/{region}") }
    }

    fn key(&self, table: &str, index: &str, write: bool) -> String {
        format!("{}/{table}/{index}/{}", self.prefix, if write { "write" } else { "read" })
    }

    /// Which bucket, if any, refuses a read of `meta` (through `index` when
    /// it names a GSI: local indexes share the table's capacity) or a write
    /// (the table's and every GSI's, which each write may touch).
    pub fn exhausted(&self, meta: &TableMeta, index: Option<&str>, write: bool) -> Option<Exhausted> {
        let throttle = self.throttle?;
        if meta.billing != "PROVISIONED" {
            return None;
        }
        let gsi_rate = |ix: &crate::table::IndexMeta| if write { ix.wcu } else { ix.rcu }.unwrap_or(0) as f64;
        let target = index.and_then(|n| meta.gsis.iter().find(|g| g.name == n));
        if !write && let Some(ix) = target {
            return throttle.check(&self.key(&meta.name, &ix.name, false), gsi_rate(ix)).then_some(Exhausted::Index);
        }
        let table_rate = if write { meta.wcu } else { meta.rcu } as f64;
        if throttle.check(&self.key(&meta.name, "", write), table_rate) {
            return Some(Exhausted::Table);
        }
        if write {
            for ix in &meta.gsis {
                if throttle.check(&self.key(&meta.name, &ix.name, true), gsi_rate(ix)) {
                    return Some(Exhausted::Index);
                }
            }
        }
        None
    }

    /// Charges what a call consumed on `table`: local index units come out
    /// of the table's bucket, global index units out of the index's.
    pub fn charge(&self, table: &str, units: &Units, write: bool) {
        let Some(throttle) = self.throttle else { return };
        throttle.charge(&self.key(table, "", write), units.table + units.lsis.values().sum::<f64>());
        for (ix, u) in &units.gsis {
            throttle.charge(&self.key(table, ix, write), *u);
        }
    }
}

impl Throttle {
    /// Whether the bucket `key` (refilling at `rate` units/s) is empty.
    fn check(&self, key: &str, rate: f64) -> bool {
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let b = map.entry(key.to_string()).or_insert_with(|| Bucket {
            tokens: rate * BURST_SECS,
            rate,
            last: Instant::now(),
        });
        b.refill(rate);
        b.tokens <= 0.0
    }

    /// Charges `units` to bucket `key`.
    fn charge(&self, key: &str, units: f64) {
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
