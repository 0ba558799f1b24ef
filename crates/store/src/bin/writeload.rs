//! Crash-test load generator (used by `tests/crash.rs`): opens the store in
//! the directory given as the first argument and writes forever with
//! concurrent writers, printing each write to stdout only after the store
//! acknowledged it:
//!   `PUT <key> <value>`  a single put,
//!   `BATCH <n> <first-key>`  a 3-key atomic batch (`<first-key>/0..3`),
//!   `CTR <value>`  a counter increment through `transact`.
//! The test kills it with SIGKILL and checks every acknowledged write.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use stratus_store::{Store, StoreError, WriteBatch};
use tokio::sync::Mutex;

const WRITERS: u64 = 8;

fn value_for(key: &str) -> String {
    format!("value-of-{key}-{}", "x".repeat(64))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: stratus-store-writeload <dir>");
        return ExitCode::from(2);
    };
    let store = match Store::open(&dir) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("open failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    // One lock around stdout so lines never interleave; flushed per line.
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        let out = out.clone();
        tasks.push(tokio::spawn(async move { writer(w, store, out).await }));
    }
    for t in tasks {
        match t.await {
            Ok(Err(e)) => {
                eprintln!("writer failed: {e}");
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("writer task failed: {e}");
                return ExitCode::FAILURE;
            }
            Ok(Ok(())) => {}
        }
    }
    ExitCode::SUCCESS
}

async fn writer(w: u64, store: Store, out: Arc<Mutex<std::io::Stdout>>) -> Result<(), StoreError> {
    let mut i = w;
    loop {
        let key = format!("key/{i:010}");
        let line = match i % 5 {
            0 => {
                let mut batch = WriteBatch::new();
                for part in 0..3 {
                    let k = format!("{key}/{part}");
                    batch.put(k.clone(), value_for(&k));
                }
                store.write(batch).await?;
                format!("BATCH 3 {key}")
            }
            1 => {
                let n = store
                    .transact(|txn| {
                        let n = match txn.get(b"counter")? {
                            Some(v) => parse_u64(&v),
                            None => 0,
                        } + 1;
                        txn.put(b"counter".to_vec(), n.to_string());
                        Ok::<_, StoreError>(n)
                    })
                    .await?;
                format!("CTR {n}")
            }
            _ => {
                store.put(key.clone(), value_for(&key)).await?;
                format!("PUT {key}")
            }
        };
        let mut stdout = out.lock().await;
        if writeln!(stdout, "{line}").and_then(|()| stdout.flush()).is_err() {
            return Ok(()); // the reader went away
        }
        drop(stdout);
        i += WRITERS;
    }
}

fn parse_u64(v: &[u8]) -> u64 {
    std::str::from_utf8(v).ok().and_then(|s| s.parse().ok()).unwrap_or(0)
}
