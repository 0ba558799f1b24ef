//! Point reads, scans (forward, reverse, limit, prefix), atomic batches,
//! range deletes and clear, on both engines.

mod common;

use common::{all_stores, show};
use stratus_store::{KeyRange, WriteBatch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_get_delete() {
    for t in all_stores() {
        let s = &t.store;
        assert_eq!(s.get(b"missing").expect("get"), None);
        s.put("a", "1").await.expect("put");
        assert_eq!(s.get("a").expect("get"), Some(b"1".to_vec()));
        s.put("a", "2").await.expect("overwrite");
        assert_eq!(s.get("a").expect("get"), Some(b"2".to_vec()));
        s.delete("a").await.expect("delete");
        assert_eq!(s.get("a").expect("get"), None);
        s.delete("never-there").await.expect("delete absent");
        // Empty keys and values are allowed.
        s.put("", "").await.expect("empty key");
        assert_eq!(s.get(b"").expect("get"), Some(Vec::new()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans() {
    for t in all_stores() {
        let s = &t.store;
        let mut b = WriteBatch::new();
        for k in [&b"a"[..], b"b/1", b"b/2", b"b/3", b"b\xff", b"c"] {
            let v = [b"v", k].concat();
            b.put(k, v);
        }
        b.put(b"b\xff\x01".to_vec(), "x");
        s.write(b).await.expect("write");

        let all = s.scan(.., false, None).expect("scan");
        assert_eq!(all.len(), 7);
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "ascending");
        let rev = s.scan(.., true, None).expect("scan");
        assert_eq!(rev.iter().rev().cloned().collect::<Vec<_>>(), all);

        assert_eq!(show(&s.scan("b/".."b/3", false, None).expect("scan")), "b/1=vb/1,b/2=vb/2");
        assert_eq!(show(&s.scan("b/".."b/3", true, Some(1)).expect("scan")), "b/2=vb/2");
        assert_eq!(show(&s.scan("b/1"..="b/3", true, Some(2)).expect("scan")), "b/3=vb/3,b/2=vb/2");
        assert_eq!(show(&s.scan(.."b", false, None).expect("scan")), "a=va");
        assert_eq!(show(&s.scan("c".., false, None).expect("scan")), "c=vc");
        assert_eq!(s.scan(.., false, Some(0)).expect("scan"), vec![]);
        assert_eq!(s.scan("z".."a", false, None).expect("inverted range"), vec![]);
        assert_eq!(s.scan("b".."b", false, None).expect("empty range"), vec![]);

        assert_eq!(show(&s.scan_prefix("b/", false, None).expect("prefix")), "b/1=vb/1,b/2=vb/2,b/3=vb/3");
        assert_eq!(show(&s.scan_prefix("b/", true, Some(2)).expect("prefix")), "b/3=vb/3,b/2=vb/2");
        // A prefix ending in 0xFF still bounds correctly.
        let ff = s.scan_prefix(b"b\xff", false, None).expect("prefix");
        assert_eq!(ff.len(), 2);
        assert_eq!(s.scan_prefix("", false, None).expect("prefix").len(), 7);
        assert_eq!(s.scan_prefix("nope", false, None).expect("prefix"), vec![]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_ops_apply_in_order() {
    for t in all_stores() {
        let s = &t.store;
        let mut b = WriteBatch::new();
        b.put("p/1", "1").put("p/2", "2").put("p/3", "3").put("q", "q");
        s.write(b).await.expect("write");

        // A range delete followed by a put in the same batch: the put survives.
        let mut b = WriteBatch::new();
        b.delete_prefix("p/").put("p/2", "new").delete("q").put("r", "r");
        s.write(b).await.expect("write");
        assert_eq!(show(&s.scan(.., false, None).expect("scan")), "p/2=new,r=r");

        let mut b = WriteBatch::new();
        b.put("s", "s").delete_range(KeyRange::from("p".."s"));
        s.write(b).await.expect("write");
        assert_eq!(show(&s.scan(.., false, None).expect("scan")), "s=s");

        s.write(WriteBatch::new()).await.expect("empty batch");
        s.clear().await.expect("clear");
        assert_eq!(s.scan(.., false, None).expect("scan"), vec![]);
        s.put("after", "clear").await.expect("put after clear");
        assert_eq!(s.get("after").expect("get"), Some(b"clear".to_vec()));
    }
}

/// Readers never see half a batch: every batch sets both keys to the same
/// value, and concurrent snapshot reads must always find them equal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_are_atomic_to_readers() {
    for t in all_stores() {
        let s = t.store.clone();
        let mut b = WriteBatch::new();
        b.put("pair/a", "0").put("pair/b", "0");
        s.write(b).await.expect("seed");

        let reader = {
            let s = s.clone();
            tokio::task::spawn_blocking(move || {
                let mut reads = 0;
                loop {
                    let snap = s.snapshot().expect("snapshot");
                    let a = snap.get("pair/a").expect("get a");
                    let b = snap.get("pair/b").expect("get b");
                    assert_eq!(a, b, "torn batch seen");
                    let scan = snap.scan_prefix("pair/", false, None).expect("scan");
                    assert_eq!(scan.len(), 2);
                    assert_eq!(scan[0].1, scan[1].1, "torn batch seen in scan");
                    reads += 1;
                    if a.as_deref() == Some(b"done".as_slice()) {
                        return reads;
                    }
                }
            })
        };
        for i in 1..=100 {
            let mut b = WriteBatch::new();
            b.put("pair/a", i.to_string()).put("pair/b", i.to_string());
            s.write(b).await.expect("write");
        }
        let mut b = WriteBatch::new();
        b.put("pair/a", "done").put("pair/b", "done");
        s.write(b).await.expect("write");
        let reads = reader.await.expect("reader");
        assert!(reads > 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_name_and_path() {
    let f = common::file_store();
    assert_eq!(f.store.engine_name(), "redb");
    let dir = f.dir.as_ref().expect("dir").path();
    assert_eq!(f.store.path(), Some(dir.join("stratus.redb").as_path()));
    assert!(dir.join("stratus.redb").exists());
    let m = common::memory_store();
    assert_eq!(m.store.engine_name(), "memory");
    assert_eq!(m.store.path(), None);
    assert!(format!("{:?}", m.store).contains("memory"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_creates_nested_dirs_and_reports_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nested = dir.path().join("a/b/c");
    let s = stratus_store::Store::open(&nested).expect("open nested");
    s.put("k", "v").await.expect("put");
    drop(s);

    // A file where the directory should be: a clean error, not a panic.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").expect("write file");
    let err = stratus_store::Store::open(&file).expect_err("must fail");
    assert!(err.to_string().contains("plain-file"), "{err}");

    // A corrupt database file: a clean error too.
    let bad = dir.path().join("bad");
    std::fs::create_dir_all(&bad).expect("mkdir");
    std::fs::write(bad.join("stratus.redb"), vec![0xA5; 8192]).expect("write junk");
    let err = stratus_store::Store::open(&bad).expect_err("must fail");
    assert!(err.to_string().contains("stratus.redb"), "{err}");
}
