//! Multi-factor authentication for users: AssociateSoftwareToken and
//! VerifySoftwareToken (with an access token, or with the Session of an
//! MFA_SETUP challenge), SetUserMFAPreference and AdminSetUserMFAPreference.

use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, clock};

use crate::errors::{invalid_parameter, invalid_session, not_authorized};
use crate::model::{Pool, User};
use crate::shared::Shared;
use crate::{lookup, sessions, tokens, totp};

/// The user an AccessToken or a Session names, and the session if any.
async fn caller(s: &Shared, input: &Value) -> Result<(Pool, User, Option<sessions::Session>), AwsError> {
    if let Some(token) = input.str("AccessToken") {
        let (pool, user, _) = tokens::verify_access(s, token).await?;
        return Ok((pool, user, None));
    }
    let id = input.str("Session").ok_or_else(|| invalid_parameter("Either AccessToken or Session must be provided"))?;
    let session: sessions::Session =
        crate::db::get(&s.store, &crate::keys::session(id))?.ok_or_else(invalid_session)?;
    if session.expires < clock::now_epoch() {
        return Err(invalid_session());
    }
    let pool = lookup::pool(s, &session.pool_id)?;
    let user = lookup::user_by_name(s, &pool, &session.username)?.ok_or_else(crate::errors::user_not_found)?;
    Ok((pool, user, Some(session)))
}

pub async fn associate_software_token(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, mut user, session) = caller(s, input).await?;
    if !pool.totp_mfa && pool.mfa() != "OFF" {
        return Err(AwsError::bad_request(
            "SoftwareTokenMFANotFoundException",
            "Software Token MFA is not enabled for the user pool.",
        ));
    }
    let old = user.clone();
    let secret = totp::new_secret();
    user.totp_pending = Some(secret.clone());
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    let mut out = json!({"SecretCode": secret});
    if let Some(sess) = session {
        out["Session"] = json!(sess.id);
    }
    Ok(out)
}

pub async fn verify_software_token(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let (pool, mut user, session) = caller(s, input).await?;
    let code = input.req_str("UserCode")?;
    let Some(pending) = user.totp_pending.clone() else {
        return Err(AwsError::bad_request(
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
        ));
    };
    if !totp::verify(&pending, code, clock::now_epoch() as u64) {
        return Err(AwsError::bad_request(
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
        ));
    }
    let old = user.clone();
    user.totp_secret = Some(pending);
    user.totp_pending = None;
    if session.is_some() {
        // Setting up MFA during sign-in enables it.
        user.mfa_totp = true;
        if user.preferred_mfa.is_none() {
            user.preferred_mfa = Some("SOFTWARE_TOKEN_MFA".into());
        }
    }
    lookup::save_user(s, &pool, Some(&old), &user).await?;
    let mut out = json!({"Status": "SUCCESS"});
    if let Some(sess) = session {
        out["Session"] = json!(sess.id);
    }
    Ok(out)
}

async fn set_preference(s: &Shared, pool: &Pool, mut user: User, input: &Value) -> Result<Value, AwsError> {
    let old = user.clone();
    let read = |k: &str| {
        input
            .get(k)
            .map(|v| (v.get("Enabled").and_then(Value::as_bool), v.get("PreferredMfa").and_then(Value::as_bool)))
    };
    if let Some((enabled, preferred)) = read("SoftwareTokenMfaSettings") {
        if enabled == Some(true) && user.totp_secret.is_none() {
            return Err(invalid_parameter("User has not verified software token mfa"));
        }
        if let Some(e) = enabled {
            user.mfa_totp = e;
        }
        if preferred == Some(true) {
            user.preferred_mfa = Some("SOFTWARE_TOKEN_MFA".into());
        } else if !user.mfa_totp && user.preferred_mfa.as_deref() == Some("SOFTWARE_TOKEN_MFA") {
            user.preferred_mfa = None;
        }
    }
    if let Some((enabled, preferred)) = read("SMSMfaSettings") {
        if enabled == Some(true) && user.attr("phone_number").is_none() {
            return Err(invalid_parameter("User does not have delivery config set to turn on SMS_MFA"));
        }
        if let Some(e) = enabled {
            user.mfa_sms = e;
        }
        if preferred == Some(true) {
            user.preferred_mfa = Some("SMS_MFA".into());
        } else if !user.mfa_sms && user.preferred_mfa.as_deref() == Some("SMS_MFA") {
            user.preferred_mfa = None;
        }
    }
    if let Some((enabled, preferred)) = read("EmailMfaSettings") {
        if let Some(e) = enabled {
            user.mfa_email = e;
        }
        if preferred == Some(true) {
            user.preferred_mfa = Some("EMAIL_OTP".into());
        }
    }
    user.modified = clock::now_epoch();
    lookup::save_user(s, pool, Some(&old), &user).await?;
    Ok(json!({}))
}

pub async fn set_user_mfa_preference(s: &Shared, input: &Value) -> Result<Value, AwsError> {
    let token = input.str("AccessToken").ok_or_else(|| not_authorized("Invalid Access Token"))?;
    let (pool, user, _) = tokens::verify_access(s, token).await?;
    set_preference(s, &pool, user, input).await
}

pub async fn admin_set_user_mfa_preference(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let pool = lookup::admin_pool(s, ctx, input.req_str("UserPoolId")?)?;
    let user = lookup::require_user(s, &pool, input.req_str("Username")?)?;
    set_preference(s, &pool, user, input).await
}
