//! One invocation's log as Lambda writes it: init output, START, the
//! function's lines, the timeout notice, END and REPORT (Duration, Billed
//! Duration, Memory Size, Max Memory Used, Init Duration or, for a SnapStart
//! restore, Restore Duration and Billed Restore Duration), shipped to
//! CloudWatch Logs (`/aws/lambda/<name>`, one stream per environment).

use crate::state::Shared;
use serde_json::Value;
use std::sync::Arc;
use stratus_core::RequestContext;
use stratus_core::input::Input;
use stratus_runtime::Outcome;
use stratus_runtime::environment::InvokeStats;

/// Wall-clock milliseconds, as log events are stamped.
pub fn now_ms() -> i64 {
    stratus_core::clock::now_millis()
}

pub struct RunLog {
    rid: String,
    version: String,
    events: Vec<(i64, String)>,
}

impl RunLog {
    pub fn new(rid: &str, version: &str) -> RunLog {
        RunLog { rid: rid.to_string(), version: version.to_string(), events: Vec::new() }
    }

    /// A line written before START (e.g. Stratus's interpreter warning).
    pub fn init_line(&mut self, line: String) {
        self.events.push((now_ms(), format!("{line}\n")));
    }

    /// Lays out a completed run; `lines` are what the process wrote, and
    /// `begun` (`now_ms`) is when the event was handed over: lines stamped
    /// before it are init output, the rest the invocation's.
    pub fn finish(
        &mut self,
        lines: Vec<(i64, String)>,
        begun: i64,
        outcome: &Outcome,
        stats: &InvokeStats,
        memory: i64,
        timeout_s: u64,
    ) {
        let end = now_ms().max(begun);
        let (init, run): (Vec<_>, Vec<_>) = lines.into_iter().partition(|(t, _)| *t < begun);
        self.events.extend(init.into_iter().map(|(t, l)| (t, format!("{l}\n"))));
        self.events.push((begun, format!("START RequestId: {} Version: {}\n", self.rid, self.version)));
        self.events.extend(run.into_iter().map(|(t, l)| (t.max(begun), format!("{l}\n"))));
        if *outcome == Outcome::Timeout {
            let ts = stratus_core::clock::iso8601(end as f64 / 1000.0);
            self.events.push((end, format!("{ts} {} Task timed out after {timeout_s}.00 seconds\n", self.rid)));
        }
        self.events.push((end, format!("END RequestId: {}\n", self.rid)));
        let ms = stats.duration.as_secs_f64() * 1000.0;
        let init_ms = stats.init_duration.map(|d| d.as_secs_f64() * 1000.0);
        let restore_ms = stats.restore_duration.map(|d| d.as_secs_f64() * 1000.0);
        let billed_restore = stats.billed_restore_duration.map(|d| (d.as_secs_f64() * 1000.0).ceil() as u64);
        let billed = ((ms + init_ms.unwrap_or(0.0)).ceil() as u64).max(1) + billed_restore.unwrap_or(0);
        let mut report = format!(
            "REPORT RequestId: {}\tDuration: {ms:.2} ms\tBilled Duration: {billed} ms\tMemory Size: {memory} MB\tMax Memory Used: {} MB\t",
            self.rid, stats.max_memory_mb
        );
        if let Some(i) = init_ms {
            report.push_str(&format!("Init Duration: {i:.2} ms\t"));
        }
        if let Some(r) = restore_ms {
            let b = billed_restore.unwrap_or(0);
            report.push_str(&format!("Restore Duration: {r:.2} ms\tBilled Restore Duration: {b} ms\t"));
        }
        match outcome {
            Outcome::Timeout => report.push_str("Status: timeout\n"),
            Outcome::Response(_) | Outcome::Error { .. } => report.push('\n'),
            Outcome::InitError { error_type, .. } => report.push_str(&format!(
                "Status: error\tError Type: {}\n",
                error_type.as_deref().unwrap_or("Runtime.Unknown")
            )),
            Outcome::OutOfMemory => report.push_str("Status: error\tError Type: Runtime.OutOfMemory\n"),
            Outcome::Exited(_) => report.push_str("Status: error\tError Type: Runtime.ExitError\n"),
            Outcome::ResponseTooLarge(_) => {
                report.push_str("Status: error\tError Type: Function.ResponseSizeTooLarge\n")
            }
        }
        self.events.push((end, report));
    }

    /// Lays out a run whose environment could not start.
    pub fn finish_failed(&mut self, message: &str, memory: i64, error_type: &str) {
        let t = now_ms();
        self.events.push((t, format!("START RequestId: {} Version: {}\n", self.rid, self.version)));
        self.events.push((t, format!("{message}\n")));
        self.events.push((t, format!("END RequestId: {}\n", self.rid)));
        self.events.push((t, format!(
            "REPORT RequestId: {}\tDuration: 0.00 ms\tBilled Duration: 0 ms\tMemory Size: {memory} MB\tMax Memory Used: 0 MB\tStatus: error\tError Type: {error_type}\n",
            self.rid
        )));
    }

    pub fn text(&self) -> String {
        self.events.iter().map(|(_, l)| l.as_str()).collect()
    }

    pub fn into_events(self) -> Vec<(i64, String)> {
        self.events
    }
}

/// One batch of lines for one stream.
pub struct Batch {
    account: String,
    region: String,
    group: String,
    stream: String,
    create: bool,
    events: Vec<(i64, String)>,
}

/// Hands `events` to the shipper, which writes them to the function's log
/// group in the background, batched per stream.
pub fn ship_detached(
    s: &Arc<Shared>,
    ctx: &RequestContext,
    config: &Value,
    stream: &str,
    events: Vec<(i64, String)>,
    create: bool,
) {
    let name = config.str("FunctionName").unwrap_or("");
    let group = config
        .get("LoggingConfig")
        .and_then(|l| l.str("LogGroup"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("/aws/lambda/{name}"));
    let b = Batch {
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        group,
        stream: stream.to_string(),
        create,
        events,
    };
    let _ = s.logs_tx.send(b);
}

/// Account, region, group, stream.
type StreamKey = (String, String, String, String);

/// Collects batches for 20 ms, then writes one PutLogEvents per stream
/// (streams created first when new), so busy functions cost few store
/// writes. Only the first batch of a window wakes the shipper; the rest are
/// taken when the window ends (a wake-up per invocation would cost the
/// invoking path a thread hand-off).
pub async fn shipper(store: stratus_store::Store, mut rx: tokio::sync::mpsc::UnboundedReceiver<Batch>) {
    use std::collections::BTreeMap;
    use stratus_logs::ingest;
    while let Some(first) = rx.recv().await {
        let mut pending = vec![first];
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        while let Ok(b) = rx.try_recv() {
            pending.push(b);
        }
        let mut by_stream: BTreeMap<StreamKey, (bool, Vec<(i64, String)>)> = BTreeMap::new();
        for b in pending {
            let e = by_stream.entry((b.account, b.region, b.group, b.stream)).or_default();
            e.0 |= b.create;
            e.1.extend(b.events);
        }
        for ((account, region, group, stream), (create, events)) in by_stream {
            if create {
                let _ = ingest::ensure_stream(&store, &account, &region, &group, &stream).await;
            }
            if let Err(e) = ingest::put_events(&store, &account, &region, &group, &stream, &events).await
                && e.code == "ResourceNotFoundException"
            {
                let _ = ingest::ensure_stream(&store, &account, &region, &group, &stream).await;
                let _ = ingest::put_events(&store, &account, &region, &group, &stream, &events).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn restored_first_invocations_report_restore_instead_of_init() {
        let stats = InvokeStats {
            duration: Duration::from_micros(306_340),
            restore_duration: Some(Duration::from_micros(511_250)),
            billed_restore_duration: Some(Duration::from_micros(302_400)),
            max_memory_mb: 155,
            ..InvokeStats::default()
        };
        let mut log = RunLog::new("rid", "56");
        log.finish(Vec::new(), now_ms(), &Outcome::Response(bytes::Bytes::new()), &stats, 3009, 3);
        let report = log.text().lines().find(|l| l.starts_with("REPORT")).unwrap_or("").to_string();
        assert_eq!(
            report,
            "REPORT RequestId: rid\tDuration: 306.34 ms\tBilled Duration: 610 ms\tMemory Size: 3009 MB\tMax Memory Used: 155 MB\tRestore Duration: 511.25 ms\tBilled Restore Duration: 303 ms\t"
        );
    }
}
