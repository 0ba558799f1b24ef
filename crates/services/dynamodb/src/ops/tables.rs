//! Table control plane: CreateTable, DescribeTable, UpdateTable,
//! DeleteTable, ListTables, DescribeLimits, DescribeEndpoints, tags and
//! TTL settings. Tables are ACTIVE as soon as CreateTable returns (the
//! response itself says CREATING, as AWS's does). A GSI added or dropped
//! by UpdateTable goes through CREATING (backfilling) or DELETING, worked
//! off in bounded steps by an `IndexJob`.

use std::ops::Bound;

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_store::{KeyRange, Txn, prefix_successor};

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

pub(crate) fn parse_index(v: &Value, attrs: &[KeyAttr], what: &str) -> Result<IndexMeta, DdbError> {
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
    let sse = input.get("SSESpecification").and_then(|s| sse_description(scope, s));
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
        restore: None,
        pitr: None,
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
    if meta.index_in_transition().is_some() {
        return Err(in_use(
            "Attempt to change a resource which is still in use: Cannot delete table while indexes are being created, updated, or deleted.",
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

/// AWS's answer to a second online index change at once, in one request
/// or while another index is still being created or deleted.
fn one_index_at_a_time() -> DdbError {
    DdbError::bad_request(
        "LimitExceededException",
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
    )
}

/// The SSEDescription an SSESpecification asks for (None: AWS's own key,
/// which DescribeTable does not show). A key id or alias becomes its ARN.
pub(crate) fn sse_description(scope: &Scope, spec: &Value) -> Option<Value> {
    if spec.bool("Enabled") != Some(true) {
        return None;
    }
    let key = match spec.str("KMSMasterKeyId") {
        Some(k) if k.starts_with("arn:") => k.to_string(),
        Some(k) if k.starts_with("alias/") => stratus_core::arn::arn("kms", &scope.region, &scope.account, k),
        Some(k) => stratus_core::arn::arn("kms", &scope.region, &scope.account, &format!("key/{k}")),
        None => stratus_core::arn::arn("kms", &scope.region, &scope.account, DEFAULT_KMS_KEY),
    };
    Some(json!({"Status": "ENABLED", "SSEType": spec.str("SSEType").unwrap_or("KMS"), "KMSMasterKeyArn": key}))
}

/// The AWS managed key (aws/dynamodb) tables are encrypted with by default.
const DEFAULT_KMS_KEY: &str = "key/00000000-0000-0000-0000-000000000000";

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
        return Err(one_index_at_a_time());
    }
    let billing = input.str("BillingMode").map(str::to_string);
    let (rcu, wcu) = throughput(input.get("ProvisionedThroughput"));
    let stream = input.get("StreamSpecification").cloned();
    let class = input.str("TableClass").map(str::to_string);
    let protection = input.bool("DeletionProtectionEnabled");
    let sse = input.get("SSESpecification").map(|s| sse_description(scope, s));
    let created_ix = creates.first().cloned();
    let deleted_ix = deletes.first().cloned();
    let changed_ix = creates.first().map(|c| c.name.clone()).or_else(|| deletes.first().cloned());
    let sse_in_edit = sse.clone();
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
        if let Some(s) = &sse_in_edit {
            m.sse = s.clone();
        }
        for (ix, r, w) in &updates {
            let Some(g) = m.gsis.iter_mut().find(|g| &g.name == ix && g.is_live()) else {
                return Err(resource_not_found());
            };
            if r.is_some() {
                g.rcu = *r;
            }
            if w.is_some() {
                g.wcu = *w;
            }
        }
        if let Some(d) = &deleted_ix {
            start_index_drop(m, d)?;
        }
        if let Some(c) = &created_ix {
            start_index_build(m, c.clone())?;
        }
        Ok(())
    })
    .await?;
    if let Some(index) = changed_ix {
        IndexJob::new(scope, &meta, &index).start(scope).await?;
    }
    // The response shows the state the change started in, as AWS's does.
    let mut d = describe_meta(scope, &meta)?;
    if let Some(o) = d.as_object_mut() {
        o.insert("TableStatus".into(), json!("UPDATING"));
        // Turning encryption off reports the key being left behind.
        if let (Some(None), Some(old)) = (&sse, &current.sse) {
            let mut old = old.clone();
            old["Status"] = json!("UPDATING");
            o.insert("SSEDescription".into(), old);
        }
    }
    Ok(json!({ "TableDescription": d }))
}

/// Marks the GSI `name` DELETING (it may be a GSI still backfilling, as AWS
/// allows); writes stop maintaining it and an [`IndexJob`] removes it.
fn start_index_drop(m: &mut TableMeta, name: &str) -> Result<(), DdbError> {
    if let Some(busy) = m.index_in_transition()
        && !(busy.name == name && busy.status == "CREATING")
    {
        return Err(one_index_at_a_time());
    }
    let g = m.gsis.iter_mut().find(|g| g.name == name && g.is_live()).ok_or_else(resource_not_found)?;
    g.status = "DELETING".into();
    Ok(())
}

/// Adds `ix` to the table as CREATING; writes maintain it from now on and
/// an [`IndexJob`] backfills it from the items already there.
fn start_index_build(m: &mut TableMeta, mut ix: IndexMeta) -> Result<(), DdbError> {
    if m.index_in_transition().is_some() {
        return Err(one_index_at_a_time());
    }
    if m.gsis.iter().chain(m.lsis.iter()).any(|g| g.name == ix.name) {
        return Err(validation(format!("Attempting to create an index which already exists: {}", ix.name)));
    }
    if m.billing == "PAY_PER_REQUEST" {
        ix.rcu = Some(0);
        ix.wcu = Some(0);
    }
    for a in std::iter::once(&ix.hash).chain(ix.range.as_ref()) {
        if !m.attrs.iter().any(|x| x.name == a.name) {
            m.attrs.push(a.clone());
        }
    }
    ix.status = "CREATING".into();
    m.gsis.push(ix);
    Ok(())
}

/// Items (and their bytes) one step of a backfill reads at most, and the
/// items it reads from the store at a time.
const STEP_ITEMS: usize = 1000;
const STEP_BYTES: usize = 1 << 20;
const SCAN_BATCH: usize = 100;
/// Pause between background steps, so foreground requests get the writer.
const STEP_PAUSE: std::time::Duration = std::time::Duration::from_millis(5);

#[derive(Debug, PartialEq)]
enum Progress {
    More,
    Done,
}

/// The background half of a GSI created or deleted by UpdateTable. Each
/// step is one store transaction over a bounded number of items: a build
/// indexes the next items after its stored cursor (skipping any a write
/// already indexed, so each item is indexed exactly once) and at the end
/// makes the index ACTIVE; a drop removes a batch of entries and at the end
/// the index itself. The state lives in the store, so a restarted server
/// resumes where the last step committed ([`resume_index_work`]).
#[derive(Clone)]
struct IndexJob {
    keys: crate::keys::Keys,
    table: String,
    /// The table's id: a table deleted and created again is not this job's.
    id: String,
    index: String,
}

impl IndexJob {
    fn new(scope: &Scope, meta: &TableMeta, index: &str) -> IndexJob {
        IndexJob { keys: scope.keys.clone(), table: meta.name.clone(), id: meta.id.clone(), index: index.to_string() }
    }

    /// Runs the first step now (the whole job for a small table) and the
    /// rest in the background.
    async fn start(self, scope: &Scope) -> Result<(), DdbError> {
        if self.step(&scope.store).await? == Progress::More {
            self.spawn(scope.store.clone(), scope.alive.clone());
        }
        Ok(())
    }

    /// Runs the remaining steps, until done or the service is dropped.
    fn spawn(self, store: stratus_store::Store, alive: std::sync::Weak<()>) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(STEP_PAUSE).await;
                if alive.upgrade().is_none() {
                    return;
                }
                match self.step(&store).await {
                    Ok(Progress::More) => {}
                    Ok(Progress::Done) => return,
                    Err(e) => {
                        tracing::warn!(table = %self.table, index = %self.index, error = %e, "dynamodb index job stopped");
                        return;
                    }
                }
            }
        });
    }

    async fn step(&self, store: &stratus_store::Store) -> Result<Progress, DdbError> {
        let job = self.clone();
        store.transact(move |txn| job.step_in(txn)).await
    }

    fn step_in(&self, txn: &mut Txn<'_>) -> Result<Progress, DdbError> {
        let Some(raw) = txn.get(self.keys.meta(&self.table))? else { return Ok(Progress::Done) };
        let mut meta = decode_meta(&raw)?;
        if meta.id != self.id {
            return Ok(Progress::Done);
        }
        let Some(ix) = meta.gsis.iter().find(|g| g.name == self.index).cloned() else {
            return Ok(Progress::Done);
        };
        match ix.status.as_str() {
            "CREATING" => self.backfill(txn, &mut meta, &ix),
            "DELETING" => self.drop_entries(txn, &mut meta),
            _ => Ok(Progress::Done),
        }
    }

    /// Indexes the next items after the cursor; ACTIVE once none are left.
    fn backfill(&self, txn: &mut Txn<'_>, meta: &mut TableMeta, ix: &IndexMeta) -> Result<Progress, DdbError> {
        let cursor_key = self.keys.backfill_cursor(&self.table, &self.index);
        let prefix = self.keys.items_prefix(&self.table);
        let end = prefix_successor(&prefix).map(Bound::Excluded).unwrap_or(Bound::Unbounded);
        let mut start = match txn.get(&cursor_key)? {
            Some(k) => Bound::Excluded(k),
            None => Bound::Included(prefix),
        };
        let (mut read, mut read_bytes, mut added, mut added_bytes) = (0usize, 0usize, 0i64, 0i64);
        let progress = loop {
            let batch = txn.scan(KeyRange { start: start.clone(), end: end.clone() }, false, Some(SCAN_BATCH))?;
            for (_, v) in &batch {
                read += 1;
                read_bytes += v.len();
                if let Some((k, entry)) = index_entry(&self.keys, meta, ix, v)
                    && !txn.contains(&k)?
                {
                    added += 1;
                    added_bytes += crate::types::item_size(&entry) as i64;
                    txn.put(k, crate::db::encode_item(&entry));
                }
            }
            if batch.len() < SCAN_BATCH {
                break Progress::Done;
            }
            if let Some((k, _)) = batch.last() {
                start = Bound::Excluded(k.clone());
            }
            if read >= STEP_ITEMS || read_bytes >= STEP_BYTES {
                break Progress::More;
            }
        };
        crate::db::add_stats(txn, self.keys.index_stats(&self.table, &self.index), added, added_bytes)?;
        match (&progress, start) {
            (Progress::More, Bound::Excluded(k)) => txn.put(cursor_key, k),
            _ => {
                txn.delete(cursor_key);
                if let Some(g) = meta.gsis.iter_mut().find(|g| g.name == self.index) {
                    g.status = "ACTIVE".into();
                }
                txn.put(self.keys.meta(&self.table), encode_meta(meta));
            }
        }
        Ok(progress)
    }

    /// Removes a batch of the index's entries; the index itself once none are left.
    fn drop_entries(&self, txn: &mut Txn<'_>, meta: &mut TableMeta) -> Result<Progress, DdbError> {
        let entries = txn.scan_prefix(self.keys.index_prefix(&self.table, &self.index), false, Some(STEP_ITEMS))?;
        let more = entries.len() == STEP_ITEMS;
        for (k, _) in entries {
            txn.delete(k);
        }
        if more {
            return Ok(Progress::More);
        }
        meta.gsis.retain(|g| g.name != self.index);
        txn.put(self.keys.meta(&self.table), encode_meta(meta));
        txn.delete(self.keys.index_stats(&self.table, &self.index));
        txn.delete(self.keys.backfill_cursor(&self.table, &self.index));
        Ok(Progress::Done)
    }
}

/// The entry a stored item gets in `ix`: None when the item lacks the index
/// keys or has them with another type than the index's (AWS leaves such
/// items out of a backfilled index), or cannot be read.
fn index_entry(
    keys: &crate::keys::Keys,
    meta: &TableMeta,
    ix: &IndexMeta,
    raw: &[u8],
) -> Option<(Vec<u8>, crate::types::Item)> {
    let item = crate::db::decode_item(raw).ok()?;
    let typed = |ka: &KeyAttr| item.get(&ka.name).is_some_and(|v| v.type_name() == ka.ty);
    if !typed(&ix.hash) || !ix.range.as_ref().is_none_or(typed) {
        return None;
    }
    let k = crate::db::index_key(keys, meta, ix, &item)?;
    Some((k, crate::db::project_for_index(meta, ix, &item)))
}

/// Restarts the index builds and drops a previous run of the server left
/// unfinished. Called when the service starts.
pub fn resume_index_work(store: &stratus_store::Store, shared: &crate::db::Shared) {
    let Ok(metas) = store.scan_prefix(crate::keys::Keys::ALL_METAS, false, None) else { return };
    for (k, v) in metas {
        let (Some((keys, table)), Ok(meta)) = (crate::keys::Keys::of_meta_key(&k), decode_meta(&v)) else {
            continue;
        };
        for ix in meta.gsis.iter().filter(|g| g.status != "ACTIVE") {
            let job =
                IndexJob { keys: keys.clone(), table: table.clone(), id: meta.id.clone(), index: ix.name.clone() };
            job.spawn(store.clone(), shared.liveness());
        }
    }
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

#[cfg(test)]
mod tests {
    //! The GSI lifecycle of UpdateTable (CREATING with a backfill in
    //! bounded steps, DELETING, resumed after a restart) and SSE settings.

    use serde_json::{Value, json};
    use stratus_core::{RequestContext, Service, Settings};
    use stratus_store::Store;

    use crate::DynamoDb;

    async fn call(d: &DynamoDb, op: &'static str, input: Value) -> Result<Value, stratus_core::AwsError> {
        d.call(&RequestContext::internal("dynamodb", op), input).await
    }

    async fn ok(d: &DynamoDb, op: &'static str, input: Value) -> Value {
        call(d, op, input).await.unwrap_or_else(|e| panic!("{op} failed: {e}"))
    }

    /// A table `tbl` with `n` items `k{i}`, each with `g` = `g{i % 3}`.
    async fn table_with_items(d: &DynamoDb, n: usize) {
        let def = json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]});
        ok(d, "CreateTable", def).await;
        let items: Vec<Value> = (0..n)
            .map(|i| json!({"PutRequest": {"Item": {"pk": {"S": format!("k{i}")}, "g": {"S": format!("g{}", i % 3)}}}}))
            .collect();
        for batch in items.chunks(25) {
            ok(d, "BatchWriteItem", json!({"RequestItems": {"tbl": batch}})).await;
        }
    }

    fn create_gsi() -> Value {
        json!({"TableName": "tbl", "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}],
            "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "byg",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}}]})
    }

    fn query_gsi() -> Value {
        json!({"TableName": "tbl", "IndexName": "byg", "Select": "COUNT", "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "g0"}}})
    }

    /// DescribeTable once the table is ACTIVE again (the background steps run meanwhile).
    async fn settled(d: &DynamoDb) -> Value {
        for _ in 0..1000 {
            let t = ok(d, "DescribeTable", json!({"TableName": "tbl"})).await;
            if t["Table"]["TableStatus"] == "ACTIVE" {
                return t["Table"].clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        panic!("table still UPDATING");
    }

    fn gsi(t: &Value) -> Value {
        t["GlobalSecondaryIndexes"][0].clone()
    }

    fn mem() -> DynamoDb {
        DynamoDb::new(Store::in_memory().expect("store"), &Settings::default())
    }

    #[tokio::test]
    async fn a_gsi_is_creating_and_unreadable_until_its_backfill_finishes() {
        let d = mem();
        table_with_items(&d, 2500).await;
        let up = ok(&d, "UpdateTable", create_gsi()).await;
        assert_eq!(up["TableDescription"]["TableStatus"], "UPDATING");
        assert_eq!(gsi(&up["TableDescription"])["IndexStatus"], "CREATING");
        // The first step ran inside the request; the rest waits for this
        // (single-threaded) test to yield.
        let t = ok(&d, "DescribeTable", json!({"TableName": "tbl"})).await["Table"].clone();
        assert_eq!((t["TableStatus"].as_str(), gsi(&t)["IndexStatus"].as_str()), (Some("UPDATING"), Some("CREATING")));
        assert_eq!(gsi(&t)["Backfilling"], true);
        assert_eq!(gsi(&t)["ItemCount"], 1000);
        let e = call(&d, "Query", query_gsi()).await.expect_err("backfilling");
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("ValidationException", "Cannot read from backfilling global secondary index: byg")
        );
        // Writes keep working and reach the index, before and after the cursor.
        for pk in ["k0", "zz-new"] {
            ok(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": pk}, "g": {"S": "g0"}}})).await;
        }
        ok(&d, "DeleteItem", json!({"TableName": "tbl", "Key": {"pk": {"S": "k2499"}}})).await;
        let t = settled(&d).await;
        assert_eq!(gsi(&t)["IndexStatus"], "ACTIVE");
        assert!(gsi(&t).get("Backfilling").is_none());
        assert_eq!(gsi(&t)["ItemCount"], 2500);
        // 834 of the first items have g0; k0 was rewritten, one was added, one deleted.
        let q = ok(&d, "Query", query_gsi()).await;
        assert_eq!(q["Count"], 834);
    }

    #[tokio::test]
    async fn a_dropped_gsi_is_deleting_then_gone() {
        let d = mem();
        table_with_items(&d, 2500).await;
        ok(&d, "UpdateTable", create_gsi()).await;
        settled(&d).await;
        let drop = json!({"TableName": "tbl", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "byg"}}]});
        let up = ok(&d, "UpdateTable", drop.clone()).await;
        assert_eq!(gsi(&up["TableDescription"])["IndexStatus"], "DELETING");
        let t = ok(&d, "DescribeTable", json!({"TableName": "tbl"})).await["Table"].clone();
        assert_eq!((t["TableStatus"].as_str(), gsi(&t)["IndexStatus"].as_str()), (Some("UPDATING"), Some("DELETING")));
        let e = call(&d, "Query", query_gsi()).await.expect_err("deleting");
        assert_eq!(e.message, "The table does not have the specified index: byg");
        let e = call(&d, "UpdateTable", create_gsi()).await.expect_err("one at a time");
        assert_eq!(e.code, "LimitExceededException");
        assert_eq!(
            e.message,
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
        );
        ok(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": "late"}, "g": {"S": "g0"}}})).await;
        let e = call(&d, "DeleteTable", json!({"TableName": "tbl"})).await.expect_err("index in transition");
        assert_eq!(e.code, "ResourceInUseException");
        assert_eq!(
            e.message,
            "Attempt to change a resource which is still in use: Cannot delete table while indexes are being created, updated, or deleted."
        );
        let t = settled(&d).await;
        assert!(t.get("GlobalSecondaryIndexes").is_none(), "{t}");
        let keys = crate::keys::Keys::new(stratus_core::DEFAULT_ACCOUNT_ID, stratus_core::DEFAULT_REGION);
        assert!(d.store.scan_prefix(keys.index_prefix("tbl", "byg"), false, None).expect("scan").is_empty());
        assert_eq!(d.store.get(keys.index_stats("tbl", "byg")).expect("get"), None);
        // Gone for good: a new index of that name can be made.
        ok(&d, "UpdateTable", create_gsi()).await;
        assert_eq!(gsi(&settled(&d).await)["ItemCount"], 2501);
    }

    #[tokio::test]
    async fn a_gsi_being_backfilled_can_be_dropped() {
        let d = mem();
        table_with_items(&d, 1500).await;
        ok(&d, "UpdateTable", create_gsi()).await;
        ok(
            &d,
            "UpdateTable",
            json!({"TableName": "tbl", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "byg"}}]}),
        )
        .await;
        let t = settled(&d).await;
        assert!(t.get("GlobalSecondaryIndexes").is_none(), "{t}");
    }

    #[tokio::test]
    async fn a_backfill_cut_short_by_a_restart_resumes_on_start() {
        let dir = tempfile::tempdir().expect("dir");
        {
            let d = DynamoDb::new(Store::open(dir.path()).expect("open"), &Settings::default());
            table_with_items(&d, 2500).await;
            // Dropped right after the first step, before the background ran.
            ok(&d, "UpdateTable", create_gsi()).await;
        }
        let d = DynamoDb::new(reopen(dir.path()).await, &Settings::default());
        let t = ok(&d, "DescribeTable", json!({"TableName": "tbl"})).await["Table"].clone();
        assert_eq!((gsi(&t)["IndexStatus"].as_str(), gsi(&t)["ItemCount"].as_u64()), (Some("CREATING"), Some(1000)));
        assert_eq!(gsi(&t)["Backfilling"], true);
        // k1 sorts among the first 1000 keys (indexed by the first step), k998 after them.
        for pk in ["k1", "k998"] {
            ok(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": pk}, "g": {"S": "g0"}}})).await;
        }
        d.start();
        let t = settled(&d).await;
        assert_eq!(gsi(&t)["ItemCount"], 2500);
        assert_eq!(ok(&d, "Query", query_gsi()).await["Count"], 836);
    }

    /// The store in `dir` once the dropped service's background task (which
    /// gives it up when it next wakes) has let go of it.
    async fn reopen(dir: &std::path::Path) -> Store {
        for _ in 0..200 {
            if let Ok(s) = Store::open(dir) {
                return s;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("store still held");
    }

    #[tokio::test]
    async fn items_with_other_index_key_types_stay_out_of_a_backfilled_gsi() {
        let d = mem();
        table_with_items(&d, 3).await;
        ok(&d, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": "n"}, "g": {"N": "1"}}})).await;
        ok(&d, "UpdateTable", create_gsi()).await;
        assert_eq!(gsi(&settled(&d).await)["ItemCount"], 3);
    }

    #[tokio::test]
    async fn sse_descriptions() {
        let d = mem();
        let def = |name: &str, sse: Value| {
            json!({"TableName": name, "BillingMode": "PAY_PER_REQUEST", "SSESpecification": sse,
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
        };
        let arn = format!("arn:aws:kms:us-east-1:{}:key/1234abcd", stratus_core::DEFAULT_ACCOUNT_ID);
        let t = ok(
            &d,
            "CreateTable",
            def("bykey", json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "1234abcd"})),
        )
        .await;
        assert_eq!(
            t["TableDescription"]["SSEDescription"],
            json!({"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": arn})
        );
        let t = ok(&d, "CreateTable", def("plain", json!({"Enabled": false}))).await;
        assert!(t["TableDescription"].get("SSEDescription").is_none());
        let up = ok(&d, "UpdateTable", json!({"TableName": "bykey", "SSESpecification": {"Enabled": false}})).await;
        assert_eq!(
            up["TableDescription"]["SSEDescription"],
            json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": arn})
        );
        let t = ok(&d, "DescribeTable", json!({"TableName": "bykey"})).await;
        assert!(t["Table"].get("SSEDescription").is_none());
    }
}
