//! Email, SMS and mobile push are recorded, not sent: each message is kept
//! in the store and listed as JSON at `/_stratus/sns/emails`,
//! `/_stratus/sns/sms` and `/_stratus/sns/push`.

use crate::keys;
use crate::model::Subscription;
use crate::shared::Shared;
use serde_json::{Value, json};

async fn record(s: &Shared, kind: &str, entry: Value) {
    let key =
        format!("{}{:020}{}", keys::outbox(kind), stratus_core::clock::now_millis(), uuid::Uuid::new_v4().simple());
    if let Err(e) = s.store.put(key, entry.to_string().into_bytes()).await {
        tracing::warn!(error = %e, "SNS could not record an outgoing {kind}");
    }
}

pub async fn record_email(s: &Shared, sub: &Subscription, kind: &str, subject: &str, body: &str) {
    let entry = json!({
        "Type": kind,
        "Timestamp": stratus_core::clock::iso8601(stratus_core::clock::now_epoch()),
        "TopicArn": sub.topic_arn,
        "SubscriptionArn": sub.arn,
        "Protocol": sub.protocol,
        "To": sub.endpoint,
        "Subject": subject,
        "Body": body,
    });
    record(s, "email", entry).await;
}

/// Who an SMS goes to: the sending account and region, and the number.
pub struct SmsTo<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub phone: &'a str,
}

/// Records an SMS with its delivery status, as SNS's delivery status logs
/// report it: a number that opted out of the account's messages gets none.
pub async fn record_sms(s: &Shared, to: SmsTo<'_>, message: &str, sub_arn: Option<&str>, message_id: &str) {
    let opted_out = crate::sms::is_opted_out(s, to.account, to.region, to.phone);
    let (status, response) = if opted_out {
        ("FAILURE", "Phone is currently opted out")
    } else {
        ("SUCCESS", "Message has been accepted by phone carrier")
    };
    let entry = json!({
        "Timestamp": stratus_core::clock::iso8601(stratus_core::clock::now_epoch()),
        "MessageId": message_id,
        "PhoneNumber": to.phone,
        "Message": message,
        "SubscriptionArn": sub_arn,
        "Status": status,
        "ProviderResponse": response,
    });
    record(s, "sms", entry).await;
}

/// Records a push notification for a platform endpoint, with the payload
/// for its platform.
pub async fn record_push(
    s: &Shared,
    endpoint: &crate::platform::Endpoint,
    message: &str,
    sub_arn: Option<&str>,
    message_id: &str,
) {
    let entry = json!({
        "Timestamp": stratus_core::clock::iso8601(stratus_core::clock::now_epoch()),
        "MessageId": message_id,
        "EndpointArn": endpoint.arn,
        "Platform": endpoint.platform(),
        "Token": endpoint.attributes.get("Token"),
        "Message": message,
        "SubscriptionArn": sub_arn,
    });
    record(s, "push", entry).await;
}

/// Every recorded message of `kind`, oldest first.
pub fn list(s: &Shared, kind: &str) -> Vec<Value> {
    s.store
        .scan_prefix(keys::outbox(kind), false, None)
        .map(|rows| rows.iter().filter_map(|(_, v)| serde_json::from_slice(v).ok()).collect())
        .unwrap_or_default()
}
