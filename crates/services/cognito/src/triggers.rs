//! Lambda triggers: builds AWS's event (version, region, userPoolId,
//! userName, callerContext, triggerSource, request, response), invokes the
//! configured function through the Lambda peer, and reads its response. A
//! function error becomes UserLambdaValidationException
//! "{Trigger} failed with error {message}.".

use base64::Engine;
use serde_json::{Map, Value, json};
use stratus_core::AwsError;

use crate::model::{Client, Group, Pool, User};
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
        "version": if version == "V2_0" { "2" } else if version == "V3_0" { "3" } else { "1" },
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE")},
        "triggerSource": source,
        "request": request,
        "response": {},
    });
    let name = trigger_label(trigger);
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
                format!("{name} invocation failed due to error {}.", e.code),
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
        return Err(AwsError::bad_request("UserLambdaValidationException", format!("{name} failed with error {msg}.")));
    }
    Ok(Some(payload.get("response").cloned().unwrap_or(json!({}))))
}

fn trigger_label(trigger: &str) -> &str {
    match trigger {
        "PreTokenGeneration" => "PreTokenGeneration",
        other => other,
    }
}

/// What a pre token generation trigger asked for.
#[derive(Debug, Default)]
pub struct TokenOverrides {
    pub id_add: Map<String, Value>,
    pub id_suppress: Vec<String>,
    pub access_add: Map<String, Value>,
    pub access_suppress: Vec<String>,
    pub groups: Option<Vec<String>>,
    pub roles: Option<Vec<String>>,
    pub preferred_role: Option<String>,
    pub scopes_add: Vec<String>,
    pub scopes_suppress: Vec<String>,
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
}

/// Runs the pre token generation trigger (V1 or V2 events).
pub async fn pre_token_generation(
    s: &Shared,
    pool: &Pool,
    client: &Client,
    user: &User,
    groups: &[Group],
    source: &str,
    client_metadata: &Value,
) -> Result<Option<TokenOverrides>, AwsError> {
    let Some((_, version)) = pool.trigger("PreTokenGeneration") else { return Ok(None) };
    let mut request = json!({
        "userAttributes": user_attributes(user),
        "groupConfiguration": {
            "groupsToOverride": groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>(),
            "iamRolesToOverride": groups.iter().filter_map(|g| g.role_arn.clone()).collect::<Vec<_>>(),
            "preferredRole": groups.iter().find_map(|g| g.role_arn.clone()),
        },
    });
    if version != "V1_0" {
        request["scopes"] = json!(["aws.cognito.signin.user.admin"]);
    }
    if !client_metadata.is_null() {
        request["clientMetadata"] = client_metadata.clone();
    }
    let trigger_source = format!("TokenGeneration_{source}");
    let Some(resp) =
        run(s, pool, "PreTokenGeneration", &trigger_source, &user.username, Some(&client.id), request).await?
    else {
        return Ok(None);
    };
    let mut out = TokenOverrides::default();
    let read_group = |out: &mut TokenOverrides, g: Option<&Value>| {
        if let Some(g) = g.filter(|g| g.is_object()) {
            out.groups = strings(g.get("groupsToOverride"));
            out.roles = strings(g.get("iamRolesToOverride"));
            out.preferred_role = g.get("preferredRole").and_then(Value::as_str).map(str::to_string);
        }
    };
    if let Some(d) = resp.get("claimsOverrideDetails").filter(|d| d.is_object()) {
        out.id_add = d.get("claimsToAddOrOverride").and_then(Value::as_object).cloned().unwrap_or_default();
        out.id_suppress = strings(d.get("claimsToSuppress")).unwrap_or_default();
        read_group(&mut out, d.get("groupOverrideDetails"));
    }
    if let Some(d) = resp.get("claimsAndScopeOverrideDetails").filter(|d| d.is_object()) {
        if let Some(idt) = d.get("idTokenGeneration") {
            out.id_add = idt.get("claimsToAddOrOverride").and_then(Value::as_object).cloned().unwrap_or_default();
            out.id_suppress = strings(idt.get("claimsToSuppress")).unwrap_or_default();
        }
        if let Some(at) = d.get("accessTokenGeneration") {
            out.access_add = at.get("claimsToAddOrOverride").and_then(Value::as_object).cloned().unwrap_or_default();
            out.access_suppress = strings(at.get("claimsToSuppress")).unwrap_or_default();
            out.scopes_add = strings(at.get("scopesToAdd")).unwrap_or_default();
            out.scopes_suppress = strings(at.get("scopesToSuppress")).unwrap_or_default();
        }
        read_group(&mut out, d.get("groupOverrideDetails"));
    }
    Ok(Some(out))
}

/// What a pre sign-up trigger decided.
#[derive(Debug, Default)]
pub struct PreSignUp {
    pub auto_confirm: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

#[allow(clippy::too_many_arguments)]
pub async fn pre_sign_up(
    s: &Shared,
    pool: &Pool,
    source: &str,
    username: &str,
    client_id: Option<&str>,
    attrs: &[(String, String)],
    validation_data: &[(String, String)],
    client_metadata: &Value,
) -> Result<PreSignUp, AwsError> {
    let request = json!({
        "userAttributes": attributes_of(attrs),
        "validationData": if validation_data.is_empty() { Value::Null } else { attributes_of(validation_data) },
        "clientMetadata": client_metadata,
    });
    let Some(resp) = run(s, pool, "PreSignUp", source, username, client_id, request).await? else {
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
        for (k, v) in e {
            r.insert(k.clone(), v.clone());
        }
    }
    run(s, pool, trigger, source, &user.username, client_id, request).await?;
    Ok(())
}

/// Asks the custom message trigger for the message carrying `code`.
pub async fn custom_message(
    s: &Shared,
    pool: &Pool,
    source: &str,
    user: &User,
    client_id: Option<&str>,
    code: &str,
) -> Result<Option<String>, AwsError> {
    let request = json!({
        "userAttributes": user_attributes(user),
        "codeParameter": "{####}",
        "usernameParameter": "{username}",
        "linkParameter": "{##Click Here##}",
    });
    let Some(resp) = run(s, pool, "CustomMessage", source, &user.username, client_id, request).await? else {
        return Ok(None);
    };
    let msg = resp
        .get("emailMessage")
        .and_then(Value::as_str)
        .or_else(|| resp.get("smsMessage").and_then(Value::as_str))
        .map(|m| m.replace("{####}", code).replace("{username}", &user.username));
    Ok(msg)
}

/// What a user migration trigger returned.
pub struct Migrated {
    pub attributes: Vec<(String, String)>,
    pub final_status: Option<String>,
}

pub async fn user_migration(
    s: &Shared,
    pool: &Pool,
    source: &str,
    username: &str,
    client_id: Option<&str>,
    password: Option<&str>,
    client_metadata: &Value,
) -> Result<Option<Migrated>, AwsError> {
    let mut request = json!({"validationData": Value::Null, "clientMetadata": client_metadata});
    if let Some(p) = password {
        request["password"] = json!(p);
    }
    let resp = match run(s, pool, "UserMigration", source, username, client_id, request).await {
        Ok(Some(r)) => r,
        Ok(None) => return Ok(None),
        // A migration function that rejects the user means "no such user".
        Err(e) if e.code == "UserLambdaValidationException" => return Ok(None),
        Err(e) => return Err(e),
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
