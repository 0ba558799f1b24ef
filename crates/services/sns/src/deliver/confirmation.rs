//! The confirmation handshake: SubscriptionConfirmation (and, on
//! Unsubscribe, UnsubscribeConfirmation) sent to HTTP/S endpoints as a
//! signed POST, or recorded as an email for email subscriptions.

use super::{http, outbox};
use crate::envelope;
use crate::model::Subscription;
use crate::shared::Shared;
use std::sync::Arc;

/// The SubscribeURL for a token.
pub fn subscribe_url(s: &Shared, topic_arn: &str, token: &str) -> String {
    format!("{}/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}", s.endpoint())
}

/// Sends the confirmation message of `kind` in the background.
pub fn send(s: Arc<Shared>, sub: Subscription, token: String, kind: &'static str, version: String) {
    let shared = s.clone();
    s.spawn(async move {
        let signer = shared.signer().await.ok();
        let url = subscribe_url(&shared, &sub.topic_arn, &token);
        let timestamp = stratus_core::clock::iso8601(stratus_core::clock::now_epoch());
        let cert_url = shared.cert_url();
        let args = envelope::Confirmation {
            kind,
            topic_arn: &sub.topic_arn,
            sub_arn: &sub.arn,
            token: &token,
            subscribe_url: &url,
            timestamp: &timestamp,
            cert_url: &cert_url,
            version: &version,
        };
        let message = envelope::confirmation(&args, signer.as_deref());
        match sub.protocol.as_str() {
            "http" | "https" => {
                let message_id = message.get("MessageId").and_then(|v| v.as_str()).unwrap_or("").to_string();
                let mut headers = vec![
                    ("x-amz-sns-message-type", kind.to_string()),
                    ("x-amz-sns-message-id", message_id),
                    ("x-amz-sns-topic-arn", sub.topic_arn.clone()),
                ];
                if kind == "UnsubscribeConfirmation" {
                    headers.push(("x-amz-sns-subscription-arn", sub.arn.clone()));
                }
                let post = http::Post {
                    url: sub.endpoint.clone(),
                    content_type: "text/plain; charset=UTF-8".into(),
                    headers,
                    body: message.to_string(),
                };
                if let Err(reason) = http::deliver(&shared.http, &post, &[1, 2, 4]).await {
                    tracing::warn!(subscription = %sub.arn, %reason, "SNS {kind} delivery failed");
                }
            }
            "email" | "email-json" => {
                let body = if sub.protocol == "email" {
                    format!("You have chosen to subscribe to the topic:\n{}\n\nTo confirm this subscription, click or visit the link below:\n{url}", sub.topic_arn)
                } else {
                    message.to_string()
                };
                outbox::record_email(&shared, &sub, kind, "AWS Notification - Subscription Confirmation", &body).await;
            }
            _ => {}
        }
    });
}
