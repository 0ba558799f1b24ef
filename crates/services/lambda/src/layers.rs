//! Layers: PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn,
//! ListLayers, ListLayerVersions, DeleteLayerVersion, and checking the
//! layers a function references. Store:
//! `lambda/{acct}/{region}/layer/{name}/{version:010}` → layer version;
//! the zip lives with function code (`lambda/code/{sha256 hex}`).
//!
//! Environments: AWS extracts a function's layers, in order, into `/opt`.
//! Stratus merges them, in order (a later layer's files replace an earlier
//! one's), into a directory of their own, `{base}/opt/{hash of the layer
//! list}`, made once per list. Where the OS gives environments a mount
//! namespace, that directory is bound read-only over `/opt` (the runtime
//! crate's `sandbox`). Either way its path is given to the function as
//! `STRATUS_LAMBDA_OPT` and wired in where AWS wires `/opt` (`envs`):
//! `bin/` on PATH, `lib/` on LD_LIBRARY_PATH, `python/` and
//! `python/lib/pythonX.Y/site-packages` on PYTHONPATH, `nodejs/node_modules`
//! and `nodejs/nodeNN/node_modules` on NODE_PATH, and `bootstrap` for
//! `provided` runtimes.

use crate::code;
use crate::db;
use crate::envs::StartError;
use crate::errors;
use crate::state::Shared;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Digest;
use std::path::PathBuf;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerRecord {
    pub output: Value,
    pub code_hex: String,
    /// Set by DeleteLayerVersion. As on AWS, a deleted version can no longer
    /// be seen or added to functions, but functions that already use it keep
    /// it (their new environments still unpack it), and its number is never
    /// given out again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

fn prefix(ctx: &RequestContext, name: &str) -> String {
    format!("{}layer/{name}/", db::prefix(ctx))
}

pub(crate) fn layer_arn(ctx: &RequestContext, name: &str) -> String {
    format!("arn:aws:lambda:{}:{}:layer:{name}", ctx.region, ctx.account_id)
}

pub async fn publish(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("LayerName")?.to_string();
    let content = input.get("Content").unwrap_or(&Value::Null);
    let pkg = match (content.str("ZipFile"), content.str("S3Bucket")) {
        (Some(zip), _) => code::accept(zip, input, ctx.operation)?,
        (None, Some(_)) => crate::s3code::fetch(s, ctx, content).await?,
        _ => return Err(errors::invalid("Please provide a source for layer code.")),
    };
    let p = prefix(ctx, &name);
    let last = s.store.scan_prefix(&p, true, Some(1))?;
    let version = last
        .first()
        .and_then(|(k, _)| String::from_utf8_lossy(k).rsplit('/').next().and_then(|v| v.parse::<u64>().ok()))
        .unwrap_or(0)
        + 1;
    let arn = layer_arn(ctx, &name);
    let mut out = json!({
        "Content": {
            "Location": format!("{}/_stratus/lambda/code/{}", s.settings.endpoint, pkg.hex),
            "CodeSha256": pkg.sha256,
            "CodeSize": pkg.zip.len(),
        },
        "LayerArn": arn,
        "LayerVersionArn": format!("{arn}:{version}"),
        "Description": input.str("Description").unwrap_or(""),
        "CreatedDate": crate::config::last_modified(),
        "Version": version,
    });
    for k in ["CompatibleRuntimes", "CompatibleArchitectures"] {
        if let Some(v) = input.get(k) {
            out[k] = v.clone();
        }
    }
    if let Some(l) = input.str("LicenseInfo") {
        out["LicenseInfo"] = l.into();
    }
    let rec = LayerRecord { output: out.clone(), code_hex: pkg.hex.clone(), deleted: false };
    let mut batch = stratus_store::WriteBatch::new();
    batch.put(format!("{p}{version:010}"), db::encode(&rec));
    if s.store.get(db::code_key(&pkg.hex))?.is_none() {
        batch.put(db::code_key(&pkg.hex), pkg.zip);
    }
    s.store.write(batch).await?;
    Ok(out)
}

/// A layer version that has not been deleted.
pub(crate) fn get_version(
    s: &Shared,
    ctx: &RequestContext,
    name: &str,
    version: i64,
) -> Result<Option<LayerRecord>, AwsError> {
    Ok(stored_version(s, ctx, name, version)?.filter(|r| !r.deleted))
}

/// A layer version as stored, deleted or not.
fn stored_version(s: &Shared, ctx: &RequestContext, name: &str, version: i64) -> Result<Option<LayerRecord>, AwsError> {
    if version < 1 {
        return Ok(None);
    }
    s.store.get(format!("{}{version:010}", prefix(ctx, name)))?.map(|b| db::decode(&b)).transpose()
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("LayerName")?;
    let v = version_number(input)?;
    get_version(s, ctx, name, v)?.map(|r| r.output).ok_or_else(missing)
}

/// GetLayerVersion's and GetLayerVersionByArn's answer for a missing version.
fn missing() -> AwsError {
    errors::not_found("The resource you requested does not exist.")
}

/// `VersionNumber`, which AWS requires to be at least 1.
fn version_number(input: &Value) -> Result<i64, AwsError> {
    let v = input.i64("VersionNumber").unwrap_or(0);
    if v < 1 {
        return Err(errors::invalid("Layer Version Cannot be less than 1"));
    }
    Ok(v)
}

/// Parses `arn:aws:lambda:{region}:{account}:layer:{name}:{version}`.
fn parse_arn(arn: &str) -> Option<(String, String, String, i64)> {
    let p: Vec<&str> = arn.split(':').collect();
    match p.as_slice() {
        ["arn", _, "lambda", region, account, "layer", name, v] => {
            Some((region.to_string(), account.to_string(), name.to_string(), v.parse().ok()?))
        }
        _ => None,
    }
}

/// The layer version an ARN names (any account of this Stratus), if it exists.
pub fn by_arn(s: &Shared, arn: &str) -> Result<Option<LayerRecord>, AwsError> {
    Ok(stored_by_arn(s, arn)?.filter(|r| !r.deleted))
}

/// [`by_arn`], deleted versions included (for functions that already use them).
fn stored_by_arn(s: &Shared, arn: &str) -> Result<Option<LayerRecord>, AwsError> {
    let Some((region, account, name, v)) = parse_arn(arn) else { return Ok(None) };
    let mut ctx = RequestContext::internal("lambda", "GetLayerVersionByArn");
    ctx.region = region;
    ctx.account_id = account;
    stored_version(s, &ctx, &name, v)
}

pub fn get_by_arn(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("Arn")?;
    by_arn(s, arn)?.map(|r| r.output).ok_or_else(missing)
}

/// Whether a layer version passes the CompatibleRuntime and
/// CompatibleArchitecture filters of ListLayers and ListLayerVersions.
fn matches(output: &Value, input: &Value) -> bool {
    let has = |list: &str, filter: &str| {
        input.str(filter).is_none_or(|want| output.list(list).iter().any(|v| v.as_str() == Some(want)))
    };
    has("CompatibleRuntimes", "CompatibleRuntime") && has("CompatibleArchitectures", "CompatibleArchitecture")
}

/// A layer version as the List operations show it.
fn listed(mut output: Value) -> Value {
    if let Some(m) = output.as_object_mut() {
        m.remove("Content");
        m.remove("LayerArn");
    }
    output
}

/// ListLayerVersions: newest first, filtered.
pub fn list_versions(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("LayerName")?;
    let mut out = Vec::new();
    for (_, v) in s.store.scan_prefix(prefix(ctx, name), true, None)? {
        let rec = db::decode::<LayerRecord>(&v)?;
        let o = rec.output;
        if !rec.deleted && matches(&o, input) {
            out.push(listed(o));
        }
    }
    Ok(json!({ "LayerVersions": out }))
}

/// ListLayers: each layer with its latest version that passes the filters.
pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let all = format!("{}layer/", db::prefix(ctx));
    let mut latest: std::collections::BTreeMap<String, Value> = Default::default();
    for (_, v) in s.store.scan_prefix(&all, false, None)? {
        let rec = db::decode::<LayerRecord>(&v)?;
        let o = rec.output;
        if rec.deleted || !matches(&o, input) {
            continue;
        }
        let arn = o.str("LayerArn").unwrap_or("").to_string();
        let name = arn.rsplit(':').next().unwrap_or("").to_string();
        latest.insert(name.clone(), json!({ "LayerName": name, "LayerArn": arn, "LatestMatchingVersion": listed(o) }));
    }
    Ok(json!({ "Layers": latest.into_values().collect::<Vec<_>>() }))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("LayerName")?;
    let v = version_number(input)?;
    if let Some(mut rec) = get_version(s, ctx, name, v)? {
        rec.deleted = true;
        let mut batch = stratus_store::WriteBatch::new();
        batch.put(format!("{}{v:010}", prefix(ctx, name)), db::encode(&rec));
        batch.delete(crate::layer_policy::key(ctx, name, v));
        s.store.write(batch).await?;
    }
    Ok(json!({}))
}

/// Checks a function's `Layers` and returns them as the configuration shows them.
pub fn resolve_for_function(s: &Shared, ctx: &RequestContext, arns: &[String]) -> Result<FunctionLayers, AwsError> {
    if arns.len() > 5 {
        return Err(errors::invalid("Cannot reference more than 5 layers."));
    }
    let mut out = Vec::new();
    let mut unzipped = 0u64;
    let mut seen: Vec<&str> = Vec::new();
    for arn in arns {
        let layer = arn.rsplit_once(':').map_or(arn.as_str(), |(l, _)| l);
        if let Some(first) = seen.iter().find(|a| a.rsplit_once(':').map(|(l, _)| l) == Some(layer)) {
            return Err(errors::invalid(format!(
                "Two different versions of the same layer are not allowed to be referenced in the same function. {first} and {arn} are versions of the same layer."
            )));
        }
        seen.push(arn);
        if let Some((region, ..)) = parse_arn(arn)
            && region != ctx.region
        {
            return Err(errors::invalid(format!(
                "Layers are not in the same region as the function. Layers are expected to be in region {}.",
                ctx.region
            )));
        }
        let rec = by_arn(s, arn)?.ok_or_else(|| errors::invalid(format!("Layer version {arn} does not exist.")))?;
        unzipped = unzipped.saturating_add(crate::code::stored_unzipped(&s.store, &rec.code_hex)?);
        out.push(
            json!({ "Arn": arn, "CodeSize": rec.output.get("Content").and_then(|c| c.i64("CodeSize")).unwrap_or(0) }),
        );
    }
    Ok(FunctionLayers { entries: out, unzipped })
}

/// The layers a function names: its `Layers` entries and their unpacked size.
pub struct FunctionLayers {
    pub entries: Vec<Value>,
    pub unzipped: u64,
}

/// The directory standing in for `/opt`: the layers `config` names merged
/// in order; `None` without layers. Made on first use (see the module comment).
pub async fn opt_dir(s: &Shared, config: &Value) -> Result<Option<PathBuf>, StartError> {
    let arns: Vec<&str> = config.list("Layers").iter().filter_map(|l| l.str("Arn")).collect();
    if arns.is_empty() {
        return Ok(None);
    }
    let mut hexes = Vec::with_capacity(arns.len());
    for arn in &arns {
        let rec = stored_by_arn(s, arn).map_err(StartError::Internal)?.ok_or_else(|| StartError::Init {
            error_type: "Runtime.InvalidEntrypoint".into(),
            message: format!("RequestId: {{rid}} Error: Layer version {arn} does not exist."),
        })?;
        hexes.push(rec.code_hex);
    }
    let key = hex::encode(sha2::Sha256::digest(hexes.join("/").as_bytes()));
    let root = s.opt_root();
    if root.join(&key).is_dir() {
        return Ok(Some(root.join(key)));
    }
    let mut zips = Vec::with_capacity(hexes.len());
    for h in &hexes {
        let zip = s.store.get(db::code_key(h)).map_err(|e| StartError::Internal(e.into()))?;
        zips.push(zip.ok_or_else(|| StartError::Internal(AwsError::internal("layer code missing from the store")))?);
    }
    let dir = tokio::task::spawn_blocking(move || {
        let parts: Vec<&[u8]> = zips.iter().map(Vec::as_slice).collect();
        code::unpack_all(&root, &key, &parts)
    })
    .await
    .map_err(|e| StartError::Internal(AwsError::internal(e.to_string())))?
    .map_err(|e| StartError::Internal(AwsError::internal(format!("cannot unpack the function's layers: {e}"))))?;
    Ok(Some(dir))
}
