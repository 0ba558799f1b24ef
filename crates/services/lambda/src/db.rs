//! Lambda's state in the store, under `lambda/{account}/{region}/`:
//! `fn/{name}` → function record ($LATEST configuration, reserved
//! concurrency, tags, last published version), `ver/{name}/{n:010}` →
//! published version, `alias/{name}/{alias}` → alias configuration; and
//! `lambda/code/{sha256 hex}` → the zip, shared by content.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use stratus_core::{AwsError, RequestContext};
use stratus_store::Store;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FunctionRecord {
    /// `$LATEST` as GetFunctionConfiguration returns it.
    pub config: Value,
    pub code_hex: String,
    #[serde(default)]
    pub reserved: Option<i64>,
    #[serde(default)]
    pub tags: Map<String, Value>,
    #[serde(default)]
    pub last_version: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionRecord {
    pub config: Value,
    pub code_hex: String,
}

pub fn prefix(ctx: &RequestContext) -> String {
    format!("lambda/{}/{}/", ctx.account_id, ctx.region)
}

pub fn fn_key(ctx: &RequestContext, name: &str) -> String {
    format!("{}fn/{name}", prefix(ctx))
}

pub fn ver_prefix(ctx: &RequestContext, name: &str) -> String {
    format!("{}ver/{name}/", prefix(ctx))
}

pub fn ver_key(ctx: &RequestContext, name: &str, v: u64) -> String {
    format!("{}{v:010}", ver_prefix(ctx, name))
}

pub fn alias_prefix(ctx: &RequestContext, name: &str) -> String {
    format!("{}alias/{name}/", prefix(ctx))
}

pub fn alias_key(ctx: &RequestContext, name: &str, alias: &str) -> String {
    format!("{}{alias}", alias_prefix(ctx, name))
}

pub fn code_key(hex: &str) -> String {
    format!("lambda/code/{hex}")
}

pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, AwsError> {
    serde_json::from_slice(bytes).map_err(|e| AwsError::internal(format!("corrupt lambda record: {e}")))
}

pub fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

pub fn get_function(store: &Store, ctx: &RequestContext, name: &str) -> Result<Option<FunctionRecord>, AwsError> {
    store.get(fn_key(ctx, name))?.map(|b| decode(&b)).transpose()
}

pub fn get_version(store: &Store, ctx: &RequestContext, name: &str, v: u64) -> Result<Option<VersionRecord>, AwsError> {
    store.get(ver_key(ctx, name, v))?.map(|b| decode(&b)).transpose()
}

pub fn get_alias(store: &Store, ctx: &RequestContext, name: &str, alias: &str) -> Result<Option<Value>, AwsError> {
    store.get(alias_key(ctx, name, alias))?.map(|b| decode(&b)).transpose()
}
