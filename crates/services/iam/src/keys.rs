//! The store layout of IAM. IAM is global, so keys carry the account and
//! no region. Entity names are case-insensitive in IAM, so keys use the
//! lower-cased name and records keep the name as created.
//!
//! ```text
//! iam/{account}/{kind}/{name}                       role, user, group, policy, instance-profile
//! iam/{account}/inline/{kind}/{owner}/{policy}      inline policies of roles, users, groups
//! iam/{account}/access-key/{user}/{access key id}   access key metadata (the secret is in auth/keys)
//! iam/{account}/link/{relation}/{a}|{b}             two-way relations (see `links`)
//! ```

/// The key of one entity record.
pub fn entity(account: &str, kind: &str, name: &str) -> String {
    format!("iam/{account}/{kind}/{}", name.to_lowercase())
}

/// The prefix of every entity of `kind`.
pub fn entities(account: &str, kind: &str) -> String {
    format!("iam/{account}/{kind}/")
}

/// The key of one inline policy.
pub fn inline(account: &str, kind: &str, owner: &str, policy: &str) -> String {
    format!("{}{}", inline_prefix(account, kind, owner), policy.to_lowercase())
}

/// The prefix of every inline policy of one owner.
pub fn inline_prefix(account: &str, kind: &str, owner: &str) -> String {
    format!("iam/{account}/inline/{kind}/{}/", owner.to_lowercase())
}

/// The key of one access key's metadata.
pub fn access_key(account: &str, user: &str, access_key_id: &str) -> String {
    format!("{}{access_key_id}", access_keys(account, user))
}

/// The prefix of every access key of one user.
pub fn access_keys(account: &str, user: &str) -> String {
    format!("iam/{account}/access-key/{}/", user.to_lowercase())
}
