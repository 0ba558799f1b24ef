//! `Scope`: what one call works with (the store, the caller's account and
//! region, their keys), plus the ARNs of log groups and streams and the
//! record loads every operation shares.

use stratus_core::{AwsError, RequestContext};
use stratus_store::Store;

use crate::error::{group_not_found, store};
use crate::keys::Keys;
use crate::model::{Group, decode};

pub struct Scope {
    pub store: Store,
    pub keys: Keys,
    pub account: String,
    pub region: String,
}

impl Scope {
    pub fn new(store: &Store, ctx: &RequestContext) -> Scope {
        Scope {
            store: store.clone(),
            keys: Keys::new(&ctx.account_id, &ctx.region),
            account: ctx.account_id.clone(),
            region: ctx.region.clone(),
        }
    }

    /// `arn:aws:logs:{region}:{account}:log-group:{name}` (`logGroupArn`).
    pub fn group_arn(&self, group: &str) -> String {
        stratus_core::arn::arn("logs", &self.region, &self.account, &format!("log-group:{group}"))
    }

    /// The group ARN with the `:*` suffix (the `arn` member).
    pub fn group_arn_star(&self, group: &str) -> String {
        format!("{}:*", self.group_arn(group))
    }

    pub fn stream_arn(&self, group: &str, stream: &str) -> String {
        format!("{}:log-stream:{stream}", self.group_arn(group))
    }

    /// The group record, or AWS's "log group does not exist".
    pub fn group(&self, name: &str) -> Result<Group, AwsError> {
        match self.store.get(self.keys.group(name)).map_err(store)? {
            Some(bytes) => decode("log group", &bytes),
            None => Err(group_not_found()),
        }
    }
}
