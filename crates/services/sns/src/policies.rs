//! Topic documents SNS fills in: the default access policy, and the
//! effective delivery policy (AWS's HTTP defaults merged with the topic's
//! `DeliveryPolicy`), plus the retry schedule deliveries follow.

use serde_json::{Value, json};

/// The access policy of a new topic.
pub fn default_policy(topic_arn: &str, account: &str) -> Value {
    json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes",
                "SNS:SetTopicAttributes",
                "SNS:AddPermission",
                "SNS:RemovePermission",
                "SNS:DeleteTopic",
                "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic",
                "SNS:Publish"
            ],
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
}

/// AWS's default healthy retry policy for HTTP/S endpoints.
fn default_retry() -> Value {
    json!({
        "minDelayTarget": 20,
        "maxDelayTarget": 20,
        "numRetries": 3,
        "numMaxDelayRetries": 0,
        "numNoDelayRetries": 0,
        "numMinDelayRetries": 0,
        "backoffFunction": "linear"
    })
}

/// `EffectiveDeliveryPolicy` of a topic with `DeliveryPolicy` `given`.
pub fn effective(given: Option<&str>) -> Value {
    let given: Value = given.and_then(|g| serde_json::from_str(g).ok()).unwrap_or(Value::Null);
    let http = given.get("http").cloned().unwrap_or(Value::Null);
    let mut retry = default_retry();
    if let (Some(r), Some(over)) =
        (retry.as_object_mut(), http.get("defaultHealthyRetryPolicy").and_then(Value::as_object))
    {
        for (k, v) in over {
            r.insert(k.clone(), v.clone());
        }
    }
    let content_type = http
        .pointer("/defaultRequestPolicy/headerContentType")
        .and_then(Value::as_str)
        .unwrap_or("text/plain; charset=UTF-8");
    let mut http_out = json!({
        "defaultHealthyRetryPolicy": retry,
        "disableSubscriptionOverrides": http.get("disableSubscriptionOverrides").and_then(Value::as_bool).unwrap_or(false),
        "defaultRequestPolicy": {"headerContentType": content_type}
    });
    if let (Some(out), Some(throttle)) = (http_out.as_object_mut(), http.get("defaultThrottlePolicy")) {
        out.insert("defaultThrottlePolicy".into(), throttle.clone());
    }
    json!({"http": http_out})
}

/// A subscription's `DeliveryPolicy` as AWS echoes it: every section
/// present, `null` where unset.
pub fn normalize_subscription_policy(given: &str) -> Option<String> {
    let v: Value = serde_json::from_str(given).ok()?;
    let out = json!({
        "healthyRetryPolicy": v.get("healthyRetryPolicy").cloned().map(|r| merge_retry(&r)).unwrap_or(Value::Null),
        "sicklyRetryPolicy": v.get("sicklyRetryPolicy").cloned().unwrap_or(Value::Null),
        "throttlePolicy": v.get("throttlePolicy").cloned().unwrap_or(Value::Null),
        "requestPolicy": v.get("requestPolicy").cloned().unwrap_or(Value::Null),
        "guaranteed": v.get("guaranteed").and_then(Value::as_bool).unwrap_or(false),
    });
    Some(out.to_string())
}

fn merge_retry(given: &Value) -> Value {
    let mut retry = default_retry();
    if let (Some(r), Some(over)) = (retry.as_object_mut(), given.as_object()) {
        for (k, v) in over {
            r.insert(k.clone(), v.clone());
        }
    }
    retry
}

/// The retry schedule for an HTTP/S delivery: the delays (seconds) before
/// each retry, from the subscription's policy or else the topic's.
pub fn retry_delays(sub_policy: Option<&str>, topic_policy: Option<&str>) -> Vec<u64> {
    let from_sub = sub_policy
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .and_then(|v| v.get("healthyRetryPolicy").cloned())
        .filter(|v| v.is_object());
    let retry = match from_sub {
        Some(r) => merge_retry(&r),
        None => {
            effective(topic_policy).pointer("/http/defaultHealthyRetryPolicy").cloned().unwrap_or_else(default_retry)
        }
    };
    let num = retry.get("numRetries").and_then(Value::as_u64).unwrap_or(3).min(100) as usize;
    let no_delay = retry.get("numNoDelayRetries").and_then(Value::as_u64).unwrap_or(0) as usize;
    let min = retry.get("minDelayTarget").and_then(Value::as_u64).unwrap_or(20);
    let max = retry.get("maxDelayTarget").and_then(Value::as_u64).unwrap_or(20).max(min);
    let backoff = retry.get("backoffFunction").and_then(Value::as_str).unwrap_or("linear");
    let backoff_steps = num.saturating_sub(no_delay).max(1);
    (0..num)
        .map(|i| {
            if i < no_delay {
                return 0;
            }
            let step = (i - no_delay) as f64 / (backoff_steps.saturating_sub(1).max(1)) as f64;
            let span = (max - min) as f64;
            let d = match backoff {
                "arithmetic" => span * step * step,
                "geometric" => span * step.powi(3),
                "exponential" => span * (2f64.powf(step * 4.0) - 1.0) / 15.0,
                _ => span * step,
            };
            min + d.round() as u64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_policy_fills_defaults() {
        let e = effective(Some(
            r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":6,"numRetries":1},"disableSubscriptionOverrides":false}}"#,
        ));
        assert_eq!(e["http"]["defaultHealthyRetryPolicy"]["minDelayTarget"], 5);
        assert_eq!(e["http"]["defaultHealthyRetryPolicy"]["backoffFunction"], "linear");
        assert_eq!(e["http"]["defaultRequestPolicy"]["headerContentType"], "text/plain; charset=UTF-8");
        let d = effective(None).to_string();
        assert_eq!(
            d,
            r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}"#
        );
    }

    #[test]
    fn retry_schedule_follows_the_policy() {
        assert_eq!(retry_delays(None, None), vec![20, 20, 20]);
        let sub = r#"{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":2}}"#;
        assert_eq!(retry_delays(Some(sub), None), vec![1, 1]);
        let lin =
            r#"{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":5,"numRetries":5,"numNoDelayRetries":1}}"#;
        assert_eq!(retry_delays(Some(lin), None), vec![0, 1, 2, 4, 5]);
    }
}
