//! Cognito user pool Lambda triggers against real Python functions run by
//! Stratus's Lambda: pre sign-up, post confirmation, custom message, pre
//! and post authentication, pre token generation V1 and V2, user migration
//! and the custom auth challenge triggers. The function appends every event
//! it receives to a file named by its environment, so the tests assert the
//! event shapes AWS documents as well as what Cognito did with the answers.

use crate::cognito::{attr, claims, code_of, confirmed_user, http_get};
use crate::common;
use crate::functions::{self, exclusive, zip_of};

use aws_sdk_cognitoidentityprovider as idp;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, LambdaConfigType, PreTokenGenerationLambdaVersionType,
    PreTokenGenerationVersionConfigType, SchemaAttributeType,
};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, FunctionCode, Runtime};
use serde_json::{Value, json};
use std::path::PathBuf;

const TRIGGER_PY: &str = r#"
import json, os

def handler(event, context):
    with open(os.environ["EVENTS"], "a") as f:
        f.write(json.dumps(event) + "\n")
    source, name = event["triggerSource"], event["userName"]
    req, resp = event["request"], event["response"]
    if source.startswith("PreSignUp_"):
        if name.startswith("reject"):
            raise Exception("no rejects allowed")
        if req["userAttributes"].get("email", "").endswith("@auto.example"):
            resp["autoConfirmUser"] = True
            resp["autoVerifyEmail"] = True
    elif source.startswith("PreAuthentication_"):
        if name == "blocked":
            raise Exception("blocked by policy")
    elif source.startswith("TokenGeneration_"):
        role = "arn:aws:iam::000000000000:role/from-lambda"
        groups = {"groupsToOverride": ["from-lambda"], "iamRolesToOverride": [role], "preferredRole": role}
        if event["version"] == "1":
            resp["claimsOverrideDetails"] = {
                "claimsToAddOrOverride": {"tier": "gold", "custom:team": "overridden"},
                "claimsToSuppress": ["email"],
                "groupOverrideDetails": groups,
            }
        else:
            resp["claimsAndScopeOverrideDetails"] = {
                "idTokenGeneration": {"claimsToAddOrOverride": {"tier": "gold"}},
                "accessTokenGeneration": {"claimsToAddOrOverride": {"plan": "pro"}, "scopesToAdd": ["orders/read"]},
                "groupOverrideDetails": groups,
            }
    elif source.startswith("CustomMessage_"):
        resp["emailSubject"] = "Welcome to Stratus"
        resp["emailMessage"] = "Hello %s, your code is %s" % (name, req["codeParameter"])
        resp["smsMessage"] = "Code %s" % req["codeParameter"]
    elif source.startswith("UserMigration_"):
        if req.get("password") != "LegacyPassw0rd":
            raise Exception("Bad password")
        resp["userAttributes"] = {"email": name + "@legacy.example", "email_verified": "true", "custom:team": "legacy"}
        resp["finalUserStatus"] = "CONFIRMED"
        resp["messageAction"] = "SUPPRESS"
    elif source == "DefineAuthChallenge_Authentication":
        session = req["session"]
        resp["issueTokens"] = bool(session) and session[-1]["challengeResult"]
        resp["failAuthentication"] = not resp["issueTokens"] and len(session) >= 3
        if not resp["issueTokens"] and not resp["failAuthentication"]:
            resp["challengeName"] = "CUSTOM_CHALLENGE"
    elif source == "CreateAuthChallenge_Authentication":
        resp["publicChallengeParameters"] = {"question": "6 * 7"}
        resp["privateChallengeParameters"] = {"answer": "42"}
        resp["challengeMetadata"] = "QUESTION-%d" % len(req["session"])
    elif source == "VerifyAuthChallengeResponse_Authentication":
        resp["answerCorrect"] = req["challengeAnswer"] == req["privateChallengeParameters"]["answer"]
    return event
"#;

/// A server with the trigger function deployed, and where its events go.
struct Setup {
    server: stratus::server::Server,
    idp: idp::Client,
    arn: String,
    events: PathBuf,
}

impl Setup {
    async fn new() -> Setup {
        let server = common::server().await;
        let idp = idp::Client::new(&common::sdk_config(&server).await);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_nanos();
        let events = std::env::temp_dir().join(format!("stratus-cognito-events-{}-{nanos}.jsonl", std::process::id()));
        let out = functions::client(&server)
            .await
            .create_function()
            .function_name("cognito-trigger")
            .runtime(Runtime::Python311)
            .role("arn:aws:iam::000000000000:role/lambda-role")
            .handler("app.handler")
            .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", TRIGGER_PY, 0o644)]))).build())
            .timeout(10)
            .environment(Environment::builder().variables("EVENTS", events.to_string_lossy()).build())
            .send()
            .await
            .expect("create function");
        Setup { server, idp, arn: out.function_arn().expect("arn").to_string(), events }
    }

    /// Every event the function received, oldest first.
    fn events(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.events)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("event json"))
            .collect()
    }

    /// The events of one trigger source.
    fn events_of(&self, source: &str) -> Vec<Value> {
        self.events().into_iter().filter(|e| e["triggerSource"] == source).collect()
    }

    /// The last event of a trigger source.
    fn last(&self, source: &str) -> Value {
        self.events_of(source).pop().unwrap_or_else(|| panic!("no {source} event in {:?}", self.events()))
    }

    /// A pool with the `team` custom attribute and the given triggers, and
    /// a client allowing password, admin, custom and refresh sign-ins.
    async fn pool(&self, lambda: LambdaConfigType) -> (String, String) {
        let pool = self
            .idp
            .create_user_pool()
            .pool_name("triggers")
            .auto_verified_attributes(idp::types::VerifiedAttributeType::Email)
            .schema(
                SchemaAttributeType::builder()
                    .name("team")
                    .attribute_data_type(idp::types::AttributeDataType::String)
                    .build(),
            )
            .lambda_config(lambda)
            .send()
            .await
            .expect("pool");
        let pool_id = pool.user_pool().and_then(|p| p.id()).expect("id").to_string();
        let client = self
            .idp
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("app")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowCustomAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("client");
        (pool_id, client.user_pool_client().and_then(|c| c.client_id()).expect("client id").to_string())
    }

    fn password_auth(
        &self,
        client_id: &str,
        user: &str,
        password: &str,
    ) -> idp::operation::initiate_auth::builders::InitiateAuthFluentBuilder {
        self.idp
            .initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", password)
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.events);
    }
}

/// The fields every trigger event carries.
fn assert_common(event: &Value, pool_id: &str, user: &str, client_id: &str) {
    assert_eq!(event["version"], "1", "{event}");
    assert_eq!(event["region"], "us-east-1");
    assert_eq!(event["userPoolId"], pool_id);
    assert_eq!(event["userName"], user);
    assert_eq!(event["callerContext"]["clientId"], client_id);
    assert!(event["callerContext"]["awsSdkVersion"].is_string(), "{event}");
}

#[tokio::test]
async fn sign_up_runs_pre_sign_up_custom_message_and_post_confirmation() {
    let _one = exclusive().await;
    let t = Setup::new().await;
    let lambda =
        LambdaConfigType::builder().pre_sign_up(&t.arn).post_confirmation(&t.arn).custom_message(&t.arn).build();
    let (pool_id, client_id) = t.pool(lambda).await;
    let c = &t.idp;

    // autoConfirmUser and autoVerifyEmail are honoured, and the user is
    // confirmed at once, so post confirmation runs during SignUp.
    let out = c
        .sign_up()
        .client_id(&client_id)
        .username("auto")
        .password("Passw0rd!x")
        .user_attributes(attr("email", "auto@auto.example"))
        .validation_data(attr("invite", "abc"))
        .client_metadata("origin", "test")
        .send()
        .await
        .expect("sign up");
    assert!(out.user_confirmed());
    assert!(out.code_delivery_details().is_none());
    let u = c.admin_get_user().user_pool_id(&pool_id).username("auto").send().await.expect("get");
    assert_eq!(u.user_status().map(|s| s.as_str()), Some("CONFIRMED"));
    assert!(u.user_attributes().iter().any(|a| a.name() == "email_verified" && a.value() == Some("true")));
    let pre = t.last("PreSignUp_SignUp");
    assert_common(&pre, &pool_id, "auto", &client_id);
    assert_eq!(pre["request"]["userAttributes"], json!({"email": "auto@auto.example"}));
    assert_eq!(pre["request"]["validationData"], json!({"invite": "abc"}));
    assert_eq!(pre["request"]["clientMetadata"], json!({"origin": "test"}));
    assert_eq!(pre["response"], json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}));
    assert_eq!(t.last("PostConfirmation_ConfirmSignUp")["userName"], "auto");
    assert!(t.events_of("CustomMessage_SignUp").is_empty());

    // A function that raises refuses the sign-up with AWS's message.
    let (code, msg) =
        code_of(c.sign_up().client_id(&client_id).username("reject-me").password("Passw0rd!x").send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UserLambdaValidationException", "PreSignUp failed with error no rejects allowed.")
    );
    let (code, _) = code_of(c.admin_get_user().user_pool_id(&pool_id).username("reject-me").send().await);
    assert_eq!(code, "UserNotFoundException");

    // The custom message trigger writes the confirmation message.
    let out = c
        .sign_up()
        .client_id(&client_id)
        .username("bob")
        .password("Passw0rd!x")
        .user_attributes(attr("email", "bob@example.com"))
        .send()
        .await
        .expect("sign up");
    assert!(!out.user_confirmed());
    let custom = t.last("CustomMessage_SignUp");
    assert_common(&custom, &pool_id, "bob", &client_id);
    assert_eq!(custom["request"]["codeParameter"], "{####}");
    assert_eq!(custom["request"]["usernameParameter"], Value::Null);
    assert_eq!(custom["request"]["userAttributes"]["cognito:user_status"], "UNCONFIRMED");
    assert_eq!(custom["response"], json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}));
    let (_, body) = http_get(&t.server.endpoint(), "/_stratus/cognito/codes?username=bob").await;
    let codes: Value = serde_json::from_str(&body).expect("codes");
    let record = codes["codes"].as_array().and_then(|a| a.last()).expect("a code").clone();
    let code = record["code"].as_str().expect("code").to_string();
    assert_eq!(record["message"], format!("Hello bob, your code is {code}"));
    assert_eq!(record["subject"], "Welcome to Stratus");

    // Post confirmation gets AWS's event shape.
    c.confirm_sign_up()
        .client_id(&client_id)
        .username("bob")
        .confirmation_code(&code)
        .client_metadata("step", "confirm")
        .send()
        .await
        .expect("confirm");
    let sub = c
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("bob")
        .send()
        .await
        .expect("get")
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .expect("sub")
        .to_string();
    let post = t.last("PostConfirmation_ConfirmSignUp");
    assert_common(&post, &pool_id, "bob", &client_id);
    assert_eq!(post["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        post["request"],
        json!({
            "userAttributes": {
                "sub": sub,
                "email": "bob@example.com",
                "email_verified": "true",
                "cognito:user_status": "CONFIRMED",
            },
            "clientMetadata": {"step": "confirm"},
        })
    );
    assert_eq!(post["response"], json!({}));

    // AdminCreateUser: no app client, the username placeholder offered, the
    // temporary password in the function's message, and no post confirmation.
    c.admin_create_user()
        .user_pool_id(&pool_id)
        .username("invited")
        .temporary_password("TempPassw0rd!")
        .user_attributes(attr("email", "invited@example.com"))
        .send()
        .await
        .expect("admin create");
    let pre = t.last("PreSignUp_AdminCreateUser");
    assert_common(&pre, &pool_id, "invited", "CLIENT_ID_NOT_APPLICABLE");
    let custom = t.last("CustomMessage_AdminCreateUser");
    assert_common(&custom, &pool_id, "invited", "CLIENT_ID_NOT_APPLICABLE");
    assert_eq!(custom["request"]["usernameParameter"], "{username}");
    let (_, body) = http_get(&t.server.endpoint(), "/_stratus/cognito/codes?username=invited").await;
    let codes: Value = serde_json::from_str(&body).expect("codes");
    assert_eq!(codes["codes"][0]["message"], "Hello invited, your code is TempPassw0rd!");
    assert!(t.events_of("PostConfirmation_ConfirmSignUp").iter().all(|e| e["userName"] != "invited"));
}

#[tokio::test]
async fn sign_in_runs_authentication_triggers_and_pre_token_generation_v1() {
    let _one = exclusive().await;
    let t = Setup::new().await;
    let lambda = LambdaConfigType::builder()
        .pre_authentication(&t.arn)
        .post_authentication(&t.arn)
        .pre_token_generation(&t.arn)
        .build();
    let (pool_id, client_id) = t.pool(lambda).await;
    let c = &t.idp;
    let described = c.describe_user_pool().user_pool_id(&pool_id).send().await.expect("describe");
    let cfg = described.user_pool().and_then(|p| p.lambda_config()).expect("lambda config");
    let v = cfg.pre_token_generation_config().expect("config mirrored from the legacy ARN");
    assert_eq!((v.lambda_arn(), v.lambda_version().as_str()), (t.arn.as_str(), "V1_0"));

    confirmed_user(c, &pool_id, "alice", "Passw0rd!x").await;
    confirmed_user(c, &pool_id, "blocked", "Passw0rd!x").await;
    c.admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("alice")
        .user_attributes(attr("custom:team", "blue"))
        .send()
        .await
        .expect("team");
    c.create_group().user_pool_id(&pool_id).group_name("admins").send().await.expect("group");
    c.admin_add_user_to_group()
        .user_pool_id(&pool_id)
        .username("alice")
        .group_name("admins")
        .send()
        .await
        .expect("add");

    let out = t
        .password_auth(&client_id, "alice", "Passw0rd!x")
        .client_metadata("device", "laptop")
        .send()
        .await
        .expect("sign in");
    let result = out.authentication_result().expect("tokens");
    let id = claims(result.id_token().expect("id token"));
    assert_eq!(id["tier"], "gold");
    assert_eq!(id["custom:team"], "overridden");
    assert!(id.get("email").is_none(), "{id}");
    assert_eq!(id["cognito:groups"], json!(["from-lambda"]));
    assert_eq!(id["cognito:roles"], json!(["arn:aws:iam::000000000000:role/from-lambda"]));
    assert_eq!(id["cognito:preferred_role"], "arn:aws:iam::000000000000:role/from-lambda");
    let access = claims(result.access_token().expect("access token"));
    assert_eq!(access["cognito:groups"], json!(["from-lambda"]));
    assert!(access.get("tier").is_none(), "V1 claims reach only the ID token: {access}");

    let pre = t.last("PreAuthentication_Authentication");
    assert_common(&pre, &pool_id, "alice", &client_id);
    assert_eq!(pre["request"]["validationData"], json!({"device": "laptop"}));
    assert_eq!(pre["request"]["userAttributes"]["email"], "alice@example.com");
    let post = t.last("PostAuthentication_Authentication");
    assert_common(&post, &pool_id, "alice", &client_id);
    assert_eq!(post["request"]["newDeviceUsed"], false);
    assert!(post["request"].get("clientMetadata").is_none(), "InitiateAuth metadata is not passed: {post}");
    let token = t.last("TokenGeneration_Authentication");
    assert_common(&token, &pool_id, "alice", &client_id);
    assert_eq!(
        token["request"]["groupConfiguration"],
        json!({"groupsToOverride": ["admins"], "iamRolesToOverride": [], "preferredRole": null})
    );
    assert_eq!(token["request"]["userAttributes"]["custom:team"], "blue");
    assert!(token["request"].get("scopes").is_none());
    assert_eq!(token["response"], json!({"claimsOverrideDetails": null}));

    // Refreshing runs pre token generation again.
    let refresh = result.refresh_token().expect("refresh").to_string();
    let again = c
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await
        .expect("refresh");
    assert_eq!(claims(again.authentication_result().and_then(|r| r.id_token()).expect("id"))["tier"], "gold");
    assert_eq!(t.last("TokenGeneration_RefreshTokens")["userName"], "alice");

    // A pre authentication function that raises refuses the sign-in.
    let (code, msg) = code_of(t.password_auth(&client_id, "blocked", "Passw0rd!x").send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UserLambdaValidationException", "PreAuthentication failed with error blocked by policy.")
    );
}

#[tokio::test]
async fn pre_token_generation_v2_reaches_the_access_token() {
    let _one = exclusive().await;
    let t = Setup::new().await;
    let v2 = PreTokenGenerationVersionConfigType::builder()
        .lambda_arn(&t.arn)
        .lambda_version(PreTokenGenerationLambdaVersionType::V20)
        .build()
        .expect("config");
    let (pool_id, client_id) = t.pool(LambdaConfigType::builder().pre_token_generation_config(v2).build()).await;
    let c = &t.idp;
    let described = c.describe_user_pool().user_pool_id(&pool_id).send().await.expect("describe");
    let cfg = described.user_pool().and_then(|p| p.lambda_config()).expect("lambda config");
    assert_eq!(cfg.pre_token_generation(), Some(t.arn.as_str()));

    confirmed_user(c, &pool_id, "vera", "Passw0rd!x").await;
    let out = c
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "vera")
        .auth_parameters("PASSWORD", "Passw0rd!x")
        .send()
        .await
        .expect("sign in");
    let result = out.authentication_result().expect("tokens");
    let access = claims(result.access_token().expect("access"));
    assert_eq!(access["plan"], "pro");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin orders/read");
    assert_eq!(access["cognito:groups"], json!(["from-lambda"]));
    let id = claims(result.id_token().expect("id"));
    assert_eq!(id["tier"], "gold");
    assert!(id.get("plan").is_none(), "{id}");

    let event = t.last("TokenGeneration_Authentication");
    assert_eq!(event["version"], "2");
    assert_eq!(event["userName"], "vera");
    assert_eq!(event["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(event["request"]["scopes"], json!(["aws.cognito.signin.user.admin"]));
    assert_eq!(event["response"], json!({"claimsAndScopeOverrideDetails": null}));
}

#[tokio::test]
async fn user_migration_signs_in_users_the_pool_does_not_know() {
    let _one = exclusive().await;
    let t = Setup::new().await;
    let (pool_id, client_id) = t.pool(LambdaConfigType::builder().user_migration(&t.arn).build()).await;
    let c = &t.idp;

    let out = t
        .password_auth(&client_id, "legacy", "LegacyPassw0rd")
        .client_metadata("from", "old-app")
        .send()
        .await
        .expect("migrated sign in");
    let id = claims(out.authentication_result().and_then(|r| r.id_token()).expect("id"));
    assert_eq!(id["email"], "legacy@legacy.example");
    assert_eq!(id["custom:team"], "legacy");
    assert_eq!(id["cognito:username"], "legacy");
    let u = c.admin_get_user().user_pool_id(&pool_id).username("legacy").send().await.expect("migrated user");
    assert_eq!(u.user_status().map(|s| s.as_str()), Some("CONFIRMED"));

    let event = t.last("UserMigration_Authentication");
    assert_common(&event, &pool_id, "legacy", &client_id);
    assert_eq!(event["request"]["password"], "LegacyPassw0rd");
    assert_eq!(event["request"]["validationData"], json!({"from": "old-app"}));
    assert_eq!(event["response"]["userAttributes"], Value::Null);
    assert_eq!(event["response"]["finalUserStatus"], Value::Null);

    // The migrated user signs in with the password it brought; the trigger
    // is not asked again.
    t.password_auth(&client_id, "legacy", "LegacyPassw0rd").send().await.expect("second sign in");
    assert_eq!(t.events_of("UserMigration_Authentication").len(), 1);

    // A function that refuses means the user could not be migrated.
    let (code, msg) = code_of(t.password_auth(&client_id, "ghost", "Wrong1Passw0rd").send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("UserNotFoundException", format!("Exception migrating user in app client {client_id}").as_str())
    );
}

#[tokio::test]
async fn custom_auth_challenges_drive_a_sign_in_to_tokens() {
    let _one = exclusive().await;
    let t = Setup::new().await;
    let lambda = LambdaConfigType::builder()
        .define_auth_challenge(&t.arn)
        .create_auth_challenge(&t.arn)
        .verify_auth_challenge_response(&t.arn)
        .build();
    let (pool_id, client_id) = t.pool(lambda).await;
    let c = &t.idp;
    confirmed_user(c, &pool_id, "carl", "Passw0rd!x").await;
    let start = || {
        c.initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", "carl")
            .send()
    };
    let answer = |session: String, given: &'static str| {
        c.respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(session)
            .challenge_responses("USERNAME", "carl")
            .challenge_responses("ANSWER", given)
            .send()
    };

    let first = start().await.expect("custom auth");
    assert_eq!(first.challenge_name(), Some(&ChallengeNameType::CustomChallenge));
    let params = first.challenge_parameters().expect("parameters");
    assert_eq!(params.get("question").map(String::as_str), Some("6 * 7"));
    assert_eq!(params.get("USERNAME").map(String::as_str), Some("carl"));
    let define = t.last("DefineAuthChallenge_Authentication");
    assert_common(&define, &pool_id, "carl", &client_id);
    assert_eq!(define["request"]["session"], json!([]));
    assert_eq!(define["request"]["userNotFound"], false);
    assert_eq!(define["response"], json!({"challengeName": null, "issueTokens": null, "failAuthentication": null}));
    let create = t.last("CreateAuthChallenge_Authentication");
    assert_eq!(create["request"]["challengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(
        create["response"],
        json!({"publicChallengeParameters": null, "privateChallengeParameters": null, "challengeMetadata": null})
    );

    // A wrong answer gets a new challenge; the right one gets tokens.
    let second = answer(first.session().expect("session").to_string(), "41").await.expect("wrong answer");
    assert_eq!(second.challenge_name(), Some(&ChallengeNameType::CustomChallenge));
    let verify = t.last("VerifyAuthChallengeResponse_Authentication");
    assert_common(&verify, &pool_id, "carl", &client_id);
    assert_eq!(verify["request"]["challengeAnswer"], "41");
    assert_eq!(verify["request"]["privateChallengeParameters"], json!({"answer": "42"}));
    assert_eq!(verify["response"], json!({"answerCorrect": null}));
    let done = answer(second.session().expect("session").to_string(), "42").await.expect("right answer");
    let id = claims(done.authentication_result().and_then(|r| r.id_token()).expect("tokens"));
    assert_eq!(id["cognito:username"], "carl");
    assert_eq!(
        t.last("DefineAuthChallenge_Authentication")["request"]["session"],
        json!([
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "QUESTION-0"},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "QUESTION-1"},
        ])
    );

    // Three wrong answers and DefineAuthChallenge fails the sign-in.
    let mut session = start().await.expect("custom auth").session().expect("session").to_string();
    for _ in 0..2 {
        session = answer(session, "0").await.expect("another challenge").session().expect("session").to_string();
    }
    let (code, msg) = code_of(answer(session, "0").await);
    assert_eq!((code.as_str(), msg.as_str()), ("NotAuthorizedException", "Incorrect username or password."));
}
