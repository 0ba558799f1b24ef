//! Two-way relations between IAM entities, kept as index keys written in
//! pairs inside one transaction: a forward key `{a}|{b}` that describes `b`
//! and a reverse key `{b}|{a}` that describes `a`. Listing either side is a
//! prefix scan. `|` cannot occur in IAM names or ARNs, so prefixes never
//! run into a longer name.

use crate::db::{self, Read};
use serde_json::Value;
use stratus_core::AwsError;
use stratus_store::Txn;

/// One relation and the names of its two index directions.
pub struct Link {
    forward: &'static str,
    reverse: &'static str,
}

/// Group → user memberships.
pub const MEMBERS: Link = Link { forward: "group-users", reverse: "user-groups" };
/// Principal (`role:name`, `user:name`, `group:name`) → managed policy ARN.
pub const ATTACHMENTS: Link = Link { forward: "principal-policies", reverse: "policy-principals" };
/// Role or user (`role:name`, `user:name`) → its permissions boundary's ARN.
pub const BOUNDARIES: Link = Link { forward: "principal-boundary", reverse: "boundary-principals" };
/// Instance profile → role.
pub const PROFILE_ROLES: Link = Link { forward: "profile-roles", reverse: "role-profiles" };

fn prefix(account: &str, relation: &str, a: &str) -> String {
    format!("iam/{account}/link/{relation}/{a}|")
}

impl Link {
    /// Relates `a` to `b`; `a_info` describes `a` (kept on the reverse key),
    /// `b_info` describes `b` (kept on the forward key).
    pub fn add(
        &self,
        txn: &mut Txn<'_>,
        account: &str,
        a: &str,
        b: &str,
        a_info: &Value,
        b_info: &Value,
    ) -> Result<(), AwsError> {
        db::save(txn, &format!("{}{b}", prefix(account, self.forward, a)), b_info)?;
        db::save(txn, &format!("{}{a}", prefix(account, self.reverse, b)), a_info)
    }

    /// Removes the relation between `a` and `b`.
    pub fn remove(&self, txn: &mut Txn<'_>, account: &str, a: &str, b: &str) {
        txn.delete(format!("{}{b}", prefix(account, self.forward, a)));
        txn.delete(format!("{}{a}", prefix(account, self.reverse, b)));
    }

    /// Whether `a` is related to `b`.
    pub fn contains(&self, r: &(impl Read + ?Sized), account: &str, a: &str, b: &str) -> Result<bool, AwsError> {
        Ok(r.raw(&format!("{}{b}", prefix(account, self.forward, a)))?.is_some())
    }

    /// Everything `a` is related to, with its description, ordered by key.
    pub fn targets(&self, r: &(impl Read + ?Sized), account: &str, a: &str) -> Result<Vec<(String, Value)>, AwsError> {
        db::load_prefix(r, &prefix(account, self.forward, a))
    }

    /// Everything related to `b`, with its description, ordered by key.
    pub fn sources(&self, r: &(impl Read + ?Sized), account: &str, b: &str) -> Result<Vec<(String, Value)>, AwsError> {
        db::load_prefix(r, &prefix(account, self.reverse, b))
    }

    /// Whether `a` is related to anything.
    pub fn has_targets(&self, r: &(impl Read + ?Sized), account: &str, a: &str) -> Result<bool, AwsError> {
        db::any_with_prefix(r, &prefix(account, self.forward, a))
    }

    /// Whether anything is related to `b`.
    pub fn has_sources(&self, r: &(impl Read + ?Sized), account: &str, b: &str) -> Result<bool, AwsError> {
        db::any_with_prefix(r, &prefix(account, self.reverse, b))
    }

    /// Moves every relation of `a` to `new_a` (a rename), describing it
    /// with `new_info` on the reverse side.
    pub fn rename_source(
        &self,
        txn: &mut Txn<'_>,
        account: &str,
        a: &str,
        new_a: &str,
        new_info: &Value,
    ) -> Result<(), AwsError> {
        for (b, b_info) in self.targets(txn, account, a)? {
            self.remove(txn, account, a, &b);
            self.add(txn, account, new_a, &b, new_info, &b_info)?;
        }
        Ok(())
    }

    /// Moves every relation pointing at `b` to `new_b` (a rename).
    pub fn rename_target(
        &self,
        txn: &mut Txn<'_>,
        account: &str,
        b: &str,
        new_b: &str,
        new_info: &Value,
    ) -> Result<(), AwsError> {
        for (a, a_info) in self.sources(txn, account, b)? {
            self.remove(txn, account, &a, b);
            self.add(txn, account, &a, new_b, &a_info, new_info)?;
        }
        Ok(())
    }
}
