//! Read-modify-write transactions: own writes are visible, errors discard
//! writes and come back as the caller's own type, panics are contained,
//! and concurrent increments are serializable.

mod common;

use common::{all_stores, show};
use stratus_store::{Store, StoreError, Txn};

/// A service's own error type, as the AWS services will have.
#[derive(Debug, PartialEq)]
enum AppError {
    ConditionalCheckFailed(String),
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

fn counter(txn: &Txn<'_>, key: &str) -> Result<u64, StoreError> {
    Ok(match txn.get(key)? {
        Some(v) => String::from_utf8_lossy(&v).parse().unwrap_or(0),
        None => 0,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sees_own_writes() {
    for t in all_stores() {
        let s = &t.store;
        s.put("base/1", "one").await.expect("seed");
        s.put("base/3", "three").await.expect("seed");
        let seen = s
            .transact(|txn| {
                assert_eq!(txn.get("base/2")?, None);
                txn.put("base/2", "two");
                txn.delete("base/3");
                assert_eq!(txn.get("base/2")?, Some(b"two".to_vec()));
                assert!(!txn.contains("base/3")?);
                assert!(txn.has_writes());
                Ok::<_, StoreError>(show(&txn.scan_prefix("base/", false, None)?))
            })
            .await
            .expect("transact");
        assert_eq!(seen, "base/1=one,base/2=two");
        assert_eq!(show(&s.scan_prefix("base/", false, None).expect("scan")), seen);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn err_discards_writes_and_returns_callers_error() {
    for t in all_stores() {
        let s = &t.store;
        s.put("item", "v1").await.expect("seed");
        let r: Result<(), AppError> = s
            .transact(|txn| {
                txn.put("item", "v2");
                txn.put("other", "x");
                txn.delete_prefix("");
                if txn.get("item")?.is_none() {
                    return Err(AppError::ConditionalCheckFailed("gone".into()));
                }
                Ok(())
            })
            .await;
        assert_eq!(r, Err(AppError::ConditionalCheckFailed("gone".into())));
        assert_eq!(show(&s.scan(.., false, None).expect("scan")), "item=v1");

        // A successful conditional update with the same error type.
        let v = s
            .transact(|txn| {
                let cur = txn.get("item")?.ok_or(AppError::ConditionalCheckFailed("none".into()))?;
                txn.put("item", [cur.as_slice(), b"+"].concat());
                Ok::<_, AppError>(cur.len())
            })
            .await
            .expect("update");
        assert_eq!(v, 2);
        assert_eq!(s.get("item").expect("get"), Some(b"v1+".to_vec()));
        assert!(s.stats().aborted >= 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panicking_closure_is_contained() {
    let t = common::file_store();
    let s = &t.store;
    let r = s
        .transact(|txn| -> Result<(), StoreError> {
            txn.put("half", "written");
            panic!("boom in closure");
        })
        .await;
    match r {
        Err(StoreError::Panicked(msg)) => assert!(msg.contains("boom"), "{msg}"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(s.get("half").expect("get"), None);
    // The writer is still alive.
    s.put("after", "ok").await.expect("put after panic");
    assert_eq!(s.get("after").expect("get"), Some(b"ok".to_vec()));
}

async fn increments(s: &Store, tasks: u64, each: u64) -> u64 {
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            for _ in 0..each {
                s.transact(|txn| {
                    let n = counter(txn, "counter")?;
                    txn.put("counter", (n + 1).to_string());
                    Ok::<_, StoreError>(())
                })
                .await
                .expect("increment");
            }
        }));
    }
    for h in handles {
        h.await.expect("task");
    }
    let v = s.get("counter").expect("get").expect("counter exists");
    String::from_utf8_lossy(&v).parse().expect("number")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_increments_are_serializable() {
    for t in all_stores() {
        assert_eq!(increments(&t.store, 8, 200).await, 1600, "{}", t.store.engine_name());
    }
}

/// In one group, failing closures leave nothing behind while their
/// neighbours commit, and later closures see earlier closures' writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_in_a_group_are_isolated() {
    for t in all_stores() {
        let s = t.store.clone();
        let mut handles = Vec::new();
        for i in 0..60u32 {
            let s = s.clone();
            handles.push(tokio::spawn(async move {
                s.transact(move |txn| {
                    // Append to a shared log: every successful closure must
                    // see all previous successful appends.
                    let mut log = txn.get("log")?.unwrap_or_default();
                    log.extend_from_slice(format!("{i};").as_bytes());
                    txn.put("log", log);
                    txn.put(format!("k/{i:02}"), "x");
                    if i % 3 == 0 {
                        return Err(AppError::ConditionalCheckFailed(i.to_string()));
                    }
                    Ok(i)
                })
                .await
            }));
        }
        let mut ok = Vec::new();
        for h in handles {
            match h.await.expect("task") {
                Ok(i) => ok.push(i),
                Err(AppError::ConditionalCheckFailed(i)) => {
                    assert!(i.parse::<u32>().expect("num").is_multiple_of(3))
                }
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        assert_eq!(ok.len(), 40);
        let log = String::from_utf8(s.get("log").expect("get").expect("log")).expect("utf8");
        let mut logged: Vec<u32> = log.split(';').filter(|p| !p.is_empty()).map(|p| p.parse().expect("num")).collect();
        assert_eq!(logged.len(), 40, "every successful append is kept: {log}");
        logged.sort_unstable();
        ok.sort_unstable();
        assert_eq!(logged, ok);
        let keys = s.scan_prefix("k/", false, None).expect("scan");
        assert_eq!(keys.len(), 40);
        assert!(keys.iter().all(|(k, _)| {
            let n: u32 = String::from_utf8_lossy(&k[2..]).parse().expect("num");
            !n.is_multiple_of(3)
        }));
        assert_eq!(s.stats().aborted, 20);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_transaction_commits_nothing() {
    let t = common::file_store();
    let s = &t.store;
    s.put("x", "1").await.expect("seed");
    let before = s.stats();
    let v = s.transact(|txn| txn.get("x")).await.expect("read");
    assert_eq!(v, Some(b"1".to_vec()));
    let after = s.stats();
    assert_eq!(after.commits, before.commits, "no fsync for a read-only transaction");
    assert_eq!(after.writes, before.writes + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_range_delete_and_batch() {
    for t in all_stores() {
        let s = &t.store;
        let mut b = stratus_store::WriteBatch::new();
        b.put("t/1", "1").put("t/2", "2").put("t/3", "3").put("u", "u");
        s.write(b).await.expect("seed");
        let seen = s
            .transact(|txn| {
                txn.delete_range("t/".."t/3");
                let mut b = stratus_store::WriteBatch::new();
                b.put("t/2", "again").put("v", "v");
                txn.apply(b);
                Ok::<_, StoreError>(show(&txn.scan(.., true, None)?))
            })
            .await
            .expect("transact");
        assert_eq!(seen, "v=v,u=u,t/3=3,t/2=again");
        assert_eq!(show(&s.scan(.., true, None).expect("scan")), seen);
    }
}
