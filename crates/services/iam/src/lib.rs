//! IAM for Stratus: the `Iam` service and its operation table. Each module
//! owns one part of IAM (see their first comments); state lives in the
//! store under `iam/{account}/...` (see `keys`), so it is shared by every
//! node and survives restarts. IAM is global: no region in any key.
//!
//! STS reads roles through [`roles::get`] and resolves callers through
//! [`caller`].

pub mod access_keys;
pub mod attachments;
pub mod aws_managed;
pub mod caller;
pub mod db;
pub mod documents;
pub mod errors;
pub mod groups;
pub mod inline;
pub mod instance_profiles;
pub mod keys;
pub mod links;
pub mod pagination;
pub mod policies;
pub mod principal;
pub mod roles;
pub mod tags;
pub mod users;

use async_trait::async_trait;
use principal::Kind;
use serde_json::Value;
use stratus_core::{AwsError, RequestContext, Service};
use stratus_store::Store;

/// The IAM service.
pub struct Iam {
    store: Store,
}

impl Iam {
    pub fn new(store: Store) -> Iam {
        Iam { store }
    }
}

/// Every operation `Iam::call` answers.
const OPERATIONS: &[&str] = &[
    // roles
    "CreateRole",
    "GetRole",
    "UpdateRole",
    "DeleteRole",
    "ListRoles",
    "UpdateAssumeRolePolicy",
    "UpdateRoleDescription",
    "TagRole",
    "UntagRole",
    "ListRoleTags",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    // users
    "CreateUser",
    "GetUser",
    "UpdateUser",
    "DeleteUser",
    "ListUsers",
    "TagUser",
    "UntagUser",
    "ListUserTags",
    "PutUserPermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    // groups
    "CreateGroup",
    "GetGroup",
    "DeleteGroup",
    "ListGroups",
    "AddUserToGroup",
    "RemoveUserFromGroup",
    "ListGroupsForUser",
    // managed policies
    "CreatePolicy",
    "GetPolicy",
    "DeletePolicy",
    "ListPolicies",
    "CreatePolicyVersion",
    "GetPolicyVersion",
    "ListPolicyVersions",
    "DeletePolicyVersion",
    "SetDefaultPolicyVersion",
    "TagPolicy",
    "UntagPolicy",
    "ListPolicyTags",
    // attachments
    "AttachRolePolicy",
    "DetachRolePolicy",
    "ListAttachedRolePolicies",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "ListAttachedUserPolicies",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
    "ListAttachedGroupPolicies",
    "ListEntitiesForPolicy",
    // inline policies
    "PutRolePolicy",
    "GetRolePolicy",
    "DeleteRolePolicy",
    "ListRolePolicies",
    "PutUserPolicy",
    "GetUserPolicy",
    "DeleteUserPolicy",
    "ListUserPolicies",
    "PutGroupPolicy",
    "GetGroupPolicy",
    "DeleteGroupPolicy",
    "ListGroupPolicies",
    // access keys
    "CreateAccessKey",
    "ListAccessKeys",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "GetAccessKeyLastUsed",
    // instance profiles
    "CreateInstanceProfile",
    "GetInstanceProfile",
    "DeleteInstanceProfile",
    "ListInstanceProfiles",
    "AddRoleToInstanceProfile",
    "RemoveRoleFromInstanceProfile",
    "ListInstanceProfilesForRole",
    "TagInstanceProfile",
    "UntagInstanceProfile",
    "ListInstanceProfileTags",
];

#[async_trait]
impl Service for Iam {
    fn name(&self) -> &'static str {
        "iam"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let (s, i) = (&self.store, &input);
        match ctx.operation {
            "CreateRole" => roles::create(s, ctx, i).await,
            "GetRole" => roles::get_role(s, ctx, i),
            "UpdateRole" => roles::update_role(s, ctx, i).await,
            "DeleteRole" => roles::delete(s, ctx, i).await,
            "ListRoles" => roles::list(s, ctx, i),
            "UpdateAssumeRolePolicy" => roles::update_trust_policy(s, ctx, i).await,
            "UpdateRoleDescription" => roles::update_description(s, ctx, i).await,
            "TagRole" | "UntagRole" | "ListRoleTags" => roles::tags_op(s, ctx, i).await,
            "PutRolePermissionsBoundary" => roles::put_boundary(s, ctx, i).await,
            "DeleteRolePermissionsBoundary" => roles::delete_boundary(s, ctx, i).await,

            "CreateUser" => users::create(s, ctx, i).await,
            "GetUser" => users::get(s, ctx, i),
            "UpdateUser" => users::update(s, ctx, i).await,
            "DeleteUser" => users::delete(s, ctx, i).await,
            "ListUsers" => users::list(s, ctx, i),
            "TagUser" | "UntagUser" | "ListUserTags" => users::tags_op(s, ctx, i).await,
            "PutUserPermissionsBoundary" | "DeleteUserPermissionsBoundary" => users::boundary_op(s, ctx, i).await,

            "CreateGroup" => groups::create(s, ctx, i).await,
            "GetGroup" => groups::get(s, ctx, i),
            "DeleteGroup" => groups::delete(s, ctx, i).await,
            "ListGroups" => groups::list(s, ctx, i),
            "AddUserToGroup" => groups::add_user(s, ctx, i).await,
            "RemoveUserFromGroup" => groups::remove_user(s, ctx, i).await,
            "ListGroupsForUser" => groups::list_for_user(s, ctx, i),

            "CreatePolicy" => policies::create(s, ctx, i).await,
            "GetPolicy" => policies::get(s, ctx, i),
            "DeletePolicy" => policies::delete(s, ctx, i).await,
            "ListPolicies" => policies::list(s, ctx, i),
            "CreatePolicyVersion" => policies::create_version(s, ctx, i).await,
            "GetPolicyVersion" => policies::get_version(s, ctx, i),
            "ListPolicyVersions" => policies::list_versions(s, ctx, i),
            "DeletePolicyVersion" => policies::delete_version(s, ctx, i).await,
            "SetDefaultPolicyVersion" => policies::set_default_version(s, ctx, i).await,
            "TagPolicy" | "UntagPolicy" | "ListPolicyTags" => policies::tags_op(s, ctx, i).await,

            "AttachRolePolicy" => attachments::attach(s, ctx, i, Kind::Role).await,
            "AttachUserPolicy" => attachments::attach(s, ctx, i, Kind::User).await,
            "AttachGroupPolicy" => attachments::attach(s, ctx, i, Kind::Group).await,
            "DetachRolePolicy" => attachments::detach(s, ctx, i, Kind::Role).await,
            "DetachUserPolicy" => attachments::detach(s, ctx, i, Kind::User).await,
            "DetachGroupPolicy" => attachments::detach(s, ctx, i, Kind::Group).await,
            "ListAttachedRolePolicies" => attachments::list_attached(s, ctx, i, Kind::Role),
            "ListAttachedUserPolicies" => attachments::list_attached(s, ctx, i, Kind::User),
            "ListAttachedGroupPolicies" => attachments::list_attached(s, ctx, i, Kind::Group),
            "ListEntitiesForPolicy" => attachments::list_entities(s, ctx, i),

            "PutRolePolicy" => inline::put(s, ctx, i, Kind::Role).await,
            "PutUserPolicy" => inline::put(s, ctx, i, Kind::User).await,
            "PutGroupPolicy" => inline::put(s, ctx, i, Kind::Group).await,
            "GetRolePolicy" => inline::get(s, ctx, i, Kind::Role),
            "GetUserPolicy" => inline::get(s, ctx, i, Kind::User),
            "GetGroupPolicy" => inline::get(s, ctx, i, Kind::Group),
            "DeleteRolePolicy" => inline::delete(s, ctx, i, Kind::Role).await,
            "DeleteUserPolicy" => inline::delete(s, ctx, i, Kind::User).await,
            "DeleteGroupPolicy" => inline::delete(s, ctx, i, Kind::Group).await,
            "ListRolePolicies" => inline::list(s, ctx, i, Kind::Role),
            "ListUserPolicies" => inline::list(s, ctx, i, Kind::User),
            "ListGroupPolicies" => inline::list(s, ctx, i, Kind::Group),

            "CreateAccessKey" => access_keys::create(s, ctx, i).await,
            "ListAccessKeys" => access_keys::list(s, ctx, i),
            "UpdateAccessKey" => access_keys::update(s, ctx, i).await,
            "DeleteAccessKey" => access_keys::delete(s, ctx, i).await,
            "GetAccessKeyLastUsed" => access_keys::last_used(s, ctx, i),

            "CreateInstanceProfile" => instance_profiles::create(s, ctx, i).await,
            "GetInstanceProfile" => instance_profiles::get(s, ctx, i),
            "DeleteInstanceProfile" => instance_profiles::delete(s, ctx, i).await,
            "ListInstanceProfiles" => instance_profiles::list(s, ctx, i),
            "AddRoleToInstanceProfile" => instance_profiles::add_role(s, ctx, i).await,
            "RemoveRoleFromInstanceProfile" => instance_profiles::remove_role(s, ctx, i).await,
            "ListInstanceProfilesForRole" => instance_profiles::list_for_role(s, ctx, i),
            "TagInstanceProfile" | "UntagInstanceProfile" | "ListInstanceProfileTags" => {
                instance_profiles::tags_op(s, ctx, i).await
            }
            other => Err(AwsError::new(501, "NotImplemented", format!("IAM operation {other} is not implemented"))),
        }
    }
}

#[cfg(test)]
mod tests;
