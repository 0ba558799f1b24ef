//! IAM roles: the `Role` record and CreateRole, GetRole, UpdateRole,
//! DeleteRole, ListRoles, UpdateAssumeRolePolicy, UpdateRoleDescription,
//! role tags and permissions boundaries. `get` and `mark_used` are the
//! entry points STS uses to assume roles.

use crate::db::{self, Read};
use crate::documents;
use crate::errors;
use crate::keys;
use crate::links::{ATTACHMENTS, BOUNDARIES, PROFILE_ROLES};
use crate::pagination;
use crate::policies;
use crate::principal::{Head, Kind};
use crate::tags::{self, Tag, Tagged};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock, ids};
use stratus_store::{Store, Txn};

/// The default and smallest `MaxSessionDuration`, in seconds.
pub const DEFAULT_MAX_SESSION: i64 = 3600;
/// The largest trust policy IAM accepts (characters other than whitespace).
const MAX_TRUST_POLICY: usize = 2048;

/// One role.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub path: String,
    pub create_date: f64,
    pub assume_role_policy_document: String,
    #[serde(default)]
    pub description: Option<String>,
    pub max_session_duration: i64,
    #[serde(default)]
    pub permissions_boundary: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// When and where the role was last assumed.
    #[serde(default)]
    pub last_used: Option<(f64, String)>,
}

impl Tagged for Role {
    fn tags(&self) -> &[Tag] {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.tags
    }
}

/// Which response a role is rendered for: each returns a different subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// CreateRole: no `MaxSessionDuration`, no `RoleLastUsed`.
    Create,
    /// GetRole, UpdateRoleDescription: everything.
    Get,
    /// ListRoles and instance profiles: no tags, boundary or last use.
    List,
}

impl Role {
    /// The role as the model's `Role` shape.
    pub fn to_json(&self, view: View) -> Value {
        let mut m = Map::new();
        m.insert("Path".into(), json!(self.path));
        m.insert("RoleName".into(), json!(self.name));
        m.insert("RoleId".into(), json!(self.id));
        m.insert("Arn".into(), json!(self.arn));
        m.insert("CreateDate".into(), json!(self.create_date));
        m.insert("AssumeRolePolicyDocument".into(), json!(documents::encode(&self.assume_role_policy_document)));
        if let Some(d) = &self.description {
            m.insert("Description".into(), json!(d));
        }
        if view != View::Create {
            m.insert("MaxSessionDuration".into(), json!(self.max_session_duration));
        }
        if view != View::List {
            if let Some(arn) = &self.permissions_boundary {
                m.insert("PermissionsBoundary".into(), boundary_json(arn));
            }
            if !self.tags.is_empty() {
                m.insert("Tags".into(), tags::to_json(&self.tags));
            }
        }
        if view == View::Get {
            let last = match &self.last_used {
                Some((date, region)) => json!({"LastUsedDate": date, "Region": region}),
                None => json!({}),
            };
            m.insert("RoleLastUsed".into(), last);
        }
        Value::Object(m)
    }

    fn head(&self) -> Head {
        Head { name: self.name.clone(), id: self.id.clone(), path: self.path.clone() }
    }
}

/// A permissions boundary as the model's `AttachedPermissionsBoundary`.
pub fn boundary_json(arn: &str) -> Value {
    json!({"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn})
}

/// The role `name` of `account`, if it exists (used by STS).
pub fn get(store: &Store, account: &str, name: &str) -> Result<Option<Role>, AwsError> {
    db::load(&db::snapshot(store)?, &keys::entity(account, "role", name))
}

/// Records that the role was just assumed in `region` (`RoleLastUsed`).
pub async fn mark_used(store: &Store, account: &str, name: &str, region: &str) -> Result<(), AwsError> {
    let key = keys::entity(account, "role", name);
    let region = region.to_string();
    store
        .transact(move |txn| {
            if let Some(mut role) = db::load::<Role>(txn, &key)? {
                role.last_used = Some((clock::now_epoch().floor(), region.clone()));
                db::save(txn, &key, &role)?;
            }
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(())
}

/// Loads a role inside a transaction or snapshot, or `NoSuchEntity`.
pub fn require(r: &(impl Read + ?Sized), account: &str, name: &str) -> Result<Role, AwsError> {
    db::load(r, &keys::entity(account, "role", name))?.ok_or_else(|| Kind::Role.not_found(name))
}

fn check_trust_policy(document: &str) -> Result<(), AwsError> {
    documents::validate_trust(document)?;
    if documents::size(document) > MAX_TRUST_POLICY {
        return Err(errors::limit_exceeded(format!("Cannot exceed quota for ACLSizePerRole: {MAX_TRUST_POLICY}")));
    }
    Ok(())
}

/// Sets or clears the permissions boundary of a role or user, keeping the
/// policy's usage count (the `BOUNDARIES` link) in step.
pub fn set_boundary(
    txn: &mut Txn<'_>,
    account: &str,
    kind: Kind,
    head: &Head,
    current: &mut Option<String>,
    new: Option<String>,
) -> Result<(), AwsError> {
    let principal = kind.link_id(&head.name);
    if let Some(old) = current.take() {
        BOUNDARIES.remove(txn, account, &principal, &old);
    }
    if let Some(arn) = new {
        let policy = policies::require(txn, account, &arn, policies::Missing::Boundary)?;
        BOUNDARIES.add(txn, account, &principal, &policy.arn, &kind.link_info(head), &json!({}))?;
        *current = Some(policy.arn);
    }
    Ok(())
}

/// CreateRole.
pub async fn create(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("RoleName")?.to_string();
    let document = input.req_str("AssumeRolePolicyDocument")?.to_string();
    check_trust_policy(&document)?;
    let path = input.str("Path").unwrap_or("/").to_string();
    let role = Role {
        arn: format!("arn:aws:iam::{account}:role{path}{name}"),
        id: ids::iam_id("AROA"),
        name,
        path,
        create_date: clock::now_epoch().floor(),
        assume_role_policy_document: document,
        description: input.str("Description").map(str::to_string),
        max_session_duration: input.i64("MaxSessionDuration").unwrap_or(DEFAULT_MAX_SESSION),
        permissions_boundary: None,
        tags: tags::from_input(input)?,
        last_used: None,
    };
    let boundary = input.str("PermissionsBoundary").map(str::to_string);
    let role = store
        .transact(move |txn| {
            let key = keys::entity(&account, "role", &role.name);
            if txn.contains(&key)? {
                return Err(errors::already_exists(format!("Role with name {} already exists.", role.name)));
            }
            let mut role = role.clone();
            set_boundary(txn, &account, Kind::Role, &role.head(), &mut role.permissions_boundary, boundary.clone())?;
            db::save(txn, &key, &role)?;
            Ok(role)
        })
        .await?;
    Ok(json!({"Role": role.to_json(View::Create)}))
}

/// GetRole.
pub fn get_role(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let role = require(&db::snapshot(store)?, &ctx.account_id, input.req_str("RoleName")?)?;
    Ok(json!({"Role": role.to_json(View::Get)}))
}

/// ListRoles.
pub fn list(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let prefix = input.str("PathPrefix").unwrap_or("/");
    let roles: Vec<(String, Role)> = db::load_prefix(&db::snapshot(store)?, &keys::entities(&ctx.account_id, "role"))?;
    let roles: Vec<(String, Role)> = roles.into_iter().filter(|(_, r)| r.path.starts_with(prefix)).collect();
    let page = pagination::page(roles, |(k, _)| k.clone(), input)?;
    Ok(page.output("Roles", |(_, r)| r.to_json(View::List)))
}

/// Applies `change` to the role named by `input`'s `RoleName`.
async fn update<T: Send + 'static>(
    store: &Store,
    ctx: &RequestContext,
    input: &Value,
    mut change: impl FnMut(&mut Txn<'_>, &mut Role) -> Result<T, AwsError> + Send + 'static,
) -> Result<T, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("RoleName")?.to_string();
    store
        .transact(move |txn| {
            let mut role = require(txn, &account, &name)?;
            let out = change(txn, &mut role)?;
            db::save(txn, &keys::entity(&account, "role", &name), &role)?;
            Ok::<_, AwsError>(out)
        })
        .await
}

/// UpdateRole.
pub async fn update_role(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let description = input.str("Description").map(str::to_string);
    let max = input.i64("MaxSessionDuration");
    update(store, ctx, input, move |_, role| {
        if let Some(d) = &description {
            role.description = Some(d.clone());
        }
        if let Some(m) = max {
            role.max_session_duration = m;
        }
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// UpdateRoleDescription.
pub async fn update_description(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let description = input.req_str("Description")?.to_string();
    let role = update(store, ctx, input, move |_, role| {
        role.description = Some(description.clone());
        Ok(role.clone())
    })
    .await?;
    Ok(json!({"Role": role.to_json(View::Get)}))
}

/// UpdateAssumeRolePolicy.
pub async fn update_trust_policy(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let document = input.req_str("PolicyDocument")?.to_string();
    check_trust_policy(&document)?;
    update(store, ctx, input, move |_, role| {
        role.assume_role_policy_document = document.clone();
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// PutRolePermissionsBoundary.
pub async fn put_boundary(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("PermissionsBoundary")?.to_string();
    let account = ctx.account_id.clone();
    update(store, ctx, input, move |txn, role| {
        let head = role.head();
        set_boundary(txn, &account, Kind::Role, &head, &mut role.permissions_boundary, Some(arn.clone()))
    })
    .await?;
    Ok(json!({}))
}

/// DeleteRolePermissionsBoundary.
pub async fn delete_boundary(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    update(store, ctx, input, move |txn, role| {
        let head = role.head();
        set_boundary(txn, &account, Kind::Role, &head, &mut role.permissions_boundary, None)
    })
    .await?;
    Ok(json!({}))
}

/// DeleteRole: refused while the role is in an instance profile or has
/// managed or inline policies.
pub async fn delete(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("RoleName")?.to_string();
    store
        .transact(move |txn| {
            let mut role = require(txn, &account, &name)?;
            if PROFILE_ROLES.has_sources(txn, &account, &name.to_lowercase())? {
                return Err(errors::delete_conflict(
                    "Cannot delete entity, must remove roles from instance profile first.",
                ));
            }
            if ATTACHMENTS.has_targets(txn, &account, &Kind::Role.link_id(&name))? {
                return Err(errors::delete_conflict("Cannot delete entity, must detach all policies first."));
            }
            if db::any_with_prefix(txn, &keys::inline_prefix(&account, "role", &name))? {
                return Err(errors::delete_conflict("Cannot delete entity, must delete policies first."));
            }
            let head = role.head();
            set_boundary(txn, &account, Kind::Role, &head, &mut role.permissions_boundary, None)?;
            txn.delete(keys::entity(&account, "role", &name));
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// TagRole, UntagRole, ListRoleTags.
pub async fn tags_op(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("RoleName")?;
    let key = keys::entity(&ctx.account_id, "role", name);
    let missing = Kind::Role.not_found(name);
    match ctx.operation {
        "TagRole" => tags::tag::<Role>(store, key, missing, "Role", input).await,
        "UntagRole" => tags::untag::<Role>(store, key, missing, input).await,
        _ => tags::list::<Role>(store, &key, missing, input),
    }
}
