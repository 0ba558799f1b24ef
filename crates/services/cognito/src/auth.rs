//! Starting a sign-in: InitiateAuth and AdminInitiateAuth with
//! USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH (ADMIN_NO_SRP_AUTH),
//! USER_SRP_AUTH, REFRESH_TOKEN_AUTH / REFRESH_TOKEN and CUSTOM_AUTH, plus
//! GetTokensFromRefreshToken; and what every flow does once the password is
//! proven (`after_password`): account state checks, the next challenge
//! (NEW_PASSWORD_REQUIRED, MFA), or tokens.

use base64::Engine;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock};

use crate::clients::check_secret_hash;
use crate::errors::{bad_credentials, invalid_parameter, not_authorized, not_confirmed};
use crate::model::{Client, Pool, User};
use crate::shared::Shared;
use crate::tokens::Issue;
use crate::{codes, lookup, passwords, sessions, srp, tokens, triggers, users};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// InitiateAuth's ClientMetadata reaches only the pre sign-up, pre
/// authentication and user migration triggers (as `validationData`); the
/// triggers after them (post authentication, pre token generation, custom
/// auth) get none.
const NOT_PASSED: Value = Value::Null;

/// A parameter of `AuthParameters` / `ChallengeResponses`.
pub fn param<'a>(params: &'a Value, name: &str) -> Option<&'a str> {
    params.get(name).and_then(Value::as_str)
}

pub fn required_param<'a>(params: &'a Value, name: &str) -> Result<&'a str, AwsError> {
    param(params, name).ok_or_else(|| invalid_parameter(format!("Missing required parameter {name}")))
}

fn auth_session_validity(client: &Client) -> i64 {
    client.spec.get("AuthSessionValidity").and_then(Value::as_i64).unwrap_or(3)
}

/// The user named in a sign-in, or AWS's answer for an unknown one.
fn unknown_user(client: &Client) -> AwsError {
    if client.spec.get("PreventUserExistenceErrors").and_then(Value::as_str) == Some("ENABLED") {
        bad_credentials()
    } else {
        AwsError::bad_request("UserNotFoundException", "User does not exist.")
    }
}

/// A migration function that fails means AWS could not migrate the user.
fn migration_failed(client: &Client, e: AwsError) -> AwsError {
    if e.code != "UserLambdaValidationException" {
        return e;
    }
    if client.spec.get("PreventUserExistenceErrors").and_then(Value::as_str) == Some("ENABLED") {
        return bad_credentials();
    }
    AwsError::bad_request("UserNotFoundException", format!("Exception migrating user in app client {}", client.id))
}

/// Runs the user migration trigger for an unknown user; stores and returns
/// the migrated user.
pub async fn migrate(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    username: &str,
    password: Option<&str>,
    source: &str,
    meta: &Value,
) -> Result<Option<User>, AwsError> {
    let asked = triggers::user_migration(s, pool, source, username, Some(&client.id), password, meta).await;
    let Some(m) = asked.map_err(|e| migration_failed(client, e))? else {
        return Ok(None);
    };
    let status = m.final_status.unwrap_or_else(|| "CONFIRMED".to_string());
    let attrs: Vec<(String, String)> =
        m.attributes.into_iter().filter(|(n, _)| n != "sub" && n != "username").collect();
    let mut user = users::new_user(pool, username, &attrs, &status)?;
    match password {
        Some(p) => passwords::set(&mut user, pool.srp_name(), p).await?,
        None => user.status = "RESET_REQUIRED".into(),
    }
    lookup::save_user(s, pool, None, &user).await?;
    Ok(Some(user))
}

/// The account-state checks every sign-in makes.
fn check_state(user: &User) -> Result<(), AwsError> {
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    match user.status.as_str() {
        "UNCONFIRMED" => Err(not_confirmed()),
        "RESET_REQUIRED" => {
            Err(AwsError::bad_request("PasswordResetRequiredException", "Password reset required for the user"))
        }
        _ => Ok(()),
    }
}

/// A challenge answer: `{ChallengeName, ChallengeParameters, Session}`.
pub async fn challenge(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    user: &User,
    name: &str,
    params: Value,
    data: Value,
) -> Result<Value, AwsError> {
    let session =
        sessions::create(s, &pool.id, &client.id, &user.username, name, auth_session_validity(client), data).await?;
    Ok(json!({"ChallengeName": name, "ChallengeParameters": params, "Session": session}))
}

/// Tokens for a finished sign-in, after the post authentication trigger.
pub async fn finish(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    user: &User,
    meta: &Value,
    source: &str,
) -> Result<Value, AwsError> {
    triggers::notify(
        s,
        pool,
        "PostAuthentication",
        "PostAuthentication_Authentication",
        user,
        Some(&client.id),
        json!({"newDeviceUsed": false, "clientMetadata": meta}),
    )
    .await?;
    let how = Issue { source, client_metadata: meta.clone(), ..Issue::default() };
    let result = tokens::issue(s, pool, client, user, how).await?;
    Ok(json!({"ChallengeParameters": {}, "AuthenticationResult": result}))
}

/// Whether the user signs in with a software token.
pub fn has_totp(pool: &Pool, user: &User) -> bool {
    pool.totp_mfa && user.totp_secret.is_some() && (user.mfa_totp || pool.mfa() == "ON")
}

fn has_sms(pool: &Pool, user: &User) -> bool {
    pool.sms_mfa && user.attr("phone_number").is_some() && (user.mfa_sms || pool.mfa() == "ON")
}

/// Sends an SMS MFA code and returns the SMS_MFA challenge.
pub async fn sms_challenge(s: &Shared, pool: &Pool, client: &Client, user: &User) -> Result<Value, AwsError> {
    let code = codes::new_code();
    codes::deliver(s, pool, user, "sms_mfa", Some("phone_number"), &code, None).await?;
    let dest = codes::mask("SMS", user.attr("phone_number").unwrap_or(""));
    challenge(
        s,
        pool,
        client,
        user,
        "SMS_MFA",
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": dest, "USER_ID_FOR_SRP": user.username}),
        json!({"code": code}),
    )
    .await
}

/// What follows a proven password: the next challenge or tokens.
pub async fn after_password(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    user: &User,
    meta: &Value,
) -> Result<Value, AwsError> {
    check_state(user)?;
    if user.status == "FORCE_CHANGE_PASSWORD" {
        if user.temp_password_expires.is_some_and(|t| t < clock::now_epoch()) {
            return Err(not_authorized("Temporary password has expired and must be reset by an administrator."));
        }
        let attrs: serde_json::Map<String, Value> =
            user.attributes.iter().filter(|(n, _)| n != "sub").map(|(n, v)| (n.clone(), json!(v))).collect();
        return challenge(
            s,
            pool,
            client,
            user,
            "NEW_PASSWORD_REQUIRED",
            json!({"USER_ID_FOR_SRP": user.username, "requiredAttributes": "[]", "userAttributes": Value::Object(attrs).to_string()}),
            json!({}),
        )
        .await;
    }
    mfa_step(s, pool, client, user, meta, "Authentication").await
}

/// The MFA challenge the user owes, or tokens.
pub async fn mfa_step(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    user: &User,
    meta: &Value,
    source: &str,
) -> Result<Value, AwsError> {
    if pool.mfa() != "OFF" {
        let (totp, sms) = (has_totp(pool, user), has_sms(pool, user));
        let id = json!({"USER_ID_FOR_SRP": user.username});
        match (totp, sms, user.preferred_mfa.as_deref()) {
            (true, true, None) => {
                let params = json!({"MFAS_CAN_CHOOSE": "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]", "USER_ID_FOR_SRP": user.username});
                return challenge(s, pool, client, user, "SELECT_MFA_TYPE", params, json!({})).await;
            }
            (true, _, Some("SOFTWARE_TOKEN_MFA")) | (true, false, _) => {
                return challenge(s, pool, client, user, "SOFTWARE_TOKEN_MFA", id, json!({})).await;
            }
            (_, true, _) => return sms_challenge(s, pool, client, user).await,
            (false, false, _) if pool.mfa() == "ON" => {
                let can: Vec<&str> = [pool.totp_mfa.then_some("SOFTWARE_TOKEN_MFA"), pool.sms_mfa.then_some("SMS_MFA")]
                    .into_iter()
                    .flatten()
                    .collect();
                let params = json!({"MFAS_CAN_SETUP": serde_json::to_string(&can).unwrap_or_default(), "USER_ID_FOR_SRP": user.username});
                return challenge(s, pool, client, user, "MFA_SETUP", params, json!({})).await;
            }
            _ => {}
        }
    }
    finish(s, pool, client, user, meta, source).await
}

async fn pre_authentication(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    user: &User,
    input: &Value,
) -> Result<(), AwsError> {
    let meta = triggers::client_metadata(input);
    triggers::notify(
        s,
        pool,
        "PreAuthentication",
        "PreAuthentication_Authentication",
        user,
        Some(&client.id),
        json!({"validationData": meta, "userNotFound": false}),
    )
    .await
}

/// Password sign-in (USER_PASSWORD_AUTH and the admin flows).
async fn password_auth(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    params: &Value,
    input: &Value,
) -> Result<Value, AwsError> {
    let username = required_param(params, "USERNAME")?;
    let password = required_param(params, "PASSWORD")?;
    let meta = triggers::client_metadata(input);
    let user = match lookup::find_user(s, pool, username)? {
        Some(u) => {
            check_secret_hash(client, username, param(params, "SECRET_HASH"))
                .or_else(|e| check_secret_hash(client, &u.username, param(params, "SECRET_HASH")).map_err(|_| e))?;
            pre_authentication(s, pool, client, &u, input).await?;
            if !passwords::matches(&u, password).await {
                return Err(bad_credentials());
            }
            u
        }
        None => {
            check_secret_hash(client, username, param(params, "SECRET_HASH"))?;
            migrate(s, pool, client, username, Some(password), "UserMigration_Authentication", &meta)
                .await?
                .ok_or_else(|| unknown_user(client))?
        }
    };
    after_password(s, pool, client, &user, &NOT_PASSED).await
}

/// SRP step one: the PASSWORD_VERIFIER challenge with salt, B and a secret
/// block naming the session that holds b.
async fn srp_auth(s: &Shared, pool: &Pool, client: &Client, params: &Value, input: &Value) -> Result<Value, AwsError> {
    let username = required_param(params, "USERNAME")?;
    let a_hex = required_param(params, "SRP_A")?;
    let user = lookup::find_user(s, pool, username)?.ok_or_else(|| unknown_user(client))?;
    check_secret_hash(client, username, param(params, "SECRET_HASH"))
        .or_else(|e| check_secret_hash(client, &user.username, param(params, "SECRET_HASH")).map_err(|_| e))?;
    pre_authentication(s, pool, client, &user, input).await?;
    let (Some(salt), Some(verifier)) = (user.srp_salt.clone(), user.srp_verifier.clone()) else {
        return Err(bad_credentials());
    };
    if a_hex.is_empty() || !a_hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid_parameter("SRP_A is not a valid hex value"));
    }
    let v = verifier.clone();
    let (b, big_b) = tokio::task::spawn_blocking(move || srp::server_challenge(&v))
        .await
        .map_err(|e| AwsError::internal(e.to_string()))?
        .ok_or_else(|| AwsError::internal("SRP challenge failed"))?;
    let data = json!({"a": a_hex, "b": b, "B": big_b});
    let id = sessions::create(
        s,
        &pool.id,
        &client.id,
        &user.username,
        "PASSWORD_VERIFIER",
        auth_session_validity(client),
        data,
    )
    .await?;
    Ok(json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": salt,
            "SECRET_BLOCK": B64.encode(id.as_bytes()),
            "SRP_B": big_b,
            "USERNAME": user.username,
            "USER_ID_FOR_SRP": user.username,
        }
    }))
}

/// REFRESH_TOKEN_AUTH: new ID and access tokens for the same sign-in.
async fn refresh_auth(s: &Shared, pool: &Pool, client: &Client, params: &Value) -> Result<Value, AwsError> {
    let token = required_param(params, "REFRESH_TOKEN")?;
    let record = tokens::refresh_record(s, token, &client.id)?;
    let user =
        lookup::user_by_name(s, pool, &record.username)?.ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
    if client.secret.is_some() {
        let hash = param(params, "SECRET_HASH");
        check_secret_hash(client, &user.username, hash)
            .or_else(|e| check_secret_hash(client, &user.sub, hash).map_err(|_| e))
            .or_else(|e| {
                param(params, "USERNAME").map_or(Err(e.clone()), |u| check_secret_hash(client, u, hash).map_err(|_| e))
            })?;
    }
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    let how = Issue {
        source: "RefreshTokens",
        refresh: Some(&record),
        client_metadata: NOT_PASSED,
        with_refresh: false,
        ..Issue::default()
    };
    let result = tokens::issue(s, pool, client, &user, how).await?;
    Ok(json!({"ChallengeParameters": {}, "AuthenticationResult": result}))
}

/// CUSTOM_AUTH: asks DefineAuthChallenge what to do first.
async fn custom_auth(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    params: &Value,
    input: &Value,
) -> Result<Value, AwsError> {
    let username = required_param(params, "USERNAME")?;
    if pool.trigger("DefineAuthChallenge").is_none() {
        return Err(invalid_parameter("Custom auth lambda trigger is not configured for the user pool."));
    }
    let user = lookup::find_user(s, pool, username)?.ok_or_else(|| unknown_user(client))?;
    check_secret_hash(client, username, param(params, "SECRET_HASH"))
        .or_else(|e| check_secret_hash(client, &user.username, param(params, "SECRET_HASH")).map_err(|_| e))?;
    check_state(&user)?;
    pre_authentication(s, pool, client, &user, input).await?;
    crate::custom::next(s, pool, client, &user, Vec::new(), &NOT_PASSED).await
}

/// Which flows a client must allow, and how the flow is named in errors.
fn flow_gate(client: &Client, flow: &str) -> Result<(), AwsError> {
    let needed = match flow {
        "USER_PASSWORD_AUTH" => "ALLOW_USER_PASSWORD_AUTH",
        "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "USER_SRP_AUTH" => "ALLOW_USER_SRP_AUTH",
        "CUSTOM_AUTH" => "ALLOW_CUSTOM_AUTH",
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => "ALLOW_REFRESH_TOKEN_AUTH",
        _ => return Err(invalid_parameter("Initiate Auth method not supported.")),
    };
    if !client.allows(needed) {
        let msg = match flow {
            "USER_PASSWORD_AUTH" => "USER_PASSWORD_AUTH flow not enabled for this client".to_string(),
            "USER_SRP_AUTH" => "USER_SRP_AUTH is not enabled for the client.".to_string(),
            "CUSTOM_AUTH" => "Custom auth flow is not enabled for this client.".to_string(),
            _ => "Auth flow not enabled for this client".to_string(),
        };
        return Err(invalid_parameter(msg));
    }
    Ok(())
}

async fn initiate(s: &Shared, pool: &Pool, client: &Client, input: &Value, admin: bool) -> Result<Value, AwsError> {
    let flow = input.req_str("AuthFlow")?;
    let empty = json!({});
    let params = input.get("AuthParameters").unwrap_or(&empty);
    if !admin && matches!(flow, "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH") {
        return Err(invalid_parameter("Initiate Auth method not supported."));
    }
    flow_gate(client, flow)?;
    match flow {
        "USER_PASSWORD_AUTH" | "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
            password_auth(s, pool, client, params, input).await
        }
        "USER_SRP_AUTH" => srp_auth(s, pool, client, params, input).await,
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => refresh_auth(s, pool, client, params).await,
        "CUSTOM_AUTH" => custom_auth(s, pool, client, params, input).await,
        _ => Err(invalid_parameter("Initiate Auth method not supported.")),
    }
}

pub async fn initiate_auth(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (client, pool) = lookup::client_and_pool(s, input.req_str("ClientId")?)?;
    initiate(s, &pool, &client, input, false).await
}

pub async fn admin_initiate_auth(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let client = lookup::pool_client(s, &pool, input.req_str("ClientId")?)?;
    initiate(s, &pool, &client, input, true).await
}

pub async fn get_tokens_from_refresh_token(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let client = lookup::client(s, input.req_str("ClientId")?)?;
    if let Some(secret) = &client.secret
        && input.str("ClientSecret") != Some(secret.as_str())
    {
        return Err(not_authorized(format!("Unable to verify secret hash for client {}", client.id)));
    }
    let pool = lookup::pool(s, &client.pool_id)?;
    let record = tokens::refresh_record(s, input.req_str("RefreshToken")?, &client.id)?;
    let user =
        lookup::user_by_name(s, &pool, &record.username)?.ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    let rotate = client.spec.get("RefreshTokenRotation").and_then(|r| r.get("Feature")).and_then(Value::as_str)
        == Some("ENABLED");
    let meta = triggers::client_metadata(input);
    let how = Issue {
        source: "RefreshTokens",
        refresh: Some(&record),
        client_metadata: meta,
        with_refresh: rotate,
        ..Issue::default()
    };
    let result = tokens::issue(s, &pool, &client, &user, how).await?;
    Ok(json!({"AuthenticationResult": result}))
}
