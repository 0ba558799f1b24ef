//! Who is calling: parses SigV4 on every request (the access key picks the
//! account, the scope the region), and in strict mode verifies the signature
//! against the configured keys and the keys IAM and STS issued, answering
//! failures with the errors AWS gives in each protocol. The same check
//! serves signed data-plane requests (`data_plane_check`).

use crate::app::App;
use crate::config::{AuthMode, StaticKey};
use std::sync::Arc;
use stratus_auth::{
    AuthFailure, CredentialScope, Family, FormSigning, Payload, Request, SigV4, Verified, VerifyOptions,
    form_signature_matches,
};
use stratus_core::credentials::{Credential, credential_key};
use stratus_core::settings::{FormCheck, FormRefusal, SignatureCheck, SignatureRefusal, SignedForm, Signer};
use stratus_core::{AwsError, DEFAULT_ACCOUNT_ID, DEFAULT_REGION};
use stratus_protocol::model::{Protocol, ServiceModel};
use stratus_protocol::{HttpRequest, decode};
use stratus_store::Store;

/// The caller, as far as the services need to know.
#[derive(Debug, Clone)]
pub struct Identity {
    pub account_id: String,
    pub region: String,
    pub access_key: Option<String>,
    /// The strict-mode verification (None in permissive mode or unsigned),
    /// which seeds aws-chunked signature checks.
    pub verified: Option<Verified>,
}

/// Operations AWS accepts without a signature.
const UNSIGNED_OPERATIONS: &[(&str, &str)] = &[("sts", "AssumeRoleWithWebIdentity"), ("sts", "AssumeRoleWithSAML")];

/// Parses the request's signature, if it carries one.
fn parse(req: &HttpRequest) -> Result<Option<SigV4>, AuthFailure> {
    stratus_auth::parse(&Request::new(req.method.as_str(), &req.path, &req.query, &req.headers))
}

fn family(model: &ServiceModel, wire: Protocol) -> Family {
    match wire {
        Protocol::Query => Family::Query,
        Protocol::AwsJson10 | Protocol::AwsJson11 => Family::Json,
        Protocol::RestJson => Family::RestJson,
        Protocol::RestXml if model.name == "s3" => Family::S3,
        Protocol::RestXml => Family::Query,
    }
}

/// Renders an authentication failure as the protocol's AWS error.
pub fn failure(err: &AuthFailure, model: &ServiceModel, wire: Protocol) -> AwsError {
    let fam = family(model, wire);
    let (status, code, message) = err.aws_error(fam);
    let mut out = AwsError::new(status, code, message);
    if fam == Family::S3 {
        for (name, value) in err.s3_details() {
            out = out.with_field(name, serde_json::Value::from(value));
        }
    }
    out
}

/// A key Stratus knows: configured, or issued by IAM/STS.
fn lookup(keys: &[StaticKey], store: &Store, access_key: &str) -> Option<Credential> {
    if let Some(k) = keys.iter().find(|k| k.access_key == access_key) {
        return Some(Credential {
            access_key_id: k.access_key.clone(),
            secret_access_key: k.secret_key.clone(),
            account_id: k.account_id.clone(),
            session_token: None,
            expires: None,
            principal_arn: format!("arn:aws:iam::{}:root", k.account_id),
            user_id: k.account_id.clone(),
            status: "Active".into(),
        });
    }
    let raw = store.get(credential_key(access_key)).ok().flatten()?;
    serde_json::from_slice(&raw).ok()
}

/// Establishes the caller of `req`, verifying it in strict mode. `payload`
/// is the body when it was read whole, or `Payload::Streaming`.
pub async fn authenticate(
    app: &App,
    req: &HttpRequest,
    (model, wire): (&'static ServiceModel, Protocol),
    scope: Option<CredentialScope>,
    payload: Payload<'_>,
) -> Result<Identity, AwsError> {
    if app.auth == AuthMode::Permissive {
        return Ok(permissive(&app.keys, &app.store, scope));
    }
    let sig = match parse(req) {
        Ok(Some(sig)) => sig,
        Ok(None) if unsigned_allowed(model, wire, req) => return Ok(anonymous()),
        // S3 decides unsigned requests itself: only a bucket policy naming
        // Principal `*` lets them in.
        Ok(None) if model.name == "s3" => {
            return Ok(Identity { account_id: stratus_s3::ANONYMOUS_ACCOUNT.to_string(), ..anonymous() });
        }
        Ok(None) => return Err(failure(&AuthFailure::Missing, model, wire)),
        Err(e) => return Err(failure(&e, model, wire)),
    };
    let opts = if model.name == "s3" { VerifyOptions::s3() } else { VerifyOptions::default() };
    verify_signed(&app.keys, &app.store, req, sig, payload, &opts).map_err(|r| match r {
        Refusal::Auth(e) => failure(&e, model, wire),
        Refusal::Expired => expired_token(wire),
    })
}

/// Why a signed request was refused.
enum Refusal {
    Auth(AuthFailure),
    Expired,
}

/// The strict-mode check of a parsed signature: a known, active, unexpired
/// key whose secret reproduces the signature.
fn verify_signed(
    keys: &[StaticKey],
    store: &Store,
    req: &HttpRequest,
    sig: SigV4,
    payload: Payload<'_>,
    opts: &VerifyOptions<'_>,
) -> Result<Identity, Refusal> {
    let region = if sig.region.is_empty() { DEFAULT_REGION.to_string() } else { sig.region.clone() };
    let unknown = || Refusal::Auth(AuthFailure::UnknownAccessKey { access_key: sig.access_key.clone() });
    let cred = lookup(keys, store, &sig.access_key).ok_or_else(unknown)?;
    if cred.status != "Active" || (cred.session_token.is_some() && cred.session_token != sig.security_token) {
        return Err(unknown());
    }
    if !cred.usable(stratus_core::clock::now_epoch()) {
        return Err(Refusal::Expired);
    }
    let request = Request::new(req.method.as_str(), &req.path, &req.query, &req.headers);
    let verified =
        stratus_auth::verify(&sig, &cred.secret_access_key, &request, payload, stratus_core::clock::now(), opts)
            .map_err(Refusal::Auth)?;
    Ok(Identity { account_id: cred.account_id, region, access_key: Some(sig.access_key), verified: Some(verified) })
}

/// The check data planes use for signed requests (function URLs with
/// AWS_IAM), installed in the services' settings: in strict mode the
/// signature is verified as for API calls (signed for `service`); in
/// permissive mode a well-formed signature is enough. Answers the signer.
pub fn data_plane_check(auth: AuthMode, keys: Vec<StaticKey>, store: Store) -> Arc<SignatureCheck> {
    Arc::new(move |req: &HttpRequest, service: &str| {
        let sig = match parse(req) {
            Ok(Some(sig)) => sig,
            Ok(None) => return Err(SignatureRefusal::Unsigned),
            Err(e) => return Err(SignatureRefusal::Invalid(e.to_string())),
        };
        let access_key = sig.access_key.clone();
        if auth == AuthMode::Permissive {
            let scope = stratus_auth::credential_scope(&req.headers, &req.query);
            return Ok(Signer { account_id: permissive(&keys, &store, scope).account_id, access_key });
        }
        let opts = VerifyOptions { expected_service: Some(service), ..VerifyOptions::default() };
        match verify_signed(&keys, &store, req, sig, Payload::Bytes(&req.body), &opts) {
            Ok(who) => Ok(Signer { account_id: who.account_id, access_key }),
            Err(Refusal::Auth(AuthFailure::UnknownAccessKey { .. })) => Err(SignatureRefusal::UnknownKey),
            Err(Refusal::Auth(e)) => Err(SignatureRefusal::Invalid(e.to_string())),
            Err(Refusal::Expired) => Err(SignatureRefusal::Expired),
        }
    })
}

/// The [`FormCheck`] for browser forms (S3 POST Object): strict mode
/// verifies the policy's signature with the key's secret; permissive mode
/// takes the account from the key (or the default), as for API calls.
pub fn form_check(auth: AuthMode, keys: Vec<StaticKey>, store: Store) -> Arc<FormCheck> {
    Arc::new(move |form: Option<&SignedForm>| {
        let Some(form) = form else {
            return if auth == AuthMode::Permissive {
                Ok(DEFAULT_ACCOUNT_ID.to_string())
            } else {
                Err(FormRefusal::Anonymous)
            };
        };
        let cred = lookup(&keys, &store, form.access_key);
        if auth == AuthMode::Permissive {
            return Ok(cred.map_or_else(|| DEFAULT_ACCOUNT_ID.to_string(), |c| c.account_id));
        }
        let cred = cred.filter(|c| c.status == "Active").ok_or(FormRefusal::UnknownKey)?;
        let signing = match form.scope {
            Some((date, region, service)) => FormSigning::V4 { date, region, service },
            None => FormSigning::V2,
        };
        if form_signature_matches(&cred.secret_access_key, signing, form.policy, form.signature) {
            Ok(cred.account_id)
        } else {
            Err(FormRefusal::Mismatch)
        }
    })
}

/// Permissive mode: the credential scope alone names the account and region.
fn permissive(keys: &[StaticKey], store: &Store, scope: Option<CredentialScope>) -> Identity {
    let Some(scope) = scope else { return anonymous() };
    let account_id = match lookup(keys, store, &scope.access_key) {
        Some(c) => c.account_id,
        None if scope.access_key.len() == 12 && scope.access_key.bytes().all(|b| b.is_ascii_digit()) => {
            scope.access_key.clone()
        }
        None => DEFAULT_ACCOUNT_ID.to_string(),
    };
    let region = scope.region.filter(|r| !r.is_empty()).unwrap_or_else(|| DEFAULT_REGION.to_string());
    Identity { account_id, region, access_key: Some(scope.access_key), verified: None }
}

fn anonymous() -> Identity {
    Identity {
        account_id: DEFAULT_ACCOUNT_ID.to_string(),
        region: DEFAULT_REGION.to_string(),
        access_key: None,
        verified: None,
    }
}

fn unsigned_allowed(model: &'static ServiceModel, wire: Protocol, req: &HttpRequest) -> bool {
    match decode::decode(model, wire, req) {
        Ok(d) => {
            UNSIGNED_OPERATIONS.contains(&(model.name, d.operation.name))
                || (model.name == "cognito-idp" && stratus_cognito::IDP_UNSIGNED.contains(&d.operation.name))
                || (model.name == "cognito-identity" && stratus_cognito::IDENTITY_UNSIGNED.contains(&d.operation.name))
        }
        Err(_) => false,
    }
}

fn expired_token(wire: Protocol) -> AwsError {
    match wire {
        Protocol::Query => AwsError::new(403, "ExpiredToken", "The security token included in the request is expired"),
        _ => AwsError::new(403, "ExpiredTokenException", "The security token included in the request is expired"),
    }
}
