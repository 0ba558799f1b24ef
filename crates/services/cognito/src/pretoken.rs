//! The pre token generation trigger: V1 events (`claimsOverrideDetails`,
//! ID token claims and groups) and V2/V3 events
//! (`claimsAndScopeOverrideDetails`, ID and access token claims, scopes),
//! read into the overrides `tokens` applies.

use serde_json::{Map, Value, json};
use stratus_core::AwsError;

use crate::model::{Client, Group, Pool, User};
use crate::shared::Shared;
use crate::triggers::{run, user_attributes, with_metadata};

/// What a pre token generation trigger asked for.
#[derive(Debug, Default)]
pub struct TokenOverrides {
    pub id_add: Map<String, Value>,
    pub id_suppress: Vec<String>,
    pub access_add: Map<String, Value>,
    pub access_suppress: Vec<String>,
    pub groups: Option<Vec<String>>,
    pub roles: Option<Vec<String>>,
    pub preferred_role: Option<String>,
    pub scopes_add: Vec<String>,
    pub scopes_suppress: Vec<String>,
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
}

/// `claimsToAddOrOverride` and `claimsToSuppress` of one token.
fn claims(d: Option<&Value>) -> (Map<String, Value>, Vec<String>) {
    let add = d.and_then(|d| d.get("claimsToAddOrOverride")).and_then(Value::as_object).cloned().unwrap_or_default();
    (add, strings(d.and_then(|d| d.get("claimsToSuppress"))).unwrap_or_default())
}

impl TokenOverrides {
    fn read_groups(&mut self, g: Option<&Value>) {
        if let Some(g) = g.filter(|g| g.is_object()) {
            self.groups = strings(g.get("groupsToOverride"));
            self.roles = strings(g.get("iamRolesToOverride"));
            self.preferred_role = g.get("preferredRole").and_then(Value::as_str).map(str::to_string);
        }
    }

    /// Reads a V1 or V2/V3 `response`.
    fn from_response(resp: &Value) -> TokenOverrides {
        let mut out = TokenOverrides::default();
        if let Some(d) = resp.get("claimsOverrideDetails").filter(|d| d.is_object()) {
            (out.id_add, out.id_suppress) = claims(Some(d));
            out.read_groups(d.get("groupOverrideDetails"));
        }
        if let Some(d) = resp.get("claimsAndScopeOverrideDetails").filter(|d| d.is_object()) {
            (out.id_add, out.id_suppress) = claims(d.get("idTokenGeneration"));
            let at = d.get("accessTokenGeneration");
            (out.access_add, out.access_suppress) = claims(at);
            out.scopes_add = strings(at.and_then(|a| a.get("scopesToAdd"))).unwrap_or_default();
            out.scopes_suppress = strings(at.and_then(|a| a.get("scopesToSuppress"))).unwrap_or_default();
            out.read_groups(d.get("groupOverrideDetails"));
        }
        out
    }
}

/// What tokens are being issued for, as the trigger sees it.
pub struct TokenRequest<'a> {
    pub client: &'a Client,
    pub user: &'a User,
    pub groups: &'a [Group],
    /// `Authentication`, `RefreshTokens`, ... (the trigger source is `TokenGeneration_{source}`).
    pub source: &'a str,
    pub scopes: &'a [String],
    pub client_metadata: &'a Value,
}

/// Runs the pre token generation trigger; None when the pool has none.
pub async fn pre_token_generation(
    s: &Shared,
    pool: &Pool,
    req: TokenRequest<'_>,
) -> Result<Option<TokenOverrides>, AwsError> {
    let Some((_, version)) = pool.trigger("PreTokenGeneration") else { return Ok(None) };
    let groups = req.groups;
    let mut request = json!({
        "userAttributes": user_attributes(req.user),
        "groupConfiguration": {
            "groupsToOverride": groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>(),
            "iamRolesToOverride": groups.iter().filter_map(|g| g.role_arn.clone()).collect::<Vec<_>>(),
            "preferredRole": groups.iter().find_map(|g| g.role_arn.clone()),
        },
    });
    if version != "V1_0" {
        request["scopes"] = json!(req.scopes);
    }
    let request = with_metadata(request, req.client_metadata);
    let source = format!("TokenGeneration_{}", req.source);
    let resp = run(s, pool, "PreTokenGeneration", &source, &req.user.username, Some(&req.client.id), request).await?;
    Ok(resp.map(|r| TokenOverrides::from_response(&r)))
}
