//! Loading and saving pools, clients and users, including the alias index
//! that lets users sign in with a verified email, phone number or preferred
//! username, and the account check of administrative calls.

use stratus_core::{AwsError, RequestContext};
use stratus_store::WriteBatch;

use crate::db;
use crate::errors::{client_not_found, pool_not_found, user_not_found};
use crate::keys;
use crate::model::{Client, Pool, User};
use crate::shared::Shared;

/// The pool `id`, for any caller.
pub fn pool(s: &Shared, id: &str) -> Result<Pool, AwsError> {
    db::get::<Pool>(&s.store, &keys::pool(id))?.ok_or_else(|| pool_not_found(id))
}

/// The pool `id` when it belongs to the caller's account.
pub fn admin_pool(s: &Shared, ctx: &RequestContext, id: &str) -> Result<Pool, AwsError> {
    let p = pool(s, id)?;
    if p.account != ctx.account_id {
        return Err(pool_not_found(id));
    }
    Ok(p)
}

pub fn client(s: &Shared, id: &str) -> Result<Client, AwsError> {
    db::get::<Client>(&s.store, &keys::client(id))?.ok_or_else(|| client_not_found(id))
}

/// The client and its pool, for unsigned calls that name a client id.
pub fn client_and_pool(s: &Shared, client_id: &str) -> Result<(Client, Pool), AwsError> {
    let c = client(s, client_id)?;
    let p = pool(s, &c.pool_id)?;
    Ok((c, p))
}

/// The client of `pool` named `client_id`.
pub fn pool_client(s: &Shared, pool: &Pool, client_id: &str) -> Result<Client, AwsError> {
    let c = client(s, client_id)?;
    if c.pool_id != pool.id {
        return Err(client_not_found(client_id));
    }
    Ok(c)
}

/// The user stored under exactly `username`.
pub fn user_by_name(s: &Shared, pool: &Pool, username: &str) -> Result<Option<User>, AwsError> {
    db::get::<User>(&s.store, &keys::user(&pool.id, &pool.user_key(username)))
}

/// The user that `name` designates: a username, or an email, phone
/// number, preferred username or sub the pool lets users sign in with.
pub fn find_user(s: &Shared, pool: &Pool, name: &str) -> Result<Option<User>, AwsError> {
    if let Some(u) = user_by_name(s, pool, name)? {
        return Ok(Some(u));
    }
    for attr in ["email", "phone_number", "preferred_username", "sub"] {
        let value = if attr == "email" { name.to_lowercase() } else { name.to_string() };
        if let Some(bytes) = s.store.get(keys::alias(&pool.id, attr, &value).as_bytes())? {
            let username = String::from_utf8_lossy(&bytes).into_owned();
            if let Some(u) = user_by_name(s, pool, &username)? {
                return Ok(Some(u));
            }
        }
    }
    Ok(None)
}

/// Like `find_user`, failing with UserNotFoundException.
pub fn require_user(s: &Shared, pool: &Pool, name: &str) -> Result<User, AwsError> {
    find_user(s, pool, name)?.ok_or_else(user_not_found)
}

/// The alias keys a user holds: its sub, and the attributes it can sign in with.
pub fn alias_keys(pool: &Pool, user: &User) -> Vec<String> {
    let mut out = vec![keys::alias(&pool.id, "sub", &user.sub)];
    let username_attrs = pool.username_attributes();
    let alias_attrs = pool.alias_attributes();
    for attr in ["email", "phone_number"] {
        let Some(v) = user.attr(attr) else { continue };
        let verified = user.attr(&format!("{attr}_verified")) == Some("true");
        if username_attrs.iter().any(|a| a == attr) || (alias_attrs.iter().any(|a| a == attr) && verified) {
            let v = if attr == "email" { v.to_lowercase() } else { v.to_string() };
            out.push(keys::alias(&pool.id, attr, &v));
        }
    }
    if alias_attrs.iter().any(|a| a == "preferred_username")
        && let Some(v) = user.attr("preferred_username")
    {
        out.push(keys::alias(&pool.id, "preferred_username", v));
    }
    out
}

/// Whether another user already holds one of `user`'s alias keys.
pub fn alias_taken(s: &Shared, pool: &Pool, user: &User) -> Result<Option<String>, AwsError> {
    let own = pool.user_key(&user.username);
    for key in alias_keys(pool, user) {
        if let Some(bytes) = s.store.get(key.as_bytes())? {
            let holder = String::from_utf8_lossy(&bytes).into_owned();
            if pool.user_key(&holder) != own {
                let attr = key.rsplit('/').nth(1).unwrap_or("").to_string();
                return Ok(Some(attr));
            }
        }
    }
    Ok(None)
}

/// Stores `user`, moving its alias keys from `old`'s.
pub async fn save_user(s: &Shared, pool: &Pool, old: Option<&User>, user: &User) -> Result<(), AwsError> {
    let mut batch = WriteBatch::new();
    let new_aliases = alias_keys(pool, user);
    if let Some(old) = old {
        for k in alias_keys(pool, old) {
            if !new_aliases.contains(&k) {
                batch.delete(k.into_bytes());
            }
        }
    }
    for k in new_aliases {
        batch.put(k.into_bytes(), user.username.clone().into_bytes());
    }
    batch.put(keys::user(&pool.id, &pool.user_key(&user.username)).into_bytes(), db::encode(user)?);
    s.store.write(batch).await?;
    Ok(())
}

/// Removes `user`, its aliases and its group memberships.
pub async fn delete_user(s: &Shared, pool: &Pool, user: &User) -> Result<(), AwsError> {
    let mut batch = WriteBatch::new();
    for k in alias_keys(pool, user) {
        batch.delete(k.into_bytes());
    }
    let ukey = pool.user_key(&user.username);
    for group in db::scan_keys(&s.store, &keys::user_groups(&pool.id, &ukey))? {
        batch.delete(keys::member(&pool.id, &group, &ukey).into_bytes());
        batch.delete(keys::user_group(&pool.id, &ukey, &group).into_bytes());
    }
    batch.delete(keys::user(&pool.id, &ukey).into_bytes());
    s.store.write(batch).await?;
    Ok(())
}

/// The names of the groups `user` belongs to, by precedence then name.
pub fn groups_of(s: &Shared, pool: &Pool, user: &User) -> Result<Vec<crate::model::Group>, AwsError> {
    let ukey = pool.user_key(&user.username);
    let mut out = Vec::new();
    for name in db::scan_keys(&s.store, &keys::user_groups(&pool.id, &ukey))? {
        if let Some(g) = db::get::<crate::model::Group>(&s.store, &keys::group(&pool.id, &name))? {
            out.push(g);
        }
    }
    out.sort_by(|a, b| {
        a.precedence.unwrap_or(i64::MAX).cmp(&b.precedence.unwrap_or(i64::MAX)).then(a.name.cmp(&b.name))
    });
    Ok(out)
}
