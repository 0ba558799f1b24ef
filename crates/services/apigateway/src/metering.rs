//! Throttling and quotas at work: token buckets (rate = steady refill per
//! second, burst = capacity) by limit scope, and per-day request counts
//! of each usage plan key, from which quotas and GetUsage are answered.
//! Both live in memory: buckets refill and counts restart with the server.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;
use time::Date;

/// A token bucket's state.
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// A plan's quota: at most `limit` requests per `period` (DAY, WEEK, MONTH).
#[derive(Debug, Clone, Copy)]
pub struct Quota<'a> {
    pub limit: u64,
    pub period: &'a str,
}

/// A request refused because its key's quota for the period is spent.
#[derive(Debug, PartialEq)]
pub struct QuotaExceeded;

#[derive(Default)]
pub struct Meter {
    buckets: Mutex<HashMap<String, Bucket>>,
    /// Requests by (plan, key) and UTC day.
    usage: Mutex<HashMap<(String, String), BTreeMap<Date, u64>>>,
}

/// The first day of the quota period `day` falls in.
fn period_start(day: Date, period: &str) -> Date {
    match period {
        "WEEK" => day - time::Duration::days(i64::from(day.weekday().number_days_from_monday())),
        "MONTH" => day.replace_day(1).unwrap_or(day),
        _ => day,
    }
}

impl Meter {
    /// Takes a token from the bucket `scope` (rate per second, burst
    /// capacity); false when it is empty.
    pub fn take(&self, scope: &str, rate: f64, burst: f64) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let b = buckets.entry(scope.to_string()).or_insert(Bucket { tokens: burst, last: now });
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * rate).min(burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Requests of `key` under `plan` from the start of `day`'s period through `day`.
    fn used_in_period(days: &BTreeMap<Date, u64>, day: Date, period: &str) -> u64 {
        days.range(period_start(day, period)..=day).map(|(_, n)| n).sum()
    }

    /// Counts one request of `key` under `plan` today, unless its quota is spent.
    pub fn count(&self, plan: &str, key: &str, quota: Option<Quota>) -> Result<(), QuotaExceeded> {
        let today = stratus_core::clock::now().date();
        let mut usage = self.usage.lock().unwrap_or_else(PoisonError::into_inner);
        let days = usage.entry((plan.to_string(), key.to_string())).or_default();
        if let Some(q) = quota
            && Self::used_in_period(days, today, q.period) >= q.limit
        {
            return Err(QuotaExceeded);
        }
        *days.entry(today).or_default() += 1;
        Ok(())
    }

    /// `[used, remaining]` of each day from `start` to `end` for `key` under
    /// `plan` (remaining is what the quota had left that day; 0 without one).
    pub fn usage(&self, plan: &str, key: &str, (start, end): (Date, Date), quota: Option<Quota>) -> Vec<[u64; 2]> {
        let usage = self.usage.lock().unwrap_or_else(PoisonError::into_inner);
        let empty = BTreeMap::new();
        let days = usage.get(&(plan.to_string(), key.to_string())).unwrap_or(&empty);
        let mut out = Vec::new();
        let mut day = start;
        while day <= end {
            let used = days.get(&day).copied().unwrap_or(0);
            let remaining =
                quota.map(|q| q.limit.saturating_sub(Self::used_in_period(days, day, q.period))).unwrap_or(0);
            out.push([used, remaining]);
            match day.next_day() {
                Some(next) => day = next,
                None => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_its_burst_then_refuses() {
        let m = Meter::default();
        assert!(m.take("s", 0.0001, 2.0));
        assert!(m.take("s", 0.0001, 2.0));
        assert!(!m.take("s", 0.0001, 2.0));
        assert!(m.take("other", 0.0001, 1.0));
    }

    #[test]
    fn quota_counts_per_period() {
        let m = Meter::default();
        let q = Some(Quota { limit: 2, period: "DAY" });
        assert_eq!(m.count("p", "k", q), Ok(()));
        assert_eq!(m.count("p", "k", q), Ok(()));
        assert_eq!(m.count("p", "k", q), Err(QuotaExceeded));
        assert_eq!(m.count("p", "k2", q), Ok(()));
        let today = stratus_core::clock::now().date();
        assert_eq!(m.usage("p", "k", (today, today), q), vec![[2, 0]]);
    }
}
