//! Durability across a clean restart: drop every handle, reopen the same
//! directory, and the data is there.

mod common;

use stratus_store::{Store, StoreError, WriteBatch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopen_after_drop_keeps_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let s = Store::open(dir.path()).expect("open");
        let mut b = WriteBatch::new();
        for i in 0..100 {
            b.put(format!("item/{i:03}"), format!("value {i}"));
        }
        s.write(b).await.expect("write");
        s.transact(|txn| {
            txn.put("meta", "v1");
            txn.delete("item/050");
            Ok::<_, StoreError>(())
        })
        .await
        .expect("transact");
        let clone = s.clone();
        drop(s);
        clone.put("last", "write").await.expect("put via clone");
    }
    // Every handle is gone, so the file is closed and can be reopened.
    let s = Store::open(dir.path()).expect("reopen");
    assert_eq!(s.get("meta").expect("get"), Some(b"v1".to_vec()));
    assert_eq!(s.get("last").expect("get"), Some(b"write".to_vec()));
    assert_eq!(s.get("item/050").expect("get"), None);
    assert_eq!(s.get("item/099").expect("get"), Some(b"value 99".to_vec()));
    assert_eq!(s.scan_prefix("item/", false, None).expect("scan").len(), 99);
    s.put("more", "ok").await.expect("write after reopen");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_open_of_a_live_store_fails_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(dir.path()).expect("open");
    let err = Store::open(dir.path()).expect_err("already open");
    assert!(err.to_string().contains("stratus.redb"), "{err}");
    drop(s);
    Store::open(dir.path()).expect("open after close");
}

/// The last handle may be dropped inside a transaction closure, on the
/// writer thread itself; that must not deadlock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_handle_dropped_on_writer_thread() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(dir.path()).expect("open");
    let inner = s.clone();
    let fut = s.transact(move |txn| {
        let _keep = &inner;
        txn.put("k", "v");
        Ok::<_, StoreError>(())
    });
    fut.await.expect("transact");
    drop(s);
    // The closure (holding the last clone) is dropped on the writer; give
    // the thread a moment to exit and release the file.
    let mut reopened = None;
    for _ in 0..100 {
        match Store::open(dir.path()) {
            Ok(s) => {
                reopened = Some(s);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
    let s = reopened.expect("store released");
    assert_eq!(s.get("k").expect("get"), Some(b"v".to_vec()));
}
