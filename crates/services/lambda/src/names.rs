//! Function names as callers give them: a plain name, `name:qualifier`,
//! a partial ARN (`123456789012:function:name`) or a full ARN, and the
//! ARNs Lambda answers with.

use crate::errors;
use stratus_core::{AwsError, RequestContext};

/// A function named by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct FnRef {
    pub name: String,
    pub qualifier: Option<String>,
}

/// Parses `FunctionName` and merges the explicit `Qualifier` member.
pub fn parse(ctx: &RequestContext, raw: &str, qualifier: Option<&str>) -> Result<FnRef, AwsError> {
    let parts: Vec<&str> = raw.split(':').collect();
    let (name, derived) = match parts.as_slice() {
        [name] => (*name, None),
        [name, q] => (*name, Some(*q)),
        [_acct, "function", name] => (*name, None),
        [_acct, "function", name, q] => (*name, Some(*q)),
        ["arn", _p, "lambda", region, _acct, "function", name, rest @ ..] if rest.len() <= 1 => {
            if *region != ctx.region {
                return Err(errors::not_found(format!(
                    "Functions from '{region}' are not reachable in this region ('{}')",
                    ctx.region
                )));
            }
            (*name, rest.first().copied())
        }
        _ => {
            return Err(errors::validation(format!(
                "1 validation error detected: Value '{raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
            )));
        }
    };
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(errors::validation(format!(
            "1 validation error detected: Value '{raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
        )));
    }
    let qualifier = match (derived, qualifier) {
        (Some(d), Some(q)) if d != q => {
            return Err(errors::invalid(
                "The derived qualifier from the function name does not match the specified qualifier.",
            ));
        }
        (Some(d), _) => Some(d.to_string()),
        (None, q) => q.map(str::to_string),
    };
    Ok(FnRef { name: name.to_string(), qualifier })
}

/// `arn:aws:lambda:{region}:{account}:function:{name}`.
pub fn function_arn(ctx: &RequestContext, name: &str) -> String {
    format!("arn:aws:lambda:{}:{}:function:{name}", ctx.region, ctx.account_id)
}

/// The function ARN with `:qualifier` when there is one.
pub fn qualified_arn(ctx: &RequestContext, name: &str, qualifier: Option<&str>) -> String {
    match qualifier {
        Some(q) => format!("{}:{q}", function_arn(ctx, name)),
        None => function_arn(ctx, name),
    }
}

/// Whether a qualifier names a published version (digits) rather than an alias.
pub fn is_version(q: &str) -> bool {
    !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit())
}
