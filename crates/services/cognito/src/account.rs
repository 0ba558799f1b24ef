//! What a signed-in user does with an access token: GetUser,
//! UpdateUserAttributes, DeleteUserAttributes, DeleteUser, ChangePassword,
//! GlobalSignOut, RevokeToken, GetUserAttributeVerificationCode and
//! VerifyUserAttribute.

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, clock};

use crate::errors::{bad_credentials, invalid_parameter};
use crate::shared::Shared;
use crate::{codes, lookup, passwords, schema, tokens, users};

pub async fn get_user(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (_, user, _) = tokens::verify_access(s, input.req_str("AccessToken")?).await?;
    Ok(users::get_user_output(&user))
}

pub async fn update_attributes(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, mut user, _) = tokens::verify_access(s, input.req_str("AccessToken")?).await?;
    let attrs = schema::pairs(input.list("UserAttributes"));
    let details = users::update_attributes(s, &pool, &mut user, &attrs, false).await?.unwrap_or_default();
    if details.is_empty() {
        return Ok(json!({}));
    }
    Ok(json!({"CodeDeliveryDetailsList": details}))
}

pub async fn delete_attributes(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, mut user, _) = tokens::verify_access(s, input.req_str("AccessToken")?).await?;
    users::delete_attributes(s, &pool, &mut user, &input.str_list("UserAttributeNames")).await?;
    Ok(json!({}))
}

pub async fn delete_user(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, user, _) = tokens::verify_access(s, input.req_str("AccessToken")?).await?;
    tokens::revoke_user(s, &pool, &user).await?;
    lookup::delete_user(s, &pool, &user).await?;
    Ok(json!({}))
}

pub async fn change_password(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, mut user, _) = tokens::verify_access(s, input.req_str("AccessToken")?).await?;
    let proposed = input.req_str("ProposedPassword")?;
    match input.str("PreviousPassword") {
        Some(prev) if passwords::matches(&user, prev).await => {}
        _ => return Err(bad_credentials()),
    }
    passwords::check_policy(&pool.password_policy(), proposed)?;
    let old = user.clone();
    passwords::set(&mut user, pool.srp_name(), proposed).await?;
    user.modified = clock::now_epoch();
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    Ok(json!({}))
}

pub async fn global_sign_out(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, user, _) = tokens::verify_access(s, input.req_str("AccessToken")?).await?;
    tokens::revoke_user(s, &pool, &user).await?;
    Ok(json!({}))
}

pub async fn revoke_token(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let client_id = input.req_str("ClientId")?;
    let client = lookup::client(s, client_id)?;
    if let Some(secret) = &client.secret
        && input.str("ClientSecret") != Some(secret.as_str())
    {
        return Err(crate::errors::not_authorized(format!(
            "Client {client_id} is configured with secret but secret was not received"
        )));
    }
    let token = input.req_str("Token")?;
    match tokens::refresh_record(s, token, client_id) {
        Ok(r) => tokens::revoke_origin(s, &r.origin_jti).await?,
        Err(e) if e.message == "Refresh Token has been revoked" => {}
        Err(_) => return Err(AwsError::bad_request("UnsupportedTokenTypeException", "Unsupported token type")),
    }
    Ok(json!({}))
}

pub async fn get_attribute_verification_code(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, mut user, claims) = tokens::verify_access(s, input.req_str("AccessToken")?).await?;
    let attr = input.req_str("AttributeName")?;
    if attr != "email" && attr != "phone_number" {
        return Err(invalid_parameter("Verification is only supported for email and phone_number."));
    }
    if user.attr(attr).is_none() {
        return Err(invalid_parameter(format!("User does not have a {attr}")));
    }
    let old = user.clone();
    let code = codes::issue(&mut user, &format!("attr:{attr}"));
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    let (source, meta) = ("CustomMessage_VerifyUserAttribute", crate::triggers::client_metadata(input));
    let client_id = claims.get("client_id").and_then(Value::as_str);
    let msg = crate::triggers::custom_message(s, &pool, source, &user, client_id, &code, &meta).await?;
    let details = codes::deliver(s, &pool, &user, "verify_attribute", Some(attr), &code, msg).await?;
    Ok(json!({"CodeDeliveryDetails": details}))
}

pub async fn verify_attribute(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, mut user, _) = tokens::verify_access(s, input.req_str("AccessToken")?).await?;
    let attr = input.req_str("AttributeName")?;
    let old = user.clone();
    codes::check(&mut user, &format!("attr:{attr}"), input.req_str("Code")?)?;
    user.set_attr(&format!("{attr}_verified"), "true");
    user.modified = clock::now_epoch();
    if let Some(a) = lookup::alias_taken(s, &pool, &user)? {
        return Err(AwsError::bad_request(
            "AliasExistsException",
            format!("An account with the given {a} already exists."),
        ));
    }
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    Ok(json!({}))
}
