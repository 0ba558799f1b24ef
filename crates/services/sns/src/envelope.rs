//! The messages SNS sends, shaped as AWS shapes them: the Notification
//! envelope (SQS, HTTP, email-json), the Lambda `Records[].Sns` event, and
//! (Un)SubscriptionConfirmation messages, signed by the server's key.

use crate::model::Subscription;
use crate::signing::Signer;
use serde_json::{Map, Value, json};

/// One published message on its way to the subscribers.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub topic_arn: String,
    pub fifo: bool,
    pub signature_version: String,
    pub message_id: String,
    pub message: String,
    /// With MessageStructure=json: the per-protocol messages.
    pub per_protocol: Option<Map<String, Value>>,
    pub subject: Option<String>,
    /// Model-keyed message attributes (`DataType`, `StringValue`, `BinaryValue`).
    pub attributes: Map<String, Value>,
    pub timestamp: String,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
    pub sequence: Option<String>,
}

impl Outgoing {
    /// The message text for `protocol`.
    pub fn message_for(&self, protocol: &str) -> &str {
        self.per_protocol
            .as_ref()
            .and_then(|m| m.get(protocol).or_else(|| m.get("default")))
            .and_then(Value::as_str)
            .unwrap_or(&self.message)
    }

    /// Attributes as the envelope shows them: `{"Type", "Value"}`.
    fn envelope_attributes(&self) -> Map<String, Value> {
        self.attributes
            .iter()
            .map(|(name, a)| {
                let data_type = a.get("DataType").and_then(Value::as_str).unwrap_or("String");
                let value = a.get("StringValue").or_else(|| a.get("BinaryValue")).cloned().unwrap_or(Value::Null);
                (name.clone(), json!({"Type": data_type, "Value": value}))
            })
            .collect()
    }
}

/// The Notification JSON for SQS, HTTP/S and email-json subscribers.
pub fn notification(
    out: &Outgoing,
    sub: &Subscription,
    signer: Option<&Signer>,
    cert_url: &str,
    unsubscribe_url: &str,
) -> Value {
    let mut m = Map::new();
    m.insert("Type".into(), json!("Notification"));
    m.insert("MessageId".into(), json!(out.message_id));
    if let Some(seq) = &out.sequence {
        m.insert("SequenceNumber".into(), json!(seq));
    }
    m.insert("TopicArn".into(), json!(out.topic_arn));
    if let Some(subject) = &out.subject {
        m.insert("Subject".into(), json!(subject));
    }
    m.insert("Message".into(), json!(out.message_for(&sub.protocol)));
    m.insert("Timestamp".into(), json!(out.timestamp));
    if !out.fifo
        && let Some(signer) = signer
    {
        signer.sign_message(&out.signature_version, &mut m);
        m.insert("SigningCertURL".into(), json!(cert_url));
    }
    m.insert("UnsubscribeURL".into(), json!(unsubscribe_url));
    let attrs = out.envelope_attributes();
    if !attrs.is_empty() {
        m.insert("MessageAttributes".into(), Value::Object(attrs));
    }
    Value::Object(m)
}

/// The event a Lambda subscriber is invoked with.
pub fn lambda_event(
    out: &Outgoing,
    sub: &Subscription,
    signer: Option<&Signer>,
    cert_url: &str,
    unsubscribe_url: &str,
) -> Value {
    let mut signed = Map::new();
    signed.insert("Type".into(), json!("Notification"));
    signed.insert("MessageId".into(), json!(out.message_id));
    signed.insert("TopicArn".into(), json!(out.topic_arn));
    if let Some(subject) = &out.subject {
        signed.insert("Subject".into(), json!(subject));
    }
    signed.insert("Message".into(), json!(out.message_for("lambda")));
    signed.insert("Timestamp".into(), json!(out.timestamp));
    if let Some(signer) = signer {
        signer.sign_message(&out.signature_version, &mut signed);
    }
    let mut sns = Map::new();
    sns.insert("Type".into(), json!("Notification"));
    sns.insert("MessageId".into(), json!(out.message_id));
    sns.insert("TopicArn".into(), json!(out.topic_arn));
    sns.insert("Subject".into(), out.subject.clone().map(Value::String).unwrap_or(Value::Null));
    sns.insert("Message".into(), json!(out.message_for("lambda")));
    sns.insert("Timestamp".into(), json!(out.timestamp));
    sns.insert("SignatureVersion".into(), signed.get("SignatureVersion").cloned().unwrap_or(json!("1")));
    sns.insert("Signature".into(), signed.get("Signature").cloned().unwrap_or(json!("")));
    sns.insert("SigningCertUrl".into(), json!(cert_url));
    sns.insert("UnsubscribeUrl".into(), json!(unsubscribe_url));
    sns.insert("MessageAttributes".into(), Value::Object(out.envelope_attributes()));
    json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": sub.arn,
            "Sns": sns,
        }]
    })
}

/// What a (Un)SubscriptionConfirmation message says.
pub struct Confirmation<'a> {
    /// `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
    pub kind: &'a str,
    pub topic_arn: &'a str,
    pub sub_arn: &'a str,
    pub token: &'a str,
    pub subscribe_url: &'a str,
    pub timestamp: &'a str,
    pub cert_url: &'a str,
    pub version: &'a str,
}

/// A SubscriptionConfirmation or UnsubscribeConfirmation message.
pub fn confirmation(c: &Confirmation<'_>, signer: Option<&Signer>) -> Value {
    let text = if c.kind == "UnsubscribeConfirmation" {
        format!(
            "You have chosen to deactivate subscription {}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.",
            c.sub_arn
        )
    } else {
        format!(
            "You have chosen to subscribe to the topic {}.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
            c.topic_arn
        )
    };
    let mut m = Map::new();
    m.insert("Type".into(), json!(c.kind));
    m.insert("MessageId".into(), json!(uuid::Uuid::new_v4().to_string()));
    m.insert("Token".into(), json!(c.token));
    m.insert("TopicArn".into(), json!(c.topic_arn));
    m.insert("Message".into(), json!(text));
    m.insert("SubscribeURL".into(), json!(c.subscribe_url));
    m.insert("Timestamp".into(), json!(c.timestamp));
    if let Some(signer) = signer {
        signer.sign_message(c.version, &mut m);
        m.insert("SigningCertURL".into(), json!(c.cert_url));
    }
    Value::Object(m)
}
