//! Groups: Create/Get/Update/Delete/ListGroups, AdminAddUserToGroup,
//! AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup.

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock};
use stratus_store::WriteBatch;

use crate::errors::group_not_found;
use crate::model::{Group, Pool, User};
use crate::shared::Shared;
use crate::{db, keys, lookup, page};

fn group(s: &Shared, pool: &Pool, name: &str) -> Result<Group, AwsError> {
    db::get::<Group>(&s.store, &keys::group(&pool.id, name))?.ok_or_else(group_not_found)
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let name = input.req_str("GroupName")?;
    if db::get::<Group>(&s.store, &keys::group(&pool.id, name))?.is_some() {
        return Err(AwsError::bad_request("GroupExistsException", "A group with the name already exists."));
    }
    let now = clock::now_epoch();
    let g = Group {
        name: name.to_string(),
        description: input.str("Description").map(str::to_string),
        role_arn: input.str("RoleArn").map(str::to_string),
        precedence: input.i64("Precedence"),
        created: now,
        modified: now,
    };
    db::put(&s.store, &keys::group(&pool.id, name), &g).await?;
    Ok(json!({"Group": g.describe(&pool.id)}))
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    Ok(json!({"Group": group(s, &pool, input.req_str("GroupName")?)?.describe(&pool.id)}))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut g = group(s, &pool, input.req_str("GroupName")?)?;
    if let Some(d) = input.str("Description") {
        g.description = Some(d.to_string());
    }
    if let Some(r) = input.str("RoleArn") {
        g.role_arn = Some(r.to_string());
    }
    if let Some(p) = input.i64("Precedence") {
        g.precedence = Some(p);
    }
    g.modified = clock::now_epoch();
    db::put(&s.store, &keys::group(&pool.id, &g.name), &g).await?;
    Ok(json!({"Group": g.describe(&pool.id)}))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let g = group(s, &pool, input.req_str("GroupName")?)?;
    let mut batch = WriteBatch::new();
    for user in db::scan_keys(&s.store, &keys::members(&pool.id, &g.name))? {
        batch.delete(keys::user_group(&pool.id, &user, &g.name).into_bytes());
    }
    batch.delete_prefix(keys::members(&pool.id, &g.name).into_bytes());
    batch.delete(keys::group(&pool.id, &g.name).into_bytes());
    s.store.write(batch).await?;
    Ok(json!({}))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let items: Vec<(String, Value)> = db::scan::<Group>(&s.store, &keys::groups(&pool.id))?
        .into_iter()
        .map(|(k, g)| (k, g.describe(&pool.id)))
        .collect();
    let (groups, next) = page::page(items, input.i64("Limit"), input.str("NextToken"));
    let mut out = json!({"Groups": groups});
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

fn member_of(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<(Pool, User, Group), AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    let g = group(s, &pool, input.req_str("GroupName")?)?;
    Ok((pool, user, g))
}

pub async fn add_user(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (pool, user, g) = member_of(s, ctx, input)?;
    let ukey = pool.user_key(&user.username);
    let mut batch = WriteBatch::new();
    batch.put(keys::member(&pool.id, &g.name, &ukey).into_bytes(), Vec::new());
    batch.put(keys::user_group(&pool.id, &ukey, &g.name).into_bytes(), Vec::new());
    s.store.write(batch).await?;
    Ok(json!({}))
}

pub async fn remove_user(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (pool, user, g) = member_of(s, ctx, input)?;
    let ukey = pool.user_key(&user.username);
    let mut batch = WriteBatch::new();
    batch.delete(keys::member(&pool.id, &g.name, &ukey).into_bytes());
    batch.delete(keys::user_group(&pool.id, &ukey, &g.name).into_bytes());
    s.store.write(batch).await?;
    Ok(json!({}))
}

pub fn groups_for_user(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    let items: Vec<(String, Value)> =
        lookup::groups_of(s, &pool, &user)?.into_iter().map(|g| (g.name.clone(), g.describe(&pool.id))).collect();
    let (groups, next) = page::page(items, input.i64("Limit"), input.str("NextToken"));
    let mut out = json!({"Groups": groups});
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

pub fn users_in_group(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let g = group(s, &pool, input.req_str("GroupName")?)?;
    let mut items = Vec::new();
    for ukey in db::scan_keys(&s.store, &keys::members(&pool.id, &g.name))? {
        if let Some(u) = db::get::<User>(&s.store, &keys::user(&pool.id, &ukey))? {
            items.push((ukey, u.user_type("Attributes")));
        }
    }
    let (users, next) = page::page(items, input.i64("Limit"), input.str("NextToken"));
    let mut out = json!({"Users": users});
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}
