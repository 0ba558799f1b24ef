//! Lambda triggers: builds AWS's event (version, region, userPoolId,
//! userName, callerContext, triggerSource, request, and the `response`
//! AWS pre-fills for each trigger), invokes the configured function through
//! the Lambda peer, and reads its response. A function error becomes
//! UserLambdaValidationException "{Trigger} failed with error {message}.";
//! an answer that is not the event object is InvalidLambdaResponseException.
//! Pre token generation lives in `pretoken`.

use base64::Engine;
use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::model::{Pool, User};
use crate::shared::Shared;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The caller's view of a user's attributes in trigger events.
pub fn user_attributes(user: &User) -> Value {
    let mut m = Map::new();
    for (k, v) in &user.attributes {
        m.insert(k.clone(), json!(v));
    }
    m.insert("cognito:user_status".into(), json!(user.status));
    Value::Object(m)
}

/// Attributes given as pairs (before a user exists).
pub fn attributes_of(pairs: &[(String, String)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

/// A request's ClientMetadata, for the triggers it reaches.
pub fn client_metadata(input: &Value) -> Value {
    input.get("ClientMetadata").cloned().unwrap_or(Value::Null)
}

/// Adds `clientMetadata` to a request when the caller sent some.
pub fn with_metadata(mut request: Value, meta: &Value) -> Value {
    if meta.is_object() {
        request["clientMetadata"] = meta.clone();
    }
    request
}

/// The `response` AWS puts in each trigger's event for the function to fill.
fn default_response(trigger: &str, version: &str) -> Value {
    match trigger {
        "PreSignUp" => json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}),
        "PreTokenGeneration" if version == "V1_0" => json!({"claimsOverrideDetails": null}),
        "PreTokenGeneration" => json!({"claimsAndScopeOverrideDetails": null}),
        "CustomMessage" => json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}),
        "UserMigration" => json!({
            "userAttributes": null,
            "finalUserStatus": null,
            "messageAction": null,
            "desiredDeliveryMediums": null,
            "forceAliasCreation": null,
            "enableSMSMFA": null,
        }),
        "DefineAuthChallenge" => json!({"challengeName": null, "issueTokens": null, "failAuthentication": null}),
        "CreateAuthChallenge" => {
            json!({"publicChallengeParameters": null, "privateChallengeParameters": null, "challengeMetadata": null})
        }
        "VerifyAuthChallengeResponse" => json!({"answerCorrect": null}),
        _ => json!({}),
    }
}

/// The event `version`: "1", or "2"/"3" for pre token generation V2/V3.
fn event_version(version: &str) -> &'static str {
    match version {
        "V2_0" => "2",
        "V3_0" => "3",
        _ => "1",
    }
}

/// Invokes `trigger` (a LambdaConfig member name) if the pool configures
/// it; returns the function's `response`, or None when not configured.
pub async fn run(
    s: &Shared,
    pool: &Pool,
    trigger: &str,
    source: &str,
    username: &str,
    client_id: Option<&str>,
    request: Value,
) -> Result<Option<Value>, AwsError> {
    let Some((arn, version)) = pool.trigger(trigger) else { return Ok(None) };
    let event = json!({
        "version": event_version(&version),
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE")},
        "triggerSource": source,
        "request": request,
        "response": default_response(trigger, &version),
    });
    let out = s
        .peers
        .call(
            "lambda",
            "Invoke",
            &pool.account,
            &pool.region,
            json!({"FunctionName": arn, "Payload": B64.encode(event.to_string())}),
        )
        .await
        .map_err(|e| {
            AwsError::bad_request(
                "UnexpectedLambdaException",
                format!("{trigger} invocation failed due to error {}.", e.code),
            )
        })?;
    let payload: Value = out
        .get("Payload")
        .and_then(Value::as_str)
        .and_then(|p| B64.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    if out.get("FunctionError").is_some_and(|f| !f.is_null()) {
        let msg = payload.get("errorMessage").and_then(Value::as_str).unwrap_or("Unhandled");
        return Err(AwsError::bad_request(
            "UserLambdaValidationException",
            format!("{trigger} failed with error {msg}."),
        ));
    }
    if !payload.is_object() {
        return Err(AwsError::bad_request("InvalidLambdaResponseException", "Unrecognizable lambda output"));
    }
    Ok(Some(payload.get("response").filter(|r| r.is_object()).cloned().unwrap_or(json!({}))))
}

/// What a pre sign-up trigger decided.
#[derive(Debug, Default)]
pub struct PreSignUp {
    pub auto_confirm: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

impl PreSignUp {
    /// Marks the email and phone number verified as the function asked.
    pub fn verify(&self, user: &mut User) {
        for (asked, attr) in [(self.auto_verify_email, "email"), (self.auto_verify_phone, "phone_number")] {
            if asked && user.attr(attr).is_some() {
                user.set_attr(&format!("{attr}_verified"), "true");
            }
        }
    }
}

/// Runs the pre sign-up trigger for `user`, about to be created by a
/// SignUp or AdminCreateUser `input` (its ValidationData and ClientMetadata
/// go to the function).
pub async fn pre_sign_up(
    s: &Shared,
    pool: &Pool,
    source: &str,
    client_id: Option<&str>,
    user: &User,
    input: &Value,
) -> Result<PreSignUp, AwsError> {
    let given: Vec<(String, String)> = user.attributes.iter().filter(|(n, _)| n != "sub").cloned().collect();
    let validation_data = crate::schema::pairs(input.list("ValidationData"));
    let validation = if validation_data.is_empty() { Value::Null } else { attributes_of(&validation_data) };
    let request = with_metadata(
        json!({"userAttributes": attributes_of(&given), "validationData": validation}),
        &client_metadata(input),
    );
    let Some(resp) = run(s, pool, "PreSignUp", source, &user.username, client_id, request).await? else {
        return Ok(PreSignUp::default());
    };
    let flag = |k: &str| resp.get(k).and_then(Value::as_bool).unwrap_or(false);
    Ok(PreSignUp {
        auto_confirm: flag("autoConfirmUser"),
        auto_verify_email: flag("autoVerifyEmail"),
        auto_verify_phone: flag("autoVerifyPhone"),
    })
}

/// Runs a trigger whose response Stratus does not read (post confirmation,
/// pre/post authentication), failing the call when the function fails.
pub async fn notify(
    s: &Shared,
    pool: &Pool,
    trigger: &str,
    source: &str,
    user: &User,
    client_id: Option<&str>,
    extra: Value,
) -> Result<(), AwsError> {
    let mut request = json!({"userAttributes": user_attributes(user)});
    if let (Some(r), Some(e)) = (request.as_object_mut(), extra.as_object()) {
        for (k, v) in e.iter().filter(|(k, v)| !(k.as_str() == "clientMetadata" && v.is_null())) {
            r.insert(k.clone(), v.clone());
        }
    }
    run(s, pool, trigger, source, &user.username, client_id, request).await?;
    Ok(())
}

/// The texts a custom message trigger returned, placeholders filled in.
#[derive(Debug, Default, Clone)]
pub struct Message {
    pub email: Option<String>,
    pub subject: Option<String>,
    pub sms: Option<String>,
}

impl Message {
    /// The message and subject for a delivery medium (`EMAIL` or `SMS`).
    pub fn for_medium(&self, medium: &str) -> (Option<String>, Option<String>) {
        match medium {
            "SMS" => (self.sms.clone(), None),
            _ => (self.email.clone(), self.subject.clone()),
        }
    }
}

/// Asks the custom message trigger for the message carrying `code` (the
/// temporary password for `CustomMessage_AdminCreateUser`).
pub async fn custom_message(
    s: &Shared,
    pool: &Pool,
    source: &str,
    user: &User,
    client_id: Option<&str>,
    code: &str,
    meta: &Value,
) -> Result<Option<Message>, AwsError> {
    let admin = source == "CustomMessage_AdminCreateUser";
    let request = with_metadata(
        json!({
            "userAttributes": user_attributes(user),
            "codeParameter": "{####}",
            "linkParameter": "{##Click Here##}",
            "usernameParameter": if admin { json!("{username}") } else { Value::Null },
        }),
        meta,
    );
    let Some(resp) = run(s, pool, "CustomMessage", source, &user.username, client_id, request).await? else {
        return Ok(None);
    };
    let text = |k: &str| {
        resp.get(k).and_then(Value::as_str).map(|m| m.replace("{####}", code).replace("{username}", &user.username))
    };
    Ok(Some(Message { email: text("emailMessage"), subject: text("emailSubject"), sms: text("smsMessage") }))
}

/// What a user migration trigger returned.
pub struct Migrated {
    pub attributes: Vec<(String, String)>,
    pub final_status: Option<String>,
}

/// Asks the user migration trigger about a user the pool does not know.
/// InitiateAuth's ClientMetadata reaches the function as `validationData`,
/// ForgotPassword's as `clientMetadata`. Ok(None): no trigger, or a
/// response without the user's attributes.
pub async fn user_migration(
    s: &Shared,
    pool: &Pool,
    source: &str,
    username: &str,
    client_id: Option<&str>,
    password: Option<&str>,
    meta: &Value,
) -> Result<Option<Migrated>, AwsError> {
    let mut request = if source == "UserMigration_Authentication" {
        json!({"validationData": meta})
    } else {
        with_metadata(json!({"validationData": Value::Null}), meta)
    };
    if let Some(p) = password {
        request["password"] = json!(p);
    }
    let Some(resp) = run(s, pool, "UserMigration", source, username, client_id, request).await? else {
        return Ok(None);
    };
    let Some(attrs) = resp.get("userAttributes").and_then(Value::as_object) else { return Ok(None) };
    Ok(Some(Migrated {
        attributes: attrs
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
            .collect(),
        final_status: resp.get("finalUserStatus").and_then(Value::as_str).map(str::to_string),
    }))
}
