//! AddLayerVersionPermission, GetLayerVersionPolicy, RemoveLayerVersionPermission:
//! a layer version's resource-based policy (who may `lambda:GetLayerVersion`
//! it), stored at `lambda/{acct}/{region}/layerpolicy/{name}/{version:010}`
//! and removed with the version. The statements are built and kept as the
//! function policies' are (`policy`). Recorded and returned as AWS does;
//! Stratus does not authorise layer reads per principal.

use crate::db;
use crate::errors;
use crate::layers;
use crate::policy;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// AWS's precondition message points to this API.
const GETTER: &str = "GetLayerPolicy";

pub(crate) fn key(ctx: &RequestContext, name: &str, version: i64) -> String {
    format!("{}layerpolicy/{name}/{version:010}", db::prefix(ctx))
}

/// The layer version the request names (`LayerName` may be the layer's
/// ARN), which must exist: its name, number and ARN.
fn target(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<(String, i64, String), AwsError> {
    let raw = input.req_str("LayerName")?;
    let name = if raw.starts_with("arn:") { raw.rsplit(':').next().unwrap_or(raw) } else { raw };
    let v = input.i64("VersionNumber").unwrap_or(0);
    let arn = format!("{}:{v}", layers::layer_arn(ctx, name));
    if layers::get_version(s, ctx, name, v)?.is_none() {
        return Err(errors::not_found(format!("Layer version {arn} does not exist.")));
    }
    Ok((name.to_string(), v, arn))
}

pub async fn add(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (name, v, arn) = target(s, ctx, input)?;
    let mut st = json!({
        "Sid": input.req_str("StatementId")?,
        "Effect": "Allow",
        "Principal": policy::principal(input.req_str("Principal")?),
        "Action": input.req_str("Action")?,
        "Resource": arn,
    });
    if let Some(org) = input.str("OrganizationId") {
        st["Condition"] = json!({ "StringEquals": { "aws:PrincipalOrgID": org } });
    }
    let rev = policy::add_statement(s, key(ctx, &name, v), st.clone(), input.str("RevisionId"), GETTER).await?;
    Ok(json!({ "Statement": st.to_string(), "RevisionId": rev }))
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (name, v, _) = target(s, ctx, input)?;
    policy::read_document(s, key(ctx, &name, v), "No policy is associated with the given resource.")
}

pub async fn remove(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (name, v, _) = target(s, ctx, input)?;
    let sid = input.req_str("StatementId")?.to_string();
    policy::remove_statement(s, key(ctx, &name, v), sid, input.str("RevisionId"), GETTER).await?;
    Ok(json!({}))
}
