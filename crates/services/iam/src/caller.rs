//! Who signed a request, as IAM and STS see it: the `Credential` record the
//! access key resolves to (an IAM user's key or STS temporary credentials),
//! or else the account's root. General across services; a candidate for
//! core beside `credentials`.

use crate::db::store_error;
use stratus_core::credentials::{Credential, credential_key};
use stratus_core::{AwsError, RequestContext};
use stratus_store::Store;

/// The calling principal.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub account: String,
    pub arn: String,
    pub user_id: String,
    /// Set when the caller signed with temporary (STS) credentials.
    pub temporary: bool,
}

impl Caller {
    /// The account root.
    pub fn root(account: &str) -> Caller {
        Caller {
            account: account.to_string(),
            arn: format!("arn:aws:iam::{account}:root"),
            user_id: account.to_string(),
            temporary: false,
        }
    }

    /// The IAM user name when the caller is an IAM user (`...:user/path/name`).
    pub fn user_name(&self) -> Option<&str> {
        user_name_of(&self.arn)
    }

    /// Whether the caller is an assumed-role session.
    pub fn is_assumed_role(&self) -> bool {
        self.arn.contains(":assumed-role/")
    }
}

/// The user name in an IAM user ARN.
pub fn user_name_of(arn: &str) -> Option<&str> {
    let (_, resource) = arn.split_once(":user/")?;
    resource.rsplit('/').next()
}

/// The stored credential for `access_key_id`, if Stratus issued it.
pub fn credential(store: &Store, access_key_id: &str) -> Result<Option<Credential>, AwsError> {
    match store.get(credential_key(access_key_id)).map_err(store_error)? {
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| AwsError::new(500, "ServiceFailure", format!("corrupt credential {access_key_id}: {e}"))),
        None => Ok(None),
    }
}

/// The principal behind the request.
pub fn caller(store: &Store, ctx: &RequestContext) -> Result<Caller, AwsError> {
    let Some(akid) = ctx.access_key.as_deref() else {
        return Ok(Caller::root(&ctx.account_id));
    };
    Ok(match credential(store, akid)? {
        Some(c) => Caller {
            account: c.account_id,
            arn: c.principal_arn,
            user_id: c.user_id,
            temporary: c.session_token.is_some(),
        },
        None => Caller::root(&ctx.account_id),
    })
}
