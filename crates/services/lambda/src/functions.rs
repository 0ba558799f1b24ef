//! CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions,
//! UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction.

use crate::code;
use crate::config;
use crate::db::{self, FunctionRecord, VersionRecord};
use crate::errors;
use crate::names;
use crate::resolve;
use crate::state::Shared;
use crate::versions;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

fn pool_prefix(ctx: &RequestContext, name: &str) -> String {
    format!("{}/{}/{name}/", ctx.account_id, ctx.region)
}

/// Reads `Code` (an uploaded zip, or an object in S3) of `request` into a
/// checked package.
async fn package(
    s: &Shared,
    ctx: &RequestContext,
    request: &Value,
    code_in: Option<&Value>,
) -> Result<code::Package, AwsError> {
    let Some(c) = code_in else {
        return Err(errors::invalid("Please provide a source for function code."));
    };
    if let Some(z) = c.str("ZipFile") {
        return code::accept(z, request, ctx.operation);
    }
    if c.str("S3Bucket").is_some() {
        return crate::s3code::fetch(s, ctx, c).await;
    }
    if c.str("ImageUri").is_some() {
        return Err(errors::invalid("Container image functions are not supported by Stratus."));
    }
    Err(errors::invalid("Please provide a source for function code."))
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    let name = r.name;
    let pkg = package(s, ctx, input, input.get("Code")).await?;
    if input.str("PackageType") == Some("Image") {
        return Err(errors::invalid("Container image functions are not supported by Stratus."));
    }
    config::check_runtime_and_handler(input)?;
    let signing = input.str("CodeSigningConfigArn");
    crate::codesigning::check_deploy(s, ctx, signing)?;
    let layers = crate::layers::resolve_for_function(s, ctx, &input.str_list("Layers"))?;
    code::check_combined(pkg.unzipped, layers.unzipped)?;
    let arn = names::function_arn(ctx, &name);
    let mut cfg = config::new_config(input, &arn, &name, &pkg.sha256, pkg.zip.len())?;
    if !layers.entries.is_empty() {
        cfg["Layers"] = Value::Array(layers.entries);
    }
    let tags: Map<String, Value> = input.get("Tags").and_then(Value::as_object).cloned().unwrap_or_default();
    let publish = input.bool("Publish").unwrap_or(false);
    let mut record = FunctionRecord {
        config: cfg,
        code_hex: pkg.hex.clone(),
        reserved: None,
        tags,
        last_version: 0,
        code_signing: signing.map(str::to_string),
        recursion: None,
    };
    let code_key = db::code_key(&pkg.hex);
    let fn_key = db::fn_key(ctx, &name);
    let mut published = None;
    if publish {
        let (rec, ver) = versions::new_version(ctx, &record, None);
        published = Some(ver);
        record = rec;
    }
    let (fn_bytes, zip) = (db::encode(&record), pkg.zip);
    let ver_write = published.as_ref().map(|v| (db::ver_key(ctx, &name, record.last_version), db::encode(v)));
    let name2 = name.clone();
    s.store
        .transact(move |txn| {
            if txn.get(&fn_key)?.is_some() {
                return Err(errors::conflict(format!("Function already exist: {name2}")));
            }
            if txn.get(&code_key)?.is_none() {
                txn.put(code_key.clone(), zip.clone());
            }
            txn.put(fn_key.clone(), fn_bytes.clone());
            if let Some((k, v)) = &ver_write {
                txn.put(k.clone(), v.clone());
            }
            Ok::<_, AwsError>(())
        })
        .await?;
    if let Some(v) = &published {
        s.snapstart.published(ctx, &v.config);
    }
    stratus_runtime::bootstraps::prepare(record.config.str("Runtime").unwrap_or(""));
    Ok(config::as_created(&record.config))
}

pub fn get_configuration(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    Ok(resolve::version(s, ctx, &r, false)?.config.as_ref().clone())
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    let res = resolve::version(s, ctx, &r, false)?;
    let mut out = json!({
        "Configuration": res.config.as_ref(),
        "Code": {
            "RepositoryType": "S3",
            "Location": format!("{}/_stratus/lambda/code/{}", s.settings.endpoint, res.code_hex),
        },
    });
    if !res.record.tags.is_empty() {
        out["Tags"] = Value::Object(res.record.tags.clone());
    }
    if let Some(n) = res.record.reserved {
        out["Concurrency"] = json!({ "ReservedConcurrentExecutions": n });
    }
    Ok(out)
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let all_versions = input.str("FunctionVersion") == Some("ALL");
    let max = input.i64("MaxItems").unwrap_or(50).clamp(1, 50) as usize;
    let marker = input.str("Marker").unwrap_or("");
    let prefix = format!("{}fn/", db::prefix(ctx));
    let mut items = Vec::new();
    for (k, v) in s.store.scan_prefix(&prefix, false, None)? {
        let rec: FunctionRecord = db::decode(&v)?;
        let name = String::from_utf8_lossy(&k[prefix.len()..]).to_string();
        items.push((format!("{name}\u{0}"), rec.config.clone()));
        if all_versions {
            for (vk, vv) in s.store.scan_prefix(db::ver_prefix(ctx, &name), false, None)? {
                let ver: VersionRecord = db::decode(&vv)?;
                let n = String::from_utf8_lossy(&vk).rsplit('/').next().unwrap_or("").to_string();
                items.push((format!("{name}\u{0}{n}"), ver.config));
            }
        }
    }
    let start =
        if marker.is_empty() { 0 } else { items.iter().position(|(k, _)| k.as_str() > marker).unwrap_or(items.len()) };
    let page: Vec<_> = items.iter().skip(start).take(max).collect();
    let mut out = json!({ "Functions": page.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>() });
    if start + max < items.len()
        && let Some((k, _)) = page.last()
    {
        out["NextMarker"] = k.clone().into();
    }
    Ok(out)
}

fn check_revision(input: &Value, current: &Value, api: &str) -> Result<(), AwsError> {
    if let Some(rev) = input.str("RevisionId")
        && current.str("RevisionId") != Some(rev)
    {
        return Err(errors::precondition(api));
    }
    Ok(())
}

/// AWS's refusal of a version or alias where only a function will do.
pub(crate) fn unqualified(r: &names::FnRef) -> Result<(), AwsError> {
    if r.qualifier.is_some() {
        return Err(errors::invalid(
            "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.",
        ));
    }
    Ok(())
}

pub async fn update_code(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    unqualified(&r)?;
    let pkg = package(s, ctx, input, Some(input)).await?;
    let publish = input.bool("Publish").unwrap_or(false);
    let key = db::fn_key(ctx, &r.name);
    if let Some(current) = s.store.get(&key)? {
        let current: FunctionRecord = db::decode(&current)?;
        crate::codesigning::check_deploy(s, ctx, current.code_signing.as_deref())?;
        let arns: Vec<String> =
            current.config.list("Layers").iter().filter_map(|l| l.str("Arn")).map(str::to_string).collect();
        code::check_combined(pkg.unzipped, crate::layers::resolve_for_function(s, ctx, &arns)?.unzipped)?;
    }
    let code_key = db::code_key(&pkg.hex);
    let (sha, size, hex, zip) = (pkg.sha256.clone(), pkg.zip.len(), pkg.hex.clone(), pkg.zip);
    let arn = names::function_arn(ctx, &r.name);
    let name = r.name.clone();
    let (input, ctx2) = (input.clone(), ctx.clone());
    let (record, published) = s
        .store
        .transact(move |txn| {
            let mut rec: FunctionRecord = match txn.get(&key)? {
                Some(b) => db::decode(&b)?,
                None => return Err(errors::function_not_found(&arn)),
            };
            check_revision(&input, &rec.config, "GetFunction")?;
            rec.config["CodeSha256"] = sha.clone().into();
            rec.config["CodeSize"] = size.into();
            rec.code_hex = hex.clone();
            config::touch(&mut rec.config);
            if txn.get(&code_key)?.is_none() {
                txn.put(code_key.clone(), zip.clone());
            }
            let mut ver = None;
            if publish {
                let (r2, v) = versions::new_version(&ctx2, &rec, None);
                txn.put(db::ver_key(&ctx2, &name, r2.last_version), db::encode(&v));
                ver = Some(v);
                rec = r2;
            }
            txn.put(key.clone(), db::encode(&rec));
            Ok::<_, AwsError>((rec, ver))
        })
        .await?;
    if let Some(v) = &published {
        s.snapstart.published(ctx, &v.config);
    }
    s.pool.drain(&format!("{}$LATEST/", pool_prefix(ctx, &r.name)));
    stratus_runtime::bootstraps::prepare(record.config.str("Runtime").unwrap_or(""));
    Ok(config::as_updating(&record.config))
}

pub async fn update_configuration(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    unqualified(&r)?;
    let key = db::fn_key(ctx, &r.name);
    let arn = names::function_arn(ctx, &r.name);
    let layers = match input.get("Layers") {
        Some(_) => Some(crate::layers::resolve_for_function(s, ctx, &input.str_list("Layers"))?),
        None => None,
    };
    if let (Some(l), Some(current)) = (&layers, s.store.get(&key)?) {
        let current: FunctionRecord = db::decode(&current)?;
        code::check_combined(code::stored_unzipped(&s.store, &current.code_hex)?, l.unzipped)?;
    }
    let layers = layers.map(|l| l.entries);
    let input = input.clone();
    let record = s
        .store
        .transact(move |txn| {
            let mut rec: FunctionRecord = match txn.get(&key)? {
                Some(b) => db::decode(&b)?,
                None => return Err(errors::function_not_found(&arn)),
            };
            check_revision(&input, &rec.config, "GetFunction")?;
            config::update_config(&mut rec.config, &input)?;
            match &layers {
                Some(l) if l.is_empty() => {
                    if let Some(o) = rec.config.as_object_mut() {
                        o.remove("Layers");
                    }
                }
                Some(l) => rec.config["Layers"] = Value::Array(l.clone()),
                None => {}
            }
            txn.put(key.clone(), db::encode(&rec));
            Ok::<_, AwsError>(rec)
        })
        .await?;
    s.pool.drain(&format!("{}$LATEST/", pool_prefix(ctx, &r.name)));
    stratus_runtime::bootstraps::prepare(record.config.str("Runtime").unwrap_or(""));
    Ok(config::as_updating(&record.config))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    let rec = resolve::function(&s.store, ctx, &r)?;
    match r.qualifier.as_deref() {
        Some("$LATEST") => {
            return Err(errors::invalid("$LATEST version cannot be deleted without deleting the function."));
        }
        Some(q) if names::is_version(q) => {
            let n: u64 = q.parse().unwrap_or(0);
            if db::get_version(&s.store, ctx, &r.name, n)?.is_none() {
                return Ok(json!({}));
            }
            for (_, a) in s.store.scan_prefix(db::alias_prefix(ctx, &r.name), false, None)? {
                let alias: Value = db::decode(&a)?;
                if alias.str("FunctionVersion") == Some(q) {
                    return Err(errors::conflict(format!(
                        "Unable to delete version because the following aliases reference it: [{}]",
                        alias.str("Name").unwrap_or("")
                    )));
                }
            }
            let mut batch = stratus_store::WriteBatch::new();
            batch.delete(db::ver_key(ctx, &r.name, n));
            db::forget_qualifier(&s.store, ctx, &r.name, q, &mut batch)?;
            s.store.write(batch).await?;
            s.pool.drain(&format!("{}{q}/", pool_prefix(ctx, &r.name)));
            return Ok(json!({}));
        }
        Some(_) => {
            return Err(errors::invalid("Deletion of aliases is not supported. Please use DeleteAlias API."));
        }
        None => {}
    }
    let _ = rec;
    let mut batch = stratus_store::WriteBatch::new();
    db::forget_all_qualifiers(&s.store, ctx, &r.name, &mut batch)?;
    batch
        .delete(db::fn_key(ctx, &r.name))
        .delete_prefix(db::ver_prefix(ctx, &r.name))
        .delete_prefix(db::alias_prefix(ctx, &r.name));
    s.store.write(batch).await?;
    s.pool.drain(&pool_prefix(ctx, &r.name));
    s.counters.set_reserved(ctx, &r.name, None);
    Ok(json!({}))
}
