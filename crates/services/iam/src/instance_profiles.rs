//! Instance profiles: the `InstanceProfile` record, Create/Get/Delete/List,
//! AddRoleToInstanceProfile (one role per profile, as in AWS),
//! RemoveRoleFromInstanceProfile, ListInstanceProfilesForRole and profile
//! tags. Profile ↔ role is the `PROFILE_ROLES` link.

use crate::db::{self, Read};
use crate::errors;
use crate::keys;
use crate::links::PROFILE_ROLES;
use crate::pagination;
use crate::roles::{self, Role, View};
use crate::tags::{self, Tag, Tagged};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock, ids};
use stratus_store::Store;

/// One instance profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstanceProfile {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub path: String,
    pub create_date: f64,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl Tagged for InstanceProfile {
    fn tags(&self) -> &[Tag] {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.tags
    }
}

fn not_found(name: &str) -> AwsError {
    errors::no_such_entity(format!("Instance Profile {name} cannot be found."))
}

fn require(r: &(impl Read + ?Sized), account: &str, name: &str) -> Result<InstanceProfile, AwsError> {
    db::load(r, &keys::entity(account, "instance-profile", name))?.ok_or_else(|| not_found(name))
}

/// The profile as the model's `InstanceProfile` shape, with its roles.
fn to_json(r: &(impl Read + ?Sized), account: &str, p: &InstanceProfile) -> Result<Value, AwsError> {
    let mut role_list = Vec::new();
    for (lrole, _) in PROFILE_ROLES.targets(r, account, &p.name.to_lowercase())? {
        if let Some(role) = db::load::<Role>(r, &keys::entity(account, "role", &lrole))? {
            role_list.push(role.to_json(View::Create));
        }
    }
    let mut m = Map::new();
    m.insert("Path".into(), json!(p.path));
    m.insert("InstanceProfileName".into(), json!(p.name));
    m.insert("InstanceProfileId".into(), json!(p.id));
    m.insert("Arn".into(), json!(p.arn));
    m.insert("CreateDate".into(), json!(p.create_date));
    m.insert("Roles".into(), Value::Array(role_list));
    if !p.tags.is_empty() {
        m.insert("Tags".into(), tags::to_json(&p.tags));
    }
    Ok(Value::Object(m))
}

/// CreateInstanceProfile.
pub async fn create(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("InstanceProfileName")?.to_string();
    let path = input.str("Path").unwrap_or("/").to_string();
    let profile = InstanceProfile {
        arn: format!("arn:aws:iam::{account}:instance-profile{path}{name}"),
        id: ids::iam_id("AIPA"),
        name,
        path,
        create_date: clock::now_epoch().floor(),
        tags: tags::from_input(input)?,
    };
    let out = store
        .transact(move |txn| {
            let key = keys::entity(&account, "instance-profile", &profile.name);
            if txn.contains(&key)? {
                return Err(errors::already_exists(format!("Instance Profile {} already exists.", profile.name)));
            }
            db::save(txn, &key, &profile)?;
            to_json(txn, &account, &profile)
        })
        .await?;
    Ok(json!({"InstanceProfile": out}))
}

/// GetInstanceProfile.
pub fn get(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let profile = require(&snap, &ctx.account_id, input.req_str("InstanceProfileName")?)?;
    Ok(json!({"InstanceProfile": to_json(&snap, &ctx.account_id, &profile)?}))
}

/// ListInstanceProfiles.
pub fn list(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let prefix = input.str("PathPrefix").unwrap_or("/");
    let profiles: Vec<(String, InstanceProfile)> =
        db::load_prefix(&snap, &keys::entities(&ctx.account_id, "instance-profile"))?;
    let rows = profiles
        .into_iter()
        .filter(|(_, p)| p.path.starts_with(prefix))
        .map(|(k, p)| Ok((k, to_json(&snap, &ctx.account_id, &p)?)))
        .collect::<Result<Vec<_>, AwsError>>()?;
    let page = pagination::page(rows, |(k, _)| k.clone(), input)?;
    Ok(page.output("InstanceProfiles", |(_, v)| v))
}

/// DeleteInstanceProfile: refused while it holds a role.
pub async fn delete(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("InstanceProfileName")?.to_string();
    store
        .transact(move |txn| {
            require(txn, &account, &name)?;
            if PROFILE_ROLES.has_targets(txn, &account, &name.to_lowercase())? {
                return Err(errors::delete_conflict(
                    "Cannot delete entity, must remove roles from instance profile first.",
                ));
            }
            txn.delete(keys::entity(&account, "instance-profile", &name));
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// AddRoleToInstanceProfile: a profile holds at most one role.
pub async fn add_role(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("InstanceProfileName")?.to_string();
    let role_name = input.req_str("RoleName")?.to_string();
    store
        .transact(move |txn| {
            let profile = require(txn, &account, &name)?;
            let role = roles::require(txn, &account, &role_name)?;
            let lp = profile.name.to_lowercase();
            if PROFILE_ROLES.has_targets(txn, &account, &lp)? {
                return Err(errors::limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"));
            }
            let profile_info = json!({"name": profile.name});
            let role_info = json!({"name": role.name});
            PROFILE_ROLES.add(txn, &account, &lp, &role.name.to_lowercase(), &profile_info, &role_info)
        })
        .await?;
    Ok(json!({}))
}

/// RemoveRoleFromInstanceProfile.
pub async fn remove_role(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("InstanceProfileName")?.to_string();
    let role_name = input.req_str("RoleName")?.to_string();
    store
        .transact(move |txn| {
            require(txn, &account, &name)?;
            let (lp, lr) = (name.to_lowercase(), role_name.to_lowercase());
            if !PROFILE_ROLES.contains(txn, &account, &lp, &lr)? {
                return Err(errors::no_such_entity(format!("The role with name {role_name} cannot be found.")));
            }
            PROFILE_ROLES.remove(txn, &account, &lp, &lr);
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// ListInstanceProfilesForRole.
pub fn list_for_role(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let role = roles::require(&snap, &ctx.account_id, input.req_str("RoleName")?)?;
    let mut rows = Vec::new();
    for (lp, _) in PROFILE_ROLES.sources(&snap, &ctx.account_id, &role.name.to_lowercase())? {
        if let Some(p) = db::load::<InstanceProfile>(&snap, &keys::entity(&ctx.account_id, "instance-profile", &lp))? {
            rows.push((lp, to_json(&snap, &ctx.account_id, &p)?));
        }
    }
    let page = pagination::page(rows, |(k, _)| k.clone(), input)?;
    Ok(page.output("InstanceProfiles", |(_, v)| v))
}

/// TagInstanceProfile, UntagInstanceProfile, ListInstanceProfileTags.
pub async fn tags_op(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("InstanceProfileName")?;
    let key = keys::entity(&ctx.account_id, "instance-profile", name);
    let missing = not_found(name);
    match ctx.operation {
        "TagInstanceProfile" => tags::tag::<InstanceProfile>(store, key, missing, "InstanceProfile", input).await,
        "UntagInstanceProfile" => tags::untag::<InstanceProfile>(store, key, missing, input).await,
        _ => tags::list::<InstanceProfile>(store, &key, missing, input),
    }
}
