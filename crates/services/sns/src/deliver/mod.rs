//! Delivery: for each confirmed subscription whose filter policy accepts
//! the message, hand it to the protocol's sender, in a background task so
//! Publish returns at once. Failed deliveries go to the subscription's
//! dead-letter queue when it has a RedrivePolicy.

pub mod confirmation;
pub mod http;
pub mod lambda;
pub mod outbox;
pub mod sqs;

use crate::envelope::{self, Outgoing};
use crate::filter::{self, Scope};
use crate::model::{Subscription, Topic};
use crate::policies;
use crate::shared::Shared;
use serde_json::Value;
use std::sync::Arc;

/// Whether `sub`'s filter policy (if any) accepts `out`.
pub fn accepts(sub: &Subscription, out: &Outgoing) -> bool {
    let Some(text) = sub.attr("FilterPolicy").filter(|p| !p.is_empty()) else { return true };
    let scope = Scope::from_attr(sub.attr("FilterPolicyScope"));
    let Ok(policy) = filter::parse(text, scope) else { return false };
    let doc = match scope {
        Scope::Attributes => filter::attributes_document(&out.attributes),
        Scope::Body => match serde_json::from_str::<Value>(out.message_for(&sub.protocol)) {
            Ok(v @ Value::Object(_)) => v,
            _ => return false,
        },
    };
    filter::matches(&policy, &doc)
}

/// Delivers `out` to every confirmed, matching subscription in the background.
pub fn fan_out(s: Arc<Shared>, topic: Topic, out: Outgoing, subs: Vec<Subscription>) {
    let targets: Vec<Subscription> = subs.into_iter().filter(|sub| !sub.pending && accepts(sub, &out)).collect();
    if targets.is_empty() {
        return;
    }
    let shared = s.clone();
    s.spawn(async move {
        let signer = if out.fifo { None } else { shared.signer().await.ok() };
        let signer = signer.as_deref();
        for sub in targets {
            let result = deliver_one(&shared, &topic, &out, &sub, signer).await;
            if let Err((reason, payload)) = result {
                tracing::warn!(subscription = %sub.arn, %reason, "SNS delivery failed");
                if let Some(payload) = payload {
                    dead_letter(&shared, &sub, &out, payload).await;
                }
            }
        }
    });
}

/// Sends to one subscription; on failure, the reason and the payload that
/// a dead-letter queue should receive.
async fn deliver_one(
    s: &Arc<Shared>,
    topic: &Topic,
    out: &Outgoing,
    sub: &Subscription,
    signer: Option<&crate::signing::Signer>,
) -> Result<(), (String, Option<String>)> {
    let cert_url = s.cert_url();
    let unsubscribe_url = s.unsubscribe_url(&sub.arn);
    let envelope = || envelope::notification(out, sub, signer, &cert_url, &unsubscribe_url).to_string();
    match sub.protocol.as_str() {
        "sqs" => {
            let body = if sub.raw() { out.message_for("sqs").to_string() } else { envelope() };
            sqs::send(s, sub, out, &body).await.map_err(|e| (e, Some(body)))
        }
        "lambda" => {
            let event = envelope::lambda_event(out, sub, signer, &cert_url, &unsubscribe_url);
            lambda::invoke(s, &sub.endpoint, &event).await.map_err(|e| (e, Some(envelope())))
        }
        "http" | "https" => {
            let (body, raw) =
                if sub.raw() { (out.message_for(&sub.protocol).to_string(), true) } else { (envelope(), false) };
            let mut headers = vec![
                ("x-amz-sns-message-type", "Notification".to_string()),
                ("x-amz-sns-message-id", out.message_id.clone()),
                ("x-amz-sns-topic-arn", out.topic_arn.clone()),
                ("x-amz-sns-subscription-arn", sub.arn.clone()),
            ];
            if raw {
                headers.push(("x-amz-sns-rawdelivery", "true".to_string()));
            }
            let post = http::Post {
                url: sub.endpoint.clone(),
                content_type: content_type(topic, sub),
                headers,
                body: body.clone(),
            };
            let delays = policies::retry_delays(sub.attr("DeliveryPolicy"), topic.attr("DeliveryPolicy"));
            http::deliver(&s.http, &post, &delays).await.map(|_| ()).map_err(|e| (e, Some(body)))
        }
        "email" | "email-json" => {
            let body = if sub.protocol == "email" { out.message_for("email").to_string() } else { envelope() };
            let subject =
                out.subject.clone().or_else(|| topic.attr("DisplayName").filter(|d| !d.is_empty()).map(str::to_string));
            outbox::record_email(
                s,
                sub,
                "Notification",
                subject.as_deref().unwrap_or("AWS Notification Message"),
                &body,
            )
            .await;
            Ok(())
        }
        "sms" => {
            let to = outbox::SmsTo { account: &topic.account, region: &topic.region, phone: &sub.endpoint };
            outbox::record_sms(s, to, out.message_for("sms"), Some(&sub.arn), &out.message_id).await;
            Ok(())
        }
        "application" => match crate::platform::load_endpoint(s, &sub.endpoint) {
            Ok((_, ep)) if ep.enabled() => {
                outbox::record_push(s, &ep, out.message_for(ep.platform()), Some(&sub.arn), &out.message_id).await;
                Ok(())
            }
            Ok(_) => Err(("Endpoint is disabled".to_string(), None)),
            Err(e) => Err((e.message, None)),
        },
        other => Err((format!("delivery to {other} endpoints is not supported by Stratus"), None)),
    }
}

/// The Content-Type of HTTP deliveries: the subscription's request policy,
/// else the topic's, else AWS's default.
fn content_type(topic: &Topic, sub: &Subscription) -> String {
    let from_sub = sub
        .attr("DeliveryPolicy")
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .and_then(|v| v.pointer("/requestPolicy/headerContentType").and_then(Value::as_str).map(str::to_string));
    from_sub.unwrap_or_else(|| {
        policies::effective(topic.attr("DeliveryPolicy"))
            .pointer("/http/defaultRequestPolicy/headerContentType")
            .and_then(Value::as_str)
            .unwrap_or("text/plain; charset=UTF-8")
            .to_string()
    })
}

/// Sends a message that could not be delivered to the subscription's DLQ.
async fn dead_letter(s: &Arc<Shared>, sub: &Subscription, out: &Outgoing, payload: String) {
    let Some(policy) = sub.attr("RedrivePolicy").and_then(|p| serde_json::from_str::<Value>(p).ok()) else { return };
    let Some(queue_arn) = policy.get("deadLetterTargetArn").and_then(Value::as_str) else { return };
    if let Err(e) = sqs::send_to(s, queue_arn, out, &payload, false).await {
        tracing::warn!(subscription = %sub.arn, queue = queue_arn, reason = %e, "SNS dead-letter delivery failed");
    }
}
