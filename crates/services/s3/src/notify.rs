//! Bucket notifications: Put/GetBucketNotificationConfiguration (queue,
//! topic and Lambda configurations, event name patterns, prefix/suffix
//! filters; destinations are checked by `destinations`) and the delivery of
//! AWS's event records (eventVersion 2.1) through peers.

use base64::Engine;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

use crate::buckets::canonical_id;
use crate::destinations::{self, Kind};
use crate::error::invalid_argument;
use crate::model::{Bucket, Version};
use crate::shared::Shared;

const EVENTS: &[&str] = &[
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
];

/// (configuration list member, ARN member, argument name in errors, kind).
const KINDS: [(&str, &str, &str, Kind); 3] = [
    ("QueueConfigurations", "QueueArn", "Queue", Kind::Queue),
    ("TopicConfigurations", "TopicArn", "Topic", Kind::Topic),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn", "CloudFunction", Kind::Function),
];

/// One object event to deliver.
pub struct ObjectEvent {
    pub name: &'static str,
    pub key: String,
    pub size: Option<u64>,
    pub etag: Option<String>,
    pub version_id: Option<String>,
}

impl ObjectEvent {
    pub fn created(name: &'static str, v: &Version) -> ObjectEvent {
        ObjectEvent {
            name,
            key: v.key.clone(),
            size: Some(v.size),
            etag: Some(v.etag.trim_matches('"').to_string()),
            version_id: (v.version_id != "null").then(|| v.version_id.clone()),
        }
    }

    pub fn removed(name: &'static str, key: &str, version_id: Option<&str>) -> ObjectEvent {
        ObjectEvent {
            name,
            key: key.to_string(),
            size: None,
            etag: None,
            version_id: version_id.filter(|v| *v != "null").map(str::to_string),
        }
    }
}

fn normalize(conf: &Value) -> Result<Value, AwsError> {
    let mut out = json!({});
    for (list, arn_member, arg, _) in KINDS {
        let mut items = Vec::new();
        for c in conf.list(list) {
            let arn = c.str(arn_member).unwrap_or("");
            if stratus_core::arn::parse(arn).is_none() {
                return Err(invalid_argument("The ARN could not be parsed", arg, Some(arn)));
            }
            let mut c = c.clone();
            for e in c.list("Events") {
                let e = e.as_str().unwrap_or("");
                if !EVENTS.contains(&e) {
                    return Err(invalid_argument("The event is not supported for notifications", "Event", Some(e)));
                }
            }
            let mut rules = Vec::new();
            for r in c.get("Filter").and_then(|f| f.get("Key")).map(|k| k.list("FilterRules")).unwrap_or(&[]) {
                let name = r.str("Name").unwrap_or("");
                let name = match name.to_ascii_lowercase().as_str() {
                    "prefix" => "Prefix",
                    "suffix" => "Suffix",
                    _ => {
                        return Err(invalid_argument(
                            "filter rule name must be either prefix or suffix",
                            "FilterRule.Name",
                            Some(name),
                        ));
                    }
                };
                if rules.iter().any(|x: &Value| x["Name"] == name) {
                    return Err(invalid_argument(
                        &format!("Cannot specify more than one {} rule in a filter.", name.to_ascii_lowercase()),
                        "FilterRule.Name",
                        Some(name),
                    ));
                }
                rules.push(json!({"Name": name, "Value": r.str("Value").unwrap_or("")}));
            }
            if let Some(obj) = c.as_object_mut() {
                if !rules.is_empty() {
                    obj.insert("Filter".into(), json!({"Key": {"FilterRules": rules}}));
                }
                if obj.get("Id").and_then(Value::as_str).is_none_or(str::is_empty) {
                    obj.insert("Id".into(), Value::from(crate::files::new_id()));
                }
            }
            items.push(c);
        }
        if !items.is_empty() {
            out[list] = Value::Array(items);
        }
    }
    if let Some(eb) = conf.get("EventBridgeConfiguration") {
        out["EventBridgeConfiguration"] = eb.clone();
    }
    Ok(out)
}

pub async fn put_config(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("Bucket")?.to_string();
    sh.bucket(&name)?;
    let conf = normalize(input.get("NotificationConfiguration").unwrap_or(&Value::Null))?;
    if input.bool("SkipDestinationValidation") != Some(true) {
        let named: Vec<(Kind, String)> = KINDS
            .iter()
            .flat_map(|(list, arn_member, _, kind)| {
                conf.list(list).iter().map(move |c| (*kind, c.str(arn_member).unwrap_or("").to_string()))
            })
            .collect();
        destinations::validate(sh, ctx, &name, &named).await?;
    }
    let stored = (conf.as_object().is_some_and(|o| !o.is_empty())).then_some(conf);
    crate::buckets::update(sh, &name, move |b| {
        b.notification = stored.clone();
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

pub fn get_config(sh: &Shared, input: &Value) -> Result<Value, AwsError> {
    let b = sh.bucket(input.req_str("Bucket")?)?;
    Ok(b.notification.unwrap_or_else(|| json!({})))
}

fn event_matches(patterns: &[Value], event: &str) -> bool {
    patterns.iter().filter_map(Value::as_str).any(|p| {
        let p = p.strip_prefix("s3:").unwrap_or(p);
        match p.strip_suffix('*') {
            Some(category) => event.starts_with(category),
            None => p == event,
        }
    })
}

fn filter_matches(conf: &Value, key: &str) -> bool {
    let rules = conf.get("Filter").and_then(|f| f.get("Key")).map(|k| k.list("FilterRules")).unwrap_or(&[]);
    rules.iter().all(|r| {
        let v = r.str("Value").unwrap_or("");
        match r.str("Name") {
            Some("Prefix") => key.starts_with(v),
            Some("Suffix") => key.ends_with(v),
            _ => true,
        }
    })
}

/// S3's encoding of keys in event records (form encoding, `/` kept).
pub fn encode_key(key: &str) -> String {
    form_urlencoded::byte_serialize(key.as_bytes()).collect::<String>().replace("%2F", "/")
}

/// Delivers `ev` to every configuration of `bucket` that wants it.
pub fn emit(sh: &Shared, ctx: &RequestContext, bucket: &Bucket, ev: ObjectEvent) {
    let Some(conf) = &bucket.notification else { return };
    let sequencer = format!("{:016X}", sh.seq.next());
    for (list, arn_member, _, kind) in KINDS {
        for c in conf.list(list) {
            if !event_matches(c.list("Events"), ev.name) || !filter_matches(c, &ev.key) {
                continue;
            }
            let mut object = json!({"key": encode_key(&ev.key), "sequencer": sequencer});
            if let Some(size) = ev.size {
                object["size"] = Value::from(size);
            }
            if let Some(etag) = &ev.etag {
                object["eTag"] = Value::from(etag.clone());
            }
            if let Some(v) = &ev.version_id {
                object["versionId"] = Value::from(v.clone());
            }
            let record = json!({"Records": [{
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": bucket.region,
                "eventTime": stratus_core::clock::iso8601(crate::shared::now()),
                "eventName": ev.name,
                "userIdentity": {"principalId": format!("AWS:{}", ctx.account_id)},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {
                    "x-amz-request-id": ctx.request_id,
                    "x-amz-id-2": base64::engine::general_purpose::STANDARD.encode(&ctx.request_id),
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": c.str("Id").unwrap_or(""),
                    "bucket": {
                        "name": bucket.name,
                        "ownerIdentity": {"principalId": canonical_id(&bucket.account)[..14].to_ascii_uppercase()},
                        "arn": crate::buckets::arn(&bucket.name),
                    },
                    "object": object,
                },
            }]});
            let arn = c.str(arn_member).unwrap_or("").to_string();
            let peers = sh.peers.clone();
            let endpoint = sh.endpoint.clone();
            tokio::spawn(async move {
                if let Err(e) = destinations::send(&peers, &endpoint, kind, &arn, &record.to_string()).await {
                    tracing::warn!("S3 notification to {arn} failed: {e}");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_keys() {
        let p = vec![Value::from("s3:ObjectCreated:*"), Value::from("s3:ObjectRemoved:Delete")];
        assert!(event_matches(&p, "ObjectCreated:Put"));
        assert!(event_matches(&p, "ObjectRemoved:Delete"));
        assert!(!event_matches(&p, "ObjectRemoved:DeleteMarkerCreated"));
        assert_eq!(encode_key("dir/a b+c.txt"), "dir/a+b%2Bc.txt");
    }
}
