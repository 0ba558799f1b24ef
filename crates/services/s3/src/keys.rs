//! The store layout of S3. Bucket names are global, so nothing is keyed by
//! account; everything lives under `s3/`:
//!
//! - `b/{bucket}` → bucket record (owner, region, versioning, configurations)
//! - `v/{bucket}\0{key}\0{!seq:u64be}` → one version of an object (or a
//!   delete marker); a key's versions sort newest first, keys sort in S3's
//!   (UTF-8 byte) order, so a prefix scan is a listing
//! - `u/{bucket}\0{key}\0{upload id}` → multipart upload
//! - `p/{upload id}\0{part:u32be}` → uploaded part
//! - `i/{segment id}` → the bytes of a small object kept inline
//! - `r/{ready ms:020}/{seq}` → a restore in progress, ready at that time
//! - `q/{bucket}\0{key}\0{seq:020}` → a version waiting to be replicated
//!
//! Object keys are escaped so a `\0` inside one cannot be read as a
//! separator (`\0` → `\x01\x01`, `\x01` → `\x01\x02`), which keeps order.

const SEP: u8 = 0;

fn escape_into(out: &mut Vec<u8>, s: &str) {
    for &b in s.as_bytes() {
        match b {
            0 => out.extend_from_slice(&[1, 1]),
            1 => out.extend_from_slice(&[1, 2]),
            _ => out.push(b),
        }
    }
}

/// The inverse of the escaping, for keys read back from a scan.
pub fn unescape(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 1 && i + 1 < bytes.len() {
            out.push(if bytes[i + 1] == 1 { 0 } else { 1 });
            i += 2;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn bucket(name: &str) -> Vec<u8> {
    format!("s3/b/{name}").into_bytes()
}

/// The bytes of the inline segment `id`.
pub fn inline(id: &str) -> Vec<u8> {
    format!("s3/i/{id}").into_bytes()
}

/// The pending-restore record of version `seq`, ready at `ready_ms`.
pub fn restore(ready_ms: u64, seq: u64) -> Vec<u8> {
    format!("s3/r/{ready_ms:020}/{seq}").into_bytes()
}

/// A version queued for replication.
pub fn replication(bucket: &str, key: &str, seq: u64) -> Vec<u8> {
    let mut k = format!("s3/q/{bucket}").into_bytes();
    k.push(SEP);
    escape_into(&mut k, key);
    k.push(SEP);
    k.extend_from_slice(format!("{seq:020}").as_bytes());
    k
}

/// Every version queued for replication.
pub fn replications() -> Vec<u8> {
    b"s3/q/".to_vec()
}

/// Every pending restore, soonest first.
pub fn restores() -> Vec<u8> {
    b"s3/r/".to_vec()
}

pub fn buckets() -> Vec<u8> {
    b"s3/b/".to_vec()
}

/// Every version of every object of `bucket`.
pub fn bucket_versions(bucket: &str) -> Vec<u8> {
    let mut k = format!("s3/v/{bucket}").into_bytes();
    k.push(SEP);
    k
}

/// Versions of every key starting with `prefix` (escaped, not closed).
pub fn versions_prefix(bucket: &str, prefix: &str) -> Vec<u8> {
    let mut k = bucket_versions(bucket);
    escape_into(&mut k, prefix);
    k
}

/// Every version of exactly `key`, newest first.
pub fn versions_of(bucket: &str, key: &str) -> Vec<u8> {
    let mut k = versions_prefix(bucket, key);
    k.push(SEP);
    k
}

pub fn version(bucket: &str, key: &str, seq: u64) -> Vec<u8> {
    let mut k = versions_of(bucket, key);
    k.extend_from_slice(&(u64::MAX - seq).to_be_bytes());
    k
}

/// The object key inside a version record key (after the bucket prefix).
pub fn key_of_version(bucket: &str, record_key: &[u8]) -> Option<String> {
    let base = bucket_versions(bucket);
    let rest = record_key.strip_prefix(base.as_slice())?;
    let escaped = rest.get(..rest.len().checked_sub(9)?)?;
    Some(unescape(escaped))
}

/// The first record key after every version of `key` (and of keys that
/// merely extend it with bytes sorting below the separator: none exist).
pub fn after_key(bucket: &str, key: &str) -> Vec<u8> {
    let mut k = versions_prefix(bucket, key);
    k.push(SEP + 1);
    k
}

pub fn uploads(bucket: &str) -> Vec<u8> {
    let mut k = format!("s3/u/{bucket}").into_bytes();
    k.push(SEP);
    k
}

pub fn uploads_prefix(bucket: &str, prefix: &str) -> Vec<u8> {
    let mut k = uploads(bucket);
    escape_into(&mut k, prefix);
    k
}

pub fn upload(bucket: &str, key: &str, upload_id: &str) -> Vec<u8> {
    let mut k = uploads_prefix(bucket, key);
    k.push(SEP);
    k.extend_from_slice(upload_id.as_bytes());
    k
}

pub fn parts(upload_id: &str) -> Vec<u8> {
    let mut k = format!("s3/p/{upload_id}").into_bytes();
    k.push(SEP);
    k
}

pub fn part(upload_id: &str, number: u32) -> Vec<u8> {
    let mut k = parts(upload_id);
    k.extend_from_slice(&number.to_be_bytes());
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_newest_first_and_keys_round_trip() {
        assert!(version("b", "k", 5) < version("b", "k", 4));
        assert!(version("b", "a", 1) < version("b", "a\0", 9));
        assert!(version("b", "a\0", 1) < version("b", "a/", 9));
        let k = version("b", "we\0ird\u{1}", 3);
        assert_eq!(key_of_version("b", &k).as_deref(), Some("we\0ird\u{1}"));
        assert!(after_key("b", "a") > version("b", "a", 0));
        assert!(after_key("b", "a") < version("b", "a0", 0));
    }
}
