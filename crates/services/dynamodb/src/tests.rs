//! Service-level tests without HTTP: durability across a reopen of the
//! store, the TTL reaper, and AWS's validation texts for paths the SDK
//! tests do not reach.

use serde_json::{Value, json};
use stratus_core::{AwsError, RequestContext, Service, Settings};
use stratus_store::Store;

use crate::DynamoDb;

pub(crate) async fn call(d: &DynamoDb, op: &'static str, input: Value) -> Result<Value, AwsError> {
    d.call(&RequestContext::internal("dynamodb", op), input).await
}

pub(crate) async fn ok(d: &DynamoDb, op: &'static str, input: Value) -> Value {
    match call(d, op, input).await {
        Ok(v) => v,
        Err(e) => panic!("{op} failed: {e}"),
    }
}

pub(crate) async fn msg(d: &DynamoDb, op: &'static str, input: Value) -> String {
    match call(d, op, input).await {
        Ok(v) => panic!("{op} should fail, got {v}"),
        Err(e) => e.message,
    }
}

pub(crate) async fn create(d: &DynamoDb, name: &str, range: bool) {
    let mut input = json!({
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    });
    if range {
        input["AttributeDefinitions"] =
            json!([{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]);
        input["KeySchema"] =
            json!([{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]);
    }
    ok(d, "CreateTable", input).await;
}

pub(crate) fn mem() -> DynamoDb {
    DynamoDb::new(Store::in_memory().expect("store"), &Settings::default())
}

#[tokio::test]
async fn survives_reopen() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let d = DynamoDb::new(Store::open(dir.path()).expect("open"), &Settings::default());
        create(&d, "tbl", true).await;
        ok(
            &d,
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "kept"}}}),
        )
        .await;
    }
    let d = DynamoDb::new(Store::open(dir.path()).expect("reopen"), &Settings::default());
    let got = ok(&d, "GetItem", json!({"TableName": "tbl", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}})).await;
    assert_eq!(got["Item"]["v"], json!({"S": "kept"}));
}

#[tokio::test]
async fn ttl_reaper_deletes_expired_items_only() {
    let d = mem();
    create(&d, "tbl", false).await;
    ok(
        &d,
        "UpdateTimeToLive",
        json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
    )
    .await;
    let future = (stratus_core::clock::now_epoch() as i64 + 3600).to_string();
    ok(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": "old"}, "exp": {"N": "1000"}}})).await;
    ok(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": "new"}, "exp": {"N": future}}})).await;
    ok(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": "none"}, "exp": {"S": "not a number"}}})).await;
    assert_eq!(d.sweep_ttl().await, 1);
    let scan = ok(&d, "Scan", json!({"TableName": "tbl"})).await;
    assert_eq!(scan["Count"], json!(2));
    let t = ok(&d, "DescribeTable", json!({"TableName": "tbl"})).await;
    assert_eq!(t["Table"]["ItemCount"], json!(2));
    assert!(t["Table"]["TableSizeBytes"].as_u64().is_some_and(|b| b > 0));
    let msg = msg(
        &d,
        "UpdateTimeToLive",
        json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
    )
    .await;
    assert_eq!(msg, "TimeToLive is already enabled");
}

#[tokio::test]
async fn create_table_validation_texts() {
    let d = mem();
    let base = |attrs: Value, keys: Value| json!({"TableName": "xyz", "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": attrs, "KeySchema": keys});
    assert_eq!(
        msg(
            &d,
            "CreateTable",
            base(
                json!([{"AttributeName": "a", "AttributeType": "S"}]),
                json!([{"AttributeName": "b", "KeyType": "HASH"}])
            )
        )
        .await,
        "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [b], AttributeDefinitions: [a]"
    );
    assert_eq!(
        msg(
            &d,
            "CreateTable",
            base(
                json!([{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]),
                json!([{"AttributeName": "a", "KeyType": "HASH"}])
            )
        )
        .await,
        "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
    );
    assert_eq!(
        msg(
            &d,
            "CreateTable",
            base(
                json!([{"AttributeName": "a", "AttributeType": "S"}]),
                json!([{"AttributeName": "a", "KeyType": "RANGE"}])
            )
        )
        .await,
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    );
    let mut prov =
        base(json!([{"AttributeName": "a", "AttributeType": "S"}]), json!([{"AttributeName": "a", "KeyType": "HASH"}]));
    prov["BillingMode"] = json!("PROVISIONED");
    assert_eq!(
        msg(&d, "CreateTable", prov).await,
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
    );
    assert_eq!(
        msg(&d, "DeleteTable", json!({"TableName": "nope"})).await,
        "Requested resource not found: Table: nope not found"
    );
}

#[tokio::test]
async fn item_validation_texts() {
    let d = mem();
    create(&d, "tbl", true).await;
    let put = |item: Value| json!({"TableName": "tbl", "Item": item});
    assert_eq!(
        msg(&d, "PutItem", put(json!({"pk": {"S": "a"}, "sk": {"N": "1"}, "s": {"SS": []}}))).await,
        "One or more parameter values were invalid: An string set  may not be empty"
    );
    assert_eq!(
        msg(&d, "PutItem", put(json!({"pk": {"S": "a"}, "sk": {"N": "1"}, "s": {"SS": ["x", "x"]}}))).await,
        "Input collection contains duplicates"
    );
    assert_eq!(
        msg(&d, "PutItem", put(json!({"pk": {"S": "a"}, "sk": {"N": "abc"}}))).await,
        "The parameter cannot be converted to a numeric value: abc"
    );
    assert_eq!(
        msg(&d, "PutItem", put(json!({"pk": {"S": "a"}, "sk": {"N": "1E-131"}}))).await,
        "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    );
    assert_eq!(
        msg(&d, "PutItem", put(json!({"pk": {"S": "x".repeat(2049)}, "sk": {"N": "1"}}))).await,
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
    );
    assert_eq!(
        msg(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ExpressionAttributeNames": {"#a": "a"}})).await,
        "ExpressionAttributeNames can only be specified when using expressions"
    );
    assert_eq!(
        msg(
            &d,
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ReturnValues": "ALL_NEW"})
        )
        .await,
        "Return values set to invalid value"
    );
    assert_eq!(
        msg(&d, "Query", json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p AND sk <> :s", "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "1"}}})).await,
        "Unsupported operator on KeyCondition: <>"
    );
    assert_eq!(
        msg(&d, "Query", json!({"TableName": "tbl"})).await,
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    );
    assert_eq!(
        msg(&d, "Scan", json!({"TableName": "tbl", "Segment": 3, "TotalSegments": 2})).await,
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 2"
    );
    assert_eq!(
        msg(&d, "Query", json!({"TableName": "tbl", "IndexName": "nope", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}})).await,
        "The table does not have the specified index: nope"
    );
    assert_eq!(
        msg(&d, "UpdateItem", json!({"TableName": "tbl", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}})).await,
        "The provided expression refers to an attribute that does not exist in the item"
    );
    let keys: Vec<Value> = (0..101).map(|i| json!({"pk": {"S": format!("k{i}")}, "sk": {"N": "1"}})).collect();
    assert_eq!(
        msg(&d, "BatchGetItem", json!({"RequestItems": {"tbl": {"Keys": keys}}})).await,
        "Too many items requested for the BatchGetItem call"
    );
    let dup = json!({"pk": {"S": "a"}, "sk": {"N": "1"}});
    assert_eq!(
        msg(&d, "BatchGetItem", json!({"RequestItems": {"tbl": {"Keys": [dup.clone(), dup]}}})).await,
        "Provided list of item keys contains duplicates"
    );
}

#[tokio::test]
async fn legacy_parameters_work() {
    let d = mem();
    create(&d, "tbl", true).await;
    for i in 0..5 {
        ok(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "sk": {"N": i.to_string()}, "v": {"N": (i * 10).to_string()}}})).await;
    }
    let q = ok(
        &d,
        "Query",
        json!({"TableName": "tbl",
            "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}, "sk": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "2"}]}},
            "QueryFilter": {"v": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "40"}]}}}),
    )
    .await;
    assert_eq!((q["Count"].clone(), q["ScannedCount"].clone()), (json!(2), json!(3)));
    let m = msg(
        &d,
        "PutItem",
        json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "Expected": {"v": {"Exists": false}}}),
    )
    .await;
    assert_eq!(m, "The conditional request failed");
    ok(
        &d,
        "UpdateItem",
        json!({"TableName": "tbl", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "AttributeUpdates": {"v": {"Action": "ADD", "Value": {"N": "5"}}, "w": {"Action": "PUT", "Value": {"S": "x"}}}}),
    )
    .await;
    let got = ok(
        &d,
        "GetItem",
        json!({"TableName": "tbl", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "AttributesToGet": ["v", "w"]}),
    )
    .await;
    assert_eq!(got["Item"], json!({"v": {"N": "15"}, "w": {"S": "x"}}));
}

#[tokio::test]
async fn one_megabyte_pages() {
    let d = mem();
    create(&d, "tbl", true).await;
    let big = "x".repeat(300 * 1024);
    for i in 0..5 {
        ok(
            &d,
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "sk": {"N": i.to_string()}, "b": {"S": big}}}),
        )
        .await;
    }
    let q = ok(
        &d,
        "Query",
        json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}),
    )
    .await;
    assert_eq!(q["Count"], json!(4));
    assert_eq!(q["LastEvaluatedKey"], json!({"pk": {"S": "a"}, "sk": {"N": "3"}}));
}

#[tokio::test]
async fn gsi_created_later_is_backfilled() {
    let d = mem();
    create(&d, "tbl", false).await;
    ok(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "g": {"S": "x"}}})).await;
    let up = ok(
        &d,
        "UpdateTable",
        json!({"TableName": "tbl", "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}],
            "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}),
    )
    .await;
    assert_eq!(up["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"], json!("CREATING"));
    let q = ok(&d, "Query", json!({"TableName": "tbl", "IndexName": "gix", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "x"}}})).await;
    assert_eq!(q["Count"], json!(1));
    let t = ok(&d, "DescribeTable", json!({"TableName": "tbl"})).await;
    assert_eq!(t["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"], json!(1));
    assert_eq!(t["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"], json!("ACTIVE"));
    ok(
        &d,
        "UpdateTable",
        json!({"TableName": "tbl", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "gix"}}]}),
    )
    .await;
    let m = msg(&d, "Query", json!({"TableName": "tbl", "IndexName": "gix", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "x"}}})).await;
    assert_eq!(m, "The table does not have the specified index: gix");
}

#[tokio::test]
async fn ttl_deletions_reach_the_stream_as_the_service() {
    let store = Store::in_memory().expect("store");
    let d = DynamoDb::new(store.clone(), &Settings::default());
    let s = crate::DynamoDbStreams::new(store);
    let create = json!({
        "TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"},
    });
    let t = ok(&d, "CreateTable", create).await;
    let arn = t["TableDescription"]["LatestStreamArn"].as_str().expect("arn").to_string();
    ok(
        &d,
        "UpdateTimeToLive",
        json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
    )
    .await;
    ok(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "exp": {"N": "5"}}})).await;
    assert_eq!(d.sweep_ttl().await, 1);
    let sc = |op: &'static str| RequestContext::internal("dynamodbstreams", op);
    let desc = s.call(&sc("DescribeStream"), json!({"StreamArn": arn})).await.expect("describe");
    let shard = desc["StreamDescription"]["Shards"][0]["ShardId"].as_str().expect("shard").to_string();
    let it = s
        .call(&sc("GetShardIterator"), json!({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}))
        .await
        .expect("iterator");
    let recs = s.call(&sc("GetRecords"), json!({"ShardIterator": it["ShardIterator"]})).await.expect("records");
    let recs = recs["Records"].as_array().expect("records");
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["eventName"], json!("INSERT"));
    assert_eq!(recs[1]["eventName"], json!("REMOVE"));
    assert_eq!(recs[1]["userIdentity"], json!({"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}));
    assert!(recs[1]["dynamodb"].get("OldImage").is_none());
    assert_eq!(recs[1]["dynamodb"]["Keys"], json!({"pk": {"S": "a"}}));
    let bad = s.call(&sc("GetRecords"), json!({"ShardIterator": "garbage"})).await.expect_err("bad iterator");
    assert_eq!(bad.code, "ValidationException");
}

#[tokio::test]
async fn provisioned_tables_throttle_after_their_burst_and_on_demand_never() {
    let settings = Settings { enforce_capacity: true, ..Settings::default() };
    let d = DynamoDb::new(Store::in_memory().expect("store"), &settings);
    ok(
        &d,
        "CreateTable",
        json!({"TableName": "prov", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
    )
    .await;
    create(&d, "ondemand", false).await;
    let mut throttled_at = None;
    for i in 0..400 {
        let r = call(&d, "PutItem", json!({"TableName": "prov", "Item": {"pk": {"S": format!("k{i}")}}})).await;
        if let Err(e) = r {
            assert_eq!(e.code, "ProvisionedThroughputExceededException");
            throttled_at = Some(i);
            break;
        }
    }
    let at = throttled_at.expect("throttled");
    assert!((300..=310).contains(&at), "throttled after {at} writes");
    // Reads have their own bucket; the response does not grow a ConsumedCapacity nobody asked for.
    let got = ok(&d, "GetItem", json!({"TableName": "prov", "Key": {"pk": {"S": "k1"}}})).await;
    assert!(got.get("ConsumedCapacity").is_none());
    for i in 0..400 {
        ok(&d, "PutItem", json!({"TableName": "ondemand", "Item": {"pk": {"S": format!("k{i}")}}})).await;
    }
    // A GSI with less write capacity than its table throttles the table's writes.
    ok(
        &d,
        "CreateTable",
        json!({"TableName": "provg",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 100, "WriteCapacityUnits": 100},
            "GlobalSecondaryIndexes": [{"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}),
    )
    .await;
    let mut throttled_at = None;
    for i in 0..400 {
        let r = call(&d, "PutItem", json!({"TableName": "provg", "Item": {"pk": {"S": format!("k{i}")}, "g": {"S": "x"}}, "ReturnConsumedCapacity": "TOTAL"})).await;
        match r {
            Ok(v) => assert!(v["ConsumedCapacity"].get("Table").is_none()),
            Err(e) => {
                assert_eq!(e.code, "ProvisionedThroughputExceededException");
                throttled_at = Some(i);
                break;
            }
        }
    }
    assert!(throttled_at.is_some_and(|at| (300..=310).contains(&at)), "{throttled_at:?}");
}

/// Every remaining ValidationException path, with AWS's message.
#[tokio::test]
async fn more_validation_texts() {
    let d = mem();
    create(&d, "tbl", true).await;
    ok(
        &d,
        "CreateTable",
        json!({"TableName": "gsi", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{"IndexName": "keys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}]}),
    )
    .await;
    let key = json!({"pk": {"S": "a"}, "sk": {"N": "1"}});
    let upd = |expr: &str, values: Value| json!({"TableName": "tbl", "Key": key.clone(), "UpdateExpression": expr, "ExpressionAttributeValues": values});
    let cases: Vec<(&'static str, Value, &str)> = vec![
        (
            "PutItem",
            json!({"TableName": "tbl", "Item": key.clone(), "ConditionExpression": "a = :a", "ExpressionAttributeValues": {}}),
            "ExpressionAttributeValues must not be empty",
        ),
        (
            "PutItem",
            json!({"TableName": "tbl", "Item": key.clone(), "ConditionExpression": "a = :a", "ExpressionAttributeValues": {"a": {"S": "x"}}}),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"a\"",
        ),
        (
            "PutItem",
            json!({"TableName": "tbl", "Item": key.clone(), "ConditionExpression": "attribute_exists(a)", "ExpressionAttributeNames": {"#x": "x"}}),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}",
        ),
        (
            "PutItem",
            json!({"TableName": "tbl", "Item": key.clone(), "ExpressionAttributeValues": {":x": {"S": "x"}}}),
            "ExpressionAttributeValues can only be specified when using expressions",
        ),
        (
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"NULL": false}}}),
            "One or more parameter values were invalid: Null attribute value types must have the value of true",
        ),
        (
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {}}}),
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "a", "N": "1"}}}),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ),
        (
            "UpdateItem",
            upd("SET a = list_append(:s, :s)", json!({":s": {"S": "x"}})),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S",
        ),
        (
            "UpdateItem",
            upd("SET a = :s + :s", json!({":s": {"S": "x"}})),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S",
        ),
        (
            "UpdateItem",
            upd("ADD a :s", json!({":s": {"S": "x"}})),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
        ),
        (
            "UpdateItem",
            upd("DELETE a :s", json!({":s": {"N": "1"}})),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER",
        ),
        (
            "UpdateItem",
            upd("SET a = size(b), c = :s", json!({":s": {"S": "x"}})),
            "Invalid UpdateExpression: The function is not allowed in an update expression; function: size",
        ),
        (
            "Query",
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p AND sk BETWEEN :b AND :a", "ExpressionAttributeValues": {":p": {"S": "a"}, ":a": {"N": "1"}, ":b": {"N": "5"}}}),
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}",
        ),
        (
            "Query",
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"N": "1"}}}),
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ),
        (
            "Query",
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)", "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "1"}}}),
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
        ),
        (
            "Query",
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "Select": "SPECIFIC_ATTRIBUTES"}),
            "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression or AttributesToGet",
        ),
        (
            "Query",
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "Select": "COUNT", "ProjectionExpression": "a"}),
            "One or more parameter values were invalid: Can not use both Select and ProjectionExpression/AttributesToGet unless Select is SPECIFIC_ATTRIBUTES",
        ),
        (
            "Query",
            json!({"TableName": "gsi", "IndexName": "keys", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "a"}}, "ConsistentRead": true}),
            "Consistent reads are not supported on global secondary indexes",
        ),
        (
            "Query",
            json!({"TableName": "gsi", "IndexName": "keys", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "a"}}, "Select": "ALL_ATTRIBUTES"}),
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index keys because its projection type is not ALL",
        ),
        (
            "PutItem",
            json!({"TableName": "gsi", "Item": {"pk": {"S": "a"}, "g": {"N": "1"}}}),
            "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: keys",
        ),
        (
            "TransactWriteItems",
            json!({"TransactItems": [{"ConditionCheck": {"TableName": "tbl", "Key": key.clone()}}]}),
            "The ConditionCheck request must contain a ConditionExpression",
        ),
        (
            "UpdateTimeToLive",
            json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": false, "AttributeName": "exp"}}),
            "TimeToLive is already disabled",
        ),
        (
            "TagResource",
            json!({"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:nope", "Tags": [{"Key": "a", "Value": "b"}]}),
            "Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:us-east-1:000000000000:nope",
        ),
        (
            "Scan",
            json!({"TableName": "tbl", "Segment": 1}),
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
        ),
        (
            "Query",
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {"pk": {"S": "a"}}}),
            "The provided starting key is invalid: The provided key element does not match the schema",
        ),
        (
            "CreateTable",
            json!({"TableName": "badlsi", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "LocalSecondaryIndexes": [{"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}),
            "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
        ),
        (
            "CreateTable",
            json!({"TableName": "ppr", "BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        ),
        (
            "CreateTable",
            json!({"TableName": "same", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "pk", "KeyType": "RANGE"}]}),
            "Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
    ];
    for (op, input, want) in cases {
        assert_eq!(msg(&d, op, input.clone()).await, want, "{op} {input}");
    }
    // Nesting deeper than 32 levels.
    let mut v = json!({"S": "x"});
    for _ in 0..40 {
        v = json!({"L": [v]});
    }
    assert_eq!(
        msg(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "deep": v}})).await,
        "Nesting Levels have exceeded supported limits"
    );
}

#[tokio::test]
async fn item_collection_metrics_on_lsi_tables() {
    let d = mem();
    ok(
        &d,
        "CreateTable",
        json!({"TableName": "lsit", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "LocalSecondaryIndexes": [{"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}]}),
    )
    .await;
    let out = ok(
        &d,
        "PutItem",
        json!({"TableName": "lsit", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}, "l": {"S": "x"}, "big": {"S": "y"}}, "ReturnItemCollectionMetrics": "SIZE"}),
    )
    .await;
    assert_eq!(out["ItemCollectionMetrics"]["ItemCollectionKey"], json!({"pk": {"S": "a"}}));
    // Querying the LSI for all attributes fetches the rest from the table.
    let q = ok(
        &d,
        "Query",
        json!({"TableName": "lsit", "IndexName": "lsi", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "Select": "ALL_ATTRIBUTES"}),
    )
    .await;
    assert_eq!(q["Items"][0]["big"], json!({"S": "y"}));
    let q = ok(&d, "Query", json!({"TableName": "lsit", "IndexName": "lsi", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}})).await;
    assert!(q["Items"][0].get("big").is_none());
}

#[tokio::test]
async fn consumed_capacity_counts_indexes() {
    let d = mem();
    ok(
        &d,
        "CreateTable",
        json!({"TableName": "cap", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}),
    )
    .await;
    let big = "x".repeat(1500);
    let out = ok(
        &d,
        "PutItem",
        json!({"TableName": "cap", "Item": {"pk": {"S": "a"}, "g": {"S": "x"}, "b": {"S": big}}, "ReturnConsumedCapacity": "INDEXES"}),
    )
    .await;
    let c = &out["ConsumedCapacity"];
    assert_eq!(c["CapacityUnits"], json!(4.0));
    assert_eq!(c["Table"]["CapacityUnits"], json!(2.0));
    assert_eq!(c["GlobalSecondaryIndexes"]["gix"]["CapacityUnits"], json!(2.0));
    // A 1.5 KB item read eventually consistently costs half a unit.
    let got =
        ok(&d, "GetItem", json!({"TableName": "cap", "Key": {"pk": {"S": "a"}}, "ReturnConsumedCapacity": "TOTAL"}))
            .await;
    assert_eq!(got["ConsumedCapacity"]["CapacityUnits"], json!(0.5));
    let q = ok(
        &d,
        "Query",
        json!({"TableName": "cap", "IndexName": "gix", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "x"}}, "ReturnConsumedCapacity": "INDEXES"}),
    )
    .await;
    assert_eq!(q["ConsumedCapacity"]["GlobalSecondaryIndexes"]["gix"]["CapacityUnits"], json!(0.5));
}

#[tokio::test]
async fn update_table_settings_and_deletion_protection() {
    let d = mem();
    ok(
        &d,
        "CreateTable",
        json!({"TableName": "upd", "DeletionProtectionEnabled": true, "TableClass": "STANDARD",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
    )
    .await;
    assert_eq!(
        msg(&d, "DeleteTable", json!({"TableName": "upd"})).await,
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."
    );
    let out = ok(
        &d,
        "UpdateTable",
        json!({"TableName": "upd", "DeletionProtectionEnabled": false, "TableClass": "STANDARD_INFREQUENT_ACCESS",
            "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}),
    )
    .await;
    let t = &out["TableDescription"];
    assert_eq!(t["TableStatus"], json!("UPDATING"));
    assert_eq!(t["ProvisionedThroughput"]["ReadCapacityUnits"], json!(7));
    assert_eq!(t["TableClassSummary"]["TableClass"], json!("STANDARD_INFREQUENT_ACCESS"));
    assert_eq!(t["StreamSpecification"]["StreamViewType"], json!("NEW_IMAGE"));
    assert!(t["LatestStreamArn"].as_str().is_some_and(|a| a.contains("/stream/")));
    assert_eq!(
        msg(
            &d,
            "UpdateTable",
            json!({"TableName": "upd", "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}})
        )
        .await,
        "Table already has an enabled stream: TableName: upd"
    );
    ok(&d, "UpdateTable", json!({"TableName": "upd", "StreamSpecification": {"StreamEnabled": false}})).await;
    let t = ok(&d, "DescribeTable", json!({"TableName": "upd"})).await;
    assert!(t["Table"].get("StreamSpecification").is_none());
    let del = ok(&d, "DeleteTable", json!({"TableName": "upd"})).await;
    assert_eq!(del["TableDescription"]["TableStatus"], json!("DELETING"));
}

#[tokio::test]
async fn batch_get_returns_unprocessed_keys_past_16_mb() {
    let d = mem();
    create(&d, "big", false).await;
    let blob = "x".repeat(390 * 1024);
    for i in 0..50 {
        ok(&d, "PutItem", json!({"TableName": "big", "Item": {"pk": {"S": format!("k{i}")}, "b": {"S": blob}}})).await;
    }
    let keys: Vec<Value> = (0..50).map(|i| json!({"pk": {"S": format!("k{i}")}})).collect();
    let out = ok(&d, "BatchGetItem", json!({"RequestItems": {"big": {"Keys": keys, "ConsistentRead": true}}})).await;
    let got = out["Responses"]["big"].as_array().map(Vec::len).unwrap_or(0);
    let left = out["UnprocessedKeys"]["big"]["Keys"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(got + left, 50);
    assert!((40..50).contains(&got), "{got}");
    assert_eq!(out["UnprocessedKeys"]["big"]["ConsistentRead"], json!(true));
}

/// Random, mostly-wrong requests to every operation: each gets an answer
/// (usually an error), never a panic.
#[tokio::test]
async fn random_requests_never_panic() {
    use rand::Rng;
    let d = mem();
    create(&d, "fuz", true).await;
    let ops: &[&'static str] = &[
        "PutItem",
        "GetItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
        "CreateTable",
        "UpdateTable",
        "DescribeTable",
        "ExecuteStatement",
        "BatchExecuteStatement",
        "ExecuteTransaction",
        "UpdateTimeToLive",
        "TagResource",
    ];
    let values = [
        json!({"S": "a"}),
        json!({"N": "1"}),
        json!({"N": "x"}),
        json!({"B": "AA=="}),
        json!({"B": "!!"}),
        json!({"SS": []}),
        json!({"L": [{"M": {}}]}),
        json!({"NULL": true}),
        json!({}),
        json!(null),
        json!(5),
        json!("s"),
        json!([]),
    ];
    let strings =
        ["pk = :v", "SET a = :v", "#n", ":v", "fuz", "", "a.b[1]", "SELECT * FROM fuz", "((", "ADD x :v", "pk"];
    let members = [
        "TableName",
        "Item",
        "Key",
        "UpdateExpression",
        "ConditionExpression",
        "KeyConditionExpression",
        "FilterExpression",
        "ProjectionExpression",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "RequestItems",
        "TransactItems",
        "Statement",
        "Parameters",
        "ExclusiveStartKey",
        "Limit",
        "Select",
        "IndexName",
        "Segment",
        "TotalSegments",
        "KeySchema",
        "AttributeDefinitions",
        "Expected",
        "AttributeUpdates",
        "KeyConditions",
        "ReturnValues",
    ];
    let mut rng = rand::rng();
    for _ in 0..3000 {
        let mut input = serde_json::Map::new();
        input.insert("TableName".into(), json!("fuz"));
        for _ in 0..rng.random_range(0..6) {
            let m = members[rng.random_range(0..members.len())];
            let v = match rng.random_range(0..5) {
                0 => values[rng.random_range(0..values.len())].clone(),
                1 => json!(strings[rng.random_range(0..strings.len())]),
                2 => {
                    json!({"pk": values[rng.random_range(0..values.len())].clone(), "sk": values[rng.random_range(0..values.len())].clone()})
                }
                3 => {
                    json!({":v": values[rng.random_range(0..values.len())].clone(), "#n": "a", "fuz": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]})
                }
                _ => {
                    json!([{"Put": {"TableName": "fuz", "Item": {"pk": {"S": "a"}, "sk": values[rng.random_range(0..values.len())].clone()}}}, {"Statement": strings[rng.random_range(0..strings.len())]}])
                }
            };
            input.insert(m.into(), v);
        }
        let op = ops[rng.random_range(0..ops.len())];
        let _ = call(&d, op, Value::Object(input)).await;
    }
}

/// A GSI created while clients keep writing ends up matching the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gsi_created_under_concurrent_writes_matches_the_table() {
    let d = std::sync::Arc::new(mem());
    create(&d, "live", false).await;
    for i in 0..600 {
        ok(
            &d,
            "PutItem",
            json!({"TableName": "live", "Item": {"pk": {"S": format!("k{i}")}, "g": {"S": format!("g{}", i % 7)}}}),
        )
        .await;
    }
    let mut writers = Vec::new();
    for w in 0..4 {
        let d = d.clone();
        writers.push(tokio::spawn(async move {
            for j in 0..150 {
                let i = (w * 150 + j) % 600;
                let g = format!("g{}", (i + j) % 5);
                let _ = call(
                    &d,
                    "PutItem",
                    json!({"TableName": "live", "Item": {"pk": {"S": format!("k{i}")}, "g": {"S": g}}}),
                )
                .await;
            }
        }));
    }
    ok(
        &d,
        "UpdateTable",
        json!({"TableName": "live", "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}],
            "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}),
    )
    .await;
    for w in writers {
        w.await.expect("writer");
    }
    let scan = ok(&d, "Scan", json!({"TableName": "live"})).await;
    let items = scan["Items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 600);
    let mut indexed = 0;
    for g in 0..7 {
        let q = ok(
            &d,
            "Query",
            json!({"TableName": "live", "IndexName": "byg", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": format!("g{g}")}}}),
        )
        .await;
        for it in q["Items"].as_array().cloned().unwrap_or_default() {
            let table_item = items.iter().find(|t| t["pk"] == it["pk"]).expect("item in table");
            assert_eq!(table_item["g"], it["g"], "stale index entry {it}");
            indexed += 1;
        }
    }
    assert_eq!(indexed, 600);
    let t = ok(&d, "DescribeTable", json!({"TableName": "live"})).await;
    assert_eq!(t["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"], json!(600));
    assert_eq!(t["Table"]["ItemCount"], json!(600));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn colliding_transactions_conflict_and_never_lose_an_update() {
    let d = std::sync::Arc::new(mem());
    create(&d, "txn", false).await;
    ok(&d, "PutItem", json!({"TableName": "txn", "Item": {"pk": {"S": "a"}, "n": {"N": "0"}}})).await;
    let add_one = || {
        json!({"TransactItems": [
            {"Update": {"TableName": "txn", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": "txn", "Item": {"pk": {"S": "b"}}}},
        ]})
    };
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let d = d.clone();
        let input = add_one();
        tasks.push(tokio::spawn(async move { call(&d, "TransactWriteItems", input).await }));
    }
    let (mut done, mut conflicts) = (0, 0);
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => done += 1,
            Err(e) => {
                assert_eq!(e.code, "TransactionCanceledException", "{e}");
                let reasons = e.fields.get("CancellationReasons").cloned().unwrap_or_default();
                assert!(reasons.to_string().contains("TransactionConflict"), "{reasons}");
                conflicts += 1;
            }
        }
    }
    assert_eq!(done + conflicts, 32);
    let item = ok(&d, "GetItem", json!({"TableName": "txn", "Key": {"pk": {"S": "a"}}})).await;
    assert_eq!(item["Item"]["n"]["N"], done.to_string());

    // A write to an item a transaction holds fails while it is held.
    let _held = hold(&d, "txn", json!({"pk": {"S": "c"}}));
    let err = call(&d, "PutItem", json!({"TableName": "txn", "Item": {"pk": {"S": "c"}}})).await.expect_err("held");
    assert_eq!(
        (err.code.as_str(), err.message.as_str()),
        ("TransactionConflictException", "Transaction is ongoing for the item.")
    );
}

/// Holds an item of the default account as a running transaction would.
fn hold(d: &DynamoDb, table: &str, key: Value) -> crate::locks::Held {
    let ctx = RequestContext::internal("dynamodb", "PutItem");
    let scope = crate::db::Scope::new(&d.store, &d.shared, &ctx);
    let meta = scope.meta(table).expect("meta");
    let key = crate::types::item_from_json(&key).expect("key");
    d.shared.locks.acquire(&[crate::ops::common::item_id(&scope, &meta, &key)]).expect("free")
}

#[tokio::test]
async fn transactions_over_four_megabytes_are_refused() {
    let d = mem();
    create(&d, "big", false).await;
    let blob = "x".repeat(390 * 1024);
    let items: Vec<Value> = (0..11)
        .map(|i| json!({"Put": {"TableName": "big", "Item": {"pk": {"S": format!("k{i}")}, "v": {"S": blob}}}}))
        .collect();
    let m = msg(&d, "TransactWriteItems", json!({"TransactItems": items})).await;
    assert_eq!(m, "Transaction request cannot be larger than 4 MB");
}

// ---- Capacity accounting, throttling and transaction isolation ----------

/// A table with a sort key, a KEYS_ONLY GSI keyed (g, r) and an ALL LSI
/// keyed (pk, l). Item sizes below count names and values: pk="a", sk="1"
/// are 3 bytes each, and `b` is 1 + its length.
async fn cap_table(d: &DynamoDb, name: &str, throughput: Option<(i64, i64)>) {
    let mut input = json!({"TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "r", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [{"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        "LocalSecondaryIndexes": [{"IndexName": "lix", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]});
    if let Some((r, w)) = throughput {
        input["BillingMode"] = json!("PROVISIONED");
        input["ProvisionedThroughput"] = json!({"ReadCapacityUnits": r, "WriteCapacityUnits": w});
        input["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] =
            json!({"ReadCapacityUnits": 1000, "WriteCapacityUnits": 1000});
    }
    ok(d, "CreateTable", input).await;
}

fn xs(n: usize) -> Value {
    json!({"S": "x".repeat(n)})
}

fn s(v: &str) -> Value {
    json!({"S": v})
}

/// Single-item writes: CapacityUnits only (no WriteCapacityUnits), the
/// table charged per started KB of the larger image, each index its entry;
/// a GSI sort-key change is a delete plus a put; LSI writes are charged.
#[tokio::test]
async fn single_item_capacity_at_the_kilobyte_boundary() {
    let d = mem();
    cap_table(&d, "caps", None).await;
    let put = |item: Value| json!({"TableName": "caps", "Item": item, "ReturnConsumedCapacity": "INDEXES"});
    // 3 + 3 + 1018 = 1024 bytes: one unit.
    let out = ok(&d, "PutItem", put(json!({"pk": s("a"), "sk": s("1"), "b": xs(1017)}))).await;
    assert_eq!(
        out["ConsumedCapacity"],
        json!({"TableName": "caps", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}})
    );
    // 1025 bytes: two.
    let out = ok(&d, "PutItem", put(json!({"pk": s("a"), "sk": s("1"), "b": xs(1018)}))).await;
    assert_eq!(
        out["ConsumedCapacity"],
        json!({"TableName": "caps", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}})
    );
    // 3+3+2+3+2+1012 = 1025 bytes; the GSI entry (pk, sk, g, r) 11 bytes; the LSI holds it all.
    let indexed = json!({"pk": s("a"), "sk": s("2"), "g": s("G"), "r": s("R1"), "l": s("L"), "b": xs(1011)});
    let out = ok(&d, "PutItem", put(indexed)).await;
    assert_eq!(
        out["ConsumedCapacity"],
        json!({"TableName": "caps", "CapacityUnits": 5.0, "Table": {"CapacityUnits": 2.0},
            "GlobalSecondaryIndexes": {"gix": {"CapacityUnits": 1.0}}, "LocalSecondaryIndexes": {"lix": {"CapacityUnits": 2.0}}})
    );
    let update = |expr: &str| json!({"TableName": "caps", "Key": {"pk": s("a"), "sk": s("2")}, "UpdateExpression": expr, "ReturnConsumedCapacity": "INDEXES"});
    // Changing the GSI's sort key moves the entry: 1 + 1 on the index.
    let out = ok(&d, "UpdateItem", update("SET r = :v").pipe_values(json!({":v": s("R2")}))).await;
    assert_eq!(out["ConsumedCapacity"]["GlobalSecondaryIndexes"], json!({"gix": {"CapacityUnits": 2.0}}));
    assert_eq!(out["ConsumedCapacity"]["CapacityUnits"], json!(6.0));
    // An attribute the KEYS_ONLY GSI does not hold costs it nothing.
    let out = ok(&d, "UpdateItem", update("SET z = :v").pipe_values(json!({":v": s("q")}))).await;
    assert_eq!(
        out["ConsumedCapacity"],
        json!({"TableName": "caps", "CapacityUnits": 4.0, "Table": {"CapacityUnits": 2.0}, "LocalSecondaryIndexes": {"lix": {"CapacityUnits": 2.0}}})
    );
    let out = ok(
        &d,
        "DeleteItem",
        json!({"TableName": "caps", "Key": {"pk": s("a"), "sk": s("2")}, "ReturnConsumedCapacity": "TOTAL"}),
    )
    .await;
    assert_eq!(out["ConsumedCapacity"], json!({"TableName": "caps", "CapacityUnits": 5.0}));
    // Reads: 4096 bytes is one unit (half eventually consistent), 4097 two.
    for (n, eventual, strong) in [(4089, 0.5, 1.0), (4090, 1.0, 2.0)] {
        ok(&d, "PutItem", json!({"TableName": "caps", "Item": {"pk": s("c"), "sk": s("1"), "b": xs(n)}})).await;
        for (consistent, units) in [(false, eventual), (true, strong)] {
            let got = ok(
                &d,
                "GetItem",
                json!({"TableName": "caps", "Key": {"pk": s("c"), "sk": s("1")}, "ConsistentRead": consistent, "ReturnConsumedCapacity": "TOTAL"}),
            )
            .await;
            assert_eq!(
                got["ConsumedCapacity"],
                json!({"TableName": "caps", "CapacityUnits": units}),
                "{n} {consistent}"
            );
        }
    }
    // A Query of the LSI is charged to the LSI (and counts toward the table).
    let q = ok(
        &d,
        "Query",
        json!({"TableName": "caps", "IndexName": "lix", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": s("c")}, "ReturnConsumedCapacity": "INDEXES"}),
    )
    .await;
    assert_eq!(
        q["ConsumedCapacity"],
        json!({"TableName": "caps", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0}, "LocalSecondaryIndexes": {"lix": {"CapacityUnits": 0.5}}})
    );
}

trait PipeValues {
    fn pipe_values(self, values: Value) -> Value;
}

impl PipeValues for Value {
    fn pipe_values(mut self, values: Value) -> Value {
        self["ExpressionAttributeValues"] = values;
        self
    }
}

/// Transactions cost twice on the table (not on indexes) and name their
/// units as read or write units; batches and PartiQL charge what the item
/// operations they stand for charge, indexes included.
#[tokio::test]
async fn transactions_batches_and_partiql_report_consumed_capacity() {
    let d = mem();
    cap_table(&d, "twt", None).await;
    ok(&d, "PutItem", json!({"TableName": "twt", "Item": {"pk": s("c"), "sk": s("1"), "b": xs(1018)}})).await;
    let out = ok(
        &d,
        "TransactWriteItems",
        json!({"ReturnConsumedCapacity": "INDEXES", "ReturnItemCollectionMetrics": "SIZE", "TransactItems": [
            {"Put": {"TableName": "twt", "Item": {"pk": s("t"), "sk": s("1"), "b": xs(1017)}}},
            {"Put": {"TableName": "twt", "Item": {"pk": s("t"), "sk": s("2"), "g": s("G"), "r": s("R1"), "l": s("L"), "b": xs(1011)}}},
            {"ConditionCheck": {"TableName": "twt", "Key": {"pk": s("c"), "sk": s("1")}, "ConditionExpression": "attribute_exists(pk)"}},
        ]}),
    )
    .await;
    // Table: 2×1 + 2×2 + 2×2 (the check, on the 1025-byte item it read); GSI 1, LSI 2.
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "twt", "CapacityUnits": 13.0, "WriteCapacityUnits": 13.0,
            "Table": {"CapacityUnits": 10.0, "WriteCapacityUnits": 10.0},
            "GlobalSecondaryIndexes": {"gix": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}},
            "LocalSecondaryIndexes": {"lix": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}}}])
    );
    assert_eq!(
        out["ItemCollectionMetrics"],
        json!({"twt": [{"ItemCollectionKey": {"pk": s("t")}, "SizeEstimateRangeGB": [0.0, 1.0]}]})
    );
    // Two per strongly consistent read, also for a missing item.
    let out = ok(
        &d,
        "TransactGetItems",
        json!({"ReturnConsumedCapacity": "TOTAL", "TransactItems": [
            {"Get": {"TableName": "twt", "Key": {"pk": s("t"), "sk": s("1")}}},
            {"Get": {"TableName": "twt", "Key": {"pk": s("t"), "sk": s("2")}}},
            {"Get": {"TableName": "twt", "Key": {"pk": s("nope"), "sk": s("1")}}},
        ]}),
    )
    .await;
    assert_eq!(out["ConsumedCapacity"], json!([{"TableName": "twt", "CapacityUnits": 6.0, "ReadCapacityUnits": 6.0}]));
    // A replay of the same token is charged as a transactional read.
    let txn = json!({"ClientRequestToken": "tok-1", "ReturnConsumedCapacity": "TOTAL", "TransactItems": [
        {"Put": {"TableName": "twt", "Item": {"pk": s("r"), "sk": s("1"), "b": xs(1018)}}}]});
    let first = ok(&d, "TransactWriteItems", txn.clone()).await;
    assert_eq!(
        first["ConsumedCapacity"],
        json!([{"TableName": "twt", "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}])
    );
    let replay = ok(&d, "TransactWriteItems", txn).await;
    assert_eq!(
        replay["ConsumedCapacity"],
        json!([{"TableName": "twt", "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}])
    );
    // BatchWriteItem: 1025 bytes with both index entries, plus a 1024-byte delete.
    let out = ok(
        &d,
        "BatchWriteItem",
        json!({"ReturnConsumedCapacity": "INDEXES", "ReturnItemCollectionMetrics": "SIZE", "RequestItems": {"twt": [
            {"PutRequest": {"Item": {"pk": s("b"), "sk": s("1"), "g": s("G"), "r": s("R"), "l": s("L"), "b": xs(1013)}}},
            {"DeleteRequest": {"Key": {"pk": s("t"), "sk": s("1")}}},
        ]}}),
    )
    .await;
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "twt", "CapacityUnits": 6.0, "Table": {"CapacityUnits": 3.0},
            "GlobalSecondaryIndexes": {"gix": {"CapacityUnits": 1.0}}, "LocalSecondaryIndexes": {"lix": {"CapacityUnits": 2.0}}}])
    );
    assert_eq!(
        out["ItemCollectionMetrics"],
        json!({"twt": [{"ItemCollectionKey": {"pk": s("b")}, "SizeEstimateRangeGB": [0.0, 1.0]},
            {"ItemCollectionKey": {"pk": s("t")}, "SizeEstimateRangeGB": [0.0, 1.0]}]})
    );
    let out = ok(
        &d,
        "BatchGetItem",
        json!({"ReturnConsumedCapacity": "INDEXES", "RequestItems": {"twt": {"ConsistentRead": true,
            "Keys": [{"pk": s("b"), "sk": s("1")}, {"pk": s("t"), "sk": s("2")}]}}}),
    )
    .await;
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "twt", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}}])
    );
    // PartiQL.
    let out = ok(
        &d,
        "ExecuteStatement",
        json!({"Statement": "INSERT INTO twt VALUE {'pk': ?, 'sk': ?, 'b': ?}", "Parameters": [s("p"), s("1"), xs(1017)], "ReturnConsumedCapacity": "INDEXES"}),
    )
    .await;
    assert_eq!(
        out["ConsumedCapacity"],
        json!({"TableName": "twt", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}})
    );
    let out = ok(
        &d,
        "ExecuteStatement",
        json!({"Statement": "SELECT * FROM twt WHERE pk = 'c' AND sk = '1'", "ConsistentRead": true, "ReturnConsumedCapacity": "TOTAL"}),
    )
    .await;
    assert_eq!(out["ConsumedCapacity"], json!({"TableName": "twt", "CapacityUnits": 1.0}));
    let out = ok(
        &d,
        "ExecuteTransaction",
        json!({"ReturnConsumedCapacity": "TOTAL", "TransactStatements": [{"Statement": "UPDATE twt SET z = 'q' WHERE pk = 'c' AND sk = '1'"}]}),
    )
    .await;
    assert_eq!(out["ConsumedCapacity"], json!([{"TableName": "twt", "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}]));
    let out = ok(
        &d,
        "ExecuteTransaction",
        json!({"ReturnConsumedCapacity": "TOTAL", "TransactStatements": [{"Statement": "SELECT * FROM twt WHERE pk = 'c' AND sk = '1'"}]}),
    )
    .await;
    assert_eq!(out["ConsumedCapacity"], json!([{"TableName": "twt", "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}]));
    let out = ok(
        &d,
        "BatchExecuteStatement",
        json!({"ReturnConsumedCapacity": "TOTAL", "Statements": [{"Statement": "SELECT * FROM twt WHERE pk = 'c' AND sk = '1'"}]}),
    )
    .await;
    assert_eq!(out["ConsumedCapacity"], json!([{"TableName": "twt", "CapacityUnits": 0.5}]));
    // Without ReturnConsumedCapacity there is none.
    let out = ok(
        &d,
        "TransactGetItems",
        json!({"TransactItems": [{"Get": {"TableName": "twt", "Key": {"pk": s("c"), "sk": s("1")}}}]}),
    )
    .await;
    assert!(out.get("ConsumedCapacity").is_none());
}

const TABLE_EXCEEDED: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";

fn enforcing() -> DynamoDb {
    let settings = Settings { enforce_capacity: true, ..Settings::default() };
    DynamoDb::new(Store::in_memory().expect("store"), &settings)
}

/// One write of about `kb` KB to `table` (a hash-key-only table).
fn big_put(table: &str, pk: &str, kb: usize) -> Value {
    json!({"TableName": table, "Item": {"pk": s(pk), "b": xs(kb * 1024)}})
}

async fn provisioned(d: &DynamoDb, name: &str, rcu: i64, wcu: i64) {
    ok(
        d,
        "CreateTable",
        json!({"TableName": name, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}}),
    )
    .await;
}

async fn assert_write_throttled(d: &DynamoDb, table: &str) {
    let e = call(d, "PutItem", json!({"TableName": table, "Item": {"pk": s("after")}})).await.expect_err("throttled");
    assert_eq!((e.code.as_str(), e.message.as_str()), ("ProvisionedThroughputExceededException", TABLE_EXCEEDED));
}

/// Batches, transactions and PartiQL spend the same buckets as item
/// operations, and are refused item by item once a bucket is empty.
#[tokio::test]
async fn batches_transactions_and_partiql_spend_and_respect_the_buckets() {
    let d = enforcing();
    create(&d, "odt", false).await;
    // Each spends a 300-unit burst with one call, after which writes are refused.
    for t in ["pbt", "ptxt", "ppqt", "ptt"] {
        provisioned(&d, t, 1, 1).await;
    }
    ok(&d, "BatchWriteItem", json!({"RequestItems": {"pbt": [{"PutRequest": big_put("pbt", "k", 301)}]}})).await;
    assert_write_throttled(&d, "pbt").await;
    ok(&d, "TransactWriteItems", json!({"TransactItems": [{"Put": big_put("ptxt", "k", 151)}]})).await;
    assert_write_throttled(&d, "ptxt").await;
    ok(
        &d,
        "ExecuteStatement",
        json!({"Statement": "INSERT INTO ppqt VALUE {'pk': ?, 'b': ?}", "Parameters": [s("k"), xs(301 * 1024)]}),
    )
    .await;
    assert_write_throttled(&d, "ppqt").await;
    ok(&d, "PutItem", big_put("ptt", "k", 301)).await;
    assert_write_throttled(&d, "ptt").await;
    // A batch returns the throttled table's requests unprocessed...
    let pt_reqs = json!([{"PutRequest": {"Item": {"pk": s("x")}}}, {"DeleteRequest": {"Key": {"pk": s("k")}}}]);
    let out = ok(
        &d,
        "BatchWriteItem",
        json!({"RequestItems": {"ptt": pt_reqs, "odt": [{"PutRequest": {"Item": {"pk": s("x")}}}]}}),
    )
    .await;
    assert_eq!(out["UnprocessedItems"], json!({"ptt": pt_reqs}));
    assert!(ok(&d, "GetItem", json!({"TableName": "odt", "Key": {"pk": s("x")}})).await.get("Item").is_some());
    // ...and fails when nothing could be processed.
    let e = call(&d, "BatchWriteItem", json!({"RequestItems": {"ptt": pt_reqs}})).await.expect_err("throttled");
    assert_eq!((e.code.as_str(), e.message.as_str()), ("ProvisionedThroughputExceededException", TABLE_EXCEEDED));
    // A transaction is cancelled, naming the throttled item; nothing is written.
    let e = call(
        &d,
        "TransactWriteItems",
        json!({"TransactItems": [{"Put": {"TableName": "odt", "Item": {"pk": s("y")}}}, {"Put": {"TableName": "ptt", "Item": {"pk": s("y")}}}]}),
    )
    .await
    .expect_err("cancelled");
    assert_eq!(e.code, "TransactionCanceledException");
    assert_eq!(
        e.message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ProvisionedThroughputExceeded]"
    );
    assert_eq!(
        e.fields.get("CancellationReasons").cloned(),
        Some(json!([{"Code": "None"}, {"Code": "ProvisionedThroughputExceeded", "Message": TABLE_EXCEEDED}]))
    );
    assert!(ok(&d, "GetItem", json!({"TableName": "odt", "Key": {"pk": s("y")}})).await.get("Item").is_none());
    // PartiQL statements throttle like the item operations.
    let e = call(&d, "ExecuteStatement", json!({"Statement": "INSERT INTO ptt VALUE {'pk': 'z'}"}))
        .await
        .expect_err("throttled");
    assert_eq!(e.code, "ProvisionedThroughputExceededException");
    let out =
        ok(&d, "BatchExecuteStatement", json!({"Statements": [{"Statement": "INSERT INTO ptt VALUE {'pk': 'z'}"}]}))
            .await;
    assert_eq!(
        out["Responses"][0]["Error"],
        json!({"Code": "ProvisionedThroughputExceeded", "Message": TABLE_EXCEEDED})
    );
    let e = call(
        &d,
        "ExecuteTransaction",
        json!({"TransactStatements": [{"Statement": "INSERT INTO ptt VALUE {'pk': 'z'}"}]}),
    )
    .await
    .expect_err("cancelled");
    assert_eq!(e.code, "TransactionCanceledException");
    // Reads have their own bucket: still open, until spent.
    provisioned(&d, "prt", 1, 1000).await;
    for i in 0..4 {
        ok(&d, "PutItem", big_put("prt", &format!("k{i}"), 390)).await;
    }
    for i in 0..4 {
        ok(&d, "GetItem", json!({"TableName": "prt", "Key": {"pk": s(&format!("k{i}"))}, "ConsistentRead": true}))
            .await;
    }
    let out = ok(
        &d,
        "BatchGetItem",
        json!({"RequestItems": {"prt": {"Keys": [{"pk": s("k0")}], "ProjectionExpression": "pk"}, "odt": {"Keys": [{"pk": s("x")}]}}}),
    )
    .await;
    assert_eq!(out["UnprocessedKeys"], json!({"prt": {"Keys": [{"pk": s("k0")}], "ProjectionExpression": "pk"}}));
    assert_eq!(out["Responses"]["odt"], json!([{"pk": s("x")}]));
    let e =
        call(&d, "TransactGetItems", json!({"TransactItems": [{"Get": {"TableName": "prt", "Key": {"pk": s("k0")}}}]}))
            .await
            .expect_err("cancelled");
    assert_eq!(
        e.fields.get("CancellationReasons").cloned(),
        Some(json!([{"Code": "ProvisionedThroughputExceeded", "Message": TABLE_EXCEEDED}]))
    );
    let e = call(&d, "ExecuteStatement", json!({"Statement": "SELECT * FROM prt WHERE pk = 'k0'"}))
        .await
        .expect_err("throttled");
    assert_eq!(e.code, "ProvisionedThroughputExceededException");
    // A caller that did not ask for ConsumedCapacity gets none.
    assert!(out.get("ConsumedCapacity").is_none());
}

/// Transaction locks are per account and region; PartiQL writes respect them.
#[tokio::test]
async fn transaction_locks_are_per_account_and_bind_partiql_writes() {
    let d = mem();
    create(&d, "lkt", false).await;
    let other = |op: &'static str| {
        let mut ctx = RequestContext::internal("dynamodb", op);
        ctx.account_id = "222222222222".into();
        ctx
    };
    d.call(
        &other("CreateTable"),
        json!({"TableName": "lkt", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
    )
    .await
    .expect("create in the other account");
    ok(&d, "PutItem", json!({"TableName": "lkt", "Item": {"pk": s("a")}})).await;
    let _held = hold(&d, "lkt", json!({"pk": s("a")}));
    // The same table and key in another account is another item.
    d.call(&other("PutItem"), json!({"TableName": "lkt", "Item": {"pk": s("a")}})).await.expect("not held there");
    d.call(
        &other("TransactWriteItems"),
        json!({"TransactItems": [{"Put": {"TableName": "lkt", "Item": {"pk": s("a"), "v": s("1")}}}]}),
    )
    .await
    .expect("no conflict across accounts");
    // PartiQL writes to the held item conflict as PutItem does.
    for st in ["UPDATE lkt SET v = 'x' WHERE pk = 'a'", "DELETE FROM lkt WHERE pk = 'a'"] {
        let e = call(&d, "ExecuteStatement", json!({"Statement": st})).await.expect_err("held");
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("TransactionConflictException", "Transaction is ongoing for the item."),
            "{st}"
        );
    }
    let out = ok(
        &d,
        "BatchExecuteStatement",
        json!({"Statements": [{"Statement": "UPDATE lkt SET v = 'x' WHERE pk = 'a'"}]}),
    )
    .await;
    assert_eq!(
        out["Responses"][0]["Error"],
        json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item."})
    );
}

#[tokio::test]
async fn client_request_tokens_expire_after_ten_minutes() {
    let store = Store::in_memory().expect("store");
    let d = DynamoDb::new(store.clone(), &Settings::default());
    create(&d, "tok", false).await;
    let put = |v: &str| {
        json!({"ClientRequestToken": "t-1", "TransactItems": [
            {"Put": {"TableName": "tok", "Item": {"pk": s("k"), "v": s(v)}}}]})
    };
    ok(&d, "TransactWriteItems", put("one")).await;
    // Within the 10 minutes the same token with other parameters is refused.
    assert_eq!(
        msg(&d, "TransactWriteItems", put("two")).await,
        "Request token parameters do not match the original request"
    );
    // Once the token's 10 minutes are over (its record aged here), it names
    // a new request.
    let mut aged = stratus_store::WriteBatch::new();
    for (k, v) in store.scan_prefix(b"", false, None).expect("scan") {
        if String::from_utf8_lossy(&k).ends_with("tok/t-1") {
            let mut rec: Value = serde_json::from_slice(&v).expect("token record");
            rec["expires"] = json!(stratus_core::clock::now_epoch() - 1.0);
            aged.put(k, serde_json::to_vec(&rec).expect("json"));
        }
    }
    assert!(!aged.is_empty(), "the token is stored");
    store.write(aged).await.expect("write");
    ok(&d, "TransactWriteItems", put("two")).await;
    let got = ok(&d, "GetItem", json!({"TableName": "tok", "Key": {"pk": s("k")}})).await;
    assert_eq!(got["Item"]["v"], s("two"));
}
