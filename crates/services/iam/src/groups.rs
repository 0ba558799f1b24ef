//! IAM groups: the `Group` record, CreateGroup, GetGroup (with its users),
//! DeleteGroup, ListGroups, and membership: AddUserToGroup,
//! RemoveUserFromGroup, ListGroupsForUser (`MEMBERS` links).

use crate::db::{self, Read};
use crate::errors;
use crate::keys;
use crate::links::{ATTACHMENTS, MEMBERS};
use crate::pagination;
use crate::principal::{Head, Kind};
use crate::users::{self, User};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock, ids};
use stratus_store::Store;

/// IAM's quota of groups per user.
const MAX_GROUPS_PER_USER: usize = 10;

/// One group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub path: String,
    pub create_date: f64,
}

impl Group {
    fn to_json(&self) -> Value {
        json!({
            "Path": self.path,
            "GroupName": self.name,
            "GroupId": self.id,
            "Arn": self.arn,
            "CreateDate": self.create_date,
        })
    }

    fn head(&self) -> Head {
        Head { name: self.name.clone(), id: self.id.clone(), path: self.path.clone() }
    }
}

fn require(r: &(impl Read + ?Sized), account: &str, name: &str) -> Result<Group, AwsError> {
    db::load(r, &keys::entity(account, "group", name))?.ok_or_else(|| Kind::Group.not_found(name))
}

/// CreateGroup.
pub async fn create(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("GroupName")?.to_string();
    let path = input.str("Path").unwrap_or("/").to_string();
    let group = Group {
        arn: format!("arn:aws:iam::{account}:group{path}{name}"),
        id: ids::iam_id("AGPA"),
        name,
        path,
        create_date: clock::now_epoch().floor(),
    };
    let out = group.to_json();
    store
        .transact(move |txn| {
            let key = keys::entity(&account, "group", &group.name);
            if txn.contains(&key)? {
                return Err(errors::already_exists(format!("Group with name {} already exists.", group.name)));
            }
            db::save(txn, &key, &group)
        })
        .await?;
    Ok(json!({"Group": out}))
}

/// GetGroup: the group and its users, paginated.
pub fn get(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let group = require(&snap, &ctx.account_id, input.req_str("GroupName")?)?;
    let mut members = Vec::new();
    for (luser, _) in MEMBERS.targets(&snap, &ctx.account_id, &group.name.to_lowercase())? {
        if let Some(user) = db::load::<User>(&snap, &keys::entity(&ctx.account_id, "user", &luser))? {
            members.push((luser, user));
        }
    }
    let page = pagination::page(members, |(k, _)| k.clone(), input)?;
    let mut out = Map::new();
    out.insert("Group".into(), group.to_json());
    page.write(&mut out, "Users", |(_, u)| u.to_json(false));
    Ok(Value::Object(out))
}

/// ListGroups.
pub fn list(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let prefix = input.str("PathPrefix").unwrap_or("/");
    let groups: Vec<(String, Group)> =
        db::load_prefix(&db::snapshot(store)?, &keys::entities(&ctx.account_id, "group"))?;
    let groups: Vec<(String, Group)> = groups.into_iter().filter(|(_, g)| g.path.starts_with(prefix)).collect();
    let page = pagination::page(groups, |(k, _)| k.clone(), input)?;
    Ok(page.output("Groups", |(_, g)| g.to_json()))
}

/// DeleteGroup: refused while it has members or policies.
pub async fn delete(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("GroupName")?.to_string();
    store
        .transact(move |txn| {
            require(txn, &account, &name)?;
            let conflict = |m: &str| Err(errors::delete_conflict(m));
            if MEMBERS.has_targets(txn, &account, &name.to_lowercase())? {
                return conflict("Cannot delete entity, must remove users from group first.");
            }
            if ATTACHMENTS.has_targets(txn, &account, &Kind::Group.link_id(&name))? {
                return conflict("Cannot delete entity, must detach all policies first.");
            }
            if db::any_with_prefix(txn, &keys::inline_prefix(&account, "group", &name))? {
                return conflict("Cannot delete entity, must delete policies first.");
            }
            txn.delete(keys::entity(&account, "group", &name));
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// AddUserToGroup (adding a member twice is not an error).
pub async fn add_user(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let group_name = input.req_str("GroupName")?.to_string();
    let user_name = input.req_str("UserName")?.to_string();
    store
        .transact(move |txn| {
            let group = require(txn, &account, &group_name)?;
            let user = users::require(txn, &account, &user_name)?;
            let (lg, lu) = (group.name.to_lowercase(), user.name.to_lowercase());
            if MEMBERS.contains(txn, &account, &lg, &lu)? {
                return Ok(());
            }
            if MEMBERS.sources(txn, &account, &lu)?.len() >= MAX_GROUPS_PER_USER {
                return Err(errors::limit_exceeded(format!(
                    "Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}"
                )));
            }
            MEMBERS.add(
                txn,
                &account,
                &lg,
                &lu,
                &Kind::Group.link_info(&group.head()),
                &Kind::User.link_info(&user.head()),
            )
        })
        .await?;
    Ok(json!({}))
}

/// RemoveUserFromGroup.
pub async fn remove_user(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let group_name = input.req_str("GroupName")?.to_string();
    let user_name = input.req_str("UserName")?.to_string();
    store
        .transact(move |txn| {
            require(txn, &account, &group_name)?;
            users::require(txn, &account, &user_name)?;
            let (lg, lu) = (group_name.to_lowercase(), user_name.to_lowercase());
            if !MEMBERS.contains(txn, &account, &lg, &lu)? {
                return Err(errors::no_such_entity(format!("User {user_name} not in group {group_name}")));
            }
            MEMBERS.remove(txn, &account, &lg, &lu);
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// ListGroupsForUser.
pub fn list_for_user(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let user = users::require(&snap, &ctx.account_id, input.req_str("UserName")?)?;
    let mut groups = Vec::new();
    for (lg, _) in MEMBERS.sources(&snap, &ctx.account_id, &user.name.to_lowercase())? {
        if let Some(g) = db::load::<Group>(&snap, &keys::entity(&ctx.account_id, "group", &lg))? {
            groups.push((lg, g));
        }
    }
    let page = pagination::page(groups, |(k, _)| k.clone(), input)?;
    Ok(page.output("Groups", |(_, g)| g.to_json()))
}
