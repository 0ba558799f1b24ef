use super::{Fixture, POLICY, TRUST, assert_error};
use crate::documents;
use serde_json::json;

#[tokio::test]
async fn create_get_list_have_aws_shapes() {
    let f = Fixture::new();
    let created = f
        .ok(
            "CreateRole",
            json!({"RoleName": "r1", "Path": "/app/", "AssumeRolePolicyDocument": TRUST, "Description": "d",
                   "Tags": [{"Key": "k", "Value": "v"}]}),
        )
        .await;
    let role = &created["Role"];
    assert_eq!(role["Arn"], "arn:aws:iam::000000000000:role/app/r1");
    assert_eq!(role["Path"], "/app/");
    assert!(role["RoleId"].as_str().is_some_and(|id| id.starts_with("AROA") && id.len() == 20));
    assert_eq!(role["AssumeRolePolicyDocument"], documents::encode(TRUST));
    assert_eq!(role["Tags"], json!([{"Key": "k", "Value": "v"}]));
    assert!(role.get("MaxSessionDuration").is_none() && role.get("RoleLastUsed").is_none());

    let got = f.ok("GetRole", json!({"RoleName": "R1"})).await;
    assert_eq!(got["Role"]["RoleName"], "r1");
    assert_eq!(got["Role"]["MaxSessionDuration"], 3600);
    assert_eq!(got["Role"]["RoleLastUsed"], json!({}));
    assert_eq!(got["Role"]["Description"], "d");

    let listed = f.ok("ListRoles", json!({})).await;
    assert_eq!(listed["IsTruncated"], false);
    let r = &listed["Roles"][0];
    assert_eq!(r["MaxSessionDuration"], 3600);
    assert!(r.get("Tags").is_none() && r.get("RoleLastUsed").is_none());
}

#[tokio::test]
async fn errors_are_aws_errors() {
    let f = Fixture::new();
    f.role("Dup").await;
    let e = f.err("CreateRole", json!({"RoleName": "dup", "AssumeRolePolicyDocument": TRUST})).await;
    assert_error(&e, "EntityAlreadyExists", 409, "Role with name dup already exists.");
    let e = f.err("GetRole", json!({"RoleName": "nope"})).await;
    assert_error(&e, "NoSuchEntity", 404, "The role with name nope cannot be found.");
    let e = f.err("CreateRole", json!({"RoleName": "bad", "AssumeRolePolicyDocument": "{nope"})).await;
    assert_error(&e, "MalformedPolicyDocument", 400, "This policy contains invalid Json");
    let e = f.err("DeleteRole", json!({"RoleName": "nope"})).await;
    assert_eq!(e.code, "NoSuchEntity");
}

#[tokio::test]
async fn updates_and_tags() {
    let f = Fixture::new();
    f.role("r").await;
    f.ok("UpdateRole", json!({"RoleName": "r", "MaxSessionDuration": 7200, "Description": "x"})).await;
    let out = f.ok("UpdateRoleDescription", json!({"RoleName": "r", "Description": "y"})).await;
    assert_eq!(out["Role"]["Description"], "y");
    assert_eq!(out["Role"]["MaxSessionDuration"], 7200);
    let new_trust = TRUST.replace("lambda", "states");
    f.ok("UpdateAssumeRolePolicy", json!({"RoleName": "r", "PolicyDocument": new_trust})).await;
    let got = f.ok("GetRole", json!({"RoleName": "r"})).await;
    assert_eq!(got["Role"]["AssumeRolePolicyDocument"], documents::encode(&new_trust));

    f.ok("TagRole", json!({"RoleName": "r", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]})).await;
    f.ok("UntagRole", json!({"RoleName": "r", "TagKeys": ["a"]})).await;
    let tags = f.ok("ListRoleTags", json!({"RoleName": "r"})).await;
    assert_eq!(tags, json!({"Tags": [{"Key": "b", "Value": "2"}], "IsTruncated": false}));
}

#[tokio::test]
async fn list_filters_by_path_and_paginates() {
    let f = Fixture::new();
    for name in ["a", "b", "c"] {
        f.role(name).await;
    }
    f.ok("CreateRole", json!({"RoleName": "p", "Path": "/x/", "AssumeRolePolicyDocument": TRUST})).await;
    let only = f.ok("ListRoles", json!({"PathPrefix": "/x/"})).await;
    assert_eq!(only["Roles"].as_array().map(Vec::len), Some(1));

    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut input = json!({"MaxItems": 2});
        if let Some(m) = &marker {
            input["Marker"] = json!(m);
        }
        let page = f.ok("ListRoles", input).await;
        for r in page["Roles"].as_array().expect("roles") {
            names.push(r["RoleName"].as_str().expect("name").to_string());
        }
        if page["IsTruncated"] == false {
            break;
        }
        marker = page["Marker"].as_str().map(str::to_string);
    }
    assert_eq!(names, ["a", "b", "c", "p"]);
}

#[tokio::test]
async fn delete_conflicts_in_aws_order() {
    let f = Fixture::new();
    f.role("r").await;
    f.ok("CreateInstanceProfile", json!({"InstanceProfileName": "ip"})).await;
    f.ok("AddRoleToInstanceProfile", json!({"InstanceProfileName": "ip", "RoleName": "r"})).await;
    let arn = "arn:aws:iam::aws:policy/AdministratorAccess";
    f.ok("AttachRolePolicy", json!({"RoleName": "r", "PolicyArn": arn})).await;
    f.ok("PutRolePolicy", json!({"RoleName": "r", "PolicyName": "p", "PolicyDocument": POLICY})).await;

    let e = f.err("DeleteRole", json!({"RoleName": "r"})).await;
    assert_error(&e, "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.");
    f.ok("RemoveRoleFromInstanceProfile", json!({"InstanceProfileName": "ip", "RoleName": "r"})).await;
    let e = f.err("DeleteRole", json!({"RoleName": "r"})).await;
    assert_error(&e, "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.");
    f.ok("DetachRolePolicy", json!({"RoleName": "r", "PolicyArn": arn})).await;
    let e = f.err("DeleteRole", json!({"RoleName": "r"})).await;
    assert_error(&e, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.");
    f.ok("DeleteRolePolicy", json!({"RoleName": "r", "PolicyName": "p"})).await;
    f.ok("DeleteRole", json!({"RoleName": "r"})).await;
    assert_eq!(f.err("GetRole", json!({"RoleName": "r"})).await.code, "NoSuchEntity");
}

#[tokio::test]
async fn permissions_boundary_counts_usage() {
    let f = Fixture::new();
    let arn = f.policy("boundary").await;
    f.role("r").await;
    f.ok("PutRolePermissionsBoundary", json!({"RoleName": "r", "PermissionsBoundary": arn})).await;
    let got = f.ok("GetRole", json!({"RoleName": "r"})).await;
    assert_eq!(
        got["Role"]["PermissionsBoundary"],
        json!({"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn})
    );
    let p = f.ok("GetPolicy", json!({"PolicyArn": arn})).await;
    assert_eq!(p["Policy"]["PermissionsBoundaryUsageCount"], 1);
    f.ok("DeleteRolePermissionsBoundary", json!({"RoleName": "r"})).await;
    let p = f.ok("GetPolicy", json!({"PolicyArn": arn})).await;
    assert_eq!(p["Policy"]["PermissionsBoundaryUsageCount"], 0);
    let missing = "arn:aws:iam::000000000000:policy/none";
    let e = f.err("PutRolePermissionsBoundary", json!({"RoleName": "r", "PermissionsBoundary": missing})).await;
    assert_error(&e, "NoSuchEntity", 404, &format!("Scope ARN: {missing} does not exist or is not attachable."));
}

#[tokio::test]
async fn accounts_are_isolated() {
    let f = Fixture::new();
    f.role("shared-name").await;
    let e = f.call_as("GetRole", json!({"RoleName": "shared-name"}), "111111111111", None).await.expect_err("isolated");
    assert_eq!(e.code, "NoSuchEntity");
    let out = f
        .call_as(
            "CreateRole",
            json!({"RoleName": "shared-name", "AssumeRolePolicyDocument": TRUST}),
            "111111111111",
            None,
        )
        .await
        .expect("create in other account");
    assert_eq!(out["Role"]["Arn"], "arn:aws:iam::111111111111:role/shared-name");
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("stratus-iam-test-{}", stratus_core::ids::request_id()));
    {
        let store = stratus_store::Store::open(&dir).expect("open");
        let iam = crate::Iam::new(store);
        let ctx = stratus_core::RequestContext::internal("iam", "CreateRole");
        stratus_core::Service::call(&iam, &ctx, json!({"RoleName": "durable", "AssumeRolePolicyDocument": TRUST}))
            .await
            .expect("create");
    }
    let store = stratus_store::Store::open(&dir).expect("reopen");
    let role = crate::roles::get(&store, "000000000000", "durable").expect("get");
    assert_eq!(role.map(|r| r.name), Some("durable".to_string()));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
