//! The kill -9 proof: run `stratus-store-writeload` against a directory,
//! read what it reports as acknowledged for ~300 ms, SIGKILL it, then
//! reopen the store and check every acknowledged write is there, whole.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use stratus_store::Store;

fn value_for(key: &str) -> Vec<u8> {
    format!("value-of-{key}-{}", "x".repeat(64)).into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stratus-store-writeload"))
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn writeload");
    let stdout = child.stdout.take().expect("stdout");

    // Read lines on a thread so the test can stop at a deadline.
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            match line {
                Ok(l) => {
                    if tx.send(l).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    });

    let mut lines = Vec::new();
    // Wait (generously, the machine is shared) for the first ack, then let
    // it run for ~300 ms more.
    let first = rx.recv_timeout(Duration::from_secs(30)).expect("writeload acknowledged nothing");
    lines.push(first);
    let deadline = Instant::now() + Duration::from_millis(300);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(l) => lines.push(l),
            Err(_) => break,
        }
    }
    // SIGKILL (Child::kill is SIGKILL on Unix): no destructors, no flushes.
    child.kill().expect("kill");
    let status = child.wait().expect("wait");
    assert!(!status.success(), "writeload exited on its own: {status:?}");
    // Lines already written to the pipe before the kill were acknowledged too.
    reader.join().expect("reader thread");
    lines.extend(rx.try_iter());

    let store = Store::open(dir.path()).expect("store reopens cleanly after SIGKILL");
    let mut puts = 0;
    let mut batches = 0;
    let mut max_ctr = 0u64;
    let mut ctrs = BTreeSet::new();
    for line in &lines {
        let mut parts = line.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some("PUT"), Some(key), None) => {
                puts += 1;
                assert_eq!(
                    store.get(key).expect("get").as_deref(),
                    Some(value_for(key).as_slice()),
                    "acknowledged put {key} lost"
                );
            }
            (Some("BATCH"), Some(n), Some(key)) => {
                batches += 1;
                let n: usize = n.parse().expect("batch size");
                let got = store.scan_prefix(format!("{key}/"), false, None).expect("scan");
                assert_eq!(got.len(), n, "acknowledged batch {key} incomplete");
                for (k, v) in got {
                    let k = String::from_utf8(k).expect("utf8 key");
                    assert_eq!(v, value_for(&k), "batch value for {k}");
                }
            }
            (Some("CTR"), Some(n), None) => {
                let n: u64 = n.parse().expect("counter");
                assert!(ctrs.insert(n), "counter value {n} handed out twice");
                max_ctr = max_ctr.max(n);
            }
            _ => panic!("unexpected line from writeload: {line:?}"),
        }
    }
    let counter: u64 =
        store.get("counter").expect("get").map(|v| String::from_utf8_lossy(&v).parse().expect("number")).unwrap_or(0);
    assert!(counter >= max_ctr, "counter {counter} is behind an acknowledged increment {max_ctr}");
    // Every batch is all-or-nothing, acknowledged or not.
    for (k, _) in store.scan_prefix("key/", false, None).expect("scan") {
        let k = String::from_utf8(k).expect("utf8");
        if let Some(base) = k.strip_suffix("/0") {
            let parts = store.scan_prefix(format!("{base}/"), false, None).expect("scan");
            assert_eq!(parts.len(), 3, "torn batch {base}");
        }
    }
    // The reopened store still takes writes.
    store.put("after-crash", "ok").await.expect("write after crash");
    eprintln!(
        "kill -9: {} acknowledged lines ({puts} puts, {batches} batches, {} increments, counter {counter}) all present",
        lines.len(),
        ctrs.len()
    );
    assert!(lines.len() > 1, "too few writes to prove anything");
}
