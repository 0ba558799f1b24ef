//! Server-wide settings that services read: where the server can be reached
//! (functions get it as `AWS_ENDPOINT_URL`), where state lives, and the
//! switches of behaviours AWS makes optional for an emulator.

use crate::{HttpRequest, HttpResponse, Peers};
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// What every service may need to know about the server it runs in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `http://127.0.0.1:4566`: the address clients (and functions) reach Stratus at.
    pub endpoint: String,
    /// The data directory; None with `--in-memory`.
    pub data_dir: Option<PathBuf>,
    /// Throttle PROVISIONED DynamoDB tables with token buckets (`--enforce-capacity`).
    pub enforce_capacity: bool,
    /// Account-level Lambda concurrency limit (`--lambda-concurrency`, AWS's default 1,000).
    pub lambda_concurrency: u32,
    /// Seconds after DeleteQueue before SQS lets a queue of the same name be
    /// created again (`--sqs-recreate-delay`; AWS: 60; 0 turns the rule off).
    pub sqs_recreate_delay_secs: u64,
    /// How often background reapers (TTL, retention) run, in seconds.
    pub reaper_interval_secs: u64,
    /// Seconds an S3 restore of an archived object takes (`--s3-restore-seconds`;
    /// 0: at once).
    pub s3_restore_secs: u64,
    /// Every service of the server, for calls from one service to another.
    pub peers: Peers,
    /// The front door's SigV4 checks, for data planes that take signed
    /// requests (function URLs with AuthType AWS_IAM, S3 POST forms).
    pub signatures: Signatures,
    /// Calls to a service in its own wire format (API Gateway's AWS
    /// integrations).
    pub wire: Wire,
}

/// Who signed a data-plane request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub account_id: String,
    pub access_key: String,
}

/// Why a data-plane request's signature is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureRefusal {
    /// The request carries no signature.
    Unsigned,
    /// No active key has this id (or its session token differs).
    UnknownKey,
    /// The key's session has expired.
    Expired,
    /// Malformed, mismatched or out of date; the reason, for logs.
    Invalid(String),
}

/// A signed data-plane request checked as the front door checks API calls
/// (strict mode verifies it; permissive mode needs it well formed): who
/// signed it, or why it was refused.
pub type SignatureCheck = dyn Fn(&HttpRequest, &str) -> Result<Signer, SignatureRefusal> + Send + Sync;

/// A browser form (S3 POST Object) that signs its own policy document.
#[derive(Debug, Clone, Copy)]
pub struct SignedForm<'a> {
    pub access_key: &'a str,
    /// SigV4 (`X-Amz-Credential`): the scope's date, region and service;
    /// None for the legacy form (`AWSAccessKeyId` and `Signature`).
    pub scope: Option<(&'a str, &'a str, &'a str)>,
    /// The base64 policy, exactly as the form sent it.
    pub policy: &'a str,
    pub signature: &'a str,
}

/// Why a form is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormRefusal {
    /// Not signed, in strict mode (AccessDenied).
    Anonymous,
    /// No such access key (InvalidAccessKeyId).
    UnknownKey,
    /// The signature is not the key's (SignatureDoesNotMatch).
    Mismatch,
}

/// A form (None: unsigned) checked as the front door checks API calls:
/// strict mode verifies the signature and refuses unsigned forms; permissive
/// mode accepts any. The signer's account.
pub type FormCheck = dyn Fn(Option<&SignedForm>) -> Result<String, FormRefusal> + Send + Sync;

/// The front door installs its [`SignatureCheck`] and [`FormCheck`] here
/// once the server exists.
#[derive(Clone, Default)]
pub struct Signatures(Arc<OnceLock<(Arc<SignatureCheck>, Arc<FormCheck>)>>);

impl fmt::Debug for Signatures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Signatures").field(&self.0.get().is_some()).finish()
    }
}

impl Signatures {
    /// Installs the checks; later calls are ignored.
    pub fn install(&self, check: Arc<SignatureCheck>, form: Arc<FormCheck>) {
        let _ = self.0.set((check, form));
    }

    /// Checks a browser form (None: unsigned): the signer's account, or why
    /// it is refused (an unknown key also when no check is installed).
    pub fn check_form(&self, form: Option<&SignedForm>) -> Result<String, FormRefusal> {
        match self.0.get() {
            Some((_, check)) => check(form),
            None => Err(FormRefusal::UnknownKey),
        }
    }

    /// Checks `req`, signed for `service` (its signing name, e.g. `lambda`):
    /// who signed it, or the reason it is refused (also when no check is
    /// installed).
    pub fn check(&self, req: &HttpRequest, service: &str) -> Result<Signer, SignatureRefusal> {
        match self.0.get() {
            Some((check, _)) => check(req, service),
            None => Err(SignatureRefusal::Invalid("no signature check installed".into())),
        }
    }
}

/// A request written in a service's own wire format, as AWS's API Gateway
/// sends it to a service endpoint, and whose account and region it acts
/// for (it carries no signature).
#[derive(Debug)]
pub struct WireRequest {
    /// The service's model name or endpoint prefix (e.g. `sqs`, `states`).
    pub service: String,
    /// The action (`{service}:action/{Action}` integrations), which the
    /// call writes into the request as the service's protocol wants it
    /// (`X-Amz-Target`, or `Action` and `Version` parameters); None when the
    /// request already says (`{service}:path/...` integrations).
    pub action: Option<String>,
    pub request: HttpRequest,
    pub account_id: String,
    pub region: String,
}

/// Serves a [`WireRequest`]: the service's answer as its endpoint writes it.
pub type WireCall =
    dyn Fn(WireRequest) -> std::pin::Pin<Box<dyn std::future::Future<Output = HttpResponse> + Send>> + Send + Sync;

/// The front door installs its [`WireCall`] here once the server exists.
#[derive(Clone, Default)]
pub struct Wire(Arc<OnceLock<Arc<WireCall>>>);

impl fmt::Debug for Wire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Wire").field(&self.0.get().is_some()).finish()
    }
}

impl Wire {
    /// Installs the call; later calls are ignored.
    pub fn install(&self, call: Arc<WireCall>) {
        let _ = self.0.set(call);
    }

    /// Serves `req` (500 when nothing is installed).
    pub async fn call(&self, req: WireRequest) -> HttpResponse {
        match self.0.get() {
            Some(call) => call(req).await,
            None => HttpResponse::new(500, "application/json", r#"{"message":"no wire call installed"}"#),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            endpoint: "http://127.0.0.1:4566".into(),
            data_dir: None,
            enforce_capacity: false,
            lambda_concurrency: 1000,
            sqs_recreate_delay_secs: 60,
            reaper_interval_secs: 30,
            s3_restore_secs: 0,
            peers: Peers::default(),
            signatures: Signatures::default(),
            wire: Wire::default(),
        }
    }
}
