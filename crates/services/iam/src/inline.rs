//! Inline policies of roles, users and groups: Put/Get/Delete/List for all
//! three, with IAM's per-principal size quotas.

use crate::db::{self};
use crate::documents;
use crate::errors;
use crate::keys;
use crate::pagination;
use crate::principal::{self, Kind};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_store::Store;

/// One inline policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct InlinePolicy {
    name: String,
    document: String,
}

/// The most inline-policy text (all policies together, whitespace not
/// counted) one principal may carry.
fn quota(kind: Kind) -> usize {
    match kind {
        Kind::Role => 10240,
        Kind::User => 2048,
        Kind::Group => 5120,
    }
}

fn not_found(kind: Kind, policy: &str) -> AwsError {
    errors::no_such_entity(format!("The {} policy with name {policy} cannot be found.", kind.word()))
}

/// PutRolePolicy, PutUserPolicy, PutGroupPolicy (create or replace).
pub async fn put(store: &Store, ctx: &RequestContext, input: &Value, kind: Kind) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let owner = input.req_str(kind.name_member())?.to_string();
    let policy = InlinePolicy {
        name: input.req_str("PolicyName")?.to_string(),
        document: input.req_str("PolicyDocument")?.to_string(),
    };
    documents::validate_identity(&policy.document)?;
    store
        .transact(move |txn| {
            let head = principal::require(txn, &account, kind, &owner)?;
            let others: Vec<(String, InlinePolicy)> =
                db::load_prefix(txn, &keys::inline_prefix(&account, kind.word(), &owner))?;
            let total: usize = others
                .iter()
                .filter(|(_, p)| !p.name.eq_ignore_ascii_case(&policy.name))
                .map(|(_, p)| documents::size(&p.document))
                .sum::<usize>()
                + documents::size(&policy.document);
            if total > quota(kind) {
                return Err(errors::limit_exceeded(format!(
                    "Maximum policy size of {} bytes exceeded for {} {}",
                    quota(kind),
                    kind.word(),
                    head.name
                )));
            }
            db::save(txn, &keys::inline(&account, kind.word(), &owner, &policy.name), &policy)
        })
        .await?;
    Ok(json!({}))
}

/// GetRolePolicy, GetUserPolicy, GetGroupPolicy.
pub fn get(store: &Store, ctx: &RequestContext, input: &Value, kind: Kind) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let owner = input.req_str(kind.name_member())?;
    let name = input.req_str("PolicyName")?;
    let head = principal::require(&snap, &ctx.account_id, kind, owner)?;
    let policy: InlinePolicy = db::load(&snap, &keys::inline(&ctx.account_id, kind.word(), owner, name))?
        .ok_or_else(|| not_found(kind, name))?;
    Ok(json!({
        kind.name_member(): head.name,
        "PolicyName": policy.name,
        "PolicyDocument": documents::encode(&policy.document),
    }))
}

/// DeleteRolePolicy, DeleteUserPolicy, DeleteGroupPolicy.
pub async fn delete(store: &Store, ctx: &RequestContext, input: &Value, kind: Kind) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let owner = input.req_str(kind.name_member())?.to_string();
    let name = input.req_str("PolicyName")?.to_string();
    store
        .transact(move |txn| {
            principal::require(txn, &account, kind, &owner)?;
            let key = keys::inline(&account, kind.word(), &owner, &name);
            if !txn.contains(&key)? {
                return Err(not_found(kind, &name));
            }
            txn.delete(key);
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// ListRolePolicies, ListUserPolicies, ListGroupPolicies.
pub fn list(store: &Store, ctx: &RequestContext, input: &Value, kind: Kind) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let owner = input.req_str(kind.name_member())?;
    principal::require(&snap, &ctx.account_id, kind, owner)?;
    let policies: Vec<(String, InlinePolicy)> =
        db::load_prefix(&snap, &keys::inline_prefix(&ctx.account_id, kind.word(), owner))?;
    let page = pagination::page(policies, |(k, _)| k.clone(), input)?;
    Ok(page.output("PolicyNames", |(_, p)| json!(p.name)))
}

/// Moves every inline policy of `owner` to `new_owner` (UpdateUser's rename).
pub fn rename_owner(
    txn: &mut stratus_store::Txn<'_>,
    account: &str,
    kind: Kind,
    owner: &str,
    new_owner: &str,
) -> Result<(), AwsError> {
    let policies: Vec<(String, InlinePolicy)> =
        db::load_prefix(txn, &keys::inline_prefix(account, kind.word(), owner))?;
    for (_, policy) in policies {
        txn.delete(keys::inline(account, kind.word(), owner, &policy.name));
        db::save(txn, &keys::inline(account, kind.word(), new_owner, &policy.name), &policy)?;
    }
    Ok(())
}
