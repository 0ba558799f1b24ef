//! Small bucket configurations: policy (validated JSON, NoSuchBucketPolicy,
//! public policies refused while BlockPublicPolicy is on),
//! default encryption (SSE-S3 unless configured), ownership controls, the
//! public access block, Transfer Acceleration and Requester Pays, with the
//! defaults new buckets get on AWS.

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::buckets::update;
use crate::error::{invalid_argument, malformed_xml, no_such_config};
use crate::shared::Shared;

fn malformed_policy(msg: &str) -> AwsError {
    AwsError::bad_request("MalformedPolicy", msg)
}

pub async fn put_policy(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    let text = input.str("Policy").unwrap_or("").to_string();
    if !text.trim_start().starts_with('{') {
        return Err(malformed_policy("Policies must be valid JSON and the first byte must be '{'"));
    }
    let doc: Value = serde_json::from_str(&text)
        .map_err(|_| malformed_policy("Policies must be valid JSON and the first byte must be '{'"))?;
    match doc.get("Statement") {
        None => return Err(malformed_policy("Missing required field Statement")),
        Some(Value::Array(s)) if s.is_empty() => {
            return Err(malformed_policy("Could not parse the policy: Statement is empty!"));
        }
        _ => {}
    }
    if let Some(message) = crate::policy_eval::invalid_statements(&doc, name) {
        return Err(malformed_policy(message));
    }
    let public = crate::policy_status::is_public(&doc);
    update(sh, name, move |b| {
        // New buckets block public policies until the owner turns
        // BlockPublicPolicy off, as on AWS since April 2023.
        if public && blocks_public_policy(b) {
            return Err(AwsError::new(403, "AccessDenied", "Access Denied"));
        }
        b.policy = Some(text.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// The bucket's effective BlockPublicPolicy: on unless configured off.
fn blocks_public_policy(b: &crate::model::Bucket) -> bool {
    match &b.public_access_block {
        None => true,
        Some(Value::Null) => false,
        Some(c) => c.bool("BlockPublicPolicy").unwrap_or(false),
    }
}

pub fn get_policy(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    match sh.bucket(name)?.policy {
        Some(p) => Ok(json!({"Policy": p})),
        None => Err(no_such_config("NoSuchBucketPolicy", "The bucket policy does not exist", name)),
    }
}

pub async fn delete_policy(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    update(sh, input.req_str("Bucket")?, |b| {
        b.policy = None;
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

fn default_encryption() -> Value {
    json!({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": false}]})
}

pub async fn put_encryption(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let conf = input.get("ServerSideEncryptionConfiguration").cloned().ok_or_else(malformed_xml)?;
    let rules = conf.list("Rules");
    if rules.is_empty() {
        return Err(malformed_xml());
    }
    for r in rules {
        if let Some(d) = r.get("ApplyServerSideEncryptionByDefault") {
            let alg = d.str("SSEAlgorithm").unwrap_or("");
            if d.str("KMSMasterKeyID").is_some() && !alg.starts_with("aws:kms") {
                return Err(invalid_argument(
                    "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
                    "ApplyServerSideEncryptionByDefault",
                    None,
                ));
            }
        }
    }
    update(sh, input.req_str("Bucket")?, move |b| {
        b.encryption = Some(conf.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub fn get_encryption(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let b = sh.bucket(input.req_str("Bucket")?)?;
    Ok(json!({"ServerSideEncryptionConfiguration": b.encryption.unwrap_or_else(default_encryption)}))
}

pub async fn delete_encryption(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    update(sh, input.req_str("Bucket")?, |b| {
        b.encryption = None;
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub async fn put_ownership(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let conf = input.get("OwnershipControls").cloned().ok_or_else(malformed_xml)?;
    for r in conf.list("Rules") {
        let o = r.str("ObjectOwnership").unwrap_or("");
        if !["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"].contains(&o) {
            return Err(malformed_xml());
        }
    }
    update(sh, input.req_str("Bucket")?, move |b| {
        b.ownership = Some(conf.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub fn get_ownership(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    match sh.bucket(name)?.ownership {
        Some(Value::Null) => {
            Err(no_such_config("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", name))
        }
        Some(c) => Ok(json!({"OwnershipControls": c})),
        None => Ok(json!({"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}})),
    }
}

pub async fn delete_ownership(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    update(sh, input.req_str("Bucket")?, |b| {
        b.ownership = Some(Value::Null);
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub async fn put_public_access_block(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let conf = input.get("PublicAccessBlockConfiguration").cloned().ok_or_else(malformed_xml)?;
    update(sh, input.req_str("Bucket")?, move |b| {
        b.public_access_block = Some(conf.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub fn get_public_access_block(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    match sh.bucket(name)?.public_access_block {
        Some(Value::Null) => Err(no_such_config(
            "NoSuchPublicAccessBlockConfiguration",
            "The public access block configuration was not found",
            name,
        )),
        Some(c) => Ok(json!({"PublicAccessBlockConfiguration": c})),
        None => Ok(json!({"PublicAccessBlockConfiguration": {
            "BlockPublicAcls": true, "IgnorePublicAcls": true,
            "BlockPublicPolicy": true, "RestrictPublicBuckets": true,
        }})),
    }
}

pub async fn delete_public_access_block(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    update(sh, input.req_str("Bucket")?, |b| {
        b.public_access_block = Some(Value::Null);
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub async fn put_accelerate(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    let status = input.get("AccelerateConfiguration").and_then(|c| c.str("Status")).map(str::to_string);
    let status = match status {
        Some(s) if s == "Enabled" || s == "Suspended" => s,
        _ => return Err(malformed_xml()),
    };
    if status == "Enabled" && name.contains('.') {
        return Err(crate::error::invalid_request(
            "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names",
        ));
    }
    update(sh, name, move |b| {
        b.accelerate = Some(status.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// GetBucketAccelerateConfiguration: no Status while acceleration was never set.
pub fn get_accelerate(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let b = sh.bucket(input.req_str("Bucket")?)?;
    Ok(match b.accelerate {
        Some(s) => json!({"Status": s}),
        None => json!({}),
    })
}

pub async fn put_request_payment(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let payer = input.get("RequestPaymentConfiguration").and_then(|c| c.str("Payer")).map(str::to_string);
    let payer = match payer {
        Some(p) if p == "Requester" || p == "BucketOwner" => p,
        _ => return Err(malformed_xml()),
    };
    update(sh, input.req_str("Bucket")?, move |b| {
        b.request_payer = (payer != "BucketOwner").then(|| payer.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub fn get_request_payment(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let b = sh.bucket(input.req_str("Bucket")?)?;
    Ok(json!({"Payer": b.request_payer.unwrap_or_else(|| "BucketOwner".into())}))
}
