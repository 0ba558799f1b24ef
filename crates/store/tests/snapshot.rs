//! Snapshot isolation: a snapshot keeps reading the state it was taken at
//! while later commits land, on both engines.

mod common;

use common::{all_stores, show};
use stratus_store::WriteBatch;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_does_not_see_later_commits() {
    for t in all_stores() {
        let s = &t.store;
        let mut b = WriteBatch::new();
        b.put("a", "1").put("b", "1");
        s.write(b).await.expect("seed");

        let snap = s.snapshot().expect("snapshot");
        let mut b = WriteBatch::new();
        b.put("a", "2").delete("b").put("c", "2");
        s.write(b).await.expect("write");
        s.clear().await.expect("clear");
        s.put("d", "3").await.expect("put");

        assert_eq!(snap.get("a").expect("get"), Some(b"1".to_vec()));
        assert_eq!(snap.get("c").expect("get"), None);
        assert_eq!(show(&snap.scan(.., false, None).expect("scan")), "a=1,b=1");
        assert_eq!(show(&snap.scan_prefix("b", true, Some(5)).expect("scan")), "b=1");
        // The live view moved on.
        assert_eq!(show(&s.scan(.., false, None).expect("scan")), "d=3");
        let snap2 = s.snapshot().expect("snapshot");
        assert_eq!(show(&snap2.scan(.., false, None).expect("scan")), "d=3");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_is_send_and_usable_across_tasks() {
    let t = common::memory_store();
    t.store.put("k", "v").await.expect("put");
    let snap = t.store.snapshot().expect("snapshot");
    let got = tokio::task::spawn_blocking(move || snap.get("k").expect("get")).await.expect("join");
    assert_eq!(got, Some(b"v".to_vec()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generation_moves_only_when_writes_commit() {
    for t in all_stores() {
        let s = &t.store;
        let g0 = s.generation();
        assert_eq!(s.get("a").expect("get"), None);
        assert_eq!(s.generation(), g0, "a read moved the generation");
        s.put("a", "1").await.expect("put");
        let g1 = s.generation();
        assert_ne!(g1, g0);
        // By the time a write resolves, the generation has moved past it.
        s.put("a", "2").await.expect("put");
        assert_ne!(s.generation(), g1);
        assert_eq!(s.get("a").expect("get"), Some(b"2".to_vec()));
    }
}
