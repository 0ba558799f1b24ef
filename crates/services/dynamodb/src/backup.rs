//! On-demand backups as stored: a consistent capture of a table (its
//! definition and items from one store snapshot) and the record a backup
//! keeps, rendered as AWS's BackupDetails, SourceTableDetails and
//! SourceTableFeatureDetails.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use stratus_store::Snapshot;

use crate::db::{Scope, read_stats};
use crate::error::DdbError;
use crate::table::{TableMeta, key_schema, projection};

/// A table as of one instant: definition, items (their key suffix under the
/// table's item prefix, and stored bytes), item count and size, and the
/// snapshot they were read from.
pub struct Capture {
    pub snap: Snapshot,
    pub meta: TableMeta,
    pub items: Vec<(Vec<u8>, Vec<u8>)>,
    pub count: u64,
    pub size: u64,
}

/// Reads table `name` from one snapshot, so the definition, items and
/// counts all belong to the same moment. None when there is no such table.
pub fn capture(scope: &Scope, name: &str) -> Result<Option<Capture>, DdbError> {
    let snap = scope.store.snapshot()?;
    let meta = match scope.meta_in(&snap, name) {
        Ok(m) => (*m).clone(),
        Err(e) if e.code == "ResourceNotFoundException" || e.code == "ValidationException" => return Ok(None),
        Err(e) => return Err(e),
    };
    let prefix = scope.keys.items_prefix(name);
    let items =
        snap.scan_prefix(&prefix, false, None)?.into_iter().map(|(k, v)| (k[prefix.len()..].to_vec(), v)).collect();
    let (count, size) = read_stats(snap.get(scope.keys.stats(name))?.as_deref());
    Ok(Some(Capture { snap, meta, items, count: count.max(0) as u64, size: size.max(0) as u64 }))
}

/// What a backup record keeps (its items are stored beside it).
#[derive(Serialize, Deserialize, Clone)]
pub struct Backup {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub created: f64,
    pub count: u64,
    pub size: u64,
    pub source: TableMeta,
}

impl Backup {
    pub fn decode(b: &[u8]) -> Result<Backup, DdbError> {
        serde_json::from_slice(b).map_err(|e| DdbError::internal(format!("corrupt backup record: {e}")))
    }

    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// BackupDetails with the given BackupStatus.
    pub fn details(&self, status: &str) -> Value {
        json!({
            "BackupArn": self.arn,
            "BackupName": self.name,
            "BackupSizeBytes": self.size,
            "BackupStatus": status,
            "BackupType": "USER",
            "BackupCreationDateTime": self.created,
        })
    }

    /// A BackupSummary, as ListBackups lists it.
    pub fn summary(&self) -> Value {
        json!({
            "TableName": self.source.name,
            "TableId": self.source.id,
            "TableArn": self.source.arn,
            "BackupArn": self.arn,
            "BackupName": self.name,
            "BackupCreationDateTime": self.created,
            "BackupStatus": "AVAILABLE",
            "BackupType": "USER",
            "BackupSizeBytes": self.size,
        })
    }

    /// BackupDescription with the given BackupStatus.
    pub fn description(&self, status: &str) -> Value {
        let t = &self.source;
        json!({
            "BackupDetails": self.details(status),
            "SourceTableDetails": {
                "TableName": t.name,
                "TableId": t.id,
                "TableArn": t.arn,
                "TableSizeBytes": self.size,
                "KeySchema": key_schema(&t.hash, &t.range),
                "TableCreationDateTime": t.created,
                "ProvisionedThroughput": {"ReadCapacityUnits": t.rcu, "WriteCapacityUnits": t.wcu},
                "ItemCount": self.count,
                "BillingMode": t.billing,
            },
            "SourceTableFeatureDetails": features(t),
        })
    }
}

/// SourceTableFeatureDetails: the indexes, stream, TTL and encryption the
/// table had when it was backed up.
fn features(t: &TableMeta) -> Value {
    let mut f = Map::new();
    if !t.lsis.is_empty() {
        let v = t.lsis.iter().map(|ix| {
            json!({"IndexName": ix.name, "KeySchema": key_schema(&ix.hash, &ix.range), "Projection": projection(ix)})
        });
        f.insert("LocalSecondaryIndexes".into(), Value::Array(v.collect()));
    }
    if !t.gsis.is_empty() {
        let v = t.gsis.iter().map(|ix| {
            json!({
                "IndexName": ix.name,
                "KeySchema": key_schema(&ix.hash, &ix.range),
                "Projection": projection(ix),
                "ProvisionedThroughput": {"ReadCapacityUnits": ix.rcu.unwrap_or(0), "WriteCapacityUnits": ix.wcu.unwrap_or(0)},
            })
        });
        f.insert("GlobalSecondaryIndexes".into(), Value::Array(v.collect()));
    }
    if let Some(view) = &t.stream_view {
        f.insert("StreamDescription".into(), json!({"StreamEnabled": true, "StreamViewType": view}));
    }
    if let (Some(attr), true) = (&t.ttl_attr, t.ttl_enabled) {
        f.insert("TimeToLiveDescription".into(), json!({"TimeToLiveStatus": "ENABLED", "AttributeName": attr}));
    }
    if let Some(sse) = &t.sse {
        f.insert("SSEDescription".into(), sse.clone());
    }
    Value::Object(f)
}
