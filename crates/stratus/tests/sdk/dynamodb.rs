//! DynamoDB through the AWS SDK for Rust against an in-process server:
//! tables, items, expressions, queries and scans on tables and indexes,
//! batches, transactions, TTL settings, tags, AWS's error codes and texts,
//! concurrency (conditional increments and transactions from many clients)
//! and persistence across a restart.

use crate::common;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, DeleteRequest, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, KeysAndAttributes, LocalSecondaryIndex, Projection, ProjectionType, Put, PutRequest,
    ReturnValue, ReturnValuesOnConditionCheckFailure, ScalarAttributeType, Select, Tag, TimeToLiveSpecification,
    TransactGetItem, TransactWriteItem, Update, WriteRequest,
};

pub(crate) fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// Code and message of a failed call.
pub(crate) fn error_of<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, E>,
) -> (String, String) {
    let e = r.expect_err("call should fail");
    (e.code().unwrap_or_default().to_string(), e.message().unwrap_or_default().to_string())
}

async fn client(server: &stratus::server::Server) -> Client {
    Client::new(&common::sdk_config(server).await)
}

pub(crate) fn attr(name: &str, ty: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition::builder().attribute_name(name).attribute_type(ty).build().expect("attr")
}

pub(crate) fn key(name: &str, kt: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder().attribute_name(name).key_type(kt).build().expect("key")
}

/// A PAY_PER_REQUEST table with `pk` (S) and, if given, sort key `sk` of type `sk`.
async fn table(c: &Client, name: &str, sk: Option<ScalarAttributeType>) {
    let mut b = c
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash));
    if let Some(t) = sk {
        b = b.attribute_definitions(attr("sk", t)).key_schema(key("sk", KeyType::Range));
    }
    b.send().await.expect("create table");
}

#[tokio::test]
async fn table_lifecycle_and_describe_shape() {
    let server = common::server().await;
    let c = client(&server).await;
    let out = c
        .create_table()
        .table_name("orders")
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .attribute_definitions(attr("sk", ScalarAttributeType::N))
        .attribute_definitions(attr("g", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .provisioned_throughput(
            aws_sdk_dynamodb::types::ProvisionedThroughput::builder()
                .read_capacity_units(5)
                .write_capacity_units(5)
                .build()
                .expect("pt"),
        )
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by-g")
                .key_schema(key("g", KeyType::Hash))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .provisioned_throughput(
                    aws_sdk_dynamodb::types::ProvisionedThroughput::builder()
                        .read_capacity_units(1)
                        .write_capacity_units(1)
                        .build()
                        .expect("pt"),
                )
                .build()
                .expect("gsi"),
        )
        .tags(Tag::builder().key("env").value("test").build().expect("tag"))
        .send()
        .await
        .expect("create");
    let d = out.table_description().expect("description");
    assert_eq!(d.table_status().map(|s| s.as_str()), Some("CREATING"));
    assert_eq!(d.table_arn(), Some("arn:aws:dynamodb:us-east-1:000000000000:table/orders"));

    // The SDK waiter sees it ACTIVE straight away.
    c.wait_until_table_exists().table_name("orders").wait(std::time::Duration::from_secs(10)).await.expect("waiter");
    let t = c.describe_table().table_name("orders").send().await.expect("describe");
    let t = t.table().expect("table");
    assert_eq!(t.table_status().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(t.key_schema().len(), 2);
    assert_eq!(t.global_secondary_indexes().len(), 1);
    assert_eq!(t.provisioned_throughput().and_then(|p| p.read_capacity_units()), Some(5));

    let (code, msg) = error_of(
        c.create_table()
            .table_name("orders")
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr("pk", ScalarAttributeType::S))
            .key_schema(key("pk", KeyType::Hash))
            .send()
            .await,
    );
    assert_eq!((code.as_str(), msg.as_str()), ("ResourceInUseException", "Table already exists: orders"));

    let arn = t.table_arn().expect("arn").to_string();
    c.tag_resource()
        .resource_arn(&arn)
        .tags(Tag::builder().key("team").value("a").build().expect("tag"))
        .send()
        .await
        .expect("tag");
    c.untag_resource().resource_arn(&arn).tag_keys("env").send().await.expect("untag");
    let tags = c.list_tags_of_resource().resource_arn(&arn).send().await.expect("tags");
    assert_eq!(tags.tags().iter().map(|t| t.key()).collect::<Vec<_>>(), vec!["team"]);

    table(&c, "second", None).await;
    let l = c.list_tables().limit(1).send().await.expect("list");
    assert_eq!(l.table_names(), ["orders"]);
    assert_eq!(l.last_evaluated_table_name(), Some("orders"));
    let l = c.list_tables().exclusive_start_table_name("orders").send().await.expect("list");
    assert_eq!(l.table_names(), ["second"]);

    c.update_table()
        .table_name("orders")
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("update billing");
    let d = c.delete_table().table_name("orders").send().await.expect("delete");
    assert_eq!(d.table_description().and_then(|t| t.table_status()).map(|s| s.as_str()), Some("DELETING"));
    let (code, msg) = error_of(c.describe_table().table_name("orders").send().await);
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(msg, "Requested resource not found: Table: orders not found");
    let (code, msg) = error_of(c.get_item().table_name("orders").key("pk", s("a")).send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("ResourceNotFoundException", "Cannot do operations on a non-existent table")
    );

    let limits = c.describe_limits().send().await.expect("limits");
    assert!(limits.table_max_read_capacity_units().unwrap_or(0) > 0);
    let ep = c.describe_endpoints().send().await.expect("endpoints");
    assert_eq!(ep.endpoints().len(), 1);
    server.shutdown().await;
}

#[tokio::test]
async fn items_and_expressions() {
    let server = common::server().await;
    let c = client(&server).await;
    table(&c, "tbl", None).await;

    c.put_item()
        .table_name("tbl")
        .item("pk", s("a"))
        .item("count", n("1"))
        .item("tags", AttributeValue::Ss(vec!["x".into()]))
        .item("doc", AttributeValue::M(HashMap::from([("list".to_string(), AttributeValue::L(vec![n("1")]))])))
        .send()
        .await
        .expect("put");

    // Conditional put fails with AWS's error and can return the old item.
    let (code, msg) = error_of(
        c.put_item()
            .table_name("tbl")
            .item("pk", s("a"))
            .condition_expression("attribute_not_exists(pk)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await,
    );
    assert_eq!((code.as_str(), msg.as_str()), ("ConditionalCheckFailedException", "The conditional request failed"));

    let out = c
        .update_item()
        .table_name("tbl")
        .key("pk", s("a"))
        .update_expression("SET #c = #c + :one, doc.#l = list_append(doc.#l, :more), newattr = if_not_exists(newattr, :zero) ADD tags :y REMOVE nothing")
        .condition_expression("#c = :one")
        .expression_attribute_names("#c", "count")
        .expression_attribute_names("#l", "list")
        .expression_attribute_values(":one", n("1"))
        .expression_attribute_values(":zero", n("0"))
        .expression_attribute_values(":more", AttributeValue::L(vec![n("2")]))
        .expression_attribute_values(":y", AttributeValue::Ss(vec!["y".into()]))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .expect("update");
    let a = out.attributes().expect("attributes");
    assert_eq!(a.get("count"), Some(&n("2")));
    assert_eq!(a.get("newattr"), Some(&n("0")));
    let mut tags = a.get("tags").and_then(|t| t.as_ss().ok()).cloned().unwrap_or_default();
    tags.sort();
    assert_eq!(tags, vec!["x", "y"]);

    let out = c
        .update_item()
        .table_name("tbl")
        .key("pk", s("a"))
        .update_expression("SET #c = :v")
        .expression_attribute_names("#c", "count")
        .expression_attribute_values(":v", n("10"))
        .return_values(ReturnValue::UpdatedOld)
        .send()
        .await
        .expect("update");
    assert_eq!(out.attributes().and_then(|a| a.get("count")), Some(&n("2")));

    let got = c
        .get_item()
        .table_name("tbl")
        .key("pk", s("a"))
        .projection_expression("#c, doc.#l[1]")
        .expression_attribute_names("#c", "count")
        .expression_attribute_names("#l", "list")
        .consistent_read(true)
        .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
        .send()
        .await
        .expect("get");
    let item = got.item().expect("item");
    assert_eq!(item.get("count"), Some(&n("10")));
    assert_eq!(item.len(), 2);
    assert_eq!(got.consumed_capacity().and_then(|c| c.capacity_units()), Some(1.0));

    // Legacy parameters.
    let got = c.get_item().table_name("tbl").key("pk", s("a")).attributes_to_get("count").send().await.expect("get");
    assert_eq!(got.item().map(|i| i.len()), Some(1));

    let del = c
        .delete_item()
        .table_name("tbl")
        .key("pk", s("a"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .expect("delete");
    assert_eq!(del.attributes().and_then(|a| a.get("pk")), Some(&s("a")));
    let got = c.get_item().table_name("tbl").key("pk", s("a")).send().await.expect("get");
    assert!(got.item().is_none());
    server.shutdown().await;
}

#[tokio::test]
async fn validation_messages() {
    let server = common::server().await;
    let c = client(&server).await;
    table(&c, "val", Some(ScalarAttributeType::S)).await;
    let cases: Vec<(String, &str)> = vec![
        (
            error_of(c.put_item().table_name("val").item("pk", s("a")).send().await).1,
            "One or more parameter values were invalid: Missing the key sk in the item",
        ),
        (
            error_of(c.put_item().table_name("val").item("pk", s("a")).item("sk", n("1")).send().await).1,
            "One or more parameter values were invalid: Type mismatch for key sk expected: S actual: N",
        ),
        (
            error_of(c.get_item().table_name("val").key("pk", s("a")).send().await).1,
            "The provided key element does not match the schema",
        ),
        (
            error_of(
                c.put_item()
                    .table_name("val")
                    .item("pk", s("a"))
                    .item("sk", s("b"))
                    .condition_expression("attribute_exists(name)")
                    .send()
                    .await,
            )
            .1,
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
        ),
        (
            error_of(
                c.put_item()
                    .table_name("val")
                    .item("pk", s("a"))
                    .item("sk", s("b"))
                    .condition_expression("attribute_exists(a)")
                    .expression_attribute_values(":x", s("1"))
                    .send()
                    .await,
            )
            .1,
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}",
        ),
        (
            error_of(
                c.update_item()
                    .table_name("val")
                    .key("pk", s("a"))
                    .key("sk", s("b"))
                    .update_expression("SET a = :x,")
                    .expression_attribute_values(":x", s("1"))
                    .send()
                    .await,
            )
            .1,
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \",\"",
        ),
        (
            error_of(
                c.update_item()
                    .table_name("val")
                    .key("pk", s("a"))
                    .key("sk", s("b"))
                    .update_expression("SET pk = :x")
                    .expression_attribute_values(":x", s("1"))
                    .send()
                    .await,
            )
            .1,
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
        ),
        (
            error_of(c.put_item().table_name("val").item("pk", s("")).item("sk", s("b")).send().await).1,
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
        ),
        (
            error_of(
                c.put_item().table_name("val").item("pk", s("a")).item("sk", s("b")).item("x", n("1E126")).send().await,
            )
            .1,
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        (
            error_of(
                c.put_item()
                    .table_name("val")
                    .item("pk", s("a"))
                    .item("sk", s("b"))
                    .item("x", n("1.23456789012345678901234567890123456789"))
                    .send()
                    .await,
            )
            .1,
            "Attempting to store more than 38 significant digits in a Number",
        ),
        (
            error_of(
                c.put_item()
                    .table_name("val")
                    .item("pk", s("a"))
                    .item("sk", s("b"))
                    .item("big", s(&"x".repeat(400 * 1024)))
                    .send()
                    .await,
            )
            .1,
            "Item size has exceeded the maximum allowed size",
        ),
        (
            error_of(
                c.query()
                    .table_name("val")
                    .key_condition_expression("sk = :x")
                    .expression_attribute_values(":x", s("1"))
                    .send()
                    .await,
            )
            .1,
            "Query condition missed key schema element: pk",
        ),
        (
            error_of(
                c.put_item()
                    .table_name("val")
                    .item("pk", s("a"))
                    .item("sk", s("b"))
                    .expected("a", aws_sdk_dynamodb::types::ExpectedAttributeValue::builder().exists(false).build())
                    .condition_expression("attribute_exists(a)")
                    .send()
                    .await,
            )
            .1,
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn query_scan_and_indexes() {
    let server = common::server().await;
    let c = client(&server).await;
    c.create_table()
        .table_name("qry")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .attribute_definitions(attr("sk", ScalarAttributeType::N))
        .attribute_definitions(attr("g", ScalarAttributeType::S))
        .attribute_definitions(attr("l", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("gsi")
                .key_schema(key("g", KeyType::Hash))
                .key_schema(key("sk", KeyType::Range))
                .projection(Projection::builder().projection_type(ProjectionType::KeysOnly).build())
                .build()
                .expect("gsi"),
        )
        .local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name("lsi")
                .key_schema(key("pk", KeyType::Hash))
                .key_schema(key("l", KeyType::Range))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .expect("lsi"),
        )
        .send()
        .await
        .expect("create");
    // Numbers sort numerically, including negatives and decimals.
    let sks = ["-10", "-1.5", "0", "2", "10", "100.25"];
    for (i, v) in sks.iter().enumerate() {
        c.put_item()
            .table_name("qry")
            .item("pk", s("p"))
            .item("sk", n(v))
            .item("g", s(if i % 2 == 0 { "even" } else { "odd" }))
            .item("l", s(&format!("l{}", 9 - i)))
            .item("payload", s("x"))
            .send()
            .await
            .expect("put");
    }
    c.put_item().table_name("qry").item("pk", s("other")).item("sk", n("1")).send().await.expect("put");

    let out = c
        .query()
        .table_name("qry")
        .key_condition_expression("pk = :p AND sk BETWEEN :a AND :b")
        .expression_attribute_values(":p", s("p"))
        .expression_attribute_values(":a", n("-2"))
        .expression_attribute_values(":b", n("10"))
        .send()
        .await
        .expect("query");
    let got: Vec<String> =
        out.items().iter().filter_map(|i| i.get("sk").and_then(|v| v.as_n().ok()).cloned()).collect();
    assert_eq!(got, ["-1.5", "0", "2", "10"]);

    // Reverse, Limit and pagination.
    let mut seen = Vec::new();
    let mut start = None;
    loop {
        let out = c
            .query()
            .table_name("qry")
            .key_condition_expression("pk = :p")
            .expression_attribute_values(":p", s("p"))
            .scan_index_forward(false)
            .limit(4)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("query");
        seen.extend(out.items().iter().filter_map(|i| i.get("sk").and_then(|v| v.as_n().ok()).cloned()));
        start = out.last_evaluated_key().cloned();
        if start.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["100.25", "10", "2", "0", "-1.5", "-10"]);

    // Filter, COUNT.
    let out = c
        .query()
        .table_name("qry")
        .key_condition_expression("pk = :p AND sk > :z")
        .filter_expression("g = :e")
        .expression_attribute_values(":p", s("p"))
        .expression_attribute_values(":z", n("0"))
        .expression_attribute_values(":e", s("even"))
        .select(Select::Count)
        .send()
        .await
        .expect("count");
    assert_eq!((out.count(), out.scanned_count()), (1, 3));
    assert!(out.items().is_empty());

    // GSI with KEYS_ONLY projection.
    let out = c
        .query()
        .table_name("qry")
        .index_name("gsi")
        .key_condition_expression("g = :g")
        .expression_attribute_values(":g", s("odd"))
        .send()
        .await
        .expect("gsi query");
    assert_eq!(out.count(), 3);
    assert!(out.items().iter().all(|i| i.get("payload").is_none() && i.get("pk").is_some()));

    // LSI sorted by its own key.
    let out = c
        .query()
        .table_name("qry")
        .index_name("lsi")
        .key_condition_expression("pk = :p AND begins_with(l, :l)")
        .expression_attribute_values(":p", s("p"))
        .expression_attribute_values(":l", s("l"))
        .limit(2)
        .send()
        .await
        .expect("lsi query");
    let ls: Vec<String> = out.items().iter().filter_map(|i| i.get("l").and_then(|v| v.as_s().ok()).cloned()).collect();
    assert_eq!(ls, ["l4", "l5"]);
    assert!(out.last_evaluated_key().is_some_and(|k| k.contains_key("l") && k.contains_key("sk")));

    // Scan, parallel segments cover everything exactly once.
    let all = c.scan().table_name("qry").send().await.expect("scan");
    assert_eq!(all.count(), 7);
    let mut total = 0;
    for seg in 0..3 {
        total += c.scan().table_name("qry").segment(seg).total_segments(3).send().await.expect("segment").count();
    }
    assert_eq!(total, 7);
    let filtered =
        c.scan().table_name("qry").filter_expression("attribute_not_exists(g)").send().await.expect("scan filter");
    assert_eq!(filtered.count(), 1);

    // Removing the GSI key attribute removes the item from the index.
    c.update_item()
        .table_name("qry")
        .key("pk", s("p"))
        .key("sk", n("2"))
        .update_expression("REMOVE g")
        .send()
        .await
        .expect("remove g");
    let out = c
        .query()
        .table_name("qry")
        .index_name("gsi")
        .key_condition_expression("g = :g")
        .expression_attribute_values(":g", s("odd"))
        .send()
        .await
        .expect("gsi query");
    assert_eq!(out.count(), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn batches_and_transactions() {
    let server = common::server().await;
    let c = client(&server).await;
    table(&c, "bat", None).await;
    let puts: Vec<WriteRequest> = (0..25)
        .map(|i| {
            WriteRequest::builder()
                .put_request(
                    PutRequest::builder()
                        .item("pk", s(&format!("k{i}")))
                        .item("v", n(&i.to_string()))
                        .build()
                        .expect("put"),
                )
                .build()
        })
        .collect();
    let out = c.batch_write_item().request_items("bat", puts).send().await.expect("batch write");
    assert!(out.unprocessed_items().is_none_or(|u| u.is_empty()));
    let too_many: Vec<WriteRequest> = (0..26)
        .map(|i| {
            WriteRequest::builder()
                .delete_request(DeleteRequest::builder().key("pk", s(&format!("k{i}"))).build().expect("del"))
                .build()
        })
        .collect();
    let (code, _) = error_of(c.batch_write_item().request_items("bat", too_many).send().await);
    assert_eq!(code, "ValidationException");

    let keys = KeysAndAttributes::builder()
        .keys(HashMap::from([("pk".to_string(), s("k1"))]))
        .keys(HashMap::from([("pk".to_string(), s("k2"))]))
        .keys(HashMap::from([("pk".to_string(), s("missing"))]))
        .build()
        .expect("keys");
    let got = c.batch_get_item().request_items("bat", keys).send().await.expect("batch get");
    assert_eq!(got.responses().and_then(|r| r.get("bat")).map(|v| v.len()), Some(2));

    // A transaction whose condition fails applies nothing and reports reasons in order.
    let r = c
        .transact_write_items()
        .transact_items(
            TransactWriteItem::builder()
                .put(Put::builder().table_name("bat").item("pk", s("new")).build().expect("put"))
                .build(),
        )
        .transact_items(
            TransactWriteItem::builder()
                .condition_check(
                    ConditionCheck::builder()
                        .table_name("bat")
                        .key("pk", s("k1"))
                        .condition_expression("v = :nine")
                        .expression_attribute_values(":nine", n("9"))
                        .build()
                        .expect("check"),
                )
                .build(),
        )
        .send()
        .await;
    let e = r.expect_err("cancelled");
    let svc = e.into_service_error();
    assert_eq!(svc.code(), Some("TransactionCanceledException"));
    assert_eq!(
        svc.message(),
        Some(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"
        )
    );
    if let aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(t) =
        &svc
    {
        let codes: Vec<&str> = t.cancellation_reasons().iter().filter_map(|r| r.code()).collect();
        assert_eq!(codes, ["None", "ConditionalCheckFailed"]);
    } else {
        panic!("wrong error {svc:?}");
    }
    let got = c.get_item().table_name("bat").key("pk", s("new")).send().await.expect("get");
    assert!(got.item().is_none());

    // A passing transaction applies everything; the same token is idempotent.
    let build = |v: &str| {
        c.transact_write_items()
            .client_request_token("tok-1")
            .transact_items(
                TransactWriteItem::builder()
                    .update(
                        Update::builder()
                            .table_name("bat")
                            .key("pk", s("k1"))
                            .update_expression("SET v = v + :one")
                            .expression_attribute_values(":one", n(v))
                            .build()
                            .expect("update"),
                    )
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .delete(Delete::builder().table_name("bat").key("pk", s("k2")).build().expect("delete"))
                    .build(),
            )
    };
    build("1").send().await.expect("transact");
    build("1").send().await.expect("idempotent retry");
    let (code, _) = error_of(build("2").send().await);
    assert_eq!(code, "IdempotentParameterMismatchException");
    let got = c
        .transact_get_items()
        .transact_items(
            TransactGetItem::builder()
                .get(aws_sdk_dynamodb::types::Get::builder().table_name("bat").key("pk", s("k1")).build().expect("get"))
                .build(),
        )
        .transact_items(
            TransactGetItem::builder()
                .get(aws_sdk_dynamodb::types::Get::builder().table_name("bat").key("pk", s("k2")).build().expect("get"))
                .build(),
        )
        .send()
        .await
        .expect("transact get");
    let r = got.responses();
    assert_eq!(r[0].item().and_then(|i| i.get("v")), Some(&n("2")));
    assert!(r[1].item().is_none());

    let (code, msg) = error_of(
        c.transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .put(Put::builder().table_name("bat").item("pk", s("dup")).build().expect("put"))
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .delete(Delete::builder().table_name("bat").key("pk", s("dup")).build().expect("delete"))
                    .build(),
            )
            .send()
            .await,
    );
    assert_eq!(code, "ValidationException");
    assert_eq!(msg, "Transaction request cannot include multiple operations on one item");

    let (code, msg) = error_of(
        c.transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .put(Put::builder().table_name("nope").item("pk", s("x")).build().expect("put"))
                    .build(),
            )
            .send()
            .await,
    );
    assert_eq!((code.as_str(), msg.as_str()), ("ResourceNotFoundException", "Requested resource not found"));
    server.shutdown().await;
}

#[tokio::test]
async fn ttl_settings() {
    let server = common::server().await;
    let c = client(&server).await;
    table(&c, "ttl", None).await;
    let d = c.describe_time_to_live().table_name("ttl").send().await.expect("describe ttl");
    assert_eq!(
        d.time_to_live_description().and_then(|t| t.time_to_live_status()).map(|s| s.as_str()),
        Some("DISABLED")
    );
    c.update_time_to_live()
        .table_name("ttl")
        .time_to_live_specification(
            TimeToLiveSpecification::builder().enabled(true).attribute_name("exp").build().expect("spec"),
        )
        .send()
        .await
        .expect("update ttl");
    let d = c.describe_time_to_live().table_name("ttl").send().await.expect("describe ttl");
    let t = d.time_to_live_description().expect("ttl");
    assert_eq!(t.time_to_live_status().map(|s| s.as_str()), Some("ENABLED"));
    assert_eq!(t.attribute_name(), Some("exp"));
    // Expired but not yet reaped items are still returned, as on AWS.
    c.put_item().table_name("ttl").item("pk", s("old")).item("exp", n("1")).send().await.expect("put");
    assert!(c.get_item().table_name("ttl").key("pk", s("old")).send().await.expect("get").item().is_some());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_conditional_increments_never_lose_updates() {
    let server = common::server().await;
    let c = client(&server).await;
    table(&c, "ctr", None).await;
    c.put_item().table_name("ctr").item("pk", s("c")).item("v", n("0")).item("u", n("0")).send().await.expect("put");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0;
            while done < 10 {
                // Optimistic read-check-write: read v, write v+1 only if v is unchanged.
                let cur =
                    c.get_item().table_name("ctr").key("pk", s("c")).consistent_read(true).send().await.expect("get");
                let v: i64 = cur
                    .item()
                    .and_then(|i| i.get("v"))
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let r = c
                    .update_item()
                    .table_name("ctr")
                    .key("pk", s("c"))
                    .update_expression("SET v = :new")
                    .condition_expression("v = :old")
                    .expression_attribute_values(":new", n(&(v + 1).to_string()))
                    .expression_attribute_values(":old", n(&v.to_string()))
                    .send()
                    .await;
                match r {
                    Ok(_) => done += 1,
                    Err(e) => assert_eq!(e.code(), Some("ConditionalCheckFailedException")),
                }
            }
            // And the atomic counter form.
            for _ in 0..10 {
                c.update_item()
                    .table_name("ctr")
                    .key("pk", s("c"))
                    .update_expression("ADD u :one")
                    .expression_attribute_values(":one", n("1"))
                    .send()
                    .await
                    .expect("add");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let got = c.get_item().table_name("ctr").key("pk", s("c")).send().await.expect("get");
    let item = got.item().expect("item");
    assert_eq!(item.get("v"), Some(&n("200")));
    assert_eq!(item.get("u"), Some(&n("200")));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transactions_keep_totals() {
    let server = common::server().await;
    let c = client(&server).await;
    table(&c, "bank", None).await;
    for a in ["a", "b", "c", "d"] {
        c.put_item().table_name("bank").item("pk", s(a)).item("bal", n("100")).send().await.expect("put");
    }
    let mut tasks = Vec::new();
    for i in 0..16usize {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let accts = ["a", "b", "c", "d"];
            for j in 0..10usize {
                let from = accts[(i + j) % 4];
                let to = accts[(i + j + 1) % 4];
                let r = c
                    .transact_write_items()
                    .transact_items(
                        TransactWriteItem::builder()
                            .update(
                                Update::builder()
                                    .table_name("bank")
                                    .key("pk", s(from))
                                    .update_expression("SET bal = bal - :x")
                                    .condition_expression("bal >= :x")
                                    .expression_attribute_values(":x", n("7"))
                                    .build()
                                    .expect("update"),
                            )
                            .build(),
                    )
                    .transact_items(
                        TransactWriteItem::builder()
                            .update(
                                Update::builder()
                                    .table_name("bank")
                                    .key("pk", s(to))
                                    .update_expression("SET bal = bal + :x")
                                    .expression_attribute_values(":x", n("7"))
                                    .build()
                                    .expect("update"),
                            )
                            .build(),
                    )
                    .send()
                    .await;
                if let Err(e) = r {
                    assert_eq!(e.code(), Some("TransactionCanceledException"));
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let all = c.scan().table_name("bank").consistent_read(true).send().await.expect("scan");
    let total: i64 = all
        .items()
        .iter()
        .filter_map(|i| i.get("bal").and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<i64>().ok()))
        .inspect(|b| assert!(*b >= 0))
        .sum();
    assert_eq!(total, 400);
    server.shutdown().await;
}

#[tokio::test]
async fn items_and_indexes_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!(
        "stratus-ddb-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
    ));
    let mut args = stratus::config::ServeArgs::ephemeral();
    args.in_memory = false;
    args.data_dir = Some(dir.clone());
    {
        let server = common::server_with(args.clone()).await;
        let c = client(&server).await;
        c.create_table()
            .table_name("kept")
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr("pk", ScalarAttributeType::S))
            .attribute_definitions(attr("g", ScalarAttributeType::S))
            .key_schema(key("pk", KeyType::Hash))
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name("by-g")
                    .key_schema(key("g", KeyType::Hash))
                    .projection(Projection::builder().projection_type(ProjectionType::All).build())
                    .build()
                    .expect("gsi"),
            )
            .send()
            .await
            .expect("create");
        c.put_item().table_name("kept").item("pk", s("a")).item("g", s("x")).send().await.expect("put");
        server.shutdown().await;
    }
    let server = common::server_with(args).await;
    let c = client(&server).await;
    let got = c.get_item().table_name("kept").key("pk", s("a")).send().await.expect("get");
    assert_eq!(got.item().and_then(|i| i.get("g")), Some(&s("x")));
    let q = c
        .query()
        .table_name("kept")
        .index_name("by-g")
        .key_condition_expression("g = :g")
        .expression_attribute_values(":g", s("x"))
        .send()
        .await
        .expect("query");
    assert_eq!(q.count(), 1);
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn streams_record_every_change_in_order() {
    use aws_sdk_dynamodbstreams::types::ShardIteratorType;
    let server = common::server().await;
    let c = client(&server).await;
    let st = aws_sdk_dynamodbstreams::Client::new(&common::sdk_config(&server).await);
    let out = c
        .create_table()
        .table_name("strm")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .stream_specification(
            aws_sdk_dynamodb::types::StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(aws_sdk_dynamodb::types::StreamViewType::NewAndOldImages)
                .build()
                .expect("spec"),
        )
        .send()
        .await
        .expect("create");
    let arn = out.table_description().and_then(|t| t.latest_stream_arn()).expect("stream arn").to_string();
    c.put_item().table_name("strm").item("pk", s("a")).item("v", n("1")).send().await.expect("put");
    c.update_item()
        .table_name("strm")
        .key("pk", s("a"))
        .update_expression("SET v = :v")
        .expression_attribute_values(":v", n("2"))
        .send()
        .await
        .expect("update");
    c.transact_write_items()
        .transact_items(
            TransactWriteItem::builder()
                .delete(Delete::builder().table_name("strm").key("pk", s("a")).build().expect("delete"))
                .build(),
        )
        .send()
        .await
        .expect("transact delete");

    let streams = st.list_streams().table_name("strm").send().await.expect("list streams");
    assert_eq!(streams.streams().first().and_then(|s| s.stream_arn()), Some(arn.as_str()));
    let d = st.describe_stream().stream_arn(&arn).send().await.expect("describe stream");
    let d = d.stream_description().expect("description");
    assert_eq!(d.stream_status().map(|s| s.as_str()), Some("ENABLED"));
    let shard = d.shards().first().and_then(|s| s.shard_id()).expect("shard").to_string();
    let it = st
        .get_shard_iterator()
        .stream_arn(&arn)
        .shard_id(&shard)
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .expect("iterator");
    let recs = st.get_records().shard_iterator(it.shard_iterator().expect("it")).send().await.expect("records");
    let names: Vec<&str> = recs.records().iter().filter_map(|r| r.event_name()).map(|e| e.as_str()).collect();
    assert_eq!(names, ["INSERT", "MODIFY", "REMOVE"]);
    let modify = recs.records()[1].dynamodb().expect("stream record");
    assert!(modify.old_image().is_some_and(|i| i.contains_key("v")));
    assert!(modify.new_image().is_some_and(|i| i.contains_key("v")));
    let next = recs.next_shard_iterator().expect("next").to_string();
    let empty = st.get_records().shard_iterator(&next).send().await.expect("records");
    assert!(empty.records().is_empty());
    c.put_item().table_name("strm").item("pk", s("b")).send().await.expect("put");
    let more =
        st.get_records().shard_iterator(empty.next_shard_iterator().expect("next")).send().await.expect("records");
    assert_eq!(more.records().len(), 1);
    server.shutdown().await;
}

#[tokio::test]
async fn partiql_statements_batches_and_transactions() {
    use aws_sdk_dynamodb::types::{BatchStatementRequest, ParameterizedStatement};
    let server = common::server().await;
    let c = client(&server).await;
    table(&c, "users", Some(ScalarAttributeType::N)).await;
    c.execute_statement()
        .statement("INSERT INTO \"users\" VALUE {'pk': ?, 'sk': 1, 'name': 'Alice', 'tags': <<'a', 'b'>>}")
        .parameters(s("u1"))
        .send()
        .await
        .expect("insert");
    let (code, msg) =
        error_of(c.execute_statement().statement("INSERT INTO users VALUE {'pk': 'u1', 'sk': 1}").send().await);
    assert_eq!((code.as_str(), msg.as_str()), ("DuplicateItemException", "Duplicate primary key exists in table"));
    c.execute_statement()
        .statement("UPDATE users SET age = 30 SET name = 'Alicia' WHERE pk = 'u1' AND sk = 1")
        .send()
        .await
        .expect("update");
    let out = c
        .execute_statement()
        .statement("SELECT name, age FROM users WHERE pk = ? AND age >= 18")
        .parameters(s("u1"))
        .send()
        .await
        .expect("select");
    assert_eq!(out.items().len(), 1);
    assert_eq!(out.items()[0].get("name"), Some(&s("Alicia")));
    assert!(!out.items()[0].contains_key("pk"));
    let (code, _) = error_of(c.execute_statement().statement("SELEC * FROM users").send().await);
    assert_eq!(code, "ValidationException");
    let (code, _) = error_of(c.execute_statement().statement("SELECT * FROM nothere").send().await);
    assert_eq!(code, "ResourceNotFoundException");

    let out = c
        .batch_execute_statement()
        .statements(
            BatchStatementRequest::builder()
                .statement("INSERT INTO users VALUE {'pk': 'u2', 'sk': 1}")
                .build()
                .expect("stmt"),
        )
        .statements(
            BatchStatementRequest::builder()
                .statement("SELECT * FROM users WHERE pk = 'u1' AND sk = 1")
                .build()
                .expect("stmt"),
        )
        .statements(
            BatchStatementRequest::builder()
                .statement("INSERT INTO users VALUE {'pk': 'u1', 'sk': 1}")
                .build()
                .expect("stmt"),
        )
        .send()
        .await
        .expect("batch");
    let r = out.responses();
    assert!(r[0].error().is_none());
    assert!(r[1].item().is_some_and(|i| i.contains_key("name")));
    assert_eq!(r[2].error().and_then(|e| e.code()).map(|c| c.as_str()), Some("DuplicateItem"));

    c.execute_transaction()
        .transact_statements(
            ParameterizedStatement::builder()
                .statement("DELETE FROM users WHERE pk = 'u2' AND sk = 1")
                .build()
                .expect("stmt"),
        )
        .transact_statements(
            ParameterizedStatement::builder()
                .statement("INSERT INTO users VALUE {'pk': 'u3', 'sk': 1}")
                .build()
                .expect("stmt"),
        )
        .send()
        .await
        .expect("transaction");
    let all = c.execute_statement().statement("SELECT pk FROM users").send().await.expect("scan");
    let mut pks: Vec<String> =
        all.items().iter().filter_map(|i| i.get("pk").and_then(|v| v.as_s().ok()).cloned()).collect();
    pks.sort();
    assert_eq!(pks, ["u1", "u3"]);
    // Paging with Limit and NextToken.
    let page = c.execute_statement().statement("SELECT * FROM users").limit(1).send().await.expect("page");
    assert_eq!(page.items().len(), 1);
    let rest = c
        .execute_statement()
        .statement("SELECT * FROM users")
        .next_token(page.next_token().expect("token"))
        .send()
        .await
        .expect("rest");
    assert_eq!(rest.items().len(), 1);
    server.shutdown().await;
}
