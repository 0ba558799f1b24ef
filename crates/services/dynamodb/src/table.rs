//! Table metadata as stored (`TableMeta`, JSON), its rendering as AWS's
//! TableDescription, and the key-schema checks every item operation shares
//! (key extraction and validation with AWS's messages).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{DdbError, invalid, validation};
use crate::keys::encode_value;
use crate::types::{AttrValue, Item};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeyAttr {
    pub name: String,
    /// `S`, `N` or `B`.
    pub ty: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexMeta {
    pub name: String,
    pub hash: KeyAttr,
    pub range: Option<KeyAttr>,
    pub projection_type: String,
    pub non_key: Vec<String>,
    pub rcu: Option<i64>,
    pub wcu: Option<i64>,
    /// `ACTIVE`; or, for a GSI added or dropped by UpdateTable, `CREATING`
    /// while it is backfilled and `DELETING` while its entries are removed.
    pub status: String,
}

impl IndexMeta {
    /// Whether writes maintain this index (every state but DELETING).
    pub fn is_live(&self) -> bool {
        self.status != "DELETING"
    }
}

/// Enabled point-in-time recovery: since when, and for how many days back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pitr {
    pub since: f64,
    pub days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableMeta {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub created: f64,
    pub hash: KeyAttr,
    pub range: Option<KeyAttr>,
    pub attrs: Vec<KeyAttr>,
    pub billing: String,
    pub rcu: i64,
    pub wcu: i64,
    pub gsis: Vec<IndexMeta>,
    pub lsis: Vec<IndexMeta>,
    pub stream_view: Option<String>,
    pub stream_label: Option<String>,
    pub sse: Option<Value>,
    pub table_class: Option<String>,
    pub deletion_protection: bool,
    pub tags: Vec<(String, String)>,
    pub ttl_attr: Option<String>,
    pub ttl_enabled: bool,
    pub status: String,
    /// Point-in-time recovery settings, while enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pitr: Option<Pitr>,
    /// RestoreSummary of a table made by a restore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<Value>,
    /// Hash of the stored bytes this was decoded from (0 when not from the
    /// store), so a write can tell inside its transaction whether the table
    /// changed since it was loaded.
    #[serde(skip)]
    pub raw_hash: u64,
}

pub(crate) fn key_schema(hash: &KeyAttr, range: &Option<KeyAttr>) -> Value {
    let mut v = vec![json!({"AttributeName": hash.name, "KeyType": "HASH"})];
    if let Some(r) = range {
        v.push(json!({"AttributeName": r.name, "KeyType": "RANGE"}));
    }
    Value::Array(v)
}

pub(crate) fn projection(ix: &IndexMeta) -> Value {
    let mut p = Map::new();
    p.insert("ProjectionType".into(), json!(ix.projection_type));
    if !ix.non_key.is_empty() {
        p.insert("NonKeyAttributes".into(), json!(ix.non_key));
    }
    Value::Object(p)
}

impl TableMeta {
    /// The index called `name`, unless it is being deleted.
    pub fn index(&self, name: &str) -> Option<&IndexMeta> {
        self.live_indexes().find(|i| i.name == name)
    }

    /// The indexes writes maintain: all but a GSI being deleted.
    pub fn live_indexes(&self) -> impl Iterator<Item = &IndexMeta> {
        self.gsis.iter().chain(self.lsis.iter()).filter(|i| i.is_live())
    }

    /// The index a Query or Scan names, with AWS's answers for one that is
    /// missing (or being deleted) and one still being backfilled.
    pub fn readable_index(&self, name: &str) -> Result<&IndexMeta, DdbError> {
        match self.index(name) {
            None => Err(validation(format!("The table does not have the specified index: {name}"))),
            Some(ix) if ix.status == "CREATING" => {
                Err(validation(format!("Cannot read from backfilling global secondary index: {name}")))
            }
            Some(ix) => Ok(ix),
        }
    }

    /// A GSI being created or deleted, if any (the table is UPDATING meanwhile).
    pub fn index_in_transition(&self) -> Option<&IndexMeta> {
        self.gsis.iter().find(|g| g.status != "ACTIVE")
    }

    pub fn is_lsi(&self, name: &str) -> bool {
        self.lsis.iter().any(|i| i.name == name)
    }

    /// TableDescription as DescribeTable returns it; `counts` is
    /// (ItemCount, TableSizeBytes), and per-index counts by name.
    pub fn describe(&self, counts: (u64, u64), index_counts: &dyn Fn(&str) -> (u64, u64)) -> Value {
        let mut d = Map::new();
        d.insert(
            "AttributeDefinitions".into(),
            Value::Array(self.attrs.iter().map(|a| json!({"AttributeName": a.name, "AttributeType": a.ty})).collect()),
        );
        d.insert("TableName".into(), json!(self.name));
        d.insert("KeySchema".into(), key_schema(&self.hash, &self.range));
        let status = if self.index_in_transition().is_some() { "UPDATING" } else { self.status.as_str() };
        d.insert("TableStatus".into(), json!(status));
        d.insert("CreationDateTime".into(), json!(self.created));
        let throughput =
            |r: i64, w: i64| json!({"NumberOfDecreasesToday": 0, "ReadCapacityUnits": r, "WriteCapacityUnits": w});
        d.insert("ProvisionedThroughput".into(), throughput(self.rcu, self.wcu));
        d.insert("TableSizeBytes".into(), json!(counts.1));
        d.insert("ItemCount".into(), json!(counts.0));
        d.insert("TableArn".into(), json!(self.arn));
        d.insert("TableId".into(), json!(self.id));
        if self.billing == "PAY_PER_REQUEST" {
            d.insert(
                "BillingModeSummary".into(),
                json!({"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": self.created}),
            );
        }
        if !self.lsis.is_empty() {
            let v: Vec<Value> = self
                .lsis
                .iter()
                .map(|ix| {
                    let (n, s) = index_counts(&ix.name);
                    json!({
                        "IndexName": ix.name,
                        "KeySchema": key_schema(&ix.hash, &ix.range),
                        "Projection": projection(ix),
                        "IndexSizeBytes": s,
                        "ItemCount": n,
                        "IndexArn": format!("{}/index/{}", self.arn, ix.name),
                    })
                })
                .collect();
            d.insert("LocalSecondaryIndexes".into(), Value::Array(v));
        }
        if !self.gsis.is_empty() {
            let v: Vec<Value> = self
                .gsis
                .iter()
                .map(|ix| {
                    let (n, s) = index_counts(&ix.name);
                    let mut g = json!({
                        "IndexName": ix.name,
                        "KeySchema": key_schema(&ix.hash, &ix.range),
                        "Projection": projection(ix),
                        "IndexStatus": ix.status,
                        "ProvisionedThroughput": throughput(ix.rcu.unwrap_or(0), ix.wcu.unwrap_or(0)),
                        "IndexSizeBytes": s,
                        "ItemCount": n,
                        "IndexArn": format!("{}/index/{}", self.arn, ix.name),
                    });
                    if let Some(o) = g.as_object_mut() {
                        if ix.status == "CREATING" {
                            o.insert("Backfilling".into(), json!(true));
                        }
                        let (wr, ww) = self.warm_throughput(ix.rcu.unwrap_or(0), ix.wcu.unwrap_or(0));
                        o.insert(
                            "WarmThroughput".into(),
                            json!({"ReadUnitsPerSecond": wr, "WriteUnitsPerSecond": ww, "Status": "ACTIVE"}),
                        );
                    }
                    g
                })
                .collect();
            d.insert("GlobalSecondaryIndexes".into(), Value::Array(v));
        }
        if let Some(view) = &self.stream_view {
            d.insert("StreamSpecification".into(), json!({"StreamEnabled": true, "StreamViewType": view}));
        }
        if let Some(label) = &self.stream_label {
            d.insert("LatestStreamLabel".into(), json!(label));
            d.insert("LatestStreamArn".into(), json!(format!("{}/stream/{label}", self.arn)));
        }
        if let Some(sse) = &self.sse {
            d.insert("SSEDescription".into(), sse.clone());
        }
        if let Some(class) = &self.table_class {
            d.insert("TableClassSummary".into(), json!({"TableClass": class}));
        }
        d.insert("DeletionProtectionEnabled".into(), json!(self.deletion_protection));
        if let Some(r) = &self.restore {
            d.insert("RestoreSummary".into(), r.clone());
        }
        let (wr, ww) = self.warm_throughput(self.rcu, self.wcu);
        d.insert(
            "WarmThroughput".into(),
            json!({"ReadUnitsPerSecond": wr, "WriteUnitsPerSecond": ww, "Status": "ACTIVE"}),
        );
        Value::Object(d)
    }

    /// WarmThroughput units of the table or a GSI: on demand, AWS's
    /// defaults (recorded: 12000 reads, 4000 writes); else the provisioned ones.
    fn warm_throughput(&self, rcu: i64, wcu: i64) -> (i64, i64) {
        if self.billing == "PAY_PER_REQUEST" { (12000, 4000) } else { (rcu, wcu) }
    }

    /// Checks a key given as `Key` (exactly the key attributes, right types).
    pub fn check_key(&self, key: &Item) -> Result<(), DdbError> {
        let expected = 1 + usize::from(self.range.is_some());
        if key.len() != expected {
            return Err(validation("The provided key element does not match the schema"));
        }
        for ka in std::iter::once(&self.hash).chain(self.range.iter()) {
            match key.get(&ka.name) {
                Some(v) if v.type_name() == ka.ty => check_key_value(&ka.name, v, std::ptr::eq(ka, &self.hash))?,
                _ => return Err(validation("The provided key element does not match the schema")),
            }
        }
        Ok(())
    }

    /// Checks the key attributes of a full item (PutItem).
    pub fn check_item_key(&self, item: &Item) -> Result<(), DdbError> {
        for (ka, is_hash) in std::iter::once((&self.hash, true)).chain(self.range.iter().map(|r| (r, false))) {
            match item.get(&ka.name) {
                None => return Err(invalid(format!("Missing the key {} in the item", ka.name))),
                Some(v) if v.type_name() != ka.ty => {
                    return Err(invalid(format!(
                        "Type mismatch for key {} expected: {} actual: {}",
                        ka.name,
                        ka.ty,
                        v.type_name()
                    )));
                }
                Some(v) => check_key_value(&ka.name, v, is_hash)?,
            }
        }
        // Index keys present in the item must have the declared type.
        for ix in self.live_indexes() {
            for ka in std::iter::once(&ix.hash).chain(ix.range.iter()) {
                if let Some(v) = item.get(&ka.name) {
                    if v.type_name() != ka.ty {
                        return Err(invalid(format!(
                            "Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {}",
                            ka.name,
                            ka.ty,
                            v.type_name(),
                            ix.name
                        )));
                    }
                    if is_empty_scalar(v) {
                        return Err(invalid(format!(
                            "Index key attribute {} in the item cannot be empty: IndexName: {}",
                            ka.name, ix.name
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The primary key of an item.
    pub fn key_of(&self, item: &Item) -> Item {
        let mut k = Item::new();
        for ka in std::iter::once(&self.hash).chain(self.range.iter()) {
            if let Some(v) = item.get(&ka.name) {
                k.insert(ka.name.clone(), v.clone());
            }
        }
        k
    }

    /// The encoded primary key (suffix after the items prefix).
    pub fn encode_key(&self, item: &Item) -> Vec<u8> {
        let mut out = Vec::with_capacity(32);
        if let Some(v) = item.get(&self.hash.name) {
            encode_value(v, &mut out);
        }
        if let Some(r) = &self.range
            && let Some(v) = item.get(&r.name)
        {
            encode_value(v, &mut out);
        }
        out
    }

    pub fn is_key_attr(&self, name: &str) -> bool {
        self.hash.name == name || self.range.as_ref().is_some_and(|r| r.name == name)
    }
}

fn is_empty_scalar(v: &AttrValue) -> bool {
    matches!(v, AttrValue::S(s) if s.is_empty()) || matches!(v, AttrValue::B(b) if b.is_empty())
}

fn check_key_value(name: &str, v: &AttrValue, is_hash: bool) -> Result<(), DdbError> {
    if is_empty_scalar(v) {
        return Err(validation(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: {name}"
        )));
    }
    let size = match v {
        AttrValue::S(s) => s.len(),
        AttrValue::B(b) => b.len(),
        _ => 0,
    };
    if is_hash && size > 2048 {
        return Err(invalid("Size of hashkey has exceeded the maximum size limit of2048 bytes"));
    }
    if !is_hash && size > 1024 {
        return Err(invalid("Aggregated size of all range keys has exceeded the size limit of 1024 bytes"));
    }
    Ok(())
}
