use super::{Fixture, POLICY, assert_error};
use serde_json::json;
use stratus_core::credentials::{Credential, credential_key};

#[tokio::test]
async fn users_lifecycle() {
    let f = Fixture::new();
    let out = f.ok("CreateUser", json!({"UserName": "alice", "Tags": [{"Key": "k", "Value": "v"}]})).await;
    assert_eq!(out["User"]["Arn"], "arn:aws:iam::000000000000:user/alice");
    assert!(out["User"]["UserId"].as_str().is_some_and(|id| id.starts_with("AIDA")));
    let e = f.err("CreateUser", json!({"UserName": "Alice"})).await;
    assert_error(&e, "EntityAlreadyExists", 409, "User with name Alice already exists.");
    let e = f.err("GetUser", json!({"UserName": "bob"})).await;
    assert_error(&e, "NoSuchEntity", 404, "The user with name bob cannot be found.");
    let got = f.ok("GetUser", json!({"UserName": "alice"})).await;
    assert_eq!(got["User"]["Tags"], json!([{"Key": "k", "Value": "v"}]));
    let list = f.ok("ListUsers", json!({})).await;
    assert!(list["Users"][0].get("Tags").is_none());
    let root = f.ok("GetUser", json!({})).await;
    assert_eq!(root["User"]["Arn"], "arn:aws:iam::000000000000:root");
    f.ok("TagUser", json!({"UserName": "alice", "Tags": [{"Key": "x", "Value": "y"}]})).await;
    f.ok("UntagUser", json!({"UserName": "alice", "TagKeys": ["k"]})).await;
    let tags = f.ok("ListUserTags", json!({"UserName": "alice"})).await;
    assert_eq!(tags["Tags"], json!([{"Key": "x", "Value": "y"}]));
    f.ok("DeleteUser", json!({"UserName": "alice"})).await;
    assert_eq!(f.err("GetUser", json!({"UserName": "alice"})).await.code, "NoSuchEntity");
}

#[tokio::test]
async fn groups_and_membership() {
    let f = Fixture::new();
    let g = f.ok("CreateGroup", json!({"GroupName": "devs", "Path": "/eng/"})).await;
    assert_eq!(g["Group"]["Arn"], "arn:aws:iam::000000000000:group/eng/devs");
    assert!(g["Group"]["GroupId"].as_str().is_some_and(|id| id.starts_with("AGPA")));
    let e = f.err("CreateGroup", json!({"GroupName": "devs"})).await;
    assert_error(&e, "EntityAlreadyExists", 409, "Group with name devs already exists.");
    f.ok("CreateUser", json!({"UserName": "u1"})).await;
    f.ok("CreateUser", json!({"UserName": "u2"})).await;
    f.ok("AddUserToGroup", json!({"GroupName": "devs", "UserName": "u1"})).await;
    f.ok("AddUserToGroup", json!({"GroupName": "devs", "UserName": "u2"})).await;
    let e = f.err("AddUserToGroup", json!({"GroupName": "ops", "UserName": "u1"})).await;
    assert_error(&e, "NoSuchEntity", 404, "The group with name ops cannot be found.");

    let got = f.ok("GetGroup", json!({"GroupName": "devs"})).await;
    assert_eq!(got["Users"].as_array().map(Vec::len), Some(2));
    let for_user = f.ok("ListGroupsForUser", json!({"UserName": "u1"})).await;
    assert_eq!(for_user["Groups"][0]["GroupName"], "devs");

    let e = f.err("DeleteUser", json!({"UserName": "u1"})).await;
    assert_error(&e, "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.");
    let e = f.err("DeleteGroup", json!({"GroupName": "devs"})).await;
    assert_error(&e, "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.");
    f.ok("RemoveUserFromGroup", json!({"GroupName": "devs", "UserName": "u1"})).await;
    f.ok("RemoveUserFromGroup", json!({"GroupName": "devs", "UserName": "u2"})).await;
    let e = f.err("RemoveUserFromGroup", json!({"GroupName": "devs", "UserName": "u2"})).await;
    assert_eq!(e.code, "NoSuchEntity");
    let list = f.ok("ListGroups", json!({"PathPrefix": "/eng/"})).await;
    assert_eq!(list["Groups"].as_array().map(Vec::len), Some(1));
    f.ok("DeleteGroup", json!({"GroupName": "devs"})).await;
    f.ok("DeleteUser", json!({"UserName": "u1"})).await;
}

#[tokio::test]
async fn renaming_a_user_carries_its_relations() {
    let f = Fixture::new();
    f.ok("CreateUser", json!({"UserName": "old"})).await;
    f.ok("CreateGroup", json!({"GroupName": "g"})).await;
    f.ok("AddUserToGroup", json!({"GroupName": "g", "UserName": "old"})).await;
    let arn = f.policy("p").await;
    f.ok("AttachUserPolicy", json!({"UserName": "old", "PolicyArn": arn})).await;
    f.ok("PutUserPolicy", json!({"UserName": "old", "PolicyName": "inl", "PolicyDocument": POLICY})).await;
    let key = f.ok("CreateAccessKey", json!({"UserName": "old"})).await;
    let akid = key["AccessKey"]["AccessKeyId"].as_str().expect("akid").to_string();

    f.ok("UpdateUser", json!({"UserName": "old", "NewUserName": "new", "NewPath": "/p/"})).await;
    assert_eq!(f.err("GetUser", json!({"UserName": "old"})).await.code, "NoSuchEntity");
    let user = f.ok("GetUser", json!({"UserName": "new"})).await;
    assert_eq!(user["User"]["Arn"], "arn:aws:iam::000000000000:user/p/new");
    let groups = f.ok("ListGroupsForUser", json!({"UserName": "new"})).await;
    assert_eq!(groups["Groups"][0]["GroupName"], "g");
    let members = f.ok("GetGroup", json!({"GroupName": "g"})).await;
    assert_eq!(members["Users"][0]["UserName"], "new");
    let attached = f.ok("ListAttachedUserPolicies", json!({"UserName": "new"})).await;
    assert_eq!(attached["AttachedPolicies"][0]["PolicyArn"], arn);
    let entities = f.ok("ListEntitiesForPolicy", json!({"PolicyArn": arn})).await;
    assert_eq!(entities["PolicyUsers"][0]["UserName"], "new");
    let inline = f.ok("ListUserPolicies", json!({"UserName": "new"})).await;
    assert_eq!(inline["PolicyNames"], json!(["inl"]));
    let keys = f.ok("ListAccessKeys", json!({"UserName": "new"})).await;
    assert_eq!(keys["AccessKeyMetadata"][0]["UserName"], "new");
    let cred: Credential =
        serde_json::from_slice(&f.store.get(credential_key(&akid)).expect("get").expect("cred")).expect("json");
    assert_eq!(cred.principal_arn, "arn:aws:iam::000000000000:user/p/new");

    let e = f.err("DeleteUser", json!({"UserName": "new"})).await;
    assert_error(&e, "DeleteConflict", 409, "Cannot delete entity, must delete access keys first.");
}
