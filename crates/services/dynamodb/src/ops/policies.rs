//! Resource-based policies: PutResourcePolicy, GetResourcePolicy and
//! DeleteResourcePolicy on a table or its stream (each its own slot, with
//! its own RevisionId), with AWS's checks of the ARN and of
//! ExpectedRevisionId. Stored with the table, so they go when it is deleted.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stratus_core::input::Input;

use crate::db::Scope;
use crate::error::{DdbError, invalid, table_not_found, validation};

#[derive(Serialize, Deserialize, Clone)]
struct Policy {
    document: String,
    revision: String,
}

/// What a ResourceArn names: the table, and the stream label for a stream.
struct Target {
    arn: String,
    table: String,
    stream: Option<String>,
}

impl Target {
    fn key(&self, scope: &Scope) -> String {
        format!("{}rp/{}", scope.keys.table_prefix(&self.table), self.stream.as_deref().unwrap_or_default())
    }
}

fn not_found(detail: &str) -> DdbError {
    DdbError::bad_request(
        "PolicyNotFoundException",
        format!("Resource-based policy not found for the provided ResourceArn: {detail}"),
    )
}

/// Checks a ResourceArn as AWS does and finds its table (and stream).
fn target(scope: &Scope, input: &Value) -> Result<Target, DdbError> {
    let arn = input.req_str("ResourceArn")?;
    if !arn.starts_with("arn:") {
        return Err(invalid(format!("ARNs must start with 'arn:': {arn}")));
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let bad = || invalid(format!("Invalid resource Arn: {arn}"));
    let [_, partition, service, region, account, resource] = parts[..] else { return Err(bad()) };
    if partition != "aws" || service != "dynamodb" || region != scope.region {
        return Err(bad());
    }
    if account != scope.account {
        return Err(validation("This action is only supported by accounts that match the resource owner’s account."));
    }
    let path: Vec<&str> = resource.split('/').collect();
    let (table, stream) = match path[..] {
        ["table", t] => (t, None),
        ["table", t, "stream", label] => (t, Some(label)),
        ["table", _, "index", ..] => {
            return Err(invalid(format!(
                "Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {arn}"
            )));
        }
        _ => return Err(invalid(format!("Provided Arn is not a DynamoDB resource arn: {arn}"))),
    };
    let meta = scope.meta_opt(table)?.ok_or_else(|| table_not_found(table))?;
    if let Some(label) = stream
        && meta.stream_label.as_deref() != Some(label)
    {
        return Err(DdbError::bad_request(
            "ResourceNotFoundException",
            format!("Requested resource not found: Stream: {label} not found for Table: {table}"),
        ));
    }
    Ok(Target { arn: arn.to_string(), table: table.to_string(), stream: stream.map(str::to_string) })
}

fn load(scope: &Scope, t: &Target) -> Result<Option<Policy>, DdbError> {
    scope
        .store
        .get(t.key(scope))?
        .map(|b| serde_json::from_slice(&b).map_err(|e| DdbError::internal(format!("corrupt resource policy: {e}"))))
        .transpose()
}

/// The answer to an ExpectedRevisionId that is not the current one.
fn revision_mismatch(expected: &str, t: &Target, current: &Policy) -> DdbError {
    not_found(&format!(
        "Requested update for policy with revision id {expected}, but the policy associated to target table {} has revision id {}.",
        t.table, current.revision
    ))
}

pub async fn put(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let t = target(scope, input)?;
    let document = input.req_str("Policy")?.to_string();
    if !serde_json::from_str::<Value>(&document).is_ok_and(|v| v.is_object()) {
        return Err(invalid("Invalid policy document: the policy is not a JSON object"));
    }
    let expected = input.str("ExpectedRevisionId");
    let current = load(scope, &t)?;
    match (&current, expected) {
        (Some(c), Some("NO_POLICY")) => {
            return Err(not_found(&format!(
                "Requested policy update expecting none to be present for table {}, but a policy exists with revision id {}.",
                t.table, c.revision
            )));
        }
        (Some(c), Some(e)) if e != c.revision => return Err(revision_mismatch(e, &t, c)),
        (Some(c), _) if c.document == document => return Ok(json!({ "RevisionId": c.revision })),
        (None, Some(e)) if e != "NO_POLICY" => return Err(not_found(&t.arn)),
        _ => {}
    }
    // Revision ids are the change's time in milliseconds, always increasing.
    let now = (stratus_core::clock::now_epoch() * 1000.0) as u64;
    let previous = current.as_ref().and_then(|c| c.revision.parse::<u64>().ok()).unwrap_or(0);
    let policy = Policy { document, revision: now.max(previous + 1).to_string() };
    scope.store.put(t.key(scope), serde_json::to_vec(&policy).unwrap_or_default()).await?;
    Ok(json!({ "RevisionId": policy.revision }))
}

pub async fn get(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let t = target(scope, input)?;
    let p = load(scope, &t)?.ok_or_else(|| not_found(&t.arn))?;
    Ok(json!({ "Policy": p.document, "RevisionId": p.revision }))
}

pub async fn delete(scope: &Scope, input: &Value) -> Result<Value, DdbError> {
    let t = target(scope, input)?;
    let p = load(scope, &t)?.ok_or_else(|| not_found(&t.arn))?;
    if let Some(e) = input.str("ExpectedRevisionId")
        && e != p.revision
    {
        return Err(revision_mismatch(e, &t, &p));
    }
    scope.store.delete(t.key(scope)).await?;
    Ok(json!({ "RevisionId": p.revision }))
}
