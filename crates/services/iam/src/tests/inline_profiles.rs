use super::{Fixture, POLICY, assert_error};
use crate::documents;
use serde_json::json;

#[tokio::test]
async fn inline_policies_for_all_principals() {
    let f = Fixture::new();
    f.role("r").await;
    f.ok("CreateUser", json!({"UserName": "u"})).await;
    f.ok("CreateGroup", json!({"GroupName": "g"})).await;
    let doc = POLICY.replace("\"*\"}", "\"arn:aws:apigateway:us-east-1::/tags/arn%3Aaws%3Aapigateway\"}");
    let cases = [
        ("role", "RoleName", "r", ["PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy"]),
        ("user", "UserName", "u", ["PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy"]),
        ("group", "GroupName", "g", ["PutGroupPolicy", "GetGroupPolicy", "ListGroupPolicies", "DeleteGroupPolicy"]),
    ];
    for (word, member, name, [put, get, list, delete]) in cases {
        f.ok(put, json!({member: name, "PolicyName": "p1", "PolicyDocument": doc})).await;
        let got = f.ok(get, json!({member: name, "PolicyName": "p1"})).await;
        assert_eq!(got, json!({member: name, "PolicyName": "p1", "PolicyDocument": documents::encode(&doc)}));
        assert_eq!(f.ok(list, json!({member: name})).await["PolicyNames"], json!(["p1"]));
        let e = f.err(get, json!({member: name, "PolicyName": "zz"})).await;
        assert_error(&e, "NoSuchEntity", 404, &format!("The {word} policy with name zz cannot be found."));
        let e = f.err(put, json!({member: "ghost", "PolicyName": "p", "PolicyDocument": POLICY})).await;
        assert_error(&e, "NoSuchEntity", 404, &format!("The {word} with name ghost cannot be found."));
        f.ok(delete, json!({member: name, "PolicyName": "p1"})).await;
        assert_eq!(f.ok(list, json!({member: name})).await["PolicyNames"], json!([]));
    }
    let e = f.err("PutRolePolicy", json!({"RoleName": "r", "PolicyName": "p", "PolicyDocument": "[]"})).await;
    assert_error(&e, "MalformedPolicyDocument", 400, "Syntax errors in policy.");
}

#[tokio::test]
async fn instance_profiles() {
    let f = Fixture::new();
    let out = f.ok("CreateInstanceProfile", json!({"InstanceProfileName": "ip", "Path": "/p/"})).await;
    let p = &out["InstanceProfile"];
    assert_eq!(p["Arn"], "arn:aws:iam::000000000000:instance-profile/p/ip");
    assert!(p["InstanceProfileId"].as_str().is_some_and(|id| id.starts_with("AIPA")));
    assert_eq!(p["Roles"], json!([]));
    let e = f.err("CreateInstanceProfile", json!({"InstanceProfileName": "ip"})).await;
    assert_error(&e, "EntityAlreadyExists", 409, "Instance Profile ip already exists.");
    let e = f.err("GetInstanceProfile", json!({"InstanceProfileName": "nope"})).await;
    assert_error(&e, "NoSuchEntity", 404, "Instance Profile nope cannot be found.");

    f.role("r1").await;
    f.role("r2").await;
    f.ok("AddRoleToInstanceProfile", json!({"InstanceProfileName": "ip", "RoleName": "r1"})).await;
    let e = f.err("AddRoleToInstanceProfile", json!({"InstanceProfileName": "ip", "RoleName": "r2"})).await;
    assert_error(&e, "LimitExceeded", 409, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    let got = f.ok("GetInstanceProfile", json!({"InstanceProfileName": "ip"})).await;
    assert_eq!(got["InstanceProfile"]["Roles"][0]["RoleName"], "r1");
    let for_role = f.ok("ListInstanceProfilesForRole", json!({"RoleName": "r1"})).await;
    assert_eq!(for_role["InstanceProfiles"][0]["InstanceProfileName"], "ip");
    let all = f.ok("ListInstanceProfiles", json!({})).await;
    assert_eq!(all["InstanceProfiles"].as_array().map(Vec::len), Some(1));

    let e = f.err("DeleteInstanceProfile", json!({"InstanceProfileName": "ip"})).await;
    assert_error(&e, "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.");
    f.ok("RemoveRoleFromInstanceProfile", json!({"InstanceProfileName": "ip", "RoleName": "r1"})).await;
    f.ok("TagInstanceProfile", json!({"InstanceProfileName": "ip", "Tags": [{"Key": "a", "Value": "b"}]})).await;
    let tags = f.ok("ListInstanceProfileTags", json!({"InstanceProfileName": "ip"})).await;
    assert_eq!(tags["Tags"], json!([{"Key": "a", "Value": "b"}]));
    f.ok("DeleteInstanceProfile", json!({"InstanceProfileName": "ip"})).await;
}
