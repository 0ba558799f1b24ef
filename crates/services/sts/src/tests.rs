//! Unit tests of STS through `Service::call`, with IAM on the same
//! in-memory store.

use crate::Sts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use stratus_core::credentials::{Credential, credential_key};
use stratus_core::{AwsError, RequestContext, Service, clock};
use stratus_iam::Iam;
use stratus_store::Store;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"sts:AssumeRole"}]}"#;
const ROLE_ARN: &str = "arn:aws:iam::000000000000:role/app";

struct Fixture {
    sts: Sts,
    iam: Iam,
    store: Store,
}

impl Fixture {
    async fn new() -> Fixture {
        let store = Store::in_memory().expect("store");
        let f = Fixture { sts: Sts::new(store.clone()), iam: Iam::new(store.clone()), store };
        f.iam_call("CreateRole", json!({"RoleName": "app", "AssumeRolePolicyDocument": TRUST}), "000000000000").await;
        f
    }

    async fn iam_call(&self, op: &'static str, input: Value, account: &str) -> Value {
        let mut ctx = RequestContext::internal("iam", op);
        ctx.account_id = account.to_string();
        self.iam.call(&ctx, input).await.unwrap_or_else(|e| panic!("{op}: {e}"))
    }

    async fn call(&self, op: &'static str, input: Value, key: Option<&str>) -> Result<Value, AwsError> {
        let mut ctx = RequestContext::internal("sts", op);
        ctx.access_key = key.map(str::to_string);
        self.sts.call(&ctx, input).await
    }

    async fn ok(&self, op: &'static str, input: Value, key: Option<&str>) -> Value {
        self.call(op, input, key).await.unwrap_or_else(|e| panic!("{op}: {e}"))
    }

    async fn err(&self, op: &'static str, input: Value, key: Option<&str>) -> AwsError {
        match self.call(op, input, key).await {
            Ok(v) => panic!("{op} should fail, answered {v}"),
            Err(e) => e,
        }
    }

    fn credential(&self, akid: &str) -> Option<Credential> {
        self.store.get(credential_key(akid)).expect("get").map(|b| serde_json::from_slice(&b).expect("json"))
    }
}

fn akid(out: &Value) -> String {
    out["Credentials"]["AccessKeyId"].as_str().expect("akid").to_string()
}

fn assert_error(e: &AwsError, code: &str, status: u16, message: &str) {
    assert_eq!((e.code.as_str(), e.status, e.message.as_str()), (code, status, message), "{e}");
}

#[tokio::test]
async fn caller_identity_of_root_and_unknown_keys() {
    let f = Fixture::new().await;
    let root = json!({"UserId": "000000000000", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"});
    assert_eq!(f.ok("GetCallerIdentity", json!({}), None).await, root);
    assert_eq!(f.ok("GetCallerIdentity", json!({}), Some("test")).await, root);
}

#[tokio::test]
async fn assume_role_issues_working_credentials() {
    let f = Fixture::new().await;
    let out = f.ok("AssumeRole", json!({"RoleArn": ROLE_ARN, "RoleSessionName": "s1"}), None).await;
    let creds = &out["Credentials"];
    let id = akid(&out);
    assert!(id.starts_with("ASIA") && id.len() == 20);
    assert_eq!(creds["SecretAccessKey"].as_str().map(str::len), Some(40));
    assert!(creds["SessionToken"].as_str().is_some_and(|t| !t.is_empty()));
    let expiration = creds["Expiration"].as_f64().expect("expiration");
    assert!((expiration - clock::now_epoch() - 3600.0).abs() < 5.0);
    assert_eq!(out["AssumedRoleUser"]["Arn"], "arn:aws:sts::000000000000:assumed-role/app/s1");
    let role = f.iam_call("GetRole", json!({"RoleName": "app"}), "000000000000").await;
    let role_id = role["Role"]["RoleId"].as_str().expect("role id");
    assert_eq!(out["AssumedRoleUser"]["AssumedRoleId"], format!("{role_id}:s1"));
    assert!(out.get("PackedPolicySize").is_none());
    assert_eq!(role["Role"]["RoleLastUsed"]["Region"], "us-east-1");

    let cred = f.credential(&id).expect("stored");
    assert_eq!(cred.expires, Some(expiration));
    assert_eq!(cred.session_token.as_deref(), creds["SessionToken"].as_str());
    assert!(cred.usable(clock::now_epoch()) && !cred.usable(expiration + 1.0));

    let me = f.ok("GetCallerIdentity", json!({}), Some(&id)).await;
    assert_eq!(
        me,
        json!({"UserId": format!("{role_id}:s1"), "Account": "000000000000", "Arn": "arn:aws:sts::000000000000:assumed-role/app/s1"})
    );
}

#[tokio::test]
async fn assume_role_errors() {
    let f = Fixture::new().await;
    let missing = "arn:aws:iam::000000000000:role/nope";
    let e = f.err("AssumeRole", json!({"RoleArn": missing, "RoleSessionName": "sess"}), None).await;
    assert_error(
        &e,
        "AccessDenied",
        403,
        &format!(
            "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: {missing}"
        ),
    );
    for bad in [
        "nothing-valid-in-here",
        "arn::b:::something/test-role",
        "arn:a::::something/test-role",
        "arn:a:::something/test-role",
        "arn:a:a::aaaaaaaaaa:",
    ] {
        let e = f.err("AssumeRole", json!({"RoleArn": bad, "RoleSessionName": "sess"}), None).await;
        assert_error(&e, "ValidationError", 400, &format!("{bad} is invalid"));
    }
    let e = f
        .err("AssumeRole", json!({"RoleArn": ROLE_ARN, "RoleSessionName": "sess", "DurationSeconds": 7200}), None)
        .await;
    assert_error(
        &e,
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
    let tags = json!([{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]);
    let e = f.err("AssumeRole", json!({"RoleArn": ROLE_ARN, "RoleSessionName": "sess", "Tags": tags}), None).await;
    assert_error(
        &e,
        "InvalidParameterValue",
        400,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    );
    let input = json!({"RoleArn": ROLE_ARN, "RoleSessionName": "sess", "Tags": [{"Key": "a", "Value": "1"}], "TransitiveTagKeys": ["b"]});
    let e = f.err("AssumeRole", input, None).await;
    assert_error(
        &e,
        "InvalidParameterValue",
        400,
        "The specified transitive tag key must be included in the requested tags.",
    );
    let e = f.err("AssumeRole", json!({"RoleArn": ROLE_ARN, "RoleSessionName": "sess", "Policy": "{nope"}), None).await;
    assert_eq!(e.code, "MalformedPolicyDocument");
}

#[tokio::test]
async fn role_chaining_and_session_policies() {
    let f = Fixture::new().await;
    f.iam_call("UpdateRole", json!({"RoleName": "app", "MaxSessionDuration": 43200}), "000000000000").await;
    let first = f
        .ok("AssumeRole", json!({"RoleArn": ROLE_ARN, "RoleSessionName": "first", "DurationSeconds": 7200}), None)
        .await;
    let key = akid(&first);
    let e = f
        .err(
            "AssumeRole",
            json!({"RoleArn": ROLE_ARN, "RoleSessionName": "second", "DurationSeconds": 7200}),
            Some(&key),
        )
        .await;
    assert_error(
        &e,
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
    let missing = "arn:aws:iam::000000000000:role/other";
    let e = f.err("AssumeRole", json!({"RoleArn": missing, "RoleSessionName": "second"}), Some(&key)).await;
    assert!(e.message.starts_with("User: arn:aws:sts::000000000000:assumed-role/app/first is not authorized"), "{e}");

    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let out = f.ok("AssumeRole", json!({"RoleArn": ROLE_ARN, "RoleSessionName": "pol", "Policy": policy}), None).await;
    assert!(out["PackedPolicySize"].as_i64().is_some_and(|n| (1..=100).contains(&n)));
}

#[tokio::test]
async fn cross_account_roles_give_that_account() {
    let f = Fixture::new().await;
    f.iam_call("CreateRole", json!({"RoleName": "x", "AssumeRolePolicyDocument": TRUST}), "111111111111").await;
    let out = f
        .ok("AssumeRole", json!({"RoleArn": "arn:aws:iam::111111111111:role/x", "RoleSessionName": "sess"}), None)
        .await;
    assert_eq!(f.credential(&akid(&out)).expect("cred").account_id, "111111111111");
    let me = f.ok("GetCallerIdentity", json!({}), Some(&akid(&out))).await;
    assert_eq!(me["Account"], "111111111111");
    let info = f.ok("GetAccessKeyInfo", json!({"AccessKeyId": akid(&out)}), None).await;
    assert_eq!(info, json!({"Account": "111111111111"}));
    let other = f.ok("GetAccessKeyInfo", json!({"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}), None).await;
    assert_eq!(other, json!({"Account": "000000000000"}));
}

fn jwt(claims: Value) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.sig", part(&json!({"alg": "RS256"})), part(&claims))
}

#[tokio::test]
async fn web_identity() {
    let f = Fixture::new().await;
    let token = jwt(json!({"sub": "user-1", "aud": ["client-a"], "iss": "https://issuer.example"}));
    let input = json!({"RoleArn": ROLE_ARN, "RoleSessionName": "web", "WebIdentityToken": token});
    let out = f.ok("AssumeRoleWithWebIdentity", input, None).await;
    assert_eq!(out["SubjectFromWebIdentityToken"], "user-1");
    assert_eq!(out["Audience"], "client-a");
    assert_eq!(out["Provider"], "https://issuer.example");
    assert_eq!(out["AssumedRoleUser"]["Arn"], "arn:aws:sts::000000000000:assumed-role/app/web");
    assert!(f.credential(&akid(&out)).is_some());

    let bad = json!({"RoleArn": ROLE_ARN, "RoleSessionName": "web", "WebIdentityToken": "not-a-jwt"});
    assert_eq!(f.err("AssumeRoleWithWebIdentity", bad, None).await.code, "InvalidIdentityToken");
    let missing = json!({"RoleArn": "arn:aws:iam::000000000000:role/nope", "RoleSessionName": "web", "WebIdentityToken": jwt(json!({"sub": "x"}))});
    let e = f.err("AssumeRoleWithWebIdentity", missing, None).await;
    assert_error(&e, "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity");
}

#[tokio::test]
async fn session_and_federation_tokens() {
    let f = Fixture::new().await;
    let root = f.ok("GetSessionToken", json!({}), None).await;
    let exp = root["Credentials"]["Expiration"].as_f64().expect("exp");
    assert!((exp - clock::now_epoch() - 3600.0).abs() < 5.0, "root sessions last one hour at most");
    let me = f.ok("GetCallerIdentity", json!({}), Some(&akid(&root))).await;
    assert_eq!(me["Arn"], "arn:aws:iam::000000000000:root");
    let e = f.err("GetSessionToken", json!({}), Some(&akid(&root))).await;
    assert_error(&e, "AccessDenied", 403, "Cannot call GetSessionToken with session credentials");

    f.iam_call("CreateUser", json!({"UserName": "dev"}), "000000000000").await;
    let key = f.iam_call("CreateAccessKey", json!({"UserName": "dev"}), "000000000000").await;
    let user_key = key["AccessKey"]["AccessKeyId"].as_str().expect("akid");
    let user = f.ok("GetCallerIdentity", json!({}), Some(user_key)).await;
    assert_eq!(user["Arn"], "arn:aws:iam::000000000000:user/dev");
    let session = f.ok("GetSessionToken", json!({"DurationSeconds": 900}), Some(user_key)).await;
    let exp = session["Credentials"]["Expiration"].as_f64().expect("exp");
    assert!((exp - clock::now_epoch() - 900.0).abs() < 5.0);
    let same = f.ok("GetCallerIdentity", json!({}), Some(&akid(&session))).await;
    assert_eq!(same, user);

    let fed = f.ok("GetFederationToken", json!({"Name": "bob"}), Some(user_key)).await;
    assert_eq!(
        fed["FederatedUser"],
        json!({"FederatedUserId": "000000000000:bob", "Arn": "arn:aws:sts::000000000000:federated-user/bob"})
    );
    assert_eq!(fed["PackedPolicySize"], 0);
}

#[tokio::test]
async fn expired_credentials_are_reaped() {
    let f = Fixture::new().await;
    let old = Credential {
        access_key_id: "ASIAOLDOLDOLDOLDOLD1".into(),
        secret_access_key: "s".into(),
        account_id: "000000000000".into(),
        session_token: Some("t".into()),
        expires: Some(10.0),
        principal_arn: "arn:aws:iam::000000000000:root".into(),
        user_id: "000000000000".into(),
        status: "Active".into(),
    };
    f.store.put(credential_key(&old.access_key_id), serde_json::to_vec(&old).expect("json")).await.expect("put");
    f.store.put(format!("sts/expiry/{:020}/{}", 10, old.access_key_id), Vec::new()).await.expect("put");
    f.ok("GetSessionToken", json!({}), None).await;
    assert!(f.credential(&old.access_key_id).is_none());
    assert_eq!(f.store.scan_prefix("sts/expiry/", false, None).expect("scan").len(), 1);
}
