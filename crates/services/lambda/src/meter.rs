//! The billing meter: requests and GB-seconds per function and
//! architecture, and what the same usage would cost on AWS
//! (`GET /_stratus/billing`): $0.20 per million requests plus
//! $0.0000166667 per GB-second on x86_64, $0.0000133334 on arm64.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Mutex;

pub const PER_REQUEST: f64 = 0.20 / 1_000_000.0;
pub const PER_GB_SECOND_X86: f64 = 0.000_016_666_7;
pub const PER_GB_SECOND_ARM: f64 = 0.000_013_333_4;

#[derive(Default)]
struct Usage {
    requests: u64,
    gb_seconds: f64,
}

#[derive(Default)]
pub struct Meter {
    usage: Mutex<BTreeMap<(String, String), Usage>>,
}

impl Meter {
    /// Records one request billed for `billed_ms` at `memory_mb`.
    pub fn record(&self, function_arn: &str, arch: &str, memory_mb: i64, billed_ms: u64) {
        if let Ok(mut u) = self.usage.lock() {
            let e = u.entry((function_arn.to_string(), arch.to_string())).or_default();
            e.requests += 1;
            e.gb_seconds += (memory_mb as f64 / 1024.0) * (billed_ms as f64 / 1000.0);
        }
    }

    pub fn report(&self) -> Value {
        let Ok(u) = self.usage.lock() else { return json!({}) };
        let mut total = 0.0;
        let functions: Vec<Value> = u
            .iter()
            .map(|((arn, arch), us)| {
                let rate = if arch == "arm64" { PER_GB_SECOND_ARM } else { PER_GB_SECOND_X86 };
                let cost = us.requests as f64 * PER_REQUEST + us.gb_seconds * rate;
                total += cost;
                json!({
                    "FunctionArn": arn,
                    "Architecture": arch,
                    "Requests": us.requests,
                    "GbSeconds": us.gb_seconds,
                    "CostUsd": cost,
                })
            })
            .collect();
        json!({ "Functions": functions, "TotalCostUsd": total })
    }

    pub fn reset(&self) {
        if let Ok(mut u) = self.usage.lock() {
            u.clear();
        }
    }
}
