//! Bucket policy evaluation, as AWS's policy logic decides a request against
//! a bucket or object: an explicit Deny wins; the bucket owner's account is
//! allowed otherwise (identity policies are not evaluated); another account
//! or an anonymous caller needs a matching Allow. Also the IAM action and
//! resource ARN of each S3 operation, and the checks PutBucketPolicy makes
//! on a policy's actions and resources. Pure functions over JSON values: a
//! malformed stored policy matches nothing rather than failing a request.

use serde_json::Value;
use std::net::IpAddr;
use stratus_core::{AwsError, BodyStream, RequestContext};

use crate::shared::Shared;

/// The account the front door gives an unsigned S3 request in strict mode:
/// no real account, so only a policy naming Principal `*` lets it in.
pub const ANONYMOUS_ACCOUNT: &str = "anonymous";

/// The request as policy evaluation sees it.
pub struct Request<'a> {
    /// The caller's account (ignored when anonymous).
    pub account: &'a str,
    pub anonymous: bool,
    /// e.g. `s3:GetObject`.
    pub action: String,
    /// e.g. `arn:aws:s3:::bucket/key`.
    pub resource: String,
    /// Condition keys (lower-cased) and their values.
    pub context: Vec<(String, Vec<String>)>,
}

impl Request<'_> {
    fn value_of(&self, key: &str) -> Option<&[String]> {
        let key = key.to_ascii_lowercase();
        self.context.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_slice())
    }
}

/// Whether `policy` lets `req` through on a bucket owned by `owner`.
pub fn permits(policy: Option<&Value>, owner: &str, req: &Request) -> bool {
    let statements = policy.map(statements).unwrap_or_default();
    let matching = |effect: &str| statements.iter().any(|s| effect_is(s, effect) && statement_matches(s, req));
    if matching("Deny") {
        return false;
    }
    (!req.anonymous && req.account == owner) || matching("Allow")
}

/// A policy's statements (one object or an array of them).
fn statements(policy: &Value) -> Vec<&Value> {
    match policy.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

fn effect_is(statement: &Value, effect: &str) -> bool {
    statement.get("Effect").and_then(Value::as_str) == Some(effect)
}

/// A string or an array of strings (numbers and booleans as text).
fn strings(v: Option<&Value>) -> Vec<String> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    };
    match v {
        Some(Value::Array(list)) => list.iter().filter_map(one).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}

fn statement_matches(s: &Value, req: &Request) -> bool {
    let principal = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), _) => principal_names(p, req),
        (None, Some(p)) => !principal_names(p, req),
        (None, None) => false,
    };
    principal
        && either(s, "Action", "NotAction", |p| glob(&p.to_ascii_lowercase(), &req.action.to_ascii_lowercase()))
        && either(s, "Resource", "NotResource", |p| glob(p, &req.resource))
        && s.get("Condition").is_none_or(|c| conditions_hold(c, req))
}

/// `name` matches one of its patterns, or `not_name` matches none of its.
fn either(s: &Value, name: &str, not_name: &str, matches: impl Fn(&str) -> bool) -> bool {
    match (s.get(name), s.get(not_name)) {
        (Some(v), _) => strings(Some(v)).iter().any(|p| matches(p)),
        (None, Some(v)) => !strings(Some(v)).iter().any(|p| matches(p)),
        (None, None) => false,
    }
}

/// Whether a Principal element names the caller: `*` (anyone, anonymous
/// included), or under `AWS` `*`, the account id or an ARN in its account.
fn principal_names(p: &Value, req: &Request) -> bool {
    if p.as_str() == Some("*") {
        return true;
    }
    strings(p.get("AWS")).iter().any(|name| {
        name == "*"
            || (!req.anonymous
                && (name == req.account || name.split(':').nth(4).is_some_and(|acct| acct == req.account)))
    })
}

/// Every operator block, every key in it, holds.
fn conditions_hold(c: &Value, req: &Request) -> bool {
    let Some(blocks) = c.as_object() else { return false };
    blocks.iter().all(|(op, keys)| {
        keys.as_object().is_some_and(|keys| {
            keys.iter().all(|(key, wanted)| condition_holds(op, req.value_of(key), &strings(Some(wanted))))
        })
    })
}

/// One operator on one key. A key missing from the request fails the
/// condition, except for `...IfExists`, `Null` and the negated operators.
fn condition_holds(op: &str, actual: Option<&[String]>, wanted: &[String]) -> bool {
    if op == "Null" {
        let absent = actual.is_none();
        return wanted.iter().any(|w| w.eq_ignore_ascii_case(if absent { "true" } else { "false" }));
    }
    let (base, if_exists) = op.strip_suffix("IfExists").map_or((op, false), |b| (b, true));
    let (positive, negated) = match base.find("Not") {
        Some(i) => (format!("{}{}", &base[..i], &base[i + 3..]), true),
        None => (base.to_string(), false),
    };
    // An unknown operator matches nothing, negated or not.
    if compare(&positive, "", "").is_none() {
        return false;
    }
    let Some(actual) = actual else { return if_exists || negated };
    let any = actual.iter().any(|a| wanted.iter().any(|w| compare(&positive, a, w).unwrap_or(false)));
    any != negated
}

/// The positive form of an operator on one value; None when unknown.
fn compare(op: &str, actual: &str, wanted: &str) -> Option<bool> {
    let number = |s: &str| s.trim().parse::<f64>().ok();
    let numeric = |f: fn(f64, f64) -> bool| Some(number(actual).zip(number(wanted)).is_some_and(|(a, w)| f(a, w)));
    match op {
        "StringEquals" | "ArnEquals" => Some(actual == wanted),
        "StringEqualsIgnoreCase" => Some(actual.eq_ignore_ascii_case(wanted)),
        "StringLike" | "ArnLike" => Some(glob(wanted, actual)),
        "Bool" => Some(actual.eq_ignore_ascii_case(wanted)),
        "IpAddress" => Some(in_cidr(actual, wanted)),
        "NumericEquals" => numeric(|a, w| a == w),
        "NumericLessThan" => numeric(|a, w| a < w),
        "NumericLessThanEquals" => numeric(|a, w| a <= w),
        "NumericGreaterThan" => numeric(|a, w| a > w),
        "NumericGreaterThanEquals" => numeric(|a, w| a >= w),
        _ => None,
    }
}

/// Whether `ip` falls in `cidr` (an address alone is a /32 or /128).
fn in_cidr(ip: &str, cidr: &str) -> bool {
    let (net, bits) = cidr.split_once('/').map_or((cidr, None), |(n, b)| (n, Some(b)));
    let (Ok(ip), Ok(net)) = (ip.parse::<IpAddr>(), net.trim().parse::<IpAddr>()) else { return false };
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u128::from(u32::from(a)), u128::from(u32::from(n)), 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => return false,
    };
    let bits = match bits.map(|b| b.trim().parse::<u32>()) {
        None => width,
        Some(Ok(b)) if b <= width => b,
        Some(_) => return false,
    };
    let shift = width - bits;
    shift >= 128 || (ip >> shift) == (net >> shift)
}

pub use stratus_core::glob::glob;

/// The IAM action of an S3 operation; `versioned` when the request names a
/// VersionId. Operations whose action is their own name fall through.
pub fn action(operation: &str, versioned: bool) -> String {
    let versioned_form = |plain: &str, version: &str| if versioned { version } else { plain }.to_string();
    let name = match operation {
        "GetObject" | "HeadObject" => return format!("s3:{}", versioned_form("GetObject", "GetObjectVersion")),
        "DeleteObject" | "DeleteObjects" => {
            return format!("s3:{}", versioned_form("DeleteObject", "DeleteObjectVersion"));
        }
        "GetObjectTagging" | "PutObjectTagging" | "DeleteObjectTagging" | "GetObjectAcl" | "PutObjectAcl" => {
            return format!("s3:{}", versioned_form(operation, &operation.replacen("Object", "ObjectVersion", 1)));
        }
        "PutObject"
        | "CopyObject"
        | "CreateMultipartUpload"
        | "UploadPart"
        | "UploadPartCopy"
        | "CompleteMultipartUpload" => "PutObject",
        "ListObjects" | "ListObjectsV2" | "HeadBucket" => "ListBucket",
        "ListObjectVersions" => "ListBucketVersions",
        "ListMultipartUploads" => "ListBucketMultipartUploads",
        "ListParts" => "ListMultipartUploadParts",
        "DeleteBucketTagging" => "PutBucketTagging",
        "PutBucketEncryption" | "DeleteBucketEncryption" => "PutEncryptionConfiguration",
        "GetBucketEncryption" => "GetEncryptionConfiguration",
        "DeleteBucketOwnershipControls" => "PutBucketOwnershipControls",
        "PutPublicAccessBlock" | "DeletePublicAccessBlock" => "PutBucketPublicAccessBlock",
        "GetPublicAccessBlock" => "GetBucketPublicAccessBlock",
        "PutBucketCors" | "DeleteBucketCors" => "PutBucketCORS",
        "GetBucketCors" => "GetBucketCORS",
        "PutBucketLifecycleConfiguration" | "DeleteBucketLifecycle" => "PutLifecycleConfiguration",
        "GetBucketLifecycleConfiguration" => "GetLifecycleConfiguration",
        "PutBucketNotificationConfiguration" => "PutBucketNotification",
        "GetBucketNotificationConfiguration" => "GetBucketNotification",
        "PutObjectLockConfiguration" => "PutBucketObjectLockConfiguration",
        "GetObjectLockConfiguration" => "GetBucketObjectLockConfiguration",
        "PutBucketAccelerateConfiguration" => "PutAccelerateConfiguration",
        "GetBucketAccelerateConfiguration" => "GetAccelerateConfiguration",
        "GetObjectAttributes" => {
            return format!("s3:{}", versioned_form("GetObjectAttributes", "GetObjectVersionAttributes"));
        }
        "PutObjectRetention" | "GetObjectRetention" | "PutObjectLegalHold" | "GetObjectLegalHold" => operation,
        other => other,
    };
    format!("s3:{name}")
}

/// The ARN of a bucket, or of an object in it.
pub fn resource(bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(k) => format!("arn:aws:s3:::{bucket}/{k}"),
        None => format!("arn:aws:s3:::{bucket}"),
    }
}

/// Why PutBucketPolicy refuses a policy's statements, as AWS words it.
pub fn invalid_statements(policy: &Value, bucket: &str) -> Option<&'static str> {
    for s in statements(policy) {
        let actions = [s.get("Action"), s.get("NotAction")].into_iter().flat_map(strings);
        if actions.into_iter().any(|a| !valid_action(&a)) {
            return Some("Policy has invalid action");
        }
        let resources = [s.get("Resource"), s.get("NotResource")].into_iter().flat_map(strings);
        if resources.into_iter().any(|r| !within_bucket(&r, bucket)) {
            return Some("Policy has invalid resource");
        }
    }
    None
}

/// `*`, or an `s3:` action name (wildcards allowed).
fn valid_action(action: &str) -> bool {
    let name = action.get(..3).filter(|p| p.eq_ignore_ascii_case("s3:")).map(|_| &action[3..]);
    action == "*"
        || name.is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || "*?".contains(c)))
}

/// An S3 ARN whose bucket part matches `bucket`.
fn within_bucket(resource: &str, bucket: &str) -> bool {
    let Some(rest) = resource.strip_prefix("arn:aws:s3:::") else { return false };
    let name = rest.split_once('/').map_or(rest, |(b, _)| b);
    glob(name, bucket)
}

/// The operations a bucket owner may always call, whatever the policy says
/// (so an owner cannot lock itself out).
const OWNER_ALWAYS: &[&str] = &["GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"];

/// Request members that are condition keys, and the keys' names.
const CONDITION_MEMBERS: &[(&str, &str)] = &[
    ("Prefix", "s3:prefix"),
    ("Delimiter", "s3:delimiter"),
    ("MaxKeys", "s3:max-keys"),
    ("ACL", "s3:x-amz-acl"),
    ("ServerSideEncryption", "s3:x-amz-server-side-encryption"),
    ("SSEKMSKeyId", "s3:x-amz-server-side-encryption-aws-kms-key-id"),
    ("StorageClass", "s3:x-amz-storage-class"),
    ("VersionId", "s3:versionid"),
    ("CopySource", "s3:x-amz-copy-source"),
    ("MetadataDirective", "s3:x-amz-metadata-directive"),
];

pub fn access_denied() -> AwsError {
    AwsError::new(403, "AccessDenied", "Access Denied")
}

/// Refuses the request `ctx`/`input` with AccessDenied when the bucket's
/// policy (or its absence, for another account or an anonymous caller)
/// does not let it through; a copy also needs the source bucket's leave to
/// read its object. A missing bucket is left to the operation, and so are
/// DeleteObjects' keys, which [`permits_key`] decides one by one.
pub fn authorize(sh: &Shared, ctx: &RequestContext, input: &Value) -> Result<(), AwsError> {
    let anonymous = ctx.account_id == ANONYMOUS_ACCOUNT;
    let bucket = match input.get("Bucket").and_then(Value::as_str) {
        Some(b) if ctx.operation != "CreateBucket" => b,
        // Bucket-less operations (ListBuckets, CreateBucket) need a caller.
        _ if anonymous => return Err(access_denied()),
        _ => return Ok(()),
    };
    if ctx.operation != "DeleteObjects" {
        let versioned = input.get("VersionId").and_then(Value::as_str).is_some_and(|s| !s.is_empty());
        let key = input.get("Key").and_then(Value::as_str);
        if !allowed(sh, ctx, input, bucket, key, &action(ctx.operation, versioned))? {
            return Err(access_denied());
        }
    }
    if let ("CopyObject" | "UploadPartCopy", Some(source)) = (ctx.operation, input.get("CopySource")) {
        // A malformed source is the operation's own error to give.
        let Some(src) = source.as_str().and_then(|s| crate::copy::parse_source(s).ok()) else { return Ok(()) };
        let read = action("GetObject", src.version_id.is_some());
        if !allowed(sh, ctx, input, &src.bucket, Some(&src.key), &read)? {
            return Err(access_denied());
        }
    }
    Ok(())
}

/// Whether DeleteObjects may delete `key` (a version of it when
/// `versioned`); a refused key is reported in the answer's errors.
pub fn permits_key(
    sh: &Shared,
    ctx: &RequestContext,
    input: &Value,
    bucket: &str,
    key: &str,
    versioned: bool,
) -> Result<bool, AwsError> {
    allowed(sh, ctx, input, bucket, Some(key), &action("DeleteObject", versioned))
}

/// Whether `bucket`'s policy lets the caller of `ctx` do `action` on the
/// bucket or on its object `key`; true for a missing bucket.
fn allowed(
    sh: &Shared,
    ctx: &RequestContext,
    input: &Value,
    bucket: &str,
    key: Option<&str>,
    action: &str,
) -> Result<bool, AwsError> {
    let anonymous = ctx.account_id == ANONYMOUS_ACCOUNT;
    let Some(record) = sh.bucket_opt(bucket)? else { return Ok(true) };
    let owner = !anonymous && ctx.account_id == record.account;
    if owner && (record.policy.is_none() || OWNER_ALWAYS.contains(&ctx.operation)) {
        return Ok(true);
    }
    let policy = record.policy.as_deref().and_then(|p| serde_json::from_str::<Value>(p).ok());
    let req = Request {
        account: &ctx.account_id,
        anonymous,
        action: action.to_string(),
        resource: resource(bucket, key),
        context: condition_context(ctx, input, anonymous),
    };
    Ok(permits(policy.as_ref(), &record.account, &req))
}

/// Reads and drops (up to a bound) the body of a refused upload, so the
/// connection is left at the next request rather than mid-body.
pub async fn drain(mut body: BodyStream) {
    let mut left: usize = 16 << 20;
    while left > 0
        && let Some(Ok(chunk)) = body.chunk().await
    {
        left = left.saturating_sub(chunk.len());
    }
}

/// The condition keys Stratus knows for a request: plain HTTP from the
/// local machine, the caller's account, and the request's own members.
fn condition_context(ctx: &RequestContext, input: &Value, anonymous: bool) -> Vec<(String, Vec<String>)> {
    let mut out = vec![
        ("aws:securetransport".to_string(), vec!["false".to_string()]),
        ("aws:sourceip".to_string(), vec!["127.0.0.1".to_string()]),
        ("aws:principaltype".to_string(), vec![if anonymous { "Anonymous" } else { "Account" }.to_string()]),
    ];
    if !anonymous {
        out.push(("aws:principalaccount".to_string(), vec![ctx.account_id.clone()]));
    }
    for (member, key) in CONDITION_MEMBERS {
        let value = strings(input.get(*member));
        if !value.is_empty() {
            out.push((key.to_string(), value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req(account: &'static str, action: &str, resource: &str) -> Request<'static> {
        Request {
            account,
            anonymous: account == ANONYMOUS_ACCOUNT,
            action: action.into(),
            resource: resource.into(),
            context: vec![
                ("aws:securetransport".into(), vec!["false".into()]),
                ("aws:sourceip".into(), vec!["127.0.0.1".into()]),
            ],
        }
    }

    const OWNER: &str = "111111111111";

    #[test]
    fn deny_wins_and_owner_is_allowed_otherwise() {
        let p = json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:delete*",
            "Resource": "arn:aws:s3:::b/locked/*"}]});
        assert!(!permits(Some(&p), OWNER, &req(OWNER, "s3:DeleteObject", "arn:aws:s3:::b/locked/x")));
        assert!(permits(Some(&p), OWNER, &req(OWNER, "s3:DeleteObject", "arn:aws:s3:::b/open/x")));
        assert!(permits(Some(&p), OWNER, &req(OWNER, "s3:GetObject", "arn:aws:s3:::b/locked/x")));
        assert!(permits(None, OWNER, &req(OWNER, "s3:GetObject", "arn:aws:s3:::b/x")));
    }

    #[test]
    fn other_accounts_and_anonymous_need_an_allow() {
        let other = req("222222222222", "s3:GetObject", "arn:aws:s3:::b/x");
        let anon = req(ANONYMOUS_ACCOUNT, "s3:GetObject", "arn:aws:s3:::b/x");
        assert!(!permits(None, OWNER, &other));
        assert!(!permits(None, OWNER, &anon));
        let by_arn = json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::222222222222:root"]},
            "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}});
        assert!(permits(Some(&by_arn), OWNER, &other));
        assert!(!permits(Some(&by_arn), OWNER, &anon));
        let by_id = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "222222222222"},
            "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]});
        assert!(permits(Some(&by_id), OWNER, &other));
        let public = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*"}]});
        assert!(permits(Some(&public), OWNER, &anon));
        assert!(!permits(Some(&public), OWNER, &req(ANONYMOUS_ACCOUNT, "s3:PutObject", "arn:aws:s3:::b/x")));
    }

    #[test]
    fn not_action_not_resource_and_not_principal() {
        let p = json!({"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": OWNER}, "NotAction": "s3:Get*",
            "NotResource": "arn:aws:s3:::b/public/*"}]});
        let other = |a: &str, r: &str| permits(Some(&p), "333333333333", &req("222222222222", a, r));
        // 222… is not the NotPrincipal, so the Deny applies to it outside Get* and public/.
        assert!(!other("s3:PutObject", "arn:aws:s3:::b/x"));
        assert!(!permits(Some(&p), "222222222222", &req("222222222222", "s3:PutObject", "arn:aws:s3:::b/x")));
        assert!(permits(Some(&p), "222222222222", &req("222222222222", "s3:GetObject", "arn:aws:s3:::b/x")));
        assert!(permits(Some(&p), OWNER, &req(OWNER, "s3:PutObject", "arn:aws:s3:::b/x")));
    }

    #[test]
    fn conditions() {
        let r = req(OWNER, "s3:GetObject", "arn:aws:s3:::b/x");
        let deny = |c: Value| {
            json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": c}]})
        };
        let denied = |c: Value| !permits(Some(&deny(c)), OWNER, &r);
        assert!(denied(json!({"Bool": {"aws:SecureTransport": "false"}})));
        assert!(denied(json!({"Bool": {"aws:SecureTransport": false}})));
        assert!(!denied(json!({"Bool": {"aws:SecureTransport": "true"}})));
        assert!(denied(json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.0/8"]}})));
        assert!(!denied(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})));
        assert!(denied(json!({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})));
        // A key the request lacks fails the condition, except the negated and IfExists forms.
        assert!(!denied(json!({"StringEquals": {"s3:x-amz-acl": "public-read"}})));
        assert!(denied(json!({"StringNotEquals": {"s3:x-amz-acl": "private"}})));
        assert!(denied(json!({"StringEqualsIfExists": {"s3:x-amz-acl": "public-read"}})));
        assert!(denied(json!({"Null": {"s3:x-amz-acl": "true"}})));
        assert!(!denied(json!({"NoSuchOperator": {"aws:SecureTransport": "false"}})));
        assert!(!denied(json!({"NumericLessThan": {"aws:SourceIp": "3"}})));
        assert!(denied(json!({"StringLike": {"aws:SourceIp": "127.*"}, "Bool": {"aws:SecureTransport": "false"}})));
        assert!(!denied(json!({"StringLike": {"aws:SourceIp": "127.*"}, "Bool": {"aws:SecureTransport": "true"}})));
    }

    #[test]
    fn malformed_policies_match_nothing() {
        for p in [json!("text"), json!({"Statement": 3}), json!({"Statement": [{"Effect": "Deny", "Principal": 5}]})] {
            assert!(permits(Some(&p), OWNER, &req(OWNER, "s3:GetObject", "arn:aws:s3:::b/x")));
        }
    }

    #[test]
    fn wildcards() {
        assert!(glob("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b"));
        assert!(glob("s3:get?bject", "s3:getobject"));
        assert!(!glob("s3:get?bject", "s3:getobjects"));
        assert!(glob("*", ""));
        assert!(!glob("a*b", "ac"));
    }

    #[test]
    fn actions_and_validation() {
        assert_eq!(action("HeadObject", true), "s3:GetObjectVersion");
        assert_eq!(action("PutObjectTagging", true), "s3:PutObjectVersionTagging");
        assert_eq!(action("ListObjectsV2", false), "s3:ListBucket");
        assert_eq!(action("GetBucketPolicy", false), "s3:GetBucketPolicy");
        let p = |a: &str, r: &str| json!({"Statement": [{"Action": a, "Resource": r}]});
        assert_eq!(invalid_statements(&p("s3:Get*", "arn:aws:s3:::b/*"), "b"), None);
        assert_eq!(invalid_statements(&p("sqs:SendMessage", "arn:aws:s3:::b"), "b"), Some("Policy has invalid action"));
        assert_eq!(invalid_statements(&p("s3:GetObject", "*"), "b"), Some("Policy has invalid resource"));
        assert_eq!(
            invalid_statements(&p("s3:GetObject", "arn:aws:s3:::other/*"), "b"),
            Some("Policy has invalid resource")
        );
    }
}
