//! DynamoDB capacity through the AWS SDK for Rust: ConsumedCapacity of
//! transactions, batches and PartiQL (units at the 1 KB and 4 KB
//! boundaries, per-index breakdowns), ItemCollectionMetrics of batch and
//! transaction writes, and `--enforce-capacity` throttling of batches
//! (UnprocessedItems), transactions (cancellation reasons) and PartiQL.

use crate::common;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConsumedCapacity, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, LocalSecondaryIndex, Projection, ProjectionType, ProvisionedThroughput, Put, PutRequest,
    ReturnConsumedCapacity, ReturnItemCollectionMetrics, ScalarAttributeType, TransactGetItem, TransactWriteItem,
    WriteRequest,
};

const TABLE_EXCEEDED: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn xs(n: usize) -> AttributeValue {
    AttributeValue::S("x".repeat(n))
}

/// A client that does not retry, so throttling answers come straight back.
async fn client(server: &stratus::server::Server) -> Client {
    let config = common::sdk_config(server).await;
    Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&config)
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .build(),
    )
}

fn attr(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build().expect("attr")
}

fn key(name: &str, kt: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder().attribute_name(name).key_type(kt).build().expect("key")
}

/// `pk`/`sk` table with a KEYS_ONLY GSI on `g` and an ALL LSI on (`pk`, `l`).
async fn indexed_table(c: &Client, name: &str) {
    c.create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(["pk", "sk", "g", "l"].map(attr).to_vec()))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("gix")
                .key_schema(key("g", KeyType::Hash))
                .projection(Projection::builder().projection_type(ProjectionType::KeysOnly).build())
                .build()
                .expect("gsi"),
        )
        .local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name("lix")
                .key_schema(key("pk", KeyType::Hash))
                .key_schema(key("l", KeyType::Range))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .expect("lsi"),
        )
        .send()
        .await
        .expect("create");
}

fn units(c: &ConsumedCapacity) -> (Option<f64>, Option<f64>, Option<f64>, Option<f64>) {
    (c.capacity_units(), c.read_capacity_units(), c.write_capacity_units(), c.table().and_then(|t| t.capacity_units()))
}

fn index_units(c: &ConsumedCapacity, gsi: &str, lsi: &str) -> (Option<f64>, Option<f64>) {
    (
        c.global_secondary_indexes().and_then(|m| m.get(gsi)).and_then(|u| u.capacity_units()),
        c.local_secondary_indexes().and_then(|m| m.get(lsi)).and_then(|u| u.capacity_units()),
    )
}

fn put(table: &str, item: &[(&str, AttributeValue)]) -> Put {
    let mut b = Put::builder().table_name(table);
    for (k, v) in item {
        b = b.item(*k, v.clone());
    }
    b.build().expect("put")
}

#[tokio::test]
async fn transactions_batches_and_partiql_return_consumed_capacity() {
    let server = common::server().await;
    let c = client(&server).await;
    indexed_table(&c, "capsdk").await;
    // 3 + 3 + 2 + 2 + 1015 = 1025 bytes.
    let indexed = [("pk", s("a")), ("sk", s("1")), ("g", s("G")), ("l", s("L")), ("b", xs(1014))];
    let plain = [("pk", s("a")), ("sk", s("2")), ("b", xs(1017))]; // 1024 bytes
    let out = c
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(put("capsdk", &indexed)).build())
        .transact_items(TransactWriteItem::builder().put(put("capsdk", &plain)).build())
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .return_item_collection_metrics(ReturnItemCollectionMetrics::Size)
        .send()
        .await
        .expect("transact write");
    let cc = &out.consumed_capacity()[0];
    // Table: 2×2 + 2×1; GSI entry (pk, sk, g) 8 bytes: 1; LSI: the 1025-byte item, 2.
    assert_eq!(units(cc), (Some(9.0), None, Some(9.0), Some(6.0)));
    assert_eq!(index_units(cc, "gix", "lix"), (Some(1.0), Some(2.0)));
    let metrics = out.item_collection_metrics().and_then(|m| m.get("capsdk")).expect("metrics");
    assert_eq!(metrics.len(), 1);
    assert_eq!(metrics[0].size_estimate_range_gb(), [0.0, 1.0]);
    assert_eq!(metrics[0].item_collection_key().and_then(|k| k.get("pk")), Some(&s("a")));

    let out = c
        .transact_get_items()
        .transact_items(
            TransactGetItem::builder()
                .get(
                    aws_sdk_dynamodb::types::Get::builder()
                        .table_name("capsdk")
                        .key("pk", s("a"))
                        .key("sk", s("1"))
                        .build()
                        .expect("get"),
                )
                .build(),
        )
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .expect("transact get");
    assert_eq!(units(&out.consumed_capacity()[0]), (Some(2.0), Some(2.0), None, None));

    let mut replacement: std::collections::HashMap<String, AttributeValue> =
        indexed.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    replacement.insert("b".into(), AttributeValue::S("y".repeat(1014)));
    let out = c
        .batch_write_item()
        .request_items(
            "capsdk",
            vec![
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(replacement)).build().expect("put"))
                    .build(),
            ],
        )
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .expect("batch write");
    // Replacing the item by a different one of the same size: table 2, the
    // KEYS_ONLY GSI entry rewritten 1, the LSI's full copy 2.
    let cc = &out.consumed_capacity()[0];
    assert_eq!(units(cc), (Some(5.0), None, None, Some(2.0)));
    assert_eq!(index_units(cc, "gix", "lix"), (Some(1.0), Some(2.0)));

    let out = c
        .execute_statement()
        .statement("SELECT * FROM capsdk WHERE pk = 'a' AND sk = '2'")
        .consistent_read(true)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .expect("select");
    assert_eq!(out.consumed_capacity().map(units), Some((Some(1.0), None, None, None)));
}

#[tokio::test]
async fn enforced_capacity_throttles_batches_transactions_and_partiql() {
    let mut args = stratus::config::ServeArgs::ephemeral();
    args.enforce_capacity = true;
    let server = common::server_with(args).await;
    let c = client(&server).await;
    c.create_table()
        .table_name("thin")
        .attribute_definitions(attr("pk"))
        .key_schema(key("pk", KeyType::Hash))
        .provisioned_throughput(
            ProvisionedThroughput::builder().read_capacity_units(1).write_capacity_units(1).build().expect("pt"),
        )
        .send()
        .await
        .expect("create");
    // One transactional write of 151 KB spends 302 units: the 300-second burst.
    c.transact_write_items()
        .transact_items(
            TransactWriteItem::builder().put(put("thin", &[("pk", s("big")), ("b", xs(151 * 1024))])).build(),
        )
        .send()
        .await
        .expect("first write fits the burst");
    let err = c
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(put("thin", &[("pk", s("next"))])).build())
        .send()
        .await
        .expect_err("cancelled");
    assert_eq!(err.code(), Some("TransactionCanceledException"));
    let Some(TransactWriteItemsError::TransactionCanceledException(e)) = err.as_service_error() else {
        panic!("{err:?}")
    };
    let reasons = e.cancellation_reasons();
    assert_eq!(reasons.len(), 1);
    assert_eq!(
        (reasons[0].code(), reasons[0].message()),
        (Some("ProvisionedThroughputExceeded"), Some(TABLE_EXCEEDED))
    );
    let err = c
        .batch_write_item()
        .request_items(
            "thin",
            vec![
                WriteRequest::builder()
                    .put_request(PutRequest::builder().item("pk", s("n")).build().expect("put"))
                    .build(),
            ],
        )
        .send()
        .await
        .expect_err("nothing processed");
    assert_eq!((err.code(), err.message()), (Some("ProvisionedThroughputExceededException"), Some(TABLE_EXCEEDED)));
    let err =
        c.execute_statement().statement("INSERT INTO thin VALUE {'pk': 'n'}").send().await.expect_err("throttled");
    assert_eq!(err.code(), Some("ProvisionedThroughputExceededException"));
    // Reads have their own bucket.
    let got = c.get_item().table_name("thin").key("pk", s("big")).send().await.expect("read");
    assert!(got.item().is_some());
}
