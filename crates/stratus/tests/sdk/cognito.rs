//! Cognito user pools and identity pools through the AWS SDK for Rust:
//! pools, clients, groups, sign-up and confirmation codes, password, SRP,
//! refresh and TOTP sign-ins, token revocation, ListUsers filters, and the
//! errors AWS answers with.

use crate::common;

use aws_sdk_cognitoidentityprovider as idp;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, PasswordPolicyType, SchemaAttributeType,
    SoftwareTokenMfaSettingsType, UserPoolPolicyType,
};
use base64::Engine;
use serde_json::Value;
use std::collections::HashMap;
use stratus_cognito::{clients::secret_hash, srp, totp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) async fn http_get(endpoint: &str, path: &str) -> (u16, String) {
    let addr = endpoint.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).await.expect("read");
    let (head, body) = out.split_once("\r\n\r\n").expect("response");
    (head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).expect("status"), body.to_string())
}

/// The last code recorded for `username`.
pub(crate) async fn last_code(endpoint: &str, username: &str) -> String {
    let (_, body) = http_get(endpoint, &format!("/_stratus/cognito/codes?username={username}")).await;
    let v: Value = serde_json::from_str(&body).expect("json");
    v["codes"].as_array().and_then(|a| a.last()).and_then(|c| c["code"].as_str()).expect("a code").to_string()
}

pub(crate) fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder().name(name).value(value).build().expect("attr")
}

pub(crate) fn code_of<T: std::fmt::Debug, E, R>(r: Result<T, idp::error::SdkError<E, R>>) -> (String, String)
where
    E: ProvideErrorMetadata,
{
    let e = r.expect_err("should fail");
    (e.code().unwrap_or("").to_string(), e.message().unwrap_or("").to_string())
}

pub(crate) fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("b64"))
        .expect("json")
}

async fn pool_and_client(c: &idp::Client, secret: bool) -> (String, String, Option<String>) {
    let pool = c
        .create_user_pool()
        .pool_name("app")
        .auto_verified_attributes(idp::types::VerifiedAttributeType::Email)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(PasswordPolicyType::builder().minimum_length(8).require_symbols(false).build())
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("team")
                .attribute_data_type(idp::types::AttributeDataType::String)
                .build(),
        )
        .send()
        .await
        .expect("pool");
    let pool_id = pool.user_pool().and_then(|p| p.id()).expect("id").to_string();
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .generate_secret(secret)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .send()
        .await
        .expect("client");
    let uc = client.user_pool_client().expect("client");
    (pool_id, uc.client_id().expect("id").to_string(), uc.client_secret().map(str::to_string))
}

pub(crate) async fn confirmed_user(c: &idp::Client, pool: &str, name: &str, password: &str) {
    c.admin_create_user()
        .user_pool_id(pool)
        .username(name)
        .user_attributes(attr("email", &format!("{name}@example.com")))
        .user_attributes(attr("email_verified", "true"))
        .message_action(idp::types::MessageActionType::Suppress)
        .send()
        .await
        .expect("create user");
    c.admin_set_user_password()
        .user_pool_id(pool)
        .username(name)
        .password(password)
        .permanent(true)
        .send()
        .await
        .expect("set password");
}

#[tokio::test]
async fn pools_clients_and_groups() {
    let server = common::server().await;
    let c = idp::Client::new(&common::sdk_config(&server).await);
    let (pool_id, client_id, secret) = pool_and_client(&c, true).await;
    assert!(pool_id.starts_with("us-east-1_"));
    assert_eq!(client_id.len(), 26);
    assert!(secret.is_some());

    let d = c.describe_user_pool().user_pool_id(&pool_id).send().await.expect("describe");
    let p = d.user_pool().expect("pool");
    assert_eq!(p.name(), Some("app"));
    assert!(p.schema_attributes().iter().any(|a| a.name() == Some("custom:team")));
    assert!(p.schema_attributes().iter().any(|a| a.name() == Some("email")));
    assert_eq!(p.policies().and_then(|x| x.password_policy()).map(|pp| pp.require_symbols()), Some(false));

    let listed = c.list_user_pools().max_results(10).send().await.expect("list");
    assert!(listed.user_pools().iter().any(|x| x.id() == Some(pool_id.as_str())));
    let clients = c.list_user_pool_clients().user_pool_id(&pool_id).send().await.expect("clients");
    assert_eq!(clients.user_pool_clients().len(), 1);

    c.update_user_pool()
        .user_pool_id(&pool_id)
        .deletion_protection(idp::types::DeletionProtectionType::Active)
        .send()
        .await
        .expect("update");
    let (code, msg) = code_of(c.delete_user_pool().user_pool_id(&pool_id).send().await);
    assert_eq!(code, "InvalidParameterException");
    assert!(msg.contains("deletion protection"), "{msg}");

    // UpdateUserPool without Policies restores the default policy (symbols required).
    confirmed_user(&c, &pool_id, "alice", "Passw0rd!x").await;
    c.create_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .precedence(1)
        .role_arn("arn:aws:iam::000000000000:role/admin")
        .send()
        .await
        .expect("group");
    let (code, _) = code_of(c.create_group().user_pool_id(&pool_id).group_name("admins").send().await);
    assert_eq!(code, "GroupExistsException");
    c.admin_add_user_to_group()
        .user_pool_id(&pool_id)
        .username("alice")
        .group_name("admins")
        .send()
        .await
        .expect("add");
    let g = c.admin_list_groups_for_user().user_pool_id(&pool_id).username("alice").send().await.expect("groups");
    assert_eq!(g.groups().first().and_then(|x| x.group_name()), Some("admins"));
    let u = c.list_users_in_group().user_pool_id(&pool_id).group_name("admins").send().await.expect("users");
    assert_eq!(u.users().first().and_then(|x| x.username()), Some("alice"));

    // Group claims reach the tokens.
    let hash = secret_hash(secret.as_deref().expect("secret"), "alice", &client_id);
    let out = c
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", "Passw0rd!x")
        .auth_parameters("SECRET_HASH", &hash)
        .send()
        .await
        .expect("admin auth");
    let id = claims(out.authentication_result().and_then(|r| r.id_token()).expect("id token"));
    assert_eq!(id["cognito:groups"][0], "admins");
    assert_eq!(id["cognito:preferred_role"], "arn:aws:iam::000000000000:role/admin");
    assert_eq!(id["aud"], client_id.as_str());
    assert_eq!(id["iss"], format!("https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"));

    // A wrong SECRET_HASH is refused.
    let (code, msg) = code_of(
        c.admin_initiate_auth()
            .user_pool_id(&pool_id)
            .client_id(&client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", "Passw0rd!x")
            .auth_parameters("SECRET_HASH", "bm9wZQ==")
            .send()
            .await,
    );
    assert_eq!(code, "NotAuthorizedException");
    assert!(msg.contains("Unable to verify secret hash"), "{msg}");

    c.admin_remove_user_from_group()
        .user_pool_id(&pool_id)
        .username("alice")
        .group_name("admins")
        .send()
        .await
        .expect("remove");
    let g = c.admin_list_groups_for_user().user_pool_id(&pool_id).username("alice").send().await.expect("groups");
    assert!(g.groups().is_empty());
}

#[tokio::test]
async fn sign_up_confirm_and_password_sign_in() {
    let server = common::server().await;
    let c = idp::Client::new(&common::sdk_config(&server).await);
    let (pool_id, client_id, _) = pool_and_client(&c, false).await;

    let (code, msg) = code_of(c.sign_up().client_id(&client_id).username("bob").password("short").send().await);
    assert_eq!(code, "InvalidPasswordException");
    assert_eq!(msg, "Password did not conform with policy: Password not long enough");

    let out = c
        .sign_up()
        .client_id(&client_id)
        .username("bob")
        .password("Passw0rdxx")
        .user_attributes(attr("email", "bob@example.com"))
        .user_attributes(attr("custom:team", "blue"))
        .send()
        .await
        .expect("sign up");
    assert!(!out.user_confirmed());
    assert_eq!(out.code_delivery_details().and_then(|d| d.destination()), Some("b***@e***"));
    let (code, _) = code_of(c.sign_up().client_id(&client_id).username("bob").password("Passw0rdxx").send().await);
    assert_eq!(code, "UsernameExistsException");

    let password_auth = |user: &str, pw: &str| {
        c.initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", pw)
            .send()
    };
    let (code, msg) = code_of(password_auth("bob", "Passw0rdxx").await);
    assert_eq!((code.as_str(), msg.as_str()), ("UserNotConfirmedException", "User is not confirmed."));

    let (code, _) =
        code_of(c.confirm_sign_up().client_id(&client_id).username("bob").confirmation_code("000000x").send().await);
    assert_eq!(code, "CodeMismatchException");
    let confirmation = last_code(&server.endpoint(), "bob").await;
    c.confirm_sign_up()
        .client_id(&client_id)
        .username("bob")
        .confirmation_code(&confirmation)
        .send()
        .await
        .expect("confirm");

    let (code, msg) = code_of(password_auth("bob", "wrongPassw0rd").await);
    assert_eq!((code.as_str(), msg.as_str()), ("NotAuthorizedException", "Incorrect username or password."));
    let (code, _) = code_of(password_auth("nobody", "Passw0rdxx").await);
    assert_eq!(code, "UserNotFoundException");

    let out = password_auth("bob", "Passw0rdxx").await.expect("sign in");
    let result = out.authentication_result().expect("tokens");
    assert_eq!(result.token_type(), Some("Bearer"));
    assert_eq!(result.expires_in(), 3600);
    let access = result.access_token().expect("access").to_string();
    let id = claims(result.id_token().expect("id"));
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["custom:team"], "blue");
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "bob");
    let ac = claims(&access);
    assert_eq!(ac["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(ac["client_id"], client_id.as_str());
    assert_eq!(ac["username"], "bob");
    assert!(ac.get("aud").is_none());

    // The JWKS names the key that signed the tokens.
    let (status, body) = http_get(&server.endpoint(), &format!("/{pool_id}/.well-known/jwks.json")).await;
    assert_eq!(status, 200);
    let jwks: Value = serde_json::from_str(&body).expect("jwks");
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(access.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("header json");
    assert_eq!(jwks["keys"][0]["kid"], header["kid"]);
    assert_eq!(header["alg"], "RS256");

    let me = c.get_user().access_token(&access).send().await.expect("get user");
    assert_eq!(me.username(), "bob");
    c.update_user_attributes()
        .access_token(&access)
        .user_attributes(attr("name", "Bob"))
        .send()
        .await
        .expect("update attrs");
    let (code, _) = code_of(
        c.change_password()
            .access_token(&access)
            .previous_password("bad")
            .proposed_password("NewPassw0rd")
            .send()
            .await,
    );
    assert_eq!(code, "NotAuthorizedException");
    c.change_password()
        .access_token(&access)
        .previous_password("Passw0rdxx")
        .proposed_password("NewPassw0rd")
        .send()
        .await
        .expect("change");
    password_auth("bob", "NewPassw0rd").await.expect("new password works");

    c.global_sign_out().access_token(&access).send().await.expect("sign out");
    let (code, msg) = code_of(c.get_user().access_token(&access).send().await);
    assert_eq!((code.as_str(), msg.as_str()), ("NotAuthorizedException", "Access Token has been revoked"));

    // Forgot password.
    c.forgot_password().client_id(&client_id).username("bob").send().await.expect("forgot");
    let reset = last_code(&server.endpoint(), "bob").await;
    let (code, _) = code_of(
        c.confirm_forgot_password()
            .client_id(&client_id)
            .username("bob")
            .confirmation_code("999999")
            .password("Another1pw")
            .send()
            .await,
    );
    assert_eq!(code, "CodeMismatchException");
    c.confirm_forgot_password()
        .client_id(&client_id)
        .username("bob")
        .confirmation_code(&reset)
        .password("Another1pw")
        .send()
        .await
        .expect("reset");
    password_auth("bob", "Another1pw").await.expect("reset password works");
}

#[tokio::test]
async fn admin_created_user_must_set_a_new_password() {
    let server = common::server().await;
    let c = idp::Client::new(&common::sdk_config(&server).await);
    let (pool_id, client_id, _) = pool_and_client(&c, false).await;
    let created = c
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("carol")
        .temporary_password("TempPassw0rd")
        .user_attributes(attr("email", "carol@example.com"))
        .send()
        .await
        .expect("create");
    assert_eq!(created.user().and_then(|u| u.user_status()).map(|s| s.as_str()), Some("FORCE_CHANGE_PASSWORD"));
    let (code, _) = code_of(c.admin_create_user().user_pool_id(&pool_id).username("carol").send().await);
    assert_eq!(code, "UsernameExistsException");

    let out = c
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "carol")
        .auth_parameters("PASSWORD", "TempPassw0rd")
        .send()
        .await
        .expect("auth");
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::NewPasswordRequired));
    let session = out.session().expect("session").to_string();
    let done = c
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(&session)
        .challenge_responses("USERNAME", "carol")
        .challenge_responses("NEW_PASSWORD", "Final1Passw0rd")
        .challenge_responses("userAttributes.name", "Carol")
        .send()
        .await
        .expect("respond");
    assert!(done.authentication_result().and_then(|r| r.id_token()).is_some());
    let u = c.admin_get_user().user_pool_id(&pool_id).username("carol").send().await.expect("get");
    assert_eq!(u.user_status().map(|s| s.as_str()), Some("CONFIRMED"));
    assert!(u.user_attributes().iter().any(|a| a.name() == "name" && a.value() == Some("Carol")));

    c.admin_disable_user().user_pool_id(&pool_id).username("carol").send().await.expect("disable");
    let (code, msg) = code_of(
        c.initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "carol")
            .auth_parameters("PASSWORD", "Final1Passw0rd")
            .send()
            .await,
    );
    assert_eq!((code.as_str(), msg.as_str()), ("NotAuthorizedException", "User is disabled."));
    c.admin_delete_user().user_pool_id(&pool_id).username("carol").send().await.expect("delete");
    let (code, msg) = code_of(c.admin_get_user().user_pool_id(&pool_id).username("carol").send().await);
    assert_eq!((code.as_str(), msg.as_str()), ("UserNotFoundException", "User does not exist."));
}

async fn srp_sign_in(
    c: &idp::Client,
    pool_id: &str,
    client_id: &str,
    user: &str,
    password: &str,
) -> Result<idp::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, (String, String)> {
    let (a, big_a) = srp::client::start();
    let out = c
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", user)
        .auth_parameters("SRP_A", &big_a)
        .send()
        .await
        .expect("srp start");
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::PasswordVerifier));
    let p: HashMap<String, String> = out.challenge_parameters().cloned().unwrap_or_default();
    let pool_name = pool_id.split_once('_').map(|(_, n)| n).expect("pool name");
    let user_id = &p["USER_ID_FOR_SRP"];
    let key = srp::client::key(pool_name, user_id, password, &a, &p["SRP_B"], &p["SALT"]).expect("key");
    let block = base64::engine::general_purpose::STANDARD.decode(&p["SECRET_BLOCK"]).expect("block");
    let timestamp = "Mon Jan 6 09:08:07 UTC 2025";
    let sig = srp::signature(&key, pool_name, user_id, &block, timestamp);
    c.respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .challenge_responses("USERNAME", &p["USERNAME"])
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &p["SECRET_BLOCK"])
        .challenge_responses("TIMESTAMP", timestamp)
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", base64::engine::general_purpose::STANDARD.encode(sig))
        .send()
        .await
        .map_err(|e| (e.code().unwrap_or("").to_string(), e.message().unwrap_or("").to_string()))
}

#[tokio::test]
async fn srp_sign_in_refresh_and_revoke() {
    let server = common::server().await;
    let c = idp::Client::new(&common::sdk_config(&server).await);
    let (pool_id, client_id, _) = pool_and_client(&c, false).await;
    confirmed_user(&c, &pool_id, "dave", "Passw0rdxx").await;

    let out = srp_sign_in(&c, &pool_id, &client_id, "dave", "Passw0rdxx").await.expect("srp sign in");
    let result = out.authentication_result().expect("tokens");
    let refresh = result.refresh_token().expect("refresh").to_string();
    let (code, msg) = srp_sign_in(&c, &pool_id, &client_id, "dave", "wrongPassw0rd").await.expect_err("wrong proof");
    assert_eq!((code.as_str(), msg.as_str()), ("NotAuthorizedException", "Incorrect username or password."));

    let again = c
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &refresh)
        .send()
        .await
        .expect("refresh");
    let r = again.authentication_result().expect("tokens");
    assert!(r.refresh_token().is_none());
    assert_eq!(
        claims(r.access_token().expect("access"))["origin_jti"],
        claims(result.access_token().expect("a"))["origin_jti"]
    );

    c.revoke_token().client_id(&client_id).token(&refresh).send().await.expect("revoke");
    let (code, _) = code_of(
        c.initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &refresh)
            .send()
            .await,
    );
    assert_eq!(code, "NotAuthorizedException");
    let (code, _) = code_of(c.get_user().access_token(r.access_token().expect("access")).send().await);
    assert_eq!(code, "NotAuthorizedException");
}

#[tokio::test]
async fn totp_mfa_sign_in() {
    let server = common::server().await;
    let c = idp::Client::new(&common::sdk_config(&server).await);
    let (pool_id, client_id, _) = pool_and_client(&c, false).await;
    c.set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .software_token_mfa_configuration(idp::types::SoftwareTokenMfaConfigType::builder().enabled(true).build())
        .mfa_configuration(idp::types::UserPoolMfaType::Optional)
        .send()
        .await
        .expect("mfa config");
    let cfg = c.get_user_pool_mfa_config().user_pool_id(&pool_id).send().await.expect("get mfa");
    assert_eq!(cfg.mfa_configuration(), Some(&idp::types::UserPoolMfaType::Optional));
    confirmed_user(&c, &pool_id, "erin", "Passw0rdxx").await;
    let sign_in = || {
        c.initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "erin")
            .auth_parameters("PASSWORD", "Passw0rdxx")
            .send()
    };
    let access = sign_in()
        .await
        .expect("sign in")
        .authentication_result()
        .and_then(|r| r.access_token())
        .expect("a")
        .to_string();
    let assoc = c.associate_software_token().access_token(&access).send().await.expect("associate");
    let secret = assoc.secret_code().expect("secret").to_string();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs();
    let (code, _) = code_of(c.verify_software_token().access_token(&access).user_code("000000").send().await);
    assert_eq!(code, "EnableSoftwareTokenMFAException");
    let v = c
        .verify_software_token()
        .access_token(&access)
        .user_code(totp::code_at(&secret, now).expect("code"))
        .send()
        .await
        .expect("verify");
    assert_eq!(v.status(), Some(&idp::types::VerifySoftwareTokenResponseType::Success));
    c.set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(SoftwareTokenMfaSettingsType::builder().enabled(true).preferred_mfa(true).build())
        .send()
        .await
        .expect("preference");

    let out = sign_in().await.expect("sign in");
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SoftwareTokenMfa));
    let session = out.session().expect("session").to_string();
    let (code, _) = code_of(
        c.respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::SoftwareTokenMfa)
            .session(&session)
            .challenge_responses("USERNAME", "erin")
            .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", "123456x")
            .send()
            .await,
    );
    assert_eq!(code, "CodeMismatchException");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs();
    let done = c
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(&session)
        .challenge_responses("USERNAME", "erin")
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", totp::code_at(&secret, now).expect("code"))
        .send()
        .await
        .expect("mfa");
    assert!(done.authentication_result().and_then(|r| r.access_token()).is_some());
    let u = c.admin_get_user().user_pool_id(&pool_id).username("erin").send().await.expect("get");
    assert_eq!(u.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));
}

#[tokio::test]
async fn list_users_filters_and_email_usernames() {
    let server = common::server().await;
    let c = idp::Client::new(&common::sdk_config(&server).await);
    let pool = c
        .create_user_pool()
        .pool_name("emails")
        .username_attributes(idp::types::UsernameAttributeType::Email)
        .send()
        .await
        .expect("pool");
    let pool_id = pool.user_pool().and_then(|p| p.id()).expect("id").to_string();
    for name in ["ann@example.com", "andy@example.com", "zed@example.org"] {
        c.admin_create_user()
            .user_pool_id(&pool_id)
            .username(name)
            .message_action(idp::types::MessageActionType::Suppress)
            .send()
            .await
            .expect("create");
    }
    let (code, msg) = code_of(c.admin_create_user().user_pool_id(&pool_id).username("not-an-email").send().await);
    assert_eq!((code.as_str(), msg.as_str()), ("InvalidParameterException", "Username should be an email."));
    let (code, _) = code_of(c.admin_create_user().user_pool_id(&pool_id).username("ann@example.com").send().await);
    assert_eq!(code, "UsernameExistsException");

    let all = c.list_users().user_pool_id(&pool_id).send().await.expect("list");
    assert_eq!(all.users().len(), 3);
    let prefixed = c.list_users().user_pool_id(&pool_id).filter("email ^= \"an\"").send().await.expect("prefix");
    assert_eq!(prefixed.users().len(), 2);
    let exact =
        c.list_users().user_pool_id(&pool_id).filter("email = \"zed@example.org\"").send().await.expect("exact");
    assert_eq!(exact.users().len(), 1);
    let by_status = c
        .list_users()
        .user_pool_id(&pool_id)
        .filter("cognito:user_status = \"FORCE_CHANGE_PASSWORD\"")
        .send()
        .await
        .expect("status");
    assert_eq!(by_status.users().len(), 3);
    let (code, _) = code_of(c.list_users().user_pool_id(&pool_id).filter("nickname = \"x\"").send().await);
    assert_eq!(code, "InvalidParameterException");
    let page = c.list_users().user_pool_id(&pool_id).limit(2).send().await.expect("page");
    assert_eq!(page.users().len(), 2);
    let rest = c
        .list_users()
        .user_pool_id(&pool_id)
        .limit(2)
        .pagination_token(page.pagination_token().expect("token"))
        .send()
        .await
        .expect("rest");
    assert_eq!(rest.users().len(), 1);

    // The username is the sub; the email finds the user.
    let got = c.admin_get_user().user_pool_id(&pool_id).username("ann@example.com").send().await.expect("by email");
    assert_eq!(got.username().len(), 36);
    let (code, msg) = code_of(c.describe_user_pool().user_pool_id("us-east-1_nope12345").send().await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("ResourceNotFoundException", "User pool us-east-1_nope12345 does not exist.")
    );
}

#[tokio::test]
async fn identity_pool_credentials_work_in_strict_mode() {
    let server = common::server_with(stratus::config::ServeArgs {
        auth: stratus::config::AuthMode::Strict,
        ..stratus::config::ServeArgs::ephemeral()
    })
    .await;
    let config = common::sdk_config(&server).await;
    let c = idp::Client::new(&config);
    let (pool_id, client_id, _) = pool_and_client(&c, false).await;
    confirmed_user(&c, &pool_id, "fay", "Passw0rdxx").await;
    // Unsigned InitiateAuth is accepted in strict mode.
    let anonymous = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(server.endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .no_credentials()
        .load()
        .await;
    let unsigned = idp::Client::new(&anonymous);
    let out = unsigned
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "fay")
        .auth_parameters("PASSWORD", "Passw0rdxx")
        .send()
        .await
        .expect("unsigned sign in");
    let id_token = out.authentication_result().and_then(|r| r.id_token()).expect("id").to_string();

    let ci = aws_sdk_cognitoidentity::Client::new(&config);
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{pool_id}");
    let pool = ci
        .create_identity_pool()
        .identity_pool_name("ids")
        .allow_unauthenticated_identities(false)
        .cognito_identity_providers(
            aws_sdk_cognitoidentity::types::CognitoIdentityProvider::builder()
                .provider_name(&provider)
                .client_id(&client_id)
                .build(),
        )
        .send()
        .await
        .expect("identity pool");
    let ipid = pool.identity_pool_id().to_string();
    ci.set_identity_pool_roles()
        .identity_pool_id(&ipid)
        .roles("authenticated", "arn:aws:iam::000000000000:role/authed")
        .send()
        .await
        .expect("roles");
    let roles = ci.get_identity_pool_roles().identity_pool_id(&ipid).send().await.expect("get roles");
    assert_eq!(
        roles.roles().and_then(|r| r.get("authenticated")).map(String::as_str),
        Some("arn:aws:iam::000000000000:role/authed")
    );

    let ci_unsigned = aws_sdk_cognitoidentity::Client::new(&anonymous);
    let err = ci_unsigned.get_id().identity_pool_id(&ipid).send().await.expect_err("unauthenticated refused");
    assert_eq!(err.code(), Some("NotAuthorizedException"));
    let id = ci_unsigned.get_id().identity_pool_id(&ipid).logins(&provider, &id_token).send().await.expect("get id");
    let identity_id = id.identity_id().expect("identity").to_string();
    let again = ci_unsigned.get_id().identity_pool_id(&ipid).logins(&provider, &id_token).send().await.expect("get id");
    assert_eq!(again.identity_id(), Some(identity_id.as_str()));
    let err = ci_unsigned
        .get_id()
        .identity_pool_id(&ipid)
        .logins(&provider, "not.a.token")
        .send()
        .await
        .expect_err("bad token");
    assert_eq!(err.code(), Some("NotAuthorizedException"));

    let creds = ci_unsigned
        .get_credentials_for_identity()
        .identity_id(&identity_id)
        .logins(&provider, &id_token)
        .send()
        .await
        .expect("credentials");
    let cr = creds.credentials().expect("credentials");
    let sts_config = common::sdk_config_session(
        &server,
        cr.access_key_id().expect("akid"),
        cr.secret_key().expect("secret"),
        cr.session_token().expect("token"),
    )
    .await;
    let who =
        aws_sdk_sts::Client::new(&sts_config).get_caller_identity().send().await.expect("strict auth accepts them");
    assert_eq!(who.arn(), Some("arn:aws:sts::000000000000:assumed-role/authed/CognitoIdentityCredentials"));

    let open_id = ci_unsigned
        .get_open_id_token()
        .identity_id(&identity_id)
        .logins(&provider, &id_token)
        .send()
        .await
        .expect("openid");
    let claims = claims(open_id.token().expect("token"));
    assert_eq!(claims["aud"], ipid.as_str());
    assert_eq!(claims["sub"], identity_id.as_str());
    assert_eq!(claims["amr"][0], "authenticated");
}

fn http_status<E>(e: &idp::error::SdkError<E, idp::config::http::HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

#[tokio::test]
async fn validation_failures_are_invalid_parameter_exception() {
    let server = common::server().await;
    let c = idp::Client::new(&common::sdk_config(&server).await);
    let (pool_id, _, _) = pool_and_client(&c, false).await;

    // A pattern mismatch.
    let e = c.describe_user_pool().user_pool_id("not a pool").send().await.expect_err("pattern");
    assert_eq!(http_status(&e), Some(400));
    assert_eq!(e.code(), Some("InvalidParameterException"));
    assert_eq!(
        e.message(),
        Some(
            r"1 validation error detected: Value 'not a pool' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
        )
    );

    // A missing required member.
    let e = c.admin_get_user().user_pool_id(&pool_id).send().await.expect_err("missing");
    assert_eq!(http_status(&e), Some(400));
    assert_eq!(e.code(), Some("InvalidParameterException"));
    assert_eq!(
        e.message(),
        Some(
            "1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must not be null"
        )
    );

    // A string too long.
    let long = "p".repeat(129);
    let (code, msg) = code_of(c.create_user_pool().pool_name(&long).send().await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        msg,
        format!(
            "1 validation error detected: Value '{long}' at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128"
        )
    );
}
