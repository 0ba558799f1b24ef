//! Subscription operations: Subscribe (idempotent, confirmed at once for
//! SQS, Lambda, SMS and the rest, pending with a confirmation handshake
//! for HTTP/S and email), ConfirmSubscription, Unsubscribe,
//! ListSubscriptions(ByTopic) and Get/SetSubscriptionAttributes.

use crate::arns::{self, TopicRef};
use crate::deliver;
use crate::errors::{invalid, subscription_not_found};
use crate::filter::Scope;
use crate::keys::{self, Keys};
use crate::model::{PendingToken, Subscription, decode, encode};
use crate::shared::Shared;
use crate::sub_attrs::{self, AttrError};
use crate::{page, topics};
use serde_json::{Value, json};
use std::sync::Arc;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const PROTOCOLS: &[&str] = &["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"];

/// Whether the protocol needs a confirmation handshake.
fn needs_confirmation(protocol: &str) -> bool {
    matches!(protocol, "http" | "https" | "email" | "email-json")
}

fn check_endpoint(protocol: &str, endpoint: &str, topic_fifo: bool) -> Result<(), AwsError> {
    let arn_of = |svc: &str| arns::split(endpoint).is_some_and(|(s, _, _, r)| s == svc && !r.is_empty());
    match protocol {
        "sqs" if !arn_of("sqs") => Err(invalid("SQS endpoint ARN")),
        "lambda" if !arn_of("lambda") => Err(invalid("Lambda endpoint ARN")),
        "firehose" if !arn_of("firehose") => Err(invalid("Firehose endpoint ARN")),
        "application" if !arn_of("sns") => Err(invalid("Application endpoint ARN")),
        "http" if !endpoint.starts_with("http://") => Err(invalid("Endpoint must match the specified protocol")),
        "https" if !endpoint.starts_with("https://") => Err(invalid("Endpoint must match the specified protocol")),
        "email" | "email-json" if !endpoint.contains('@') => Err(invalid("Email address")),
        "sms" => arns::check_sms_endpoint(endpoint),
        "sqs" if !topic_fifo && endpoint.ends_with(".fifo") => Err(invalid(
            "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
        )),
        _ if topic_fifo && protocol != "sqs" => {
            Err(invalid(format!("Invalid protocol type: {protocol} for FIFO topic")))
        }
        _ => Ok(()),
    }
}

fn attr_error(e: AttrError, in_subscribe: bool) -> AwsError {
    if e.bare || !in_subscribe { invalid(e.text) } else { invalid(format!("Attributes Reason: {}", e.text)) }
}

/// A fresh confirmation token (hex, like AWS's).
fn new_token() -> String {
    (0..4).map(|_| uuid::Uuid::new_v4().simple().to_string()).collect()
}

pub async fn subscribe(s: &Arc<Shared>, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = arns::topic(ctx, "TopicArn", input.req_str("TopicArn")?)?;
    let protocol = input.req_str("Protocol")?.to_string();
    if !PROTOCOLS.contains(&protocol.as_str()) {
        return Err(invalid(format!("Amazon SNS does not support this protocol string: {protocol}")));
    }
    let topic = s.topic(&t)?;
    let endpoint = input.str("Endpoint").unwrap_or("").to_string();
    if endpoint.is_empty() {
        return Err(invalid("Endpoint"));
    }
    check_endpoint(&protocol, &endpoint, topic.is_fifo())?;
    let attributes = topics::string_map(input, "Attributes");
    let scope = Scope::from_attr(attributes.get("FilterPolicyScope").map(String::as_str));
    for (k, v) in &attributes {
        if !sub_attrs::SETTABLE.contains(&k.as_str()) {
            return Err(invalid(format!("Attributes Reason: Unknown attribute {k}")));
        }
        sub_attrs::check(k, v, scope, topic.is_fifo(), &endpoint).map_err(|e| attr_error(e, true))?;
    }
    let return_arn = input.bool("ReturnSubscriptionArn").unwrap_or(false);
    if let Some(existing) =
        s.subscriptions_of(&t)?.into_iter().find(|x| x.protocol == protocol && x.endpoint == endpoint)
    {
        let same = attributes.iter().all(|(k, v)| match k.as_str() {
            "RawMessageDelivery" => v.eq_ignore_ascii_case(&existing.raw().to_string()),
            _ => existing.attr(k) == Some(v.as_str()),
        });
        if !same {
            return Err(invalid("Attributes Reason: Subscription already exists with different attributes"));
        }
        let shown = if existing.pending && !return_arn { "pending confirmation".to_string() } else { existing.arn };
        return Ok(json!({ "SubscriptionArn": shown }));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let arn = format!("{}:{id}", topic.arn);
    let pending = needs_confirmation(&protocol);
    let sub = Subscription {
        arn: arn.clone(),
        topic_arn: topic.arn.clone(),
        protocol: protocol.clone(),
        endpoint,
        owner: ctx.account_id.clone(),
        attributes,
        pending,
        authenticated: !pending,
    };
    let key = Keys::new(&t.account, &t.region).sub(&t.name, &id);
    let token = pending.then(new_token);
    let token_record = PendingToken {
        subscription_arn: arn.clone(),
        topic_arn: topic.arn.clone(),
        account: t.account.clone(),
        region: t.region.clone(),
    };
    let (record, tok) = (encode(&sub), token.clone());
    s.store
        .transact(move |txn| {
            txn.put(key.clone(), record.clone());
            if let Some(tok) = &tok {
                txn.put(keys::token(tok), encode(&token_record));
            }
            Ok::<_, AwsError>(())
        })
        .await?;
    if let Some(token) = token {
        deliver::confirmation::send(
            s.clone(),
            sub,
            token,
            "SubscriptionConfirmation",
            topic.signature_version().to_string(),
        );
    }
    let shown = if pending && !return_arn { "pending confirmation".to_string() } else { arn };
    Ok(json!({ "SubscriptionArn": shown }))
}

/// Confirms the subscription behind `token` on `topic_arn` (the API call
/// and the SubscribeURL both end here).
pub async fn confirm_token(s: &Shared, topic_arn: &str, token: &str, authenticated: bool) -> Result<String, AwsError> {
    let Some(bytes) = s.store.get(keys::token(token))? else {
        return Err(invalid("Token"));
    };
    let pending: PendingToken = decode(&bytes)?;
    if pending.topic_arn != topic_arn {
        return Err(invalid("Token"));
    }
    let (topic, id) = split_sub_arn(&pending.subscription_arn).ok_or_else(|| invalid("Token"))?;
    let key = Keys::new(&topic.account, &topic.region).sub(&topic.name, &id);
    s.store
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(invalid("Token")) };
            let mut sub: Subscription = decode(&bytes)?;
            if sub.pending {
                sub.pending = false;
                sub.authenticated = authenticated;
                txn.put(key.clone(), encode(&sub));
            }
            Ok(())
        })
        .await?;
    Ok(pending.subscription_arn)
}

/// `(topic, id)` of a well-formed subscription ARN.
pub fn split_sub_arn(arn: &str) -> Option<(TopicRef, String)> {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() != 7 {
        return None;
    }
    Some((TopicRef { account: parts[4].into(), region: parts[3].into(), name: parts[5].into() }, parts[6].into()))
}

pub async fn confirm(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let topic_arn = input.req_str("TopicArn")?;
    let token = input.req_str("Token")?;
    arns::topic(ctx, "TopicArn", topic_arn)?;
    let authenticated = input.str("AuthenticateOnUnsubscribe").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let arn = confirm_token(s, topic_arn, token, authenticated || ctx.access_key.is_some()).await?;
    Ok(json!({ "SubscriptionArn": arn }))
}

/// Removes a subscription (idempotent); HTTP/S endpoints are told.
pub async fn unsubscribe_arn(s: &Arc<Shared>, ctx: &RequestContext, arn: &str) -> Result<(), AwsError> {
    let (t, id) = arns::subscription(ctx, arn)?;
    let Some(sub) = s.subscription(&t, &id)? else { return Ok(()) };
    s.store.delete(Keys::new(&t.account, &t.region).sub(&t.name, &id)).await?;
    if matches!(sub.protocol.as_str(), "http" | "https") && !sub.pending {
        let version = s.topic(&t).map(|x| x.signature_version().to_string()).unwrap_or_else(|_| "1".into());
        deliver::confirmation::send(s.clone(), sub, new_token(), "UnsubscribeConfirmation", version);
    }
    Ok(())
}

pub async fn unsubscribe(s: &Arc<Shared>, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    unsubscribe_arn(s, ctx, input.str("SubscriptionArn").unwrap_or("")).await?;
    Ok(json!({}))
}

fn summary(sub: &Subscription) -> Value {
    json!({
        "SubscriptionArn": if sub.pending { "PendingConfirmation".to_string() } else { sub.arn.clone() },
        "Owner": sub.owner,
        "Protocol": sub.protocol,
        "Endpoint": sub.endpoint,
        "TopicArn": sub.topic_arn,
    })
}

fn listing(s: &Shared, prefix: &str, token: Option<&str>) -> Result<Value, AwsError> {
    let (rows, next) = page::scan(&s.store, prefix, token)?;
    let subs: Vec<Value> =
        rows.iter().map(|(_, v)| decode::<Subscription>(v).map(|x| summary(&x))).collect::<Result<_, _>>()?;
    let mut out = json!({ "Subscriptions": subs });
    if let (Some(n), Some(o)) = (next, out.as_object_mut()) {
        o.insert("NextToken".into(), json!(n));
    }
    Ok(out)
}

pub async fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    listing(s, &Keys::new(&ctx.account_id, &ctx.region).subs(), input.str("NextToken"))
}

pub async fn list_by_topic(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let t = arns::topic(ctx, "TopicArn", input.req_str("TopicArn")?)?;
    s.topic(&t)?;
    listing(s, &Keys::new(&t.account, &t.region).subs_of(&t.name), input.str("NextToken"))
}

fn find(s: &Shared, ctx: &RequestContext, arn: &str) -> Result<(TopicRef, Subscription), AwsError> {
    let (t, id) = arns::subscription(ctx, arn)?;
    let sub = s.subscription(&t, &id)?.ok_or_else(subscription_not_found)?;
    Ok((t, sub))
}

pub async fn get_attributes(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (_, sub) = find(s, ctx, input.req_str("SubscriptionArn")?)?;
    Ok(json!({ "Attributes": sub_attrs::render(&sub) }))
}

pub async fn set_attributes(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("AttributeName")?.to_string();
    let value = input.str("AttributeValue").unwrap_or("").to_string();
    let (t, sub) = find(s, ctx, input.req_str("SubscriptionArn")?)?;
    if !sub_attrs::SETTABLE.contains(&name.as_str()) {
        return Err(invalid("AttributeName"));
    }
    let fifo = s.topic(&t).map(|x| x.is_fifo()).unwrap_or(false);
    let scope = if name == "FilterPolicyScope" {
        Scope::from_attr(Some(&value))
    } else {
        Scope::from_attr(sub.attr("FilterPolicyScope"))
    };
    sub_attrs::check(&name, &value, scope, fifo, &sub.endpoint).map_err(|e| attr_error(e, false))?;
    if name == "FilterPolicyScope"
        && let Some(policy) = sub.attr("FilterPolicy")
    {
        sub_attrs::check("FilterPolicy", policy, scope, fifo, &sub.endpoint).map_err(|e| attr_error(e, false))?;
    }
    let key = Keys::new(&t.account, &t.region).sub(&t.name, sub.id());
    s.store
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(subscription_not_found()) };
            let mut sub: Subscription = decode(&bytes)?;
            if value.is_empty() && name != "RawMessageDelivery" {
                sub.attributes.remove(&name);
            } else {
                sub.attributes.insert(name.clone(), value.clone());
            }
            txn.put(key.clone(), encode(&sub));
            Ok(())
        })
        .await?;
    Ok(json!({}))
}
