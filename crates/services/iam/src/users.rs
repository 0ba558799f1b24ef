//! IAM users: the `User` record and CreateUser, GetUser, UpdateUser (rename
//! and move, carrying every relation along), DeleteUser, ListUsers and
//! user tags.

use crate::access_keys;
use crate::caller;
use crate::db::{self, Read};
use crate::errors;
use crate::inline;
use crate::keys;
use crate::links::{ATTACHMENTS, BOUNDARIES, MEMBERS};
use crate::pagination;
use crate::principal::{Head, Kind};
use crate::roles::{boundary_json, set_boundary};
use crate::tags::{self, Tag, Tagged};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock, ids};
use stratus_store::{Store, Txn};

/// One IAM user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub path: String,
    pub create_date: f64,
    #[serde(default)]
    pub permissions_boundary: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl Tagged for User {
    fn tags(&self) -> &[Tag] {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.tags
    }
}

impl User {
    /// The user as the model's `User` shape; lists leave out tags and boundary.
    pub fn to_json(&self, full: bool) -> Value {
        let mut m = Map::new();
        m.insert("Path".into(), json!(self.path));
        m.insert("UserName".into(), json!(self.name));
        m.insert("UserId".into(), json!(self.id));
        m.insert("Arn".into(), json!(self.arn));
        m.insert("CreateDate".into(), json!(self.create_date));
        if full {
            if let Some(arn) = &self.permissions_boundary {
                m.insert("PermissionsBoundary".into(), boundary_json(arn));
            }
            if !self.tags.is_empty() {
                m.insert("Tags".into(), tags::to_json(&self.tags));
            }
        }
        Value::Object(m)
    }

    pub fn head(&self) -> Head {
        Head { name: self.name.clone(), id: self.id.clone(), path: self.path.clone() }
    }
}

fn arn(account: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user{path}{name}")
}

/// Loads a user, or `NoSuchEntity`.
pub fn require(r: &(impl Read + ?Sized), account: &str, name: &str) -> Result<User, AwsError> {
    db::load(r, &keys::entity(account, "user", name))?.ok_or_else(|| Kind::User.not_found(name))
}

/// The user an operation is about: `UserName`, or else the calling IAM user.
pub fn target_name(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Option<String>, AwsError> {
    if let Some(name) = input.str("UserName") {
        return Ok(Some(name.to_string()));
    }
    let who = caller::caller(store, ctx)?;
    Ok(who.user_name().map(str::to_string))
}

/// CreateUser.
pub async fn create(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("UserName")?.to_string();
    let path = input.str("Path").unwrap_or("/").to_string();
    let user = User {
        arn: arn(&account, &path, &name),
        id: ids::iam_id("AIDA"),
        name,
        path,
        create_date: clock::now_epoch().floor(),
        permissions_boundary: None,
        tags: tags::from_input(input)?,
    };
    let boundary = input.str("PermissionsBoundary").map(str::to_string);
    let user = store
        .transact(move |txn| {
            let key = keys::entity(&account, "user", &user.name);
            if txn.contains(&key)? {
                return Err(errors::already_exists(format!("User with name {} already exists.", user.name)));
            }
            let mut user = user.clone();
            set_boundary(txn, &account, Kind::User, &user.head(), &mut user.permissions_boundary, boundary.clone())?;
            db::save(txn, &key, &user)?;
            Ok(user)
        })
        .await?;
    Ok(json!({"User": user.to_json(true)}))
}

/// GetUser: `UserName`, or else the caller (the root when it is not a user).
pub fn get(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let Some(name) = target_name(store, ctx, input)? else {
        let root = caller::Caller::root(&ctx.account_id);
        return Ok(json!({"User": {"UserId": root.user_id, "Arn": root.arn, "CreateDate": 0.0}}));
    };
    let user = require(&db::snapshot(store)?, &ctx.account_id, &name)?;
    Ok(json!({"User": user.to_json(true)}))
}

/// ListUsers.
pub fn list(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let prefix = input.str("PathPrefix").unwrap_or("/");
    let users: Vec<(String, User)> = db::load_prefix(&db::snapshot(store)?, &keys::entities(&ctx.account_id, "user"))?;
    let users: Vec<(String, User)> = users.into_iter().filter(|(_, u)| u.path.starts_with(prefix)).collect();
    let page = pagination::page(users, |(k, _)| k.clone(), input)?;
    Ok(page.output("Users", |(_, u)| u.to_json(false)))
}

/// Re-keys everything that hangs off a user after a rename or a move.
fn carry_relations(txn: &mut Txn<'_>, account: &str, old: &str, user: &User) -> Result<(), AwsError> {
    let info = Kind::User.link_info(&user.head());
    let (old_l, new_l) = (old.to_lowercase(), user.name.to_lowercase());
    MEMBERS.rename_target(txn, account, &old_l, &new_l, &info)?;
    ATTACHMENTS.rename_source(txn, account, &Kind::User.link_id(old), &Kind::User.link_id(&user.name), &info)?;
    BOUNDARIES.rename_source(txn, account, &Kind::User.link_id(old), &Kind::User.link_id(&user.name), &info)?;
    if old_l != new_l {
        inline::rename_owner(txn, account, Kind::User, old, &user.name)?;
    }
    access_keys::rename_owner(txn, account, old, user)
}

/// UpdateUser: `NewUserName` and/or `NewPath`.
pub async fn update(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("UserName")?.to_string();
    let new_name = input.str("NewUserName").map(str::to_string);
    let new_path = input.str("NewPath").map(str::to_string);
    store
        .transact(move |txn| {
            let mut user = require(txn, &account, &name)?;
            if let Some(n) = &new_name {
                if !n.eq_ignore_ascii_case(&name) && txn.contains(keys::entity(&account, "user", n))? {
                    return Err(errors::already_exists(format!("User with name {n} already exists.")));
                }
                user.name = n.clone();
            }
            if let Some(p) = &new_path {
                user.path = p.clone();
            }
            user.arn = arn(&account, &user.path, &user.name);
            txn.delete(keys::entity(&account, "user", &name));
            db::save(txn, &keys::entity(&account, "user", &user.name), &user)?;
            carry_relations(txn, &account, &name, &user)
        })
        .await?;
    Ok(json!({}))
}

/// DeleteUser: refused while the user has access keys, groups or policies.
pub async fn delete(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("UserName")?.to_string();
    store
        .transact(move |txn| {
            let mut user = require(txn, &account, &name)?;
            let conflict = |m: &str| Err(errors::delete_conflict(m));
            if db::any_with_prefix(txn, &keys::access_keys(&account, &name))? {
                return conflict("Cannot delete entity, must delete access keys first.");
            }
            if MEMBERS.has_sources(txn, &account, &name.to_lowercase())? {
                return conflict("Cannot delete entity, must remove users from group first.");
            }
            if ATTACHMENTS.has_targets(txn, &account, &Kind::User.link_id(&name))? {
                return conflict("Cannot delete entity, must detach all policies first.");
            }
            if db::any_with_prefix(txn, &keys::inline_prefix(&account, "user", &name))? {
                return conflict("Cannot delete entity, must delete policies first.");
            }
            let head = user.head();
            set_boundary(txn, &account, Kind::User, &head, &mut user.permissions_boundary, None)?;
            txn.delete(keys::entity(&account, "user", &name));
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// PutUserPermissionsBoundary, DeleteUserPermissionsBoundary.
pub async fn boundary_op(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("UserName")?.to_string();
    let new = input.str("PermissionsBoundary").map(str::to_string);
    store
        .transact(move |txn| {
            let mut user = require(txn, &account, &name)?;
            let head = user.head();
            set_boundary(txn, &account, Kind::User, &head, &mut user.permissions_boundary, new.clone())?;
            db::save(txn, &keys::entity(&account, "user", &name), &user)
        })
        .await?;
    Ok(json!({}))
}

/// TagUser, UntagUser, ListUserTags.
pub async fn tags_op(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("UserName")?;
    let key = keys::entity(&ctx.account_id, "user", name);
    let missing = Kind::User.not_found(name);
    match ctx.operation {
        "TagUser" => tags::tag::<User>(store, key, missing, "User", input).await,
        "UntagUser" => tags::untag::<User>(store, key, missing, input).await,
        _ => tags::list::<User>(store, &key, missing, input),
    }
}
