//! Group commit actually groups: under concurrent load the writer makes
//! fewer commits (fsyncs) than it acknowledges writes.

mod common;

use stratus_store::{StoreError, WriteBatch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_share_commits() {
    let t = common::file_store();
    let s = t.store.clone();
    let tasks = 16u64;
    let each = 50u64;
    let mut handles = Vec::new();
    for w in 0..tasks {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..each {
                if i % 2 == 0 {
                    let mut b = WriteBatch::new();
                    b.put(format!("g/{w}/{i}"), "v");
                    s.write(b).await.expect("write");
                } else {
                    s.transact(move |txn| {
                        txn.put(format!("g/{w}/{i}"), "v");
                        Ok::<_, StoreError>(())
                    })
                    .await
                    .expect("transact");
                }
            }
        }));
    }
    for h in handles {
        h.await.expect("task");
    }
    let stats = s.stats();
    let total = tasks * each;
    assert_eq!(stats.writes, total, "{stats:?}");
    assert_eq!(s.scan_prefix("g/", false, None).expect("scan").len() as u64, total);
    assert!(stats.commits < stats.writes, "group commit did not group: {stats:?}");
    assert!(stats.largest_group > 1, "{stats:?}");
    eprintln!("group commit: {stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequential_writes_commit_one_by_one() {
    let t = common::file_store();
    let s = &t.store;
    // One initial commit creates the table; stats count the writer only.
    let before = s.stats();
    for i in 0..5 {
        s.put(format!("k{i}"), "v").await.expect("put");
    }
    let after = s.stats();
    assert_eq!(after.commits - before.commits, 5);
    assert_eq!(after.writes - before.writes, 5);
}
