//! DynamoDB secondary indexes through the AWS SDK for Rust: a GSI added by
//! UpdateTable (CREATING with Backfilling, then ACTIVE, with writes made
//! meanwhile indexed), dropped (DELETING, then gone), AWS's errors for
//! reading either, and INCLUDE projections on a GSI and an LSI.

use crate::common;
use crate::dynamodb::{attr, error_of, key, s};

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeValue, BillingMode, CreateGlobalSecondaryIndexAction, DeleteGlobalSecondaryIndexAction,
    GlobalSecondaryIndex, GlobalSecondaryIndexUpdate, IndexStatus, KeyType, LocalSecondaryIndex, Projection,
    ProjectionType, PutRequest, ScalarAttributeType, TableDescription, TableStatus, WriteRequest,
};

fn projection(ty: ProjectionType, non_key: &[&str]) -> Projection {
    let mut p = Projection::builder().projection_type(ty);
    for a in non_key {
        p = p.non_key_attributes(*a);
    }
    p.build()
}

/// Table `name` (key `pk`) holding `n` items `k{i}` with `g` = `g{i % 4}`.
async fn table_with_items(c: &Client, name: &str, n: usize) {
    c.create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .send()
        .await
        .expect("create table");
    let items: Vec<WriteRequest> = (0..n)
        .map(|i| {
            let put = PutRequest::builder()
                .item("pk", s(&format!("k{i}")))
                .item("g", s(&format!("g{}", i % 4)))
                .build()
                .expect("put");
            WriteRequest::builder().put_request(put).build()
        })
        .collect();
    for batch in items.chunks(25) {
        c.batch_write_item().request_items(name, batch.to_vec()).send().await.expect("batch write");
    }
}

async fn describe(c: &Client, name: &str) -> TableDescription {
    c.describe_table().table_name(name).send().await.expect("describe").table.expect("table")
}

/// The table once it is ACTIVE again.
async fn settled(c: &Client, name: &str) -> TableDescription {
    for _ in 0..600 {
        let t = describe(c, name).await;
        if t.table_status() == Some(&TableStatus::Active) {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{name} still updating");
}

async fn count_in_index(c: &Client, name: &str, g: &str) -> Result<i32, (String, String)> {
    c.query()
        .table_name(name)
        .index_name("byg")
        .select(aws_sdk_dynamodb::types::Select::Count)
        .key_condition_expression("g = :g")
        .expression_attribute_values(":g", s(g))
        .send()
        .await
        .map(|q| q.count())
        .map_err(|e| (e.code().unwrap_or_default().to_string(), e.message().unwrap_or_default().to_string()))
}

#[tokio::test]
async fn gsi_added_and_dropped_by_update_table() {
    let server = common::server().await;
    let c = Client::new(&common::sdk_config(&server).await);
    table_with_items(&c, "grow", 3000).await;

    let create = CreateGlobalSecondaryIndexAction::builder()
        .index_name("byg")
        .key_schema(key("g", KeyType::Hash))
        .projection(projection(ProjectionType::KeysOnly, &[]))
        .build()
        .expect("create action");
    let up = c
        .update_table()
        .table_name("grow")
        .attribute_definitions(attr("g", ScalarAttributeType::S))
        .global_secondary_index_updates(GlobalSecondaryIndexUpdate::builder().create(create).build())
        .send()
        .await
        .expect("add gsi");
    let t = up.table_description().expect("description");
    assert_eq!(t.table_status(), Some(&TableStatus::Updating));
    assert_eq!(t.global_secondary_indexes()[0].index_status(), Some(&IndexStatus::Creating));

    let t = describe(&c, "grow").await;
    let gsi = &t.global_secondary_indexes()[0];
    match gsi.index_status() {
        Some(IndexStatus::Creating) => {
            assert_eq!(t.table_status(), Some(&TableStatus::Updating));
            assert_eq!(gsi.backfilling(), Some(true));
            let refused = count_in_index(&c, "grow", "g0").await;
            assert_eq!(
                refused,
                Err(("ValidationException".into(), "Cannot read from backfilling global secondary index: byg".into()))
            );
        }
        other => assert_eq!(other, Some(&IndexStatus::Active)),
    }
    // Writes made during the backfill are indexed once.
    c.put_item().table_name("grow").item("pk", s("late")).item("g", s("g0")).send().await.expect("put");
    c.put_item().table_name("grow").item("pk", s("k1")).item("g", s("g0")).send().await.expect("move");

    let t = settled(&c, "grow").await;
    let gsi = &t.global_secondary_indexes()[0];
    assert_eq!(gsi.index_status(), Some(&IndexStatus::Active));
    assert_eq!(gsi.backfilling(), None);
    assert_eq!(gsi.item_count(), Some(3001));
    assert_eq!(count_in_index(&c, "grow", "g0").await, Ok(752));
    assert_eq!(count_in_index(&c, "grow", "g1").await, Ok(749));

    let drop = DeleteGlobalSecondaryIndexAction::builder().index_name("byg").build().expect("delete action");
    let up = c
        .update_table()
        .table_name("grow")
        .global_secondary_index_updates(GlobalSecondaryIndexUpdate::builder().delete(drop).build())
        .send()
        .await
        .expect("drop gsi");
    let t = up.table_description().expect("description");
    assert_eq!(t.global_secondary_indexes()[0].index_status(), Some(&IndexStatus::Deleting));
    let t = describe(&c, "grow").await;
    let statuses: Vec<_> = t.global_secondary_indexes().iter().filter_map(|g| g.index_status().cloned()).collect();
    assert!(statuses.is_empty() || statuses == [IndexStatus::Deleting], "{statuses:?}");
    assert_eq!(
        count_in_index(&c, "grow", "g0").await,
        Err(("ValidationException".into(), "The table does not have the specified index: byg".into()))
    );
    let t = settled(&c, "grow").await;
    assert!(t.global_secondary_indexes().is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn include_projections_on_a_gsi_and_an_lsi() {
    let server = common::server().await;
    let c = Client::new(&common::sdk_config(&server).await);
    c.create_table()
        .table_name("proj")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk", ScalarAttributeType::S))
        .attribute_definitions(attr("sk", ScalarAttributeType::S))
        .attribute_definitions(attr("g", ScalarAttributeType::S))
        .attribute_definitions(attr("l", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("gsi")
                .key_schema(key("g", KeyType::Hash))
                .projection(projection(ProjectionType::Include, &["a"]))
                .build()
                .expect("gsi"),
        )
        .local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name("lsi")
                .key_schema(key("pk", KeyType::Hash))
                .key_schema(key("l", KeyType::Range))
                .projection(projection(ProjectionType::Include, &["b"]))
                .build()
                .expect("lsi"),
        )
        .send()
        .await
        .expect("create");
    let mut put = c.put_item().table_name("proj");
    for (k, v) in [("pk", "p"), ("sk", "s"), ("g", "G"), ("l", "L"), ("a", "A"), ("b", "B"), ("c", "C")] {
        put = put.item(k, s(v));
    }
    put.send().await.expect("put");
    let names = |items: &[std::collections::HashMap<String, AttributeValue>]| {
        let mut n: Vec<String> = items.iter().flat_map(|i| i.keys().cloned()).collect();
        n.sort();
        n
    };
    let q = c
        .query()
        .table_name("proj")
        .index_name("gsi")
        .key_condition_expression("g = :g")
        .expression_attribute_values(":g", s("G"))
        .send()
        .await
        .expect("query gsi");
    assert_eq!(names(q.items()), ["a", "g", "pk", "sk"]);
    let q = c
        .query()
        .table_name("proj")
        .index_name("lsi")
        .key_condition_expression("pk = :p AND l = :l")
        .expression_attribute_values(":p", s("p"))
        .expression_attribute_values(":l", s("L"))
        .send()
        .await
        .expect("query lsi");
    assert_eq!(names(q.items()), ["b", "l", "pk", "sk"]);
    let (code, msg) = error_of(
        c.query()
            .table_name("proj")
            .index_name("gsi")
            .select(aws_sdk_dynamodb::types::Select::AllAttributes)
            .key_condition_expression("g = :g")
            .expression_attribute_values(":g", s("G"))
            .send()
            .await,
    );
    assert_eq!(code, "ValidationException");
    assert_eq!(
        msg,
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index gsi because its projection type is not ALL"
    );
    server.shutdown().await;
}
