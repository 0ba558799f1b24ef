//! Amazon Cognito for Stratus: user pools (`cognito-idp`) and identity
//! pools (`cognito-identity`).
//!
//! User pools keep pools, clients, users and groups in the store (layout
//! in `keys`); passwords only as PBKDF2 hashes plus an SRP verifier, so
//! USER_SRP_AUTH is the real SRP-6a exchange. Tokens are RS256 JWTs signed
//! by a per-pool key (JWKS and discovery served by `web`); Lambda triggers
//! run through the Lambda peer; codes AWS would send are recorded at
//! `/_stratus/cognito/codes`. Identity pools mint temporary credentials the
//! front door accepts, like STS's.
//!
//! This file owns the two services: their operation lists and dispatch.

mod account;
mod auth;
mod challenges;
pub mod clients;
mod codes;
mod custom;
mod db;
mod errors;
mod groups;
mod identity_pools;
mod jwks;
pub use stratus_core::jwt;
mod keys;
mod lookup;
mod mfa;
mod model;
mod oauth;
mod page;
pub mod passwords;
mod pools;
mod pretoken;
mod resource_servers;
mod schema;
mod sessions;
mod shared;
mod signup;
pub mod srp;
mod tokens;
pub mod totp;
mod triggers;
mod users;
mod web;

use async_trait::async_trait;
use serde_json::Value;
use std::sync::Arc;
use stratus_core::{AwsError, HttpRequest, HttpResponse, RequestContext, Service, Settings};
use stratus_store::Store;

use crate::shared::Shared;

const IDP_OPERATIONS: &[&str] = &[
    "AddCustomAttributes",
    "AdminAddUserToGroup",
    "AdminConfirmSignUp",
    "AdminCreateUser",
    "AdminDeleteUser",
    "AdminDeleteUserAttributes",
    "AdminDisableUser",
    "AdminEnableUser",
    "AdminGetUser",
    "AdminInitiateAuth",
    "AdminListGroupsForUser",
    "AdminRemoveUserFromGroup",
    "AdminResetUserPassword",
    "AdminRespondToAuthChallenge",
    "AdminSetUserMFAPreference",
    "AdminSetUserPassword",
    "AdminUpdateUserAttributes",
    "AdminUserGlobalSignOut",
    "AssociateSoftwareToken",
    "ChangePassword",
    "ConfirmForgotPassword",
    "ConfirmSignUp",
    "CreateGroup",
    "CreateResourceServer",
    "CreateUserPool",
    "CreateUserPoolClient",
    "CreateUserPoolDomain",
    "DeleteGroup",
    "DeleteResourceServer",
    "DeleteUser",
    "DeleteUserAttributes",
    "DeleteUserPool",
    "DeleteUserPoolClient",
    "DeleteUserPoolDomain",
    "DescribeResourceServer",
    "DescribeUserPool",
    "DescribeUserPoolClient",
    "DescribeUserPoolDomain",
    "ForgotPassword",
    "GetGroup",
    "GetTokensFromRefreshToken",
    "GetUser",
    "GetUserAttributeVerificationCode",
    "GetUserPoolMfaConfig",
    "GlobalSignOut",
    "InitiateAuth",
    "ListGroups",
    "ListResourceServers",
    "ListUserPoolClients",
    "ListUserPools",
    "ListUsers",
    "ListUsersInGroup",
    "ResendConfirmationCode",
    "RespondToAuthChallenge",
    "RevokeToken",
    "SetUserMFAPreference",
    "SetUserPoolMfaConfig",
    "SignUp",
    "UpdateGroup",
    "UpdateResourceServer",
    "UpdateUserAttributes",
    "UpdateUserPool",
    "UpdateUserPoolClient",
    "UpdateUserPoolDomain",
    "VerifySoftwareToken",
    "VerifyUserAttribute",
];

/// The operations `cognito-idp` accepts without a signature.
pub const IDP_UNSIGNED: &[&str] = &[
    "AssociateSoftwareToken",
    "ChangePassword",
    "ConfirmForgotPassword",
    "ConfirmSignUp",
    "DeleteUser",
    "DeleteUserAttributes",
    "ForgotPassword",
    "GetTokensFromRefreshToken",
    "GetUser",
    "GetUserAttributeVerificationCode",
    "GlobalSignOut",
    "InitiateAuth",
    "ResendConfirmationCode",
    "RespondToAuthChallenge",
    "RevokeToken",
    "SetUserMFAPreference",
    "SignUp",
    "UpdateUserAttributes",
    "VerifySoftwareToken",
    "VerifyUserAttribute",
];

/// Amazon Cognito user pools.
pub struct CognitoIdp {
    shared: Arc<Shared>,
}

impl CognitoIdp {
    pub fn new(store: Store, settings: &Settings) -> CognitoIdp {
        CognitoIdp { shared: Arc::new(Shared::new(store, settings)) }
    }
}

#[async_trait]
impl Service for CognitoIdp {
    fn name(&self) -> &'static str {
        "cognito-idp"
    }

    fn operations(&self) -> &'static [&'static str] {
        IDP_OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        self.dispatch(ctx, &input).await.map_err(errors::validation_as_invalid_parameter)
    }

    fn reset(&self) {
        if let Ok(mut m) = self.shared.keys.lock() {
            m.clear();
        }
    }

    fn claims(&self, req: &HttpRequest) -> bool {
        web::claims(req)
    }

    async fn serve(&self, req: HttpRequest) -> HttpResponse {
        web::serve(&self.shared, req).await
    }
}

impl CognitoIdp {
    async fn dispatch(&self, ctx: &RequestContext, i: &Value) -> Result<Value, AwsError> {
        let s = self.shared.as_ref();
        match ctx.operation {
            "CreateUserPool" => pools::create(s, ctx, i).await,
            "DescribeUserPool" => pools::describe(s, ctx, i),
            "UpdateUserPool" => pools::update(s, ctx, i).await,
            "DeleteUserPool" => pools::delete(s, ctx, i).await,
            "ListUserPools" => pools::list(s, ctx, i),
            "AddCustomAttributes" => pools::add_custom_attributes(s, ctx, i).await,
            "SetUserPoolMfaConfig" => pools::set_mfa_config(s, ctx, i).await,
            "GetUserPoolMfaConfig" => pools::get_mfa_config(s, ctx, i),
            "CreateUserPoolClient" => clients::create(s, ctx, i).await,
            "DescribeUserPoolClient" => clients::describe(s, ctx, i),
            "UpdateUserPoolClient" => clients::update(s, ctx, i).await,
            "DeleteUserPoolClient" => clients::delete(s, ctx, i).await,
            "ListUserPoolClients" => clients::list(s, ctx, i),
            "CreateGroup" => groups::create(s, ctx, i).await,
            "GetGroup" => groups::get(s, ctx, i),
            "UpdateGroup" => groups::update(s, ctx, i).await,
            "DeleteGroup" => groups::delete(s, ctx, i).await,
            "ListGroups" => groups::list(s, ctx, i),
            "AdminAddUserToGroup" => groups::add_user(s, ctx, i).await,
            "AdminRemoveUserFromGroup" => groups::remove_user(s, ctx, i).await,
            "AdminListGroupsForUser" => groups::groups_for_user(s, ctx, i),
            "ListUsersInGroup" => groups::users_in_group(s, ctx, i),
            "AdminCreateUser" => users::admin_create(s, ctx, i).await,
            "AdminGetUser" => users::admin_get(s, ctx, i),
            "ListUsers" => users::list(s, ctx, i),
            "AdminUpdateUserAttributes" => users::admin_update_attributes(s, ctx, i).await,
            "AdminDeleteUserAttributes" => users::admin_delete_attributes(s, ctx, i).await,
            "AdminDeleteUser" => users::admin_delete(s, ctx, i).await,
            "AdminEnableUser" => users::admin_set_enabled(s, ctx, i, true).await,
            "AdminDisableUser" => users::admin_set_enabled(s, ctx, i, false).await,
            "AdminConfirmSignUp" => users::admin_confirm(s, ctx, i).await,
            "AdminSetUserPassword" => users::admin_set_password(s, ctx, i).await,
            "AdminResetUserPassword" => users::admin_reset_password(s, ctx, i).await,
            "AdminUserGlobalSignOut" => users::admin_global_sign_out(s, ctx, i).await,
            "AdminSetUserMFAPreference" => mfa::admin_set_user_mfa_preference(s, ctx, i).await,
            "AdminInitiateAuth" => auth::admin_initiate_auth(s, ctx, i).await,
            "AdminRespondToAuthChallenge" => challenges::admin_respond_to_auth_challenge(s, ctx, i).await,
            "SignUp" => signup::sign_up(s, i).await,
            "ConfirmSignUp" => signup::confirm_sign_up(s, i).await,
            "ResendConfirmationCode" => signup::resend_code(s, i).await,
            "ForgotPassword" => signup::forgot_password(s, i).await,
            "ConfirmForgotPassword" => signup::confirm_forgot_password(s, i).await,
            "InitiateAuth" => auth::initiate_auth(s, i).await,
            "RespondToAuthChallenge" => challenges::respond_to_auth_challenge(s, i).await,
            "GetTokensFromRefreshToken" => auth::get_tokens_from_refresh_token(s, i).await,
            "GetUser" => account::get_user(s, i).await,
            "UpdateUserAttributes" => account::update_attributes(s, i).await,
            "DeleteUserAttributes" => account::delete_attributes(s, i).await,
            "DeleteUser" => account::delete_user(s, i).await,
            "ChangePassword" => account::change_password(s, i).await,
            "GlobalSignOut" => account::global_sign_out(s, i).await,
            "RevokeToken" => account::revoke_token(s, i).await,
            "GetUserAttributeVerificationCode" => account::get_attribute_verification_code(s, i).await,
            "VerifyUserAttribute" => account::verify_attribute(s, i).await,
            "AssociateSoftwareToken" => mfa::associate_software_token(s, i).await,
            "VerifySoftwareToken" => mfa::verify_software_token(s, i).await,
            "SetUserMFAPreference" => mfa::set_user_mfa_preference(s, i).await,
            "CreateResourceServer" => resource_servers::create(s, ctx, i).await,
            "DescribeResourceServer" => resource_servers::describe(s, ctx, i),
            "UpdateResourceServer" => resource_servers::update(s, ctx, i).await,
            "DeleteResourceServer" => resource_servers::delete(s, ctx, i).await,
            "ListResourceServers" => resource_servers::list(s, ctx, i),
            "CreateUserPoolDomain" => resource_servers::create_domain(s, ctx, i).await,
            "DescribeUserPoolDomain" => resource_servers::describe_domain(s, ctx, i),
            "UpdateUserPoolDomain" => resource_servers::update_domain(s, ctx, i).await,
            "DeleteUserPoolDomain" => resource_servers::delete_domain(s, ctx, i).await,
            other => Err(AwsError::new(501, "NotImplemented", format!("Cognito operation {other} is not implemented"))),
        }
    }
}

const IDENTITY_OPERATIONS: &[&str] = &[
    "CreateIdentityPool",
    "DeleteIdentities",
    "DeleteIdentityPool",
    "DescribeIdentity",
    "DescribeIdentityPool",
    "GetCredentialsForIdentity",
    "GetId",
    "GetIdentityPoolRoles",
    "GetOpenIdToken",
    "ListIdentities",
    "ListIdentityPools",
    "SetIdentityPoolRoles",
    "UpdateIdentityPool",
];

/// The operations `cognito-identity` accepts without a signature.
pub const IDENTITY_UNSIGNED: &[&str] = &["GetId", "GetCredentialsForIdentity", "GetOpenIdToken", "UnlinkIdentity"];

/// Amazon Cognito identity pools.
pub struct CognitoIdentity {
    shared: Arc<Shared>,
}

impl CognitoIdentity {
    pub fn new(store: Store, settings: &Settings) -> CognitoIdentity {
        CognitoIdentity { shared: Arc::new(Shared::new(store, settings)) }
    }
}

#[async_trait]
impl Service for CognitoIdentity {
    fn name(&self) -> &'static str {
        "cognito-identity"
    }

    fn operations(&self) -> &'static [&'static str] {
        IDENTITY_OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        identity_pools::call(&self.shared, ctx, &input).await
    }

    fn reset(&self) {
        if let Ok(mut m) = self.shared.keys.lock() {
            m.clear();
        }
    }
}
