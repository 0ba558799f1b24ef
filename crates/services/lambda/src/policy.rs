//! AddPermission, GetPolicy, RemovePermission: the function's resource-based
//! policy per qualifier, stored at `lambda/{acct}/{region}/policy/{name}/{qualifier}`.
//! Recorded and returned as AWS does; not enforced on Invoke (callers are
//! not authorised per principal in Stratus).

use crate::db;
use crate::errors;
use crate::names::{self, FnRef};
use crate::resolve;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// Where the policy of version or alias `r` is kept.
pub(crate) fn key(ctx: &RequestContext, r: &FnRef) -> String {
    format!("{}policy/{}/{}", db::prefix(ctx), r.name, r.qualifier.as_deref().unwrap_or("$LATEST"))
}

/// A `Principal` as a statement stores it: `*`, an account's root, an
/// ARN, or a service.
pub(crate) fn principal(p: &str) -> Value {
    if p == "*" {
        Value::from("*")
    } else if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        json!({ "AWS": format!("arn:aws:iam::{p}:root") })
    } else if p.starts_with("arn:") {
        json!({ "AWS": p })
    } else {
        json!({ "Service": p })
    }
}

pub async fn add(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    if r.qualifier.as_deref() == Some("$LATEST") {
        return Err(errors::invalid("We currently do not support adding policies for $LATEST."));
    }
    resolve::version(s, ctx, &r, false)?;
    let mut st = json!({
        "Sid": input.req_str("StatementId")?,
        "Effect": "Allow",
        "Principal": principal(input.req_str("Principal")?),
        "Action": input.req_str("Action")?,
        "Resource": names::qualified_arn(ctx, &r.name, r.qualifier.as_deref()),
    });
    let mut cond = serde_json::Map::new();
    if let Some(a) = input.str("SourceArn") {
        cond.insert("ArnLike".into(), json!({ "AWS:SourceArn": a }));
    }
    let mut eq = serde_json::Map::new();
    if let Some(a) = input.str("SourceAccount") {
        eq.insert("AWS:SourceAccount".into(), a.into());
    }
    if let Some(a) = input.str("PrincipalOrgID") {
        eq.insert("aws:PrincipalOrgID".into(), a.into());
    }
    if let Some(a) = input.str("FunctionUrlAuthType") {
        eq.insert("lambda:FunctionUrlAuthType".into(), a.into());
    }
    if let Some(a) = input.str("EventSourceToken") {
        eq.insert("lambda:EventSourceToken".into(), a.into());
    }
    if !eq.is_empty() {
        cond.insert("StringEquals".into(), Value::Object(eq));
    }
    if !cond.is_empty() {
        st["Condition"] = Value::Object(cond);
    }
    add_statement(s, key(ctx, &r), st.clone(), input.str("RevisionId"), "GetPolicy").await?;
    Ok(json!({ "Statement": st.to_string() }))
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    resolve::version(s, ctx, &r, false)?;
    read_document(s, key(ctx, &r), "The resource you requested does not exist.")
}

pub async fn remove(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    resolve::version(s, ctx, &r, false)?;
    let sid = input.req_str("StatementId")?.to_string();
    remove_statement(s, key(ctx, &r), sid, input.str("RevisionId"), "GetPolicy").await?;
    Ok(json!({}))
}

/// Whether the function's policy lets a caller from `account` perform
/// `action` with the URL auth type `auth_type`: an Allow statement for the
/// action (or `lambda:*`), whose principal is `*`, the account or one of its
/// principals, and whose `lambda:FunctionUrlAuthType` condition, if any, matches.
pub(crate) fn allows(
    s: &Shared,
    ctx: &RequestContext,
    r: &FnRef,
    action: &str,
    (account, auth_type): (&str, &str),
) -> bool {
    let Some(doc) = s.store.get(key(ctx, r)).ok().flatten().and_then(|b| db::decode::<Value>(&b).ok()) else {
        return false;
    };
    let principal_ok = |p: &Value| match p {
        Value::String(p) => p == "*",
        _ => p.str("AWS").is_some_and(|a| a == "*" || a == account || a.contains(&format!("::{account}:"))),
    };
    doc.list("Statement").iter().any(|st| {
        st.str("Effect") == Some("Allow")
            && matches!(st.str("Action"), Some(a) if a == action || a == "lambda:*" || a == "*")
            && st.get("Principal").is_some_and(principal_ok)
            && st["Condition"]["StringEquals"]["lambda:FunctionUrlAuthType"].as_str().is_none_or(|t| t == auth_type)
    })
}

/// Appends `st` to the policy document stored at `k` (created on first use),
/// checking `RevisionId` and that its `Sid` is new; returns the new revision.
/// `getter` names the API AWS's precondition message points to.
pub(crate) async fn add_statement(
    s: &Shared,
    k: String,
    st: Value,
    rev: Option<&str>,
    getter: &'static str,
) -> Result<String, AwsError> {
    let rev = rev.map(str::to_string);
    let sid = st.str("Sid").unwrap_or("").to_string();
    s.store
        .transact(move |txn| {
            let mut doc: Value = match txn.get(&k)? {
                Some(b) => db::decode(&b)?,
                None => json!({ "Statement": [], "RevisionId": uuid::Uuid::new_v4().to_string() }),
            };
            check_revision(&doc, rev.as_deref(), getter)?;
            if doc.list("Statement").iter().any(|x| x.str("Sid") == Some(sid.as_str())) {
                return Err(errors::conflict(format!(
                    "The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the existing statement."
                )));
            }
            if let Some(a) = doc["Statement"].as_array_mut() {
                a.push(st.clone());
            }
            let new_rev = uuid::Uuid::new_v4().to_string();
            doc["RevisionId"] = new_rev.clone().into();
            txn.put(k.clone(), db::encode(&doc));
            Ok(new_rev)
        })
        .await
}

pub(crate) fn check_revision(doc: &Value, rev: Option<&str>, getter: &str) -> Result<(), AwsError> {
    match rev {
        Some(rev) if doc.str("RevisionId") != Some(rev) => Err(errors::precondition(getter)),
        _ => Ok(()),
    }
}

/// Removes statement `sid` from the policy document stored at `k`, with
/// AWS's errors for a missing policy, a missing statement or a stale revision.
pub(crate) async fn remove_statement(
    s: &Shared,
    k: String,
    sid: String,
    rev: Option<&str>,
    getter: &'static str,
) -> Result<(), AwsError> {
    let rev = rev.map(str::to_string);
    s.store
        .transact(move |txn| {
            let mut doc: Value = match txn.get(&k)? {
                Some(b) => db::decode(&b)?,
                None => return Err(errors::not_found("No policy is associated with the given resource.")),
            };
            check_revision(&doc, rev.as_deref(), getter)?;
            let before = doc.list("Statement").len();
            if let Some(a) = doc["Statement"].as_array_mut() {
                a.retain(|x| x.str("Sid") != Some(sid.as_str()));
            }
            if doc.list("Statement").len() == before {
                return Err(errors::not_found(format!("Statement {sid} is not found in resource policy.")));
            }
            doc["RevisionId"] = uuid::Uuid::new_v4().to_string().into();
            txn.put(k.clone(), db::encode(&doc));
            Ok(())
        })
        .await
}

/// GetPolicy's answer for the document stored at `k`: the policy as a JSON
/// string and its revision, or `missing` (404) when it has no statements.
pub(crate) fn read_document(s: &Shared, k: String, missing: &str) -> Result<Value, AwsError> {
    let doc: Value = s
        .store
        .get(k)?
        .map(|b| db::decode(&b))
        .transpose()?
        .filter(|d: &Value| !d.list("Statement").is_empty())
        .ok_or_else(|| errors::not_found(missing))?;
    let policy = json!({ "Version": "2012-10-17", "Id": "default", "Statement": doc["Statement"] });
    Ok(json!({ "Policy": policy.to_string(), "RevisionId": doc["RevisionId"] }))
}
