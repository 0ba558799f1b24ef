//! Table control plane: CreateTable, DescribeTable, UpdateTable,
//! DeleteTable, ListTables, DescribeLimits, DescribeEndpoints, tags and
//! TTL settings. Tables are ACTIVE as soon as CreateTable returns (the
//! response itself says CREATING, as AWS's does).

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_store::KeyRange;

use crate::db::{Scope, decode_meta, encode_meta};
use crate::error::{DdbError, in_use, invalid, resource_not_found, table_not_found, validation};
use crate::table::{IndexMeta, KeyAttr, TableMeta};

fn key_schema(v: &Value, attrs: &[KeyAttr], what: &str) -> Result<(KeyAttr, Option<KeyAttr>), DdbError> {
    let elems = v.as_array().map(Vec::as_slice).unwrap_or(&[]);
    let get = |e: &Value| {
        (e.str("AttributeName").unwrap_or_default().to_string(), e.str("KeyType").unwrap_or_default().to_string())
    };
    let Some(first) = elems.first().map(get) else {
        return Err(validation(format!("Invalid {what}: KeySchema must not be empty")));
    };
    if first.1 != "HASH" {
        return Err(validation(format!("Invalid {what}: The first KeySchemaElement is not a HASH key type")));
    }
    let second = elems.get(1).map(get);
    if let Some(s) = &second {
        if s.1 != "RANGE" {
            return Err(validation(format!("Invalid {what}: The second KeySchemaElement is not a RANGE key type")));
        }
        if s.0 == first.0 {
            return Err(validation(format!(
                "Invalid {what}: Both the Hash Key and the Range Key element in the KeySchema have the same name"
            )));
        }
    }
    if elems.len() > 2 {
        return Err(validation(format!("Invalid {what}: Too many KeySchemaElements")));
    }
    let find = |n: &str| attrs.iter().find(|a| a.name == n).cloned();
    let names: Vec<&str> = std::iter::once(first.0.as_str()).chain(second.iter().map(|s| s.0.as_str())).collect();
    let missing: Vec<&str> = names.iter().copied().filter(|n| find(n).is_none()).collect();
    if !missing.is_empty() {
        return Err(invalid(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            names.join(", "),
            attrs.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
        )));
    }
    let hash = find(&first.0).ok_or_else(|| validation("key"))?;
    let range = match second {
        Some(s) => Some(find(&s.0).ok_or_else(|| validation("key"))?),
        None => None,
    };
    Ok((hash, range))
}

fn throughput(v: Option<&Value>) -> (Option<i64>, Option<i64>) {
    match v {
        Some(t) => (t.i64("ReadCapacityUnits"), t.i64("WriteCapacityUnits")),
        None => (None, None),
    }
}

fn parse_index(v: &Value, attrs: &[KeyAttr], what: &str) -> Result<IndexMeta, DdbError> {
    let name = v.str("IndexName").unwrap_or_default().to_string();
    check_name(&name, "indexName")?;
    let (hash, range) = key_schema(v.get("KeySchema").unwrap_or(&Value::Null), attrs, what)?;
    let p = v.get("Projection").cloned().unwrap_or(Value::Null);
    let projection_type = p.str("ProjectionType").unwrap_or("ALL").to_string();
    let non_key = p.str_list("NonKeyAttributes");
    if projection_type != "INCLUDE" && !non_key.is_empty() {
        return Err(invalid(format!("ProjectionType is {projection_type}, but NonKeyAttributes is specified")));
    }
    let (rcu, wcu) = throughput(v.get("ProvisionedThroughput"));
    Ok(IndexMeta { name, hash, range, projection_type, non_key, rcu, wcu, status: "ACTIVE".into() })
}

/// AWS's checks on a table or index name (also a data-plane call's missing table).
pub(crate) fn check_name(name: &str, member: &str) -> Result<(), DdbError> {
    if name.len() < 3 {
        return Err(validation(format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to 3"
        )));
    }
    if name.len() > 255 {
        return Err(validation(format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to 255"
        )));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
        return Err(validation(format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )));
    }
    Ok(())
}

pub async fn create(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let name = input.req_str("TableName")?.to_string();
    check_name(&name, "tableName")?;
    let attrs: Vec<KeyAttr> = input
        .list("AttributeDefinitions")
        .iter()
        .map(|a| KeyAttr {
            name: a.str("AttributeName").unwrap_or_default().to_string(),
            ty: a.str("AttributeType").unwrap_or_default().to_string(),
        })
        .collect();
    for (i, a) in attrs.iter().enumerate() {
        if attrs[..i].iter().any(|b| b.name == a.name) {
            return Err(invalid("Duplicate AttributeName in AttributeDefinitions"));
        }
    }
    let (hash, range) = key_schema(input.get("KeySchema").unwrap_or(&Value::Null), &attrs, "KeySchema")?;
    let billing = input.str("BillingMode").unwrap_or("PROVISIONED").to_string();
    let (rcu, wcu) = throughput(input.get("ProvisionedThroughput"));
    if billing == "PROVISIONED" && (rcu.is_none() || wcu.is_none()) {
        return Err(invalid(
            "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
        ));
    }
    if billing == "PAY_PER_REQUEST" && input.get("ProvisionedThroughput").is_some() {
        return Err(invalid(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        ));
    }
    let mut gsis = Vec::new();
    for g in input.list("GlobalSecondaryIndexes") {
        let mut ix = parse_index(g, &attrs, "KeySchema")?;
        if billing == "PROVISIONED" && (ix.rcu.is_none() || ix.wcu.is_none()) {
            return Err(invalid(format!("ProvisionedThroughput is not specified for index: {}", ix.name)));
        }
        if billing == "PAY_PER_REQUEST" {
            ix.rcu = Some(0);
            ix.wcu = Some(0);
        }
        gsis.push(ix);
    }
    let mut lsis = Vec::new();
    for l in input.list("LocalSecondaryIndexes") {
        let ix = parse_index(l, &attrs, "KeySchema")?;
        if range.is_none() {
            return Err(invalid(
                "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
            ));
        }
        if ix.hash.name != hash.name {
            return Err(invalid(format!(
                "Index KeySchema does not have the same leading hash key as table KeySchema for index: {}. index hash key: {}, table hash key: {}",
                ix.name, ix.hash.name, hash.name
            )));
        }
        lsis.push(ix);
    }
    let all: Vec<&IndexMeta> = gsis.iter().chain(lsis.iter()).collect();
    for (i, ix) in all.iter().enumerate() {
        if all[..i].iter().any(|o| o.name == ix.name) {
            return Err(invalid(format!("Duplicate index name: {}", ix.name)));
        }
    }
    // Every defined attribute must be used by some key schema.
    let used = |n: &str| {
        hash.name == n
            || range.as_ref().is_some_and(|r| r.name == n)
            || all.iter().any(|ix| ix.hash.name == n || ix.range.as_ref().is_some_and(|r| r.name == n))
    };
    if attrs.iter().any(|a| !used(&a.name)) {
        return Err(invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ));
    }
    let stream = input.get("StreamSpecification");
    let stream_view = match stream {
        Some(s) if s.bool("StreamEnabled") == Some(true) => Some(
            s.str("StreamViewType")
                .ok_or_else(|| {
                    validation("StreamSpecification: StreamViewType is required when StreamEnabled is true")
                })?
                .to_string(),
        ),
        _ => None,
    };
    let now = stratus_core::clock::now_epoch();
    let sse = input.get("SSESpecification").filter(|s| s.bool("Enabled") == Some(true)).map(|s| {
        json!({
            "Status": "ENABLED",
            "SSEType": s.str("SSEType").unwrap_or("KMS"),
            "KMSMasterKeyArn": s.str("KMSMasterKeyId").map(str::to_string).unwrap_or_else(|| stratus_core::arn::arn("kms", &scope.region, &scope.account, "key/00000000-0000-0000-0000-000000000000")),
        })
    });
    let meta = TableMeta {
        arn: scope.table_arn(&name),
        id: uuid::Uuid::new_v4().to_string(),
        created: now,
        hash,
        range,
        attrs,
        rcu: if billing == "PROVISIONED" { rcu.unwrap_or(0) } else { 0 },
        wcu: if billing == "PROVISIONED" { wcu.unwrap_or(0) } else { 0 },
        billing,
        gsis,
        lsis,
        stream_label: stream_view.as_ref().map(|_| stream_label(now)),
        stream_view,
        sse,
        table_class: input.str("TableClass").map(str::to_string),
        deletion_protection: input.bool("DeletionProtectionEnabled").unwrap_or(false),
        tags: input
            .list("Tags")
            .iter()
            .map(|t| (t.str("Key").unwrap_or_default().to_string(), t.str("Value").unwrap_or_default().to_string()))
            .collect(),
        ttl_attr: None,
        ttl_enabled: false,
        status: "ACTIVE".into(),
        name: name.clone(),
        raw_hash: 0,
    };
    let key = scope.keys.meta(&name);
    let bytes = encode_meta(&meta);
    scope
        .store
        .transact(move |txn| {
            if txn.get(&key)?.is_some() {
                return Err(in_use(format!("Table already exists: {name}")));
            }
            txn.put(key.clone(), bytes.clone());
            Ok(())
        })
        .await?;
    let mut d = meta.describe((0, 0), &|_| (0, 0));
    if let Some(o) = d.as_object_mut() {
        o.insert("TableStatus".into(), json!("CREATING"));
        o.remove("WarmThroughput");
        for list in ["GlobalSecondaryIndexes"] {
            if let Some(Value::Array(v)) = o.get_mut(list) {
                for g in v {
                    if let Some(g) = g.as_object_mut() {
                        g.insert("IndexStatus".into(), json!("CREATING"));
                        g.remove("WarmThroughput");
                    }
                }
            }
        }
    }
    Ok(json!({ "TableDescription": d }))
}

fn stream_label(now: f64) -> String {
    let dt = time::OffsetDateTime::from_unix_timestamp_nanos((now * 1e9) as i128)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

pub fn describe_meta(scope: &Scope, meta: &TableMeta) -> Result<Value, DdbError> {
    let (n, bytes) = crate::db::read_stats(scope.store.get(scope.keys.stats(&meta.name))?.as_deref());
    let c = (n as u64, bytes as u64);
    let ixc = |ix: &str| {
        let raw = scope.store.get(scope.keys.index_stats(&meta.name, ix)).ok().flatten();
        let (n, b) = crate::db::read_stats(raw.as_deref());
        (n as u64, b as u64)
    };
    Ok(meta.describe(c, &ixc))
}

pub async fn describe(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let name = input.req_str("TableName")?;
    let meta = scope.meta_opt(name)?.ok_or_else(|| table_not_found(name))?;
    Ok(json!({ "Table": describe_meta(scope, &meta)? }))
}

pub async fn delete(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let name = input.req_str("TableName")?.to_string();
    let meta = scope.meta_opt(&name)?.ok_or_else(|| table_not_found(&name))?;
    if meta.deletion_protection {
        return Err(validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
        ));
    }
    let mut d = describe_meta(scope, &meta)?;
    let key = scope.keys.meta(&name);
    let prefix = scope.keys.table_prefix(&name);
    scope
        .store
        .transact(move |txn| {
            if txn.get(&key)?.is_none() {
                return Err(table_not_found(&name));
            }
            txn.delete(key.clone());
            txn.delete_range(KeyRange::prefix(prefix.as_bytes()));
            Ok(())
        })
        .await?;
    if let Some(o) = d.as_object_mut() {
        o.insert("TableStatus".into(), json!("DELETING"));
        o.remove("WarmThroughput");
    }
    Ok(json!({ "TableDescription": d }))
}

pub async fn list(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let limit = input.i64("Limit").unwrap_or(100).clamp(1, 100) as usize;
    let start = input.str("ExclusiveStartTableName");
    let prefix = scope.keys.meta_prefix();
    let mut names: Vec<String> = Vec::new();
    for (k, _) in scope.store.scan_prefix(prefix.as_bytes(), false, None)? {
        let n = String::from_utf8_lossy(&k[prefix.len()..]).to_string();
        if start.is_some_and(|s| n.as_str() <= s) {
            continue;
        }
        names.push(n);
        if names.len() > limit {
            break;
        }
    }
    let more = names.len() > limit;
    names.truncate(limit);
    let mut out = json!({ "TableNames": names });
    if more && let Some(last) = names.last() {
        out["LastEvaluatedTableName"] = json!(last);
    }
    Ok(out)
}

/// Loads, edits and stores a table's metadata in one transaction.
async fn edit<F>(scope: &Scope, name: &str, f: F) -> Result<TableMeta, DdbError>
where
    F: Fn(&mut TableMeta) -> Result<(), DdbError> + Send + 'static,
{
    let key = scope.keys.meta(name);
    let name = name.to_string();
    scope
        .store
        .transact(move |txn| {
            let Some(b) = txn.get(&key)? else { return Err(table_not_found(&name)) };
            let mut meta = decode_meta(&b)?;
            f(&mut meta)?;
            txn.put(key.clone(), encode_meta(&meta));
            Ok(meta)
        })
        .await
}

pub async fn update(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let name = input.req_str("TableName")?.to_string();
    let current = scope.meta_opt(&name)?.ok_or_else(|| table_not_found(&name))?;
    let mut new_attrs: Vec<KeyAttr> = current.attrs.clone();
    for a in input.list("AttributeDefinitions") {
        let ka = KeyAttr {
            name: a.str("AttributeName").unwrap_or_default().to_string(),
            ty: a.str("AttributeType").unwrap_or_default().to_string(),
        };
        if !new_attrs.iter().any(|x| x.name == ka.name) {
            new_attrs.push(ka);
        }
    }
    let mut creates = Vec::new();
    let mut deletes = Vec::new();
    let mut updates = Vec::new();
    for u in input.list("GlobalSecondaryIndexUpdates") {
        if let Some(c) = u.get("Create") {
            creates.push(parse_index(c, &new_attrs, "KeySchema")?);
        }
        if let Some(d) = u.get("Delete") {
            deletes.push(d.str("IndexName").unwrap_or_default().to_string());
        }
        if let Some(up) = u.get("Update") {
            let (r, w) = throughput(up.get("ProvisionedThroughput"));
            updates.push((up.str("IndexName").unwrap_or_default().to_string(), r, w));
        }
    }
    if creates.len() + deletes.len() > 1 {
        return Err(validation(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
        ));
    }
    let billing = input.str("BillingMode").map(str::to_string);
    let (rcu, wcu) = throughput(input.get("ProvisionedThroughput"));
    let stream = input.get("StreamSpecification").cloned();
    let class = input.str("TableClass").map(str::to_string);
    let protection = input.bool("DeletionProtectionEnabled");
    let sse = input.get("SSESpecification").cloned();
    let created_ix = creates.first().cloned();
    let deleted_ix = deletes.first().cloned();
    let region = scope.region.clone();
    let account = scope.account.clone();
    let meta = edit(scope, &name, move |m| {
        if let Some(b) = &billing {
            m.billing = b.clone();
            if b == "PAY_PER_REQUEST" {
                m.rcu = 0;
                m.wcu = 0;
            }
        }
        if let Some(r) = rcu {
            m.rcu = r;
        }
        if let Some(w) = wcu {
            m.wcu = w;
        }
        if let Some(s) = &stream {
            if s.bool("StreamEnabled") == Some(true) {
                if m.stream_view.is_some() {
                    return Err(validation(format!("Table already has an enabled stream: TableName: {}", m.name)));
                }
                m.stream_view = Some(s.str("StreamViewType").unwrap_or("NEW_AND_OLD_IMAGES").to_string());
                m.stream_label = Some(stream_label(stratus_core::clock::now_epoch()));
            } else {
                if m.stream_view.is_none() {
                    return Err(validation(format!("Table already has no stream enabled: TableName: {}", m.name)));
                }
                m.stream_view = None;
            }
        }
        if let Some(c) = &class {
            m.table_class = Some(c.clone());
        }
        if let Some(p) = protection {
            m.deletion_protection = p;
        }
        if let Some(s) = &sse {
            m.sse = if s.bool("Enabled") == Some(false) {
                None
            } else {
                Some(json!({"Status": "ENABLED", "SSEType": s.str("SSEType").unwrap_or("KMS"), "KMSMasterKeyArn": s.str("KMSMasterKeyId").map(str::to_string).unwrap_or_else(|| stratus_core::arn::arn("kms", &region, &account, "key/00000000-0000-0000-0000-000000000000"))}))
            };
        }
        for d in &deletes {
            let before = m.gsis.len();
            m.gsis.retain(|g| &g.name != d);
            if before == m.gsis.len() {
                return Err(resource_not_found());
            }
        }
        for (ix, r, w) in &updates {
            let Some(g) = m.gsis.iter_mut().find(|g| &g.name == ix) else { return Err(resource_not_found()) };
            if r.is_some() {
                g.rcu = *r;
            }
            if w.is_some() {
                g.wcu = *w;
            }
        }
        if let Some(c) = &created_ix {
            if m.index(&c.name).is_some() {
                return Err(validation(format!("Attempting to create an index which already exists: {}", c.name)));
            }
            let mut c = c.clone();
            if m.billing == "PAY_PER_REQUEST" {
                c.rcu = Some(0);
                c.wcu = Some(0);
            }
            m.gsis.push(c);
            for a in [&m.gsis[m.gsis.len() - 1].hash.clone()].into_iter().chain(m.gsis[m.gsis.len() - 1].range.clone().as_ref()) {
                if !m.attrs.iter().any(|x| x.name == a.name) {
                    m.attrs.push(a.clone());
                }
            }
        }
        Ok(())
    })
    .await?;
    if let Some(c) = creates.first() {
        backfill(scope, &meta, &c.name).await?;
    }
    if let Some(d) = deleted_ix {
        let prefix = scope.keys.index_prefix(&meta.name, &d);
        let stats = scope.keys.index_stats(&meta.name, &d);
        scope
            .store
            .transact(move |txn| {
                txn.delete(stats.clone());
                txn.delete_range(KeyRange::prefix(&prefix));
                Ok::<(), DdbError>(())
            })
            .await?;
    }
    // The change is done when this returns (the backfill ran above), but the
    // response shows the transitional states AWS reports.
    let mut d = describe_meta(scope, &meta)?;
    if let Some(o) = d.as_object_mut() {
        o.insert("TableStatus".into(), json!("UPDATING"));
        if let (Some(c), Some(Value::Array(gsis))) = (creates.first(), o.get_mut("GlobalSecondaryIndexes")) {
            for g in gsis.iter_mut().filter(|g| g["IndexName"] == json!(c.name)) {
                g["IndexStatus"] = json!("CREATING");
                g["Backfilling"] = json!(true);
            }
        }
    }
    Ok(json!({ "TableDescription": d }))
}

/// Fills a new GSI from the table's items, in batches. Each batch re-reads
/// its items inside a store transaction, so an item written concurrently
/// (whose own write already maintains the new index) is never indexed from
/// a stale copy.
async fn backfill(scope: &Scope, meta: &TableMeta, index: &str) -> Result<(), DdbError> {
    let Some(ix) = meta.index(index).cloned() else { return Ok(()) };
    let items = scope.store.scan_prefix(scope.keys.items_prefix(&meta.name), false, None)?;
    let stats_key = scope.keys.index_stats(&meta.name, index);
    for chunk in items.chunks(500) {
        let item_keys: Vec<Vec<u8>> = chunk.iter().map(|(k, _)| k.clone()).collect();
        let (keys, meta, ix, stats_key) = (scope.keys.clone(), meta.clone(), ix.clone(), stats_key.clone());
        scope
            .store
            .transact(move |txn| {
                let (mut count, mut bytes) = (0i64, 0i64);
                for k in &item_keys {
                    let Some(v) = txn.get(k)? else { continue };
                    let item = crate::db::decode_item(&v)?;
                    if let Some(ik) = crate::db::index_key(&keys, &meta, &ix, &item) {
                        if txn.get(&ik)?.is_some() {
                            continue;
                        }
                        let entry = crate::db::project_for_index(&meta, &ix, &item);
                        count += 1;
                        bytes += crate::types::item_size(&entry) as i64;
                        txn.put(ik, crate::db::encode_item(&entry));
                    }
                }
                crate::db::add_stats(txn, stats_key.clone(), count, bytes)
            })
            .await?;
    }
    Ok(())
}

/// The table name in a table ARN of this account and region.
fn table_from_arn(scope: &Scope, arn: &str) -> Result<String, DdbError> {
    let prefix = scope.table_arn("");
    match arn.strip_prefix(&prefix) {
        Some(n) if !n.is_empty() && !n.contains('/') => Ok(n.to_string()),
        _ => Err(validation(format!("Invalid TableArn: Invalid ResourceArn provided as input {arn}"))),
    }
}

pub async fn tag(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let name = table_from_arn(scope, input.req_str("ResourceArn")?)?;
    let tags: Vec<(String, String)> = input
        .list("Tags")
        .iter()
        .map(|t| (t.str("Key").unwrap_or_default().to_string(), t.str("Value").unwrap_or_default().to_string()))
        .collect();
    edit(scope, &name, move |m| {
        for (k, v) in &tags {
            m.tags.retain(|(x, _)| x != k);
            m.tags.push((k.clone(), v.clone()));
        }
        if m.tags.len() > 50 {
            return Err(DdbError::bad_request("LimitExceededException", "Too many tags"));
        }
        Ok(())
    })
    .await
    .map_err(not_found_arn)?;
    Ok(json!({}))
}

fn not_found_arn(e: DdbError) -> DdbError {
    if e.code == "ResourceNotFoundException" { resource_not_found() } else { e }
}

pub async fn untag(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let name = table_from_arn(scope, input.req_str("ResourceArn")?)?;
    let keys = input.str_list("TagKeys");
    edit(scope, &name, move |m| {
        m.tags.retain(|(k, _)| !keys.contains(k));
        Ok(())
    })
    .await
    .map_err(not_found_arn)?;
    Ok(json!({}))
}

pub async fn list_tags(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let name = table_from_arn(scope, input.req_str("ResourceArn")?)?;
    let meta = scope.meta_opt(&name)?.ok_or_else(resource_not_found)?;
    let tags: Vec<Value> = meta.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
    Ok(json!({ "Tags": tags }))
}

pub async fn update_ttl(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let name = input.req_str("TableName")?.to_string();
    let spec = input.get("TimeToLiveSpecification").cloned().unwrap_or(Value::Null);
    let enabled = spec.bool("Enabled").unwrap_or(false);
    let attr = spec.str("AttributeName").unwrap_or_default().to_string();
    let a2 = attr.clone();
    edit(scope, &name, move |m| {
        if enabled && m.ttl_enabled {
            return Err(validation("TimeToLive is already enabled"));
        }
        if !enabled && !m.ttl_enabled {
            return Err(validation("TimeToLive is already disabled"));
        }
        m.ttl_enabled = enabled;
        m.ttl_attr = Some(a2.clone());
        Ok(())
    })
    .await
    .map_err(|e| if e.code == "ResourceNotFoundException" { crate::error::no_table() } else { e })?;
    Ok(json!({ "TimeToLiveSpecification": { "Enabled": enabled, "AttributeName": attr } }))
}

pub async fn describe_ttl(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let name = input.req_str("TableName")?;
    let meta = scope.meta_opt(name)?.ok_or_else(|| table_not_found(name))?;
    let d = match (&meta.ttl_attr, meta.ttl_enabled) {
        (Some(a), true) => json!({"TimeToLiveStatus": "ENABLED", "AttributeName": a}),
        _ => json!({"TimeToLiveStatus": "DISABLED"}),
    };
    Ok(json!({ "TimeToLiveDescription": d }))
}

pub async fn describe_limits() -> Result<Value, DdbError> {
    Ok(json!({
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000,
    }))
}

pub async fn describe_endpoints(scope: &Scope) -> Result<Value, DdbError> {
    Ok(
        json!({ "Endpoints": [{ "Address": format!("dynamodb.{}.amazonaws.com", scope.region), "CachePeriodInMinutes": 1440 }] }),
    )
}
