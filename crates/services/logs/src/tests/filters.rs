//! Metric filters (including TestMetricFilter) and subscription filters.

use serde_json::json;

use super::Harness;

async fn setup() -> Harness {
    let h = Harness::new();
    h.call("CreateLogGroup", json!({"logGroupName": "g1"})).await;
    h.call("CreateLogGroup", json!({"logGroupName": "g2"})).await;
    h
}

fn transformation(name: &str) -> serde_json::Value {
    json!([{"metricName": name, "metricNamespace": "ns", "metricValue": "1", "defaultValue": 0.0}])
}

#[tokio::test]
async fn metric_filters_lifecycle() {
    let h = setup().await;
    h.call("PutMetricFilter", json!({"logGroupName": "g1", "filterName": "f-a", "filterPattern": " ", "metricTransformations": transformation("m1")})).await;
    h.call("PutMetricFilter", json!({"logGroupName": "g2", "filterName": "f-b", "filterPattern": "{$.message = \"test\"}", "metricTransformations": transformation("m2")})).await;
    h.call("PutMetricFilter", json!({"logGroupName": "g2", "filterName": "x", "filterPattern": "ERROR", "metricTransformations": transformation("m3")})).await;

    let out = h.call("DescribeMetricFilters", json!({"filterNamePrefix": "f-"})).await;
    let filters = out["metricFilters"].as_array().cloned().unwrap_or_default();
    assert_eq!(filters.len(), 2);
    assert_eq!(filters[0]["filterName"], "f-a");
    assert_eq!(filters[0]["filterPattern"], " ");
    assert_eq!(filters[0]["applyOnTransformedLogs"], false);
    assert_eq!(filters[0]["metricTransformations"][0]["metricValue"], "1");
    assert_eq!(filters[1]["logGroupName"], "g2");

    let out = h.call("DescribeMetricFilters", json!({"logGroupName": "g2"})).await;
    assert_eq!(out["metricFilters"].as_array().map(Vec::len), Some(2));
    let out = h.call("DescribeMetricFilters", json!({"metricName": "m3", "metricNamespace": "ns"})).await;
    assert_eq!(out["metricFilters"][0]["filterName"], "x");
    let out = h.call("DescribeMetricFilters", json!({"limit": 1})).await;
    let token = out["nextToken"].as_str().unwrap_or_default().to_string();
    let out = h.call("DescribeMetricFilters", json!({"limit": 2, "nextToken": token})).await;
    assert_eq!(out["metricFilters"].as_array().map(Vec::len), Some(2));
    assert!(out.get("nextToken").is_none());

    let groups = h.call("DescribeLogGroups", json!({"logGroupNamePrefix": "g2"})).await;
    assert_eq!(groups["logGroups"][0]["metricFilterCount"], 2);

    let e = h.fail("PutMetricFilter", json!({"logGroupName": "g1", "filterName": "bad", "filterPattern": "{ $.x = ", "metricTransformations": transformation("m")})).await;
    assert_eq!((e.code.as_str(), e.message.as_str()), ("InvalidParameterException", "Invalid metric filter pattern"));
    let e = h.fail("PutMetricFilter", json!({"logGroupName": "none", "filterName": "f", "filterPattern": "", "metricTransformations": transformation("m")})).await;
    assert_eq!(e.message, "The specified log group does not exist.");
    let dims = json!([{"metricName": "m", "metricNamespace": "ns", "metricValue": "1", "dimensions": {"k": "$.v"}}]);
    let e = h
        .fail(
            "PutMetricFilter",
            json!({"logGroupName": "g1", "filterName": "d", "filterPattern": "ERROR", "metricTransformations": dims}),
        )
        .await;
    assert_eq!(e.code, "InvalidParameterException");

    h.call("DeleteMetricFilter", json!({"logGroupName": "g2", "filterName": "x"})).await;
    let e = h.fail("DeleteMetricFilter", json!({"logGroupName": "g2", "filterName": "x"})).await;
    assert_eq!(e.code, "ResourceNotFoundException");
    let groups = h.call("DescribeLogGroups", json!({"logGroupNamePrefix": "g2"})).await;
    assert_eq!(groups["logGroups"][0]["metricFilterCount"], 1);
    h.call("DeleteLogGroup", json!({"logGroupName": "g2"})).await;
    let out = h.call("DescribeMetricFilters", json!({})).await;
    assert_eq!(out["metricFilters"].as_array().map(Vec::len), Some(1), "deleting a group deletes its filters");
}

#[tokio::test]
async fn test_metric_filter_uses_the_matcher() {
    let h = Harness::new();
    let out = h
        .call("TestMetricFilter", json!({"filterPattern": "[ip, user, ..., status = 404, size]", "logEventMessages": ["1.2.3.4 bob GET / 404 10", "1.2.3.4 bob GET / 200 10"]}))
        .await;
    assert_eq!(
        out["matches"],
        json!([{"eventNumber": 1, "eventMessage": "1.2.3.4 bob GET / 404 10", "extractedValues": {"$ip": "1.2.3.4", "$user": "bob", "$status": "404", "$size": "10"}}])
    );
    let out = h
        .call(
            "TestMetricFilter",
            json!({"filterPattern": "ERROR -timeout", "logEventMessages": ["ERROR x", "ERROR timeout", "INFO"]}),
        )
        .await;
    assert_eq!(out["matches"].as_array().map(Vec::len), Some(1));
    let e = h.fail("TestMetricFilter", json!({"filterPattern": "[a,", "logEventMessages": ["x"]})).await;
    assert_eq!(e.code, "InvalidParameterException");
}

#[tokio::test]
async fn subscription_filters_lifecycle() {
    let h = setup().await;
    let lambda = "arn:aws:lambda:us-east-1:000000000000:function:f";
    let out = h.call("DescribeSubscriptionFilters", json!({"logGroupName": "g1"})).await;
    assert_eq!(out, json!({"subscriptionFilters": []}));
    h.call(
        "PutSubscriptionFilter",
        json!({"logGroupName": "g1", "filterName": "test", "filterPattern": "", "destinationArn": lambda}),
    )
    .await;
    h.call(
        "PutSubscriptionFilter",
        json!({"logGroupName": "g1", "filterName": "test", "filterPattern": "[]", "destinationArn": lambda}),
    )
    .await;
    let out = h.call("DescribeSubscriptionFilters", json!({"logGroupName": "g1"})).await;
    let f = &out["subscriptionFilters"][0];
    assert_eq!(f["filterPattern"], "[]");
    assert_eq!(f["distribution"], "ByLogStream");
    assert_eq!(f["applyOnTransformedLogs"], false);
    assert_eq!(f["destinationArn"], lambda);
    h.call(
        "PutSubscriptionFilter",
        json!({"logGroupName": "g1", "filterName": "second", "filterPattern": "", "destinationArn": lambda}),
    )
    .await;
    let e = h
        .fail(
            "PutSubscriptionFilter",
            json!({"logGroupName": "g1", "filterName": "third", "filterPattern": "", "destinationArn": lambda}),
        )
        .await;
    assert_eq!((e.code.as_str(), e.message.as_str()), ("LimitExceededException", "Resource limit exceeded."));

    let e = h.fail("PutSubscriptionFilter", json!({"logGroupName": "g1", "filterName": "k", "filterPattern": "", "destinationArn": "arn:aws:kinesis:us-east-1:000000000000:stream/s"})).await;
    assert_eq!(e.message, "destinationArn for vendor kinesis cannot be used without roleArn");
    let e = h.fail("PutSubscriptionFilter", json!({"logGroupName": "g1", "filterName": "x", "filterPattern": "", "destinationArn": "arn:aws:lambda:us-east-1:111111111111:function:f"})).await;
    assert_eq!(e.code, "AccessDeniedException");

    let e = h.fail("DescribeSubscriptionFilters", json!({"logGroupName": "none"})).await;
    assert_eq!(e.message, "The specified log group does not exist.");
    let e = h.fail("DeleteSubscriptionFilter", json!({"logGroupName": "none", "filterName": "test"})).await;
    assert_eq!(e.message, "The specified log group does not exist.");
    h.call("DeleteSubscriptionFilter", json!({"logGroupName": "g1", "filterName": "test"})).await;
    let e = h.fail("DeleteSubscriptionFilter", json!({"logGroupName": "g1", "filterName": "test"})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("ResourceNotFoundException", "The specified subscription filter does not exist.")
    );
}
