//! Bucket notifications: Put/GetBucketNotificationConfiguration (queue,
//! topic and Lambda configurations, event name patterns, prefix/suffix
//! filters; destinations are checked by `destinations`) and AWS's event
//! records (eventVersion 2.1, or 2.3 for lifecycle, tagging and ACL
//! events), handed to the durable `outbox` that delivers them.

use base64::Engine;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

use crate::buckets::canonical_id;
use crate::destinations::{self, Kind};
use crate::error::invalid_argument;
use crate::model::{Bucket, Version};
use crate::outbox::{self, Pending};
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
    /// Creations and removals carry a sequencer; tag and ACL changes do not.
    sequenced: bool,
    /// `glacierEventData` (ObjectRestore:Completed).
    pub glacier: Option<Value>,
}

impl ObjectEvent {
    pub fn created(name: &'static str, v: &Version) -> ObjectEvent {
        ObjectEvent {
            name,
            key: v.key.clone(),
            size: Some(v.size),
            etag: Some(v.etag.trim_matches('"').to_string()),
            version_id: (v.version_id != "null").then(|| v.version_id.clone()),
            sequenced: true,
            glacier: None,
        }
    }

    /// A change to a version's tags or ACL: its key, ETag and version id.
    pub fn attribute(name: &'static str, v: &Version) -> ObjectEvent {
        ObjectEvent { size: None, sequenced: false, ..ObjectEvent::created(name, v) }
    }

    pub fn removed(name: &'static str, key: &str, version_id: Option<&str>) -> ObjectEvent {
        ObjectEvent {
            name,
            key: key.to_string(),
            size: None,
            etag: None,
            version_id: version_id.filter(|v| *v != "null").map(str::to_string),
            sequenced: true,
            glacier: None,
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

/// Two event patterns overlap when one names or covers the other
/// (`s3:ObjectCreated:*` covers `s3:ObjectCreated:Put`).
fn events_overlap(a: &str, b: &str) -> bool {
    let covers = |wide: &str, narrow: &str| wide.strip_suffix('*').is_some_and(|c| narrow.starts_with(c));
    a == b || covers(a, b) || covers(b, a)
}

/// A configuration's key filter: (prefix, suffix, whether it has rules).
fn key_filter(c: &Value) -> (&str, &str, bool) {
    let rules = c.get("Filter").and_then(|f| f.get("Key")).map(|k| k.list("FilterRules")).unwrap_or(&[]);
    let rule = |name| rules.iter().find(|r| r.str("Name") == Some(name)).and_then(|r| r.str("Value")).unwrap_or("");
    (rule("Prefix"), rule("Suffix"), !rules.is_empty())
}

/// S3 refuses two configurations (of any destination kind) that one event
/// could match both of: a common event type, prefixes of which one starts
/// the other, and suffixes of which one ends the other.
fn check_overlaps(conf: &Value) -> Result<(), AwsError> {
    let all: Vec<&Value> = KINDS.iter().flat_map(|(list, ..)| conf.list(list)).collect();
    for (i, a) in all.iter().enumerate() {
        for b in &all[..i] {
            let common = a.list("Events").iter().filter_map(Value::as_str).find_map(|ea| {
                b.list("Events").iter().filter_map(Value::as_str).find(|eb| events_overlap(ea, eb)).map(|eb| (ea, eb))
            });
            let Some((ea, eb)) = common else { continue };
            let ((pa, sa, fa), (pb, sb, fb)) = (key_filter(a), key_filter(b));
            if !(pa.starts_with(pb) || pb.starts_with(pa)) || !(sa.ends_with(sb) || sb.ends_with(sa)) {
                continue;
            }
            if !fa && !fb {
                return Err(invalid_argument(
                    "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
                    "Event",
                    Some(&format!("{eb}, {ea}")),
                ));
            }
            return Err(invalid_argument(
                "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.",
                "Event",
                Some(&format!("{eb}, {ea}")),
            ));
        }
    }
    Ok(())
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
    // S3 names unreachable destinations before it looks for overlaps.
    check_overlaps(&conf)?;
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

/// Who caused an event: the record names the caller, or S3 itself for
/// lifecycle actions.
struct Cause<'a> {
    principal: String,
    source_ip: &'static str,
    request_id: &'a str,
}

/// Delivers `ev`, caused by the request `ctx`, to every configuration of
/// `bucket` that wants it.
pub async fn emit(sh: &Shared, ctx: &RequestContext, bucket: &Bucket, ev: ObjectEvent) {
    let cause =
        Cause { principal: format!("AWS:{}", ctx.account_id), source_ip: "127.0.0.1", request_id: &ctx.request_id };
    deliver(sh, &cause, bucket, ev).await;
}

/// Delivers `ev`, an action of a lifecycle rule, as S3 itself.
pub async fn emit_lifecycle(sh: &Shared, bucket: &Bucket, ev: ObjectEvent) {
    let request_id = crate::files::new_id()[..16].to_ascii_uppercase();
    let cause = Cause { principal: "s3.amazonaws.com".into(), source_ip: "s3.amazonaws.com", request_id: &request_id };
    deliver(sh, &cause, bucket, ev).await;
}

/// The record version AWS writes: 2.3 for lifecycle, tagging and ACL
/// events, 2.1 for the rest.
fn event_version(name: &str) -> &'static str {
    if ["ObjectTagging:", "ObjectAcl:", "LifecycleExpiration:"].iter().any(|p| name.starts_with(p)) {
        "2.3"
    } else {
        "2.1"
    }
}

/// Records the event for every configuration of `bucket` that wants it;
/// the outbox delivers them.
async fn deliver(sh: &Shared, cause: &Cause<'_>, bucket: &Bucket, ev: ObjectEvent) {
    let Some(conf) = &bucket.notification else { return };
    let sequencer = format!("{:016X}", sh.seq.next());
    let mut owed = Vec::new();
    for (list, arn_member, _, kind) in KINDS {
        for c in conf.list(list) {
            if !event_matches(c.list("Events"), ev.name) || !filter_matches(c, &ev.key) {
                continue;
            }
            let mut object = json!({"key": encode_key(&ev.key)});
            if ev.sequenced {
                object["sequencer"] = Value::from(sequencer.clone());
            }
            if let Some(size) = ev.size {
                object["size"] = Value::from(size);
            }
            if let Some(etag) = &ev.etag {
                object["eTag"] = Value::from(etag.clone());
            }
            if let Some(v) = &ev.version_id {
                object["versionId"] = Value::from(v.clone());
            }
            let mut record = json!({"Records": [{
                "eventVersion": event_version(ev.name),
                "eventSource": "aws:s3",
                "awsRegion": bucket.region,
                "eventTime": stratus_core::clock::iso8601(crate::shared::now()),
                "eventName": ev.name,
                "userIdentity": {"principalId": cause.principal},
                "requestParameters": {"sourceIPAddress": cause.source_ip},
                "responseElements": {
                    "x-amz-request-id": cause.request_id,
                    "x-amz-id-2": base64::engine::general_purpose::STANDARD.encode(cause.request_id),
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
            if let Some(g) = &ev.glacier {
                record["Records"][0]["glacierEventData"] = g.clone();
            }
            let arn = c.str(arn_member).unwrap_or("").to_string();
            owed.push(Pending::new(kind, arn, record.to_string()));
        }
    }
    outbox::enqueue(sh, owed).await;
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

    fn conf(entries: &[(&str, &str, &str)]) -> Value {
        let items: Vec<Value> = entries
            .iter()
            .map(|(event, prefix, suffix)| {
                let mut rules = Vec::new();
                if !prefix.is_empty() {
                    rules.push(json!({"Name": "Prefix", "Value": prefix}));
                }
                if !suffix.is_empty() {
                    rules.push(json!({"Name": "Suffix", "Value": suffix}));
                }
                let mut c = json!({"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q", "Events": [event]});
                if !rules.is_empty() {
                    c["Filter"] = json!({"Key": {"FilterRules": rules}});
                }
                c
            })
            .collect();
        json!({ "QueueConfigurations": items })
    }

    #[test]
    fn overlapping_configurations_are_refused() {
        let message = |entries| check_overlaps(&conf(entries)).err().map(|e| e.message);
        let overlap = "Configurations overlap. Configurations on the same bucket cannot share a common event type.";
        let ambiguous = "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.";
        assert_eq!(
            message(&[("s3:ObjectCreated:*", "", ""), ("s3:ObjectCreated:Put", "", "")]).as_deref(),
            Some(overlap)
        );
        assert_eq!(
            message(&[("s3:ObjectCreated:Put", "images-api/", ""), ("s3:ObjectCreated:*", "", "")]).as_deref(),
            Some(ambiguous)
        );
        assert_eq!(
            message(&[("s3:ObjectCreated:*", "a/", ".log"), ("s3:ObjectCreated:*", "a/b/", "x.log")]).as_deref(),
            Some(ambiguous)
        );
        // Disjoint prefixes, disjoint suffixes, or different events: accepted.
        assert_eq!(
            message(&[("s3:ObjectCreated:*", "AWSLogs/", ".log"), ("s3:ObjectCreated:*", "OtherLogs/", ".log")]),
            None
        );
        assert_eq!(
            message(&[("s3:ObjectCreated:*", "images/", ".jpg"), ("s3:ObjectCreated:*", "images/", ".png")]),
            None
        );
        assert_eq!(message(&[("s3:ObjectCreated:*", "", ""), ("s3:ObjectRemoved:*", "", "")]), None);
    }
}
