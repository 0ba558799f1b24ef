//! Managed-policy attachments: Attach/Detach/ListAttached for roles, users
//! and groups, and ListEntitiesForPolicy. Attachments are `ATTACHMENTS`
//! links from a principal to a policy ARN, so a policy's AttachmentCount
//! and its entities are one prefix scan away.

use crate::db::{self};
use crate::errors;
use crate::links::{ATTACHMENTS, BOUNDARIES};
use crate::pagination;
use crate::policies::{self, Missing};
use crate::principal::{self, Kind};
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_store::Store;

/// IAM's default quota of managed policies per principal.
const MAX_ATTACHED: usize = 10;

fn quota_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Role => "PoliciesPerRole",
        Kind::User => "PoliciesPerUser",
        Kind::Group => "PoliciesPerGroup",
    }
}

/// AttachRolePolicy, AttachUserPolicy, AttachGroupPolicy.
pub async fn attach(store: &Store, ctx: &RequestContext, input: &Value, kind: Kind) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str(kind.name_member())?.to_string();
    let arn = input.req_str("PolicyArn")?.to_string();
    store
        .transact(move |txn| {
            let policy = policies::require(txn, &account, &arn, Missing::Attach)?;
            let head = principal::require(txn, &account, kind, &name)?;
            let principal = kind.link_id(&name);
            if ATTACHMENTS.contains(txn, &account, &principal, &policy.arn)? {
                return Ok(());
            }
            if ATTACHMENTS.targets(txn, &account, &principal)?.len() >= MAX_ATTACHED {
                return Err(errors::limit_exceeded(format!(
                    "Cannot exceed quota for {}: {MAX_ATTACHED}",
                    quota_name(kind)
                )));
            }
            let policy_info = json!({"PolicyName": policy.name, "PolicyArn": policy.arn});
            ATTACHMENTS.add(txn, &account, &principal, &policy.arn, &kind.link_info(&head), &policy_info)
        })
        .await?;
    Ok(json!({}))
}

/// DetachRolePolicy, DetachUserPolicy, DetachGroupPolicy.
pub async fn detach(store: &Store, ctx: &RequestContext, input: &Value, kind: Kind) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str(kind.name_member())?.to_string();
    let arn = input.req_str("PolicyArn")?.to_string();
    store
        .transact(move |txn| {
            principal::require(txn, &account, kind, &name)?;
            let not_found = || errors::no_such_entity(format!("Policy {arn} was not found."));
            let policy = policies::find(txn, &account, &arn)?.ok_or_else(not_found)?;
            let principal = kind.link_id(&name);
            if !ATTACHMENTS.contains(txn, &account, &principal, &policy.arn)? {
                return Err(not_found());
            }
            ATTACHMENTS.remove(txn, &account, &principal, &policy.arn);
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// The path part of a policy ARN (`arn:aws:iam::1:policy/a/b/P` → `/a/b/`).
fn policy_path(arn: &str) -> &str {
    let resource = arn.split_once(":policy").map_or("", |(_, r)| r);
    resource.rfind('/').map_or("/", |i| &resource[..=i])
}

/// ListAttachedRolePolicies, ListAttachedUserPolicies, ListAttachedGroupPolicies.
pub fn list_attached(store: &Store, ctx: &RequestContext, input: &Value, kind: Kind) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let name = input.req_str(kind.name_member())?;
    principal::require(&snap, &ctx.account_id, kind, name)?;
    let prefix = input.str("PathPrefix").unwrap_or("/");
    let rows: Vec<(String, Value)> = ATTACHMENTS
        .targets(&snap, &ctx.account_id, &kind.link_id(name))?
        .into_iter()
        .filter(|(arn, _)| policy_path(arn).starts_with(prefix))
        .collect();
    let page = pagination::page(rows, |(k, _)| k.clone(), input)?;
    Ok(page.output("AttachedPolicies", |(_, v)| v))
}

/// ListEntitiesForPolicy.
pub fn list_entities(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let policy = policies::require(&snap, &ctx.account_id, input.req_str("PolicyArn")?, Missing::NotFound)?;
    let mut rows: Vec<(String, Value)> = Vec::new();
    let usage = input.str("PolicyUsageFilter");
    if usage != Some("PermissionsBoundary") {
        rows.extend(ATTACHMENTS.sources(&snap, &ctx.account_id, &policy.arn)?);
    }
    if usage != Some("PermissionsPolicy") {
        for row in BOUNDARIES.sources(&snap, &ctx.account_id, &policy.arn)? {
            if !rows.iter().any(|(k, _)| *k == row.0) {
                rows.push(row);
            }
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let filter = input.str("EntityFilter");
    let prefix = input.str("PathPrefix").unwrap_or("/");
    let rows: Vec<(Kind, Value)> = rows
        .into_iter()
        .filter_map(|(k, info)| Some((Kind::of_link_id(&k)?, info)))
        .filter(|(kind, info)| {
            filter.is_none_or(|f| f == kind.entity_members().3) && info.str("path").unwrap_or("/").starts_with(prefix)
        })
        .collect();
    let page = pagination::page(rows, |(kind, info)| kind.link_id(info.str("name").unwrap_or("")), input)?;
    let mut out = Map::new();
    for kind in [Kind::Group, Kind::User, Kind::Role] {
        let (list, name_member, id_member, _) = kind.entity_members();
        let items: Vec<Value> = page
            .items
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, info)| json!({name_member: info.str("name"), id_member: info.str("id")}))
            .collect();
        out.insert(list.into(), Value::Array(items));
    }
    out.insert("IsTruncated".into(), json!(page.marker.is_some()));
    if let Some(m) = page.marker {
        out.insert("Marker".into(), json!(m));
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    #[test]
    fn policy_paths() {
        assert_eq!(super::policy_path("arn:aws:iam::aws:policy/service-role/X"), "/service-role/");
        assert_eq!(super::policy_path("arn:aws:iam::1:policy/P"), "/");
    }
}
