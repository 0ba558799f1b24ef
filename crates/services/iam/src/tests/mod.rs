//! Unit tests of the IAM service through `Service::call`, the way the front
//! door calls it, on an in-memory store.

mod access_keys;
mod groups_users;
mod inline_profiles;
mod policies;
mod roles;

use crate::Iam;
use serde_json::{Value, json};
use stratus_core::{AwsError, RequestContext, Service};
use stratus_store::Store;

pub const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
pub const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

/// An IAM service over its own in-memory store.
pub struct Fixture {
    pub iam: Iam,
    pub store: Store,
}

impl Fixture {
    pub fn new() -> Fixture {
        let store = Store::in_memory().expect("store");
        Fixture { iam: Iam::new(store.clone()), store }
    }

    /// Calls `op` in the default account.
    pub async fn call(&self, op: &'static str, input: Value) -> Result<Value, AwsError> {
        self.iam.call(&RequestContext::internal("iam", op), input).await
    }

    /// Calls `op` as `account`, signed with `access_key`.
    pub async fn call_as(
        &self,
        op: &'static str,
        input: Value,
        account: &str,
        access_key: Option<&str>,
    ) -> Result<Value, AwsError> {
        let mut ctx = RequestContext::internal("iam", op);
        ctx.account_id = account.to_string();
        ctx.access_key = access_key.map(str::to_string);
        self.iam.call(&ctx, input).await
    }

    pub async fn ok(&self, op: &'static str, input: Value) -> Value {
        match self.call(op, input).await {
            Ok(v) => v,
            Err(e) => panic!("{op} failed: {e}"),
        }
    }

    pub async fn err(&self, op: &'static str, input: Value) -> AwsError {
        match self.call(op, input).await {
            Ok(v) => panic!("{op} should fail, answered {v}"),
            Err(e) => e,
        }
    }

    pub async fn role(&self, name: &str) -> Value {
        self.ok("CreateRole", json!({"RoleName": name, "AssumeRolePolicyDocument": TRUST})).await
    }

    pub async fn policy(&self, name: &str) -> String {
        let out = self.ok("CreatePolicy", json!({"PolicyName": name, "PolicyDocument": POLICY})).await;
        out["Policy"]["Arn"].as_str().expect("arn").to_string()
    }
}

/// Asserts an error's code, status and message.
pub fn assert_error(e: &AwsError, code: &str, status: u16, message: &str) {
    assert_eq!((e.code.as_str(), e.status, e.message.as_str()), (code, status, message), "{e}");
}
