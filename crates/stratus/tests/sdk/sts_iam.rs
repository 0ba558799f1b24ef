//! STS and IAM through the AWS SDK for Rust against an in-process server:
//! caller identity as root, an IAM user and an assumed role; roles, users,
//! policies and access keys; AWS's error codes, texts and statuses; and, in
//! strict mode, issued keys that verify, deactivate and disappear.

use crate::common;

use aws_sdk_iam::error::ProvideErrorMetadata;
use stratus::config::{AuthMode, ServeArgs};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}"#;
const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;

/// Code, message and HTTP status of a failed call.
fn failure<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, aws_sdk_iam::error::SdkError<E, aws_sdk_iam::config::http::HttpResponse>>,
) -> (String, String, u16) {
    let e = r.expect_err("call should fail");
    let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or_default();
    (e.code().unwrap_or_default().to_string(), e.message().unwrap_or_default().to_string(), status)
}

/// IAM returns policy documents percent-encoded; boto3 decodes them, the
/// Rust SDK does not.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(b) =
            (bytes[i] == b'%').then(|| s.get(i + 1..i + 3)).flatten().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8 document")
}

async fn clients(server: &stratus::server::Server) -> (aws_sdk_iam::Client, aws_sdk_sts::Client) {
    let config = common::sdk_config(server).await;
    (aws_sdk_iam::Client::new(&config), aws_sdk_sts::Client::new(&config))
}

#[tokio::test]
async fn caller_identity_as_root() {
    let server = common::server().await;
    let (_, sts) = clients(&server).await;
    let me = sts.get_caller_identity().send().await.expect("identity");
    assert_eq!(me.account(), Some("000000000000"));
    assert_eq!(me.arn(), Some("arn:aws:iam::000000000000:root"));
    assert_eq!(me.user_id(), Some("000000000000"));
}

#[tokio::test]
async fn role_lifecycle_and_assume_role() {
    let server = common::server().await;
    let (iam, sts) = clients(&server).await;
    let created = iam
        .create_role()
        .role_name("app-role")
        .path("/service/")
        .assume_role_policy_document(TRUST)
        .tags(aws_sdk_iam::types::Tag::builder().key("env").value("test").build().expect("tag"))
        .send()
        .await
        .expect("create role");
    let role = created.role().expect("role");
    assert_eq!(role.arn(), "arn:aws:iam::000000000000:role/service/app-role");
    assert!(role.role_id().starts_with("AROA"));

    let got = iam.get_role().role_name("app-role").send().await.expect("get role");
    let role = got.role().expect("role");
    assert_eq!(role.max_session_duration(), Some(3600));
    assert_eq!(role.assume_role_policy_document().map(percent_decode).as_deref(), Some(TRUST));
    assert_eq!(role.tags().len(), 1);

    let (code, message, status) =
        failure(iam.create_role().role_name("app-role").assume_role_policy_document(TRUST).send().await);
    assert_eq!(
        (code.as_str(), message.as_str(), status),
        ("EntityAlreadyExists", "Role with name app-role already exists.", 409)
    );
    let (code, message, status) = failure(iam.get_role().role_name("missing").send().await);
    assert_eq!(
        (code.as_str(), message.as_str(), status),
        ("NoSuchEntity", "The role with name missing cannot be found.", 404)
    );

    let assumed = sts
        .assume_role()
        .role_arn("arn:aws:iam::000000000000:role/service/app-role")
        .role_session_name("it-session")
        .duration_seconds(900)
        .send()
        .await
        .expect("assume role");
    let user = assumed.assumed_role_user().expect("assumed role user");
    assert_eq!(user.arn(), "arn:aws:sts::000000000000:assumed-role/app-role/it-session");
    assert_eq!(user.assumed_role_id(), format!("{}:it-session", role.role_id()));
    let creds = assumed.credentials().expect("credentials");
    assert!(creds.access_key_id().starts_with("ASIA"));

    let session =
        common::sdk_config_session(&server, creds.access_key_id(), creds.secret_access_key(), creds.session_token())
            .await;
    let me = aws_sdk_sts::Client::new(&session).get_caller_identity().send().await.expect("identity as role");
    assert_eq!(me.arn(), Some("arn:aws:sts::000000000000:assumed-role/app-role/it-session"));
    assert_eq!(me.account(), Some("000000000000"));

    let err = sts
        .assume_role()
        .role_arn("arn:aws:iam::000000000000:role/nope")
        .role_session_name("s1")
        .send()
        .await
        .expect_err("missing role");
    assert_eq!(aws_sdk_sts::error::ProvideErrorMetadata::code(&err), Some("AccessDenied"));
    assert_eq!(
        aws_sdk_sts::error::ProvideErrorMetadata::message(&err),
        Some(
            "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/nope"
        )
    );
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(403));

    iam.delete_role().role_name("app-role").send().await.expect("delete role");
    let (code, _, _) = failure(iam.get_role().role_name("app-role").send().await);
    assert_eq!(code, "NoSuchEntity");
}

#[tokio::test]
async fn iam_user_access_key_identifies_the_user() {
    let server = common::server().await;
    let (iam, _) = clients(&server).await;
    iam.create_user().user_name("ci-bot").send().await.expect("create user");
    let (code, message, status) = failure(iam.create_user().user_name("ci-bot").send().await);
    assert_eq!(
        (code.as_str(), message.as_str(), status),
        ("EntityAlreadyExists", "User with name ci-bot already exists.", 409)
    );
    let (code, message, status) = failure(iam.get_user().user_name("ghost").send().await);
    assert_eq!(
        (code.as_str(), message.as_str(), status),
        ("NoSuchEntity", "The user with name ghost cannot be found.", 404)
    );

    let key = iam.create_access_key().user_name("ci-bot").send().await.expect("create key");
    let key = key.access_key().expect("key");
    assert!(key.access_key_id().starts_with("AKIA"));
    let as_user = common::sdk_config_with(&server, key.access_key_id(), key.secret_access_key(), "us-east-1").await;
    let me = aws_sdk_sts::Client::new(&as_user).get_caller_identity().send().await.expect("identity as user");
    assert_eq!(me.arn(), Some("arn:aws:iam::000000000000:user/ci-bot"));
    assert!(me.user_id().is_some_and(|id| id.starts_with("AIDA")));
    let myself = aws_sdk_iam::Client::new(&as_user).get_user().send().await.expect("get own user");
    assert_eq!(myself.user().map(|u| u.user_name()), Some("ci-bot"));

    let listed = iam.list_access_keys().user_name("ci-bot").send().await.expect("list keys");
    assert_eq!(listed.access_key_metadata().len(), 1);
    let (code, _, status) = failure(iam.delete_user().user_name("ci-bot").send().await);
    assert_eq!((code.as_str(), status), ("DeleteConflict", 409));
}

#[tokio::test]
async fn managed_and_inline_policies() {
    let server = common::server().await;
    let (iam, _) = clients(&server).await;
    iam.create_role().role_name("fn").assume_role_policy_document(TRUST).send().await.expect("role");
    let policy = iam.create_policy().policy_name("read-b").policy_document(POLICY).send().await.expect("policy");
    let arn = policy.policy().and_then(|p| p.arn()).expect("arn").to_string();
    iam.attach_role_policy().role_name("fn").policy_arn(&arn).send().await.expect("attach own");
    let basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    iam.attach_role_policy().role_name("fn").policy_arn(basic).send().await.expect("attach aws-managed");
    let attached = iam.list_attached_role_policies().role_name("fn").send().await.expect("list attached");
    let names: Vec<&str> = attached.attached_policies().iter().filter_map(|p| p.policy_name()).collect();
    assert_eq!(names, ["read-b", "AWSLambdaBasicExecutionRole"]);
    let got = iam.get_policy().policy_arn(&arn).send().await.expect("get policy");
    assert_eq!(got.policy().and_then(|p| p.attachment_count()), Some(1));
    let version = iam.get_policy_version().policy_arn(&arn).version_id("v1").send().await.expect("version");
    let doc = version.policy_version().and_then(|v| v.document()).map(percent_decode);
    assert_eq!(doc.as_deref(), Some(POLICY));

    let missing = format!("{arn}123");
    let (code, message, status) = failure(iam.attach_role_policy().role_name("fn").policy_arn(&missing).send().await);
    assert_eq!(code, "NoSuchEntity");
    assert_eq!(message, format!("Policy {missing} does not exist or is not attachable."));
    assert_eq!(status, 404);
    let (code, message, status) = failure(iam.delete_role().role_name("fn").send().await);
    assert_eq!(
        (code.as_str(), message.as_str(), status),
        ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    );
    let (code, _, status) =
        failure(iam.put_role_policy().role_name("fn").policy_name("p").policy_document("{}").send().await);
    assert_eq!((code.as_str(), status), ("MalformedPolicyDocument", 400));

    iam.put_role_policy()
        .role_name("fn")
        .policy_name("inline")
        .policy_document(POLICY)
        .send()
        .await
        .expect("put inline");
    let inline = iam.get_role_policy().role_name("fn").policy_name("inline").send().await.expect("get inline");
    assert_eq!(percent_decode(inline.policy_document()), POLICY);
}

#[tokio::test]
async fn strict_mode_verifies_issued_keys() {
    let server = common::server_with(ServeArgs { auth: AuthMode::Strict, ..ServeArgs::ephemeral() }).await;
    let (iam, sts) = clients(&server).await;
    iam.create_user().user_name("u").send().await.expect("create user");
    let key = iam.create_access_key().user_name("u").send().await.expect("key");
    let key = key.access_key().expect("key");
    let as_user = common::sdk_config_with(&server, key.access_key_id(), key.secret_access_key(), "us-east-1").await;
    let user_sts = aws_sdk_sts::Client::new(&as_user);
    user_sts.get_caller_identity().send().await.expect("a fresh key verifies");
    let wrong = common::sdk_config_with(&server, key.access_key_id(), "not-the-secret", "us-east-1").await;
    aws_sdk_sts::Client::new(&wrong).get_caller_identity().send().await.expect_err("wrong secret is refused");

    iam.create_role().role_name("r").assume_role_policy_document(TRUST).send().await.expect("role");
    let assumed = sts
        .assume_role()
        .role_arn("arn:aws:iam::000000000000:role/r")
        .role_session_name("s1")
        .send()
        .await
        .expect("assume");
    let c = assumed.credentials().expect("credentials");
    let session =
        common::sdk_config_session(&server, c.access_key_id(), c.secret_access_key(), c.session_token()).await;
    let me = aws_sdk_sts::Client::new(&session).get_caller_identity().send().await.expect("session verifies");
    assert_eq!(me.arn(), Some("arn:aws:sts::000000000000:assumed-role/r/s1"));

    iam.update_access_key()
        .user_name("u")
        .access_key_id(key.access_key_id())
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .expect("deactivate");
    user_sts.get_caller_identity().send().await.expect_err("an inactive key is refused");
    iam.delete_access_key().user_name("u").access_key_id(key.access_key_id()).send().await.expect("delete key");
    let err = user_sts.get_caller_identity().send().await.expect_err("a deleted key is refused");
    assert_eq!(aws_sdk_sts::error::ProvideErrorMetadata::code(&err), Some("InvalidClientTokenId"));
}
