//! Creating a table from a captured or backed-up table: the restored
//! definition (the source's, less what AWS does not restore — tags, TTL,
//! streams, deletion protection — with the request's overrides) and its
//! items, written with their index entries in one transaction.

use serde_json::{Value, json};
use stratus_core::input::Input;

use crate::db::{Scope, decode_item, encode_meta, fnv, write_item};
use crate::error::{DdbError, invalid};
use crate::ops::tables::{describe_meta, parse_index, sse_description};
use crate::table::TableMeta;

/// The table `target` becomes: `source`'s definition with the overrides of
/// a RestoreTableFromBackup or RestoreTableToPointInTime request.
pub fn restored_meta(scope: &Scope, source: &TableMeta, target: &str, input: &Value) -> Result<TableMeta, DdbError> {
    let mut m = source.clone();
    m.name = target.to_string();
    m.arn = scope.table_arn(target);
    m.id = uuid::Uuid::new_v4().to_string();
    m.created = stratus_core::clock::now_epoch();
    m.tags.clear();
    m.ttl_attr = None;
    m.ttl_enabled = false;
    m.stream_view = None;
    m.stream_label = None;
    m.deletion_protection = false;
    m.status = "ACTIVE".into();
    m.raw_hash = 0;
    m.restore = None;
    m.pitr = None;
    if let Some(list) = input.get("GlobalSecondaryIndexOverride").and_then(Value::as_array) {
        m.gsis = list.iter().map(|g| parse_index(g, &source.attrs, "KeySchema")).collect::<Result<_, _>>()?;
    }
    if let Some(list) = input.get("LocalSecondaryIndexOverride").and_then(Value::as_array) {
        m.lsis = list.iter().map(|l| parse_index(l, &source.attrs, "KeySchema")).collect::<Result<_, _>>()?;
        if let Some(ix) = m.lsis.iter().find(|ix| ix.hash.name != m.hash.name) {
            return Err(invalid(format!(
                "Index KeySchema does not have the same leading hash key as table KeySchema for index: {}. index hash key: {}, table hash key: {}",
                ix.name, ix.hash.name, m.hash.name
            )));
        }
    }
    // An index being dropped is not restored; one being built is, complete.
    m.gsis.retain(|g| g.is_live());
    for ix in m.gsis.iter_mut().chain(m.lsis.iter_mut()) {
        ix.status = "ACTIVE".into();
    }
    if let Some(billing) = input.str("BillingModeOverride") {
        m.billing = billing.to_string();
    }
    let pt = input.get("ProvisionedThroughputOverride");
    if m.billing == "PAY_PER_REQUEST" {
        if pt.is_some() {
            return Err(invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            ));
        }
        (m.rcu, m.wcu) = (0, 0);
        for g in &mut m.gsis {
            (g.rcu, g.wcu) = (Some(0), Some(0));
        }
    } else {
        if let Some(pt) = pt {
            m.rcu = pt.i64("ReadCapacityUnits").unwrap_or(m.rcu);
            m.wcu = pt.i64("WriteCapacityUnits").unwrap_or(m.wcu);
        }
        if m.rcu < 1 || m.wcu < 1 {
            return Err(invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
            ));
        }
        if let Some(g) = m.gsis.iter().find(|g| g.rcu.unwrap_or(0) < 1 || g.wcu.unwrap_or(0) < 1) {
            return Err(invalid(format!("ProvisionedThroughput is not specified for index: {}", g.name)));
        }
    }
    if let Some(spec) = input.get("SSESpecificationOverride") {
        m.sse = sse_description(scope, spec);
    }
    // Only the attributes some remaining key schema uses stay defined.
    let used: Vec<String> = std::iter::once(&m.hash)
        .chain(m.range.iter())
        .chain(m.gsis.iter().chain(m.lsis.iter()).flat_map(|ix| std::iter::once(&ix.hash).chain(ix.range.iter())))
        .map(|a| a.name.clone())
        .collect();
    m.attrs.retain(|a| used.contains(&a.name));
    Ok(m)
}

/// Creates `meta`'s table holding `items` (stored item bytes); answers
/// TableAlreadyExistsException when the name is taken. Returns the
/// restored TableDescription (CREATING, as AWS answers); it and later
/// DescribeTable answers carry the RestoreSummary `summary`.
pub async fn create_restored(
    scope: &Scope,
    mut meta: TableMeta,
    items: Vec<Vec<u8>>,
    summary: Value,
) -> Result<Value, DdbError> {
    meta.restore = Some(summary);
    let items = items.iter().map(|b| decode_item(b)).collect::<Result<Vec<_>, _>>()?;
    let bytes = encode_meta(&meta);
    meta.raw_hash = fnv(&bytes);
    let key = scope.keys.meta(&meta.name);
    let keys = scope.keys.clone();
    let written = meta.clone();
    scope
        .store
        .transact(move |txn| {
            if txn.get(&key)?.is_some() {
                return Err(DdbError::bad_request(
                    "TableAlreadyExistsException",
                    format!("Table already exists: {}", written.name),
                ));
            }
            txn.put(key.clone(), bytes.clone());
            for item in &items {
                write_item(txn, &keys, &written, None, Some(item))?;
            }
            Ok(())
        })
        .await?;
    let mut d = describe_meta(scope, &meta)?;
    if let Some(o) = d.as_object_mut() {
        o.insert("TableStatus".into(), json!("CREATING"));
    }
    Ok(d)
}
