//! AWS's string to sign for SNS messages: `key\nvalue\n` for a fixed list
//! of keys in byte order, skipping keys the message lacks (Subject).

use serde_json::{Map, Value};

const NOTIFICATION_KEYS: &[&str] = &["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"];
const CONFIRMATION_KEYS: &[&str] = &["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];

/// The canonical string of a message (`Type` decides the key list).
pub fn string_to_sign(message: &Map<String, Value>) -> String {
    let keys = match message.get("Type").and_then(Value::as_str) {
        Some("SubscriptionConfirmation") | Some("UnsubscribeConfirmation") => CONFIRMATION_KEYS,
        _ => NOTIFICATION_KEYS,
    };
    let mut out = String::new();
    for key in keys {
        if let Some(value) = message.get(*key).and_then(Value::as_str) {
            out.push_str(key);
            out.push('\n');
            out.push_str(value);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn notification_skips_missing_subject() {
        let m = json!({"Type": "Notification", "MessageId": "1", "TopicArn": "t", "Message": "m", "Timestamp": "ts"});
        let s = string_to_sign(m.as_object().expect("obj"));
        assert_eq!(s, "Message\nm\nMessageId\n1\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n");
    }

    #[test]
    fn confirmation_includes_token_and_url() {
        let m = json!({"Type": "SubscriptionConfirmation", "MessageId": "1", "Token": "tk", "TopicArn": "t",
            "Message": "m", "SubscribeURL": "u", "Timestamp": "ts"});
        let s = string_to_sign(m.as_object().expect("obj"));
        assert_eq!(
            s,
            "Message\nm\nMessageId\n1\nSubscribeURL\nu\nTimestamp\nts\nToken\ntk\nTopicArn\nt\nType\nSubscriptionConfirmation\n"
        );
    }
}
