//! Log groups: create/describe/delete, retention, tags, errors.

use serde_json::json;

use super::Harness;

#[tokio::test]
async fn create_describe_delete() {
    let h = Harness::new();
    h.call("CreateLogGroup", json!({"logGroupName": "/app/one", "kmsKeyId": "arn:aws:kms:us-east-1:000000000000:key/k", "tags": {"env": "test"}})).await;
    h.call("CreateLogGroup", json!({"logGroupName": "/app/two", "logGroupClass": "INFREQUENT_ACCESS"})).await;
    h.call("CreateLogGroup", json!({"logGroupName": "/other"})).await;

    let e = h.fail("CreateLogGroup", json!({"logGroupName": "/app/one"})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("ResourceAlreadyExistsException", "The specified log group already exists")
    );

    let out = h.call("DescribeLogGroups", json!({"logGroupNamePrefix": "/app/"})).await;
    let groups = out["logGroups"].as_array().cloned().unwrap_or_default();
    assert_eq!(groups.len(), 2);
    let g = &groups[0];
    assert_eq!(g["logGroupName"], "/app/one");
    assert_eq!(g["arn"], "arn:aws:logs:us-east-1:000000000000:log-group:/app/one:*");
    assert_eq!(g["logGroupArn"], "arn:aws:logs:us-east-1:000000000000:log-group:/app/one");
    assert_eq!(g["logGroupClass"], "STANDARD");
    assert_eq!(g["metricFilterCount"], 0);
    assert_eq!(g["storedBytes"], 0);
    assert_eq!(g["deletionProtectionEnabled"], false);
    assert_eq!(g["kmsKeyId"], "arn:aws:kms:us-east-1:000000000000:key/k");
    assert!(g["creationTime"].as_i64().is_some_and(|t| t > 0));
    assert_eq!(groups[1]["logGroupClass"], "INFREQUENT_ACCESS");
    assert!(out.get("nextToken").is_none());

    h.call("DeleteLogGroup", json!({"logGroupName": "/app/one"})).await;
    let e = h.fail("DeleteLogGroup", json!({"logGroupName": "/app/one"})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("ResourceNotFoundException", "The specified log group does not exist.")
    );
    let out = h.call("DescribeLogGroups", json!({})).await;
    assert_eq!(out["logGroups"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn describe_pages_and_patterns() {
    let h = Harness::new();
    for i in 0..5 {
        h.call("CreateLogGroup", json!({"logGroupName": format!("g{i}-DataLogs")})).await;
    }
    h.call("CreateLogGroup", json!({"logGroupName": "datalogs"})).await;
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let mut input = json!({"limit": 2});
        if let Some(t) = &token {
            input["nextToken"] = json!(t);
        }
        let out = h.call("DescribeLogGroups", input).await;
        for g in out["logGroups"].as_array().cloned().unwrap_or_default() {
            names.push(g["logGroupName"].as_str().unwrap_or_default().to_string());
        }
        match out.get("nextToken").and_then(|t| t.as_str()) {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(names, ["datalogs", "g0-DataLogs", "g1-DataLogs", "g2-DataLogs", "g3-DataLogs", "g4-DataLogs"]);

    let out = h.call("DescribeLogGroups", json!({"logGroupNamePattern": "DataLogs"})).await;
    let groups = out["logGroups"].as_array().cloned().unwrap_or_default();
    assert_eq!(groups.len(), 5, "the pattern is case-sensitive");
    assert!(groups[0].get("storedBytes").is_none(), "pattern results are brief");

    let e = h.fail("DescribeLogGroups", json!({"logGroupNamePattern": "a", "logGroupNamePrefix": "a"})).await;
    assert_eq!(e.message, "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
    let e = h.fail("DescribeLogGroups", json!({"nextToken": "invalid-token"})).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("InvalidParameterException", "The specified nextToken is invalid.")
    );

    let out = h
        .call(
            "DescribeLogGroups",
            json!({"logGroupIdentifiers": ["datalogs", "arn:aws:logs:us-east-1:000000000000:log-group:g1-DataLogs"]}),
        )
        .await;
    assert_eq!(out["logGroups"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn retention_policy() {
    let h = Harness::new();
    h.call("CreateLogGroup", json!({"logGroupName": "g"})).await;
    h.call("PutRetentionPolicy", json!({"logGroupName": "g", "retentionInDays": 7})).await;
    let out = h.call("DescribeLogGroups", json!({})).await;
    assert_eq!(out["logGroups"][0]["retentionInDays"], 7);
    let e = h.fail("PutRetentionPolicy", json!({"logGroupName": "g", "retentionInDays": 2})).await;
    assert_eq!(e.code, "InvalidParameterException");
    assert!(e.message.contains("Member must satisfy enum value set: [1, 3, 5, 7, 14"));
    let e = h.fail("PutRetentionPolicy", json!({"logGroupName": "nope", "retentionInDays": 1})).await;
    assert_eq!(e.message, "The specified log group does not exist.");
    h.call("DeleteRetentionPolicy", json!({"logGroupName": "g"})).await;
    let out = h.call("DescribeLogGroups", json!({})).await;
    assert!(out["logGroups"][0].get("retentionInDays").is_none());
}

#[tokio::test]
async fn tags_by_name_and_arn() {
    let h = Harness::new();
    h.call("CreateLogGroup", json!({"logGroupName": "g", "tags": {"env": "testing1"}})).await;
    let arn = "arn:aws:logs:us-east-1:000000000000:log-group:g";
    h.call("TagResource", json!({"resourceArn": arn, "tags": {"test1": "val1", "test2": "val2"}})).await;
    h.call("TagLogGroup", json!({"logGroupName": "g", "tags": {"test3": "val3"}})).await;
    let by_name = h.call("ListTagsLogGroup", json!({"logGroupName": "g"})).await;
    let by_arn = h.call("ListTagsForResource", json!({"resourceArn": arn})).await;
    assert_eq!(by_name, by_arn);
    assert_eq!(by_name["tags"], json!({"env": "testing1", "test1": "val1", "test2": "val2", "test3": "val3"}));
    h.call("UntagResource", json!({"resourceArn": arn, "tagKeys": ["env", "test1"]})).await;
    h.call("UntagLogGroup", json!({"logGroupName": "g", "tags": ["test3"]})).await;
    let out = h.call("ListTagsForResource", json!({"resourceArn": format!("{arn}:*")})).await;
    assert_eq!(out["tags"], json!({"test2": "val2"}));
    let e = h
        .fail("ListTagsForResource", json!({"resourceArn": "arn:aws:logs:us-east-1:000000000000:log-group:none"}))
        .await;
    assert_eq!(e.code, "ResourceNotFoundException");
    let e = h.fail("TagLogGroup", json!({"logGroupName": "none", "tags": {"a": "b"}})).await;
    assert_eq!(e.message, "The specified log group does not exist.");
    let many: serde_json::Map<String, serde_json::Value> = (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    let e = h.fail("TagLogGroup", json!({"logGroupName": "g", "tags": many})).await;
    assert_eq!(e.code, "TooManyTagsException");
}

#[tokio::test]
async fn state_persists_in_the_store() {
    let store = stratus_store::Store::in_memory().unwrap_or_else(|e| panic!("{e}"));
    let first = Harness { logs: crate::Logs::new(store.clone()) };
    first.call("CreateLogGroup", json!({"logGroupName": "kept"})).await;
    let second = Harness { logs: crate::Logs::new(store) };
    let out = second.call("DescribeLogGroups", json!({})).await;
    assert_eq!(out["logGroups"][0]["logGroupName"], "kept");
}
