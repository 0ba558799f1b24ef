//! AddPermission and RemovePermission: statements of the queue's `Policy`
//! document, labelled by `Sid`, in AWS's shape (`Version` 2008-10-17,
//! `Id` `{arn}/SQSDefaultPolicy`, one principal or action as a bare string).

use serde_json::{Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

use crate::error::{invalid_param, no_queue};
use crate::model::{Queue, decode, encode};
use crate::ops::{empty, now_secs};
use crate::scope::Scope;

fn one_or_many(items: Vec<String>) -> Value {
    if items.len() == 1 { Value::from(items[0].clone()) } else { Value::from(items) }
}

fn valid_label(label: &str) -> bool {
    !label.is_empty() && label.len() <= 80 && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn add(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let label = input.req_str("Label")?.to_string();
    if !valid_label(&label) {
        return Err(invalid_param(
            &label,
            "Label",
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        ));
    }
    let principals: Vec<String> =
        input.str_list("AWSAccountIds").into_iter().map(|a| format!("arn:aws:iam::{a}:root")).collect();
    let actions: Vec<String> = input
        .str_list("Actions")
        .into_iter()
        .map(|a| if a == "*" { "SQS:*".to_string() } else { format!("SQS:{a}") })
        .collect();
    if principals.is_empty() {
        return Err(crate::error::missing("AWSAccountIds"));
    }
    if actions.is_empty() {
        return Err(crate::error::missing("Actions"));
    }
    let arn = q.arn();
    let statement = json!({
        "Sid": label,
        "Effect": "Allow",
        "Principal": {"AWS": one_or_many(principals)},
        "Action": one_or_many(actions),
        "Resource": arn,
    });
    let key = q.key();
    let now = now_secs();
    s.store()
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(no_queue()) };
            let mut queue: Queue = decode("queue", &bytes)?;
            let mut policy = stored_policy(&queue).unwrap_or_else(
                || json!({"Version": "2008-10-17", "Id": format!("{arn}/SQSDefaultPolicy"), "Statement": []}),
            );
            let mut statements = take_statements(&mut policy);
            if statements.iter().any(|st| st.get("Sid").and_then(Value::as_str) == Some(label.as_str())) {
                return Err(invalid_param(&label, "Label", "Already exists."));
            }
            statements.push(statement.clone());
            policy["Statement"] = Value::Array(statements);
            queue.attributes.insert("Policy".into(), policy.to_string());
            queue.modified = now;
            txn.put(key.clone(), encode(&queue));
            Ok(())
        })
        .await?;
    Ok(empty())
}

/// The queue's Policy attribute as a JSON object, if it holds one.
fn stored_policy(queue: &Queue) -> Option<Value> {
    queue.attributes.get("Policy").and_then(|p| serde_json::from_str::<Value>(p).ok()).filter(Value::is_object)
}

/// The policy's statements, taken out of it (a lone statement becomes a list).
fn take_statements(policy: &mut Value) -> Vec<Value> {
    match policy.get_mut("Statement").map(Value::take) {
        Some(Value::Array(a)) => a,
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

pub async fn remove(s: &Scope, input: &Value) -> Result<Value, AwsError> {
    let (q, _) = s.load(input)?;
    let label = input.req_str("Label")?.to_string();
    let key = q.key();
    let now = now_secs();
    s.store()
        .transact(move |txn| {
            let Some(bytes) = txn.get(&key)? else { return Err(no_queue()) };
            let mut queue: Queue = decode("queue", &bytes)?;
            let mut policy =
                stored_policy(&queue).ok_or_else(|| invalid_param(&label, "Label", "can't find label."))?;
            let mut statements = take_statements(&mut policy);
            let before = statements.len();
            statements.retain(|st| st.get("Sid").and_then(Value::as_str) != Some(label.as_str()));
            if statements.len() == before {
                return Err(invalid_param(&label, "Label", "can't find label."));
            }
            if statements.is_empty() {
                queue.attributes.remove("Policy");
            } else {
                policy["Statement"] = Value::Array(statements);
                queue.attributes.insert("Policy".into(), policy.to_string());
            }
            queue.modified = now;
            txn.put(key.clone(), encode(&queue));
            Ok(())
        })
        .await?;
    Ok(empty())
}
