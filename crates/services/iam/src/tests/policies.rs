use super::{Fixture, POLICY, assert_error};
use crate::documents;
use serde_json::json;

const BASIC: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

#[tokio::test]
async fn create_get_and_errors() {
    let f = Fixture::new();
    let out = f.ok("CreatePolicy", json!({"PolicyName": "p", "PolicyDocument": POLICY, "Description": "d"})).await;
    let p = &out["Policy"];
    assert_eq!(p["Arn"], "arn:aws:iam::000000000000:policy/p");
    assert_eq!(p["DefaultVersionId"], "v1");
    assert_eq!(p["AttachmentCount"], 0);
    assert_eq!(p["IsAttachable"], true);
    assert!(p["PolicyId"].as_str().is_some_and(|id| id.starts_with("ANPA")));

    let e = f.err("CreatePolicy", json!({"PolicyName": "P", "PolicyDocument": POLICY})).await;
    assert_error(&e, "EntityAlreadyExists", 409, "A policy called P already exists. Duplicate names are not allowed.");
    let e = f.err("CreatePolicy", json!({"PolicyName": "q", "PolicyDocument": "{}"})).await;
    assert_error(&e, "MalformedPolicyDocument", 400, "Syntax errors in policy.");
    let missing = "arn:aws:iam::000000000000:policy/non-existent-policy";
    let e = f.err("DeletePolicy", json!({"PolicyArn": missing})).await;
    assert_error(&e, "NoSuchEntity", 404, &format!("Policy {missing} was not found."));
    let e = f.err("GetPolicy", json!({"PolicyArn": "not-an-arn-at-all-really"})).await;
    assert_error(&e, "ValidationError", 400, "Invalid ARN:  Could not be parsed!");
}

#[tokio::test]
async fn versions_follow_the_five_version_rule() {
    let f = Fixture::new();
    let arn = f.policy("p").await;
    for n in 2..=5 {
        let doc = POLICY.replace("s3:*", &format!("s3:Get{n}"));
        let v =
            f.ok("CreatePolicyVersion", json!({"PolicyArn": arn, "PolicyDocument": doc, "SetAsDefault": n == 3})).await;
        assert_eq!(v["PolicyVersion"]["VersionId"], format!("v{n}"));
        assert!(v["PolicyVersion"].get("Document").is_none());
    }
    let e = f.err("CreatePolicyVersion", json!({"PolicyArn": arn, "PolicyDocument": POLICY})).await;
    assert_error(
        &e,
        "LimitExceeded",
        409,
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    );
    let got = f.ok("GetPolicy", json!({"PolicyArn": arn})).await;
    assert_eq!(got["Policy"]["DefaultVersionId"], "v3");
    let v = f.ok("GetPolicyVersion", json!({"PolicyArn": arn, "VersionId": "v3"})).await;
    assert_eq!(v["PolicyVersion"]["IsDefaultVersion"], true);
    assert_eq!(v["PolicyVersion"]["Document"], documents::encode(&POLICY.replace("s3:*", "s3:Get3")));

    let e = f.err("DeletePolicyVersion", json!({"PolicyArn": arn, "VersionId": "v3"})).await;
    assert_error(&e, "DeleteConflict", 409, "Cannot delete the default version of a policy.");
    let e = f.err("GetPolicyVersion", json!({"PolicyArn": arn, "VersionId": "v9"})).await;
    assert_error(&e, "NoSuchEntity", 404, &format!("Policy {arn} version v9 does not exist or is not attachable."));

    f.ok("SetDefaultPolicyVersion", json!({"PolicyArn": arn, "VersionId": "v5"})).await;
    let list = f.ok("ListPolicyVersions", json!({"PolicyArn": arn})).await;
    let ids: Vec<&str> =
        list["Versions"].as_array().expect("versions").iter().filter_map(|v| v["VersionId"].as_str()).collect();
    assert_eq!(ids, ["v5", "v4", "v3", "v2", "v1"]);

    let e = f.err("DeletePolicy", json!({"PolicyArn": arn})).await;
    assert_eq!(e.code, "DeleteConflict");
    for v in ["v1", "v2", "v3", "v4"] {
        f.ok("DeletePolicyVersion", json!({"PolicyArn": arn, "VersionId": v})).await;
    }
    f.ok("DeletePolicy", json!({"PolicyArn": arn})).await;
}

#[tokio::test]
async fn aws_managed_policies_are_gettable_and_attachable() {
    let f = Fixture::new();
    for arn in [
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        BASIC,
        "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
        "arn:aws:iam::aws:policy/AmazonSQSFullAccess",
        "arn:aws:iam::aws:policy/AWSStepFunctionsFullAccess",
        "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
    ] {
        let p = f.ok("GetPolicy", json!({"PolicyArn": arn})).await;
        assert_eq!(p["Policy"]["Arn"], arn);
        let v = f.ok("GetPolicyVersion", json!({"PolicyArn": arn, "VersionId": "v1"})).await;
        assert!(v["PolicyVersion"]["Document"].as_str().is_some_and(|d| d.starts_with("%7B")));
    }
    f.role("fn-role").await;
    f.ok("AttachRolePolicy", json!({"RoleName": "fn-role", "PolicyArn": BASIC})).await;
    f.ok("AttachRolePolicy", json!({"RoleName": "fn-role", "PolicyArn": BASIC})).await;
    let p = f.ok("GetPolicy", json!({"PolicyArn": BASIC})).await;
    assert_eq!(p["Policy"]["AttachmentCount"], 1);
    let attached = f.ok("ListAttachedRolePolicies", json!({"RoleName": "fn-role"})).await;
    assert_eq!(
        attached,
        json!({"AttachedPolicies": [{"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC}], "IsTruncated": false})
    );
    let filtered = f.ok("ListAttachedRolePolicies", json!({"RoleName": "fn-role", "PathPrefix": "/other/"})).await;
    assert_eq!(filtered["AttachedPolicies"], json!([]));
    let e = f.err("DeletePolicy", json!({"PolicyArn": BASIC})).await;
    assert_eq!(e.status, 400);
}

#[tokio::test]
async fn attach_errors_and_entities() {
    let f = Fixture::new();
    let arn = f.policy("p").await;
    f.role("r").await;
    f.ok("CreateUser", json!({"UserName": "u"})).await;
    f.ok("CreateGroup", json!({"GroupName": "g"})).await;

    let e = f.err("AttachRolePolicy", json!({"RoleName": "r", "PolicyArn": "policy-name-only-here"})).await;
    assert_error(&e, "ValidationError", 400, "Invalid ARN:  Could not be parsed!");
    let bad = format!("{arn}123");
    let e = f.err("AttachUserPolicy", json!({"UserName": "u", "PolicyArn": bad})).await;
    assert_error(&e, "NoSuchEntity", 404, &format!("Policy {bad} does not exist or is not attachable."));
    let e = f.err("AttachRolePolicy", json!({"RoleName": "ghost", "PolicyArn": arn})).await;
    assert_error(&e, "NoSuchEntity", 404, "The role with name ghost cannot be found.");
    let e = f.err("DetachRolePolicy", json!({"RoleName": "r", "PolicyArn": arn})).await;
    assert_error(&e, "NoSuchEntity", 404, &format!("Policy {arn} was not found."));

    f.ok("AttachRolePolicy", json!({"RoleName": "r", "PolicyArn": arn})).await;
    f.ok("AttachUserPolicy", json!({"UserName": "u", "PolicyArn": arn})).await;
    f.ok("AttachGroupPolicy", json!({"GroupName": "g", "PolicyArn": arn})).await;
    let got = f.ok("GetPolicy", json!({"PolicyArn": arn})).await;
    assert_eq!(got["Policy"]["AttachmentCount"], 3);
    let e = f.err("DeletePolicy", json!({"PolicyArn": arn})).await;
    assert_error(&e, "DeleteConflict", 409, "Cannot delete a policy attached to entities.");

    let entities = f.ok("ListEntitiesForPolicy", json!({"PolicyArn": arn})).await;
    assert_eq!(entities["PolicyRoles"][0]["RoleName"], "r");
    assert_eq!(entities["PolicyUsers"][0]["UserName"], "u");
    assert_eq!(entities["PolicyGroups"][0]["GroupName"], "g");
    let roles_only = f.ok("ListEntitiesForPolicy", json!({"PolicyArn": arn, "EntityFilter": "Role"})).await;
    assert_eq!(roles_only["PolicyUsers"], json!([]));
    assert_eq!(roles_only["PolicyRoles"].as_array().map(Vec::len), Some(1));

    let local = f.ok("ListPolicies", json!({"Scope": "Local"})).await;
    assert_eq!(local["Policies"].as_array().map(Vec::len), Some(1));
    let attached = f.ok("ListPolicies", json!({"OnlyAttached": true})).await;
    assert_eq!(attached["Policies"].as_array().map(Vec::len), Some(1));
    let aws = f.ok("ListPolicies", json!({"Scope": "AWS", "MaxItems": 3})).await;
    assert_eq!(aws["IsTruncated"], true);
    assert!(aws["Policies"][0]["Arn"].as_str().is_some_and(|a| a.starts_with("arn:aws:iam::aws:policy/")));

    for (op, member, name) in [
        ("DetachRolePolicy", "RoleName", "r"),
        ("DetachUserPolicy", "UserName", "u"),
        ("DetachGroupPolicy", "GroupName", "g"),
    ] {
        f.ok(op, json!({member: name, "PolicyArn": arn})).await;
    }
    f.ok("DeletePolicy", json!({"PolicyArn": arn})).await;
}

#[tokio::test]
async fn policy_tags() {
    let f = Fixture::new();
    let arn = f.policy("p").await;
    f.ok("TagPolicy", json!({"PolicyArn": arn, "Tags": [{"Key": "team", "Value": "a"}]})).await;
    let got = f.ok("GetPolicy", json!({"PolicyArn": arn})).await;
    assert_eq!(got["Policy"]["Tags"], json!([{"Key": "team", "Value": "a"}]));
    f.ok("UntagPolicy", json!({"PolicyArn": arn, "TagKeys": ["team"]})).await;
    let tags = f.ok("ListPolicyTags", json!({"PolicyArn": arn})).await;
    assert_eq!(tags["Tags"], json!([]));
}
