//! PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy: a function's
//! (version's, alias's) resource-based policy addressed by ARN and written
//! whole. It is the same document AddPermission and RemovePermission edit
//! statement by statement (`policy`), so Put replaces what they added.

use crate::db;
use crate::errors;
use crate::names::{self, FnRef};
use crate::policy;
use crate::resolve;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// AWS's precondition message points to this API.
const GETTER: &str = "GetResourcePolicy";

/// The function version or alias `ResourceArn` names, which must exist.
fn target(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<FnRef, AwsError> {
    let r = names::parse(ctx, input.req_str("ResourceArn")?, None)?;
    if r.qualifier.as_deref() == Some("$LATEST") {
        return Err(errors::invalid("We currently do not support adding policies for $LATEST."));
    }
    resolve::version(s, ctx, &r, false)?;
    Ok(r)
}

/// The statements of a policy document: `Statement` as a list or one object.
pub(crate) fn statements(policy: &str) -> Result<Vec<Value>, AwsError> {
    let doc: Value = serde_json::from_str(policy).map_err(|_| errors::invalid("The policy is not valid JSON."))?;
    let list = match doc.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => return Err(errors::invalid("The policy must contain a Statement.")),
    };
    if list.is_empty() || list.iter().any(|st| !st.is_object()) {
        return Err(errors::invalid("The policy must contain a Statement."));
    }
    Ok(list)
}

pub async fn put(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = target(s, ctx, input)?;
    let list = statements(input.req_str("Policy")?)?;
    let k = policy::key(ctx, &r);
    let rev = input.str("RevisionId").map(str::to_string);
    s.store
        .transact(move |txn| {
            let current: Option<Value> = txn.get(&k)?.map(|b| db::decode(&b)).transpose()?;
            if let Some(doc) = &current {
                policy::check_revision(doc, rev.as_deref(), GETTER)?;
            } else if rev.is_some() {
                return Err(errors::precondition(GETTER));
            }
            let doc = json!({ "Statement": list.clone(), "RevisionId": uuid::Uuid::new_v4().to_string() });
            txn.put(k.clone(), db::encode(&doc));
            Ok(())
        })
        .await?;
    get(s, ctx, input)
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = target(s, ctx, input)?;
    policy::read_document(s, policy::key(ctx, &r), "No policy is associated with the given resource.")
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = target(s, ctx, input)?;
    let k = policy::key(ctx, &r);
    let rev = input.str("RevisionId").map(str::to_string);
    s.store
        .transact(move |txn| {
            let doc: Value = match txn.get(&k)? {
                Some(b) => db::decode(&b)?,
                None => return Err(errors::not_found("No policy is associated with the given resource.")),
            };
            policy::check_revision(&doc, rev.as_deref(), GETTER)?;
            txn.delete(k.clone());
            Ok(())
        })
        .await?;
    Ok(json!({}))
}
