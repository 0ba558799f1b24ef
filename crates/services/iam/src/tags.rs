//! Tags on IAM entities (roles, users, managed policies, instance
//! profiles): parsing `Tags` input, merging and removing, rendering, and
//! the Tag/Untag/List operations shared by every taggable record.

use crate::db::{self};
use crate::errors;
use crate::pagination;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;
use stratus_store::Store;

/// The most tags one entity may carry.
const MAX_TAGS: usize = 50;

/// One tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value")]
    pub value: String,
}

/// A record that carries tags.
pub trait Tagged: Serialize + DeserializeOwned + Send + 'static {
    fn tags(&self) -> &[Tag];
    fn tags_mut(&mut self) -> &mut Vec<Tag>;
}

/// The `Tags` member of `input`, rejecting keys repeated in any case.
pub fn from_input(input: &Value) -> Result<Vec<Tag>, AwsError> {
    let mut tags: Vec<Tag> = Vec::new();
    for t in input.list("Tags") {
        let (Some(key), Some(value)) = (t.str("Key"), t.str("Value")) else {
            return Err(errors::invalid_input("Tags must have a Key and a Value."));
        };
        if tags.iter().any(|x| x.key.eq_ignore_ascii_case(key)) {
            return Err(errors::invalid_input(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        tags.push(Tag { key: key.to_string(), value: value.to_string() });
    }
    Ok(tags)
}

/// Tags as output (`[{Key, Value}]`).
pub fn to_json(tags: &[Tag]) -> Value {
    json!(tags)
}

/// Adds `new` to `existing`, replacing tags whose key matches in any case.
pub fn merge(existing: &mut Vec<Tag>, new: Vec<Tag>, entity: &str) -> Result<(), AwsError> {
    for tag in new {
        match existing.iter_mut().find(|t| t.key.eq_ignore_ascii_case(&tag.key)) {
            Some(t) => *t = tag,
            None => existing.push(tag),
        }
    }
    if existing.len() > MAX_TAGS {
        return Err(errors::limit_exceeded(format!("Cannot exceed quota for TagsPer{entity}: {MAX_TAGS}")));
    }
    Ok(())
}

/// Removes the tags whose key matches one of `keys` in any case.
pub fn remove(existing: &mut Vec<Tag>, keys: &[String]) {
    existing.retain(|t| !keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
}

/// Tag*: adds `input`'s `Tags` to the record under `key`.
pub async fn tag<T: Tagged>(
    store: &Store,
    key: String,
    not_found: AwsError,
    entity: &'static str,
    input: &Value,
) -> Result<Value, AwsError> {
    let new = from_input(input)?;
    store
        .transact(move |txn| {
            let mut record: T = db::load(txn, &key)?.ok_or_else(|| not_found.clone())?;
            merge(record.tags_mut(), new.clone(), entity)?;
            db::save(txn, &key, &record)?;
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// Untag*: removes `input`'s `TagKeys` from the record under `key`.
pub async fn untag<T: Tagged>(
    store: &Store,
    key: String,
    not_found: AwsError,
    input: &Value,
) -> Result<Value, AwsError> {
    let keys = input.str_list("TagKeys");
    store
        .transact(move |txn| {
            let mut record: T = db::load(txn, &key)?.ok_or_else(|| not_found.clone())?;
            remove(record.tags_mut(), &keys);
            db::save(txn, &key, &record)?;
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// List*Tags: the tags of the record under `key`, paginated.
pub fn list<T: Tagged>(store: &Store, key: &str, not_found: AwsError, input: &Value) -> Result<Value, AwsError> {
    let record: T = db::load(&db::snapshot(store)?, key)?.ok_or(not_found)?;
    let indexed: Vec<(usize, Tag)> = record.tags().iter().cloned().enumerate().collect();
    let page = pagination::page(indexed, |(i, _)| format!("{i:08}"), input)?;
    Ok(page.output("Tags", |(_, t)| json!(t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_in_any_case_are_refused() {
        let err =
            from_input(&json!({"Tags": [{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]})).expect_err("error");
        assert_eq!(err.code, "InvalidInput");
    }

    #[test]
    fn merge_replaces_and_remove_ignores_case() {
        let mut tags = vec![Tag { key: "Env".into(), value: "dev".into() }];
        merge(&mut tags, vec![Tag { key: "env".into(), value: "prod".into() }], "Role").expect("merge");
        assert_eq!(tags, vec![Tag { key: "env".into(), value: "prod".into() }]);
        remove(&mut tags, &["ENV".to_string()]);
        assert!(tags.is_empty());
    }
}
