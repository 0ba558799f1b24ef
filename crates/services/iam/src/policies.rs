//! Managed policies: the `ManagedPolicy` record (customer policies in the
//! store, AWS-managed ones from `aws_managed`), resolving a policy ARN,
//! CreatePolicy, GetPolicy, DeletePolicy, ListPolicies, the version
//! operations with IAM's five-version limit, and policy tags.

use crate::aws_managed;
use crate::db::{self, Read};
use crate::documents;
use crate::errors;
use crate::keys;
use crate::links::{ATTACHMENTS, BOUNDARIES};
use crate::pagination;
use crate::tags::{self, Tag, Tagged};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext, arn, clock, ids};
use stratus_store::Store;

/// The most versions one managed policy keeps.
const MAX_VERSIONS: usize = 5;
/// The largest managed policy document (characters other than whitespace).
const MAX_POLICY_SIZE: usize = 6144;

/// One managed policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub path: String,
    #[serde(default)]
    pub description: Option<String>,
    pub create_date: f64,
    pub update_date: f64,
    pub default_version: String,
    pub next_version: u32,
    pub versions: Vec<PolicyVersion>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// One version of a managed policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub id: String,
    pub document: String,
    pub create_date: f64,
}

impl Tagged for ManagedPolicy {
    fn tags(&self) -> &[Tag] {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Vec<Tag> {
        &mut self.tags
    }
}

/// Which response a policy is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// CreatePolicy, GetPolicy: with description and tags.
    Full,
    /// ListPolicies: without them.
    List,
}

impl ManagedPolicy {
    fn to_json(&self, attachments: usize, boundaries: usize, view: View) -> Value {
        let mut m = Map::new();
        m.insert("PolicyName".into(), json!(self.name));
        m.insert("PolicyId".into(), json!(self.id));
        m.insert("Arn".into(), json!(self.arn));
        m.insert("Path".into(), json!(self.path));
        m.insert("DefaultVersionId".into(), json!(self.default_version));
        m.insert("AttachmentCount".into(), json!(attachments));
        m.insert("PermissionsBoundaryUsageCount".into(), json!(boundaries));
        m.insert("IsAttachable".into(), json!(true));
        if let (View::Full, Some(d)) = (view, &self.description) {
            m.insert("Description".into(), json!(d));
        }
        m.insert("CreateDate".into(), json!(self.create_date));
        m.insert("UpdateDate".into(), json!(self.update_date));
        if view == View::Full && !self.tags.is_empty() {
            m.insert("Tags".into(), tags::to_json(&self.tags));
        }
        Value::Object(m)
    }

    fn is_aws(&self) -> bool {
        self.arn.starts_with("arn:aws:iam::aws:")
    }

    fn version(&self, id: &str) -> Option<&PolicyVersion> {
        self.versions.iter().find(|v| v.id == id)
    }

    fn version_json(&self, v: &PolicyVersion, with_document: bool) -> Value {
        let mut m = Map::new();
        if with_document {
            m.insert("Document".into(), json!(documents::encode(&v.document)));
        }
        m.insert("VersionId".into(), json!(v.id));
        m.insert("IsDefaultVersion".into(), json!(v.id == self.default_version));
        m.insert("CreateDate".into(), json!(v.create_date));
        Value::Object(m)
    }
}

/// What a failed lookup reports, which differs by operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// "Policy {arn} was not found." (GetPolicy, DeletePolicy, versions, tags).
    NotFound,
    /// "Policy {arn} does not exist or is not attachable." (Attach*).
    Attach,
    /// "Scope ARN: {arn} does not exist or is not attachable." (boundaries).
    Boundary,
}

impl Missing {
    fn error(self, arn: &str) -> AwsError {
        errors::no_such_entity(match self {
            Missing::NotFound => format!("Policy {arn} was not found."),
            Missing::Attach => format!("Policy {arn} does not exist or is not attachable."),
            Missing::Boundary => format!("Scope ARN: {arn} does not exist or is not attachable."),
        })
    }
}

/// The policy with ARN `policy_arn` as seen from `account`: an AWS-managed
/// policy or one of the account's own; `None` when there is no such policy.
pub fn find(r: &(impl Read + ?Sized), account: &str, policy_arn: &str) -> Result<Option<ManagedPolicy>, AwsError> {
    let parsed = arn::parse(policy_arn).ok_or_else(errors::invalid_arn)?;
    if parsed.service != "iam" || !parsed.resource.starts_with("policy/") {
        return Ok(None);
    }
    if parsed.account == "aws" {
        return Ok(aws_managed::find(policy_arn));
    }
    if parsed.account != account {
        return Ok(None);
    }
    let name = parsed.resource.rsplit('/').next().unwrap_or_default();
    let policy: Option<ManagedPolicy> = db::load(r, &keys::entity(account, "policy", name))?;
    Ok(policy.filter(|p| p.arn.eq_ignore_ascii_case(policy_arn)))
}

/// [`find`], or `NoSuchEntity` in the words `missing` gives.
pub fn require(
    r: &(impl Read + ?Sized),
    account: &str,
    policy_arn: &str,
    missing: Missing,
) -> Result<ManagedPolicy, AwsError> {
    find(r, account, policy_arn)?.ok_or_else(|| missing.error(policy_arn))
}

/// A customer policy that may be changed (AWS-managed ones may not).
fn require_own(r: &(impl Read + ?Sized), account: &str, policy_arn: &str) -> Result<ManagedPolicy, AwsError> {
    let policy = require(r, account, policy_arn, Missing::NotFound)?;
    if policy.is_aws() {
        return Err(errors::invalid_input(format!("ARN {policy_arn} is not valid.")));
    }
    Ok(policy)
}

fn usage(r: &(impl Read + ?Sized), account: &str, policy_arn: &str) -> Result<(usize, usize), AwsError> {
    Ok((ATTACHMENTS.sources(r, account, policy_arn)?.len(), BOUNDARIES.sources(r, account, policy_arn)?.len()))
}

fn check_document(document: &str) -> Result<(), AwsError> {
    documents::validate_identity(document)?;
    if documents::size(document) > MAX_POLICY_SIZE {
        return Err(errors::limit_exceeded(format!("Cannot exceed quota for PolicySize: {MAX_POLICY_SIZE}")));
    }
    Ok(())
}

/// CreatePolicy.
pub async fn create(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let name = input.req_str("PolicyName")?.to_string();
    let document = input.req_str("PolicyDocument")?.to_string();
    check_document(&document)?;
    let path = input.str("Path").unwrap_or("/").to_string();
    let now = clock::now_epoch().floor();
    let policy = ManagedPolicy {
        arn: format!("arn:aws:iam::{account}:policy{path}{name}"),
        id: ids::iam_id("ANPA"),
        name,
        path,
        description: input.str("Description").map(str::to_string),
        create_date: now,
        update_date: now,
        default_version: "v1".into(),
        next_version: 2,
        versions: vec![PolicyVersion { id: "v1".into(), document, create_date: now }],
        tags: tags::from_input(input)?,
    };
    let out = policy.to_json(0, 0, View::Full);
    store
        .transact(move |txn| {
            let key = keys::entity(&account, "policy", &policy.name);
            if txn.contains(&key)? {
                return Err(errors::already_exists(format!(
                    "A policy called {} already exists. Duplicate names are not allowed.",
                    policy.name
                )));
            }
            db::save(txn, &key, &policy)
        })
        .await?;
    Ok(json!({"Policy": out}))
}

/// GetPolicy.
pub fn get(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let arn = input.req_str("PolicyArn")?;
    let policy = require(&snap, &ctx.account_id, arn, Missing::NotFound)?;
    let (attachments, boundaries) = usage(&snap, &ctx.account_id, &policy.arn)?;
    Ok(json!({"Policy": policy.to_json(attachments, boundaries, View::Full)}))
}

/// DeletePolicy: refused while attached or while it has other versions.
pub async fn delete(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let arn = input.req_str("PolicyArn")?.to_string();
    store
        .transact(move |txn| {
            let policy = require_own(txn, &account, &arn)?;
            let (attachments, boundaries) = usage(txn, &account, &policy.arn)?;
            if attachments + boundaries > 0 {
                return Err(errors::delete_conflict("Cannot delete a policy attached to entities."));
            }
            if policy.versions.len() > 1 {
                return Err(errors::delete_conflict(
                    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
                ));
            }
            txn.delete(keys::entity(&account, "policy", &policy.name));
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(json!({}))
}

/// ListPolicies: AWS-managed policies first, then the account's own, each
/// ordered by name; filtered by `Scope`, `PathPrefix`, `OnlyAttached` and
/// `PolicyUsageFilter`.
pub fn list(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let snap = db::snapshot(store)?;
    let scope = input.str("Scope").unwrap_or("All");
    let prefix = input.str("PathPrefix").unwrap_or("/");
    let only_attached = input.bool("OnlyAttached").unwrap_or(false);
    let usage_filter = input.str("PolicyUsageFilter");
    let mut candidates: Vec<(String, ManagedPolicy)> = Vec::new();
    if scope != "Local" {
        candidates.extend(aws_managed::all().into_iter().map(|p| (format!("a/{}", p.name.to_lowercase()), p)));
    }
    if scope != "AWS" {
        let own: Vec<(String, ManagedPolicy)> = db::load_prefix(&snap, &keys::entities(&ctx.account_id, "policy"))?;
        candidates.extend(own.into_iter().map(|(k, p)| (format!("l/{k}"), p)));
    }
    let mut rows = Vec::new();
    for (key, policy) in candidates {
        if !policy.path.starts_with(prefix) {
            continue;
        }
        let (attachments, boundaries) = usage(&snap, &ctx.account_id, &policy.arn)?;
        let used = match usage_filter {
            Some("PermissionsPolicy") => attachments > 0,
            Some("PermissionsBoundary") => boundaries > 0,
            _ => attachments + boundaries > 0,
        };
        if only_attached && !used {
            continue;
        }
        rows.push((key, policy.to_json(attachments, boundaries, View::List)));
    }
    let page = pagination::page(rows, |(k, _)| k.clone(), input)?;
    Ok(page.output("Policies", |(_, v)| v))
}

/// CreatePolicyVersion.
pub async fn create_version(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let arn = input.req_str("PolicyArn")?.to_string();
    let document = input.req_str("PolicyDocument")?.to_string();
    check_document(&document)?;
    let set_default = input.bool("SetAsDefault").unwrap_or(false);
    let out = store
        .transact(move |txn| {
            let mut policy = require_own(txn, &account, &arn)?;
            if policy.versions.len() >= MAX_VERSIONS {
                return Err(errors::limit_exceeded(
                    "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
                ));
            }
            let now = clock::now_epoch().floor();
            let version = PolicyVersion { id: format!("v{}", policy.next_version), document: document.clone(), create_date: now };
            policy.next_version += 1;
            if set_default {
                policy.default_version = version.id.clone();
                policy.update_date = now;
            }
            let out = policy.version_json(&version, false);
            policy.versions.push(version);
            db::save(txn, &keys::entity(&account, "policy", &policy.name), &policy)?;
            Ok::<_, AwsError>(out)
        })
        .await?;
    Ok(json!({"PolicyVersion": out}))
}

fn version_missing(arn: &str, version: &str) -> AwsError {
    errors::no_such_entity(format!("Policy {arn} version {version} does not exist or is not attachable."))
}

/// GetPolicyVersion.
pub fn get_version(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("PolicyArn")?;
    let version = input.req_str("VersionId")?;
    let policy = require(&db::snapshot(store)?, &ctx.account_id, arn, Missing::NotFound)?;
    let v = policy.version(version).ok_or_else(|| version_missing(arn, version))?;
    Ok(json!({"PolicyVersion": policy.version_json(v, true)}))
}

/// ListPolicyVersions, newest first.
pub fn list_versions(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("PolicyArn")?;
    let policy = require(&db::snapshot(store)?, &ctx.account_id, arn, Missing::NotFound)?;
    let rows: Vec<(usize, Value)> =
        policy.versions.iter().rev().map(|v| policy.version_json(v, false)).enumerate().collect();
    let page = pagination::page(rows, |(i, _)| format!("{i:08}"), input)?;
    Ok(page.output("Versions", |(_, v)| v))
}

/// DeletePolicyVersion: the default version cannot be deleted.
pub async fn delete_version(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let arn = input.req_str("PolicyArn")?.to_string();
    let version = input.req_str("VersionId")?.to_string();
    store
        .transact(move |txn| {
            let mut policy = require_own(txn, &account, &arn)?;
            if policy.version(&version).is_none() {
                return Err(version_missing(&arn, &version));
            }
            if policy.default_version == version {
                return Err(errors::delete_conflict("Cannot delete the default version of a policy."));
            }
            policy.versions.retain(|v| v.id != version);
            db::save(txn, &keys::entity(&account, "policy", &policy.name), &policy)
        })
        .await?;
    Ok(json!({}))
}

/// SetDefaultPolicyVersion.
pub async fn set_default_version(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let account = ctx.account_id.clone();
    let arn = input.req_str("PolicyArn")?.to_string();
    let version = input.req_str("VersionId")?.to_string();
    store
        .transact(move |txn| {
            let mut policy = require_own(txn, &account, &arn)?;
            if policy.version(&version).is_none() {
                return Err(version_missing(&arn, &version));
            }
            if policy.default_version != version {
                policy.default_version = version.clone();
                policy.update_date = clock::now_epoch().floor();
            }
            db::save(txn, &keys::entity(&account, "policy", &policy.name), &policy)
        })
        .await?;
    Ok(json!({}))
}

/// TagPolicy, UntagPolicy, ListPolicyTags.
pub async fn tags_op(store: &Store, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("PolicyArn")?;
    let policy = require_own(&db::snapshot(store)?, &ctx.account_id, arn)?;
    let key = keys::entity(&ctx.account_id, "policy", &policy.name);
    let missing = Missing::NotFound.error(arn);
    match ctx.operation {
        "TagPolicy" => tags::tag::<ManagedPolicy>(store, key, missing, "Policy", input).await,
        "UntagPolicy" => tags::untag::<ManagedPolicy>(store, key, missing, input).await,
        _ => tags::list::<ManagedPolicy>(store, &key, missing, input),
    }
}
