//! One invoke request, resolved: the API, stage and deployment it reaches,
//! the resource and method it matched with their path parameters, and the
//! request context (`requestContext` of proxy events, `$context` of
//! mapping templates) as AWS fills it.

use crate::db::{Api, Deployment, Resource};
use crate::invoke::address::Address;
use crate::resources;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use stratus_core::HttpRequest;
use stratus_core::settings::Signer;

pub struct Call<'a> {
    pub req: &'a HttpRequest,
    pub api: &'a Api,
    pub address: &'a Address,
    pub deployment_id: String,
    pub stage_variables: Map<String, Value>,
    pub resource: &'a Resource,
    pub resource_path: String,
    pub params: BTreeMap<String, String>,
    /// The Method shape that matched (its verb may be ANY).
    pub method: &'a Value,
    pub request_id: String,
    pub time: time::OffsetDateTime,
    /// What the method's Lambda authorizer granted (`requestContext.authorizer`).
    pub authorizer: Option<Value>,
    /// The API key the authorizer named (`usageIdentifierKey`).
    pub usage_key: Option<String>,
    /// Who signed the request, for methods with IAM authorization.
    pub signer: Option<Signer>,
}

impl<'a> Call<'a> {
    pub fn new(
        req: &'a HttpRequest,
        api: &'a Api,
        address: &'a Address,
        (deployment, stage_variables): (&Deployment, Map<String, Value>),
        (resource, params): (&'a Resource, BTreeMap<String, String>),
        method: &'a Value,
    ) -> Call<'a> {
        Call {
            req,
            api,
            address,
            deployment_id: deployment.info.get("id").and_then(Value::as_str).unwrap_or_default().to_string(),
            stage_variables,
            resource,
            resource_path: resources::path_of(&deployment.resources, &resource.id),
            params,
            method,
            request_id: uuid::Uuid::new_v4().to_string(),
            time: stratus_core::clock::now(),
            authorizer: None,
            usage_key: None,
            signer: None,
        }
    }

    /// The path within the stage, decoded.
    pub fn path(&self) -> String {
        percent_encoding::percent_decode_str(&self.address.path).decode_utf8_lossy().into_owned()
    }

    /// The request context, as in a 1.0 proxy event.
    pub fn context(&self) -> Value {
        let host = self.req.host();
        let epoch_ms = (self.time.unix_timestamp_nanos() / 1_000_000) as i64;
        let mut context = json!({
            "accountId": self.api.account,
            "apiId": self.api.id(),
            "deploymentId": self.deployment_id,
            "domainName": host,
            "domainPrefix": host.split('.').next().unwrap_or_default(),
            "extendedRequestId": self.request_id,
            "httpMethod": self.req.method.as_str(),
            "identity": {
                "accessKey": null,
                "accountId": null,
                "caller": null,
                "cognitoAuthenticationProvider": null,
                "cognitoAuthenticationType": null,
                "cognitoIdentityId": null,
                "cognitoIdentityPoolId": null,
                "principalOrgId": null,
                "sourceIp": "127.0.0.1",
                "user": null,
                "userAgent": self.req.header("user-agent"),
                "userArn": null,
            },
            "path": format!("/{}{}", self.address.stage, self.path()),
            "protocol": "HTTP/1.1",
            "requestId": self.request_id,
            "requestTime": request_time(&self.time),
            "requestTimeEpoch": epoch_ms,
            "resourceId": self.resource.id,
            "resourcePath": self.resource_path,
            "stage": self.address.stage,
        });
        if let Some(a) = &self.authorizer {
            context["authorizer"] = a.clone();
        }
        if let Some(who) = &self.signer {
            let identity = &mut context["identity"];
            identity["accessKey"] = who.access_key.clone().into();
            identity["accountId"] = who.account_id.clone().into();
        }
        context
    }
}

/// `requestTime` as AWS writes it: `09/Apr/2015:12:34:56 +0000`.
pub fn request_time(t: &time::OffsetDateTime) -> String {
    let fmt = time::macros::format_description!("[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000");
    t.format(&fmt).unwrap_or_default()
}

/// `text` with every `${stageVariables.name}` replaced by the variable.
pub fn substitute(text: &str, vars: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${stageVariables.") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "${stageVariables.".len()..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        out.push_str(vars.get(&after[..end]).and_then(Value::as_str).unwrap_or_default());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}
