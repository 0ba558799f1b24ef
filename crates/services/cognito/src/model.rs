//! The records Cognito keeps: user pools, app clients, users and groups.
//! Pools and clients keep the request members they were given (`spec`, in
//! the model's shape) next to the few fields Stratus derives from them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A user pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pool {
    pub id: String,
    pub account: String,
    pub region: String,
    /// The model's `UserPoolType` members as configured (Policies, Schema, ...).
    pub spec: Map<String, Value>,
    pub created: f64,
    pub modified: f64,
    #[serde(default)]
    pub totp_mfa: bool,
    #[serde(default)]
    pub sms_mfa: bool,
    #[serde(default)]
    pub email_mfa: bool,
    #[serde(default)]
    pub domain: Option<String>,
}

impl Pool {
    pub fn name(&self) -> &str {
        self.spec.get("PoolName").or_else(|| self.spec.get("Name")).and_then(Value::as_str).unwrap_or("")
    }

    /// The pool id after the `region_` prefix (the SRP "pool name").
    pub fn srp_name(&self) -> &str {
        self.id.split_once('_').map(|(_, n)| n).unwrap_or(&self.id)
    }

    pub fn arn(&self) -> String {
        format!("arn:aws:cognito-idp:{}:{}:userpool/{}", self.region, self.account, self.id)
    }

    fn str_list(&self, name: &str) -> Vec<String> {
        self.spec
            .get(name)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    /// `email` / `phone_number` when users sign in with them instead of a username.
    pub fn username_attributes(&self) -> Vec<String> {
        self.str_list("UsernameAttributes")
    }

    pub fn alias_attributes(&self) -> Vec<String> {
        self.str_list("AliasAttributes")
    }

    pub fn auto_verified(&self) -> Vec<String> {
        self.str_list("AutoVerifiedAttributes")
    }

    /// Whether usernames are case sensitive (false unless configured).
    pub fn case_sensitive(&self) -> bool {
        self.spec
            .get("UsernameConfiguration")
            .and_then(|c| c.get("CaseSensitive"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// `OFF`, `ON` or `OPTIONAL`.
    pub fn mfa(&self) -> &str {
        self.spec.get("MfaConfiguration").and_then(Value::as_str).unwrap_or("OFF")
    }

    /// The password policy in effect: AWS's default (8 characters, all four
    /// character classes) when none was given; a given policy's absent
    /// flags are false, as the SDKs leave out false booleans.
    pub fn password_policy(&self) -> Value {
        let Some(given) = self.spec.get("Policies").and_then(|p| p.get("PasswordPolicy")).and_then(Value::as_object)
        else {
            return json!({
                "MinimumLength": 8,
                "RequireUppercase": true,
                "RequireLowercase": true,
                "RequireNumbers": true,
                "RequireSymbols": true,
                "TemporaryPasswordValidityDays": 7
            });
        };
        let flag = |k: &str| given.get(k).and_then(Value::as_bool).unwrap_or(false);
        let days = given.get("TemporaryPasswordValidityDays").and_then(Value::as_i64).filter(|d| *d > 0).unwrap_or(7);
        let mut out = json!({
            "MinimumLength": given.get("MinimumLength").and_then(Value::as_i64).unwrap_or(8),
            "RequireUppercase": flag("RequireUppercase"),
            "RequireLowercase": flag("RequireLowercase"),
            "RequireNumbers": flag("RequireNumbers"),
            "RequireSymbols": flag("RequireSymbols"),
            "TemporaryPasswordValidityDays": days
        });
        if let Some(h) = given.get("PasswordHistorySize") {
            out["PasswordHistorySize"] = h.clone();
        }
        out
    }

    /// The ARN of the Lambda function configured for trigger `name`
    /// (`PreSignUp`, `PreTokenGeneration`, ...), and the event version for
    /// pre token generation (`V1_0`, `V2_0`).
    pub fn trigger(&self, name: &str) -> Option<(String, String)> {
        let cfg = self.spec.get("LambdaConfig")?;
        if name == "PreTokenGeneration"
            && let Some(c) = cfg.get("PreTokenGenerationConfig")
            && let Some(arn) = c.get("LambdaArn").and_then(Value::as_str)
        {
            let version = c.get("LambdaVersion").and_then(Value::as_str).unwrap_or("V1_0");
            return Some((arn.to_string(), version.to_string()));
        }
        cfg.get(name).and_then(Value::as_str).map(|arn| (arn.to_string(), "V1_0".to_string()))
    }

    /// Whether only administrators may create users.
    pub fn admin_only(&self) -> bool {
        self.spec
            .get("AdminCreateUserConfig")
            .and_then(|c| c.get("AllowAdminCreateUserOnly"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub fn deletion_protected(&self) -> bool {
        self.spec.get("DeletionProtection").and_then(Value::as_str) == Some("ACTIVE")
    }

    /// The custom attributes the schema declares, as `custom:{name}`.
    pub fn custom_attributes(&self) -> Vec<(String, Value)> {
        self.spec
            .get("Schema")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| {
                        let name = s.get("Name")?.as_str()?;
                        if crate::schema::is_standard(name) {
                            return None;
                        }
                        Some((format!("custom:{name}"), s.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The key a username is stored under.
    pub fn user_key(&self, username: &str) -> String {
        if self.case_sensitive() { username.to_string() } else { username.to_lowercase() }
    }
}

/// An app client.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    pub id: String,
    pub pool_id: String,
    pub secret: Option<String>,
    /// The model's `UserPoolClientType` members as configured.
    pub spec: Map<String, Value>,
    pub created: f64,
    pub modified: f64,
}

impl Client {
    pub fn name(&self) -> &str {
        self.spec.get("ClientName").and_then(Value::as_str).unwrap_or("")
    }

    pub fn list(&self, name: &str) -> Vec<String> {
        self.spec
            .get(name)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    /// Whether the client allows `flow` (`ALLOW_USER_SRP_AUTH`, ...), with
    /// AWS's defaults and legacy names.
    pub fn allows(&self, flow: &str) -> bool {
        let flows = self.list("ExplicitAuthFlows");
        if flows.is_empty() {
            return matches!(flow, "ALLOW_REFRESH_TOKEN_AUTH" | "ALLOW_USER_SRP_AUTH" | "ALLOW_CUSTOM_AUTH");
        }
        let legacy = match flow {
            "ALLOW_ADMIN_USER_PASSWORD_AUTH" => "ADMIN_NO_SRP_AUTH",
            "ALLOW_USER_PASSWORD_AUTH" => "USER_PASSWORD_AUTH",
            "ALLOW_CUSTOM_AUTH" => "CUSTOM_AUTH_FLOW_ONLY",
            _ => "",
        };
        flow == "ALLOW_REFRESH_TOKEN_AUTH" || flows.iter().any(|f| f == flow || (!legacy.is_empty() && f == legacy))
    }

    fn validity(&self, member: &str, unit_member: &str, default_secs: i64, default_unit: &str) -> i64 {
        let Some(n) = self.spec.get(member).and_then(Value::as_i64) else { return default_secs };
        let unit = self
            .spec
            .get("TokenValidityUnits")
            .and_then(|u| u.get(unit_member))
            .and_then(Value::as_str)
            .unwrap_or(default_unit);
        n * match unit {
            "seconds" => 1,
            "minutes" => 60,
            "hours" => 3600,
            _ => 86_400,
        }
    }

    pub fn access_validity(&self) -> i64 {
        self.validity("AccessTokenValidity", "AccessToken", 3600, "hours")
    }

    pub fn id_validity(&self) -> i64 {
        self.validity("IdTokenValidity", "IdToken", 3600, "hours")
    }

    pub fn refresh_validity(&self) -> i64 {
        self.validity("RefreshTokenValidity", "RefreshToken", 30 * 86_400, "days")
    }

    /// The model's `UserPoolClientType`.
    pub fn describe(&self) -> Value {
        let mut out = self.spec.clone();
        out.insert("UserPoolId".into(), json!(self.pool_id));
        out.insert("ClientId".into(), json!(self.id));
        out.insert("CreationDate".into(), json!(self.created));
        out.insert("LastModifiedDate".into(), json!(self.modified));
        out.remove("GenerateSecret");
        if let Some(s) = &self.secret {
            out.insert("ClientSecret".into(), json!(s));
        }
        out.entry("RefreshTokenValidity").or_insert(json!(30));
        out.entry("AllowedOAuthFlowsUserPoolClient").or_insert(json!(false));
        out.entry("EnableTokenRevocation").or_insert(json!(true));
        out.entry("EnablePropagateAdditionalUserContextData").or_insert(json!(false));
        out.entry("AuthSessionValidity").or_insert(json!(3));
        Value::Object(out)
    }
}

/// A pending code (sign-up confirmation, password reset, attribute verification).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Code {
    pub code: String,
    pub expires: f64,
}

/// A user of a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    pub sub: String,
    /// Attributes in the order they were set, `sub` first.
    pub attributes: Vec<(String, String)>,
    pub status: String,
    pub enabled: bool,
    pub created: f64,
    pub modified: f64,
    /// `pbkdf2-sha256${iterations}${salt b64}${hash b64}`.
    pub password: Option<String>,
    /// SRP salt (hex) and verifier `g^x mod N` (hex) for the current password.
    pub srp_salt: Option<String>,
    pub srp_verifier: Option<String>,
    pub temp_password_expires: Option<f64>,
    /// Pending codes by purpose: `signup`, `forgot`, `attr:{name}`.
    #[serde(default)]
    pub codes: BTreeMap<String, Code>,
    #[serde(default)]
    pub totp_secret: Option<String>,
    #[serde(default)]
    pub totp_pending: Option<String>,
    #[serde(default)]
    pub mfa_totp: bool,
    #[serde(default)]
    pub mfa_sms: bool,
    #[serde(default)]
    pub mfa_email: bool,
    #[serde(default)]
    pub preferred_mfa: Option<String>,
    /// Access tokens issued before this (GlobalSignOut) are refused.
    #[serde(default)]
    pub tokens_valid_after: f64,
}

impl User {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn set_attr(&mut self, name: &str, value: &str) {
        match self.attributes.iter_mut().find(|(n, _)| n == name) {
            Some(a) => a.1 = value.to_string(),
            None => self.attributes.push((name.to_string(), value.to_string())),
        }
    }

    pub fn remove_attr(&mut self, name: &str) {
        self.attributes.retain(|(n, _)| n != name);
    }

    /// The model's `AttributeListType`.
    pub fn attribute_list(&self) -> Value {
        Value::Array(self.attributes.iter().map(|(n, v)| json!({"Name": n, "Value": v})).collect())
    }

    /// The MFA methods the user has enabled, in AWS's names.
    pub fn mfa_list(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.mfa_sms {
            out.push("SMS_MFA");
        }
        if self.mfa_totp {
            out.push("SOFTWARE_TOKEN_MFA");
        }
        if self.mfa_email {
            out.push("EMAIL_OTP");
        }
        out
    }

    /// The model's `UserType` (ListUsers and AdminCreateUser).
    pub fn user_type(&self, attributes_key: &str) -> Value {
        let mut out = json!({
            "Username": self.username,
            "Enabled": self.enabled,
            "UserStatus": self.status,
            "UserCreateDate": self.created,
            "UserLastModifiedDate": self.modified,
        });
        out[attributes_key] = self.attribute_list();
        if !self.mfa_list().is_empty() {
            out["MFAOptions"] = json!([]);
        }
        out
    }
}

/// A group of a pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i64>,
    pub created: f64,
    pub modified: f64,
}

impl Group {
    pub fn describe(&self, pool_id: &str) -> Value {
        let mut out = json!({
            "GroupName": self.name,
            "UserPoolId": pool_id,
            "CreationDate": self.created,
            "LastModifiedDate": self.modified,
        });
        if let Some(d) = &self.description {
            out["Description"] = json!(d);
        }
        if let Some(r) = &self.role_arn {
            out["RoleArn"] = json!(r);
        }
        if let Some(p) = self.precedence {
            out["Precedence"] = json!(p);
        }
        out
    }
}
