//! Replication: the replication configuration (Put/Get/DeleteBucketReplication;
//! the source versioned, each destination existing and versioned) and the
//! copying of new versions, and of delete markers where a rule asks for
//! it, to the destination buckets under the same version id. A version to
//! replicate is queued in the transaction that writes it (its
//! `ReplicationStatus` PENDING), so replication survives a restart; the
//! worker copies it, marks the copy REPLICA and the source COMPLETED, or
//! FAILED when a destination cannot take it.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Weak;
use std::time::Duration;
use stratus_core::AwsError;
use stratus_core::input::Input;
use stratus_store::Txn;
use tokio::task::JoinHandle;

use crate::buckets::update;
use crate::error::{invalid_request, malformed_xml, no_such_config};
use crate::keys;
use crate::model::{Bucket, Segment, Version, decode, encode};
use crate::shared::Shared;

/// A version waiting to be replicated, and where to.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    bucket: String,
    key: String,
    seq: u64,
    destinations: Vec<String>,
}

fn destination_bucket(rule: &Value) -> Option<&str> {
    let arn = rule.get("Destination")?.str("Bucket")?;
    Some(arn.strip_prefix("arn:aws:s3:::").unwrap_or(arn))
}

pub async fn put(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    let conf = input.get("ReplicationConfiguration").cloned().ok_or_else(malformed_xml)?;
    let rules = conf.list("Rules");
    if rules.is_empty() {
        return Err(malformed_xml());
    }
    if sh.bucket(name)?.versioning.as_deref() != Some("Enabled") {
        return Err(invalid_request("Versioning must be 'Enabled' on the bucket to apply a replication configuration"));
    }
    for rule in rules {
        let dest = destination_bucket(rule).ok_or_else(malformed_xml)?;
        let versioned = sh.bucket_opt(dest)?.is_some_and(|d| d.versioning.as_deref() == Some("Enabled"));
        if !versioned {
            return Err(invalid_request("Destination bucket must have versioning enabled."));
        }
    }
    update(sh, name, move |b| {
        b.replication = Some(conf.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub fn get(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    match sh.bucket(name)?.replication {
        Some(c) => Ok(json!({"ReplicationConfiguration": c})),
        None => Err(no_such_config(
            "ReplicationConfigurationNotFoundError",
            "The replication configuration was not found",
            name,
        )),
    }
}

pub async fn delete(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    update(sh, input.req_str("Bucket")?, |b| {
        b.replication = None;
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// Whether an enabled rule's filter selects `v`; delete markers only under
/// rules that replicate them and do not filter on tags.
fn selects(rule: &Value, v: &Version) -> bool {
    if rule.str("Status") != Some("Enabled") {
        return false;
    }
    let has_tag = |t: &Value| {
        v.tags.iter().any(|(k, val)| Some(k.as_str()) == t.str("Key") && Some(val.as_str()) == t.str("Value"))
    };
    let (prefix, tags): (Option<&str>, Vec<&Value>) = match rule.get("Filter") {
        Some(f) => match (f.get("And"), f.get("Tag")) {
            (Some(and), _) => (and.str("Prefix"), and.list("Tags").iter().collect()),
            (None, Some(tag)) => (None, vec![tag]),
            (None, None) => (f.str("Prefix"), Vec::new()),
        },
        None => (rule.str("Prefix"), Vec::new()),
    };
    if v.delete_marker {
        let enabled = rule.get("DeleteMarkerReplication").and_then(|d| d.str("Status")) == Some("Enabled");
        if !enabled || !tags.is_empty() {
            return false;
        }
    }
    prefix.is_none_or(|p| v.key.starts_with(p)) && tags.iter().all(|t| has_tag(t))
}

/// Inside the transaction writing `v` to bucket `b`: queues it for the
/// destinations of the rules selecting it and marks it PENDING.
pub fn enqueue(txn: &mut Txn<'_>, b: &Bucket, v: &mut Version) {
    let Some(conf) = &b.replication else { return };
    let mut destinations: Vec<String> = Vec::new();
    for rule in conf.list("Rules") {
        if selects(rule, v)
            && let Some(d) = destination_bucket(rule)
            && !destinations.iter().any(|x| x == d)
        {
            destinations.push(d.to_string());
        }
    }
    if destinations.is_empty() {
        return;
    }
    v.replication = Some("PENDING".into());
    let pending = Pending { bucket: b.name.clone(), key: v.key.clone(), seq: v.seq, destinations };
    txn.put(keys::replication(&b.name, &v.key, v.seq), encode(&pending));
}

/// The worker: replicates what is queued whenever woken (after each
/// queued write) and at least every minute.
pub fn spawn_worker(shared: Weak<Shared>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let Some(sh) = shared.upgrade() else { return };
            run_pending(&sh).await;
            let wake = sh.replication_wake.clone();
            drop(sh);
            let _ = tokio::time::timeout(Duration::from_secs(60), wake.notified()).await;
        }
    })
}

async fn run_pending(sh: &Shared) {
    let Ok(rows) = sh.store.scan_prefix(keys::replications(), false, None) else { return };
    for (queued, raw) in rows {
        let Ok(p) = serde_json::from_slice::<Pending>(&raw) else { continue };
        let status = match replicate(sh, &p).await {
            Ok(()) => "COMPLETED",
            Err(e) => {
                tracing::warn!("S3 replication of {}/{} failed: {}", p.bucket, p.key, e.message);
                "FAILED"
            }
        };
        let _ = crate::versioning::update_version(sh, &p.bucket, &p.key, p.seq, move |v| {
            v.replication = Some(status.into());
            Ok(())
        })
        .await;
        let _ = sh
            .store
            .transact(move |txn| {
                txn.delete(queued.clone());
                Ok::<_, AwsError>(())
            })
            .await;
    }
}

/// Copies one version to each destination under its own version id.
async fn replicate(sh: &Shared, p: &Pending) -> Result<(), AwsError> {
    let raw = sh.store.get(keys::version(&p.bucket, &p.key, p.seq))?;
    // The version was deleted before it could be replicated: nothing to copy.
    let Some(raw) = raw else { return Ok(()) };
    let source: Version = decode("object", &raw)?;
    for dest in &p.destinations {
        let mut replica = source.clone();
        replica.replication = Some("REPLICA".into());
        replica.files = copy_segments(sh, &source.files).await?;
        let (dest, key, seq) = (dest.clone(), source.key.clone(), source.seq);
        let files = replica.files.clone();
        let written = sh
            .store
            .transact(move |txn| {
                let b: Bucket = match txn.get(keys::bucket(&dest))? {
                    Some(raw) => decode("bucket", &raw)?,
                    None => return Err(crate::error::no_such_bucket(&dest)),
                };
                if b.versioning.as_deref() != Some("Enabled") {
                    return Err(invalid_request("Destination bucket must have versioning enabled."));
                }
                for s in &replica.files {
                    if let Some(data) = &s.data {
                        txn.put(keys::inline(&s.file), data.to_vec());
                    }
                }
                txn.put(keys::version(&dest, &key, seq), encode(&replica));
                Ok(())
            })
            .await;
        if let Err(e) = written {
            sh.files.remove(files.iter().filter(|s| !s.inline).map(|s| s.file.clone()).collect()).await;
            return Err(e);
        }
    }
    Ok(())
}

/// Copies a version's segments into new ones (a replica must outlive its
/// source), keeping part boundaries, ETags and checksums.
async fn copy_segments(sh: &Shared, segments: &[Segment]) -> Result<Vec<Segment>, AwsError> {
    let mut out = Vec::with_capacity(segments.len());
    for s in segments {
        let mut digest = crate::checksums::BodyDigest::new(&[]);
        let staged = sh.files.copy(sh.open(std::slice::from_ref(s))?, 0, s.len, &mut digest, true).await?;
        sh.files.commit(&staged).await?;
        let mut copy = staged.segment();
        copy.etag = s.etag.clone();
        copy.checksum = s.checksum.clone();
        out.push(copy);
    }
    Ok(out)
}
