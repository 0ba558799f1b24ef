//! Answering challenges: RespondToAuthChallenge and
//! AdminRespondToAuthChallenge for PASSWORD_VERIFIER (the SRP proof),
//! NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA, SELECT_MFA_TYPE,
//! MFA_SETUP and CUSTOM_CHALLENGE.

use base64::Engine;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock};

use crate::auth::{after_password, challenge, finish, mfa_step, param, required_param, sms_challenge};
use crate::clients::check_secret_hash;
use crate::errors::{bad_credentials, invalid_parameter, invalid_session};
use crate::model::{Client, Pool, User};
use crate::sessions::Session;
use crate::shared::Shared;
use crate::{custom, lookup, passwords, schema, sessions, srp, totp};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Checks that a TIMESTAMP reads like `Tue Jan 2 03:04:05 UTC 2024`.
fn valid_timestamp(ts: &str) -> bool {
    let parts: Vec<&str> = ts.split_whitespace().collect();
    parts.len() == 6
        && parts[4] == "UTC"
        && parts[3].split(':').count() == 3
        && parts[2].parse::<u8>().is_ok()
        && parts[5].parse::<u16>().is_ok()
}

async fn password_verifier(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    responses: &Value,
    meta: &Value,
) -> Result<Value, AwsError> {
    let block_b64 = required_param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = required_param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = required_param(responses, "TIMESTAMP")?;
    let username = required_param(responses, "USERNAME")?;
    let block = B64.decode(block_b64).map_err(|_| invalid_parameter("Invalid PASSWORD_CLAIM_SECRET_BLOCK"))?;
    let id = String::from_utf8(block.clone()).map_err(|_| invalid_session())?;
    let session = sessions::load(s, &id, &client.id)?;
    if session.challenge != "PASSWORD_VERIFIER" {
        return Err(invalid_session());
    }
    let user = lookup::find_user(s, pool, &session.username)?.ok_or_else(bad_credentials)?;
    if lookup::find_user(s, pool, username)?.map(|u| u.username) != Some(user.username.clone()) {
        return Err(bad_credentials());
    }
    check_secret_hash(client, username, param(responses, "SECRET_HASH"))
        .or_else(|e| check_secret_hash(client, &user.username, param(responses, "SECRET_HASH")).map_err(|_| e))?;
    if !valid_timestamp(timestamp) {
        return Err(invalid_parameter("TIMESTAMP format is invalid"));
    }
    let sig = B64.decode(signature).map_err(|_| bad_credentials())?;
    let get = |k: &str| session.data.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let (a, b, big_b) = (get("a"), get("b"), get("B"));
    let verifier = user.srp_verifier.clone().unwrap_or_default();
    let (pool_name, user_id, ts) = (pool.srp_name().to_string(), user.username.clone(), timestamp.to_string());
    let ok = tokio::task::spawn_blocking(move || {
        srp::server_key(&a, &b, &big_b, &verifier)
            .is_some_and(|k| srp::verify_signature(&k, &pool_name, &user_id, &block, &ts, &sig))
    })
    .await
    .unwrap_or(false);
    sessions::end(s, &session).await?;
    if !ok {
        return Err(bad_credentials());
    }
    after_password(s, pool, client, &user, meta).await
}

async fn new_password(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    user: User,
    responses: &Value,
    meta: &Value,
) -> Result<Value, AwsError> {
    let password = required_param(responses, "NEW_PASSWORD")?;
    passwords::check_policy(&pool.password_policy(), password)?;
    let attrs: Vec<(String, String)> = responses
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.strip_prefix("userAttributes.")?.to_string(), v.as_str()?.to_string())))
        .collect();
    schema::check_writable(pool, &attrs, false)?;
    let mut updated = user.clone();
    for (n, v) in &attrs {
        updated.set_attr(n, v);
    }
    passwords::set(&mut updated, pool.srp_name(), password).await?;
    updated.status = "CONFIRMED".into();
    updated.temp_password_expires = None;
    updated.modified = clock::now_epoch();
    lookup::save_user(s, pool, Some(&user), &updated).await?;
    mfa_step(s, pool, client, &updated, meta, "NewPasswordChallenge").await
}

async fn respond(s: &Shared, pool: &Pool, client: &Client, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("ChallengeName")?;
    let empty = json!({});
    let responses = input.get("ChallengeResponses").unwrap_or(&empty);
    let meta = crate::triggers::client_metadata(input);
    if name == "PASSWORD_VERIFIER" {
        return password_verifier(s, pool, client, responses, &meta).await;
    }
    let session: Session = sessions::load(s, input.str("Session").ok_or_else(invalid_session)?, &client.id)?;
    if session.challenge != name || session.pool_id != pool.id {
        return Err(invalid_parameter(format!("Invalid challenge name {name} for the session")));
    }
    let user = lookup::user_by_name(s, pool, &session.username)?.ok_or_else(crate::errors::user_not_found)?;
    if let Some(u) = param(responses, "USERNAME") {
        check_secret_hash(client, u, param(responses, "SECRET_HASH"))
            .or_else(|e| check_secret_hash(client, &user.username, param(responses, "SECRET_HASH")).map_err(|_| e))?;
    } else if client.secret.is_some() {
        return Err(invalid_parameter("Missing required parameter USERNAME"));
    }
    match name {
        "NEW_PASSWORD_REQUIRED" => {
            let out = new_password(s, pool, client, user, responses, &meta).await?;
            sessions::end(s, &session).await?;
            Ok(out)
        }
        "SOFTWARE_TOKEN_MFA" => {
            let code = required_param(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
            let secret = user.totp_secret.clone().unwrap_or_default();
            if !totp::verify(&secret, code, clock::now_epoch() as u64) {
                return Err(AwsError::bad_request("CodeMismatchException", "Invalid code received for user"));
            }
            sessions::end(s, &session).await?;
            finish(s, pool, client, &user, &meta, "Authentication").await
        }
        "SMS_MFA" => {
            let code = required_param(responses, "SMS_MFA_CODE")?;
            if session.data.get("code").and_then(Value::as_str) != Some(code) {
                return Err(AwsError::bad_request("CodeMismatchException", "Invalid code received for user"));
            }
            sessions::end(s, &session).await?;
            finish(s, pool, client, &user, &meta, "Authentication").await
        }
        "SELECT_MFA_TYPE" => {
            let answer = required_param(responses, "ANSWER")?;
            sessions::end(s, &session).await?;
            match answer {
                "SOFTWARE_TOKEN_MFA" => {
                    challenge(
                        s,
                        pool,
                        client,
                        &user,
                        "SOFTWARE_TOKEN_MFA",
                        json!({"USER_ID_FOR_SRP": user.username}),
                        json!({}),
                    )
                    .await
                }
                "SMS_MFA" => sms_challenge(s, pool, client, &user).await,
                _ => Err(invalid_parameter("Invalid MFA type")),
            }
        }
        "MFA_SETUP" => {
            if !crate::auth::has_totp(pool, &user) {
                return Err(invalid_parameter("User has not set up software token mfa"));
            }
            sessions::end(s, &session).await?;
            finish(s, pool, client, &user, &meta, "Authentication").await
        }
        "CUSTOM_CHALLENGE" => {
            let answer = required_param(responses, "ANSWER")?;
            custom::answer(s, pool, client, &user, &session, answer, &meta).await
        }
        other => Err(invalid_parameter(format!("Challenge {other} is not supported"))),
    }
}

pub async fn respond_to_auth_challenge(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (client, pool) = lookup::client_and_pool(s, input.req_str("ClientId")?)?;
    respond(s, &pool, &client, input).await
}

pub async fn admin_respond_to_auth_challenge(
    s: &Shared,
    ctx: &RequestContext,
    input: &Value,
) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let client = lookup::pool_client(s, &pool, input.req_str("ClientId")?)?;
    respond(s, &pool, &client, input).await
}
