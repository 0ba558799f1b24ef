//! Request metrics in Prometheus text form: requests by service, operation
//! and status, and a latency histogram by service and operation. Counters
//! are atomics behind a read-mostly map, so the hot path takes no write lock
//! once a series exists.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 18] = [
    0.00001, 0.000025, 0.00005, 0.000075, 0.0001, 0.00015, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

/// (service, operation, HTTP status).
type RequestSeries = (&'static str, &'static str, u16);
/// (service, operation).
type LatencySeries = (&'static str, &'static str);

#[derive(Default)]
pub struct Metrics {
    requests: RwLock<HashMap<RequestSeries, Arc<AtomicU64>>>,
    latency: RwLock<HashMap<LatencySeries, Arc<Histogram>>>,
}

fn series<K: std::hash::Hash + Eq + Copy, V: Default>(map: &RwLock<HashMap<K, Arc<V>>>, key: &K) -> Arc<V> {
    if let Some(v) = map.read().ok().and_then(|m| m.get(key).cloned()) {
        return v;
    }
    match map.write() {
        Ok(mut m) => m.entry(*key).or_default().clone(),
        Err(_) => Arc::new(V::default()),
    }
}

impl Metrics {
    /// Records one finished request.
    pub fn record(&self, service: &'static str, operation: &'static str, status: u16, elapsed: Duration) {
        series(&self.requests, &(service, operation, status)).fetch_add(1, Ordering::Relaxed);
        let h = series(&self.latency, &(service, operation));
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        h.count.fetch_add(1, Ordering::Relaxed);
        h.sum_nanos.fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP stratus_requests_total Requests by service, operation and HTTP status.\n");
        out.push_str("# TYPE stratus_requests_total counter\n");
        if let Ok(map) = self.requests.read() {
            let mut rows: Vec<_> = map.iter().collect();
            rows.sort_by(|a, b| a.0.cmp(b.0));
            for ((service, op, status), n) in rows {
                let _ = writeln!(
                    out,
                    "stratus_requests_total{{service=\"{service}\",operation=\"{op}\",status=\"{status}\"}} {}",
                    n.load(Ordering::Relaxed)
                );
            }
        }
        out.push_str("# HELP stratus_request_duration_seconds Time from request received to response ready.\n");
        out.push_str("# TYPE stratus_request_duration_seconds histogram\n");
        if let Ok(map) = self.latency.read() {
            let mut rows: Vec<_> = map.iter().collect();
            rows.sort_by(|a, b| a.0.cmp(b.0));
            for ((service, op), h) in rows {
                let labels = format!("service=\"{service}\",operation=\"{op}\"");
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "stratus_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                        h.buckets[i].load(Ordering::Relaxed)
                    );
                }
                let count = h.count.load(Ordering::Relaxed);
                let _ = writeln!(out, "stratus_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}");
                let _ = writeln!(
                    out,
                    "stratus_request_duration_seconds_sum{{{labels}}} {}",
                    h.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9
                );
                let _ = writeln!(out, "stratus_request_duration_seconds_count{{{labels}}} {count}");
            }
        }
        out
    }
}
