//! IAM users' access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey,
//! DeleteAccessKey and GetAccessKeyLastUsed, with IAM's two-keys-per-user
//! quota. Every key is also written as a `Credential` under
//! `credential_key(akid)`, which is what the front door reads to map the
//! key to its account and secret (and to refuse it once Inactive).

use crate::caller;
use crate::db::{self};
use crate::errors;
use crate::keys;
use crate::pagination;
use crate::users::{self, User};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stratus_core::credentials::{Credential, credential_key};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock, ids};
use stratus_store::{Store, Txn};

/// IAM's quota of access keys per user.
const MAX_KEYS: usize = 2;

/// An access key's metadata (its secret lives only in the `Credential`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccessKey {
    user_name: String,
    access_key_id: String,
    status: String,
    create_date: f64,
}

impl AccessKey {
    fn to_json(&self) -> Value {
        json!({
            "UserName": self.user_name,
            "AccessKeyId": self.access_key_id,
            "Status": self.status,
            "CreateDate": self.create_date,
        })
    }
}

fn not_found(access_key_id: &str) -> AwsError {
    errors::no_such_entity(format!("The Access Key with id {access_key_id} cannot be found."))
}

/// The user an access-key operation is about: `UserName`, else the calling
/// IAM user, else (for operations naming a key) the key's owner.
fn owner(store: &Store, ctx: &RequestContext, input: &Value) -> Result<String, AwsError> {
    if let Some(name) = users::target_name(store, ctx, input)? {
        return Ok(name);
    }
    if let Some(akid) = input.str("AccessKeyId") {
        let cred = caller::credential(store, akid)?.filter(|c| c.account_id == ctx.account_id);
        return cred
            .as_ref()
            .and_then(|c| caller::user_name_of(&c.principal_arn))
            .map(str::to_string)
            .ok_or_else(|| not_found(akid));
    }
    Err(errors::validation("Must specify userName when calling with non-User credentials"))
}

fn load_credential(txn: &Txn<'_>, access_key_id: &str) -> Result<Option<Credential>, AwsError> {
    match txn.get(credential_key(access_key_id))? {
        Some(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        None => Ok(None),
    }
}

fn save_credential(txn: &mut Txn<'_>, cred: &Credential) -> Result<(), AwsError> {
    let bytes = serde_json::to_vec(cred)
        .map_err(|e| AwsError::new(500, "ServiceFailure", format!("cannot encode credential: {e}")))?;
    txn.put(credential_key(&cred.access_key_id), bytes);
    Ok(())
}

/// CreateAccessKey.
pub async fn create(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = owner(store, ctx, input)?;
    let access_key_id = ids::iam_id("AKIA");
    let secret = ids::secret_key();
    let (key, secret) = store
        .transact(move |txn| {
            let user = users::require(txn, &account, &name)?;
            if db::keys_with_prefix(txn, &keys::access_keys(&account, &name))?.len() >= MAX_KEYS {
                return Err(errors::limit_exceeded(format!("Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS}")));
            }
            let key = AccessKey {
                user_name: user.name.clone(),
                access_key_id: access_key_id.clone(),
                status: "Active".into(),
                create_date: clock::now_epoch().floor(),
            };
            db::save(txn, &keys::access_key(&account, &name, &access_key_id), &key)?;
            save_credential(
                txn,
                &Credential {
                    access_key_id: access_key_id.clone(),
                    secret_access_key: secret.clone(),
                    account_id: account.clone(),
                    session_token: None,
                    expires: None,
                    principal_arn: user.arn.clone(),
                    user_id: user.id.clone(),
                    status: "Active".into(),
                },
            )?;
            Ok((key, secret.clone()))
        })
        .await?;
    let mut out = key.to_json();
    if let Some(m) = out.as_object_mut() {
        m.insert("SecretAccessKey".into(), json!(secret));
    }
    Ok(json!({"AccessKey": out}))
}

/// ListAccessKeys.
pub fn list(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = owner(store, ctx, input)?;
    let snap = db::snapshot(store)?;
    users::require(&snap, &ctx.account_id, &name)?;
    let keys: Vec<(String, AccessKey)> = db::load_prefix(&snap, &keys::access_keys(&ctx.account_id, &name))?;
    let page = pagination::page(keys, |(k, _)| k.clone(), input)?;
    Ok(page.output("AccessKeyMetadata", |(_, k)| k.to_json()))
}

/// UpdateAccessKey: Active or Inactive; the credential follows.
pub async fn update(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = owner(store, ctx, input)?;
    let akid = input.req_str("AccessKeyId")?.to_string();
    let status = input.req_str("Status")?.to_string();
    if status != "Active" && status != "Inactive" {
        return Err(errors::validation(format!(
            "1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
        )));
    }
    store
        .transact(move |txn| {
            users::require(txn, &account, &name)?;
            let key_name = keys::access_key(&account, &name, &akid);
            let mut key: AccessKey = db::load(txn, &key_name)?.ok_or_else(|| not_found(&akid))?;
            key.status = status.clone();
            db::save(txn, &key_name, &key)?;
            if let Some(mut cred) = load_credential(txn, &akid)? {
                cred.status = status.clone();
                save_credential(txn, &cred)?;
            }
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// DeleteAccessKey: the key stops working at once.
pub async fn delete(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = owner(store, ctx, input)?;
    let akid = input.req_str("AccessKeyId")?.to_string();
    store
        .transact(move |txn| {
            users::require(txn, &account, &name)?;
            let key_name = keys::access_key(&account, &name, &akid);
            if !txn.contains(&key_name)? {
                return Err(not_found(&akid));
            }
            txn.delete(key_name);
            txn.delete(credential_key(&akid));
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// GetAccessKeyLastUsed. Stratus does not record key use, so the answer is
/// AWS's for a key never used: `N/A` service and region, no date.
pub fn last_used(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let akid = input.req_str("AccessKeyId")?;
    let cred = caller::credential(store, akid)?.filter(|c| c.account_id == ctx.account_id && c.session_token.is_none());
    let user = cred.as_ref().and_then(|c| caller::user_name_of(&c.principal_arn)).ok_or_else(|| not_found(akid))?;
    Ok(json!({"UserName": user, "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}))
}

/// Moves a user's keys to its new name and points their credentials at its
/// new ARN (UpdateUser).
pub fn rename_owner(txn: &mut Txn<'_>, account: &str, old: &str, user: &User) -> Result<(), AwsError> {
    let keys_of: Vec<(String, AccessKey)> = db::load_prefix(txn, &keys::access_keys(account, old))?;
    for (akid, mut key) in keys_of {
        txn.delete(keys::access_key(account, old, &akid));
        key.user_name = user.name.clone();
        db::save(txn, &keys::access_key(account, &user.name, &akid), &key)?;
        if let Some(mut cred) = load_credential(txn, &akid)? {
            cred.principal_arn = user.arn.clone();
            save_credential(txn, &cred)?;
        }
    }
    Ok(())
}
