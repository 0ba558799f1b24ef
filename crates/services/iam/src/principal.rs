//! The three IAM principals that policies attach to (roles, users,
//! groups): their names in keys, input members and messages, and the
//! existence check every attach/inline operation starts with.

use crate::db::{self, Read};
use crate::{errors, keys};
use serde::Deserialize;
use serde_json::{Value, json};
use stratus_core::AwsError;

/// A role, user or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Role,
    User,
    Group,
}

/// The part of a role, user or group record every principal has.
#[derive(Debug, Clone, Deserialize)]
pub struct Head {
    pub name: String,
    pub id: String,
    pub path: String,
}

impl Kind {
    /// The word used in keys and messages: `role`, `user`, `group`.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::User => "user",
            Kind::Group => "group",
        }
    }

    /// The input member that names it: `RoleName`, `UserName`, `GroupName`.
    pub fn name_member(self) -> &'static str {
        match self {
            Kind::Role => "RoleName",
            Kind::User => "UserName",
            Kind::Group => "GroupName",
        }
    }

    /// `ListEntitiesForPolicy`'s names: (list member, name member, id member, filter).
    pub fn entity_members(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Kind::Role => ("PolicyRoles", "RoleName", "RoleId", "Role"),
            Kind::User => ("PolicyUsers", "UserName", "UserId", "User"),
            Kind::Group => ("PolicyGroups", "GroupName", "GroupId", "Group"),
        }
    }

    /// `NoSuchEntity` for a missing principal, in AWS's words.
    pub fn not_found(self, name: &str) -> AwsError {
        errors::no_such_entity(format!("The {} with name {name} cannot be found.", self.word()))
    }

    /// The id of a principal on the policy side of attachment links.
    pub fn link_id(self, name: &str) -> String {
        format!("{}:{}", self.word(), name.to_lowercase())
    }

    /// The principal kind of a `link_id`.
    pub fn of_link_id(id: &str) -> Option<Kind> {
        match id.split(':').next()? {
            "role" => Some(Kind::Role),
            "user" => Some(Kind::User),
            "group" => Some(Kind::Group),
            _ => None,
        }
    }

    /// The description kept on links that point at this principal.
    pub fn link_info(self, head: &Head) -> Value {
        json!({"kind": self.word(), "name": head.name, "id": head.id, "path": head.path})
    }
}

/// The principal named `name`, or `NoSuchEntity`.
pub fn require(r: &(impl Read + ?Sized), account: &str, kind: Kind, name: &str) -> Result<Head, AwsError> {
    db::load::<Head>(r, &keys::entity(account, kind.word(), name))?.ok_or_else(|| kind.not_found(name))
}
