//! Users as administrators manage them: AdminCreateUser (temporary
//! passwords), AdminGetUser, ListUsers with AWS's filter syntax, attribute
//! updates, enable/disable, AdminConfirmSignUp, AdminSetUserPassword,
//! AdminResetUserPassword, AdminDeleteUser and AdminUserGlobalSignOut.

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock};

use crate::errors::{invalid_parameter, not_authorized, username_exists};
use crate::model::{Pool, User};
use crate::shared::Shared;
use crate::{codes, db, keys, lookup, page, passwords, schema, tokens, triggers};

/// A new user record: with username attributes, the name given is the
/// email or phone number and the username becomes the sub.
pub fn new_user(pool: &Pool, given: &str, attrs: &[(String, String)], status: &str) -> Result<User, AwsError> {
    let sub = uuid::Uuid::new_v4().to_string();
    let username_attrs = pool.username_attributes();
    let mut attributes = vec![("sub".to_string(), sub.clone())];
    let username = if username_attrs.is_empty() {
        given.to_string()
    } else {
        let is_email = given.contains('@');
        let is_phone = given.starts_with('+');
        let attr = if is_email && username_attrs.iter().any(|a| a == "email") {
            "email"
        } else if is_phone && username_attrs.iter().any(|a| a == "phone_number") {
            "phone_number"
        } else {
            let wanted = if username_attrs.len() > 1 {
                "an email or phone number"
            } else if username_attrs[0] == "email" {
                "an email"
            } else {
                "a phone number"
            };
            return Err(invalid_parameter(format!("Username should be {wanted}.")));
        };
        if !attrs.iter().any(|(n, _)| n == attr) {
            attributes.push((attr.to_string(), given.to_string()));
        }
        sub.clone()
    };
    for (n, v) in attrs {
        if n != "sub" {
            attributes.retain(|(a, _)| a != n);
            attributes.push((n.clone(), v.clone()));
        }
    }
    let now = clock::now_epoch();
    Ok(User {
        username,
        sub,
        attributes,
        status: status.to_string(),
        enabled: true,
        created: now,
        modified: now,
        ..User::default()
    })
}

/// Fails when the username or one of its sign-in aliases is taken.
pub fn check_unique(s: &Shared, pool: &Pool, user: &User) -> Result<(), AwsError> {
    if lookup::user_by_name(s, pool, &user.username)?.is_some() {
        return Err(username_exists());
    }
    if let Some(attr) = lookup::alias_taken(s, pool, user)? {
        let what = if attr == "phone_number" { "phone_number" } else { attr.as_str() };
        return Err(AwsError::bad_request(
            "UsernameExistsException",
            format!("An account with the given {what} already exists."),
        ));
    }
    Ok(())
}

/// The model's `AdminGetUserResponse` / `GetUserResponse` members.
pub fn get_user_output(user: &User) -> Value {
    let mut out = json!({
        "Username": user.username,
        "UserAttributes": user.attribute_list(),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    });
    let list = user.mfa_list();
    if !list.is_empty() {
        out["UserMFASettingList"] = json!(list);
    }
    if let Some(p) = &user.preferred_mfa {
        out["PreferredMfaSetting"] = json!(p);
    }
    out
}

pub async fn admin_create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let given = input.req_str("Username")?;
    let attrs = schema::pairs(input.list("UserAttributes"));
    schema::check_writable(&pool, &attrs, true)?;
    let action = input.str("MessageAction");
    let temp = match input.str("TemporaryPassword") {
        Some(p) => {
            passwords::check_policy(&pool.password_policy(), p)?;
            p.to_string()
        }
        None => passwords::temporary(),
    };
    if action == Some("RESEND") {
        let mut user = lookup::require_user(s, &pool, given)?;
        if user.status != "FORCE_CHANGE_PASSWORD" {
            return Err(AwsError::bad_request(
                "UnsupportedUserStateException",
                "Resend not possible. User is not in FORCE_CHANGE_PASSWORD state.",
            ));
        }
        let old = user.clone();
        passwords::set(&mut user, pool.srp_name(), &temp).await?;
        user.temp_password_expires = Some(clock::now_epoch() + temp_validity(&pool));
        lookup::save_user(s, &pool, Some(&old), &user).await?;
        send_temporary_password(s, &pool, &user, &temp, input).await?;
        return Ok(json!({"User": user.user_type("Attributes")}));
    }
    let mut user = new_user(&pool, given, &attrs, "FORCE_CHANGE_PASSWORD")?;
    schema::check_required(&pool, &user.attributes)?;
    check_unique(s, &pool, &user)?;
    let pre = triggers::pre_sign_up(s, &pool, "PreSignUp_AdminCreateUser", None, &user, input).await?;
    pre.verify(&mut user);
    passwords::set(&mut user, pool.srp_name(), &temp).await?;
    user.temp_password_expires = Some(clock::now_epoch() + temp_validity(&pool));
    lookup::save_user(s, &pool, None, &user).await?;
    if action != Some("SUPPRESS") {
        send_temporary_password(s, &pool, &user, &temp, input).await?;
    }
    Ok(json!({"User": user.user_type("Attributes")}))
}

/// Sends the invitation with a temporary password, in the custom message
/// trigger's words if the pool has one.
async fn send_temporary_password(
    s: &Shared,
    pool: &Pool,
    user: &User,
    temp: &str,
    input: &Value,
) -> Result<(), AwsError> {
    let meta = triggers::client_metadata(input);
    let msg = triggers::custom_message(s, pool, "CustomMessage_AdminCreateUser", user, None, temp, &meta).await?;
    codes::deliver(s, pool, user, "temporary_password", None, temp, msg).await?;
    Ok(())
}

fn temp_validity(pool: &Pool) -> f64 {
    pool.password_policy().get("TemporaryPasswordValidityDays").and_then(Value::as_f64).unwrap_or(7.0) * 86_400.0
}

pub fn admin_get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    Ok(get_user_output(&user))
}

/// One `attr = "value"` / `attr ^= "value"` filter.
struct Filter {
    attr: String,
    prefix: bool,
    value: String,
}

fn parse_filter(f: &str) -> Result<Option<Filter>, AwsError> {
    let f = f.trim();
    if f.is_empty() {
        return Ok(None);
    }
    let bad = || invalid_parameter("Error while parsing filter.");
    let (attr, rest, prefix) = if let Some((a, r)) = f.split_once("^=") {
        (a, r, true)
    } else if let Some((a, r)) = f.split_once('=') {
        (a, r, false)
    } else {
        return Err(bad());
    };
    let value = rest.trim().strip_prefix('"').and_then(|v| v.strip_suffix('"')).ok_or_else(bad)?;
    let attr = attr.trim().to_string();
    const SEARCHABLE: &[&str] = &[
        "username",
        "email",
        "phone_number",
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "cognito:user_status",
        "status",
        "sub",
    ];
    if !SEARCHABLE.contains(&attr.as_str()) {
        return Err(invalid_parameter(format!("Invalid search attribute: {attr}")));
    }
    Ok(Some(Filter { attr, prefix, value: value.to_string() }))
}

fn matches(f: &Filter, user: &User) -> bool {
    let v = match f.attr.as_str() {
        "username" => Some(user.username.as_str()),
        "cognito:user_status" => Some(user.status.as_str()),
        "status" => Some(if user.enabled { "Enabled" } else { "Disabled" }),
        a => user.attr(a),
    };
    let Some(v) = v else { return false };
    if f.prefix { v.starts_with(&f.value) } else { v == f.value }
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let filter = parse_filter(input.str("Filter").unwrap_or(""))?;
    let wanted = input.str_list("AttributesToGet");
    let mut items = Vec::new();
    for (key, user) in db::scan::<User>(&s.store, &keys::users(&pool.id))? {
        if filter.as_ref().is_some_and(|f| !matches(f, &user)) {
            continue;
        }
        let mut t = user.user_type("Attributes");
        if input.get("AttributesToGet").is_some() {
            let attrs: Vec<Value> = user
                .attributes
                .iter()
                .filter(|(n, _)| wanted.contains(n))
                .map(|(n, v)| json!({"Name": n, "Value": v}))
                .collect();
            t["Attributes"] = json!(attrs);
        }
        items.push((key, t));
    }
    let (users, next) = page::page(items, input.i64("Limit"), input.str("PaginationToken"));
    let mut out = json!({"Users": users});
    if let Some(n) = next {
        out["PaginationToken"] = json!(n);
    }
    Ok(out)
}

/// Applies attribute updates; changed emails and phone numbers lose their
/// verified flag unless the pool auto-verifies, in which case a code goes out.
pub async fn update_attributes(
    s: &Shared,
    pool: &Pool,
    user: &mut User,
    attrs: &[(String, String)],
    admin: bool,
) -> Result<Option<Vec<Value>>, AwsError> {
    schema::check_writable(pool, attrs, false)?;
    let old = user.clone();
    let mut to_verify = Vec::new();
    for (n, v) in attrs {
        let changed = user.attr(n) != Some(v.as_str());
        user.set_attr(n, v);
        if (n == "email" || n == "phone_number") && changed {
            let verified_given = attrs.iter().any(|(a, val)| a == &format!("{n}_verified") && val == "true");
            if !verified_given {
                user.set_attr(&format!("{n}_verified"), "false");
                if pool.auto_verified().contains(n) {
                    to_verify.push(n.clone());
                }
            }
        }
    }
    if let Some(attr) = lookup::alias_taken(s, pool, user)? {
        return Err(AwsError::bad_request(
            "AliasExistsException",
            format!("An account with the given {attr} already exists."),
        ));
    }
    user.modified = clock::now_epoch();
    let mut details = Vec::new();
    let mut pending = Vec::new();
    for attr in &to_verify {
        let code = codes::issue(user, &format!("attr:{attr}"));
        pending.push((attr.clone(), code));
    }
    lookup::save_user(s, pool, Some(&old), user).await?;
    for (attr, code) in pending {
        if let Some(d) = codes::deliver(s, pool, user, "verify_attribute", Some(&attr), &code, None).await? {
            details.push(d);
        }
    }
    Ok(if admin { None } else { Some(details) })
}

pub async fn admin_update_attributes(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    let attrs = schema::pairs(input.list("UserAttributes"));
    update_attributes(s, &pool, &mut user, &attrs, true).await?;
    Ok(json!({}))
}

pub async fn delete_attributes(s: &Shared, pool: &Pool, user: &mut User, names: &[String]) -> Result<(), AwsError> {
    let old = user.clone();
    for n in names {
        if n == "sub" {
            return Err(invalid_parameter("Cannot modify the non-mutable attribute sub"));
        }
        user.remove_attr(n);
    }
    user.modified = clock::now_epoch();
    lookup::save_user(s, pool, Some(&old), user).await
}

pub async fn admin_delete_attributes(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    delete_attributes(s, &pool, &mut user, &input.str_list("UserAttributeNames")).await?;
    Ok(json!({}))
}

pub async fn admin_delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    tokens::revoke_user(s, &pool, &user).await?;
    lookup::delete_user(s, &pool, &user).await?;
    Ok(json!({}))
}

pub async fn admin_set_enabled(
    s: &Shared,
    ctx: &RequestContext,
    input: &Value,
    enabled: bool,
) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    let old = user.clone();
    user.enabled = enabled;
    user.modified = clock::now_epoch();
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    if !enabled {
        tokens::revoke_user(s, &pool, &user).await?;
    }
    Ok(json!({}))
}

/// Confirms a user and runs the post confirmation trigger.
pub async fn confirm(
    s: &Shared,
    pool: &Pool,
    user: &mut User,
    client_id: Option<&str>,
    source: &str,
    meta: &Value,
) -> Result<(), AwsError> {
    let old = user.clone();
    user.status = "CONFIRMED".into();
    user.codes.remove("signup");
    user.modified = clock::now_epoch();
    lookup::save_user(s, pool, Some(&old), user).await?;
    post_confirmation(s, pool, user, client_id, source, meta).await
}

/// Runs the post confirmation trigger for a user just confirmed.
pub async fn post_confirmation(
    s: &Shared,
    pool: &Pool,
    user: &User,
    client_id: Option<&str>,
    source: &str,
    meta: &Value,
) -> Result<(), AwsError> {
    triggers::notify(s, pool, "PostConfirmation", source, user, client_id, json!({"clientMetadata": meta})).await
}

pub async fn admin_confirm(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    if user.status != "UNCONFIRMED" {
        return Err(not_authorized(format!("User cannot be confirmed. Current status is {}", user.status)));
    }
    let meta = triggers::client_metadata(input);
    confirm(s, &pool, &mut user, None, "PostConfirmation_ConfirmSignUp", &meta).await?;
    Ok(json!({}))
}

pub async fn admin_set_password(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    let password = input.req_str("Password")?;
    passwords::check_policy(&pool.password_policy(), password)?;
    let old = user.clone();
    passwords::set(&mut user, pool.srp_name(), password).await?;
    if input.bool("Permanent").unwrap_or(false) {
        user.status = "CONFIRMED".into();
        user.temp_password_expires = None;
    } else {
        user.status = "FORCE_CHANGE_PASSWORD".into();
        user.temp_password_expires = Some(clock::now_epoch() + temp_validity(&pool));
    }
    user.modified = clock::now_epoch();
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    Ok(json!({}))
}

pub async fn admin_reset_password(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let mut user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    let old = user.clone();
    let code = codes::issue(&mut user, "forgot");
    user.status = "RESET_REQUIRED".into();
    user.modified = clock::now_epoch();
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    codes::deliver(s, &pool, &user, "forgot_password", None, &code, None).await?;
    Ok(json!({}))
}

pub async fn admin_global_sign_out(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    tokens::revoke_user(s, &pool, &user).await?;
    Ok(json!({}))
}
