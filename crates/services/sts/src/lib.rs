//! STS for Stratus: the `Sts` service and its operation table. Issued
//! credentials are `Credential` records in the store (see `issue`), which
//! the front door resolves to an account and principal; roles come from
//! IAM (`stratus_iam::roles`). DecodeAuthorizationMessage is not offered:
//! Stratus never encodes authorization messages.

pub mod assume_role;
pub mod errors;
pub mod identity;
pub mod issue;
pub mod roles;
pub mod session;
pub mod session_policy;
pub mod web_identity;

use async_trait::async_trait;
use serde_json::Value;
use stratus_core::{AwsError, RequestContext, Service};
use stratus_store::Store;

/// The STS service.
pub struct Sts {
    store: Store,
}

impl Sts {
    pub fn new(store: Store) -> Sts {
        Sts { store }
    }
}

const OPERATIONS: &[&str] = &[
    "GetCallerIdentity",
    "AssumeRole",
    "AssumeRoleWithWebIdentity",
    "GetSessionToken",
    "GetFederationToken",
    "GetAccessKeyInfo",
];

#[async_trait]
impl Service for Sts {
    fn name(&self) -> &'static str {
        "sts"
    }

    fn operations(&self) -> &'static [&'static str] {
        OPERATIONS
    }

    async fn call(&self, ctx: &RequestContext, input: Value) -> Result<Value, AwsError> {
        let (s, i) = (&self.store, &input);
        match ctx.operation {
            "GetCallerIdentity" => identity::get_caller_identity(s, ctx),
            "GetAccessKeyInfo" => identity::get_access_key_info(s, ctx, i),
            "AssumeRole" => assume_role::assume_role(s, ctx, i).await,
            "AssumeRoleWithWebIdentity" => web_identity::assume_role_with_web_identity(s, ctx, i).await,
            "GetSessionToken" => session::get_session_token(s, ctx, i).await,
            "GetFederationToken" => session::get_federation_token(s, ctx, i).await,
            other => Err(AwsError::new(501, "NotImplemented", format!("STS operation {other} is not implemented"))),
        }
    }
}

#[cfg(test)]
mod tests;
