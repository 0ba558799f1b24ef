//! Self-service sign-up and recovery, all unsigned calls naming a client:
//! SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword and
//! ConfirmForgotPassword.

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, clock};

use crate::clients::check_secret_hash;
use crate::errors::{invalid_parameter, not_authorized};
use crate::model::{Pool, User};
use crate::shared::Shared;
use crate::{codes, lookup, passwords, schema, triggers, users};

fn no_such_user() -> AwsError {
    AwsError::bad_request("UserNotFoundException", "Username/client id combination not found.")
}

pub async fn sign_up(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (client, pool) = lookup::client_and_pool(s, input.req_str("ClientId")?)?;
    let username = input.req_str("Username")?;
    check_secret_hash(&client, username, input.str("SecretHash"))?;
    if pool.admin_only() {
        return Err(not_authorized("SignUp is not permitted for this user pool"));
    }
    let password = input.req_str("Password")?;
    passwords::check_policy(&pool.password_policy(), password)?;
    let attrs = schema::pairs(input.list("UserAttributes"));
    schema::check_writable(&pool, &attrs, true)?;
    let mut user = users::new_user(&pool, username, &attrs, "UNCONFIRMED")?;
    schema::check_required(&pool, &user.attributes)?;
    users::check_unique(s, &pool, &user)?;
    let pre = triggers::pre_sign_up(s, &pool, "PreSignUp_SignUp", Some(&client.id), &user, input).await?;
    pre.verify(&mut user);
    let meta = triggers::client_metadata(input);
    passwords::set(&mut user, pool.srp_name(), password).await?;
    let mut details = None;
    if pre.auto_confirm {
        // An auto-confirmed user is confirmed now, so post confirmation runs now.
        user.status = "CONFIRMED".into();
        lookup::save_user(s, &pool, None, &user).await?;
        users::post_confirmation(s, &pool, &user, Some(&client.id), "PostConfirmation_ConfirmSignUp", &meta).await?;
    } else {
        let code = codes::issue(&mut user, "signup");
        lookup::save_user(s, &pool, None, &user).await?;
        let msg =
            triggers::custom_message(s, &pool, "CustomMessage_SignUp", &user, Some(&client.id), &code, &meta).await?;
        details = codes::deliver(s, &pool, &user, "signup", delivery_attr(&pool, &user), &code, msg).await?;
    }
    let mut out = json!({"UserConfirmed": user.status == "CONFIRMED", "UserSub": user.sub});
    if let Some(d) = details {
        out["CodeDeliveryDetails"] = d;
    }
    Ok(out)
}

/// The attribute a confirmation code goes to: the auto-verified one first.
fn delivery_attr<'a>(pool: &Pool, user: &'a User) -> Option<&'a str> {
    let auto = pool.auto_verified();
    ["email", "phone_number"]
        .into_iter()
        .find(|a| auto.iter().any(|x| x == a) && user.attr(a).is_some())
        .or_else(|| ["email", "phone_number"].into_iter().find(|a| user.attr(a).is_some()))
}

fn user_for(s: &Shared, pool: &Pool, username: &str) -> Result<User, AwsError> {
    lookup::find_user(s, pool, username)?.ok_or_else(no_such_user)
}

pub async fn confirm_sign_up(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (client, pool) = lookup::client_and_pool(s, input.req_str("ClientId")?)?;
    let username = input.req_str("Username")?;
    check_secret_hash(&client, username, input.str("SecretHash"))?;
    let mut user = user_for(s, &pool, username)?;
    if user.status != "UNCONFIRMED" {
        return Err(not_authorized(format!("User cannot be confirmed. Current status is {}", user.status)));
    }
    codes::check(&mut user, "signup", input.req_str("ConfirmationCode")?)?;
    if let Some(a) = delivery_attr(&pool, &user).map(str::to_string)
        && pool.auto_verified().contains(&a)
    {
        user.set_attr(&format!("{a}_verified"), "true");
    }
    if let Some(attr) = lookup::alias_taken(s, &pool, &user)?
        && input.bool("ForceAliasCreation") != Some(true)
    {
        return Err(AwsError::bad_request(
            "AliasExistsException",
            format!("An account with the given {attr} already exists."),
        ));
    }
    let meta = triggers::client_metadata(input);
    users::confirm(s, &pool, &mut user, Some(&client.id), "PostConfirmation_ConfirmSignUp", &meta).await?;
    Ok(json!({}))
}

pub async fn resend_code(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (client, pool) = lookup::client_and_pool(s, input.req_str("ClientId")?)?;
    let username = input.req_str("Username")?;
    check_secret_hash(&client, username, input.str("SecretHash"))?;
    let mut user = user_for(s, &pool, username)?;
    if user.status != "UNCONFIRMED" {
        return Err(invalid_parameter("User is already confirmed."));
    }
    let old = user.clone();
    let code = codes::issue(&mut user, "signup");
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    let (source, meta) = ("CustomMessage_ResendCode", triggers::client_metadata(input));
    let msg = triggers::custom_message(s, &pool, source, &user, Some(&client.id), &code, &meta).await?;
    let details = codes::deliver(s, &pool, &user, "signup", delivery_attr(&pool, &user), &code, msg).await?;
    Ok(json!({"CodeDeliveryDetails": details}))
}

pub async fn forgot_password(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (client, pool) = lookup::client_and_pool(s, input.req_str("ClientId")?)?;
    let username = input.req_str("Username")?;
    check_secret_hash(&client, username, input.str("SecretHash"))?;
    let meta = triggers::client_metadata(input);
    let mut user = match lookup::find_user(s, &pool, username)? {
        Some(u) => u,
        None => crate::auth::migrate(s, &pool, &client, username, None, "UserMigration_ForgotPassword", &meta)
            .await?
            .ok_or_else(no_such_user)?,
    };
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    let old = user.clone();
    let code = codes::issue(&mut user, "forgot");
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    let source = "CustomMessage_ForgotPassword";
    let msg = triggers::custom_message(s, &pool, source, &user, Some(&client.id), &code, &meta).await?;
    let details = codes::deliver(s, &pool, &user, "forgot_password", None, &code, msg).await?;
    Ok(json!({"CodeDeliveryDetails": details}))
}

pub async fn confirm_forgot_password(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (client, pool) = lookup::client_and_pool(s, input.req_str("ClientId")?)?;
    let username = input.req_str("Username")?;
    check_secret_hash(&client, username, input.str("SecretHash"))?;
    let mut user = user_for(s, &pool, username)?;
    let old = user.clone();
    codes::check(&mut user, "forgot", input.req_str("ConfirmationCode")?)?;
    let password = input.req_str("Password")?;
    passwords::check_policy(&pool.password_policy(), password)?;
    passwords::set(&mut user, pool.srp_name(), password).await?;
    let was_unconfirmed = user.status == "UNCONFIRMED";
    if !was_unconfirmed {
        user.status = "CONFIRMED".into();
    }
    user.temp_password_expires = None;
    user.modified = clock::now_epoch();
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    triggers::notify(
        s,
        &pool,
        "PostConfirmation",
        "PostConfirmation_ConfirmForgotPassword",
        &user,
        Some(&client.id),
        json!({"clientMetadata": triggers::client_metadata(input)}),
    )
    .await?;
    Ok(json!({}))
}
