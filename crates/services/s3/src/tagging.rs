//! Tags: the `x-amz-tagging` header, tag-set validation with AWS's
//! messages, object tagging (Put/Get/DeleteObjectTagging) and bucket
//! tagging (Put/Get/DeleteBucketTagging), with the `ObjectTagging` events.

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

use crate::error::{invalid_argument, invalid_tag, malformed_xml, no_such_config, no_such_key};
use crate::notify::{self, ObjectEvent};
use crate::shared::Shared;

pub type Tags = Vec<(String, String)>;

/// Parses `x-amz-tagging: k1=v1&k2=v2` (URL-encoded, no duplicates).
pub fn parse_header(header: &str) -> Result<Tags, AwsError> {
    let bad = || {
        invalid_argument(
            "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
            "x-amz-tagging",
            Some(header),
        )
    };
    let mut tags: Tags = Vec::new();
    for (k, v) in form_urlencoded::parse(header.as_bytes()) {
        if tags.iter().any(|(seen, _)| *seen == k) || k.contains(',') || v.contains(',') {
            return Err(bad());
        }
        tags.push((k.into_owned(), v.into_owned()));
    }
    validate(&tags, false)?;
    Ok(tags)
}

fn valid_chars(s: &str) -> bool {
    s.chars().all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
}

/// AWS's checks on a tag set (`bucket` picks the aws: prefix message).
pub fn validate(tags: &Tags, bucket: bool) -> Result<(), AwsError> {
    let limit = if bucket { 50 } else { 10 };
    if tags.len() > limit {
        return Err(AwsError::bad_request("BadRequest", format!("Object tags cannot be greater than {limit}")));
    }
    for (i, (k, v)) in tags.iter().enumerate() {
        if tags[..i].iter().any(|(seen, _)| seen == k) {
            return Err(invalid_tag("Cannot provide multiple Tags with the same key", Some(k)));
        }
        if k.starts_with("aws:") {
            let msg = if bucket {
                "System tags cannot be added/updated by requester"
            } else {
                "Your TagKey cannot be prefixed with aws:"
            };
            return Err(invalid_tag(msg, Some(k)));
        }
        if k.is_empty() || k.chars().count() > 128 || !valid_chars(k) {
            return Err(invalid_tag("The TagKey you have provided is invalid", Some(k)));
        }
        if v.chars().count() > 256 || !valid_chars(v) {
            return Err(invalid_tag("The TagValue you have provided is invalid", Some(k))
                .with_field("TagValue", Value::from(v.as_str())));
        }
    }
    Ok(())
}

/// The tag set of a `Tagging` payload.
pub fn from_payload(tagging: Option<&Value>) -> Result<Tags, AwsError> {
    let Some(t) = tagging else { return Err(malformed_xml()) };
    let mut out = Vec::new();
    for tag in t.list("TagSet") {
        match (tag.str("Key"), tag.str("Value")) {
            (Some(k), Some(v)) => out.push((k.to_string(), v.to_string())),
            _ => return Err(malformed_xml()),
        }
    }
    Ok(out)
}

pub fn to_value(tags: &Tags) -> Value {
    Value::Array(tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect())
}

/// Rewrites the tags of one version in place and notifies `event`.
async fn set_object_tags(
    sh: &Shared,
    ctx: &RequestContext,
    input: &Value,
    tags: Tags,
    event: &'static str,
) -> Result<Value, AwsError> {
    let bucket = input.req_str("Bucket")?.to_string();
    let key = input.req_str("Key")?.to_string();
    sh.bucket(&bucket)?;
    let v = sh.find(&bucket, &key, input.str("VersionId"))?;
    if v.delete_marker {
        return Err(method_not_allowed_marker("PUT"));
    }
    let updated = crate::versioning::update_version(sh, &bucket, &key, v.seq, move |v| {
        v.tags = tags.clone();
        Ok(())
    })
    .await?;
    let b = sh.bucket(&bucket)?;
    notify::emit(sh, ctx, &b, ObjectEvent::attribute(event, &updated)).await;
    let mut out = json!({});
    if updated.version_id != "null" || b.versioning.is_some() {
        out["VersionId"] = Value::from(updated.version_id);
    }
    Ok(out)
}

pub fn method_not_allowed_marker(method: &str) -> AwsError {
    AwsError::new(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
        .with_field("Method", Value::from(method))
        .with_field("ResourceType", Value::from("DeleteMarker"))
}

pub async fn put_object(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let tags = from_payload(input.get("Tagging"))?;
    validate(&tags, false)?;
    set_object_tags(sh, ctx, input, tags, "ObjectTagging:Put").await
}

pub async fn delete_object(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    set_object_tags(sh, ctx, input, Vec::new(), "ObjectTagging:Delete").await
}

pub fn get_object(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let bucket = input.req_str("Bucket")?;
    let key = input.req_str("Key")?;
    let b = sh.bucket(bucket)?;
    let v = sh.find(bucket, key, input.str("VersionId"))?;
    if v.delete_marker {
        return Err(if input.str("VersionId").is_some() { method_not_allowed_marker("GET") } else { no_such_key(key) });
    }
    let mut out = json!({"TagSet": to_value(&v.tags)});
    if b.versioning.is_some() {
        out["VersionId"] = Value::from(v.version_id);
    }
    Ok(out)
}

pub async fn put_bucket(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let tags = from_payload(input.get("Tagging"))?;
    validate(&tags, true)?;
    crate::buckets::update(sh, input.req_str("Bucket")?, move |b| {
        b.tags = Some(tags.clone());
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub fn get_bucket(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?;
    match sh.bucket(name)?.tags {
        Some(tags) if !tags.is_empty() => Ok(json!({"TagSet": to_value(&tags)})),
        _ => Err(no_such_config("NoSuchTagSet", "The TagSet does not exist", name)),
    }
}

pub async fn delete_bucket(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    crate::buckets::update(sh, input.req_str("Bucket")?, |b| {
        b.tags = None;
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_parsing() {
        assert_eq!(parse_header("a=1&b=x%20y").ok(), Some(vec![("a".into(), "1".into()), ("b".into(), "x y".into())]));
        assert_eq!(parse_header("key1=val1&key1=val2").map_err(|e| e.code).err().as_deref(), Some("InvalidArgument"));
        assert_eq!(parse_header("aws:x=1").map_err(|e| e.code).err().as_deref(), Some("InvalidTag"));
    }
}
