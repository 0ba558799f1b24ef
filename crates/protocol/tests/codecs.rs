//! Codec tests against the generated models: decoding each protocol's wire
//! form, validation messages, and the error shapes each protocol writes.

use bytes::Bytes;
use serde_json::json;
use stratus_core::AwsError;
use stratus_protocol::model::Protocol;
use stratus_protocol::{HttpRequest, decode, encode, model, router};

fn request(method: &str, path_and_query: &str, headers: &[(&str, &str)], body: &str) -> HttpRequest {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut map = http::HeaderMap::new();
    for (k, v) in headers {
        map.insert(http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
    }
    HttpRequest {
        method: method.parse().unwrap(),
        path: path.to_string(),
        query: query.to_string(),
        headers: map,
        body: Bytes::from(body.to_string()),
    }
}

#[test]
fn query_decodes_nested_lists_and_maps() {
    let req = request(
        "POST",
        "/",
        &[("content-type", "application/x-www-form-urlencoded")],
        "Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.2.Key=k2&Tags.member.2.Value=v2&MaxSessionDuration=3600",
    );
    let (m, wire) = router::route(&req, None).expect("routed");
    assert_eq!(m.name, "iam");
    assert_eq!(wire, Protocol::Query);
    let d = decode::decode(m, wire, &req).expect("decodes");
    assert_eq!(d.operation.name, "CreateRole");
    assert_eq!(
        d.input,
        json!({"RoleName": "r", "AssumeRolePolicyDocument": "{}", "MaxSessionDuration": 3600,
               "Tags": [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}]})
    );
}

#[test]
fn query_decodes_maps() {
    let req = request(
        "POST",
        "/",
        &[("content-type", "application/x-www-form-urlencoded")],
        "Action=CreateTopic&Version=2010-03-31&Name=t&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Hi",
    );
    let (m, wire) = router::route(&req, None).expect("routed");
    assert_eq!((m.name, wire), ("sns", Protocol::Query));
    let d = decode::decode(m, wire, &req).expect("decodes");
    assert_eq!(d.input, json!({"Name": "t", "Attributes": {"DisplayName": "Hi"}}));
}

#[test]
fn json_validation_message_is_awss() {
    let req = request(
        "POST",
        "/",
        &[("x-amz-target", "DynamoDB_20120810.DeleteBackup"), ("content-type", "application/x-amz-json-1.0")],
        r#"{"BackupArn":"ab"}"#,
    );
    let (m, wire) = router::route(&req, None).expect("routed");
    let err = decode::decode(m, wire, &req).expect_err("invalid");
    assert_eq!(err.code, "ValidationException");
    assert_eq!(
        err.message,
        "1 validation error detected: Value 'ab' at 'backupArn' failed to satisfy constraint: Member must have length greater than or equal to 37"
    );
}

#[test]
fn json_type_mismatch_is_serialization_exception() {
    let req = request(
        "POST",
        "/",
        &[("x-amz-target", "DynamoDB_20120810.DescribeTable"), ("content-type", "application/x-amz-json-1.0")],
        r#"{"TableName":5}"#,
    );
    let (m, wire) = router::route(&req, None).expect("routed");
    let err = decode::decode(m, wire, &req).expect_err("invalid");
    assert_eq!(err.code, "SerializationException");
}

#[test]
fn rest_json_labels_query_and_headers() {
    let req = request(
        "POST",
        "/2015-03-31/functions/my-fn/invocations?Qualifier=prod",
        &[("x-amz-invocation-type", "Event"), ("x-amz-log-type", "Tail")],
        r#"{"hello":"world"}"#,
    );
    let (m, wire) = router::route(&req, None).expect("routed");
    assert_eq!((m.name, wire), ("lambda", Protocol::RestJson));
    let d = decode::decode(m, wire, &req).expect("decodes");
    assert_eq!(d.operation.name, "Invoke");
    assert_eq!(d.input["FunctionName"], "my-fn");
    assert_eq!(d.input["Qualifier"], "prod");
    assert_eq!(d.input["InvocationType"], "Event");
    assert_eq!(d.input["LogType"], "Tail");
    assert!(d.input["Payload"].is_string());
}

#[test]
fn rest_xml_payload_structure() {
    let req = request(
        "PUT",
        "/bucket?tagging",
        &[],
        "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>",
    );
    let (m, wire) = router::route(&req, None).expect("routed");
    assert_eq!(m.name, "s3");
    let d = decode::decode(m, wire, &req).expect("decodes");
    assert_eq!(d.operation.name, "PutBucketTagging");
    assert_eq!(d.input["Bucket"], "bucket");
    assert_eq!(d.input["Tagging"], json!({"TagSet": [{"Key": "a", "Value": "1"}]}));
}

#[test]
fn query_output_and_error_shapes() {
    let m = model("sts").expect("sts");
    let op = m.operation("GetCallerIdentity").expect("op");
    let out = json!({"UserId": "1", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"});
    let resp = encode::output(m, Protocol::Query, op, &out, "req-1");
    let body = String::from_utf8(resp.body.to_vec()).unwrap();
    assert!(body.starts_with("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><UserId>1</UserId>"));
    assert!(
        body.ends_with("<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>")
    );

    let err = AwsError::new(403, "AccessDenied", "no <way>");
    let resp = encode::error(Some(m), Protocol::Query, &err, "req-2");
    let body = String::from_utf8(resp.body.to_vec()).unwrap();
    assert_eq!(resp.status, 403);
    assert!(body.contains("<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no &lt;way&gt;</Message></Error><RequestId>req-2</RequestId>"));
}

#[test]
fn json_errors_carry_type_and_query_compat_header() {
    let m = model("sqs").expect("sqs");
    let err = AwsError::bad_request("QueueDoesNotExist", "The specified queue does not exist.");
    let resp = encode::error(Some(m), Protocol::AwsJson10, &err, "r");
    let body: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    assert_eq!(body["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
    let header = resp.headers.iter().find(|(k, _)| k == "x-amzn-query-error").map(|(_, v)| v.as_str());
    assert_eq!(header, Some("AWS.SimpleQueueService.NonExistentQueue;Sender"));
}

#[test]
fn routes_by_target_scope_and_path() {
    let logs = request("POST", "/", &[("x-amz-target", "Logs_20140328.CreateLogGroup")], "{}");
    assert_eq!(router::route(&logs, None).map(|(m, _)| m.name), Some("logs"));
    let signed = request("POST", "/", &[], "Action=GetCallerIdentity&Version=2011-06-15");
    assert_eq!(router::route(&signed, Some("sts")).map(|(m, _)| m.name), Some("sts"));
    let v2 = request("GET", "/v2/apis", &[], "");
    assert_eq!(router::route(&v2, None).map(|(m, _)| m.name), Some("apigatewayv2"));
    let fallback = request("GET", "/my-bucket/key.txt", &[], "");
    assert_eq!(router::route(&fallback, None).map(|(m, _)| m.name), Some("s3"));
}

#[test]
fn s3_virtual_host_names_the_bucket() {
    let bucket = |host: &str| {
        let req = request("GET", "/key", &[("host", host)], "");
        router::s3_virtual_host_bucket(&req).map(str::to_string)
    };
    assert_eq!(bucket("photos.s3.localhost.localstack.cloud:4566").as_deref(), Some("photos"));
    assert_eq!(bucket("my.photos.s3.us-east-1.amazonaws.com").as_deref(), Some("my.photos"));
    assert_eq!(bucket("photos.localhost:4566").as_deref(), Some("photos"));
    assert_eq!(bucket("s3.localhost"), None);
    assert_eq!(bucket("s3.us-east-1.amazonaws.com"), None);
    assert_eq!(bucket("127.0.0.1:4566"), None);
    assert_eq!(bucket("localhost:4566"), None);
}

#[test]
fn streaming_payloads_are_found_from_the_model() {
    let s3 = model("s3").expect("s3 model");
    let op = |name: &str| s3.operation(name).expect("operation");
    assert_eq!(stratus_protocol::rest::streaming_payload(s3, op("PutObject").input), Some("Body"));
    assert_eq!(stratus_protocol::rest::streaming_payload(s3, op("UploadPart").input), Some("Body"));
    assert_eq!(stratus_protocol::rest::streaming_payload(s3, op("GetObject").output), Some("Body"));
    assert_eq!(stratus_protocol::rest::streaming_payload(s3, op("PutBucketTagging").input), None);
    assert_eq!(stratus_protocol::rest::streaming_payload(s3, op("HeadObject").output), None);
}
