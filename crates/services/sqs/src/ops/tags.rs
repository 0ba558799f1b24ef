//! TagQueue, UntagQueue and ListQueueTags.

use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::error::no_queue;
use crate::model::{Queue, decode, encode};
use crate::ops::empty;
use crate::scope::{QueueRef, Scope};

async fn update(
    s: &Scope,
    q: &QueueRef,
    f: impl Fn(&mut Queue) -> Result<(), AwsError> + Send + 'static,
) -> Result<(), AwsError> {
    let key = q.key();
    s.store()
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(no_queue()) };
            let mut queue: Queue = decode("queue", &bytes)?;
            f(&mut queue)?;
            txn.put(key.clone(), encode(&queue));
            Ok(())
        })
        .await
}

pub async fn tag(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let tags: Vec<(String, String)> = input
        .get("Tags")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default();
    let name = q.name.clone();
    update(s, &q, move |queue| {
        for (k, v) in &tags {
            queue.tags.insert(k.clone(), v.clone());
        }
        if queue.tags.len() > 50 {
            return Err(crate::error::invalid(format!("Too many tags added for queue {name}.")));
        }
        Ok(())
    })
    .await?;
    Ok(empty())
}

pub async fn untag(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let keys = input.str_list("TagKeys");
    update(s, &q, move |queue| {
        for k in &keys {
            queue.tags.remove(k);
        }
        Ok(())
    })
    .await?;
    Ok(empty())
}

pub fn list(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (_, queue) = s.load(input)?;
    if queue.tags.is_empty() {
        return Ok(empty());
    }
    let tags: Map<String, Value> = queue.tags.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
    Ok(json!({ "Tags": tags }))
}
