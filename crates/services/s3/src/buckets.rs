//! Buckets: CreateBucket (AWS's name rules and location constraints),
//! HeadBucket, GetBucketLocation, ListBuckets, DeleteBucket, and `update`,
//! the read-modify-write every bucket configuration goes through.

use serde_json::{Value, json};
use sha2::Digest;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

use crate::error::{invalid_argument, no_such_bucket};
use crate::keys;
use crate::model::{Bucket, Part, Upload, decode, encode};
use crate::shared::{Shared, now};

/// Regions a LocationConstraint may name.
const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// AWS's bucket naming rules (general purpose buckets).
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    let edge_ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let ip_like = name.split('.').count() == 4 && name.split('.').all(|p| !p.is_empty() && p.parse::<u8>().is_ok());
    (3..=63).contains(&b.len())
        && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
        && b.first().copied().is_some_and(edge_ok)
        && b.last().copied().is_some_and(edge_ok)
        && !name.contains("..")
        && !name.contains(".-")
        && !name.contains("-.")
        && !ip_like
        && !["xn--", "sthree-", "amzn-s3-demo-"].iter().any(|p| name.starts_with(p))
        && !["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].iter().any(|s| name.ends_with(s))
}

fn invalid_name(name: &str) -> AwsError {
    AwsError::bad_request("InvalidBucketName", "The specified bucket is not valid.")
        .with_field("BucketName", Value::from(name))
}

/// The canonical user id S3 shows as an account's owner id.
pub fn canonical_id(account: &str) -> String {
    hex::encode(sha2::Sha256::digest(format!("stratus-s3-owner/{account}").as_bytes()))
}

/// `Owner` as S3 lists it.
pub fn owner(account: &str) -> Value {
    json!({"ID": canonical_id(account), "DisplayName": "webfile"})
}

pub fn arn(bucket: &str) -> String {
    format!("arn:aws:s3:::{bucket}")
}

fn incompatible(what: &str) -> AwsError {
    AwsError::bad_request(
        "IllegalLocationConstraintException",
        format!(
            "The {what} location constraint is incompatible for the region specific endpoint this request was sent to."
        ),
    )
}

/// The region a CreateBucket request puts its bucket in.
fn location(ctx: &RequestContext, input: &Value) -> Result<String, AwsError> {
    let constraint = input.get("CreateBucketConfiguration").and_then(|c| c.str("LocationConstraint"));
    match constraint {
        None if ctx.region == "us-east-1" => Ok("us-east-1".into()),
        None => Err(incompatible("unspecified")),
        Some("us-east-1") if ctx.region == "us-east-1" => {
            Err(AwsError::bad_request("InvalidLocationConstraint", "The specified location-constraint is not valid")
                .with_field("LocationConstraint", Value::from("us-east-1")))
        }
        Some(c) if !REGIONS.contains(&c) => {
            if ctx.region == "us-east-1" && c != "EU" {
                Err(AwsError::bad_request(
                    "InvalidLocationConstraint",
                    "The specified location-constraint is not valid",
                )
                .with_field("LocationConstraint", Value::from(c)))
            } else {
                Err(incompatible(c))
            }
        }
        Some(c) if c != ctx.region && ctx.region != "us-east-1" => Err(incompatible(c)),
        Some(c) => Ok(c.to_string()),
    }
}

pub async fn create(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?.to_string();
    if !valid_name(&name) {
        return Err(invalid_name(&name));
    }
    let region = location(ctx, input)?;
    if let Some(own) = input.str("ObjectOwnership")
        && !["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"].contains(&own)
    {
        return Err(invalid_argument(
            &format!("Invalid x-amz-object-ownership header: {own}"),
            "x-amz-object-ownership",
            None,
        ));
    }
    // A bucket created with Object Lock has versioning enabled for good.
    let lock = input.bool("ObjectLockEnabledForBucket").unwrap_or(false);
    let bucket = Bucket {
        name: name.clone(),
        account: ctx.account_id.clone(),
        region: region.clone(),
        created: now(),
        versioning: lock.then(|| "Enabled".to_string()),
        mfa_delete: None,
        tags: None,
        policy: None,
        cors: None,
        lifecycle: None,
        notification: None,
        encryption: None,
        ownership: input.str("ObjectOwnership").map(|o| json!({"Rules": [{"ObjectOwnership": o}]})),
        public_access_block: None,
        acl: input.str("ACL").map(str::to_string),
        object_lock: lock.then(|| json!({"ObjectLockEnabled": "Enabled"})),
        accelerate: None,
        request_payer: None,
        logging: None,
        website: None,
        replication: None,
    };
    let account = ctx.account_id.clone();
    let legacy_ok = ctx.region == "us-east-1";
    let key = keys::bucket(&name);
    let created = sh
        .store
        .transact(move |txn| {
            if let Some(existing) = txn.get(&key)? {
                let existing: Bucket = decode("bucket", &existing)?;
                if existing.account != account {
                    return Err(AwsError::new(
                        409,
                        "BucketAlreadyExists",
                        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
                    )
                    .with_field("BucketName", Value::from(existing.name)));
                }
                // us-east-1 keeps S3's legacy answer: success.
                if legacy_ok && existing.region == "us-east-1" {
                    return Ok(false);
                }
                return Err(AwsError::new(
                    409,
                    "BucketAlreadyOwnedByYou",
                    "Your previous request to create the named bucket succeeded and you already own it.",
                )
                .with_field("BucketName", Value::from(existing.name)));
            }
            txn.put(key.clone(), encode(&bucket));
            Ok(true)
        })
        .await?;
    let _ = created;
    let location = if region == "us-east-1" {
        format!("/{name}")
    } else {
        format!("{}/{name}/", sh.endpoint.trim_end_matches('/'))
    };
    Ok(json!({"Location": location, "BucketArn": arn(&name)}))
}

pub fn head(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    let b = sh.bucket(name)?;
    Ok(json!({"BucketRegion": b.region, "AccessPointAlias": false, "BucketArn": arn(name)}))
}

pub fn location_of(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let b = sh.bucket(input.req_str("Bucket")?)?;
    let lc = if b.region == "us-east-1" { Value::Null } else { Value::from(b.region) };
    Ok(json!({"LocationConstraint": lc}))
}

pub fn list(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let prefix = input.str("Prefix").unwrap_or("");
    let region = input.str("BucketRegion");
    if let Some(r) = region
        && !REGIONS.contains(&r)
    {
        return Err(invalid_argument(&format!("Argument value {r} is not a valid AWS Region"), "bucket-region", None));
    }
    let max = input.i64("MaxBuckets").map(|m| m.clamp(1, 10_000) as usize);
    let after = input.str("ContinuationToken").unwrap_or("");
    let mut buckets = Vec::new();
    let mut next = None;
    for (_, v) in sh.store.scan_prefix(keys::buckets(), false, None)? {
        let b: Bucket = decode("bucket", &v)?;
        if b.account != ctx.account_id
            || !b.name.starts_with(prefix)
            || region.is_some_and(|r| r != b.region)
            || b.name.as_str() <= after
        {
            continue;
        }
        if max.is_some_and(|m| buckets.len() >= m) {
            next = buckets.last().and_then(|v: &Value| v.get("Name")).cloned();
            break;
        }
        buckets.push(json!({
            "Name": b.name,
            "CreationDate": b.created,
            "BucketRegion": b.region,
            "BucketArn": arn(&b.name),
        }));
    }
    let mut out = json!({"Buckets": buckets, "Owner": owner(&ctx.account_id)});
    if let Some(n) = next {
        out["ContinuationToken"] = n;
    }
    if let Some(p) = input.str("Prefix") {
        out["Prefix"] = Value::from(p);
    }
    Ok(out)
}

pub async fn delete(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?.to_string();
    let n = name.clone();
    let files = sh
        .store
        .transact(move |txn| {
            let Some(b) = txn.get(keys::bucket(&n))? else { return Err(no_such_bucket(&n)) };
            let b: Bucket = decode("bucket", &b)?;
            if !txn.scan_prefix(keys::bucket_versions(&n), false, Some(1))?.is_empty() {
                let msg = if b.versioning.is_some() {
                    "The bucket you tried to delete is not empty. You must delete all versions in the bucket."
                } else {
                    "The bucket you tried to delete is not empty"
                };
                return Err(AwsError::new(409, "BucketNotEmpty", msg).with_field("BucketName", Value::from(n.clone())));
            }
            let mut files = Vec::new();
            for (k, v) in txn.scan_prefix(keys::uploads(&n), false, None)? {
                let u: Upload = decode("upload", &v)?;
                for (pk, pv) in txn.scan_prefix(keys::parts(&u.upload_id), false, None)? {
                    let p: Part = decode("part", &pv)?;
                    files.push(p.file);
                    txn.delete(pk);
                }
                txn.delete(k);
            }
            txn.delete(keys::bucket(&n));
            Ok(files)
        })
        .await?;
    sh.files.remove(files).await;
    sh.set_cors(&name, None);
    sh.access_logs.set(&name, None);
    Ok(json!({}))
}

/// Applies `f` to a bucket's record in one transaction.
pub async fn update<F>(sh: &Shared, name: &str, f: F) -> Result<Bucket, AwsError>
where
    F: Fn(&mut Bucket) -> Result<(), AwsError> + Send + 'static,
{
    let name = name.to_string();
    sh.store
        .transact(move |txn| {
            let key = keys::bucket(&name);
            let Some(raw) = txn.get(&key)? else { return Err(no_such_bucket(&name)) };
            let mut b: Bucket = decode("bucket", &raw)?;
            f(&mut b)?;
            txn.put(key, encode(&b));
            Ok(b)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn names() {
        for ok in ["abc", "my.bucket-1", "a1b", "0ab"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["ab", "ABC", "-abc", "abc-", "a..b", "192.168.1.1", "xn--abc", "a_b", "abc-s3alias", "a.-b"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
