use super::{Fixture, assert_error};
use serde_json::json;
use stratus_core::credentials::{Credential, credential_key};

fn credential(f: &Fixture, akid: &str) -> Option<Credential> {
    f.store.get(credential_key(akid)).expect("get").map(|b| serde_json::from_slice(&b).expect("credential json"))
}

#[tokio::test]
async fn keys_are_credentials() {
    let f = Fixture::new();
    let user = f.ok("CreateUser", json!({"UserName": "ci"})).await;
    let out = f.ok("CreateAccessKey", json!({"UserName": "ci"})).await;
    let key = &out["AccessKey"];
    let akid = key["AccessKeyId"].as_str().expect("akid");
    assert!(akid.starts_with("AKIA") && akid.len() == 20);
    assert_eq!(key["Status"], "Active");
    assert_eq!(key["UserName"], "ci");
    let secret = key["SecretAccessKey"].as_str().expect("secret");
    assert_eq!(secret.len(), 40);

    let cred = credential(&f, akid).expect("credential written");
    assert_eq!(cred.secret_access_key, secret);
    assert_eq!(cred.account_id, "000000000000");
    assert_eq!(cred.principal_arn, "arn:aws:iam::000000000000:user/ci");
    assert_eq!(cred.user_id, user["User"]["UserId"].as_str().expect("id"));
    assert!(cred.usable(0.0) && cred.session_token.is_none());

    f.ok("UpdateAccessKey", json!({"UserName": "ci", "AccessKeyId": akid, "Status": "Inactive"})).await;
    assert_eq!(credential(&f, akid).expect("cred").status, "Inactive");
    let listed = f.ok("ListAccessKeys", json!({"UserName": "ci"})).await;
    assert_eq!(listed["AccessKeyMetadata"][0]["Status"], "Inactive");
    assert!(listed["AccessKeyMetadata"][0].get("SecretAccessKey").is_none());

    let last = f.ok("GetAccessKeyLastUsed", json!({"AccessKeyId": akid})).await;
    assert_eq!(last, json!({"UserName": "ci", "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}));

    f.ok("DeleteAccessKey", json!({"UserName": "ci", "AccessKeyId": akid})).await;
    assert!(credential(&f, akid).is_none());
    let e = f.err("DeleteAccessKey", json!({"UserName": "ci", "AccessKeyId": akid})).await;
    assert_error(&e, "NoSuchEntity", 404, &format!("The Access Key with id {akid} cannot be found."));
}

#[tokio::test]
async fn two_keys_per_user() {
    let f = Fixture::new();
    f.ok("CreateUser", json!({"UserName": "u"})).await;
    f.ok("CreateAccessKey", json!({"UserName": "u"})).await;
    f.ok("CreateAccessKey", json!({"UserName": "u"})).await;
    let e = f.err("CreateAccessKey", json!({"UserName": "u"})).await;
    assert_error(&e, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2");
    let e = f.err("CreateAccessKey", json!({"UserName": "nobody"})).await;
    assert_error(&e, "NoSuchEntity", 404, "The user with name nobody cannot be found.");
}

#[tokio::test]
async fn user_name_defaults_to_the_calling_user() {
    let f = Fixture::new();
    f.ok("CreateUser", json!({"UserName": "me"})).await;
    let out = f.ok("CreateAccessKey", json!({"UserName": "me"})).await;
    let akid = out["AccessKey"]["AccessKeyId"].as_str().expect("akid");
    let second = f.call_as("CreateAccessKey", json!({}), "000000000000", Some(akid)).await.expect("as user");
    assert_eq!(second["AccessKey"]["UserName"], "me");
    let me = f.call_as("GetUser", json!({}), "000000000000", Some(akid)).await.expect("get self");
    assert_eq!(me["User"]["UserName"], "me");
    let e = f.err("CreateAccessKey", json!({})).await;
    assert_error(&e, "ValidationError", 400, "Must specify userName when calling with non-User credentials");
    // Without UserName, a key is found through its owner.
    f.ok("UpdateAccessKey", json!({"AccessKeyId": akid, "Status": "Inactive"})).await;
}
