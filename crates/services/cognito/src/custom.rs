//! Custom authentication (CUSTOM_AUTH): the define / create / verify auth
//! challenge triggers drive the sign-in; the session keeps the challenge
//! history and the private challenge parameters.

use serde_json::{Value, json};
use stratus_core::AwsError;

use crate::errors::bad_credentials;
use crate::model::{Client, Pool, User};
use crate::sessions::Session;
use crate::shared::Shared;
use crate::{auth, sessions, triggers};

fn invalid_lambda(msg: &str) -> AwsError {
    AwsError::bad_request("InvalidLambdaResponseException", msg)
}

/// Asks DefineAuthChallenge what comes after `history`: tokens, failure, or
/// a new challenge from CreateAuthChallenge.
pub async fn next(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    user: &User,
    history: Vec<Value>,
    meta: &Value,
) -> Result<Value, AwsError> {
    let request = json!({
        "userAttributes": triggers::user_attributes(user),
        "session": history,
        "clientMetadata": meta,
        "userNotFound": false,
    });
    let define = triggers::run(
        s,
        pool,
        "DefineAuthChallenge",
        "DefineAuthChallenge_Authentication",
        &user.username,
        Some(&client.id),
        request,
    )
    .await?
    .ok_or_else(|| invalid_lambda("Custom auth lambda trigger is not configured for the user pool."))?;
    if define.get("failAuthentication").and_then(Value::as_bool) == Some(true) {
        return Err(bad_credentials());
    }
    if define.get("issueTokens").and_then(Value::as_bool) == Some(true) {
        return auth::finish(s, pool, client, user, meta, "Authentication").await;
    }
    let name = define.get("challengeName").and_then(Value::as_str).unwrap_or("");
    if name != "CUSTOM_CHALLENGE" {
        return Err(invalid_lambda("Unrecognizable lambda output"));
    }
    let request = json!({
        "userAttributes": triggers::user_attributes(user),
        "challengeName": name,
        "session": history,
        "clientMetadata": meta,
        "userNotFound": false,
    });
    let created = triggers::run(
        s,
        pool,
        "CreateAuthChallenge",
        "CreateAuthChallenge_Authentication",
        &user.username,
        Some(&client.id),
        request,
    )
    .await?
    .ok_or_else(|| invalid_lambda("Create auth challenge lambda trigger is not configured for the user pool."))?;
    let mut public = created.get("publicChallengeParameters").cloned().filter(Value::is_object).unwrap_or(json!({}));
    public["USERNAME"] = json!(user.username);
    let data = json!({
        "history": history,
        "private": created.get("privateChallengeParameters").cloned().unwrap_or(json!({})),
        "metadata": created.get("challengeMetadata").cloned().unwrap_or(Value::Null),
    });
    auth::challenge(s, pool, client, user, "CUSTOM_CHALLENGE", public, data).await
}

/// Checks an answer with VerifyAuthChallengeResponse and moves on.
pub async fn answer(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    user: &User,
    session: &Session,
    given: &str,
    meta: &Value,
) -> Result<Value, AwsError> {
    let request = json!({
        "userAttributes": triggers::user_attributes(user),
        "privateChallengeParameters": session.data.get("private").cloned().unwrap_or(json!({})),
        "challengeAnswer": given,
        "clientMetadata": meta,
        "userNotFound": false,
    });
    let verified = triggers::run(
        s,
        pool,
        "VerifyAuthChallengeResponse",
        "VerifyAuthChallengeResponse_Authentication",
        &user.username,
        Some(&client.id),
        request,
    )
    .await?
    .ok_or_else(|| invalid_lambda("Verify auth challenge lambda trigger is not configured for the user pool."))?;
    let correct = verified.get("answerCorrect").and_then(Value::as_bool).unwrap_or(false);
    let mut history: Vec<Value> = session.data.get("history").and_then(Value::as_array).cloned().unwrap_or_default();
    history.push(json!({
        "challengeName": "CUSTOM_CHALLENGE",
        "challengeResult": correct,
        "challengeMetadata": session.data.get("metadata").cloned().unwrap_or(Value::Null),
    }));
    sessions::end(s, session).await?;
    next(s, pool, client, user, history, meta).await
}
