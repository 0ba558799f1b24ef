//! Lambda's state in the store, under `lambda/{account}/{region}/`:
//! `fn/{name}` → function record ($LATEST configuration, reserved
//! concurrency, tags, last published version), `ver/{name}/{n:010}` →
//! published version, `alias/{name}/{alias}` → alias configuration; and
//! `lambda/code/{sha256 hex}` → the zip, shared by content. Each version or
//! alias may also own `eic/`, `policy/`, `pc/`, `urlcfg/` and `rtm/` records
//! (`{kind}/{name}/{qualifier}`), removed with it (`forget_qualifier`).

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
    /// The code signing configuration's ARN (`codesigning`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_signing: Option<String>,
    /// `RecursiveLoop` when set by PutFunctionRecursionConfig (`recursion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursion: Option<String>,
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

/// The function record `name`, or AWS's not-found error for its ARN.
pub fn require_function(store: &Store, ctx: &RequestContext, name: &str) -> Result<FunctionRecord, AwsError> {
    get_function(store, ctx, name)?
        .ok_or_else(|| crate::errors::function_not_found(&crate::names::function_arn(ctx, name)))
}

/// Reads the function record `name` in a transaction, lets `f` change it
/// (or refuse), and writes it back; AWS's not-found error without it.
pub async fn modify_function<T: Send + 'static>(
    store: &Store,
    ctx: &RequestContext,
    name: &str,
    f: impl Fn(&mut FunctionRecord) -> Result<T, AwsError> + Send + 'static,
) -> Result<T, AwsError> {
    let key = fn_key(ctx, name);
    let arn = crate::names::function_arn(ctx, name);
    store
        .transact(move |txn| {
            let mut rec: FunctionRecord = match txn.get(&key)? {
                Some(b) => decode(&b)?,
                None => return Err(crate::errors::function_not_found(&arn)),
            };
            let out = f(&mut rec)?;
            txn.put(key.clone(), encode(&rec));
            Ok(out)
        })
        .await
}

/// Per-qualifier record kinds (event-invoke config, resource policy,
/// provisioned concurrency, function URL, runtime management), each at `{kind}/{name}/{qualifier}`.
const QUALIFIER_KINDS: &[&str] = &["eic", "policy", "pc", "urlcfg", "rtm"];

/// Adds to `batch` the deletes of what version or alias `qualifier` of
/// `name` owns: its event-invoke config, policy statements, provisioned
/// concurrency config and URL (with the URL's own record).
pub fn forget_qualifier(
    store: &Store,
    ctx: &RequestContext,
    name: &str,
    qualifier: &str,
    batch: &mut stratus_store::WriteBatch,
) -> Result<(), AwsError> {
    let p = prefix(ctx);
    if let Some(id) = store.get(format!("{p}urlcfg/{name}/{qualifier}"))? {
        batch.delete(format!("lambda/url/{}", String::from_utf8_lossy(&id)));
    }
    for kind in QUALIFIER_KINDS {
        batch.delete(format!("{p}{kind}/{name}/{qualifier}"));
    }
    Ok(())
}

/// Adds to `batch` the deletes of every per-qualifier record of `name`
/// (when the function itself is deleted).
pub fn forget_all_qualifiers(
    store: &Store,
    ctx: &RequestContext,
    name: &str,
    batch: &mut stratus_store::WriteBatch,
) -> Result<(), AwsError> {
    let p = prefix(ctx);
    for (_, id) in store.scan_prefix(format!("{p}urlcfg/{name}/"), false, None)? {
        batch.delete(format!("lambda/url/{}", String::from_utf8_lossy(&id)));
    }
    for kind in QUALIFIER_KINDS {
        batch.delete_prefix(format!("{p}{kind}/{name}/"));
    }
    Ok(())
}
