//! DeleteObjects: up to 1,000 keys (and versions) per call, each deleted
//! with DeleteObject's semantics (the bucket policy decides each key);
//! per-key errors, and Quiet mode that reports only the errors.

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

use crate::error::malformed_xml;
use crate::notify::{self, ObjectEvent};
use crate::shared::{Shared, parse_version_id};
use crate::versioning;

pub async fn delete_objects(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let bucket_name = input.req_str("Bucket")?;
    let bucket = sh.bucket(bucket_name)?;
    let delete = input.get("Delete").ok_or_else(malformed_xml)?;
    let objects = delete.list("Objects");
    if objects.is_empty() || objects.len() > 1000 {
        return Err(malformed_xml());
    }
    let quiet = delete.bool("Quiet").unwrap_or(false);
    let bypass = crate::object_lock::check_bypass(&bucket, input)?;
    let (mut deleted, mut errors) = (Vec::new(), Vec::new());
    for o in objects {
        let key = o.str("Key").unwrap_or("");
        let version = o.str("VersionId").map(str::to_string);
        let result = match &version {
            Some(v) if v != "null" => parse_version_id(v).map(|_| ()),
            _ => Ok(()),
        };
        let versioned = version.as_deref().is_some_and(|v| !v.is_empty());
        let result = match result {
            Ok(()) if !crate::policy_eval::permits_key(sh, ctx, input, bucket_name, key, versioned)? => {
                Err(crate::policy_eval::access_denied())
            }
            Ok(()) => versioning::delete(sh, bucket_name, key, version.clone(), &ctx.account_id, bypass).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(d) => {
                let mut entry = json!({"Key": key});
                if let Some(v) = &version {
                    entry["VersionId"] = Value::from(v.clone());
                }
                if d.delete_marker {
                    entry["DeleteMarker"] = Value::Bool(true);
                    if let Some(id) = &d.version_id {
                        entry["DeleteMarkerVersionId"] = Value::from(id.clone());
                    }
                }
                let name = if d.marker_created { "ObjectRemoved:DeleteMarkerCreated" } else { "ObjectRemoved:Delete" };
                sh.files.remove(d.removed).await;
                if d.existed {
                    notify::emit(sh, ctx, &bucket, ObjectEvent::removed(name, key, d.version_id.as_deref())).await;
                }
                if !quiet {
                    deleted.push(entry);
                }
            }
            Err(e) => {
                let mut entry = json!({"Key": key, "Code": e.code, "Message": e.message});
                if let Some(v) = &version {
                    entry["VersionId"] = Value::from(v.clone());
                }
                errors.push(entry);
            }
        }
    }
    Ok(json!({"Deleted": deleted, "Errors": errors}))
}
